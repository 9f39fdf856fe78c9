"""`stationdesk tui` reads its plain line before Typer is imported (stationdesk.cli.desk_line), so
the desk's first paint does not wait for Typer, click and the command modules; its help and a wrong
line are still Typer's. Each case is a new `stationdesk` process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Print every module loaded, at exit, after the command ran (and exited through sys.exit).
WRAPPER = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["stationdesk", *sys.argv[1:]]
from stationdesk.cli import main
main()
"""


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, timeout=60,
                         cwd=REPO, stdin=subprocess.DEVNULL)
    modules = json.loads(out.stderr.rsplit("MODULES ", 1)[1])
    return out, modules


def test_the_desks_line_is_read_without_typer(tmp_path):
    # no terminal here: the desk refuses, as it always did, but Typer and click were never loaded
    out, modules = _run("tui", "--db", str(tmp_path / "station.db"), "--operator", "张敏")
    assert out.returncode == 1
    assert "桌面需要终端" in out.stderr and "Traceback" not in out.stderr
    assert "typer" not in modules and "click" not in modules


def test_the_desks_help_is_typers(tmp_path):
    out, modules = _run("tui", "--help")
    assert out.returncode == 0 and "--operator" in out.stdout and "--db" in out.stdout
    assert "typer" in modules
