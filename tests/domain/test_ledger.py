"""The audit ledger's rules: who owns an order, when each clock starts, what an action incurs.

One table, read as a supervisor would: an order as the station holds it, an action at a time after
the clock's start, and the violations that action records (kind, responsible station, deadline).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stationdesk.domain import ledger
from stationdesk.domain.routing import Directory, Station, check_area
from stationdesk.domain.sla import ViolationKind as K
from stationdesk.domain.statuses import Action, Status

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # the order time
MIN, HOUR, SEC = timedelta(minutes=1), timedelta(hours=1), timedelta(seconds=1)
HERE, THERE = "HZ001", "HZ002"


def order(**over):
    row = {"station_code": HERE, "status": "waiting", "order_time": T, "out_of_area": False,
           "dispatch_time": None, "dispatch_operator": None, "transferred_at": None, "transferred_to": None,
           "transfer_clock_at": None}
    row.update(over)
    return row


DISPATCHED = {"dispatch_time": T + 2 * HOUR, "dispatch_operator": "电商小王", "transferred_at": T + 2 * HOUR,
              "transferred_to": HERE}
ARRIVED = {"transferred_at": T + 3 * HOUR, "transferred_to": HERE}
CORRECTED_OUT = {"status": "accepted", "out_of_area": True, "transfer_clock_at": T + 5 * HOUR}

CASES = [
    # (what, order, action, after status, action time, expected [(kind, station, deadline)])
    ("directory order accepted at 30:00 is on time", order(), Action.ACCEPT, "accepted", T + 30 * MIN, []),
    ("directory order accepted at 30:01 is late", order(), Action.ACCEPT, "accepted", T + 30 * MIN + SEC,
     [(K.LATE_ACCEPT, HERE, T + 30 * MIN)]),
    ("a refusal is an answer on the same clock", order(), Action.FAIL_ACCEPT, "accept_failed", T + 31 * MIN,
     [(K.LATE_ACCEPT, HERE, T + 30 * MIN)]),
    ("电商 dispatch in the directory: clock from the dispatch, 30:00", order(**DISPATCHED), Action.ACCEPT, "accepted",
     T + 2 * HOUR + 30 * MIN, []),
    ("电商 dispatch: 30:01 after the dispatch is late", order(**DISPATCHED), Action.ACCEPT, "accepted",
     T + 2 * HOUR + 30 * MIN + SEC, [(K.LATE_ACCEPT, HERE, T + 2 * HOUR + 30 * MIN)]),
    ("电商 dispatch outside the directory: the station's, no transfer deadline",
     order(**DISPATCHED, suggested_station="HZ003"), Action.ACCEPT, "accepted", T + 2 * HOUR + 10 * MIN, []),
    ("a dispatch by someone not 电商** leaves the clock at the order time",
     order(dispatch_time=T + 2 * HOUR, dispatch_operator="总部张三"), Action.ACCEPT, "accepted", T + 2 * HOUR,
     [(K.LATE_ACCEPT, HERE, T + 30 * MIN)]),
    ("transfer in: clocked from its arrival, 30:00", order(**ARRIVED), Action.ACCEPT, "accepted",
     T + 3 * HOUR + 30 * MIN, []),
    ("transfer in: 30:01 after arrival is late", order(**ARRIVED), Action.ACCEPT, "accepted",
     T + 3 * HOUR + 30 * MIN + SEC, [(K.LATE_ACCEPT, HERE, T + 3 * HOUR + 30 * MIN)]),
    ("out of area, transferred at 30:00", order(out_of_area=True), Action.TRANSFER, "transferred", T + 30 * MIN, []),
    ("out of area, transferred at 30:01", order(out_of_area=True), Action.TRANSFER, "transferred",
     T + 30 * MIN + SEC, [(K.LATE_TRANSFER, HERE, T + 30 * MIN)]),
    ("out of area, accepted: the wrong answer whenever it comes", order(out_of_area=True), Action.ACCEPT, "accepted",
     T + 5 * MIN, [(K.WRONG_STATION_ACCEPT, HERE, T + 30 * MIN)]),
    ("an in-area order passed on after its 30 min: a late answer", order(), Action.TRANSFER, "transferred",
     T + HOUR, [(K.LATE_ACCEPT, HERE, T + 30 * MIN)]),
    ("picked up at 16:00 is on time", order(status="accepted"), Action.CONFIRM_PICKUP, "picked_up", T + 16 * HOUR,
     []),
    ("picked up at 16:00:01 is late", order(status="accepted"), Action.PICKUP_SCAN, "picked_up",
     T + 16 * HOUR + SEC, [(K.LATE_PICKUP, HERE, T + 16 * HOUR)]),
    ("a pickup failure answers the pickup clock too", order(status="accepted"), Action.FAIL_PICKUP, "pickup_failed",
     T + 17 * HOUR, [(K.LATE_PICKUP, HERE, T + 16 * HOUR)]),
    ("a transfer after a missed 16 h pickup keeps the late pickup", order(status="accepted"), Action.TRANSFER,
     "transferred", T + 17 * HOUR, [(K.LATE_PICKUP, HERE, T + 16 * HOUR)]),
    ("a cancellation after the 30 min: the station's late answer stands", order(), Action.CANCEL, "cancelled",
     T + HOUR, [(K.LATE_ACCEPT, HERE, T + 30 * MIN)]),
    ("a cancellation in time stops the clock", order(), Action.CANCEL, "cancelled", T + 29 * MIN, []),
    ("correction after accept: a fresh transfer clock, 30:00 after it", order(**CORRECTED_OUT), Action.TRANSFER,
     "transferred", T + 5 * HOUR + 30 * MIN, []),
    ("correction after accept: 30:01 after it is late", order(**CORRECTED_OUT), Action.TRANSFER, "transferred",
     T + 5 * HOUR + 30 * MIN + SEC, [(K.LATE_TRANSFER, HERE, T + 5 * HOUR + 30 * MIN)]),
    ("a correction records nothing by itself", order(**CORRECTED_OUT), Action.CORRECT_INFO, "accepted",
     T + 5 * HOUR + 10 * MIN, []),
    ("a correction out of the area after a missed 30 min keeps the late answer", order(), Action.CORRECT_INFO,
     "waiting", T + HOUR, [(K.LATE_ACCEPT, HERE, T + 30 * MIN)]),
    ("the sender's transfer ends its own clock only", order(station_code=THERE, out_of_area=True), Action.TRANSFER,
     "transferred", T + 40 * MIN, [(K.LATE_TRANSFER, THERE, T + 30 * MIN)]),
]


@pytest.mark.parametrize(("what", "row", "action", "after", "at", "expected"), CASES, ids=[c[0] for c in CASES])
def test_ownership_and_clocks(what, row, action, after, at, expected):
    area = (not row["out_of_area"]) if action is Action.CORRECT_INFO and row["status"] == "waiting" else None
    found = ledger.incurred(ledger.clocks(row), action, Status(after), at, area)
    assert [(f.kind, f.station, f.deadline) for f in found] == expected, what
    assert all(f.at == at for f in found)


def test_open_orders_are_overdue_by_the_week_close_from_their_own_clock():
    assert ledger.overdue(ledger.clocks(order()), T + 30 * MIN) == [ledger.Found(K.LATE_ACCEPT, HERE, T + 30 * MIN, None)]
    assert ledger.overdue(ledger.clocks(order()), T + 29 * MIN) == []
    accepted = ledger.clocks(order(status="accepted"))
    assert [f.kind for f in ledger.overdue(accepted, T + 16 * HOUR)] == [K.LATE_PICKUP]
    assert ledger.overdue(ledger.clocks(order(status="picked_up")), T + 100 * HOUR) == []


DIRECTORY = Directory([Station(HERE, "西湖", "浙江省", frozenset({"西湖区"})),
                       Station("HZ003", "余杭", "浙江省", frozenset({"余杭区"}))])


def test_a_person_routing_wins_over_the_directory_which_stays_a_note():
    routing = check_area(DIRECTORY.get(HERE), DIRECTORY, "余杭区")
    dispatched = order(**DISPATCHED)
    assert ledger.area_values(dispatched, routing, T + 6 * HOUR) == {"out_of_area": False, "suggested_station": "HZ003"}
    # a directory order moved out of the area by a correction: a fresh clock, from the correction
    assert ledger.area_values(order(), routing, T + 6 * HOUR) == {
        "out_of_area": True, "suggested_station": "HZ003", "transfer_clock_at": T + 6 * HOUR}
    assert ledger.person_routed_in({"dispatch_time": T, "dispatch_operator": "电商**"})
    assert not ledger.person_routed_in({"dispatch_time": T, "dispatch_operator": "网点"})


def test_history_is_walked_back_from_the_current_row():
    current = {"status": "transferred", "station_code": THERE}
    changes = [{"status": ["waiting", "accepted"]}, {"status": ["accepted", "transferred"], "station_code": [HERE, THERE]}]
    assert ledger.states_before(current, changes) == [
        {"status": "waiting", "station_code": HERE}, {"status": "accepted", "station_code": HERE}]


def test_weeks():
    assert ledger.iso_week(datetime(2026, 11, 29).date()) == "2026-W48"
    assert ledger.parse_week("2026-w48") == datetime(2026, 11, 23).date()
    with pytest.raises(ValueError, match="2026-W48"):
        ledger.parse_week("last week")


def test_a_late_answer_is_excused_only_for_a_duplicate_flagged_by_its_deadline():
    from datetime import UTC, datetime, timedelta

    from stationdesk.domain.ledger import Found, excused_as_duplicate
    from stationdesk.domain.sla import ViolationKind

    deadline = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    late = Found(ViolationKind.LATE_ACCEPT, "HZ001", deadline, deadline + timedelta(minutes=15))
    other = Found(ViolationKind.LATE_TRANSFER, "HZ001", deadline, deadline + timedelta(minutes=15))
    assert excused_as_duplicate([late, other], deadline) == [other]  # flagged at the deadline itself: in time
    assert excused_as_duplicate([late, other], deadline + timedelta(seconds=1)) == [late, other]
    assert excused_as_duplicate([late], None) == [late]
