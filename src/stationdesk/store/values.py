"""The plain values the store's queries take and give: filters, keyset cursors, counts, and the
SLA clock inputs of an order row.

Nothing here imports SQLAlchemy: the desk draws its first screen from these before the store's
engine is loaded (see stationdesk.store.glance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from stationdesk.domain.sla import OrderTimes

# Times are stored as fixed-width ISO text in UTC, which sorts in time order.
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(value: datetime) -> str:
    """An aware datetime as stored text; naive datetimes are a programming error."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: every stored time must carry its offset")
    # the UTC_FORMAT text, built by isoformat: strftime takes four times as long
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    # fromisoformat reads the stored form (with its 'Z') about 30x faster than strptime
    return datetime.fromisoformat(text)


CancelFilter = Literal["all", "unhandled", "handled"]


@dataclass(frozen=True)
class OrderFilter:
    """The filters of 电商订单查询 and the work lists. Times are aware; ``end`` is exclusive."""

    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    cancel: CancelFilter = "all"
    source: str | None = None
    channel: str | None = None
    business_type: str | None = None
    out_of_area: bool | None = None
    number: str | None = None  # a logistics or waybill number, any case; from 4 characters also a prefix
    awaiting_waybill: bool = False  # picked up without a waybill number (在线下单, first way)

    def with_(self, **kw: Any) -> OrderFilter:
        return replace(self, **kw)


@dataclass(frozen=True)
class Cursor:
    """The position of a row in (order_time, id) order."""

    order_time: datetime
    id: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Cursor:
        return cls(row["order_time"], row["id"])


@dataclass(frozen=True)
class WaitingCounts:
    waiting: int
    overdue: int
    due_soon: int


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
