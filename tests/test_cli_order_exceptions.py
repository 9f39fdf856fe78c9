"""The command line of the order exceptions: duplicates, source codes, corrections, hours by province."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from tests.conftest import feed_row, write_csv


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("STATIONDESK_OPERATOR", "张敏")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, list(args))

    return run


def test_duplicates_on_the_command_line(cli, tmp_path):
    assert cli("init", "--station", "HZ001").exit_code == 0
    now = datetime.now().astimezone()
    rows = [feed_row(1, order_time=(now - timedelta(minutes=3)).isoformat()),
            feed_row(2, order_time=(now - timedelta(minutes=2)).isoformat()),
            feed_row(3, order_time=(now - timedelta(minutes=1)).isoformat(), logistics_no="KD00000003")]
    out = cli("import", str(write_csv(tmp_path / "f.csv", rows)))
    assert out.exit_code == 0, out.output
    assert "重复下单? 2" in out.stdout and "备注: 第 4 行" in out.stdout and "KD00000003" in out.stdout
    listed = json.loads(cli("orders", "list", "--format", "json").stdout)
    assert [d["duplicate_of"] for d in listed] == [None, "LP00000001", "LP00000001"]
    assert listed[2]["remark"] and listed[0]["remark"] is None
    shown = json.loads(cli("orders", "show", "LP00000002", "--format", "json").stdout)
    assert shown["duplicate_of"] == "LP00000001"
    flagged = json.loads(cli("orders", "duplicates", "--format", "json").stdout)
    assert [f["logistics_no"] for f in flagged] == ["LP00000002", "KD00000003"]
    assert cli("orders", "not-duplicate", "KD00000003").exit_code == 0
    assert json.loads(cli("orders", "show", "KD00000003", "--format", "json").stdout)["duplicate_of"] is None
    assert cli("orders", "fail-duplicate", "LP00000002").exit_code == 0
    refused = cli("orders", "not-duplicate", "LP00000001")
    assert refused.exit_code == 1 and "LP00000001" in refused.output
    assert json.loads(cli("orders", "duplicates", "--format", "json").stdout) == []
    # the source filter takes the code
    by_code = json.loads(cli("orders", "list", "--source", "LP", "--format", "json").stdout)
    assert [d["logistics_no"] for d in by_code] == ["LP00000001", "LP00000002", "KD00000003"]
    assert json.loads(cli("orders", "list", "--source", "KD", "--format", "json").stdout) == []


def test_a_correction_on_the_command_line_leaves_no_full_phone_in_any_event_row(cli, tmp_path):
    assert cli("init", "--station", "HZ001").exit_code == 0
    assert cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1, sender_phone="13812345678")]))).exit_code == 0
    out = cli("orders", "correct", "LP00000001", "--set", "sender_phone=13998765432", "--why", "客户来电")
    assert out.exit_code == 0, out.output
    con = sqlite3.connect(tmp_path / "s.db")
    details = [d for (d,) in con.execute("SELECT details FROM order_event")]
    con.close()
    assert len(details) == 2 and not any("13812345678" in d or "13998765432" in d for d in details)


def test_alerts_check_uses_the_stations_province(cli):
    assert cli("init", "--station", "UR001").exit_code == 0  # 乌鲁木齐: 新疆
    data = json.loads(cli("alerts", "check", "--format", "json").stdout)
    assert data["working_hours"] == "10:00-21:00"
