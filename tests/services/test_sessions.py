"""登录时段: sessions recorded with the clock passed in, and the minutes with no one signed in."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from stationdesk.bootstrap import open_desk
from stationdesk.cli import app
from stationdesk.services.sessions import end_session, start_session, touch_session, unattended_report
from stationdesk.services.setup import init_database
from tests.conftest import ManualClock

# 2026-11-23 in Asia/Shanghai: 08:00 local is 00:00 UTC
DAY_START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_minutes_with_no_one_signed_in(desk, clock):
    clock.now = DAY_START.replace(hour=1)  # 09:00 local
    sid = start_session(desk, "张敏")
    clock.advance(hours=2)  # 11:00
    touch_session(desk, sid)
    clock.advance(hours=1)  # 12:00
    end_session(desk, sid)
    clock.advance(hours=1)  # 13:00: a desk that stopped without signing out counts to its last sign of life
    crashed = start_session(desk, "王芳")
    clock.advance(minutes=30)
    touch_session(desk, crashed)
    clock.now = DAY_START.replace(hour=14)  # 22:00 local, the day is over
    [day] = unattended_report(desk, clock.now.date(), clock.now.date())
    assert day["hours"] == "08:00-20:00" and day["working_minutes"] == 720 and day["sessions"] == 2
    # 08:00-09:00, 12:00-13:00 and 13:30-20:00
    assert day["unattended_minutes"] == 60 + 60 + 390


def test_a_xinjiang_station_counts_its_own_hours(tmp_path):
    path = tmp_path / "ur.db"
    init_database(path, "UR001")
    clock = ManualClock(DAY_START.replace(hour=3))  # 11:00 local
    desk = open_desk(path, tmp_path / "none.toml", clock=clock)
    try:
        sid = start_session(desk, "阿依古丽")
        clock.advance(hours=1)  # 12:00, still signed in (the desk marks it every minute); today counts to now
        touch_session(desk, sid)
        [day] = unattended_report(desk, clock.now.date(), clock.now.date())
        assert day["hours"] == "10:00-21:00" and day["working_minutes"] == 120 and day["unattended_minutes"] == 60
    finally:
        desk.db.dispose()


def test_the_report_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--station", "HZ001"]).exit_code == 0
    out = runner.invoke(app, ["report", "unattended", "--from", "2026-11-01", "--to", "2026-11-02", "--format", "json"])
    assert out.exit_code == 0, out.output
    days = json.loads(out.stdout)
    assert [d["date"] for d in days] == ["2026-11-01", "2026-11-02"]
    assert all(d["unattended_minutes"] == d["working_minutes"] == 720 for d in days)
