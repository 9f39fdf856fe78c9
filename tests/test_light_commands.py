"""The commands a shell, a cron line or a status bar runs all day read with sqlite3 alone, and run
before Typer (and click) are imported: each is run here as a new `stationdesk` process, and what it
loaded is checked when it exits. Their help and a wrong line are Typer's, built from the same
parameters (stationdesk.cli.params) that read their plain lines.

Typer is held to its click-based line (0.24-0.25): later Typers load pydantic to convert every
option, which cost about as long as the read, so pydantic is among what must never load.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stationdesk.services.seed import seed
from tests.conftest import cheap_hasher

REPO = Path(__file__).resolve().parents[1]

# Print every module loaded, at exit, after the command ran (and exited through sys.exit).
WRAPPER = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["stationdesk", *sys.argv[1:]]
from stationdesk.cli import main
main()
"""

# The write path and what only other commands need: none of it may load for a read.
NEVER = ("typer", "click", "sqlalchemy", "sqlmodel", "pydantic", "alembic", "argon2", "textual", "stationdesk.bootstrap",
         "stationdesk.store.engine",
         "stationdesk.store.tables", "stationdesk.store.queries", "stationdesk.services.recording",
         "stationdesk.services.ledger", "stationdesk.services.operators")


def run(args: list[str], db: Path, tmp_path: Path, wrapper: str = WRAPPER, **env: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STATIONDESK_")}
    environ.update(STATIONDESK_LOG_DIR=str(tmp_path / "logs"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
                   XDG_DATA_HOME=str(tmp_path / "xdg-data"), COLUMNS="200")
    environ.update(env)
    out = subprocess.run([sys.executable, "-c", wrapper, *args, "--db", str(db), "--config", str(tmp_path / "none.toml")],
                         capture_output=True, text=True, timeout=120, cwd=REPO, env=environ)
    line = next((x for x in out.stderr.splitlines() if x.startswith("MODULES ")), None)
    assert line is not None, out.stderr[-3000:]
    return out, set(json.loads(line[len("MODULES "):]))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


@pytest.fixture
def station(desk, db_path):
    seed(desk, 400, seed_value=3, days=3)
    conn = sqlite3.connect(db_path)
    try:
        number = conn.execute("SELECT logistics_no FROM orders WHERE id = 7").fetchone()[0]
        first = conn.execute("SELECT order_time FROM orders WHERE scanned_at IS NULL"
                             " AND status IN ('accepted', 'picked_up') ORDER BY order_time LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    day = datetime.fromisoformat(first).astimezone(timezone(timedelta(hours=8))).date().isoformat()
    desk.db.dispose()  # the commands open the file themselves
    return {"number": number, "day": day}


def test_orders_show_reads_with_sqlite3_alone(station, db_path, tmp_path):
    out, modules = run(["orders", "show", station["number"], "--format", "json"], db_path, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    shown = json.loads(out.stdout)
    assert shown["logistics_no"] == station["number"] and shown["history"][0]["action"] == "import"
    assert loaded(modules, NEVER + ("rich",)) == []


def test_orders_show_as_text_loads_nothing_else(station, db_path, tmp_path):
    out, modules = run(["orders", "show", station["number"]], db_path, tmp_path)
    assert out.returncode == 0 and station["number"] in out.stdout and "history:" in out.stdout
    assert loaded(modules, NEVER + ("rich", "logging", "platformdirs")) == []  # nothing to log: no log file looked for
    assert not (tmp_path / "logs").exists()


def test_a_refused_read_is_still_logged(station, db_path, tmp_path):
    out, _ = run(["orders", "show", "LP-NO-SUCH"], db_path, tmp_path)
    assert out.returncode == 1 and "LP-NO-SUCH" in out.stderr
    assert "refused orders_show" in (tmp_path / "logs" / "stationdesk.log").read_text(encoding="utf-8")


def test_orders_list_with_a_limit_reads_with_sqlite3_alone(station, db_path, tmp_path):
    out, modules = run(["orders", "list", "--from", station["day"], "--to", station["day"], "--limit", "5"],
                       db_path, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(out.stdout.strip().splitlines()) == 6 and "(5 单)" in out.stderr  # a heading and five rows
    assert loaded(modules, NEVER) == []


def test_alerts_check_reads_with_sqlite3_alone(station, db_path, tmp_path):
    out, modules = run(["alerts", "check", "--format", "json"], db_path, tmp_path)
    assert out.returncode in (0, 3), out.stderr[-2000:]  # 3: orders wait (a normal answer)
    state = json.loads(out.stdout)
    conn = sqlite3.connect(db_path)
    try:
        waiting = conn.execute("SELECT count(*) FROM orders WHERE status = 'waiting'").fetchone()[0]
    finally:
        conn.close()
    assert state["waiting"] == waiting and (out.returncode == 3) == (waiting > 0)
    assert loaded(modules, NEVER + ("rich",)) == []
    logged = (tmp_path / "logs" / "stationdesk.log").read_text(encoding="utf-8")  # each check leaves its line
    assert f"alerts check: {waiting} waiting" in logged and "logging.handlers" not in modules


def test_report_unscanned_for_a_day_reads_with_sqlite3_alone(station, db_path, tmp_path):
    out, modules = run(["report", "unscanned", "--from", station["day"], "--to", station["day"], "--format", "jsonl"],
                       db_path, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert rows and all("****" in r["sender_phone"] for r in rows)
    assert loaded(modules, NEVER + ("rich",)) == []


def test_notices_read_with_sqlite3_alone(station, db_path, tmp_path):
    out, modules = run(["notices"], db_path, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "没有处罚通知" in out.stdout
    assert loaded(modules, NEVER + ("rich",)) == []


def test_with_accounts_a_read_still_signs_in(station, db_path, tmp_path):
    from stationdesk.bootstrap import open_desk
    from stationdesk.domain.roles import Operator
    from stationdesk.services.operators import add_user

    desk = open_desk(db_path, tmp_path / "none.toml", hasher=cheap_hasher())
    try:
        add_user(desk, "王芳", "admin", "correct horse 42", by=Operator(""))
    finally:
        desk.db.dispose()
    refused, _ = run(["orders", "show", station["number"]], db_path, tmp_path)
    assert refused.returncode == 1 and "需要登录" in refused.stderr and station["number"] not in refused.stdout
    wrong, _ = run(["alerts", "check"], db_path, tmp_path, STATIONDESK_OPERATOR="王芳", STATIONDESK_PASSWORD="wrong")
    assert wrong.returncode == 1 and "history" not in wrong.stdout
    signed, _ = run(["orders", "show", station["number"]], db_path, tmp_path,
                    STATIONDESK_OPERATOR="王芳", STATIONDESK_PASSWORD="correct horse 42")
    assert signed.returncode == 0 and station["number"] in signed.stdout


# ---------------------------------------------------------------- one definition, two readers

LINES = {  # a light command's words, and lines after them that both readers must read alike
    ("orders", "show"): [["LP00000001"], ["LP00000001", "--format", "json"], ["-f", "csv", "LP00000001", "--db", "x.db"],
                         ["LP00000001", "--format=jsonl", "--config", "c.toml"]],
    ("orders", "list"): [[], ["--from", "2026-01-02", "--to", "2026-01-03", "--limit", "50"],
                         ["--status", "waiting", "--status", "等待接单", "--cancel", "handled", "--in-area"],
                         ["--out-of-area", "--channel", "线上", "--business-type", "我要寄快递", "--source", "淘宝"],
                         ["--awaiting-waybill", "-f", "csv", "-o", "out.csv", "--excel", "--limit=3"]],
    ("alerts", "check"): [[], ["--format", "json"], ["-o", "a.csv", "-f", "csv", "--excel", "--db", "s.db"]],
    ("report", "unscanned"): [[], ["--from", "2026-01-02", "--to", "2026-01-02", "--channel", "全部"],
                              ["--channel", "online", "-f", "xlsx", "-o", "u.xlsx", "--full-phones", "--operator", "王芳"]],
    ("notices",): [[], ["-f", "json", "--operator", "王芳"], ["--format", "csv", "--output", "n.csv", "--excel"]],
    ("report", "violations"): [[], ["--from", "2026-11-16", "--to", "2026-11-22", "-f", "jsonl"],
                               ["--to=2026-11-22T12:00:00+08:00", "-f", "xlsx", "-o", "v.xlsx", "--operator", "王芳"],
                               ["--format", "csv", "--excel", "--output", "v.csv", "--config", "c.toml"]],
}
# lines the light reader leaves to Typer: help, and what Typer refuses (exit 2) or reads its own way
DECLINED = {
    ("orders", "show"): [["--help"], ["-h"], [], ["A", "B"], ["LP1", "--format", "yaml"], ["LP1", "-fjson"], ["LP1", "--"]],
    ("orders", "list"): [["--limit", "0"], ["--limit", "x"], ["--nope"], ["--status", "lost"], ["--from"],
                         ["--limit", "1", "--limit", "2"], ["--excel=yes"], ["--from", "-1"]],
    ("alerts", "check"): [["--help"], ["extra"], ["--format", "xlsx"]],
    ("report", "unscanned"): [["--channel", "both"], ["--format", "pdf"], ["-h"]],
    ("notices",): [["--help"], ["--operator"]],
    ("report", "violations"): [["--help"], ["--format", "pdf"], ["--week", "2026-11-16"], ["--from"], ["extra"],
                               ["--excel=no"]],
}

TYPERS_OWN = (["LP1", "--"], ["LP1", "-fjson"], ["--from", "-1"], ["--limit", "1", "--limit", "2"])


def _typer_reads(words, line, env):  # noqa: ANN001, ANN202
    """What Typer hands the command for ``line``: the body replaced by one that records it."""
    import typer
    from typer.testing import CliRunner

    from stationdesk.cli.common import typer_command
    from stationdesk.cli.light import LIGHT

    seen = {}
    spec = LIGHT[words][1]
    app = typer.Typer(context_settings={"help_option_names": ["-h", "--help"]})  # as stationdesk's root
    app.callback()(lambda: None)
    app.command(words[-1])(typer_command(lambda **values: seen.update(values), spec))
    result = CliRunner().invoke(app, [words[-1], *line], env=env)
    return result.exit_code, seen


ENV = {"STATIONDESK_DB": None, "STATIONDESK_CONFIG": None, "STATIONDESK_OPERATOR": None}


@pytest.mark.parametrize("words", list(LINES), ids=" ".join)
def test_the_light_reader_reads_each_line_as_typer_does(words, monkeypatch):
    from stationdesk.cli.light import LIGHT
    from stationdesk.cli.params import parse

    spec = LIGHT[words][1]
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for line in LINES[words]:
        code, typer_values = _typer_reads(words, line, ENV)
        assert code == 0, (words, line)
        ours = parse(spec, line)
        assert ours is not None, (words, line)
        assert {k: v or None for k, v in ours.items()} == {k: v or None for k, v in typer_values.items()}, (words, line)
    monkeypatch.setenv("STATIONDESK_DB", "env.db")  # the environment fills an option left out, as for Typer
    monkeypatch.setenv("STATIONDESK_OPERATOR", "李四")
    env = {"STATIONDESK_DB": "env.db", "STATIONDESK_OPERATOR": "李四"}
    code, typer_values = _typer_reads(words, LINES[words][0], env)
    assert code == 0 and parse(spec, LINES[words][0]) == typer_values
    assert typer_values["db"] == Path("env.db")


@pytest.mark.parametrize("words", list(DECLINED), ids=" ".join)
def test_the_light_reader_leaves_help_and_wrong_lines_to_typer(words, monkeypatch):
    from stationdesk.cli.light import LIGHT
    from stationdesk.cli.params import parse

    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for line in DECLINED[words]:
        assert parse(LIGHT[words][1], line) is None, (words, line)
        code, _ = _typer_reads(words, line, ENV)
        if {"--help", "-h"} & set(line) or line in TYPERS_OWN:
            assert code == 0, (words, line)  # help, or a line Typer reads its own way
        else:
            assert code == 2, (words, line)  # Typer's usage error, in its own words


def test_help_and_a_wrong_line_are_typers_own(station, db_path, tmp_path):
    """Through `stationdesk`, help and a wrong line print exactly what Typer's command prints."""
    typer_only = WRAPPER.replace("from stationdesk.cli import main\nmain()",
                                 "from stationdesk.cli import command\ncommand(sys.argv[1:])(prog_name='stationdesk')")
    for args in (["orders", "list", "--help"], ["orders", "list", "--limit", "0"], ["alerts", "check", "--format", "pdf"],
                 ["notices", "-h"], ["report", "unscanned", "--channel", "both"], ["orders", "show", "-h"],
                 ["report", "violations", "--help"], ["report", "violations", "-f", "pdf"]):
        out, modules = run(args, db_path, tmp_path)
        expected, _ = run(args, db_path, tmp_path, wrapper=typer_only)
        assert out.returncode == expected.returncode and out.returncode in (0, 2), (args, out.stderr)
        assert out.stdout == expected.stdout and out.stdout.startswith("Usage: stationdesk ") == (out.returncode == 0)
        assert out.stderr.split("MODULES ")[0] == expected.stderr.split("MODULES ")[0], args
        assert "typer" in modules


def test_a_first_line_is_appended_and_a_full_file_still_rolls_over(tmp_path, monkeypatch):
    import logging

    from stationdesk import logs

    monkeypatch.setenv("STATIONDESK_LOG_DIR", str(tmp_path / "logs"))
    logger = logging.getLogger(logs.LOGGER)
    try:
        path = logs.setup_logging("INFO", restart=True)
        logs.log_event("alerts", "alerts check: 3 waiting")
        assert path.read_text(encoding="utf-8").endswith("alerts check: 3 waiting\n")
        path.write_text("x" * (logs.MAX_BYTES - 20) + "\n", encoding="utf-8")
        path = logs.setup_logging("INFO", restart=True)  # as a new process: its first line passes the limit
        logs.log_event("alerts", "alerts check: 4 waiting, 138 0000 1111")
        logs.log_event("alerts", "alerts check: 5 waiting")
        assert (path.parent / "stationdesk.log.1").read_text(encoding="utf-8").startswith("xxx")
        lines = path.read_text(encoding="utf-8").splitlines()
        assert [x.split(": ", 1)[1] for x in lines] == ["alerts check: 4 waiting, 138****1111", "alerts check: 5 waiting"]
    finally:
        for handler in [h for h in logger.handlers if isinstance(h, logs.RotatingFile)]:
            logger.removeHandler(handler)
            handler.close()


# What finding the log folder through platformdirs costs a cron `alerts check` (on Linux the XDG
# folder is read from the environment; tests/test_paths.py holds it equal to platformdirs' own).
PLATFORMDIRS = ("platformdirs", "tempfile", "random", "shutil", "bz2", "lzma")


def test_alerts_check_finds_the_log_folder_without_platformdirs(station, db_path, tmp_path):
    from platformdirs import user_log_path

    state = tmp_path / "xdg-state"
    out, modules = run(["alerts", "check"], db_path, tmp_path, STATIONDESK_LOG_DIR="", XDG_STATE_HOME=str(state))
    assert out.returncode in (0, 3), out.stderr[-2000:]
    assert loaded(modules, NEVER + ("rich", "logging.handlers")) == []
    assert loaded(modules, PLATFORMDIRS if sys.platform == "linux" else ()) == []
    folder = state / "stationdesk" / "log"
    os.environ["XDG_STATE_HOME"], saved = str(state), os.environ.get("XDG_STATE_HOME")
    try:
        assert user_log_path("stationdesk", appauthor=False) == folder  # the folder platformdirs gives
    finally:
        if saved is None:
            del os.environ["XDG_STATE_HOME"]
        else:
            os.environ["XDG_STATE_HOME"] = saved
    assert "alerts check: " in (folder / "stationdesk.log").read_text(encoding="utf-8")


# ---------------------------------------------------------------- 违规明细: the ledger's rows, light and ordinary

# The same line the ordinary way: read by Typer, the file opened by bootstrap.open_desk (SQLAlchemy), as
# when the reader steps aside.
ORDINARY = WRAPPER.replace("from stationdesk.cli import main\nmain()",
                           "import stationdesk.reader\nstationdesk.reader.open_reader = lambda *a, **k: None\n"
                           "from stationdesk.cli import command\ncommand(sys.argv[1:])(prog_name='stationdesk')")
WEEK = ["--from", "2026-11-20", "--to", "2026-11-23"]  # the seeded days (station time) and the clock's


@pytest.fixture
def ledger_station(desk, db_path):
    """Seeded orders with their recorded violations, head office's notice of them, and one appealed
    (its note with a comma and a quote, as a CSV must carry it)."""
    from stationdesk.services.appeal import appeal
    from tests.services.test_violations import notify

    seed(desk, 400, seed_value=3, days=3)
    notify(desk)
    conn = sqlite3.connect(db_path)
    try:
        number, kind = conn.execute("SELECT o.logistics_no, v.kind FROM violation v JOIN orders o ON o.id = v.order_id"
                                    " ORDER BY v.deadline LIMIT 1").fetchone()
        count = conn.execute("SELECT count(*) FROM violation").fetchone()[0]
    finally:
        conn.close()
    appeal(desk, number, kind, '系统故障, 已报总部 "当天"', "主管王")
    desk.db.dispose()
    return {"number": number, "count": count}


def test_report_violations_reads_with_sqlite3_alone(ledger_station, db_path, tmp_path):
    out, modules = run(["report", "violations", *WEEK, "--format", "json"], db_path, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = json.loads(out.stdout)
    assert len(rows) == ledger_station["count"] > 0
    appealed = [r for r in rows if r["appealed"]]
    assert [(r["logistics_no"], r["appeal_note"], r["state"]) for r in appealed] == [
        (ledger_station["number"], '系统故障, 已报总部 "当天"', "appealed")]
    assert loaded(modules, NEVER + ("rich", "stationdesk.services.violations", "openpyxl")) == []


def test_report_violations_as_a_table_loads_nothing_of_the_write_path(ledger_station, db_path, tmp_path):
    out, modules = run(["report", "violations", *WEEK], db_path, tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("日期") and ledger_station["number"] in out.stdout
    assert f"({ledger_station['count']} 条违规)" in out.stderr
    assert loaded(modules, NEVER + ("stationdesk.services.violations", "logging")) == []


@pytest.mark.parametrize("line", [
    [*WEEK], [*WEEK, "-f", "csv"], [*WEEK, "-f", "json"], [*WEEK, "-f", "jsonl"], [*WEEK, "-f", "csv", "--excel"],
    ["--from", "2026-11-21T08:00:00+08:00", "--to", "2026-11-22T12:00:00+08:00", "-f", "json"],
    ["--from", "2020-01-01", "--to", "2020-01-02"],  # nothing in the range
    [], ["-f", "csv"],  # today, by the machine's clock: both runs read the same day
    ["--from", "2026-11-23", "--to", "2026-11-20"], ["--from", "2026-13-40"], [*WEEK, "-f", "xlsx"],
    [*WEEK, "-f", "csv", "-o", "no-such-folder/v.csv"],
], ids=lambda line: " ".join(line) or "today")
def test_a_light_violations_report_prints_what_the_ordinary_open_prints(ledger_station, db_path, tmp_path, line):
    light_run, light_modules = run(["report", "violations", *line], db_path, tmp_path)
    ordinary, ordinary_modules = run(["report", "violations", *line], db_path, tmp_path, wrapper=ORDINARY)
    assert {"sqlalchemy", "stationdesk.bootstrap", "typer"} <= ordinary_modules  # two paths compared
    assert loaded(light_modules, NEVER) == []
    assert (light_run.returncode, light_run.stdout) == (ordinary.returncode, ordinary.stdout), line
    assert light_run.stderr.split("\nMODULES ")[0] == ordinary.stderr.split("\nMODULES ")[0], line
    assert light_run.returncode == (1 if "no-such-folder/v.csv" in line or "xlsx" in line or "2026-13-40" in line
                                    or line[:2] == ["--from", "2026-11-23"] else 0), light_run.stderr


def test_a_light_violations_workbook_holds_what_the_ordinary_one_holds(ledger_station, db_path, tmp_path):
    from openpyxl import load_workbook

    sheets = []
    for name, wrapper in (("light", WRAPPER), ("ordinary", ORDINARY)):
        path = tmp_path / f"{name}.xlsx"
        out, modules = run(["report", "violations", *WEEK, "-f", "xlsx", "-o", str(path)], db_path, tmp_path,
                           wrapper=wrapper)
        assert out.returncode == 0 and f"({ledger_station['count']} 条违规 -> {path})" in out.stderr, out.stderr
        assert ("sqlalchemy" in modules) == (name == "ordinary")
        book = load_workbook(path)
        sheets.append([(ws.title, list(ws.iter_rows(values_only=True))) for ws in book])
    assert sheets[0] == sheets[1] and sheets[0][0][0] == "违规明细" and len(sheets[0][0][1]) == ledger_station["count"] + 1


def test_with_accounts_the_violations_report_signs_in_and_needs_a_supervisor(ledger_station, db_path, tmp_path):
    from stationdesk.bootstrap import open_desk
    from stationdesk.domain.roles import Operator
    from stationdesk.services.operators import add_user

    desk = open_desk(db_path, tmp_path / "none.toml", hasher=cheap_hasher())
    try:
        admin = add_user(desk, "王芳", "admin", "correct horse 42", by=Operator("")).operator
        add_user(desk, "李四", "clerk", "battery staple 7", by=admin)
        add_user(desk, "张主管", "supervisor", "stapler horse 9", by=admin)
    finally:
        desk.db.dispose()
    anonymous, _ = run(["report", "violations", *WEEK], db_path, tmp_path)
    assert anonymous.returncode == 1 and "需要登录" in anonymous.stderr and anonymous.stdout == ""
    clerk, _ = run(["report", "violations", *WEEK], db_path, tmp_path,
                   STATIONDESK_OPERATOR="李四", STATIONDESK_PASSWORD="battery staple 7")
    assert clerk.returncode == 1 and "主管" in clerk.stderr and clerk.stdout == ""
    wrong, _ = run(["report", "violations", *WEEK], db_path, tmp_path,
                   STATIONDESK_OPERATOR="张主管", STATIONDESK_PASSWORD="wrong")
    assert wrong.returncode == 1 and wrong.stdout == ""
    supervisor, modules = run(["report", "violations", *WEEK, "-f", "jsonl"], db_path, tmp_path,
                              STATIONDESK_OPERATOR="张主管", STATIONDESK_PASSWORD="stapler horse 9")
    assert supervisor.returncode == 0, supervisor.stderr[-2000:]
    assert len(supervisor.stdout.splitlines()) == ledger_station["count"]
    assert "stationdesk.bootstrap" in modules  # signing in counts the attempt: the ordinary open
