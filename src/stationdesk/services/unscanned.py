"""网点未揽收查询: orders handled in the menus (accepted or pickup-confirmed) with no pickup scan.

A missed scan (漏扫) leaves the parcel invisible to the network and turns into a late pickup and
a fine, so the station runs this every day before the shift ends and does the 补扫描. Oldest
orders first, each with the time left (or overdue) against the 16-hour pickup rule.

The conditions are written with literal statuses so SQLite can answer from the partial index
``ix_orders_unscanned`` (only the unscanned orders are in it), and name it (INDEXED BY), so the
planner never walks the far larger status index instead: a day of a million-order station costs
what its unscanned orders cost, not what all its orders cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from stationdesk.domain import sla
from stationdesk.domain.fields import BusinessType, Channel, day_range
from stationdesk.domain.errors import InvalidInput
from stationdesk.domain.masking import mask_phone
from stationdesk.domain.roles import Operator, Permission
from stationdesk.domain.statuses import Status
from stationdesk.domain.text import clean_text
from stationdesk.services.context import Desk
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
    found: int = reads.scalar(conn, _statement(q, "count(*)"), _params(q))
    return found


def stream(conn: Any, q: UnscannedQuery) -> Iterator[dict[str, Any]]:
    """Every unscanned order of ``q``, oldest first, fetched in chunks, with the report's columns."""
    return reads.iterate(conn, _statement(q, _REPORT_ROW), _params(q))


# (key, heading, width in cells for the table format). Exports use the same keys and headings.
REPORT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("order_time", "下单时间", 16), ("logistics_no", "物流号", 18), ("waybill_no", "运单号", 15),
    ("status_label", "状态", 8), ("time_left", "剩余", 9), ("overdue", "超时", 4),
    ("channel_label", "线上/线下", 9), ("source", "数据来源", 10), ("business_type_label", "业务类型", 10),
    ("pickup_deadline", "揽收时限", 16), ("minutes_left", "剩余分钟", 8), ("minutes_overdue", "超时分钟", 8),
    ("sender_name", "寄件人", 8), ("sender_phone", "电话", 11), ("sender_district", "区县", 8),
    ("sender_address", "地址", 24),
)


_STATUS_LABELS = {st.value: st.label for st in Status}
_CHANNEL_LABELS = {ch.value: ch.label for ch in Channel}
_BUSINESS_LABELS = {bt.value: bt.label for bt in BusinessType}


def report_row(row: Mapping[str, Any], now: datetime, tz: tzinfo, *, full_phone: bool = False) -> dict[str, Any]:
    """One unscanned order for the report: local times, clean text, masked phone (unless ``full_phone``)."""
    deadline = sla.pickup_deadline_of(row["order_time"])
    left = sla.time_left(deadline, now)
    secs = left.total_seconds()
    minutes_left = int(secs // 60) if secs >= 0 else -int(-secs // 60 + (1 if -secs % 60 else 0))
    readable = sla.format_time_left(left, hours=True)
    return {
        "id": row["id"],
        "order_time": row["order_time"].astimezone(tz),
        "logistics_no": clean_text(row["logistics_no"]),
        "waybill_no": clean_text(row["waybill_no"]),
        "status": row["status"],
        "status_label": _STATUS_LABELS[row["status"]],
        # readable in a spreadsheet: "超时 309时52分", never a leading minus Excel takes for a formula
        "time_left": f"超时 {readable.lstrip('-')}" if secs < 0 else readable,
        "minutes_left": minutes_left,
        "minutes_overdue": max(0, -minutes_left),
        "overdue": secs < 0,
        "channel": row["channel"],
        "channel_label": _CHANNEL_LABELS[row["channel"]],
        "source": clean_text(row["source"]),
        "business_type_label": _BUSINESS_LABELS[row["business_type"]],
        "pickup_deadline": deadline.astimezone(tz),
        "sender_name": clean_text(row["sender_name"]),
        "sender_phone": clean_text(row["sender_phone"]) if full_phone else mask_phone(row["sender_phone"]),
        "sender_district": clean_text(row["sender_district"]),
        "sender_address": clean_text(row["sender_address"]),
    }


def unscanned_report(desk: Desk, q: UnscannedQuery, *, reveal_to: Operator | None = None) -> Iterator[dict[str, Any]]:
    """The report's rows, streamed: a read transaction stays open until the caller has them all.

    With ``reveal_to`` the phones are shown in full: that operator needs the full-phones
    permission, and every order of the report is written to the access log before a row is given.
    """
    if reveal_to is not None:
        reveal_to.require(Permission.FULL_PHONES)
        if not reveal_to.name:
            raise InvalidInput("err.full_phones_operator")
        now = desk.now()
        with desk.db.read() as conn:
            rows = list(stream(conn, q))  # a day's unscanned orders: a handful
        from stationdesk.services.operators import record_access  # a write: only when phones are shown

        record_access(desk, reveal_to.name, [r["id"] for r in rows], "phone")
        return iter([report_row(row, now, desk.config.tz, full_phone=True) for row in rows])
    return _masked_report(desk, q)


def _masked_report(desk: Desk, q: UnscannedQuery) -> Iterator[dict[str, Any]]:
    now, tz = desk.now(), desk.config.tz
    with desk.db.read() as conn:
        for row in stream(conn, q):
            yield report_row(row, now, tz)


def unscanned_count(desk: Desk, q: UnscannedQuery) -> int:
    with desk.db.read() as conn:
        return count(conn, q)
