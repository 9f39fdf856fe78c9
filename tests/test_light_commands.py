"""The commands a shell, a cron line or a status bar runs all day read with sqlite3 alone: each is
run here as a new `stationdesk` process, and what it loaded is checked when it exits.

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
NEVER = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "argon2", "textual", "stationdesk.bootstrap", "stationdesk.store.engine",
         "stationdesk.store.tables", "stationdesk.store.queries", "stationdesk.services.recording",
         "stationdesk.services.ledger", "stationdesk.services.operators")


def run(args: list[str], db: Path, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STATIONDESK_")}
    environ.update(STATIONDESK_LOG_DIR=str(tmp_path / "logs"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
                   XDG_DATA_HOME=str(tmp_path / "xdg-data"), COLUMNS="200", **env)
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args, "--db", str(db), "--config", str(tmp_path / "none.toml")],
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
    assert loaded(modules, NEVER + ("rich", "logging.handlers")) == []  # nothing to log: the file is not made


def test_a_refused_read_is_still_logged(station, db_path, tmp_path):
    out, _ = run(["orders", "show", "LP-NO-SUCH"], db_path, tmp_path)
    assert out.returncode == 1 and "LP-NO-SUCH" in out.stderr
    assert "refused orders_show" in (tmp_path / "logs" / "stationdesk.log").read_text(encoding="utf-8")


def test_orders_list_with_a_limit_reads_with_sqlite3_alone(station, db_path, tmp_path):
    out, modules = run(["orders", "list", "--from", station["day"], "--to", station["day"], "--limit", "5"],
                       db_path, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(out.stdout.strip().splitlines()) == 6 and "(5 orders)" in out.stderr  # a heading and five rows
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
