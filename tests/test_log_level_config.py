"""`[log] level` comes from the config the command is given (--config), on the ordinary path and
on the light one, not only from the default config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import feed_row, write_csv

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from stationdesk.cli import main; main()"]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONDESK_")}
    env.update(STATIONDESK_LOG_DIR=str(tmp_path / "logs"), STATIONDESK_OPERATOR="主管王",
               STATIONDESK_CONFIG=str(tmp_path / "default.toml"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=REPO, env=env)


@pytest.mark.parametrize(("level", "logged"), [("ERROR", False), ("INFO", True)])
def test_the_commands_own_config_sets_the_logs_level(tmp_path, level, logged):
    config = tmp_path / "given.toml"
    config.write_text(f'[log]\nlevel = "{level}"\n', encoding="utf-8")
    (tmp_path / "default.toml").write_text('[log]\nlevel = "DEBUG"\n', encoding="utf-8")  # what it used to read
    db = tmp_path / "s.db"
    common = ["--db", str(db), "--config", str(config)]
    assert _run(["init", "--station", "HZ001", "--db", str(db)], tmp_path).returncode == 0
    feed = write_csv(tmp_path / "f.csv", [feed_row(1)])
    done = _run(["import", str(feed), *common], tmp_path)  # Typer's path: logs "import: imported 1" at INFO
    assert done.returncode == 0, done.stderr
    refused = _run(["orders", "show", "LP99999999", f"--config={config}", "--db", str(db)], tmp_path)  # a light read
    assert refused.returncode != 0
    log = (tmp_path / "logs" / "stationdesk.log").read_text(encoding="utf-8")
    assert ("imported 1" in log) is logged, log
    assert ("LP99999999" in log) is logged, log  # a refusal is a WARNING line
