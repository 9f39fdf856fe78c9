"""`check`: SQLite's own integrity check plus the project's consistency rules.

Every order change has its event and its outbox op: an order's version equals the number of
its events, the last event's status is the order's status, and events and outbox ops pair up.
The quick check (for cron) does the same over what changed since the last check that found
nothing wrong; what it leaves out is listed in `check --help` (cli/checking.py).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stationdesk.domain.chain import GENESIS
from stationdesk.domain.words import Words

from stationdesk.services.audit_trail import verify_connection
from stationdesk.store import account_chain
from stationdesk.services.ledger import TOUCHED_SINCE, disagreements
from stationdesk.store.bulk import pending_indexes
from stationdesk.store.engine import Database
from stationdesk.store.meta_keys import SYNC_CHAIN_PROBLEM
from stationdesk.store.reads import driver as sqlite_driver

LIMIT = 20  # problems listed per rule; the count says how many there are in all
CHECKED_KEY = "check.verified"  # meta: the position the last check that found nothing wrong got to
QUICK_WINDOW = 50_000  # events a quick check re-hashes and replays when no check recorded a position
# The full check's pace on the 2-core reference machine (README, benchmarks/bench_scale.py):
# SQLite's integrity check per byte of file, the chain and the ledger replay per event.
FULL_BYTES_PER_SECOND = 60e6
FULL_EVENTS_PER_SECOND = 15_000



INTEGRITY_ADVICE = Words("check.integrity_advice")
CONSISTENCY_ADVICE = Words("check.consistency_advice")
SEED_ADVICE = Words("check.seed_advice")
AUDIT_ADVICE = Words("check.audit_advice")
HQ_CHAIN_ADVICE = Words("check.hq_advice")


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
    quick: bool = False
    problems: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)  # what to do about the problems, one line each
    orders: int = 0
    events: int = 0
    damaged_file: bool = False  # SQLite itself finds the file broken (as opposed to rows edited outside)
    audit_problem: str | None = None  # the first break in the audit chain, if any
    position: Position | None = None  # where the check got to (recorded when nothing was wrong)
    covered: str = ""  # what a quick check's history part covered

    @property
    def ok(self) -> bool:
        return not self.problems


# Each rule over the orders ``{o}`` selects: every order in the full check; in the quick check only
# those with an event or a ledger row since the last check (``o.id IN (...)``).
RULES: list[tuple[Words, str]] = [
    (
        Words("check.version_events"),
        "SELECT o.logistics_no, o.version, count(e.id) FROM orders o LEFT JOIN order_event e ON e.order_id = o.id"
        " WHERE {o} GROUP BY o.id HAVING o.version != count(e.id) OR o.version != coalesce(max(e.version), 0)",
    ),
    (
        Words("check.status_event"),
        "SELECT o.logistics_no, o.status, e.after_status FROM orders o JOIN order_event e"
        " ON e.order_id = o.id AND e.version = o.version WHERE e.after_status != o.status AND {o}",
    ),
    (
        Words("check.event_no_op"),
        "SELECT o.logistics_no, e.version, e.action FROM order_event e JOIN orders o ON o.id = e.order_id"
        " LEFT JOIN outbox x ON x.event_id = e.id WHERE x.id IS NULL AND {o}",
    ),
    (
        # stored by an older version or behind the app's back: the desk cannot add a deadline to them
        Words("check.time_range"),
        "SELECT logistics_no, order_time, dispatch_time FROM orders o WHERE (order_time < '2000-01-01'"
        " OR order_time >= '9000-01-01' OR dispatch_time < '2000-01-01' OR dispatch_time >= '9000-01-01') AND {o}",
    ),
    (
        Words("check.op_no_event"),
        "SELECT x.op_id, x.order_version, x.action FROM outbox x LEFT JOIN order_event e ON e.id = x.event_id"
        " WHERE (e.id IS NULL OR e.order_id != x.order_id OR e.version != x.order_version OR e.action != x.action)"
        " AND {x}",
    ),
]
# What a quick check knows of the orders it does not visit: the sums any change outside the app upsets.
TOTALS_SQL = ("SELECT (SELECT sum(version) FROM orders), (SELECT count(*) FROM order_event),"
              " (SELECT max(id) FROM order_event), (SELECT count(*) FROM outbox)")


def check(db: Database, quick: bool = False) -> CheckReport:
    with db.read() as conn:
        return check_connection(sqlite_driver(conn), quick=quick)


def check_connection(conn: sqlite3.Connection, quick: bool = False) -> CheckReport:
    """The checks on any sqlite3 connection to a station database (a read-only one for backups),
    read in one snapshot. ``quick``: `check --quick` (what it leaves out: cli/checking.py)."""
    in_transaction = conn.in_transaction
    if not in_transaction:
        # too broken to read at all: the integrity check below names it
        with contextlib.suppress(sqlite3.DatabaseError):
            conn.execute("BEGIN")  # one snapshot: a desk writing meanwhile cannot make rows disagree
    try:
        return _check(conn, quick)
    finally:
        if not in_transaction and conn.in_transaction:
            conn.rollback()


def _check(conn: sqlite3.Connection, quick: bool) -> CheckReport:
    report = CheckReport(quick=quick)
    pragma = "quick_check" if quick else "integrity_check"
    try:
        integrity = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:  # too broken for SQLite to walk: "malformed", "not a database"
        integrity = [str(exc)]
    if integrity != ["ok"]:
        report.problems.extend(f"{pragma}: {line}" for line in integrity[:LIMIT])
        report.advice.append(INTEGRITY_ADVICE)
        report.damaged_file = True
        return report  # the rules below read a damaged file: their answers would mislead
    unbuilt = pending_indexes(conn)
    if unbuilt:
        report.problems.append(Words("check.seed_stopped", n=len(unbuilt)))
        report.advice.append(SEED_ADVICE)
    found_before = len(report.problems)
    since = _since(conn, report) if quick else None
    if since is None:
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            report.problems.append(Words("check.foreign_keys", n=len(fk), example=tuple(fk[0])))
        scope: dict[str, str] = {"o": "1", "x": "1"}
        args: tuple[Any, ...] = ()
    else:
        touched = [r[0] for r in conn.execute(TOUCHED_SINCE, (since.event, since.violation))]
        scope = {"o": "o.id IN (SELECT value FROM json_each(?))", "x": "x.order_id IN (SELECT value FROM json_each(?))"}
        args = (json.dumps(touched),)
    for title, sql in RULES:
        rows = conn.execute(sql.format(**scope), args).fetchall()
        if rows:
            sample = "; ".join(" ".join(str(v) for v in r) for r in rows[:LIMIT])
            report.problems.append(Words("check.rule", title=title, n=len(rows), sample=sample))
    ledger_problems = disagreements(conn, LIMIT, None if since is None else (since.event, since.violation))
    if ledger_problems:
        report.problems.append(Words("check.ledger", n=len(ledger_problems), sample="; ".join(ledger_problems)))
    if len(report.problems) > found_before:
        report.advice.append(CONSISTENCY_ADVICE)
    audit = verify_connection(conn) if since is None else verify_connection(conn, since.event, since.chain)
    if audit.problem is not None:  # the chain is broken (AuditReport.ok)
        report.audit_problem = audit.problem
        report.problems.append(audit.problem)
        report.advice.append(AUDIT_ADVICE)
    elif since is not None and since.problem:
        report.audit_problem = since.problem
        report.problems.append(since.problem)
        report.advice.append(AUDIT_ADVICE)
    accounts = account_chain.verify(conn)
    if accounts:
        report.problems.append(accounts)
        report.advice.append(AUDIT_ADVICE)
    refused = _head_office_refusal(conn)
    if refused:
        report.problems.append(Words("check.head_office", what=refused))
        report.advice.append(HQ_CHAIN_ADVICE)
    report.orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    report.events = audit.events if since is None else conn.execute("SELECT count(*) FROM order_event").fetchone()[0]
    report.position = _position(conn)
    if since is not None:
        new = report.position.event - since.event - (1 if since.recorded else 0)
        report.covered = (Words("check.new_events", n=new, since=since.source) if new > 0
                          else Words("check.no_new_events", since=since.source))
    return report


@dataclass(frozen=True)
class Position:
    """Where a check that found nothing wrong got to: the last event (and its link in the audit
    chain) and the last ledger row. Kept in the meta table; `check --quick` starts after it."""

    event: int
    chain: str
    violation: int
    source: str = ""  # how the quick check chose it, for its report
    problem: str | None = None  # the recorded link no longer matches its event
    recorded: bool = False  # a check recorded it (the walk starts one event before it)

    def as_json(self, at: str, full: bool) -> str:
        return json.dumps({"event": self.event, "chain": self.chain, "violation": self.violation, "at": at,
                           "full": full})


def _position(conn: sqlite3.Connection) -> Position:
    last = conn.execute("SELECT id, chain FROM order_event ORDER BY id DESC LIMIT 1").fetchone()
    try:
        violation = conn.execute("SELECT max(id) FROM violation").fetchone()[0] or 0
    except sqlite3.OperationalError:  # a file from before the ledger
        violation = 0
    return Position(last[0], last[1] or GENESIS, violation) if last else Position(0, GENESIS, violation)


def _since(conn: sqlite3.Connection, report: CheckReport) -> Position:
    """Where a quick check starts: the position the last check recorded, when it still holds, or
    else the last QUICK_WINDOW events. Checks the cheap facts that cover the history before it:
    no event id missing anywhere, and the recorded event still carries its recorded link."""
    versions, count, top, ops = conn.execute(TOTALS_SQL).fetchone()
    top = top or 0
    if count != top:
        report.problems.append(Words("check.events_missing", missing=top - count, top=top, count=count))
    if (versions or 0) != count:
        report.problems.append(Words("check.versions_sum", versions=versions or 0, count=count))
    if ops != count:
        report.problems.append(Words("check.ops_count", ops=ops, count=count))
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CHECKED_KEY,)).fetchone()
    recorded = json.loads(row[0]) if row else None
    if recorded and 0 < recorded["event"] <= top:
        at = conn.execute("SELECT chain FROM order_event WHERE id = ?", (recorded["event"],)).fetchone()
        kind = Words("check.full") if recorded.get("full") else Words("check.quick")
        if at is None or at[0] != recorded["chain"]:
            problem = Words("check.rewritten", event=recorded["event"], at=recorded["at"])
            return Position(recorded["event"], at[0] if at and at[0] else GENESIS, recorded["violation"],
                            Words("check.since_last", kind=kind, at=recorded["at"]), problem)
        # the walk starts one event before: the event at the position is re-hashed too
        before = conn.execute("SELECT chain FROM order_event WHERE id = ?", (recorded["event"] - 1,)).fetchone()
        return Position(recorded["event"] - 1, before[0] if before and before[0] else GENESIS, recorded["violation"],
                        Words("check.since_last", kind=kind, at=recorded["at"]), recorded=True)
    start = max(0, top - QUICK_WINDOW)
    link = conn.execute("SELECT chain FROM order_event WHERE id = ?", (start,)).fetchone() if start else None
    violation = _position(conn).violation
    return Position(start, link[0] if link and link[0] else GENESIS, violation,
                    Words("check.window", n=QUICK_WINDOW))


def record_position(db: Database, report: CheckReport, at: str) -> None:
    """Remember where a check that found nothing wrong got to, for the next `check --quick`."""
    if not report.ok or report.position is None:
        return
    with db.write() as conn:
        sqlite_driver(conn).execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (CHECKED_KEY, report.position.as_json(at, full=not report.quick)))


def estimate_seconds(path: Path) -> float:
    """How long the full check of the file at ``path`` takes, from its size and number of events:
    SQLite's integrity check reads every page and index, then every event is hashed and replayed."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            events = conn.execute("SELECT max(id) FROM order_event").fetchone()[0] or 0
        finally:
            conn.close()
    except sqlite3.Error:
        events = 0
    size = path.stat().st_size if path.exists() else 0
    return size / FULL_BYTES_PER_SECOND + events / FULL_EVENTS_PER_SECOND


def check_file(path: Path, quick: bool = False) -> CheckReport:
    """The checks on the file at ``path`` opened read-only with sqlite3 alone: they work on a file
    too damaged for the desk to open, and name the damage instead of failing with it."""
    report = CheckReport()
    if not path.is_file():
        report.problems.append(Words("check.no_file"))
        report.damaged_file = True
        return report
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        report.problems.append(Words("check.cannot_open", why=str(exc)))
        report.damaged_file = True
        return report
    try:
        return check_connection(conn, quick=quick)
    except sqlite3.DatabaseError as exc:
        report.problems.append(Words("check.damaged", why=str(exc)))
        report.advice.append(INTEGRITY_ADVICE)
        report.damaged_file = True
        return report
    finally:
        conn.close()
