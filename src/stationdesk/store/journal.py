"""The journal of a write transaction: the audit events and outbox ops of every change.

Every change of an order is one event (who, what, when, before and after), chained into the
audit trail (domain/chain.py), and one outbox op for head office (an id unique forever, the
station's sequence, the order's version). Written with multi-row INSERTs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from stationdesk.domain.chain import GENESIS, event_content, link
from stationdesk.store.plumbing import next_id
from stationdesk.store.tables import EVENTS, OUTBOX
from stationdesk.store.reads import driver as sqlite_driver


def new_op_id() -> str:
    """A time-ordered UUID (the version 7 layout: 48-bit milliseconds, then 74 random bits).

    As unique as uuid4, but later ids sort after earlier ones, so the outbox's unique op_id index
    grows at one end instead of taking random inserts across millions of entries. The time is the
    machine's, not the desk's clock: it only orders ids, it records nothing.
    """
    return new_op_ids(1)[0]


_VERSION_AND_VARIANT = 0x7 << 76 | 0x2 << 62
_KEEP = ~(0xF << 76 | 0x3 << 62)


def new_op_ids(count: int) -> list[str]:
    """``count`` op ids of this millisecond: one clock reading and one read of random bytes."""
    stamp = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80
    noise = os.urandom(10 * count)
    out = []
    for i in range(0, 10 * count, 10):
        value = (stamp | int.from_bytes(noise[i : i + 10], "big")) & _KEEP | _VERSION_AND_VARIANT
        h = f"{value:032x}"  # the text str(uuid.UUID(int=value)) gives, without building the object
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


# One encoder for every event detail and outbox payload: json.dumps with options builds a new one per call.
to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


# Rows per multi-row INSERT: the statement holds at most this many bound values (SQLite's limit
# is 32,766 since 3.32) and is prepared once per shape, then reused from the statement cache.
INSERT_VALUES_LIMIT = 16_000


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]],
                values_limit: int = INSERT_VALUES_LIMIT) -> None:
    """INSERT rows already in stored form (times as UTC text), many rows per statement.

    One statement per few hundred rows rather than one per row: SQLite then inserts them all in a
    single step, with Python's lock released, instead of handing the lock back and forth per row.

    A bulk load asks for larger statements (``values_limit`` bound values each, at most what the
    SQLite in use allows), so its writer thread seldom needs the lock back while others run. Its
    rows left over after the full statements go in statements of a power of two rows: each shape
    is prepared once and kept in the statement cache, where a new size for every chunk's remainder
    would keep a large prepared statement per chunk.
    """
    _insert(conn, table, columns, len(rows), lambda a, b: [v for row in rows[a:b] for v in row], values_limit)


class FlatValues(list[Any]):
    """Rows given as one flat list of their values, row after row (insert_values)."""


def insert_values(conn: Connection, table: str, columns: Sequence[str], values: FlatValues,
                  values_limit: int = INSERT_VALUES_LIMIT) -> None:
    """insert_rows for rows given flat: a bulk load builds them so, without a tuple per row."""
    width = len(columns)
    _insert(conn, table, columns, len(values) // width, lambda a, b: values[a * width : b * width], values_limit)


def _insert(conn: Connection, table: str, columns: Sequence[str], count: int,
            values_of: Callable[[int, int], list[Any]], values_limit: int) -> None:
    if not count:
        return
    driver = sqlite_driver(conn)
    bulk = values_limit > INSERT_VALUES_LIMIT
    if bulk:
        values_limit = min(values_limit, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    per_statement = max(1, values_limit // len(columns))
    one = f"({', '.join('?' * len(columns))})"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    start = 0
    while start < count:
        left = count - start
        n = min(per_statement, left) if left >= per_statement or not bulk else 1 << (left.bit_length() - 1)
        driver.execute(head + ", ".join([one] * n), values_of(start, start + n))
        start += n


EVENT_COLUMNS = ("id", "order_id", "version", "action", "operator", "at", "before_status", "after_status", "details",
                 "chain")
OP_COLUMNS = ("id", "op_id", "station_code", "seq", "event_id", "order_id", "order_version", "action", "payload",
              "created_at", "acked_at")


class Journal:
    """The audit events and outbox ops of one write transaction, numbered in order.

    Ids and the station's sequence are handed out from the current maxima: the writer holds
    SQLite's write lock (BEGIN IMMEDIATE), so no other writer can take the same numbers.
    """

    def __init__(self, conn: Connection, station_code: str) -> None:
        self.conn = conn
        self.station_code = station_code
        self._next_event = next_id(conn, "order_event")
        self._next_outbox = next_id(conn, "outbox")
        self._next_seq = (
            conn.execute(select(func.max(OUTBOX.c.seq)).where(OUTBOX.c.station_code == station_code)).scalar() or 0
        ) + 1
        self._chain = conn.execute(select(EVENTS.c.chain).order_by(EVENTS.c.id.desc()).limit(1)).scalar() or GENESIS
        self.events: list[tuple[Any, ...]] = []
        self.ops: list[tuple[Any, ...]] = []

    def add(self, order_id: int, version: int, action: str, operator: str, stamp: str, before: str | None,
            after: str, details: str, payload: str, *, op_id: str | None = None, acked_at: str | None = None) -> int:
        """Record one change of one order (JSON already encoded); returns the event id."""
        event_id = self._next_event + len(self.events)
        self.events.append((event_id, order_id, version, action, operator, stamp, before, after, details))
        self.ops.append((
            self._next_outbox + len(self.ops), op_id, self.station_code,
            self._next_seq + len(self.ops), event_id, order_id, version, action, payload, stamp, acked_at,
        ))
        return event_id

    def write(self) -> None:
        chained, previous = [], self._chain
        for event in self.events:  # each event's hash covers the one before: see domain/chain.py
            previous = link(previous, event_content(*event))
            chained.append((*event, previous))
        self._chain = previous
        fresh = iter(new_op_ids(sum(1 for op in self.ops if op[1] is None)))
        ops = [op if op[1] is not None else (op[0], next(fresh), *op[2:]) for op in self.ops]
        insert_rows(self.conn, "order_event", EVENT_COLUMNS, chained)
        insert_rows(self.conn, "outbox", OP_COLUMNS, ops)
