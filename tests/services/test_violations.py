"""Violations report, weekly and monthly totals, refunds from the history, and appeals."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.services import accept, pickup
from stationdesk.services.appeal import appeal
from stationdesk.services.check import check
from stationdesk.services.violations import daily_figures, monthly, refunds, violation_rows, weekly
from tests.conftest import T0, feed_row, snapshot_db

TODAY = date(2026, 11, 23)  # T0 in the station's time zone (a Monday)


@pytest.fixture
def late(desk, import_rows, clock):
    """LP1 accepted 45 min after its order (late accept); LP2 accepted in time; LP3 never picked up."""
    import_rows([feed_row(1), feed_row(2), feed_row(3, order_time=(T0 - timedelta(hours=20)).isoformat())])
    accept.accept(desk, ["LP00000002"], "张敏")
    clock.advance(minutes=40)
    accept.accept(desk, ["LP00000001"], "张敏")
    return clock.now


def kinds(rows):
    return sorted((r["logistics_no"], r["kind"], r["fine"]) for r in rows)


def test_violations_per_order_and_kind_with_fines(desk, late):
    rows = violation_rows(desk, TODAY - timedelta(days=1), TODAY)
    assert kinds(rows) == [("LP00000001", "late_accept", 100), ("LP00000003", "late_accept", 100)]
    assert violation_rows(desk, TODAY + timedelta(days=1), TODAY + timedelta(days=1)) == []
    first = next(r for r in rows if r["logistics_no"] == "LP00000001")
    assert first["kind_label"] == "接单超时(30分钟)" and not first["pending"] and not first["appealed"]


def test_weekly_and_monthly_totals(desk, late):
    week = weekly(desk, TODAY + timedelta(days=3))
    assert (week.first, week.last) == (TODAY, TODAY + timedelta(days=6))
    assert week.counts == {"late_accept": 1} and week.total_fine == 100  # LP3 was ordered on Sunday, last week
    month = monthly(desk, (2026, 11))
    assert month.counts == {"late_accept": 2} and month.total_fine == 200
    total = month.rows()[-1]
    assert (total["kind_label"], total["count"], total["fine"]) == ("合计", 2, 200)


def test_refunds_come_from_the_history(desk, late, clock):
    pickup.confirm_pickup(desk, "LP00000001", "550000000001", "张敏")  # in time: November's fines stay 200
    pickup.confirm_pickup(desk, "LP00000002", "550000000002", "张敏")
    clock.now = clock.now.replace(year=2027, month=2, day=3)  # December and January are over
    assert [(r["earned_month"], r["percent"], r["amount"], r["status"]) for r in refunds(desk, (2026, 11), (2026, 11))] \
        == [("2026-12", 60, 120.0, "已返还"), ("2027-01", 40, 80.0, "已返还")]
    clock.now = clock.now.replace(month=1, day=10)  # January is not over: its 40% is only expected
    assert [r["status"] for r in refunds(desk, (2026, 11), (2026, 11))] == ["已返还", "待下月无违规"]


def test_the_daily_picture_counts_orders_late_accepts_and_missed_scans(desk, late):
    days = daily_figures(desk, 14)
    assert len(days) == 14 and days[-1].day == TODAY
    assert (days[-1].orders, days[-1].late_accepts, days[-1].missed_scans) == (2, 1, 2)
    assert (days[-2].orders, days[-2].late_accepts) == (1, 1)


def test_an_appeal_within_3_days_writes_appeal_event_and_op(desk, db_path, late, clock):
    clock.now = late + timedelta(days=3)  # exactly 3 days after the late accept
    outcome = appeal(desk, "LP00000001", "late_accept", "系统故障, 已报总部", "主管王")
    assert "已申诉" in outcome.message
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("SELECT kind, note, operator FROM appeal").fetchall() == [("late_accept", "系统故障, 已报总部", "主管王")]
        assert con.execute("SELECT e.action, x.action FROM order_event e JOIN outbox x ON x.event_id = e.id "
                           "ORDER BY e.id DESC LIMIT 1").fetchone() == ("appeal", "appeal")
    finally:
        con.close()
    assert check(desk.db).ok
    row = next(r for r in violation_rows(desk, TODAY, TODAY) if r["logistics_no"] == "LP00000001")
    assert row["appealed"] and row["appeal_note"] == "系统故障, 已报总部"


@pytest.mark.parametrize(("key", "kind", "note", "after", "message"), [
    ("LP00000001", "late_accept", "理由", timedelta(days=3, seconds=1), "申诉期 3 天已于 2026-11-26 10:40 结束"),
    ("LP00000002", "late_accept", "理由", timedelta(hours=1), "LP00000002: 没有「接单超时(30分钟)」违规"),
    ("LP00000001", "late_pickup", "理由", timedelta(hours=1), "没有「揽收超时(16小时)」违规"),
    ("LP00000001", "too_slow", "理由", timedelta(hours=1), "违规类型 'too_slow' 不存在"),
    ("LP00000001", "late_accept", "  ", timedelta(hours=1), "申诉说明 (note)"),
])
def test_a_refused_appeal_says_why_and_changes_nothing(desk, db_path, late, clock, key, kind, note, after, message):
    clock.now = late + after
    before = snapshot_db(db_path)
    with pytest.raises((DomainError, InvalidInput), match=message.replace("(", r"\(").replace(")", r"\)")):
        appeal(desk, key, kind, note, "主管王")
    assert snapshot_db(db_path) == before


def test_a_violation_is_appealed_once(desk, db_path, late):
    appeal(desk, "LP00000001", "late_accept", "第一次", "主管王")
    before = snapshot_db(db_path)
    with pytest.raises(DomainError, match="已申诉, 不能重复申诉"):
        appeal(desk, "LP00000001", "接单超时(30分钟)", "第二次", "主管王")
    assert snapshot_db(db_path) == before
