"""Service-standard clocks (时效) and the violations head office fines.

All functions take the current time as an argument. Boundaries follow DOMAIN.md:
"(accept time - order time) > 30 min is a violation", so exactly 30 min is on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

ACCEPT_LIMIT = timedelta(minutes=30)
PICKUP_LIMIT = timedelta(hours=16)
TRANSFER_LIMIT = timedelta(minutes=30)

# 分件 by the HQ e-commerce team restarts the accept clock; its operators are named 电商**.
HQ_DISPATCH_PREFIX = "电商"


class ViolationKind(StrEnum):
    LATE_ACCEPT = "late_accept"
    LATE_PICKUP = "late_pickup"
    LATE_TRANSFER = "late_transfer"
    WRONG_STATION_ACCEPT = "wrong_station_accept"
    # Found by head office's review (truthfulness), never by a clock.
    FALSE_REASON = "false_reason"
    FALSE_WAYBILL = "false_waybill"
    WRONG_TRANSFER = "wrong_transfer"

    @property
    def label(self) -> str:
        return VIOLATION_RULES[self][0]

    @property
    def fine(self) -> int:
        return VIOLATION_RULES[self][1]

    @property
    def label_en(self) -> str:
        return VIOLATION_LABELS_EN[self]


# kind -> (label, fine in yuan). From the audit table of DOMAIN.md.
VIOLATION_RULES: dict[ViolationKind, tuple[str, int]] = {
    ViolationKind.LATE_ACCEPT: ("接单超时(30分钟)", 100),
    ViolationKind.LATE_PICKUP: ("揽收超时(16小时)", 100),
    ViolationKind.LATE_TRANSFER: ("超区未及时转单(30分钟)", 100),
    ViolationKind.WRONG_STATION_ACCEPT: ("接了非本网点订单", 100),
    ViolationKind.FALSE_REASON: ("虚假失败原因", 100),
    ViolationKind.FALSE_WAYBILL: ("虚假运单号", 500),
    ViolationKind.WRONG_TRANSFER: ("转错网点", 100),
}
VIOLATION_LABELS_EN: dict[ViolationKind, str] = {
    ViolationKind.LATE_ACCEPT: "late accept (30 min)",
    ViolationKind.LATE_PICKUP: "late pickup (16 h)",
    ViolationKind.LATE_TRANSFER: "out of area, transferred late (30 min)",
    ViolationKind.WRONG_STATION_ACCEPT: "accepted another station's order",
    ViolationKind.FALSE_REASON: "false failure reason",
    ViolationKind.FALSE_WAYBILL: "false waybill number",
    ViolationKind.WRONG_TRANSFER: "transferred to the wrong station",
}


@dataclass(frozen=True, slots=True)
class OrderTimes:
    """What the clocks need to know about one order. Every datetime is timezone-aware."""

    order_time: datetime
    out_of_area: bool = False
    dispatch_time: datetime | None = None
    dispatch_operator: str | None = None
    accepted_at: datetime | None = None  # first answer to the order: accept or fail_accept
    accept_failed: bool = False
    pickup_done_at: datetime | None = None  # picked up, or pickup failure recorded
    transferred_at: datetime | None = None
    cancelled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    deadline: datetime
    at: datetime | None  # when the late action happened; None while still open (overdue)

    @property
    def fine(self) -> int:
        return self.kind.fine

    @property
    def pending(self) -> bool:
        return self.at is None


def accept_clock_start(
    order_time: datetime, dispatch_time: datetime | None, dispatch_operator: str | None
) -> datetime:
    """The accept clock starts at the order time, or at an HQ 电商** dispatch (分件)."""
    if dispatch_time is not None and (dispatch_operator or "").strip().startswith(HQ_DISPATCH_PREFIX):
        return dispatch_time
    return order_time


def accept_deadline(t: OrderTimes) -> datetime:
    return accept_clock_start(t.order_time, t.dispatch_time, t.dispatch_operator) + ACCEPT_LIMIT


def pickup_deadline(t: OrderTimes) -> datetime:
    return pickup_deadline_of(t.order_time)


def pickup_deadline_of(order_time: datetime) -> datetime:
    """The 16-hour pickup clock runs from the order time alone."""
    return order_time + PICKUP_LIMIT


def transfer_deadline(t: OrderTimes) -> datetime:
    return t.order_time + TRANSFER_LIMIT


def _late(
    kind: ViolationKind, deadline: datetime, done_at: datetime | None, t: OrderTimes, now: datetime
) -> Violation | None:
    if done_at is not None:
        return Violation(kind, deadline, done_at) if done_at > deadline else None
    # Still open: a cancellation before the deadline stops the clock.
    if t.cancelled_at is not None:
        return Violation(kind, deadline, t.cancelled_at) if t.cancelled_at > deadline else None
    return Violation(kind, deadline, None) if now > deadline else None


def violations(t: OrderTimes, now: datetime) -> list[Violation]:
    """Every violation this order has incurred by ``now``, including open orders already overdue."""
    found: list[Violation | None] = []
    if t.out_of_area:
        found.append(_late(ViolationKind.LATE_TRANSFER, transfer_deadline(t), t.transferred_at, t, now))
        if t.accepted_at is not None and not t.accept_failed:
            found.append(Violation(ViolationKind.WRONG_STATION_ACCEPT, accept_deadline(t), t.accepted_at))
    elif t.transferred_at is None or (t.accepted_at is not None and t.accepted_at <= t.transferred_at):
        found.append(_late(ViolationKind.LATE_ACCEPT, accept_deadline(t), t.accepted_at, t, now))
    # The pickup clock only runs for orders this station took on.
    if t.accepted_at is not None and not t.accept_failed and t.transferred_at is None:
        found.append(_late(ViolationKind.LATE_PICKUP, pickup_deadline(t), t.pickup_done_at, t, now))
    return [v for v in found if v is not None]


def time_left(deadline: datetime, now: datetime) -> timedelta:
    """Positive while there is time; negative once overdue."""
    return deadline - now


def format_time_left(left: timedelta, *, hours: bool = False) -> str:
    """Short clock text for lists: '12分' / '-3分' or '5时20分' / '-1时05分'.

    Time left counts whole minutes down (59 s left is '0分'); time overdue counts minutes begun
    (overdue by 1 s is '-1分'), so an overdue order never reads '-0分'.
    """
    secs = int(left.total_seconds())
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    if sign:
        secs = -(-secs // 60) * 60  # up to the minute begun
    if hours:
        return f"{sign}{secs // 3600}时{(secs % 3600) // 60:02d}分"
    return f"{sign}{secs // 60}分"
