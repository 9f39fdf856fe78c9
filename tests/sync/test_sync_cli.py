"""The sync commands end to end on a real PostgreSQL: hq init/import/cancel, sync, conflicts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from stationdesk.cli import app
from pathlib import Path

from tests.conftest import feed_row, write_csv
from tests.sync.conftest import HQService


def test_hq_import_sync_cancel_and_conflicts_from_the_command_line(hq_url, tmp_path):
    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    assert cli("hq", "init", "--url", hq_url).exit_code == 0
    feed = write_csv(tmp_path / "feed.csv", [feed_row(1), feed_row(2, sender_district="拱墅区"), feed_row(3)])
    out = cli("hq", "import", str(feed), "--url", hq_url)
    assert out.exit_code == 0, out.output
    assert "导入 3 (HZ001 2, HZ002 1)" in out.stdout
    db = str(tmp_path / "hz1.db")
    assert cli("init", "--station", "HZ001", "--db", db).exit_code == 0
    cfg = str(tmp_path / "none.toml")
    issued = cli("hq", "station", "add", "HZ001", "--url", hq_url)
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("sdt_") and len(token) > 40
    again = cli("hq", "station", "add", "HZ001", "--url", hq_url)
    assert again.exit_code == 1 and "rotate" in again.stderr
    listed = json.loads(cli("hq", "station", "list", "--url", hq_url, "--format", "json").stdout)
    assert [(r["station"], r["state"]) for r in listed] == [("HZ001", "live")] and token not in str(listed)
    service = HQService(hq_url)
    service.start()
    try:
        run_station_side(cli, runner, service.url, token, hq_url, db, cfg)
    finally:
        service.stop()


def run_station_side(cli, runner, sync_url, token, hq_url, db, cfg):  # noqa: ANN001
    def cli(*args: str):  # noqa: F811  the station's commands carry the token in the environment only
        return runner.invoke(app, list(args), catch_exceptions=False, env={"STATIONDESK_HQ_TOKEN": token})

    no_token = runner.invoke(app, ["sync", "--hq", sync_url, "--db", db, "--config", cfg],
                             env={"STATIONDESK_HQ_TOKEN": "", "XDG_CONFIG_HOME": str(Path(db).parent / "cfg")})
    assert no_token.exit_code == 1 and "STATIONDESK_HQ_TOKEN" in no_token.stderr
    first = cli("sync", "--hq", sync_url, "--db", db, "--config", cfg)
    assert first.exit_code == 0, first.output
    assert "上传 0, 确认 0, 驳回 0, 冲突 0, 拉取 2" in first.stdout

    assert cli("hq", "cancel", "LP00000001", "--url", hq_url).exit_code == 0
    assert cli("orders", "accept", "LP00000001", "--db", db, "--config", cfg, "--operator", "张敏").exit_code == 0
    second = cli("sync", "--hq", sync_url, "--db", db, "--config", cfg)
    assert "上传 1, 确认 1, 驳回 1, 冲突 1, 拉取 2" in second.stdout
    assert "LP00000001" in second.stderr

    listed = cli("conflicts", "list", "--db", db, "--config", cfg, "--format", "json")
    (conflict,) = json.loads(listed.stdout)
    assert (conflict["logistics_no"], conflict["kind"], conflict["hq_status"]) == ("LP00000001", "rejected", "cancelled")
    bad = cli("conflicts", "resolve", str(conflict["id"]), "--note", " ", "--db", db, "--config", cfg, "--operator", "张敏")
    assert bad.exit_code == 1 and "处理结果" in bad.stderr
    ok = cli("conflicts", "resolve", str(conflict["id"]), "--note", "已做撤单处理", "--db", db, "--config", cfg,
             "--operator", "张敏")
    assert ok.exit_code == 0
    assert json.loads(cli("conflicts", "list", "--db", db, "--config", cfg, "--format", "json").stdout) == []

    (used,) = json.loads(cli("hq", "station", "list", "--url", hq_url, "--format", "json").stdout)
    assert used["state"] == "live" and used["last_used_at"] is not None
    revoked = cli("hq", "station", "revoke", "HZ001", "--url", hq_url)
    assert revoked.exit_code == 0
    refused = cli("sync", "--hq", sync_url, "--db", db, "--config", cfg)
    assert refused.exit_code == 1 and "已吊销" in refused.stderr and token not in refused.stderr
    listed = json.loads(cli("hq", "review", "--url", hq_url, "--format", "json").stdout)
    assert [r["kind"] for r in listed] == ["token_refused"] and token not in str(listed)
    rotated = cli("hq", "station", "rotate", "HZ001", "--url", hq_url)
    assert rotated.exit_code == 1 and "add" in rotated.stderr  # nothing live to rotate: add a new one


def test_sync_without_a_head_office_url_says_how_to_give_one(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "hz1.db")
    assert runner.invoke(app, ["init", "--station", "HZ001", "--db", db]).exit_code == 0
    out = runner.invoke(app, ["sync", "--db", db, "--config", str(tmp_path / "none.toml")], env={"STATIONDESK_HQ_URL": ""})
    assert out.exit_code == 1 and "--hq URL" in out.stderr


def test_a_url_that_is_not_postgresql_is_refused(tmp_path):
    out = CliRunner().invoke(app, ["hq", "init", "--url", "sqlite:///x.db"])
    assert out.exit_code == 1 and "不是 PostgreSQL" in out.stderr


def test_a_database_url_as_the_sync_address_is_refused_with_the_reason(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "hz1.db")
    assert runner.invoke(app, ["init", "--station", "HZ001", "--db", db]).exit_code == 0
    out = runner.invoke(app, ["sync", "--hq", "postgresql+psycopg://u:secret@10.0.0.1/hq", "--db", db, "--config",
                              str(tmp_path / "none.toml")], env={"STATIONDESK_HQ_TOKEN": "sdt_x"})
    assert out.exit_code == 1 and "数据库地址" in out.stderr and "secret" not in out.stderr
    plain = runner.invoke(app, ["sync", "--hq", "http://10.0.0.1:8700", "--db", db, "--config",
                                str(tmp_path / "none.toml")], env={"STATIONDESK_HQ_TOKEN": "sdt_x"})
    assert plain.exit_code == 1 and "https://" in plain.stderr


def test_save_token_writes_an_owner_only_file_that_sync_reads(tmp_path):
    import os
    import stat

    runner = CliRunner()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "STATIONDESK_HQ_TOKEN": ""}
    out = runner.invoke(app, ["sync", "--save-token"], input="sdt_secret-token\n", env=env)
    assert out.exit_code == 0, out.output
    path = tmp_path / "cfg" / "stationdesk" / "hq-token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and path.read_text().strip() == "sdt_secret-token"
    assert "sdt_secret-token" not in out.output  # said once by head office, never echoed back
    db = str(tmp_path / "hz1.db")
    assert runner.invoke(app, ["init", "--station", "HZ001", "--db", db]).exit_code == 0
    os.chmod(path, 0o640)
    loose = runner.invoke(app, ["sync", "--hq", "http://127.0.0.1:9", "--db", db, "--config",
                                str(tmp_path / "none.toml")], env=env)
    assert loose.exit_code == 1 and "chmod 600" in loose.stderr and "sdt_secret-token" not in loose.stderr
