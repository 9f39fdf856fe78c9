"""Finding orders and recording changes: order row + event + outbox op, in one transaction.

Written in Core SQL with executemany: a batch accept of 1,000 orders is three statements.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, func, select

from stationdesk.domain.errors import AmbiguousOrder, DomainError, OrderNotFound
from stationdesk.domain.sla import OrderTimes
from stationdesk.domain.statuses import Action, Status
from stationdesk.store.queries import order_by_id, orders_by_number
from stationdesk.store.tables import EVENTS, ORDERS, OUTBOX
from stationdesk.store.types import to_db

OrderKey = int | str  # an order id, or a logistics / waybill number typed by a person


class ConcurrentChange(DomainError):
    """The order changed in another terminal between reading and writing it."""


@dataclass
class Change:
    """One change to one order: the new column values and what to write in the audit trail."""

    order: Mapping[str, Any]
    action: Action
    values: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What a use case did, for a person: a message and the orders it touched."""

    message: str
    order_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def order_ref(row: Mapping[str, Any]) -> str:
    return row["logistics_no"]


def order_times(row: Mapping[str, Any]) -> OrderTimes:
    """The SLA clock inputs of an order row."""
    return OrderTimes(
        order_time=row["order_time"],
        out_of_area=bool(row["out_of_area"]),
        dispatch_time=row["dispatch_time"],
        dispatch_operator=row["dispatch_operator"],
        accepted_at=row["accepted_at"] or row["accept_failed_at"],
        accept_failed=row["accept_failed_at"] is not None and row["accepted_at"] is None,
        pickup_done_at=row["picked_up_at"] or row["pickup_failed_at"],
        transferred_at=row["transferred_at"],
        cancelled_at=row["cancelled_at"],
    )


def find(conn: Connection, key: OrderKey) -> Mapping[str, Any]:
    """The one order a key names: an id, or a logistics number, or a waybill number."""
    if isinstance(key, int):
        row = order_by_id(conn, key)
        if row is None:
            raise OrderNotFound(f"订单 id {key} 不存在 (no such order)")
        return row
    ref = key.strip()
    rows = orders_by_number(conn, ref)
    if not rows:
        raise OrderNotFound(f"订单 {ref}: 找不到该物流号或运单号 (no order with this logistics or waybill number)")
    if len(rows) > 1:
        sources = ", ".join(sorted(r["source"] for r in rows))
        raise AmbiguousOrder(f"订单 {ref}: 该号码对应 {len(rows)} 个订单 (sources: {sources}); 请用运单号或在列表中选择")
    return rows[0]


def find_many(conn: Connection, keys: Sequence[OrderKey]) -> list[Mapping[str, Any]]:
    """Every order named, in the order given; refuses the lot if any is missing or repeated."""
    ids = [k for k in keys if isinstance(k, int)]
    rows_by_id: dict[int, Mapping[str, Any]] = {}
    for chunk in in_chunks(ids):
        for row in conn.execute(select(ORDERS).where(ORDERS.c.id.in_(chunk))).mappings():
            rows_by_id[row["id"]] = row
    out: list[Mapping[str, Any]] = []
    missing: list[str] = []
    for key in keys:
        if isinstance(key, int):
            row = rows_by_id.get(key)
            if row is None:
                missing.append(f"id {key}")
                continue
            out.append(row)
        else:
            out.append(find(conn, key))
    if missing:
        raise OrderNotFound(f"找不到订单 (no such orders): {', '.join(missing[:10])}")
    seen: set[int] = set()
    dupes: list[str] = []
    for r in out:
        if r["id"] in seen:
            dupes.append(order_ref(r))
        seen.add(r["id"])
    if dupes:
        raise DomainError(f"同一订单重复选择 (selected twice): {', '.join(dupes[:10])}")
    return out


def new_op_id() -> str:
    """A time-ordered UUID (the version 7 layout: 48-bit milliseconds, then 74 random bits).

    As unique as uuid4, but later ids sort after earlier ones, so the outbox's unique op_id index
    grows at one end instead of taking random inserts across millions of entries. The time is the
    machine's, not the desk's clock: it only orders ids, it records nothing.
    """
    value = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    h = f"{value:032x}"  # the text str(uuid.UUID(int=value)) gives, without building the object
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# One encoder for every event detail and outbox payload: json.dumps with options builds a new one per call.
to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    return value


