"""The audit ledger at the station: violations recorded with the action, reports that read them,
nothing a later action does erases them, appeals from the notice, and the history check."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.services import accept, cancel, correct, ledger, pickup, transfer
from stationdesk.services.appeal import appeal
from stationdesk.services.check import check
from stationdesk.services.violations import daily_figures, monthly, refunds, violation_rows, weekly
from stationdesk.store.values import to_db
from stationdesk.sync import station_audit
from tests.conftest import T0, feed_row, snapshot_db

TODAY = date(2026, 11, 23)  # T0 in the station's time zone (a Monday)


@pytest.fixture
def late(desk, import_rows, clock):
    """LP1 accepted 45 min after its order (late accept); LP2 accepted in time; LP3 ordered 20 h ago, still waiting."""
    import_rows([feed_row(1), feed_row(2), feed_row(3, order_time=(T0 - timedelta(hours=20)).isoformat())])
    accept.accept(desk, ["LP00000002"], "张敏")
    clock.advance(minutes=40)
    accept.accept(desk, ["LP00000001"], "张敏")
    return clock.now


def kinds(rows):
    return sorted((r["logistics_no"], r["kind"], r["fine"]) for r in rows)


def ledger_rows(db_path):
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT o.logistics_no, v.kind, v.station_code, v.deadline, v.at, v.state FROM violation v "
                           "JOIN orders o ON o.id = v.order_id ORDER BY v.id").fetchall()
    finally:
        con.close()


def notify(desk, message_id=1, appeal_hours=72, hq_id=900):
    """Head office's notice for every provisional violation of the station (as the sync delivers it)."""
    return deliver_notice(desk.db, desk.now(), message_id, appeal_hours, hq_id)


def deliver_notice(db, now, message_id=1, appeal_hours=72, hq_id=900, station="HZ001"):
    con = sqlite3.connect(db.path)
    rows = con.execute("SELECT v.kind, v.fine, v.deadline, v.at, o.source, o.logistics_no, v.station_code "
                       "FROM violation v JOIN orders o ON o.id = v.order_id WHERE v.state = 'provisional'").fetchall()
    con.close()
    body = {"id": message_id, "week": "2026-W48", "station": station, "issued_at": to_db(now),
            "appeal_deadline": to_db(now + timedelta(hours=appeal_hours)), "total_fine": sum(r[1] for r in rows),
            "violations": [{"hq_id": hq_id + i, "kind": r[0], "fine": r[1], "deadline": r[2], "at": r[3], "source": r[4],
                            "logistics_no": r[5], "station": r[6]} for i, r in enumerate(rows)]}
    station_audit.apply_messages(db, station, [{"id": message_id, "kind": "notice", "body": body}], now)
    return body


def test_violations_are_recorded_with_the_action_and_reported_from_the_ledger(desk, db_path, late):
    assert ledger_rows(db_path) == [("LP00000001", "late_accept", "HZ001", to_db(T0 - timedelta(minutes=5) + timedelta(minutes=30)),
                                     to_db(late), "provisional")]
    rows = violation_rows(desk, TODAY - timedelta(days=1), TODAY)
    # LP3 is still open: its live clock shows in the lists; head office records it when it closes the week
    assert kinds(rows) == [("LP00000001", "late_accept", 100)]
    first = rows[0]
    assert first["kind_label"] == "接单超时(30分钟)" and not first["pending"] and not first["appealed"]
    assert first["state"] == "provisional" and first["station"] == "HZ001"
    assert violation_rows(desk, TODAY + timedelta(days=1), TODAY + timedelta(days=1)) == []
    assert check(desk.db).ok


def test_weekly_and_monthly_totals(desk, late, clock):
    accept.accept(desk, ["LP00000003"], "张敏")  # 20 h late: its deadline passed yesterday (last week)
    week = weekly(desk, TODAY + timedelta(days=3))
    assert (week.first, week.last) == (TODAY, TODAY + timedelta(days=6))
    assert week.counts == {"late_accept": 1} and week.total_fine == 100
    month = monthly(desk, (2026, 11))
    assert month.counts == {"late_accept": 2} and month.total_fine == 200
    total = month.rows()[-1]
    assert (total["kind_label"], total["count"], total["fine"]) == ("合计", 2, 200)


