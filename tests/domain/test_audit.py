"""The audit calendar: refunds across months and the 3-day appeal window (DOMAIN.md)."""

from datetime import UTC, date, datetime, timedelta

from stationdesk.domain.audit import Refund, add_months, may_appeal, refund_schedule, week_of
from stationdesk.domain.sla import Violation, ViolationKind


def test_a_fined_month_followed_by_two_clean_months_gets_60_then_40_percent():
    assert refund_schedule({(2026, 1): 300}, through=(2026, 3)) == [
        Refund((2026, 1), (2026, 2), 60, 180.0, True), Refund((2026, 1), (2026, 3), 40, 120.0, True)]


def test_a_violation_in_the_next_month_ends_the_refund_and_starts_its_own():
    schedule = refund_schedule({(2026, 1): 300, (2026, 2): 100}, through=(2026, 4))
    assert schedule == [Refund((2026, 2), (2026, 3), 60, 60.0, True), Refund((2026, 2), (2026, 4), 40, 40.0, True)]


def test_a_violation_in_the_second_month_keeps_the_60_but_ends_the_40():
    schedule = refund_schedule({(2026, 1): 200, (2026, 3): 100}, through=(2026, 3))
    assert schedule[0] == Refund((2026, 1), (2026, 2), 60, 120.0, True)
    assert [r for r in schedule if r.fined == (2026, 1) and r.percent == 40] == []


def test_months_not_over_yet_are_expected_not_due_and_the_year_turns():
    schedule = refund_schedule({(2026, 11): 100}, through=(2026, 12))
    assert schedule == [Refund((2026, 11), (2026, 12), 60, 60.0, True), Refund((2026, 11), (2027, 1), 40, 40.0, False)]
    assert add_months((2026, 12), 1) == (2027, 1) and add_months((2027, 1), -1) == (2026, 12)


def test_the_appeal_window_is_3_days_inclusive():
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    late = Violation(ViolationKind.LATE_ACCEPT, at - timedelta(minutes=5), at)
    assert may_appeal(late, at + timedelta(days=3))
    assert not may_appeal(late, at + timedelta(days=3, seconds=1))
    still_open = Violation(ViolationKind.LATE_PICKUP, at, None)  # overdue, not yet picked up: counts from the deadline
    assert may_appeal(still_open, at + timedelta(days=2)) and not may_appeal(still_open, at + timedelta(days=4))


def test_weeks_run_monday_to_sunday():
    assert week_of(date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))  # a Monday
    assert week_of(date(2026, 11, 22)) == (date(2026, 11, 16), date(2026, 11, 22))  # a Sunday