def apply_changes(conn: Connection, changes: Iterable[Change], operator: str, now: datetime, station_code: str) -> list[int]:
    """Write every change with its event and outbox op. Returns the event ids.

    Each order row is updated only if its version is still the one that was read, so a change
    made meanwhile by another terminal refuses the whole transaction instead of being lost.
    """
    changes = list(changes)
    if not changes:
        return []
    journal = Journal(conn, station_code)
    stamp = to_db(now)
    updates = []
    columns = None
    for ch in changes:
        row = ch.order
        version = row["version"] + 1
        values = {**ch.values, "version": version, "updated_at": now}
        if columns is None:
            columns = sorted(values)
        elif sorted(values) != columns:
            raise ValueError("a batch must change the same columns on every order")
        updates.append({**{f"v_{k}": v for k, v in values.items()}, "b_id": row["id"], "b_version": row["version"]})
        before = {k: _jsonable(row[k]) for k in ch.values if k in row and row[k] != ch.values[k]}
        after = {k: _jsonable(ch.values[k]) for k in before}
        details = {**ch.details, "changes": {k: [before[k], after[k]] for k in before}}
        after_status = str(values.get("status", row["status"]))
        payload = {
            "action": ch.action.value, "source": row["source"], "logistics_no": row["logistics_no"],
            "operator": operator, "at": stamp, "before_status": row["status"], "after_status": after_status,
            "base_version": row["version"], **details,
        }
        journal.add(
            row["id"], version, ch.action.value, operator, stamp, row["status"], after_status,
            to_json(details), to_json(payload),
        )
    assert columns is not None
    stmt = (
        ORDERS.update()
        .where(ORDERS.c.id == bindparam("b_id"), ORDERS.c.version == bindparam("b_version"))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )
    result = conn.execute(stmt, updates)
    if result.rowcount != len(updates):
        read = {ch.order["id"]: ch.order for ch in changes}
        ids = list(read)[:SQLITE_MAX_PARAMS]
        now_versions = dict(conn.execute(select(ORDERS.c.id, ORDERS.c.version).where(ORDERS.c.id.in_(ids))).all())
        moved = [order_ref(read[i]) for i in ids if now_versions.get(i) != read[i]["version"] + 1]
        raise ConcurrentChange(
            f"订单 {', '.join(moved[:10]) or '?'} 已被其他终端修改, 本次操作未执行, 请刷新后重试 "
            "(changed in another terminal; nothing was changed)"
        )
    journal.write()
    return [e[0] for e in journal.events]


SQLITE_MAX_PARAMS = 900  # stay under SQLite's bound-parameter limit in IN (...) lists


def in_chunks(items: Sequence[Any], size: int = SQLITE_MAX_PARAMS) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Rows per multi-row INSERT: the statement holds at most this many bound values (SQLite's limit
# is 32,766 since 3.32) and is prepared once per shape, then reused from the statement cache.
INSERT_VALUES_LIMIT = 16_000


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT rows already in stored form (times as UTC text), many rows per statement.

    One statement per few hundred rows rather than one per row: SQLite then inserts them all in a
    single step, with Python's lock released, instead of handing the lock back and forth per row.
    """
    if not rows:
        return
    per_statement = max(1, INSERT_VALUES_LIMIT // len(columns))
    one = f"({', '.join('?' * len(columns))})"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    driver = conn.connection.driver_connection
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        driver.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


def next_order_id(conn: Connection) -> int:
    """The id the next new order gets; safe to hand out because writers hold the lock."""
    return (conn.execute(select(func.max(ORDERS.c.id))).scalar() or 0) + 1


EVENT_COLUMNS = ("id", "order_id", "version", "action", "operator", "at", "before_status", "after_status", "details")
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
        self._next_event = (conn.execute(select(func.max(EVENTS.c.id))).scalar() or 0) + 1
        self._next_outbox = (conn.execute(select(func.max(OUTBOX.c.id))).scalar() or 0) + 1
        self._next_seq = (
            conn.execute(select(func.max(OUTBOX.c.seq)).where(OUTBOX.c.station_code == station_code)).scalar() or 0
        ) + 1
        self.events: list[tuple[Any, ...]] = []
        self.ops: list[tuple[Any, ...]] = []

    def add(self, order_id: int, version: int, action: str, operator: str, stamp: str, before: str | None,
            after: str, details: str, payload: str, *, op_id: str | None = None, acked_at: str | None = None) -> int:
        """Record one change of one order (JSON already encoded); returns the event id."""
        event_id = self._next_event + len(self.events)
        self.events.append((event_id, order_id, version, action, operator, stamp, before, after, details))
        self.ops.append((
            self._next_outbox + len(self.ops), op_id or new_op_id(), self.station_code,
            self._next_seq + len(self.ops), event_id, order_id, version, action, payload, stamp, acked_at,
        ))
        return event_id

    def write(self) -> None:
        insert_rows(self.conn, "order_event", EVENT_COLUMNS, self.events)
        insert_rows(self.conn, "outbox", OP_COLUMNS, self.ops)


def status_of(row: Mapping[str, Any]) -> Status:
    return Status(row["status"])
