"""The SQLite engine: WAL, synchronous=FULL, busy_timeout and foreign keys on every
connection; writers take the lock up front with BEGIN IMMEDIATE so two terminals never
deadlock on a read-then-write upgrade.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from stationdesk.store.errors import translate as _translate
from stationdesk.store import reads
from stationdesk.store.plumbing import needs_statistics
from stationdesk.store.plumbing import driver as sqlite_driver

BUSY_TIMEOUT_MS = 10_000


def _make_engine(path: Path, *, immediate: bool, busy_ms: int) -> Engine:
    # check_same_thread off: a connection is used by one thread at a time, but not always the one
    # that opened it (Database.read hands idle connections to whichever thread asks next)
    # hide_parameters: an error message or log line never carries an order's values (phones, names)
    engine = create_engine(f"sqlite:///{path}", hide_parameters=True, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's begin event issue BEGIN, not the sqlite3 module's implicit one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # on the driver connection: through exec_driver_sql this costs more than the reads it wraps
        sqlite_driver(conn).execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One station database file: a reader engine and a writer engine on the same file."""

    # Idle read connections kept open between reads; more than this at once are closed after use.
    IDLE_READERS = 4

    def __init__(self, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.reader = _make_engine(self.path, immediate=False, busy_ms=busy_timeout_ms)
        self.writer = _make_engine(self.path, immediate=True, busy_ms=busy_timeout_ms)
        self._idle: list[Connection] = []
        self._idle_lock = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        try:
            with self.writer.begin() as conn:
                yield conn
        except (OperationalError, sqlite3.OperationalError) as exc:
            raise _translate(exc, self.path, self.busy_timeout_ms) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read snapshot.

        Read connections stay open between reads: checking one out of the engine's pool and back
        costs more than a lookup by number, which a clerk or a scanner does all day.
        """
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = self.reader.connect()
            with conn.begin():
                yield conn
        except (OperationalError, sqlite3.OperationalError) as exc:
            raise _translate(exc, self.path, self.busy_timeout_ms) from exc
        finally:
            if conn is not None:
                self._release(conn)

    def _release(self, conn: Connection) -> None:
        if not conn.closed and not conn.invalidated and not conn.in_transaction():
            with self._idle_lock:
                if len(self._idle) < self.IDLE_READERS:
                    self._idle.append(conn)
                    return
        conn.close()

    def analyze(self) -> None:
        """Refresh the query planner's statistics (ANALYZE: about a second on a million orders).

        Without them SQLite guesses, and on a big file it guesses wrong: a source filter on a date
        range then sorts hundreds of thousands of rows instead of walking the time index.
        """
        with self.write() as conn:
            conn.exec_driver_sql("ANALYZE")

    def ensure_statistics(self, added: int = 0) -> bool:
        """ANALYZE when a sizeable database has no statistics, or ``added`` new orders changed its
        shape (a quarter or more of what was there). Returns whether it ran."""
        with self.read() as conn:
            has, size = reads.has_statistics(conn), reads.order_count_bound(conn)
        if not needs_statistics(has, size, added):
            return False
        self.analyze()
        return True

    def dispose(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        self.reader.dispose()
        self.writer.dispose()
