"""The unscanned orders' query: accepted or pickup-confirmed with no pickup scan (网点未揽收查询).

The conditions are written with literal statuses so SQLite can answer from the partial index
``ix_orders_unscanned`` (only the unscanned orders are in it), and name it (INDEXED BY), so the
planner never walks the far larger status index instead: a day of a million-order station costs
what its unscanned orders cost, not what all its orders cost. Written once for the report, the
desk's list, its count and the shift-end reminder; run on the sqlite3 connection (store.reads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from stationdesk.domain.fields import day_range
from stationdesk.domain.statuses import Status
from stationdesk.store import reads
from stationdesk.store.values import Cursor

UNSCANNED_STATUSES = (Status.ACCEPTED, Status.PICKED_UP)
# The partial index's own condition, word for word: SQLite uses the index only when it can see it.
UNSCANNED_SQL = "orders.scanned_at IS NULL AND orders.status IN ('accepted', 'picked_up')"


@dataclass(frozen=True)
class UnscannedQuery:
    """An order-time range (``end`` exclusive, aware datetimes) and online/offline/all (None)."""

    start: datetime | None = None
    end: datetime | None = None
    channel: str | None = None

    @classmethod
    def days(cls, first: date, last: date, tz: tzinfo, channel: str | None = None) -> UnscannedQuery:
        start, end = day_range(first, last, tz)
        return cls(start, end, channel)

    @classmethod
    def today(cls, now: datetime, tz: tzinfo, channel: str | None = None) -> UnscannedQuery:
        day = now.astimezone(tz).date()
        return cls.days(day, day, tz, channel)


_ROW = "orders.*"
# What a report row needs, and no more: a day at a big station is tens of thousands of rows.
_REPORT_ROW = ", ".join(f"orders.{name}" for name in (
    "id", "order_time", "logistics_no", "waybill_no", "status", "channel", "source", "business_type",
    "sender_name", "sender_phone", "sender_district", "sender_address",
))
_FROM = f"FROM orders INDEXED BY ix_orders_unscanned WHERE {UNSCANNED_SQL}"


def _statement(q: UnscannedQuery, what: str, *, side: str = "", desc: bool = False, limit: bool = False) -> str:
    """The SQL text (run on the sqlite3 connection: store.reads), written once for the report, the
    screen and the count."""
    sql = [f"SELECT {what} {_FROM}"]
    if q.start is not None:
        sql.append("AND orders.order_time >= :start")
    if q.end is not None:
        sql.append("AND orders.order_time < :end")
    if q.channel is not None:
        sql.append("AND orders.channel = :channel")
    if side == "after":
        sql.append("AND orders.order_time >= :at AND (orders.order_time > :at OR orders.id > :cid)")
    elif side == "before":
        sql.append("AND orders.order_time <= :at AND (orders.order_time < :at OR orders.id < :cid)")
    if what in (_ROW, _REPORT_ROW):
        sql.append("ORDER BY orders.order_time DESC, orders.id DESC" if desc else "ORDER BY orders.order_time, orders.id")
    if limit:
        sql.append("LIMIT :limit")
    return " ".join(sql)


def _params(q: UnscannedQuery, **more: Any) -> dict[str, Any]:
    params = {"start": q.start, "end": q.end, "channel": q.channel, **more}
    return {k: v for k, v in params.items() if v is not None}


def page(conn: Any, q: UnscannedQuery, *, after: Cursor | None = None, before: Cursor | None = None,
         limit: int = 50) -> list[dict[str, Any]]:
    """Up to ``limit`` unscanned orders in (order_time, id) order, after or before a cursor."""
    cursor = before if before is not None else after
    side = "before" if before is not None else "after" if after is not None else ""
    more: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        more.update(at=cursor.order_time, cid=cursor.id)
    rows = reads.fetch(conn, _statement(q, _ROW, side=side, desc=before is not None, limit=True), _params(q, **more))
    return rows[::-1] if before is not None else rows


def last_page(conn: Any, q: UnscannedQuery, limit: int = 50) -> list[dict[str, Any]]:
    return reads.fetch(conn, _statement(q, _ROW, desc=True, limit=True), _params(q, limit=limit))[::-1]


def count(conn: Any, q: UnscannedQuery) -> int:
    return int(reads.scalar(conn, _statement(q, "count(*)"), _params(q)))


def stream(conn: Any, q: UnscannedQuery) -> Iterator[dict[str, Any]]:
    """Every unscanned order of ``q``, oldest first, fetched in chunks, with the report's columns."""
    return reads.iterate(conn, _statement(q, _REPORT_ROW), _params(q))
