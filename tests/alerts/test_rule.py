"""The alert rule with the time passed in: waiting, none waiting, outside hours, no stacking,
escalation once per order."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stationdesk.alerts.rule import TITLE, UrgentOrder, Waiting, alert_for, escalation_for, in_working_hours

TZ = ZoneInfo("Asia/Shanghai")
HOURS = (time(8, 0), time(20, 0))
XINJIANG = (time(10, 0), time(21, 0))
MIN = timedelta(minutes=1)


def at(hhmm: str) -> datetime:
    """A moment on 2026-11-23 at ``hhmm`` station time, as the clock gives it (UTC)."""
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 23, h, m, tzinfo=TZ).astimezone(UTC)


def urgent(oid: int, deadline: datetime) -> UrgentOrder:
    return UrgentOrder(oid, f"LP{oid:08d}", deadline - 30 * MIN, deadline)


def test_orders_waiting_in_hours_raise_the_alert_with_the_counts():
    now = at("14:00")
    first = urgent(1, now - 5 * MIN)
    alert = alert_for(Waiting(5, 2, 1, first), now, HOURS, TZ, warn_minutes=10, pending=False)
    assert alert is not None
    assert (alert.waiting, alert.overdue, alert.due_soon, alert.most_urgent) == (5, 2, 1, first)
    assert alert.title("zh") == TITLE[0] == "您还有未接订单,请尽快操作!"
    assert alert.counts_text("zh") == "等待接单 5 单, 已超时 2 单, 10 分钟内到期 1 单"
    assert alert.counts_text("en") == "5 waiting, 2 overdue, 1 due within 10 min"


def test_nothing_waiting_raises_nothing():
    assert alert_for(Waiting(0, 0, 0), at("14:00"), HOURS, TZ, warn_minutes=10, pending=False) is None


def test_no_second_alert_on_an_unacknowledged_one():
    assert alert_for(Waiting(3, 0, 0), at("14:00"), HOURS, TZ, warn_minutes=10, pending=True) is None


@pytest.mark.parametrize(("hours", "hhmm", "raised"), [
    (HOURS, "07:59", False), (HOURS, "08:00", True), (HOURS, "19:59", True), (HOURS, "20:00", False),
    (HOURS, "23:30", False), (XINJIANG, "09:30", False), (XINJIANG, "10:00", True), (XINJIANG, "20:30", True),
    (XINJIANG, "21:00", False),
])
def test_only_within_working_hours_in_the_station_time_zone(hours, hhmm, raised):
    now = at(hhmm)
    assert in_working_hours(now, hours, TZ) is raised
    assert (alert_for(Waiting(1, 0, 0), now, hours, TZ, warn_minutes=10, pending=False) is not None) is raised


def test_escalation_once_per_order():
    now = at("14:00")
    a, b = urgent(1, now + 4 * MIN), urgent(2, now + 9 * MIN)
    first, seen = escalation_for(Waiting(2, 0, 2, a, (a, b)), now, HOURS, TZ, {})
    assert first is not None and first.orders == (a, b)
    # a minute later the same two are still due soon: nothing new to say
    again, seen = escalation_for(Waiting(2, 0, 2, a, (a, b)), now + MIN, HOURS, TZ, seen)
    assert again is None
    # a third order enters the window: it alone is escalated
    c = urgent(3, now + 11 * MIN)
    third, seen = escalation_for(Waiting(3, 0, 3, a, (a, b, c)), now + 2 * MIN, HOURS, TZ, seen)
    assert third is not None and third.orders == (c,)
    assert set(seen) == {1, 2, 3}


def test_escalated_orders_are_forgotten_once_their_deadline_passed():
    now = at("14:00")
    a = urgent(1, now + 4 * MIN)
    _, seen = escalation_for(Waiting(1, 0, 1, a, (a,)), now, HOURS, TZ, {})
    _, seen = escalation_for(Waiting(1, 1, 0, a, ()), now + 5 * MIN, HOURS, TZ, seen)
    assert seen == {}
    # an HQ 分件 later gives the order a new deadline: that one is warned about again
    redispatched = urgent(1, now + 40 * MIN)
    later, _ = escalation_for(Waiting(1, 0, 1, redispatched, (redispatched,)), now + 32 * MIN, HOURS, TZ, seen)
    assert later is not None and later.orders == (redispatched,)


def test_no_escalation_outside_working_hours_and_none_remembered():
    now = at("20:05")
    a = urgent(1, now + 4 * MIN)
    found, seen = escalation_for(Waiting(1, 0, 1, a, (a,)), now, HOURS, TZ, {})
    assert (found, seen) == (None, {})


def test_escalation_text_names_orders_and_counts_the_rest():
    now = at("14:00")
    orders = tuple(urgent(i, now + (i + 1) * MIN) for i in range(7))
    found, _ = escalation_for(Waiting(7, 0, 7, orders[0], orders), now, HOURS, TZ, {})
    assert found is not None
    zh = found.text(now, TZ, "zh")
    assert "LP00000000 14:01 前接单 (剩余 1分)" in zh and "LP00000004" in zh and "LP00000005" not in zh
    assert zh.endswith("另有 2 单")
    assert "LP00000001 by 14:02 (2 min left)" in found.text(now, TZ, "en")
