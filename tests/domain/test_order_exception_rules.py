"""The rulebook's exception rules without a database: source codes, hours by province (新疆 edges),
the end-of-shift reminder, unattended minutes and the duplicate window, each with the time passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stationdesk.domain.duplicates import DEFAULT_WINDOW, is_later_duplicate
from stationdesk.domain.hours import (
    DEFAULT_HOURS, XINJIANG_HOURS, hours_for, in_hours, shift_end_reminder_due, unattended_minutes,
)
from stationdesk.domain.sources import source_names, source_remark

TZ = ZoneInfo("Asia/Shanghai")


def local(hhmmss: str, day: date = date(2026, 11, 23)) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmmss), tzinfo=TZ).astimezone(UTC)


@pytest.mark.parametrize("text, names", [
    ("LP", ("淘宝",)), ("KD", ("快递100",)), ("wx", ("百世微信", "百世快递官网")), ("IS", ("CRM",)),
    ("CT_H_", ("触宝APP",)), ("ali", ("支付宝服务",)), ("淘宝", ("淘宝",)), ("新渠道", ("新渠道",)),
    ("WX", ("WX",)),  # codes in the rulebook's own case only
])
def test_a_source_filter_takes_the_name_or_the_code(text, names):
    assert source_names(text) == names


def test_a_logistics_number_whose_code_names_another_source_gets_a_remark():
    assert source_remark("淘宝", "LP0001") is None
    assert source_remark("百世快递官网", "wx0001") is None  # wx is both WeChat and the website
    assert "KD" in source_remark("淘宝", "KD0001") and "快递100" in source_remark("淘宝", "KD0001")
    assert "CT_H_" in source_remark("CRM", "CT_H_0001")
    assert source_remark("淘宝", "9900001") is None  # no code at all: nothing to say


@pytest.mark.parametrize("hhmmss, inside", [
    ("09:59:59", False), ("10:00:00", True), ("20:59:59", True), ("21:00:00", False),
])
def test_xinjiang_hours_at_the_edges(hhmmss, inside):
    hours = hours_for("新疆维吾尔自治区")
    assert hours == XINJIANG_HOURS
    assert in_hours(local(hhmmss), hours, TZ) is inside


@pytest.mark.parametrize("hhmmss, inside", [
    ("07:59:59", False), ("08:00:00", True), ("19:59:59", True), ("20:00:00", False),
])
def test_hours_elsewhere_at_the_edges(hhmmss, inside):
    assert in_hours(local(hhmmss), hours_for("浙江省"), TZ) is inside


def test_configured_hours_override_the_province():
    assert hours_for("新疆维吾尔自治区", time(9, 0), time(19, 0)) == (time(9, 0), time(19, 0))
    assert hours_for("浙江省") == DEFAULT_HOURS


def test_the_end_of_shift_reminder_comes_in_the_last_half_hour_once_a_day_while_orders_are_unscanned():
    hours = hours_for("浙江省")
    assert not shift_end_reminder_due(local("19:29:59"), hours, TZ, 3, None)
    assert shift_end_reminder_due(local("19:30:00"), hours, TZ, 3, None)
    assert shift_end_reminder_due(local("19:59:59"), hours, TZ, 3, None)
    assert not shift_end_reminder_due(local("20:00:00"), hours, TZ, 3, None)
    assert not shift_end_reminder_due(local("19:45:00"), hours, TZ, 0, None)  # nothing unscanned
    assert not shift_end_reminder_due(local("19:45:00"), hours, TZ, 3, date(2026, 11, 23))  # already today
    assert shift_end_reminder_due(local("20:30:00"), hours_for("新疆"), TZ, 1, date(2026, 11, 22))


def test_unattended_minutes_count_working_hours_with_no_one_signed_in():
    hours, day = hours_for("浙江省"), date(2026, 11, 23)
    assert unattended_minutes(day, hours, TZ, []) == 12 * 60
    sessions = [(local("07:00:00"), local("09:00:00")), (local("08:30:00"), local("12:00:00")),
                (local("13:00:00"), local("21:00:00"))]
    assert unattended_minutes(day, hours, TZ, sessions) == 60  # 12:00-13:00
    # today only up to now; a session still running counts to now
    assert unattended_minutes(day, hours, TZ, [(local("09:00:00"), local("10:00:00"))], now=local("10:30:00")) == 90
    assert unattended_minutes(day, hours, TZ, [], now=local("07:00:00")) == 0
    xj = hours_for("新疆")
    assert unattended_minutes(day, xj, TZ, [(local("08:00:00"), local("20:00:00"))]) == 60  # 20:00-21:00


def _order(oid, minutes, **over):
    base = {"id": oid, "order_time": local("10:00:00") + timedelta(minutes=minutes), "sender_phone": "13812345678",
            "sender_district": "西湖区", "sender_address": "文三路 100号", "goods": "文件", "cancelled": False}
    base.update(over)
    return base


def test_the_duplicate_window_edges():
    first = _order(1, 0)
    assert DEFAULT_WINDOW == timedelta(minutes=30)
    assert is_later_duplicate(first, _order(2, 1), DEFAULT_WINDOW)
    assert is_later_duplicate(first, _order(2, 30), DEFAULT_WINDOW)  # exactly the window still counts
    assert not is_later_duplicate(first, _order(2, 30 + 1 / 60_000_000 * 60), DEFAULT_WINDOW)
    assert not is_later_duplicate(first, _order(2, 31), DEFAULT_WINDOW)
    assert not is_later_duplicate(_order(2, 1), first, DEFAULT_WINDOW)  # the later one is flagged, never the first
    assert is_later_duplicate(first, _order(2, 0), DEFAULT_WINDOW)  # same minute: the higher id is the later
    assert is_later_duplicate(first, _order(2, 5, sender_address="文三路100号"), DEFAULT_WINDOW)  # spaces ignored
    assert not is_later_duplicate(first, _order(2, 5, goods="衣服"), DEFAULT_WINDOW)
    assert not is_later_duplicate(first, _order(2, 5, sender_phone="13900000000"), DEFAULT_WINDOW)
    assert not is_later_duplicate({**first, "cancelled": True}, _order(2, 5), DEFAULT_WINDOW)
    assert not is_later_duplicate(_order(1, 0, sender_phone=""), _order(2, 5, sender_phone=""), DEFAULT_WINDOW)
    assert is_later_duplicate(first, _order(2, 45), timedelta(minutes=60))  # the window is configurable


def test_the_fast_matching_agrees_with_the_pairwise_rule():
    """find_duplicates (grouped and sorted, for big feeds) gives what the pairwise rule gives."""
    import random

    from stationdesk.domain.duplicates import find_duplicates

    rng = random.Random(5)
    for _ in range(200):
        orders = [_order(i, rng.choice((0, 0, 1, 15, 30, 31, 45, 60)), sender_phone=rng.choice(("1", "2", "")),
                         goods=rng.choice(("文件", "衣服")), cancelled=rng.random() < 0.15) for i in range(1, 12)]
        split = rng.randrange(len(orders))
        known, arrived = [o for o in orders[:split] if not o["cancelled"]], orders[split:]
        expected = {}
        for later in arrived:
            if later["cancelled"]:
                continue
            found = [e for e in known + arrived if e["id"] != later["id"] and is_later_duplicate(e, later, DEFAULT_WINDOW)]
            if found:
                expected[later["id"]] = min(found, key=lambda e: (e["order_time"], e["id"]))["id"]
        assert find_duplicates(known, arrived, DEFAULT_WINDOW) == expected


def test_many_orders_of_one_customer_are_matched_in_one_pass():
    from stationdesk.domain.duplicates import find_duplicates

    same = [_order(i, 0) for i in range(1, 20_001)]  # the same order 20,000 times at the same moment
    flagged = find_duplicates([], same, DEFAULT_WINDOW)
    assert len(flagged) == 19_999 and set(flagged.values()) == {1}
