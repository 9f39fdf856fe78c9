import csv
import io
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from tests.conftest import feed_row, write_csv


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("STATIONDESK_OPERATOR", raising=False)
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, list(args), input=input)

    assert run("init", "--station", "HZ001").exit_code == 0
    return run


def test_import_list_show_and_the_json_fields(cli, tmp_path):
    from datetime import datetime, timedelta

    now = datetime.now().astimezone()
    rows = [feed_row(1, order_time=(now - timedelta(minutes=50)).isoformat()),
            feed_row(2, sender_district="拱墅区", order_time=now.isoformat(), business_type="在线下单", waybill_no="550000000002")]
    result = cli("import", str(write_csv(tmp_path / "f.csv", rows)))
    assert result.exit_code == 0, result.output
    assert "导入 2," in result.stdout
    data = json.loads(cli("orders", "list", "--format", "json").stdout)
    assert [d["logistics_no"] for d in data] == ["LP00000001", "LP00000002"]
    first, second = data
    for key in ("logistics_no", "waybill_no", "source", "channel", "business_type", "status", "order_time", "station",
                "out_of_area", "cancelled", "cancel_handled", "accept_deadline", "pickup_deadline", "violations"):
        assert key in first
    assert first["violations"] == [{"kind": "late_accept", "fine": 100, "deadline": first["accept_deadline"], "pending": True}]
    assert first["sender_phone"] == "138****5678"
    assert second["out_of_area"] is True and second["suggested_station"] == "HZ002"
    shown = cli("orders", "show", "550000000002")
    assert shown.exit_code == 0 and "LP00000002" in shown.stdout and "13812345678" not in shown.stdout


def test_actions_need_an_operator_and_refusals_exit_non_zero_with_one_line(cli, tmp_path):
    cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1), feed_row(2)])))
    missing = cli("orders", "accept", "LP00000001")
    assert missing.exit_code == 1 and "--operator" in missing.stderr
    ok = cli("orders", "accept", "LP00000001", "--operator", "张敏")
    assert ok.exit_code == 0 and "接单成功" in ok.stdout
    again = cli("orders", "accept", "LP00000001", "--operator", "张敏")
    assert again.exit_code == 1 and again.stderr.count("\n") == 1 and "接单成功" in again.stderr
    excuse = cli("orders", "fail-accept", "LP00000002", "--reason", "other", "--note", "人手不够", "--operator", "张敏")
    assert excuse.exit_code == 1 and "运力" in excuse.stderr


def test_accept_all_waiting_then_pickup_and_scan_from_stdin(cli, tmp_path, monkeypatch):
    cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(i) for i in range(1, 4)] + [feed_row(9, sender_district="浦东新区")])))
    monkeypatch.setenv("STATIONDESK_OPERATOR", "李娜")
    assert "批量接单成功: 3 单" in cli("orders", "accept", "--all-waiting").stdout
    assert cli("orders", "pickup", "LP00000001", "--waybill", "550000000011").exit_code == 0
    assert cli("orders", "pickup", "LP00000002", "--waybill", "55").exit_code == 1
    assert cli("orders", "transfer", "LP00000009", "--to", "SH001").exit_code == 0
    scans = cli("scan", "pickup", "-", input="550000000011\n\n550000000099\n")
    assert scans.exit_code == 4  # partial: one scan taken, one refused
    assert "补扫描成功" in scans.stdout and "拒绝: 550000000099: 没有该运单号的订单" in scans.stderr
    con = sqlite3.connect(tmp_path / "s.db")
    assert con.execute("SELECT status FROM orders ORDER BY id").fetchall() == [
        ("picked_up",), ("accepted",), ("accepted",), ("transferred",)]
    assert cli("check").exit_code == 0


def test_list_filters_and_csv(cli, tmp_path):
    rows = [feed_row(1, order_time="2026-11-20T09:00:00+08:00"), feed_row(2, order_time="2026-11-21T23:59:59+08:00"),
            feed_row(3, order_time="2026-11-22T00:00:00+08:00", cancelled="1", source="快递100")]
    cli("import", str(write_csv(tmp_path / "f.csv", rows)))
    out = cli("orders", "list", "--from", "2026-11-21", "--to", "2026-11-21", "--format", "csv").stdout
    assert [r["logistics_no"] for r in csv.DictReader(io.StringIO(out))] == ["LP00000002"]
    out = cli("orders", "list", "--cancel", "unhandled", "--format", "csv").stdout
    assert [r["logistics_no"] for r in csv.DictReader(io.StringIO(out))] == ["LP00000003"]
    out = cli("orders", "list", "--source", "淘宝", "--limit", "1", "--format", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(out)))) == 1
    bad = cli("orders", "list", "--from", "yesterday")
    assert bad.exit_code == 1 and "--from" in bad.stderr


def test_import_reports_bad_lines_on_stderr_and_exits_4_for_a_partial_import(cli, tmp_path):
    result = cli("import", str(write_csv(tmp_path / "f.csv", [feed_row(1), feed_row(2, channel="x")])))
    assert result.exit_code == 4
    assert "导入 1," in result.stdout and "第 3 行, 字段 channel" in result.stderr


def test_bad_config_is_refused_naming_the_key(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[alerts]\nbel = true\n", encoding="utf-8")
    result = cli("orders", "list", "--config", str(bad))
    assert result.exit_code == 1 and "[alerts] bel" in result.stderr


def test_missing_database_says_how_to_create_it(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    result = CliRunner().invoke(app, ["orders", "list", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 1 and "stationdesk init" in result.stderr


def test_seed_gives_a_consistent_realistic_database(cli, tmp_path):
    assert cli("seed", "--orders", "500", "--seed", "3").exit_code == 0
    con = sqlite3.connect(tmp_path / "s.db")
    statuses = dict(con.execute("SELECT status, count(*) FROM orders GROUP BY status").fetchall())
    assert sum(statuses.values()) == 500 and {"picked_up", "accepted", "transferred"} <= set(statuses)
    assert con.execute("SELECT count(DISTINCT source) FROM orders").fetchone()[0] >= 6
    assert con.execute("SELECT count(*) FROM orders WHERE out_of_area").fetchone()[0] > 0
    assert cli("check").exit_code == 0


def test_seeded_history_never_lies_in_the_future(cli, tmp_path):
    from datetime import UTC, datetime

    before = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    cli("seed", "--orders", "3000", "--days", "1")
    after = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    con = sqlite3.connect(tmp_path / "s.db")
    cols = ("order_time", "dispatch_time", "accepted_at", "transferred_at", "picked_up_at", "scanned_at", "cancelled_at")
    latest = max(v for c in cols for (v,) in con.execute(f"SELECT max({c}) FROM orders") if v)
    assert latest <= after, f"a seeded time {latest} is later than the seed run ({before}..{after})"
    assert con.execute("SELECT count(*) FROM orders WHERE dispatch_time IS NOT NULL").fetchone()[0] > 0