def test_no_later_action_erases_a_recorded_violation(desk, db_path, late, clock, import_rows):
    pickup.confirm_pickup(desk, "LP00000002", "550000000002", "张敏")
    before = ledger_rows(db_path)
    clock.advance(hours=20)  # LP1's 16 hours pass with no pickup
    transfer.transfer(desk, "LP00000001", "HZ002", "张敏")  # a transfer after a late accept and a missed pickup
    correct.correct_info(desk, "LP00000003", {"sender_district": "余杭区"}, "张敏")  # a correction
    cancel.cancel(desk, "LP00000003", "渠道")  # a cancellation
    import_rows([feed_row(1, sender_name="李四"), feed_row(3, cancelled="1")])  # a re-import
    after = ledger_rows(db_path)
    assert after[: len(before)] == before
    assert [(r[0], r[1]) for r in after] == [("LP00000001", "late_accept"), ("LP00000001", "late_pickup"),
                                            ("LP00000003", "late_accept")]
    assert check(desk.db).ok


def test_a_correction_after_an_on_time_accept_fines_nothing_in_the_past(desk, db_path, import_rows, clock):
    import_rows([feed_row(7)])
    accept.accept(desk, ["LP00000007"], "张敏")  # 5 minutes after the order: on time
    clock.advance(hours=2)
    correct.correct_info(desk, "LP00000007", {"sender_district": "余杭区"}, "张敏")
    assert ledger_rows(db_path) == []
    clock.advance(minutes=30)  # exactly 30 minutes after the correction
    transfer.transfer(desk, "LP00000007", "HZ003", "张敏")
    assert ledger_rows(db_path) == []


def test_a_dispatch_by_the_ecommerce_team_is_the_stations_order(desk, db_path, import_rows, clock):
    dispatched = (T0 + timedelta(hours=1)).isoformat()
    import_rows([feed_row(8, sender_district="余杭区", dispatch_time=dispatched, dispatch_operator="电商小王")])
    clock.now = T0 + timedelta(hours=1, minutes=30)  # 95 min after the order, 30:00 after the dispatch
    outcome = accept.accept(desk, ["LP00000008"], "张敏")
    assert "接单成功" in outcome.message
    assert ledger_rows(db_path) == []
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT out_of_area, suggested_station FROM orders WHERE logistics_no = 'LP00000008'").fetchone() \
        == (0, "HZ003")  # the directory's view, as a note
    con.close()


def test_refunds_need_clean_months_with_online_orders(desk, late, clock, import_rows):
    pickup.confirm_pickup(desk, "LP00000001", "550000000001", "张敏")  # in time: November's fines stay 100
    clock.now = clock.now.replace(year=2027, month=2, day=3)  # December and January are over
    # no online orders in December: not a clean month, the refund ends
    assert refunds(desk, (2026, 11), (2026, 11)) == []
    dec = T0.replace(month=12, day=10)
    jan = T0.replace(year=2027, month=1, day=10)
    import_rows([feed_row(20, order_time=dec.isoformat()), feed_row(21, order_time=jan.isoformat())])
    assert [(r["earned_month"], r["percent"], r["amount"], r["status"]) for r in refunds(desk, (2026, 11), (2026, 11))] \
        == [("2026-12", 60, 60.0, "已返还"), ("2027-01", 40, 40.0, "已返还")]


def test_the_daily_picture_counts_orders_late_accepts_and_missed_scans(desk, late):
    days = daily_figures(desk, 14)
    assert len(days) == 14 and days[-1].day == TODAY
    assert (days[-1].orders, days[-1].late_accepts, days[-1].missed_scans) == (2, 1, 2)
    assert (days[-2].orders, days[-2].late_accepts) == (1, 0)


def test_an_appeal_on_the_third_day_after_the_notice_writes_appeal_event_and_op(desk, db_path, late, clock):
    clock.advance(days=7)  # the Monday notice comes a week later: the window runs from it
    notify(desk)
    clock.advance(days=3)  # exactly 3 days after the notice
    outcome = appeal(desk, "LP00000001", "late_accept", "系统故障, 已报总部", "主管王")
    assert "已申诉" in outcome.message
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("SELECT kind, note, operator FROM appeal").fetchall() == [("late_accept", "系统故障, 已报总部", "主管王")]
        action, payload = con.execute("SELECT e.action, x.payload FROM order_event e JOIN outbox x ON x.event_id = e.id "
                                      "ORDER BY e.id DESC LIMIT 1").fetchone()
        assert action == "appeal" and json.loads(payload)["violation"] == 900
        assert con.execute("SELECT state FROM violation").fetchall() == [("appealed",)]
        assert con.execute("SELECT count(*) FROM order_event WHERE action = 'audit_notice'").fetchone() == (1,)
    finally:
        con.close()
    assert check(desk.db).ok
    row = violation_rows(desk, TODAY, TODAY)[0]
    assert row["appealed"] and row["appeal_note"] == "系统故障, 已报总部"


