"""A first look at a station database with the standard library's sqlite3 alone: what the desk's
first screen shows (the station, the first rows of 网点接单 and how many wait, whether someone
must sign in), read before SQLAlchemy is loaded.

Loading SQLAlchemy and SQLModel takes longer than drawing a whole Textual screen, so the desk
draws from a glance and opens the engine (store.engine) right after. A glance is taken only where
it agrees with what the engine would read: the schema at SCHEMA_HEAD, the station in the
directory, planner statistics on a big file. Anything else gives None, and the desk opens the
ordinary way before it draws. The SQL below asks what store.queries asks; tests compare both
on the same files.

The overdue and due-soon counts of the status bar are not read here: they look up every waiting
row (tens of milliseconds on a big file), so they arrive with the store a moment later.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stationdesk.domain.routing import Station, StationKind
from stationdesk.domain.statuses import Status
from stationdesk.store.migrations import SCHEMA_HEAD
from stationdesk.store.values import OrderFilter

# Rows of the waiting list read ahead: more than a terminal shows at once (a taller one waits for the store).
FIRST_ROWS = 100

# Below this many orders any plan is fast; above it the planner needs statistics (ANALYZE).
STATS_WORTH_IT = 10_000

# How the orders table stores what is not text or a number (see store.tables; a test holds the two together).
TIME_COLUMNS = frozenset({
    "order_time", "dispatch_time", "accepted_at", "accept_failed_at", "transferred_at", "picked_up_at",
    "pickup_failed_at", "scanned_at", "cancelled_at", "created_at", "updated_at", "transfer_clock_at",
})
BOOL_COLUMNS = frozenset({"out_of_area", "cancelled", "cancel_handled"})

WAITING = OrderFilter(statuses=(Status.WAITING.value,))  # the filter of 网点接单's list


def needs_statistics(has_statistics: bool, orders: int, added: int = 0) -> bool:
    """Whether the planner's statistics should be (re)built: a sizeable file without any, or
    ``added`` new orders that changed its shape (a quarter or more of what was there)."""
    if orders < STATS_WORTH_IT:
        return False
    return not has_statistics or added * 4 >= orders - added


@dataclass(frozen=True)
class Glance:
    """What the first screen needs, read in one snapshot."""

    station: Station
    accounts: bool  # someone must sign in before the desk shows orders
    waiting_count: int  # orders waiting, counted up to the cap given to take(), then cap + 1
    waiting: list[dict[str, Any]]  # the first rows of the waiting list, in (order_time, id) order
    complete: bool  # ``waiting`` holds every waiting order
    # Kept open until the store has opened its own: SQLite checkpoints a WAL file when its last
    # connection closes, which would be a write, and a slow one, before the first paint.
    conn: sqlite3.Connection | None = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def first_rows(self, f: OrderFilter, limit: int) -> list[dict[str, Any]] | None:
        """The first ``limit`` rows of ``f`` when the glance holds them, else None."""
        if f != WAITING or (limit > len(self.waiting) and not self.complete):
            return None
        return self.waiting[:limit]

    def count(self, f: OrderFilter) -> int | None:
        """queries.count(f, cap) for the list it read, else None."""
        return self.waiting_count if f == WAITING else None


def take(path: Path, count_cap: int) -> Glance | None:
    """A glance at the station database ``path``, or None when it cannot stand in for the engine
    (no such file, not at SCHEMA_HEAD, no station, a big file without statistics, any error).
    Waiting orders are counted as queries.count counts with ``count_cap``. Close the glance once
    the store is open."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        # mode=rw: never create a file; query_only: a glance never writes, not even by mistake
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error:
        return None
    seen = None
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
        conn.execute("PRAGMA query_only = 1")
        conn.execute("BEGIN")  # one snapshot: the count and the rows agree
        try:
            seen = _read(conn, count_cap)
        finally:
            conn.execute("COMMIT")
    except Exception:  # noqa: BLE001 - whatever is wrong, the store finds it and says it properly
        seen = None
    if seen is None:
        conn.close()
    return seen


def _read(conn: sqlite3.Connection, count_cap: int) -> Glance | None:
    if _one(conn, "SELECT version_num FROM alembic_version") != SCHEMA_HEAD:
        return None
    has_stats = _one(conn, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'") is not None
    if needs_statistics(has_stats, _one(conn, "SELECT max(id) FROM orders") or 0):
        return None  # the engine runs ANALYZE first (seconds on a big file): not behind a drawn screen
    code = _one(conn, "SELECT value FROM meta WHERE key = 'station_code'")
    row = conn.execute("SELECT code, name, province, districts, kind FROM station WHERE code = ?", (code,)).fetchone()
    if row is None:
        return None
    station = Station(row[0], row[1], row[2], frozenset(d for d in row[3].split(";") if d), StationKind(row[4]))
    accounts = _one(conn, "SELECT 1 FROM operator LIMIT 1") is not None
    waiting = _waiting_rows(conn)
    if len(waiting) < FIRST_ROWS:
        count = len(waiting)
    else:  # an index-only count, stopped past the cap
        count = _one(conn, "SELECT count(*) FROM (SELECT 1 FROM orders WHERE status IN (?) LIMIT ?)",
                     (Status.WAITING.value, count_cap + 1))
    return Glance(station, accounts, count, waiting, len(waiting) < FIRST_ROWS, conn)


def _one(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def _waiting_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    # queries.page of WAITING: the (status, order_time) order of the keyset pages, first page
    cur = conn.execute("SELECT * FROM orders WHERE status IN (?) ORDER BY order_time, id LIMIT ?",
                       (Status.WAITING.value, FIRST_ROWS))
    names = [d[0] for d in cur.description]
    kinds = [2 if n in TIME_COLUMNS else 1 if n in BOOL_COLUMNS else 0 for n in names]
    out = []
    for values in cur.fetchall():
        row: dict[str, Any] = {}
        for name, kind, value in zip(names, kinds, values):
            if value is not None and kind:
                value = datetime.fromisoformat(value) if kind == 2 else bool(value)
            row[name] = value
        out.append(row)
    return out
