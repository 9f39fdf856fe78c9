"""A first look at a station database with the standard library's sqlite3 alone: what the desk's
first screen shows (the station, the first rows of 网点接单 and how many wait, whether someone
must sign in), read before SQLAlchemy is loaded.

Loading SQLAlchemy and SQLModel takes longer than drawing a whole Textual screen, so the desk
draws from a glance and opens the engine (store.engine) right after. A glance is taken only where
it agrees with what the engine would read: the schema at SCHEMA_HEAD, the station in the
directory, planner statistics on a big file. Anything else gives None, and the desk opens the
ordinary way before it draws. It reads through store.reads, the SQL the light commands and the
store share; tests compare a glance with the engine's queries on the same files.

The overdue and due-soon counts of the status bar are not read here: they look up every waiting
row (tens of milliseconds on a big file), so they arrive with the store a moment later.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stationdesk.domain.routing import Station
from stationdesk.domain.statuses import Status
from stationdesk.store import reads
from stationdesk.store.errors import StoreError, translate
from stationdesk.store.plumbing import needs_statistics
from stationdesk.store.values import OrderFilter

# Rows of the waiting list read ahead: more than a terminal shows at once (a taller one waits for the store).
FIRST_ROWS = 100

WAITING = OrderFilter(statuses=(Status.WAITING.value,))  # the filter of 网点接单's list

BUSY_TIMEOUT_MS = 10_000  # the engine's, for the reads after the first look (which waits 2 s at most)


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
    path: Path | None = field(default=None, compare=False)
    # one read at a time on ``conn``: the desk's worker threads read through it until the store opens
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def close(self) -> None:
        """Close the connection, after any read on it (once the store has opened its own)."""
        with self._lock:
            if self.conn is not None:
                self.conn.close()
                object.__setattr__(self, "conn", None)  # frozen: what it read stays as read

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot on the glance's connection, with store.reads' SQL (what the desk reads
        before its store is open). Reads take turns; a closed glance refuses (StoreError)."""
        with self._lock:
            if self.conn is None:
                raise StoreError(f"{self.path}: the first look at the database is closed")
            try:
                self.conn.execute("BEGIN")
                try:
                    yield self.conn
                finally:
                    self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise translate(exc, self.path or Path("?"), BUSY_TIMEOUT_MS) from exc

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
            seen = _read(conn, count_cap, path)
        finally:
            conn.execute("COMMIT")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except Exception:  # noqa: BLE001 - whatever is wrong, the store finds it and says it properly
        seen = None
    if seen is None:
        conn.close()
    return seen


def _read(conn: sqlite3.Connection, count_cap: int, path: Path) -> Glance | None:
    if not reads.at_head(conn):
        return None
    if needs_statistics(reads.has_statistics(conn), reads.order_count_bound(conn)):
        return None  # the engine runs ANALYZE first (seconds on a big file): not behind a drawn screen
    station = reads.directory(conn).find(reads.meta(conn, "station_code") or "")
    if station is None:
        return None
    # queries.page of WAITING: the (status, order_time) order of the keyset pages, first page
    waiting = reads.fetch(conn, "SELECT * FROM orders WHERE status IN (?) ORDER BY order_time, id LIMIT ?",
                          (Status.WAITING.value, FIRST_ROWS))
    if len(waiting) < FIRST_ROWS:
        count = len(waiting)
    else:  # an index-only count, stopped past the cap
        count = reads.scalar(conn, "SELECT count(*) FROM (SELECT 1 FROM orders WHERE status IN (?) LIMIT ?)",
                             (Status.WAITING.value, count_cap + 1))
    return Glance(station, reads.accounts_exist(conn), count, waiting, len(waiting) < FIRST_ROWS, conn, path)
