"""A bulk load: many chunks of rows written by one connection, each chunk one transaction.

Used by the demo seed. On a database with no orders yet (a new seed) the load runs with settings
made for it, and the tables' secondary indexes are dropped first and built once at the end
(a sort per index, each page written once, instead of millions of inserts scattered across
growing B-trees). The unique indexes stay: they keep ids and op ids unique during the load.

Settings of a new seed: synchronous=NORMAL (in WAL mode a crash or power cut can lose the last
chunks but never corrupts the file) and a large page cache. The journal stays WAL; the
connection gets the engine's durable settings back when the load ends, and every other
connection has them anyway.

A load that stops half way (killed, disk full) leaves whole chunks only, and the indexes still
to build are named in the meta table (``seed.pending_indexes``): `check` says so, and the next
load builds them first.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection

from stationdesk.domain.chain import GENESIS
from stationdesk.store.engine import Database
from stationdesk.store.errors import StoreError
from stationdesk.store.journal import FlatValues, insert_rows, insert_values
from stationdesk.store.reads import driver as sqlite_driver
from stationdesk.store.reads import scalar

PENDING_INDEXES = "seed.pending_indexes"  # meta key: JSON list of CREATE INDEX statements still to run
BULK_TABLES = ("orders", "order_event", "outbox", "violation")
KEPT_INDEXES = ("ix_orders_waiting_clock",)  # kept through a new seed's load (see BulkWriter._begin)
CACHE_KIB = 256 * 1024  # the page cache of a new seed's connection
BULK_VALUES = 50_000  # bound values per INSERT statement, where SQLite allows that many (journal.insert_rows)


@dataclass(frozen=True)
class Start:
    """The next ids when the load began, and the last link of the audit chain."""

    order_id: int
    event_id: int
    outbox_id: int
    seq: int
    chain: str
    new: bool  # no orders yet: a new seed, loaded with indexes built at the end


@dataclass
class Chunk:
    """One transaction of the load: (table, columns, rows) in the order they are written."""

    first_order_id: int
    tables: list[tuple[str, Sequence[str], list[Any]]] = field(default_factory=list)  # rows, or FlatValues


def pending_indexes(conn: Any) -> list[str]:
    """The CREATE INDEX statements an interrupted load left to run (any DB-API or sqlite3 connection)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (PENDING_INDEXES,)).fetchone()
    except Exception:  # noqa: BLE001  (a file from before the meta table, or too damaged to say)
        return []
    return list(json.loads(row[0])) if row else []


