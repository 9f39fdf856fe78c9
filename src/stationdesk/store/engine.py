"""The SQLite engine: WAL, synchronous=FULL, busy_timeout and foreign keys on every
connection; writers take the lock up front with BEGIN IMMEDIATE so two terminals never
deadlock on a read-then-write upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database could not do what was asked; the message says what and where."""


class StoreBusy(StoreError):
    """Another terminal held the write lock for longer than the busy timeout."""


def _make_engine(path: Path, *, immediate: bool) -> Engine:
    engine = create_engine(f"sqlite:///{path}", pool_pre_ping=False)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy's begin event issue BEGIN, not the sqlite3 module's implicit one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One station database file: a reader engine and a writer engine on the same file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.reader = _make_engine(self.path, immediate=False)
        self.writer = _make_engine(self.path, immediate=True)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        try:
            with self.writer.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise _translate(exc, self.path) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read snapshot."""
        try:
            with self.reader.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise _translate(exc, self.path) from exc

    def dispose(self) -> None:
        self.reader.dispose()
        self.writer.dispose()


def _translate(exc: OperationalError, path: Path) -> StoreError:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if "locked" in text or "busy" in text:
        return StoreBusy(
            f"{path}: 数据库正被另一个终端写入, {BUSY_TIMEOUT_MS // 1000} 秒内未能获得写锁, 操作未执行, 请重试 "
            "(database busy: nothing was changed, try again)"
        )
    if "disk is full" in text or "disk I/O" in text:
        return StoreError(f"{path}: 磁盘已满或无法写入, 操作未执行 (disk full or I/O error: {text}; nothing was changed)")
    return StoreError(f"{path}: {text}")
