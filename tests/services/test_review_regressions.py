"""Regressions: each test pins a defect once found in the core."""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.domain.errors import ReasonRefused
from stationdesk.domain.masking import mask_phone
from stationdesk.domain.reasons import Reason, check_reason
from stationdesk.services import accept, correct
from stationdesk.services.feed_import import import_feed
from tests.conftest import T0, feed_row, write_csv, write_jsonl


def test_re_importing_a_feed_never_undoes_a_clerks_correction(desk, db_path, import_rows):
    rows = [feed_row(1)]
    import_rows(rows)
    accept.accept(desk, ["LP00000001"], "张敏")
    correct.correct_info(desk, "LP00000001", {"sender_phone": "13700001111", "sender_district": "拱墅区"}, "张敏")
    report = import_rows(rows + [feed_row(1, note="新的需求", sender_phone="13812345678")])
    assert report.rejected == []
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT sender_phone, sender_district, note FROM orders").fetchone() == (
        "13700001111", "拱墅区", "新的需求")


def test_an_order_that_arrives_cancelled_is_not_fined(desk, import_rows, clock):
    from stationdesk.domain.sla import violations
    from stationdesk.services.recording import find
    from stationdesk.store.values import order_times

    clock.advance(hours=3)
    import_rows([feed_row(1, cancelled="是")])
    with desk.db.read() as conn:
        row = find(conn, "LP00000001")
    assert violations(order_times(row), clock()) == []


def test_json_lines_split_only_on_newlines(desk, tmp_path):
    report = import_feed(desk, write_jsonl(tmp_path / "f.jsonl", [feed_row(1, note="上午\u2028下午"), feed_row(2)]))
    assert (report.imported, report.rejected) == (2, [])


def test_cli_never_prints_escape_sequences(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    runner = CliRunner()
    runner.invoke(app, ["init", "--station", "HZ001"])
    evil = write_csv(tmp_path / "e.csv", [feed_row(1, channel="\x1b]0;pwned\x07\x1b[2J线上"),
                                          feed_row(2, order_time="2026\x1b[31mRED")])
    result = runner.invoke(app, ["import", str(evil)])
    scans = runner.invoke(app, ["scan", "pickup", "1234\x1b[2J5678", "--operator", "x"])
    bad_station = runner.invoke(app, ["orders", "transfer", "LP1", "--to", "\x1b[2JX", "--operator", "x"])
    for out in (result.stdout + result.stderr, scans.stdout + scans.stderr, bad_station.stderr):
        assert "\x1b" not in out and "\x07" not in out
    assert "第 2 行, 字段 channel" in result.stderr


def test_invisible_characters_do_not_hide_a_capacity_excuse():
    for note in ("人手\u200b不够", "too\u00a0far", "地址\u00ad太远"):
        with pytest.raises(ReasonRefused):
            check_reason(Reason.OTHER, note)
    assert check_reason(Reason.OTHER, "客户\x9b2J说\u202e不要了\x7f") == "客户说不要了"


def test_history_in_show_masks_phones(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    runner = CliRunner()
    runner.invoke(app, ["init", "--station", "HZ001"])
    runner.invoke(app, ["import", str(write_csv(tmp_path / "f.csv", [feed_row(1)]))])
    runner.invoke(app, ["orders", "correct", "LP00000001", "--set", "sender_phone=13700001111", "--operator", "x"])
    out = runner.invoke(app, ["orders", "show", "LP00000001", "--format", "json"]).stdout
    assert "13700001111" not in out and "13812345678" not in out
    assert json.loads(out)["history"][1]["details"]["changes"]["sender_phone"] == ["138****5678", "137****1111"]


def test_short_numbers_show_only_their_last_four_digits():
    assert mask_phone("1234567") == "***4567"


def test_to_date_in_compact_form_is_the_whole_day(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    runner = CliRunner()
    runner.invoke(app, ["init", "--station", "HZ001"])
    runner.invoke(app, ["import", str(write_csv(tmp_path / "f.csv", [feed_row(1, order_time="2026-11-23T15:00:00+08:00")]))])
    out = runner.invoke(app, ["orders", "list", "--from", "20261123", "--to", "20261123", "--format", "csv"]).stdout
    assert "LP00000001" in out


def test_refusals_name_the_order(desk, import_rows):
    import_rows([feed_row(1)])
    with pytest.raises(Exception, match="LP00000001"):
        correct.correct_info(desk, "LP00000001", {"sender_phone": "12"}, "x")
    with pytest.raises(ReasonRefused, match="LP00000001"):
        accept.fail_accept(desk, "LP00000001", Reason.OTHER, "人手不够", "x")
