"""Logistics exceptions and complaints with the clock passed in: recorded, followed up as events,
listed with age and time left, the 48-hour clock and its escalation, and the supervisor's reports."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from stationdesk.domain.words import speak
from stationdesk.cli import app
from stationdesk.domain.errors import DomainError
from stationdesk.domain.exceptions import (
    COMPLAINT_LIMIT, ComplaintCategory, ComplaintChannel, ExceptionKind, complaint_state,
)
from stationdesk.services import accept, check, complaints, logistics, pickup
from tests.conftest import T0, feed_row, write_csv


@pytest.fixture
def picked(desk, import_rows):
    import_rows([feed_row(1, waybill_no="550000000001"), feed_row(2)])
    accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")
    pickup.confirm_pickup(desk, "LP00000001", None, "张敏")
    return "LP00000001"


def _events(db_path, no):
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT e.action, e.details FROM order_event e JOIN orders o ON o.id = e.order_id "
                           "WHERE o.logistics_no = ? ORDER BY e.id", (no,)).fetchall()
    finally:
        con.close()


def test_a_logistics_exception_is_recorded_followed_up_and_reported(desk, db_path, picked, clock):
    with pytest.raises(DomainError, match="尚未揽收"):
        logistics.record_exception(desk, "LP00000002", ExceptionKind.LOST, "运输途中丢失", "张敏")
    with pytest.raises(DomainError, match="原因 不能为空") as refused:
        logistics.record_exception(desk, picked, ExceptionKind.LOST, "  ", "张敏")
    assert speak(refused.value, "en") == "The cause is required"
    logistics.record_exception(desk, picked, ExceptionKind.DAMAGED, "外包装破损", "张敏")
    with pytest.raises(DomainError, match="未处理"):
        logistics.record_exception(desk, picked, ExceptionKind.LOST, "再次登记", "张敏")
    clock.advance(hours=2)
    [open_] = logistics.open_exceptions(desk)
    assert open_["age"] == timedelta(hours=2) and open_["contacted"] is False
    logistics.mark_contacted(desk, picked, "已电话告知客户", "张敏")
    assert logistics.open_exceptions(desk)[0]["contacted"] is True
    clock.advance(hours=4)
    logistics.resolve_exception(desk, picked, "已与客户协商赔付", "王芳")
    assert logistics.open_exceptions(desk) == []
    actions = [a for a, _ in _events(db_path, picked)]
    assert actions[-3:] == ["logistics_exception", "exception_contacted", "exception_resolved"]
    report = {r["kind"]: r for r in logistics.exceptions_report(desk, T0 - timedelta(days=1), T0 + timedelta(days=1))}
    assert report["damaged"]["recorded"] == 1 and report["damaged"]["contacted"] == 1
    assert report["damaged"]["avg_hours_to_resolve"] == 6.0 and report["lost"]["recorded"] == 0
    # the follow-ups are events with their op, never sent to head office: the books still balance
    report = check.check(desk.db)
    assert report.ok, report


@pytest.mark.parametrize("left, state", [
    (timedelta(hours=7), "open"), (timedelta(hours=6), "near"), (timedelta(0), "near"),
    (-timedelta(microseconds=1), "overdue"),
])
def test_the_48_hour_complaint_clock_and_its_escalation(left, state):
    received = T0
    deadline = received + COMPLAINT_LIMIT
    assert COMPLAINT_LIMIT == timedelta(hours=48)
    assert complaint_state(deadline, deadline - left, None) == state


def test_closing_in_time_or_late():
    deadline = T0 + COMPLAINT_LIMIT
    assert complaint_state(deadline, deadline + timedelta(hours=9), deadline) == "closed"
    assert complaint_state(deadline, deadline + timedelta(hours=9), deadline + timedelta(seconds=1)) == "closed_late"


def test_a_complaint_is_counted_down_escalated_and_closed_with_the_customers_confirmation(desk, db_path, picked, clock):
    out = complaints.record_complaint(desk, picked, ComplaintChannel.PHONE, ComplaintCategory.SERVICE, "快递员态度差", "张敏")
    assert "48 小时" in out.message
    [c] = complaints.open_complaints(desk)
    assert c["left"] == timedelta(hours=48) and c["state"] == "open"
    clock.advance(hours=43)
    assert complaints.open_complaints(desk)[0]["state"] == "near"
    with pytest.raises(DomainError, match="客户确认 不能为空") as refused:
        complaints.close_complaint(desk, c["id"], "", "王芳")
    assert speak(refused.value, "en") == "The customer's confirmation is required"
    clock.advance(hours=1)
    done = complaints.close_complaint(desk, c["id"], "客户来电确认已满意", "王芳")
    assert not done.warnings and complaints.open_complaints(desk) == []
    with pytest.raises(DomainError, match="已关闭"):
        complaints.close_complaint(desk, c["id"], "again", "王芳")
    complaints.record_complaint(desk, picked, ComplaintChannel.WECHAT, ComplaintCategory.LOGISTICS, "延误", "张敏")
    clock.advance(hours=49)
    late = complaints.close_complaint(desk, complaints.open_complaints(desk)[0]["id"], "客户接受", "王芳")
    assert late.warnings
    report = {r["category"]: r for r in complaints.complaints_report(desk, T0 - timedelta(days=1), T0 + timedelta(days=9))}
    assert (report["service"]["received"], report["service"]["closed"], report["service"]["avg_hours_to_close"]) == (1, 1, 44.0)
    assert report["logistics"]["closed_late"] == 1 and report["quality"]["received"] == 0
    actions = [a for a, _ in _events(db_path, picked)]
    assert actions.count("complaint") == 2 and actions.count("complaint_closed") == 2


def test_exceptions_and_complaints_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("STATIONDESK_OPERATOR", "张敏")
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(app, list(args))

    assert cli("init", "--station", "HZ001").exit_code == 0
    assert cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1, waybill_no="550000000001")]))).exit_code == 0
    assert cli("orders", "accept", "LP00000001").exit_code == 0
    assert cli("orders", "pickup", "LP00000001").exit_code == 0
    bad = cli("orders", "exception", "LP00000001", "--kind", "stolen", "--note", "x")
    assert bad.exit_code == 1 and "lost" in bad.output
    assert cli("orders", "exception", "LP00000001", "--kind", "延误", "--note", "天气原因").exit_code == 0
    listed = json.loads(cli("orders", "exceptions", "--format", "json").stdout)
    assert [(i["kind"], i["contacted"]) for i in listed] == [("delayed", False)]
    assert cli("orders", "exception-contacted", "LP00000001").exit_code == 0
    assert cli("orders", "exception-resolved", "LP00000001", "--outcome", "已送达").exit_code == 0
    assert json.loads(cli("orders", "exceptions", "--format", "json").stdout) == []
    assert cli("orders", "complain", "LP00000001", "--channel", "电话", "--category", "quality", "--note", "物品受损").exit_code == 0
    [c] = json.loads(cli("orders", "complaints", "--format", "json").stdout)
    assert c["state"] == "open" and 2870 <= c["minutes_left"] <= 2880
    assert cli("orders", "close-complaint", str(c["id"]), "--confirmation", "客户确认").exit_code == 0
    rep = json.loads(cli("report", "complaints", "--format", "json").stdout)
    assert {r["category"]: r["closed"] for r in rep}["quality"] == 1
    rep = json.loads(cli("report", "exceptions", "--format", "json").stdout)
    assert {r["kind"]: r["resolved"] for r in rep}["delayed"] == 1
    assert cli("check").exit_code == 0, cli("check").output
