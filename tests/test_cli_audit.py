"""The audit at the station's command line: `orders show` lists recorded violations in their JSON
shape, and `notices` lists head office's penalty notices."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.store.engine import Database
from tests.conftest import feed_row, write_csv
from tests.services.test_violations import deliver_notice


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("STATIONDESK_OPERATOR", "主管王")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, list(args))

    assert run("init", "--station", "HZ001").exit_code == 0
    now = datetime.now().astimezone()
    rows = [feed_row(1, order_time=(now - timedelta(minutes=50)).isoformat())]
    assert run("import", str(write_csv(tmp_path / "f.csv", rows))).exit_code == 0
    assert run("orders", "accept", "LP00000001").exit_code == 0  # 50 minutes after the order: late
    return run


def test_orders_show_lists_the_recorded_violations(cli):
    shown = json.loads(cli("orders", "show", "LP00000001", "--format", "json").stdout)
    assert len(shown["violations"]) == 1
    v = shown["violations"][0]
    assert set(v) == {"kind", "fine", "state", "station", "deadline", "at"}
    assert (v["kind"], v["fine"], v["state"], v["station"]) == ("late_accept", 100, "provisional", "HZ001")
    table = cli("orders", "show", "LP00000001")
    assert "late_accept 100元 provisional (HZ001)" in table.stdout


def test_notices_lists_head_offices_notices_with_the_time_left(cli, tmp_path):
    assert json.loads(cli("notices", "--format", "json").stdout) == []
    assert "没有处罚通知" in cli("notices").stdout
    db = Database(tmp_path / "s.db")
    deliver_notice(db, datetime.now().astimezone())
    db.dispose()
    data = json.loads(cli("notices", "--format", "json").stdout)
    assert len(data) == 1
    notice = data[0]
    assert {"id", "week", "station", "issued_at", "appeal_deadline", "total_fine", "violations"} <= set(notice)
    assert notice["total_fine"] == 100 and notice["appeal_open"]
    assert notice["violations"] == [{"logistics_no": "LP00000001", "kind": "late_accept", "fine": 100,
                                     "state": "notified"}]
    bad = cli("notices", "--format", "xml")
    assert bad.exit_code == 2 and "'xml'" in bad.output  # a usage error, as for every --format
    rows = [json.loads(line) for line in cli("notices", "--format", "jsonl").stdout.splitlines()]
    assert rows == [{"notice": notice["id"], "week": notice["week"], "station": notice["station"],
                     "issued_at": notice["issued_at"], "appeal_deadline": notice["appeal_deadline"],
                     "time_left": notice["time_left"], "total_fine": 100, "logistics_no": "LP00000001",
                     "kind": "late_accept", "fine": 100, "state": "notified"}]
    assert "LP00000001" in cli("notices").stdout
