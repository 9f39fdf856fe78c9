"""`stationdesk alerts check`: what the job would raise now, exit 3 while orders wait."""

from __future__ import annotations

import json
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

    def run(*args: str):  # noqa: ANN202
        return runner.invoke(app, list(args))

    assert run("init", "--station", "HZ001").exit_code == 0
    return run


def test_check_prints_the_counts_and_exits_3_while_orders_wait(cli, tmp_path):
    now = datetime.now().astimezone()  # the command reads the system clock, as the desk does
    rows = [feed_row(1, order_time=(now - timedelta(minutes=40)).isoformat()),
            feed_row(2, order_time=(now - timedelta(minutes=25)).isoformat()),
            feed_row(3, order_time=(now - timedelta(minutes=5)).isoformat(), sender_name="\x1b[31m李四")]
    assert cli("import", str(write_csv(tmp_path / "feed.csv", rows))).exit_code == 0

    text = cli("alerts", "check")
    assert text.exit_code == 3
    assert text.output.splitlines()[0] == "等待接单 3 单, 已超时 1 单, 10 分钟内到期 1 单"
    assert "最紧急: LP00000001 接单时限 " in text.output and "\x1b" not in text.output

    out = cli("alerts", "check", "--format", "json")
    assert out.exit_code == 3
    data = json.loads(out.output)
    assert (data["waiting"], data["overdue"], data["due_soon"]) == (3, 1, 1)
    assert data["most_urgent"]["logistics_no"] == "LP00000001"
    # the alert and the escalation follow the working hours 08:00-20:00 of the moment it ran
    assert (data["alert"] == "您还有未接订单,请尽快操作!") is data["in_hours"]
    assert [o["logistics_no"] for o in data["escalation"]] == (["LP00000002"] if data["in_hours"] else [])

    for n in (1, 2, 3):
        assert cli("orders", "accept", f"LP{n:08d}").exit_code == 0
    done = cli("alerts", "check")
    assert (done.exit_code, done.output.strip()) == (0, "没有等待接单的订单")


def test_check_writes_csv_and_refuses_a_format_not_among_the_choices(cli):
    as_csv = cli("alerts", "check", "--format", "csv")
    assert as_csv.exit_code == 0 and as_csv.stdout.splitlines()[0].startswith("at,working_hours,in_hours,waiting")
    result = cli("alerts", "check", "--format", "xlsx")
    assert result.exit_code == 2 and "xlsx" in result.output
