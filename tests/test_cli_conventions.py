"""The command line as people expect it: --version, -h, plain help, one exit code per kind of
answer, every listing in every format, -o for files, no traceback for a bad path, config show
through a TOML writer, and the log file."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from stationdesk.cli import app, command
from stationdesk.cli.exits import ExitCode, table
from tests.conftest import feed_row, write_csv

REPO = Path(__file__).resolve().parents[1]


def invoke(args, **kw):  # noqa: ANN001
    """Run what `stationdesk` runs (the command with plain help, stationdesk.cli.command), in-process."""
    import typer.testing

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", lambda _app: command())
        return CliRunner().invoke(app, list(args), **kw)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("STATIONDESK_OPERATOR", "主管王")
    monkeypatch.setenv("STATIONDESK_LOG_DIR", str(tmp_path / "logs"))
    def run(*args, **kw):
        return invoke(args, **kw)

    assert run("init", "--station", "HZ001").exit_code == 0
    now = datetime.now().astimezone()
    rows = [feed_row(1, order_time=(now - timedelta(minutes=50)).isoformat(), sender_name="-张三"),
            feed_row(2, order_time=(now - timedelta(hours=20)).isoformat(), waybill_no="550000000002"),
            feed_row(3, order_time=(now - timedelta(minutes=5)).isoformat())]
    assert run("import", str(write_csv(tmp_path / "f.csv", rows))).exit_code == 0
    assert run("orders", "accept", "LP00000001", "LP00000002").exit_code == 0
    return run


def test_version_short_help_and_python_dash_m(cli):
    from stationdesk import __version__

    assert cli("--version").stdout.strip() == f"stationdesk {__version__}"
    assert cli("-h").exit_code == 0 and "--install-completion" in cli("-h").stdout
    assert cli("orders", "list", "-h").exit_code == 0
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "stationdesk", "--version"], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, f"stationdesk {__version__}")


def _commands(cmd, path=()):  # noqa: ANN001
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_help_shows_no_type_names_anywhere():
    for path, _cmd in _commands(command()):
        shown = invoke([*path, "--help"])
        assert shown.exit_code == 0, path
        leaked = re.findall(r"<(?:str|int|float|path|list\[[^\]]*\]|int range|float range|bool|text)>", shown.stdout)
        assert not leaked, f"stationdesk {' '.join(path)} --help shows {leaked}"


# ---------------------------------------------------------------- exit codes


def test_exit_0_ok_and_2_usage(cli):
    assert cli("orders", "list").exit_code == ExitCode.OK
    assert cli("orders", "list", "--no-such-option").exit_code == ExitCode.USAGE
    assert cli("orders", "list", "--format", "yaml").exit_code == ExitCode.USAGE
    assert cli("orders", "list", "--cancel", "maybe").exit_code == ExitCode.USAGE


def test_exit_1_refused_leaves_the_order_as_it_was(cli):
    again = cli("orders", "accept", "LP00000001")
    assert again.exit_code == ExitCode.REFUSED and again.stderr.count("\n") == 1


def test_exit_3_orders_waiting_for_the_alert_check(cli):
    waiting = cli("alerts", "check")
    assert waiting.exit_code == ExitCode.ORDERS_WAITING and "1" in waiting.stdout
    assert cli("orders", "accept", "LP00000003").exit_code == 0
    assert cli("alerts", "check").exit_code == ExitCode.OK


def test_exit_4_partial_import_and_1_when_nothing_was_taken(cli, tmp_path):
    mixed = cli("import", str(write_csv(tmp_path / "m.csv", [feed_row(7), feed_row(8, channel="x")])))
    assert mixed.exit_code == ExitCode.PARTIAL and "第 3 行" in mixed.stderr
    bad = cli("import", str(write_csv(tmp_path / "b.csv", [feed_row(9, channel="x")])))
    assert bad.exit_code == ExitCode.REFUSED


def test_exit_5_damage_found_by_check_and_audit_verify(cli, tmp_path):
    con = sqlite3.connect(tmp_path / "s.db")
    con.execute("UPDATE order_event SET operator = '别人' WHERE id = (SELECT min(id) FROM order_event)")
    con.commit()
    con.close()
    assert cli("check").exit_code == ExitCode.DAMAGE
    assert cli("audit", "verify").exit_code == ExitCode.DAMAGE


def test_the_readme_lists_every_exit_code():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code, name, _meaning in table():
        assert re.search(rf"^\| {code} \| `{name}` \|", readme, re.M), f"README misses exit code {code} ({name})"


# ---------------------------------------------------------------- formats

PRINTING = {  # every command that prints rows, with what it needs
    ("orders", "list"): [],
    ("orders", "show"): ["LP00000001"],
    ("stations",): [],
    ("keys",): [],
    ("user", "list"): [],
    ("conflicts", "list"): [],
    ("alerts", "check"): [],
    ("report", "unscanned"): [],
    ("report", "violations"): [],
    ("report", "weekly"): [],
    ("report", "monthly"): [],
    ("report", "refunds"): ["--from", datetime.now().strftime("%Y-%m")],
    ("notices",): [],
    ("orders", "duplicates"): [],
    ("orders", "exceptions"): [],
    ("orders", "complaints"): [],
    ("report", "unattended"): [],
    ("report", "exceptions"): [],
    ("report", "complaints"): [],
}
# head office's commands that print rows, with what they need; run on a real PostgreSQL in
# tests/sync/test_hq_formats.py
HQ_PRINTING = {
    ("hq", "station", "list"): [],
    ("hq", "review"): [],
    ("hq", "audit", "close-week"): [],  # and a week, one not closed yet for each run
    ("hq", "audit", "week-report"): [],  # and a closed week
    ("hq", "audit", "violations"): [],
    ("hq", "audit", "appeals"): [],
    ("hq", "audit", "decide"): ["--withdraw", "--note", "核实系统故障"],  # and an open appeal's id
    ("hq", "audit", "refunds"): [],  # and --month, one with fines
    ("hq", "audit", "rewards"): [],  # and --month, one with 我要寄快递 orders
    ("hq", "audit", "review"): ["--state", "all"],
}


def test_every_command_with_a_format_option_is_checked_here():
    with_format = {path for path, cmd in _commands(command())
                   if any("--format" in getattr(p, "opts", ()) for p in getattr(cmd, "params", ()))}
    assert not set(PRINTING) & set(HQ_PRINTING)
    assert with_format == set(PRINTING) | set(HQ_PRINTING), "a new printing command: add it to PRINTING or HQ_PRINTING"


def _open_cases(cli, tmp_path):  # noqa: ANN001
    """A second submission, a logistics exception and a complaint, so that their listings have rows."""
    again = feed_row(4, order_time=(datetime.now().astimezone() - timedelta(minutes=4)).isoformat())
    assert cli("import", str(write_csv(tmp_path / "again.csv", [again]))).exit_code == 0
    assert cli("orders", "pickup", "LP00000002").exit_code == 0
    assert cli("orders", "exception", "LP00000002", "--kind", "delayed", "--note", "天气原因").exit_code == 0
    assert cli("orders", "complain", "LP00000002", "--channel", "phone", "--category", "logistics",
               "--note", "还没收到").exit_code == 0
    for listing in (("orders", "duplicates"), ("orders", "exceptions"), ("orders", "complaints")):
        assert cli(*listing, "-f", "jsonl").stdout.count("\n") == 1, listing


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_every_printing_command_takes_every_format(cli, fmt, tmp_path):
    _open_cases(cli, tmp_path)
    for path, extra in PRINTING.items():
        result = cli(*path, *extra, "--format", fmt)
        assert result.exit_code in (0, ExitCode.ORDERS_WAITING), (path, fmt, result.output)
        out = result.stdout
        assert "\ufeff" not in out, (path, fmt)  # into a pipe: no BOM
        if fmt == "json":
            json.loads(out)
        elif fmt == "jsonl":
            lines = [json.loads(line) for line in out.splitlines()]
            assert all(isinstance(x, dict) for x in lines), path
        elif fmt == "csv":
            header = next(csv.reader(io.StringIO(out)))
            assert all(re.fullmatch(r"[a-z_]+", h) for h in header), (path, header)  # stable English keys
        else:
            assert out.strip(), path


def test_every_printing_command_writes_a_file_with_dash_o(cli, tmp_path):
    _open_cases(cli, tmp_path)
    for i, (path, extra) in enumerate(PRINTING.items()):
        out = tmp_path / f"{i}.csv"
        result = cli(*path, *extra, "--format", "csv", "-o", str(out))
        if path == ("orders", "show"):
            continue  # one order's details print; its listing form is `orders list -o`
        assert result.exit_code in (0, ExitCode.ORDERS_WAITING), (path, result.output)
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path  # a file is for Excel: BOM and Chinese headings
        assert not re.fullmatch(r"[a-z_,]+", raw[3:].decode("utf-8").splitlines()[0]), path


def test_csv_for_excel_has_station_times_without_offset_and_no_apostrophe_minus(cli, tmp_path):
    out = tmp_path / "o.csv"
    assert cli("orders", "list", "-f", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0]["下单时间"])
    piped = cli("orders", "list", "-f", "csv").stdout
    assert "+08:00" in piped and piped.startswith("logistics_no,")
    excel = cli("orders", "list", "-f", "csv", "--excel").stdout
    assert excel.startswith("\ufeff物流号")
    report = tmp_path / "u.csv"
    assert cli("report", "unscanned", "--from", (datetime.now() - timedelta(days=1)).date().isoformat(),
               "-f", "csv", "-o", str(report)).exit_code == 0
    got = {r["物流号"]: r for r in csv.DictReader(report.open(encoding="utf-8-sig"))}
    late = got["LP00000002"]
    assert late["剩余"].startswith("超时 ") and int(late["超时分钟"]) >= 3 * 60  # readable, and a number


def _check_sheet(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{len(rows)}"
    assert all(ws.column_dimensions[ws.cell(1, c).column_letter].width >= 4 for c in range(1, ws.max_column + 1))
    for row in rows:
        for value in row:
            assert not (isinstance(value, str) and value.startswith("'")), value
            assert not (isinstance(value, datetime) and value.tzinfo is not None)
    return rows


def test_every_report_reads_back_from_xlsx(cli, tmp_path):
    since = (datetime.now() - timedelta(days=1)).date().isoformat()
    for name, extra in (("unscanned", ["--from", since]), ("violations", ["--from", since]), ("weekly", []),
                        ("monthly", []), ("refunds", ["--from", datetime.now().strftime("%Y-%m")])):
        out = tmp_path / f"{name}.xlsx"
        result = cli("report", name, *extra, "-f", "xlsx", "-o", str(out))
        assert result.exit_code == 0, (name, result.output)
        rows = _check_sheet(out)
        assert rows[0] and all(isinstance(h, str) for h in rows[0])
    unscanned = _check_sheet(tmp_path / "unscanned.xlsx")
    got = {r[1]: dict(zip(unscanned[0], r)) for r in unscanned[1:]}
    late = got["LP00000002"]
    assert isinstance(late["下单时间"], datetime) and isinstance(late["超时分钟"], int) and late["超时分钟"] > 0
    hour_now = datetime.now().astimezone().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert abs((late["下单时间"] + timedelta(hours=20) - hour_now.replace(tzinfo=None)).total_seconds()) < 120
    assert late["剩余"].startswith("超时")
    ws = openpyxl.load_workbook(tmp_path / "unscanned.xlsx").active
    assert ws.column_dimensions["A"].width >= 19  # a date-time never shows as #####


def test_no_traceback_for_a_path_problem(cli, tmp_path):
    for args in (["report", "unscanned", "-f", "xlsx", "-o", "/no/such/dir/x.xlsx"],
                 ["orders", "list", "-f", "csv", "-o", "/no/such/dir/x.csv"],
                 ["orders", "list", "-o", str(tmp_path)],
                 ["import", str(tmp_path / "missing.csv")],
                 ["config", "show", "--config", str(tmp_path)]):
        result = cli(*args)
        assert result.exit_code == ExitCode.REFUSED, (args, result.output)
        assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
        assert result.stderr.startswith("stationdesk: "), (args, result.stderr)


# ---------------------------------------------------------------- config and log


def test_config_show_is_real_toml_with_the_password_hidden(cli, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[sync]\nurl = "postgresql+psycopg://hq:pa55word@db.example/hq"\n'
                    '[waybill]\ndescription = "12-15 位 \\"数字\\""\n', encoding="utf-8")
    shown = cli("config", "show", "--config", str(path))
    assert shown.exit_code == 0 and "pa55word" not in shown.stdout
    data = tomllib.loads(shown.stdout)
    assert data["sync"]["url"] == "postgresql+psycopg://hq:***@db.example/hq"
    assert data["waybill"]["description"] == '12-15 位 "数字"'
    again = tmp_path / "again.toml"
    again.write_text(shown.stdout.replace("***", "x"), encoding="utf-8")
    assert cli("config", "show", "--config", str(again)).exit_code == 0


def test_config_init_writes_the_commented_file_once(cli, tmp_path):
    path = tmp_path / "cfg" / "config.toml"
    assert cli("config", "init", "--config", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert text == (REPO / "config.toml").read_text(encoding="utf-8") and "# " in text
    assert cli("config", "init", "--config", str(path)).exit_code == ExitCode.REFUSED
    assert cli("config", "show", "--config", str(path)).exit_code == 0


def test_the_log_gets_one_line_per_refusal_and_import_with_nothing_personal(cli, tmp_path):
    from stationdesk.logs import log_event, setup_logging

    path = setup_logging("INFO", restart=True)
    assert path == tmp_path / "logs" / "stationdesk.log"
    cli("orders", "accept", "LP00000001")
    cli("import", str(write_csv(tmp_path / "g.csv", [feed_row(5)])))
    log_event("sync", "push to postgresql://hq:topsecret@h/db failed for 13812345678 password=abc")
    text = path.read_text(encoding="utf-8")
    assert re.search(r"WARNING .*refused orders_accept: .*LP00000001", text)
    assert re.search(r"INFO .*g\.csv: imported 1", text)
    assert "topsecret" not in text and "13812345678" not in text and "password=abc" not in text
    assert "138****5678" in text
    shown = cli("logs", "-n", "2")
    assert shown.exit_code == 0 and len(shown.stdout.splitlines()) == 2 and "138****5678" in shown.stdout


def test_demo_elsewhere_keeps_its_files_beside_its_database(tmp_path, monkeypatch):
    from stationdesk import paths

    monkeypatch.delenv("STATIONDESK_BACKUP_DIR", raising=False)
    db = tmp_path / "d" / "demo.db"
    db.parent.mkdir()
    result = CliRunner().invoke(app, ["demo", "--db", str(db), "--orders", "20"])
    assert result.exit_code == ExitCode.REFUSED and "终端" in result.output  # no terminal here, but set up
    assert db.exists()
    assert paths.backup_dir() == tmp_path / "d" / "demo-backups"
    monkeypatch.delenv("STATIONDESK_BACKUP_DIR")
    monkeypatch.delenv("STATIONDESK_LOG_DIR", raising=False)


def test_choices_are_declared_and_take_the_chinese_label_too(cli):
    assert cli("orders", "fail-accept", "LP00000003", "--reason", "人手不够").exit_code == ExitCode.USAGE
    assert cli("orders", "list", "--status", "等待接单", "-f", "jsonl").stdout.count("\n") == 1
    assert cli("orders", "list", "--status", "waiting", "--status", "accepted", "-f", "jsonl").stdout.count("\n") == 3
    assert cli("orders", "list", "--channel", "线上", "-f", "jsonl").exit_code == 0
    assert cli("user", "add", "李四", "--role", "boss").exit_code == ExitCode.USAGE
    assert cli("report", "unscanned", "--channel", "全部").exit_code == 0
    shown = invoke(["orders", "fail-accept", "-h"]).stdout
    assert "customer_cancelled" in shown and "客户取消" in shown


def test_logs_follow_prints_lines_as_they_are_written(tmp_path):
    import os
    import subprocess
    import sys
    import time

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "stationdesk.log").write_text("first line\n", encoding="utf-8")
    env = {**os.environ, "STATIONDESK_LOG_DIR": str(logs), "STATIONDESK_CONFIG": str(tmp_path / "none.toml")}
    follower = subprocess.Popen([sys.executable, "-m", "stationdesk", "logs", "--follow"], env=env,
                                stdout=subprocess.PIPE, text=True)
    try:
        assert follower.stdout.readline().strip() == "first line"
        with (logs / "stationdesk.log").open("a", encoding="utf-8") as fh:
            fh.write("a sync line\n")
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and "a sync line" not in line:
            line = follower.stdout.readline()
        assert "a sync line" in line
    finally:
        follower.terminate()
        follower.wait(timeout=10)
