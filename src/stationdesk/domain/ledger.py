"""The audit ledger's rules (考核台账): which violation an action incurs, and for whom.

A violation is a fact recorded once, when it happens: in the transaction of the late (or wrong)
action, or when head office closes the week for an order still open past a deadline. These rules
say what to record; nothing here reads a database or a clock.

Ownership (DOMAIN.md, "Ownership and responsibility"): an order is its station's when the
directory says so or when a person routed it there (head office's 分件, another station's 转单).
A routed order is never out of the area; the directory's disagreement is only a note.

Clocks, at the station that holds the order:
- answer (接单): 30 min from the order time; from the dispatch time when 电商** dispatched it;
  from its arrival when another station transferred it in.
- transfer (转单): an order outside the area must leave within 30 min of the order time, or of
  the correction that moved it out of the area (a correction never creates a fine in the past).
- pickup (揽收): 16 h from the order time, for an order this station accepted.

An obligation that is still open when an action ends it (the order leaves, is answered, is picked
up, is cancelled) is late when the action comes after its deadline: the fine names the station
that held the order, and no later action takes it away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from stationdesk.domain.duplicates import flagged_in_time
from stationdesk.domain.routing import RoutingResult
from stationdesk.domain.sla import ACCEPT_LIMIT, HQ_DISPATCH_PREFIX, PICKUP_LIMIT, TRANSFER_LIMIT, ViolationKind
from stationdesk.domain.statuses import Action, Status


class State(StrEnum):
    """Where a recorded violation stands. Only head office moves it past provisional."""

    PROVISIONAL = "provisional"  # recorded at the station, not yet seen by head office's week close
    CONFIRMED = "confirmed"  # head office closed its week
    NOTIFIED = "notified"  # in a penalty notice (《电商业务违规处罚消息通知》)
    APPEALED = "appealed"  # the station appealed within the window
    UPHELD = "upheld"  # head office kept the fine after the appeal
    WITHDRAWN = "withdrawn"  # head office withdrew the fine (appeal, or review dismissed)
    REFUND_60 = "refund_60"  # 60% paid back after a clean month
    REFUND_100 = "refund_100"  # the remaining 40% paid back after a second clean month

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def label_en(self) -> str:
        return self.value.replace("refund_", "refunded ").replace("100", "100%").replace("60", "60%")


STATE_LABELS = {
    State.PROVISIONAL: "待确认", State.CONFIRMED: "已确认", State.NOTIFIED: "已通知", State.APPEALED: "申诉中",
    State.UPHELD: "维持", State.WITHDRAWN: "撤销", State.REFUND_60: "已返还60%", State.REFUND_100: "已全额返还",
}
# A fine still owed (for totals and the refund's "clean month"): everything but a withdrawn one.
COUNTS = frozenset(State) - {State.WITHDRAWN}


@dataclass(frozen=True, slots=True)
class Found:
    """A violation the rules found: who answers for it, by when it was due, when it happened."""

    kind: ViolationKind
    station: str
    deadline: datetime
    at: datetime | None  # the late action's time; None for an order still open at the week's close

    @property
    def fine(self) -> int:
        return self.kind.fine


@dataclass(frozen=True, slots=True)
class Clocks:
    """What the rules need of an order as the station holding it sees it."""

    station: str
    status: Status
    order_time: datetime
    accept_start: datetime
    transfer_start: datetime
    out_of_area: bool

    @property
    def accept_deadline(self) -> datetime:
        return self.accept_start + ACCEPT_LIMIT

    @property
    def transfer_deadline(self) -> datetime:
        return self.transfer_start + TRANSFER_LIMIT

    @property
    def pickup_deadline(self) -> datetime:
        return self.order_time + PICKUP_LIMIT


def accept_start(row: Mapping[str, Any]) -> datetime:
    """When the 30-minute accept clock started at the station now holding the order."""
    dispatch: datetime | None = row["dispatch_time"]
    arrived: datetime | None = row["transferred_at"]
    ordered: datetime = row["order_time"]
    routed_here = arrived is not None and row["transferred_to"] == row["station_code"]
    if dispatch is not None and (arrived is None or not routed_here or dispatch >= arrived):
        # the last routing was head office's 分件: only an 电商** dispatch restarts the clock
        if (row["dispatch_operator"] or "").strip().startswith(HQ_DISPATCH_PREFIX):
            return dispatch
        return ordered
    return arrived if arrived is not None and routed_here else ordered


def clocks(row: Mapping[str, Any]) -> Clocks:
    """The clocks of an order row (the station's or head office's: they have the same columns)."""
    return Clocks(
        station=row["station_code"], status=Status(row["status"]), order_time=row["order_time"],
        accept_start=accept_start(row), transfer_start=row.get("transfer_clock_at") or row["order_time"],
        out_of_area=bool(row["out_of_area"]),
    )


def person_routed(row: Mapping[str, Any]) -> bool:
    """A person sent the order to its station: head office's 电商** 分件, or another station's 转单."""
    if row.get("transferred_to") == row["station_code"] and row.get("transferred_at") is not None:
        return True
    return row.get("dispatch_time") is not None and (row.get("dispatch_operator") or "").strip().startswith(
        HQ_DISPATCH_PREFIX)


def area_values(row: Mapping[str, Any], routing: RoutingResult, now: datetime) -> dict[str, Any]:
    """The area columns of an order whose district changed at ``now``.

    A person's routing wins over the directory: the order stays its station's, the directory's
    station is kept as a note. An order that moves out of the area gets a fresh 30-minute transfer
    clock from now, never a fine in the past.
    """
    suggested = routing.suggested.code if routing.out_of_area and routing.suggested else None
    if routing.out_of_area and person_routed(row):
        return {"out_of_area": False, "suggested_station": suggested}
    values: dict[str, Any] = {"out_of_area": routing.out_of_area, "suggested_station": suggested}
    if routing.out_of_area and not row["out_of_area"]:
        values["transfer_clock_at"] = now
    return values


def person_routed_in(values: Mapping[str, Any]) -> bool:
    """An order arriving with an 电商** dispatch (分件) on it was routed by head office's team."""
    return values.get("dispatch_time") is not None and (values.get("dispatch_operator") or "").strip().startswith(
        HQ_DISPATCH_PREFIX)


