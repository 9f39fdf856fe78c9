"""The wheel as an admin installs it: built from this tree, installed into a fresh virtual
environment outside the repository, then init, config init, an import of a shipped sample, check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, ok: tuple[int, ...] = (0,)):
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=1200)
    assert done.returncode in ok, f"{' '.join(map(str, cmd))} -> {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of this tree (building leaves build/ and *.egg-info behind)."""
    where = tmp_path_factory.mktemp("wheel")
    source = where / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "test-output", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        "*.db", "*.db-wal", "*.db-shm", "benchmarks"))
    dist = where / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)], cwd=where)
    return next(dist.glob("stationdesk-*.whl"))


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_runs(tmp_path, wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"stationdesk/data/config.toml", "stationdesk/data/samples/sample_feed.csv",
            "stationdesk/data/samples/sample_feed.jsonl", "stationdesk/data/stations.csv"} <= names
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)])
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STATIONDESK_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_STATE_HOME=str(tmp_path / "state"), STATIONDESK_OPERATOR="张敏")
    sd = str(venv / "bin" / "stationdesk")
    version = _run([sd, "--version"], env=env, cwd=work)
    assert version.stdout.startswith("stationdesk ")
    assert "site-packages" in _run([str(venv / "bin" / "python"), "-c", "import stationdesk; print(stationdesk.__file__)"],
                                   env=env, cwd=work).stdout
    _run([sd, "config", "init"], env=env, cwd=work)
    assert (tmp_path / "cfg" / "stationdesk" / "config.toml").read_text(encoding="utf-8") == \
        (REPO / "config.toml").read_text(encoding="utf-8")
    _run([sd, "init", "--station", "HZ001"], env=env, cwd=work)
    _run([sd, "config", "samples", str(work)], env=env, cwd=work)
    imported = _run([sd, "import", str(work / "sample_feed.csv")], env=env, cwd=work, ok=(0, 4))
    assert "导入 5," in imported.stdout
    checked = _run([sd, "check"], env=env, cwd=work)
    assert ": 正常 (" in checked.stdout


@pytest.mark.slow
def test_the_wheel_installs_as_a_uv_tool(tmp_path, wheel):
    """`uv tool install` of the built wheel (uv from PyPI), as an admin who keeps tools apart."""
    tools = tmp_path / "tools"
    _run([sys.executable, "-m", "venv", str(tools)])
    _run([str(tools / "bin" / "python"), "-m", "pip", "install", "-q", "uv"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STATIONDESK_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path / "home"), UV_TOOL_DIR=str(tmp_path / "uv-tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin"),
               UV_CACHE_DIR=str(tmp_path / "uv-cache"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "cfg"), STATIONDESK_OPERATOR="张敏")
    _run([str(tools / "bin" / "uv"), "tool", "install", "--python", sys.executable, str(wheel)], env=env, cwd=tmp_path)
    sd = str(tmp_path / "bin" / "stationdesk")
    assert _run([sd, "--version"], env=env, cwd=tmp_path).stdout.startswith("stationdesk ")
    _run([sd, "init", "--station", "HZ001"], env=env, cwd=tmp_path)
    assert ": 正常 (" in _run([sd, "check"], env=env, cwd=tmp_path).stdout


@pytest.mark.slow
def test_the_wheel_installs_with_pipx(tmp_path, wheel):
    """`pipx install` of the built wheel (pipx from PyPI): the command lands on the admin's PATH."""
    tools = tmp_path / "tools"
    _run([sys.executable, "-m", "venv", str(tools)])
    _run([str(tools / "bin" / "python"), "-m", "pip", "install", "-q", "pipx"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STATIONDESK_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path / "home"), PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"),
               PIPX_MAN_DIR=str(tmp_path / "man"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "cfg"), STATIONDESK_OPERATOR="张敏")
    _run([str(tools / "bin" / "pipx"), "install", "--python", sys.executable, str(wheel)], env=env, cwd=tmp_path)
    sd = str(tmp_path / "bin" / "stationdesk")
    assert _run([sd, "--version"], env=env, cwd=tmp_path).stdout.startswith("stationdesk ")
    _run([sd, "init", "--station", "HZ001"], env=env, cwd=tmp_path)
    _run([sd, "config", "samples", str(tmp_path)], env=env, cwd=tmp_path)
    assert "导入 5," in _run([sd, "import", str(tmp_path / "sample_feed.csv")], env=env, cwd=tmp_path,
                                ok=(0, 4)).stdout
    assert ": 正常 (" in _run([sd, "check"], env=env, cwd=tmp_path).stdout
