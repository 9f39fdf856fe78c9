"""`check`: SQLite's own integrity check plus the project's consistency rules.

Every order change has its event and its outbox op: an order's version equals the number of
its events, the last event's status is the order's status, and events and outbox ops pair up.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from stationdesk.services.audit_trail import verify_connection
from stationdesk.store import account_chain
from stationdesk.services.ledger import disagreements
from stationdesk.store.engine import Database
from stationdesk.store.meta_keys import SYNC_CHAIN_PROBLEM

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


HQ_CHAIN_ADVICE = ("总部保存的操作记录与本机不符, 同步已停止: 不要修改此文件, 交主管并联系总部 "
                   "(head office holds a different history of this station; syncs stop until head office and the "
                   "supervisor have looked at it)")


def _head_office_refusal(conn: sqlite3.Connection) -> str | None:
    """Head office's last refusal of this station's audit chain, kept by the sync (a station's own
    check cannot see a history that was rewritten and re-hashed: only head office's copy can)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (SYNC_CHAIN_PROBLEM,)).fetchone()
    except sqlite3.OperationalError:  # a file from before the meta table: nothing was ever synced
        return None
    return row[0] if row else None


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)  # what to do about the problems, one line each
    orders: int = 0
    events: int = 0
    damaged_file: bool = False  # SQLite itself finds the file broken (as opposed to rows edited outside)
    audit_problem: str | None = None  # the first break in the audit chain, if any

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
        # stored by an older version or behind the app's back: the desk cannot add a deadline to them
        "时间超出范围 (an order time or dispatch time outside 2000..9000 that no screen can show)",
        "SELECT logistics_no, order_time, dispatch_time FROM orders WHERE order_time < '2000-01-01'"
        " OR order_time >= '9000-01-01' OR dispatch_time < '2000-01-01' OR dispatch_time >= '9000-01-01'",
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
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:  # too broken for SQLite to walk: "malformed", "not a database"
        integrity = [str(exc)]
    if integrity != ["ok"]:
        report.problems.extend(f"integrity_check: {line}" for line in integrity[:LIMIT])
        report.advice.append(INTEGRITY_ADVICE)
        report.damaged_file = True
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
        report.audit_problem = str(audit.problem)
        report.problems.append(str(audit.problem))
        report.advice.append(AUDIT_ADVICE)
    accounts = account_chain.verify(conn)
    if accounts:
        report.problems.append(accounts)
        report.advice.append(AUDIT_ADVICE)
    refused = _head_office_refusal(conn)
    if refused:
        report.problems.append(f"总部: {refused}")
        report.advice.append(HQ_CHAIN_ADVICE)
    report.orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    report.events = conn.execute("SELECT count(*) FROM order_event").fetchone()[0]
    return report


def check_file(path: Path) -> CheckReport:
    """The checks on the file at ``path`` opened read-only with sqlite3 alone: they work on a file
    too damaged for the desk to open, and name the damage instead of failing with it."""
    report = CheckReport()
    if not path.is_file():
        report.problems.append("文件不存在 (no such file: `stationdesk init --station CODE` creates one)")
        report.damaged_file = True
        return report
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        report.problems.append(f"无法打开 ({exc})")
        report.damaged_file = True
        return report
    try:
        return check_connection(conn)
    except sqlite3.DatabaseError as exc:
        report.problems.append(f"文件已损坏 ({exc})")
        report.advice.append(INTEGRITY_ADVICE)
        report.damaged_file = True
        return report
    finally:
        conn.close()
