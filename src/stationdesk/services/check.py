"""`check`: SQLite's own integrity check plus the project's consistency rules.

Every order change has its event and its outbox op: an order's version equals the number of
its events, the last event's status is the order's status, and events and outbox ops pair up.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from stationdesk.services.audit_trail import verify_connection
from stationdesk.services.ledger import disagreements
from stationdesk.store.engine import Database

LIMIT = 20  # problems listed per rule; the count says how many there are in all


INTEGRITY_ADVICE = ("文件已损坏: 停止使用此数据库, 用最近的备份恢复 "
                    "(the file is damaged: stop using it and run `stationdesk restore BACKUP`; daily backups are listed "
                    "by `stationdesk backup --daily`)")
CONSISTENCY_ADVICE = ("订单与事件/同步记录不一致: 数据库被程序以外的方式改动过, 保留此文件交主管, 用备份恢复 "
                      "(orders and their events disagree: the file was changed outside stationdesk; keep it for the "
                      "supervisor and restore the latest backup)")
AUDIT_ADVICE = ("审计链断开: 有人在程序之外改动了操作记录; 不要修改此文件, 交主管并报总部, 用备份恢复 "
                "(the audit trail was changed outside stationdesk: do not touch the file, report it to the "
                "supervisor and head office, and restore the latest backup)")


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)  # what to do about the problems, one line each
    orders: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


RULES: list[tuple[str, str]] = [
    (
        "订单版本与事件数不符 (order changed without its event)",
        "SELECT o.logistics_no, o.version, count(e.id) FROM orders o LEFT JOIN order_event e ON e.order_id = o.id"
        " GROUP BY o.id HAVING o.version != count(e.id) OR o.version != coalesce(max(e.version), 0)",
    ),
    (
        "订单状态与最后事件不符 (status differs from its last event)",
        "SELECT o.logistics_no, o.status, e.after_status FROM orders o JOIN order_event e"
        " ON e.order_id = o.id AND e.version = o.version WHERE e.after_status != o.status",
    ),
    (
        "事件没有同步记录 (event without outbox op)",
        "SELECT o.logistics_no, e.version, e.action FROM order_event e JOIN orders o ON o.id = e.order_id"
        " LEFT JOIN outbox x ON x.event_id = e.id WHERE x.id IS NULL",
    ),
    (
        "同步记录与事件不符 (outbox op without matching event)",
        "SELECT x.op_id, x.order_version, x.action FROM outbox x LEFT JOIN order_event e ON e.id = x.event_id"
        " WHERE e.id IS NULL OR e.order_id != x.order_id OR e.version != x.order_version OR e.action != x.action",
    ),
]


def check(db: Database) -> CheckReport:
    with db.read() as conn:
        return check_connection(conn.connection.driver_connection)


def check_connection(conn: sqlite3.Connection) -> CheckReport:
    """The checks on any sqlite3 connection to a station database (a read-only one for backups)."""
    report = CheckReport()
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        report.problems.extend(f"integrity_check: {line}" for line in integrity[:LIMIT])
        report.advice.append(INTEGRITY_ADVICE)
        return report  # the rules below read a damaged file: their answers would mislead
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        report.problems.append(f"foreign_key_check: {len(fk)} rows point at missing rows, e.g. {fk[0]}")
    for title, sql in RULES:
        rows = conn.execute(sql).fetchall()
        if rows:
            sample = "; ".join(" ".join(str(v) for v in r) for r in rows[:LIMIT])
            report.problems.append(f"{title}: {len(rows)} - {sample}")
    ledger_problems = disagreements(conn, LIMIT)
    if ledger_problems:
        report.problems.append(f"考核台账与订单历史不符 (the audit ledger and the history disagree): "
                               f"{len(ledger_problems)} - " + "; ".join(ledger_problems))
    if report.problems:
        report.advice.append(CONSISTENCY_ADVICE)
    audit = verify_connection(conn)
    if not audit.ok:
        report.problems.append(str(audit.problem))
        report.advice.append(AUDIT_ADVICE)
    report.orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    report.events = conn.execute("SELECT count(*) FROM order_event").fetchone()[0]
    return report
