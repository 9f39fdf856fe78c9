"""Administration needs the right person: re-initialising a station with accounts needs the config
permission; seed runs only on a demo database, as often as wanted."""

import sqlite3

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from tests.conftest import cheap_hasher, feed_row, snapshot_db, write_csv

ADMIN = {"STATIONDESK_OPERATOR": "王芳", "STATIONDESK_PASSWORD": "admin-pass-1"}
CLERK = {"STATIONDESK_OPERATOR": "张敏", "STATIONDESK_PASSWORD": "clerk-pass-1"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONDESK_DB", str(tmp_path / "s.db"))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    for name in ("STATIONDESK_OPERATOR", "STATIONDESK_PASSWORD", "STATIONDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args, env=None):
        return runner.invoke(app, list(args), env=env or {}, obj=cheap_hasher())

    invoke.db = tmp_path / "s.db"
    return invoke


def test_seed_runs_again_and_again_on_a_demo_database(run):
    assert run("init", "--station", "HZ001").exit_code == 0
    for _ in range(3):
        out = run("seed", "--orders", "100")
        assert out.exit_code == 0, out.output
    con = sqlite3.connect(run.db)
    assert con.execute("SELECT count(*), count(DISTINCT logistics_no) FROM orders").fetchone() == (300, 300)
    con.close()
    assert run("check").exit_code == 0


def test_seed_is_refused_on_a_station_with_real_orders_or_accounts(run, tmp_path):
    assert run("init", "--station", "HZ001").exit_code == 0
    assert run("import", str(write_csv(tmp_path / "f.csv", [feed_row(1)]))).exit_code == 0
    before = snapshot_db(run.db)
    refused = run("seed", "--orders", "10")
    assert refused.exit_code == 1 and "真实数据库" in refused.stderr
    assert snapshot_db(run.db) == before


def test_init_on_a_station_with_accounts_needs_the_config_permission(run, tmp_path):
    assert run("init", "--station", "HZ001").exit_code == 0
    assert run("user", "add", "王芳", "--role", "admin", env={"STATIONDESK_NEW_PASSWORD": "admin-pass-1"}).exit_code == 0
    assert run("user", "add", "张敏", "--role", "clerk", env={**ADMIN, "STATIONDESK_NEW_PASSWORD": "clerk-pass-1"}).exit_code == 0
    directory = tmp_path / "stations.csv"
    directory.write_text("code,name,province,districts,kind\nHZ001,西湖,浙江省,西湖区;滨江区,station\n"
                         "DC000,数据中心,-,,datacenter\n", encoding="utf-8")
    before = snapshot_db(run.db)
    for env in ({}, CLERK, {**ADMIN, "STATIONDESK_PASSWORD": "wrong-password"}):
        refused = run("init", "--station", "HZ001", "--stations", str(directory), env=env)
        assert refused.exit_code == 1, (env, refused.output)
    assert snapshot_db(run.db)["station"] == before["station"]
    assert run("seed", "--orders", "10", env=ADMIN).exit_code == 1  # accounts: not a demo database
    done = run("init", "--station", "HZ001", "--stations", str(directory), env=ADMIN)
    assert done.exit_code == 0, done.output
    assert "滨江区" in done.output