class BulkWriter:
    """Writes chunks on a thread of its own, one behind the caller building the next."""

    def __init__(self, db: Database, station_code: str) -> None:
        self.db = db
        self.station_code = station_code
        self._queue: queue.Queue[Chunk | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._conn: Connection | None = None
        self._restore: list[str] = []
        self._expected: tuple[int, int, int] = (0, 0, 0)
        self._checkpoints: _Checkpointer | None = None
        self.start: Start

    def __enter__(self) -> BulkWriter:
        self._conn = self.db.writer.connect()
        try:
            return self._begin()
        except BaseException:
            self._release()
            raise

    def _begin(self) -> BulkWriter:
        assert self._conn is not None
        driver = sqlite_driver(self._conn)
        with self._conn.begin():
            orders = scalar(driver, "SELECT max(id) FROM orders") or 0
            events = scalar(driver, "SELECT max(id) FROM order_event") or 0
            outbox = scalar(driver, "SELECT max(id) FROM outbox") or 0
            seq = scalar(driver, "SELECT max(seq) FROM outbox WHERE station_code = ?", (self.station_code,)) or 0
            last = driver.execute("SELECT chain FROM order_event ORDER BY id DESC LIMIT 1").fetchone()
            new = orders == 0
            pending = pending_indexes(driver)
            if new:
                # the alert's index stays (it holds the waiting orders only, a few per chunk): the
                # alert's reads name it, and a desk or a cron job reads it during a load, or after
                # one that was stopped before its indexes were built
                dropped = driver.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN"
                    f" ({', '.join('?' * len(BULK_TABLES))}) AND sql NOT LIKE 'CREATE UNIQUE%' AND name NOT IN"
                    f" ({', '.join('?' * len(KEPT_INDEXES))}) ORDER BY name",
                    (*BULK_TABLES, *KEPT_INDEXES)).fetchall()
                for name, _sql in dropped:
                    driver.execute(f'DROP INDEX "{name}"')
                pending += [sql for _name, sql in dropped]
            if pending:
                driver.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                               (PENDING_INDEXES, json.dumps(pending)))
        self.start = Start(orders + 1, events + 1, outbox + 1, seq + 1, last[0] if last and last[0] else GENESIS, new)
        self._expected = (orders, events, outbox)
        if new:
            for pragma in ("synchronous", "cache_size"):
                self._restore.append(f"PRAGMA {pragma} = {driver.execute(f'PRAGMA {pragma}').fetchone()[0]}")
            driver.execute("PRAGMA synchronous = NORMAL")
            driver.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # every row of a chunk is built here with its order, in one transaction: SQLite need not look
        # each event's, op's and violation's order up again (`check` verifies the keys); the pragma is
        # set back before the connection goes back to the pool (_release)
        self._restore.append(f"PRAGMA foreign_keys = {driver.execute('PRAGMA foreign_keys').fetchone()[0]}")
        driver.execute("PRAGMA foreign_keys = OFF")
        # the WAL's pages go into the file on a thread of their own, while the writer goes on
        self._restore.append("PRAGMA threads = 0")
        self._restore.append(f"PRAGMA wal_autocheckpoint = {driver.execute('PRAGMA wal_autocheckpoint').fetchone()[0]}")
        driver.execute("PRAGMA wal_autocheckpoint = 0")
        self._checkpoints = _Checkpointer(self.db.path)
        self._thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True)
        self._thread.start()
        return self

    def put(self, chunk: Chunk) -> None:
        """Hand a chunk to the writer; waits while the one before is still being written."""
        self._raise_failure()
        while True:
            try:
                self._queue.put(chunk, timeout=0.5)
                return
            except queue.Full:
                self._raise_failure()

    def finish(self) -> None:
        """Wait for the last chunk, then build the indexes left for the end."""
        self._stop()
        self._raise_failure()
        assert self._conn is not None
        driver = sqlite_driver(self._conn)
        driver.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")  # sorting for an index may use helper threads
        with self._conn.begin():
            for sql in pending_indexes(driver):
                driver.execute(sql)
            driver.execute("DELETE FROM meta WHERE key = ?", (PENDING_INDEXES,))
        if self._checkpoints is not None:
            self._checkpoints.poke()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self._stop()
        finally:
            self._release()
        if exc is None:
            self._raise_failure()

    def _release(self) -> None:
        """Stop the checkpoints, set the connection's pragmas back and hand it back, whatever fails."""
        try:
            if self._checkpoints is not None:
                self._checkpoints.stop()  # after a last checkpoint of what was written
                self._checkpoints = None
        finally:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    driver = sqlite_driver(conn)
                    for pragma in self._restore:
                        driver.execute(pragma)
                except BaseException:
                    conn.invalidate()  # never back to the pool with this load's pragmas
                    raise
                finally:
                    conn.close()

    # ---------------------------------------------------------------- the writer's thread

    def _stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._thread = None

    def _raise_failure(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        assert self._conn is not None
        while (chunk := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the caller is told at its next put
            try:
                self._write(self._conn, chunk)
            except BaseException as exc:  # noqa: BLE001  (handed to the caller's thread)
                self._error = exc

    def _write(self, conn: Connection, chunk: Chunk) -> None:
        driver = sqlite_driver(conn)
        with conn.begin():
            now = driver.execute("SELECT (SELECT max(id) FROM orders), (SELECT max(id) FROM order_event),"
                                 " (SELECT max(id) FROM outbox)").fetchone()
            if tuple(v or 0 for v in now) != self._expected or chunk.first_order_id != self._expected[0] + 1:
                raise StoreError("err.seed_meddled", path=self.db.path)
            counts = {}
            for table, columns, rows in chunk.tables:
                if isinstance(rows, FlatValues):
                    insert_values(conn, table, columns, rows, BULK_VALUES)
                    counts[table] = len(rows) // len(columns)
                else:
                    insert_rows(conn, table, columns, rows, BULK_VALUES)
                    counts[table] = len(rows)
        if self._checkpoints is not None:
            self._checkpoints.poke()
        orders, events, outbox = self._expected
        self._expected = (orders + counts.get("orders", 0), events + counts.get("order_event", 0),
                          outbox + counts.get("outbox", 0))


class _Checkpointer:
    """Copies the pages the writer committed from the WAL into the database file, on a thread and
    a connection of its own, when poked after each chunk: the writer's own connection does not
    checkpoint during the load, so it goes on with the next chunk meanwhile. A passive checkpoint
    never waits for the writer or a reader; what one leaves, the next takes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="bulk-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0.5)
        except sqlite3.Error:
            return  # the writer's file could not be opened again: the engine's connections checkpoint later
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                # the last one also empties the WAL file, unless a reader is in it (a passive one does not wait)
                mode = "TRUNCATE" if self._stopping else "PASSIVE"
                with contextlib.suppress(sqlite3.Error):  # busy or stopped: the next poke, or a later connection, takes it
                    conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
                if self._stopping:
                    return
        finally:
            conn.close()
