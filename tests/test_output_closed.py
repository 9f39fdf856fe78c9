"""A listing piped into a program that stops reading early (`stationdesk orders list | head`):
the command stops quietly with its own exit code, as a tool the pipe's signal ends, on the light
path and on the ordinary one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stationdesk.cli.exits import ExitCode
from stationdesk.services.seed import seed

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from stationdesk.cli import main; main()"]


@pytest.fixture
def listing(desk, db_path, tmp_path):
    seed(desk, 1500, seed_value=5, days=3)
    desk.db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONDESK_")}
    env.update(STATIONDESK_DB=str(db_path), STATIONDESK_CONFIG=str(tmp_path / "none.toml"),
               STATIONDESK_LOG_DIR=str(tmp_path / "logs"), STATIONDESK_OPERATOR="主管王")
    return env


@pytest.mark.parametrize("extra", [["--limit", "100000"], []], ids=["light", "ordinary"])
def test_a_reader_that_stops_early_ends_the_listing_quietly(listing, extra):
    # with --limit the listing is a light command (cli/light.py); without, Typer's
    args = ["orders", "list", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "csv", *extra]
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=listing, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does once it has its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == ExitCode.OUTPUT_CLOSED, err
    assert first.count(b",") > 5  # the listing had begun: its header line
    assert "Traceback" not in err and "Broken pipe" not in err and "Exception ignored" not in err, err