# The action that meets each obligation in time.
_MEETS = {
    ViolationKind.LATE_ACCEPT: frozenset({Action.ACCEPT, Action.FAIL_ACCEPT}),
    ViolationKind.LATE_TRANSFER: frozenset({Action.TRANSFER}),
    ViolationKind.LATE_PICKUP: frozenset({Action.CONFIRM_PICKUP, Action.PICKUP_SCAN, Action.FAIL_PICKUP}),
}


def open_obligations(c: Clocks) -> list[tuple[ViolationKind, datetime]]:
    """The deadlines the holding station still has to meet on this order, by kind."""
    out: list[tuple[ViolationKind, datetime]] = []
    if c.status is Status.WAITING:
        if c.out_of_area:
            out.append((ViolationKind.LATE_TRANSFER, c.transfer_deadline))
        else:
            out.append((ViolationKind.LATE_ACCEPT, c.accept_deadline))
    elif c.status is Status.ACCEPTED:
        if c.out_of_area:  # moved out of the area by a correction after it was accepted
            out.append((ViolationKind.LATE_TRANSFER, c.transfer_deadline))
        out.append((ViolationKind.LATE_PICKUP, c.pickup_deadline))
    return out


def incurred(before: Clocks, action: Action, after_status: Status, at: datetime,
             after_out_of_area: bool | None = None) -> list[Found]:
    """The violations an action at ``at`` incurs for the station holding the order before it.

    An obligation ends when the action meets it, moves the order on (another status) or changes
    which obligation applies (a correction moving the order in or out of the area); it is a
    violation when that happens after its deadline. Accepting an order outside the area is the
    wrong answer whenever it comes (one fine: its transfer is then moot).
    """
    if action is Action.ACCEPT and before.out_of_area and before.status is Status.WAITING:
        return [Found(ViolationKind.WRONG_STATION_ACCEPT, before.station, before.transfer_deadline, at)]
    found = []
    for kind, deadline in open_obligations(before):
        ends = action in _MEETS[kind] or after_status is not before.status or (
            kind is not ViolationKind.LATE_PICKUP and after_out_of_area is not None
            and after_out_of_area != before.out_of_area)
        if ends and at > deadline:
            found.append(Found(kind, before.station, deadline, at))
    return found


def overdue(c: Clocks, until: datetime) -> list[Found]:
    """Obligations still open whose deadline passed by ``until`` (head office's week close)."""
    return [Found(kind, c.station, deadline, None) for kind, deadline in open_obligations(c) if deadline <= until]


def states_before(current: Mapping[str, Any], changes: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The order before each change, found by undoing the recorded changes ({field: [before, after]})
    from its current row backwards. ``changes`` is oldest first; so is the answer."""
    states = []
    state = dict(current)
    for ch in reversed(changes):
        state = dict(state)
        for k, pair in ch.items():
            if k in state:
                state[k] = pair[0]
        states.append(state)
    states.reverse()
    return states


# ---------------------------------------------------------------- the audit calendar


def iso_week(day: date) -> str:
    """'2026-W48': the ISO week a day falls in (Monday to Sunday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> date:
    """The Monday of an ISO week written '2026-W48'; ValueError naming what is wrong."""
    raw = (text or "").strip().upper()
    try:
        year, week = raw.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"week '{text[:20]}': expected an ISO week such as 2026-W48") from None


def week_bounds(monday: date) -> tuple[date, date]:
    return monday, monday + timedelta(days=7)


def excused_as_duplicate(found: list[Found], flagged_at: datetime | None) -> list[Found]:
    """A likely second submission flagged 重复下单? before its accept deadline and then failed as a
    duplicate owes no late answer: the rulebook tells the station to cancel it and tell the customer,
    and the flag is the system's own word that it need not be accepted. Flagged after the deadline,
    the late answer stands; other violations always stand."""
    if flagged_at is None:
        return found
    return [f for f in found if not (f.kind is ViolationKind.LATE_ACCEPT and flagged_in_time(flagged_at, f.deadline))]
