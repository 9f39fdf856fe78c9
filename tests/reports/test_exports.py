"""Report exports opened back (csv module, openpyxl) and checked field by field."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
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
        result = runner.invoke(app, list(args))
        return result

    assert run("init", "--station", "HZ001").exit_code == 0
    now = datetime.now().astimezone()
    rows = [feed_row(1, order_time=(now - timedelta(minutes=50)).isoformat(), sender_name="=HYPERLINK(\"x\")",
                     sender_address="西湖区文三路100号 @home"),
            feed_row(2, order_time=(now - timedelta(minutes=10)).isoformat(), business_type="在线下单",
                     waybill_no="550000000002", channel="线下")]
    assert run("import", str(write_csv(tmp_path / "f.csv", rows))).exit_code == 0
    assert run("orders", "accept", "LP00000001", "LP00000002").exit_code == 0
    return run


STATION_TZ = ZoneInfo("Asia/Shanghai")  # the default config's station time zone


def day_args():
    """Yesterday to tomorrow on the station's calendar, whatever this machine's zone and hour."""
    today = datetime.now(STATION_TZ).date()
    return ["--from", (today - timedelta(days=1)).isoformat(), "--to", (today + timedelta(days=1)).isoformat()]


def test_unscanned_csv_has_a_bom_chinese_headings_and_no_formulas(cli, tmp_path):
    out = tmp_path / "u.csv"
    result = cli("report", "unscanned", *day_args(), "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    head, first, second = rows
    assert head[:6] == ["下单时间", "物流号", "运单号", "状态", "剩余", "超时"]
    got = dict(zip(head, first))
    assert (got["物流号"], got["状态"], got["线上/线下"], got["业务类型"]) == ("LP00000001", "接单成功", "线上", "我要寄快递")
    assert got["寄件人"] == "'=HYPERLINK(\"x\")"  # shown as text in a spreadsheet, never run
    assert got["电话"] == "138****5678" and got["地址"] == "西湖区文三路100号 @home"
    assert 14 * 60 < int(got["剩余分钟"]) <= 15 * 60 + 10 and got["超时"] == "false"
    assert dict(zip(head, second))["运单号"] == "550000000002"


def test_unscanned_xlsx_is_a_real_sheet_with_typed_dates(cli, tmp_path):
    out = tmp_path / "u.xlsx"
    result = cli("report", "unscanned", *day_args(), "--channel", "线下", "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[0][:3] == ("下单时间", "物流号", "运单号")
    got = dict(zip(rows[0], rows[1]))
    assert isinstance(got["下单时间"], datetime) and isinstance(got["揽收时限"], datetime)
    assert got["揽收时限"] - got["下单时间"] == timedelta(hours=16)
    assert (got["物流号"], got["线上/线下"], got["超时"]) == ("LP00000002", "线下", False)
    assert isinstance(got["剩余分钟"], int) and ws["A1"].font.bold


def test_xlsx_text_starting_with_a_formula_sign_stays_text(cli, tmp_path):
    out = tmp_path / "u.xlsx"
    assert cli("report", "unscanned", *day_args(), "--format", "xlsx", "--output", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out).active
    heads = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=heads.index("寄件人") + 1)
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_json_and_the_refusals(cli, tmp_path):
    data = json.loads(cli("report", "unscanned", *day_args(), "--format", "json").stdout)
    assert [d["logistics_no"] for d in data] == ["LP00000001", "LP00000002"]
    assert data[0]["sender_phone"] == "138****5678" and "+" in data[0]["order_time"][10:]
    refused = cli("report", "unscanned", "--format", "xlsx")
    assert refused.exit_code == 1 and "--output" in refused.output
    bad = cli("report", "unscanned", "--from", "2026-13-01")
    assert bad.exit_code == 1 and "--from '2026-13-01'" in bad.output


def test_violations_and_appeal_from_the_command_line(cli, tmp_path):
    out = tmp_path / "v.csv"
    result = cli("report", "violations", *day_args(), "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["物流号"], r["违规类型"], r["罚款(元)"]) for r in rows] == [("LP00000001", "接单超时(30分钟)", "100")]
    early = cli("report", "appeal", "LP00000001", "--kind", "late_accept", "--note", "系统故障")
    assert early.exit_code == 1 and "尚未收到总部处罚通知" in early.output
    db = Database(tmp_path / "s.db")
    deliver_notice(db, datetime.now().astimezone())  # the Monday notice, as the sync delivers it
    db.dispose()
    ok = cli("report", "appeal", "LP00000001", "--kind", "late_accept", "--note", "系统故障")
    assert ok.exit_code == 0 and "已申诉" in ok.stdout
    again = cli("report", "appeal", "LP00000001", "--kind", "late_accept", "--note", "再次")
    assert again.exit_code == 1 and "LP00000001" in again.output and "重复申诉" in again.output
    deadline = datetime.now(STATION_TZ) - timedelta(minutes=20)  # LP00000001's accept deadline
    monthly = cli("report", "monthly", "--month", f"{deadline:%Y-%m}", "--format", "json")
    assert json.loads(monthly.stdout)[-1]["fine"] >= 100
