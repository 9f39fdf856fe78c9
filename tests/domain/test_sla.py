from datetime import UTC, datetime, timedelta

from stationdesk.domain import sla
from stationdesk.domain.sla import OrderTimes, ViolationKind

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
MIN, SEC, HOUR = timedelta(minutes=1), timedelta(seconds=1), timedelta(hours=1)


def kinds(times: OrderTimes, now: datetime) -> list[str]:
    return [v.kind.value for v in sla.violations(times, now)]


def test_accept_at_exactly_30_minutes_is_on_time():
    assert kinds(OrderTimes(T, accepted_at=T + 30 * MIN), T + 2 * HOUR) == []


def test_accept_at_30_minutes_and_1_second_is_late_with_its_fine():
    (v,) = sla.violations(OrderTimes(T, accepted_at=T + 30 * MIN + SEC), T + 2 * HOUR)
    assert (v.kind, v.fine, v.pending) == (ViolationKind.LATE_ACCEPT, 100, False)


def test_waiting_order_becomes_overdue_one_second_after_the_deadline():
    assert kinds(OrderTimes(T), T + 30 * MIN) == []
    (v,) = sla.violations(OrderTimes(T), T + 30 * MIN + SEC)
    assert v.pending and v.deadline == T + 30 * MIN


def test_hq_dispatch_restarts_the_accept_clock():
    times = OrderTimes(T, dispatch_time=T + HOUR, dispatch_operator="电商小王", accepted_at=T + HOUR + 30 * MIN)
    assert sla.accept_deadline(times) == T + HOUR + 30 * MIN
    assert kinds(times, T + 3 * HOUR) == []
    assert kinds(OrderTimes(T, dispatch_time=T + HOUR, dispatch_operator="电商小王", accepted_at=T + HOUR + 31 * MIN), T + 3 * HOUR) == ["late_accept"]


def test_dispatch_by_someone_else_keeps_the_order_time_clock():
    times = OrderTimes(T, dispatch_time=T + HOUR, dispatch_operator="调度员周", accepted_at=T + HOUR + 5 * MIN)
    assert sla.accept_deadline(times) == T + 30 * MIN
    assert kinds(times, T + 3 * HOUR) == ["late_accept"]


def test_pickup_boundaries_at_16_hours():
    ok = OrderTimes(T, accepted_at=T + MIN, pickup_done_at=T + 16 * HOUR)
    late = OrderTimes(T, accepted_at=T + MIN, pickup_done_at=T + 16 * HOUR + SEC)
    assert kinds(ok, T + 20 * HOUR) == []
    assert kinds(late, T + 20 * HOUR) == ["late_pickup"]
    open_order = OrderTimes(T, accepted_at=T + MIN)
    assert kinds(open_order, T + 16 * HOUR) == []
    assert kinds(open_order, T + 16 * HOUR + SEC) == ["late_pickup"]
    assert sla.pickup_deadline(open_order) == T + 16 * HOUR


def test_out_of_area_must_be_transferred_within_30_minutes():
    assert kinds(OrderTimes(T, out_of_area=True, transferred_at=T + 30 * MIN), T + HOUR) == []
    assert kinds(OrderTimes(T, out_of_area=True, transferred_at=T + 30 * MIN + SEC), T + HOUR) == ["late_transfer"]
    assert kinds(OrderTimes(T, out_of_area=True), T + 31 * MIN) == ["late_transfer"]


def test_accepting_an_out_of_area_order_is_its_own_violation():
    got = kinds(OrderTimes(T, out_of_area=True, accepted_at=T + MIN, transferred_at=T + 10 * MIN), T + HOUR)
    assert got == ["wrong_station_accept"]


def test_cancellation_before_the_deadline_stops_the_clock():
    assert kinds(OrderTimes(T, cancelled_at=T + 10 * MIN), T + 5 * HOUR) == []
    assert kinds(OrderTimes(T, cancelled_at=T + 40 * MIN), T + 5 * HOUR) == ["late_accept"]


def test_failed_acceptance_is_an_answer_and_starts_no_pickup_clock():
    assert kinds(OrderTimes(T, accepted_at=T + 10 * MIN, accept_failed=True), T + 30 * HOUR) == []


def test_time_left_text():
    assert sla.format_time_left(timedelta(minutes=12, seconds=30)) == "12分"
    assert sla.format_time_left(-timedelta(minutes=3)) == "-3分"
    assert sla.format_time_left(timedelta(hours=5, minutes=20), hours=True) == "5时20分"
    # overdue counts the minute begun: never '-0分'
    assert sla.format_time_left(-timedelta(seconds=1)) == "-1分"
    assert sla.format_time_left(-timedelta(seconds=59)) == "-1分"
    assert sla.format_time_left(-timedelta(seconds=60)) == "-1分"
    assert sla.format_time_left(-timedelta(seconds=61)) == "-2分"
    assert sla.format_time_left(timedelta(seconds=59)) == "0分"
    assert sla.format_time_left(-timedelta(minutes=59, seconds=30), hours=True) == "-1时00分"
