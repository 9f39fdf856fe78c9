"""The rule of the unaccepted-order alert (您还有未接订单,请尽快操作!), with no database and no clock:
what to raise, given what waits, the station's working hours, the time, and what was raised before.

- The alert: only while orders wait, only within working hours, never a second one on top of
  one the clerk has not acknowledged.
- The escalation: each order whose accept deadline comes within the warning window is warned
  about once, before it is overdue, separately from the alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from stationdesk.domain.sla import format_time_left

TITLE = ("您还有未接订单,请尽快操作!", "You still have unaccepted orders, please act now!")
ESCALATION_TITLE = ("订单即将接单超时", "Orders about to miss the 30-minute accept deadline")
LISTED = 5  # orders named in one escalation; the rest are counted


@dataclass(frozen=True, slots=True)
class UrgentOrder:
    """A waiting order and its accept deadline (30 min from the order, or from an HQ 分件)."""

    id: int
    ref: str  # the logistics number, already cleaned for the screen
    order_time: datetime  # with ``id``, the order's place in the 网点接单 list
    deadline: datetime


@dataclass(frozen=True, slots=True)
class Waiting:
    """What waits for acceptance at one moment, as the job read it."""

    waiting: int
    overdue: int  # past the accept deadline
    due_soon: int  # deadline within the warning window, not yet passed
    most_urgent: UrgentOrder | None = None  # the earliest deadline of all waiting orders
    soon: tuple[UrgentOrder, ...] = ()  # the due-soon orders, earliest deadline first


def counts_text(waiting: int, overdue: int, due_soon: int, warn_minutes: float, lang: str) -> str:
    """'等待接单 5 单, 已超时 2 单, 10 分钟内到期 1 单' (or in English)."""
    w = f"{warn_minutes:g}"
    if lang == "en":
        return f"{waiting} waiting, {overdue} overdue, {due_soon} due within {w} min"
    return f"等待接单 {waiting} 单, 已超时 {overdue} 单, {w} 分钟内到期 {due_soon} 单"


@dataclass(frozen=True, slots=True)
class Alert:
    """您还有未接订单,请尽快操作! with the counts that make it."""

    waiting: int
    overdue: int
    due_soon: int
    warn_minutes: float
    most_urgent: UrgentOrder | None = None

    def title(self, lang: str) -> str:
        return TITLE[1] if lang == "en" else TITLE[0]

    def counts_text(self, lang: str) -> str:
        return counts_text(self.waiting, self.overdue, self.due_soon, self.warn_minutes, lang)


@dataclass(frozen=True, slots=True)
class Escalation:
    """Orders entering the warning window, each named once."""

    orders: tuple[UrgentOrder, ...]

    def title(self, lang: str) -> str:
        return ESCALATION_TITLE[1] if lang == "en" else ESCALATION_TITLE[0]

    def text(self, now: datetime, tz: tzinfo, lang: str) -> str:
        parts = []
        for o in self.orders[:LISTED]:
            by = o.deadline.astimezone(tz).strftime("%H:%M")
            if lang == "en":
                parts.append(f"{o.ref} by {by} ({int((o.deadline - now).total_seconds()) // 60} min left)")
            else:
                parts.append(f"{o.ref} {by} 前接单 (剩余 {format_time_left(o.deadline - now)})")
        more = len(self.orders) - LISTED
        if more > 0:
            parts.append(f"and {more} more" if lang == "en" else f"另有 {more} 单")
        return "; ".join(parts)


def in_working_hours(now: datetime, hours: tuple[time, time], tz: tzinfo) -> bool:
    """Whether ``now`` falls in the station's log-in hours [start, end) in its time zone."""
    start, end = hours
    local = now.astimezone(tz).time()
    return start <= local < end


def alert_for(
    w: Waiting, now: datetime, hours: tuple[time, time], tz: tzinfo, *, warn_minutes: float, pending: bool
) -> Alert | None:
    """The alert to raise now, or None: nothing waits, outside working hours, or the last one
    (``pending``) is still unacknowledged."""
    if w.waiting <= 0 or pending or not in_working_hours(now, hours, tz):
        return None
    return Alert(w.waiting, w.overdue, w.due_soon, warn_minutes, w.most_urgent)


def escalation_for(
    w: Waiting, now: datetime, hours: tuple[time, time], tz: tzinfo, escalated: Mapping[int, datetime]
) -> tuple[Escalation | None, dict[int, datetime]]:
    """The due-soon orders not yet escalated, and the escalated set to keep (order id -> the
    deadline it was warned about). An order leaves the set once that deadline has passed, so
    the set stays small; a later HQ 分件 gives it a new deadline and a new warning."""
    kept = {oid: deadline for oid, deadline in escalated.items() if deadline >= now}
    if not in_working_hours(now, hours, tz):
        return None, kept
    new = tuple(o for o in w.soon if o.id not in kept and now <= o.deadline)
    for o in new:
        kept[o.id] = o.deadline
    return (Escalation(new) if new else None), kept