@pytest.mark.parametrize(("key", "kind", "note", "after", "message"), [
    ("LP00000001", "late_accept", "理由", timedelta(days=3, seconds=1), "申诉期 3 天已于 2026-11-29 10:40 结束"),
    ("LP00000002", "late_accept", "理由", timedelta(hours=1), "LP00000002: 没有「接单超时(30分钟)」违规"),
    ("LP00000001", "late_pickup", "理由", timedelta(hours=1), "没有「揽收超时(16小时)」违规"),
    ("LP00000001", "too_slow", "理由", timedelta(hours=1), "违规类型 'too_slow' 不存在"),
    ("LP00000001", "late_accept", "  ", timedelta(hours=1), "申诉说明: 不能为空"),
])
def test_a_refused_appeal_says_why_and_changes_nothing(desk, db_path, late, clock, key, kind, note, after, message):
    clock.advance(days=3)
    notify(desk)
    clock.now += after
    before = snapshot_db(db_path)
    with pytest.raises((DomainError, InvalidInput), match=message.replace("(", r"\(").replace(")", r"\)")):
        appeal(desk, key, kind, note, "主管王")
    assert snapshot_db(db_path) == before


def test_no_appeal_before_the_notice_and_only_once(desk, db_path, late):
    before = snapshot_db(db_path)
    with pytest.raises(DomainError, match="尚未收到总部处罚通知"):
        appeal(desk, "LP00000001", "late_accept", "太早", "主管王")
    assert snapshot_db(db_path) == before
    notify(desk)
    appeal(desk, "LP00000001", "late_accept", "第一次", "主管王")
    before = snapshot_db(db_path)
    with pytest.raises(DomainError, match="已申诉, 不能重复申诉"):
        appeal(desk, "LP00000001", "接单超时(30分钟)", "第二次", "主管王")
    assert snapshot_db(db_path) == before


def test_check_finds_a_ledger_that_disagrees_with_the_history(desk, db_path, late):
    assert check(desk.db).ok
    con = sqlite3.connect(db_path)
    con.execute("DELETE FROM violation")
    con.commit()
    con.close()
    report = check(desk.db)
    assert not report.ok and "考核台账与订单历史不符" in report.problems[0] and "LP00000001" in report.problems[0]


def test_the_ledger_is_rebuilt_from_history_once(desk, db_path, late, clock):
    clock.advance(hours=20)
    transfer.transfer(desk, "LP00000002", "HZ002", "张敏")  # accepted, never picked up: a late pickup
    recorded = ledger_rows(db_path)
    con = sqlite3.connect(db_path)
    con.execute("DELETE FROM violation")
    assert ledger.rebuild(con, clock.now) == len(recorded) == 2
    con.commit()
    rebuilt = con.execute("SELECT o.logistics_no, v.kind, v.station_code, v.deadline, v.at FROM violation v "
                          "JOIN orders o ON o.id = v.order_id ORDER BY v.id").fetchall()
    con.close()
    assert sorted(rebuilt) == sorted(r[:5] for r in recorded)
    assert check(desk.db).ok


def test_an_existing_database_migrates_and_gets_its_ledger_from_history(desk, db_path, late, clock):
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from stationdesk.store.schema import MIGRATIONS_DIR, upgrade

    clock.advance(hours=20)
    transfer.transfer(desk, "LP00000002", "HZ002", "张敏")
    recorded = sorted(r[:5] for r in ledger_rows(db_path))
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with desk.db.write() as conn:  # the database as the release before the ledger left it
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'violation'").fetchone() == (0,)
    con.close()
    upgrade(desk.db)
    assert sorted(r[:5] for r in ledger_rows(db_path)) == recorded and len(recorded) == 2
    assert check(desk.db).ok
