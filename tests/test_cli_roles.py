"""The command line acts as a named operator: credentials from the environment, roles checked
like the desk checks them, and the station open (as before accounts) until the first admin."""

from __future__ import annotations

import re

import sqlite3

import pytest
import typer.main
from typer.testing import CliRunner

from stationdesk.cli import app
from tests.conftest import cheap_hasher, feed_row, snapshot_db, write_csv

PASSWORDS = {"王芳": "admin-pass-1", "李强": "super-pass-1", "张敏": "clerk-pass-1"}


def rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def cli(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    monkeypatch.setenv("STATIONDESK_DB", str(db))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    for name in ("STATIONDESK_OPERATOR", "STATIONDESK_PASSWORD", "STATIONDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args, as_: str | None = None, password: str | None = None, new_password: str | None = None):
        env = {}
        if as_ is not None:
            env["STATIONDESK_OPERATOR"] = as_
            env["STATIONDESK_PASSWORD"] = PASSWORDS.get(as_, "") if password is None else password
        if new_password is not None:
            env["STATIONDESK_NEW_PASSWORD"] = new_password
        return runner.invoke(app, list(args), env=env, obj=cheap_hasher())

    run.db = db
    assert run("init", "--station", "HZ001").exit_code == 0
    assert run("import", str(write_csv(tmp_path / "f.csv", [feed_row(1), feed_row(2)]))).exit_code == 0
    return run


@pytest.fixture
def staffed(cli):
    """An admin 王芳 (the first account, added while the station was open), a supervisor 李强 and a clerk 张敏."""
    first = cli("user", "add", "王芳", "--role", "admin", new_password=PASSWORDS["王芳"])
    assert first.exit_code == 0, first.output
    for name, role in (("李强", "supervisor"), ("张敏", "clerk")):
        added = cli("user", "add", name, "--role", role, as_="王芳", new_password=PASSWORDS[name])
        assert added.exit_code == 0, added.output
    return cli


SUPERVISOR_COMMANDS = [
    ("report", "violations", "--from", "2026-11-01", "--to", "2026-11-30"),
    ("report", "weekly", "--week", "2026-11-23"),
    ("report", "monthly", "--month", "2026-11"),
    ("report", "refunds", "--from", "2026-10"),
    ("report", "appeal", "LP00000001", "--kind", "late_accept", "--note", "系统延迟"),
    ("report", "unscanned", "--full-phones", "--from", "2026-11-01", "--to", "2026-11-30"),
]
ADMIN_COMMANDS = [
    ("user", "add", "赵六", "--role", "clerk"),
    ("user", "disable", "王芳"),
    ("user", "passwd", "王芳"),
    ("user", "list"),
]


def test_a_clerk_is_refused_every_supervisor_and_admin_command_with_one_line(staffed):
    before = snapshot_db(staffed.db)
    for args in SUPERVISOR_COMMANDS + ADMIN_COMMANDS:
        result = staffed(*args, as_="张敏", new_password="new-pass-123")
        assert result.exit_code == 1, (args, result.output)
        assert result.stdout == "", args
        assert result.stderr.count("\n") == 1, (args, result.stderr)
        assert "权限不足: 网点员工不能使用" in result.stderr, (args, result.stderr)
        need = "需要管理员" if args[0] == "user" else "需要主管"
        assert need in result.stderr, (args, result.stderr)
    assert snapshot_db(staffed.db) == before  # nothing written, not even an access log row


def test_a_supervisor_may_run_the_reports_but_not_manage_accounts(staffed):
    for args in SUPERVISOR_COMMANDS[:4]:
        result = staffed(*args, as_="李强")
        assert result.exit_code == 0, (args, result.output)
    for args in ADMIN_COMMANDS:
        result = staffed(*args, as_="李强", new_password="new-pass-123")
        assert result.exit_code == 1 and "需要管理员" in result.stderr, (args, result.output)


def test_full_phones_writes_the_access_log_for_each_order_shown(staffed):
    for n in (1, 2):
        assert staffed("orders", "accept", f"LP0000000{n}", as_="张敏").exit_code == 0
    masked = staffed("report", "unscanned", "--from", "2026-11-01", "--to", "2026-12-31", as_="张敏")
    assert masked.exit_code == 0 and "138****5678" in masked.stdout and "13812345678" not in masked.stdout
    assert rows(staffed.db, "SELECT count(*) FROM access_log") == [(0,)]
    full = staffed("report", "unscanned", "--full-phones", "--from", "2026-11-01", "--to", "2026-12-31", as_="李强")
    assert full.exit_code == 0, full.output
    assert full.stdout.count("13812345678") == 2
    assert rows(staffed.db, "SELECT operator, what FROM access_log") == [("李强", "phone"), ("李强", "phone")]


def test_credentials_come_from_the_environment_and_are_checked(staffed):
    no_name = staffed("orders", "list")
    assert no_name.exit_code == 1 and "STATIONDESK_OPERATOR" in no_name.stderr
    wrong = staffed("orders", "list", as_="张敏", password="not-my-password")
    unknown = staffed("orders", "list", as_="没有这个人", password="not-my-password")
    assert wrong.exit_code == unknown.exit_code == 1
    assert wrong.stderr == unknown.stderr and "用户名或密码错误" in wrong.stderr
    assert "not-my-password" not in wrong.output
    ok = staffed("orders", "list", as_="张敏")
    assert ok.exit_code == 0 and "LP00000001" in ok.stdout


def test_no_password_in_the_environment_and_no_terminal_is_refused(staffed):
    result = CliRunner().invoke(app, ["orders", "list"], env={"STATIONDESK_OPERATOR": "张敏"})
    assert result.exit_code == 1 and "STATIONDESK_PASSWORD" in result.stderr


def test_the_operator_option_signs_in_as_that_person_and_events_record_them(staffed):
    # 张敏's password does not let anyone act as 李强 through --operator
    posing = staffed("orders", "accept", "LP00000001", "--operator", "李强", as_="张敏")
    assert posing.exit_code == 1 and "用户名或密码错误" in posing.stderr
    done = staffed("orders", "accept", "LP00000001", as_="张敏")
    assert done.exit_code == 0, done.output
    assert rows(staffed.db, "SELECT operator FROM order_event WHERE action = 'accept'") == [("张敏",)]


def test_resolving_a_conflict_records_the_person_who_signed_in(staffed):
    conn = sqlite3.connect(staffed.db)
    conn.execute("INSERT INTO sync_conflict (op_id, seq, order_id, source, logistics_no, kind, action, message,"
                 " detected_at) VALUES ('op-1', 1, 1, '淘宝', 'LP00000001', 'rejected', 'accept', '被拒绝',"
                 " '2026-11-23T02:00:00.000000Z')")
    conn.commit()
    conn.close()
    posing = staffed("conflicts", "resolve", "1", "--note", "已做撤单处理", "--operator", "李强", as_="张敏")
    assert posing.exit_code == 1 and "用户名或密码错误" in posing.stderr
    done = staffed("conflicts", "resolve", "1", "--note", "已做撤单处理", as_="张敏")
    assert done.exit_code == 0, done.output
    assert rows(staffed.db, "SELECT resolved_by FROM sync_conflict") == [("张敏",)]


def test_lockout_reaches_the_command_line(staffed):
    for _ in range(5):
        assert staffed("orders", "list", as_="张敏", password="wrong-password").exit_code == 1
    locked = staffed("orders", "list", as_="张敏")
    assert locked.exit_code == 1 and "用户名或密码错误" in locked.stderr  # answered as an unknown name is


def test_no_command_has_a_password_option():
    def walk(cmd):
        yield cmd
        if hasattr(cmd, "commands"):  # a group of commands
            for sub in cmd.commands.values():
                yield from walk(sub)

    names = [opt for cmd in walk(typer.main.get_command(app)) for p in cmd.params for opt in p.opts]
    assert "--operator" in names and "--full-phones" in names  # the walk sees the commands
    assert not [n for n in names if "pass" in n.lower() or "secret" in n.lower()]
    result = CliRunner().invoke(app, ["orders", "list", "--password", "x"])
    assert result.exit_code == 2 and "--password" in result.output


def test_users_change_their_own_password_with_the_old_one(staffed):
    mine = staffed("user", "passwd", as_="张敏", new_password="clerk-pass-2")
    assert mine.exit_code == 0, mine.output
    assert staffed("orders", "list", as_="张敏").exit_code == 1
    assert staffed("orders", "list", as_="张敏", password="clerk-pass-2").exit_code == 0
    listed = staffed("user", "list", as_="王芳")
    assert listed.exit_code == 0 and re.search(r"^张敏\s+clerk\s+网点员工", listed.stdout, re.M)


def test_open_mode_works_as_before_and_check_warns(cli):
    accepted = cli("orders", "accept", "LP00000001", "--operator", "随便谁")
    assert accepted.exit_code == 0, accepted.output
    assert rows(cli.db, "SELECT operator FROM order_event WHERE action = 'accept'") == [("随便谁",)]
    assert cli("report", "violations", "--from", "2026-11-01").exit_code == 0
    check = cli("check")
    assert check.exit_code == 0 and ": 正常 (" in check.stdout
    assert "stationdesk user add NAME --role admin" in check.stderr
    first_clerk = cli("user", "add", "张敏", "--role", "clerk", new_password="clerk-pass-1")
    assert first_clerk.exit_code == 1 and "第一个账号必须是管理员" in first_clerk.stderr
    cli("user", "add", "王芳", "--role", "admin", new_password="admin-pass-1")
    assert "user add" not in cli("check", as_="王芳", password="admin-pass-1").stderr


def test_only_an_admin_may_restore_a_backup_over_the_station_database(staffed, tmp_path):
    made = staffed("backup", str(tmp_path / "b.db"), as_="李强")
    assert made.exit_code == 0, made.output
    before = snapshot_db(staffed.db)
    for who in ("张敏", "李强"):
        refused = staffed("restore", str(tmp_path / "b.db"), as_=who)
        assert refused.exit_code == 1 and "需要管理员" in refused.stderr, refused.output
    assert snapshot_db(staffed.db) == before and not list(tmp_path.glob("*before-restore*"))
    done = staffed("restore", str(tmp_path / "b.db"), as_="王芳")
    assert done.exit_code == 0 and "已恢复" in done.stdout, done.output


def test_a_locked_admin_unlocks_from_the_command_line(staffed):
    for _ in range(6):
        assert staffed("orders", "list", as_="王芳", password="stale-password").exit_code == 1
    assert staffed("orders", "list", as_="王芳").exit_code == 1  # locked
    wrong = staffed("user", "unlock", "王芳", as_="王芳", password="still-wrong")
    assert wrong.exit_code == 1 and "用户名或密码错误" in wrong.stderr
    assert staffed("user", "unlock", "王芳", as_="王芳").exit_code == 0
    assert staffed("orders", "list", as_="王芳").exit_code == 0
