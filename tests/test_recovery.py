"""A damaged station is always recoverable: on a real damaged file (truncated, garbage pages, a
garbage header, a broken audit chain) `check` names the damage without a traceback, commands say
what to do, an admin restores onto it signing in against the backup, backups go on being taken
(marked) while the chain is broken, and the desk shows the damage to everyone until an admin acts."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.services import backup as backups
from tests.conftest import cheap_hasher, feed_row, write_csv

ADMIN = {"STATIONDESK_OPERATOR": "王芳", "STATIONDESK_PASSWORD": "admin-pass-1"}


@pytest.fixture
def station(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    monkeypatch.setenv("STATIONDESK_DB", str(db))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    for name in ("STATIONDESK_OPERATOR", "STATIONDESK_PASSWORD", "STATIONDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args, env=None):
        return runner.invoke(app, list(args), env=env or {}, obj=cheap_hasher())

    assert run("init", "--station", "HZ001").exit_code == 0
    assert run("import", str(write_csv(tmp_path / "f.csv", [feed_row(i) for i in range(400)]))).exit_code == 0
    added = run("user", "add", "王芳", "--role", "admin", env={"STATIONDESK_NEW_PASSWORD": "admin-pass-1"})
    assert added.exit_code == 0, added.output
    made = run("backup", str(tmp_path / "good.db"), env=ADMIN)
    assert made.exit_code == 0, made.output
    run.db, run.good = db, tmp_path / "good.db"
    return run


def settle_file(db: Path) -> None:
    """Everything in the main file (no WAL beside it), as after a clean shutdown."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def truncate(db: Path) -> None:
    settle_file(db)
    with open(db, "rb+") as f:
        f.truncate(os.path.getsize(db) // 2)


def garble_pages(db: Path) -> None:
    settle_file(db)
    data = bytearray(db.read_bytes())
    for offset in range(len(data) // 3, len(data) // 3 + 16384):
        data[offset] ^= 0x5A
    db.write_bytes(bytes(data))


def garble_header(db: Path) -> None:
    settle_file(db)
    data = bytearray(db.read_bytes())
    data[:100] = b"\x00" * 100
    db.write_bytes(bytes(data))


DAMAGE = {"truncated": truncate, "garbage pages": garble_pages, "garbage header": garble_header}


def no_traceback(result) -> None:
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_file_is_named_and_an_admin_restores_onto_it(station, kind):  # check exits 5: damage found
    DAMAGE[kind](station.db)
    checked = station("check", env=ADMIN)
    no_traceback(checked)
    assert checked.exit_code == 5 and "restore" in checked.stderr  # names the damage and what to do
    feed = write_csv(station.db.parent / "more.csv", [feed_row(i) for i in range(1000, 1400)])
    for args in (("orders", "list"), ("import", str(feed)), ("backup", str(station.db.parent / "b2.db"))):
        out = station(*args, env=ADMIN)
        no_traceback(out)  # what can still be read is shown; what cannot says what to do
        assert out.exit_code == 0 or "stationdesk check" in out.stderr, (args, out.output)
    refused = station("restore", str(station.good), env={**ADMIN, "STATIONDESK_PASSWORD": "wrong-password"})
    no_traceback(refused)
    assert refused.exit_code == 1 and "用户名或密码错误" in refused.stderr
    back = station("restore", str(station.good), env=ADMIN)
    assert back.exit_code == 0, back.output
    assert station("check", env=ADMIN).exit_code == 0
    listed = station("orders", "list", "--format", "json", env=ADMIN)
    assert listed.exit_code == 0 and "LP00000399" in listed.stdout
    assert len(list(station.db.parent.glob("s.before-restore-*.db"))) == 1  # the damaged file is kept


def test_a_broken_chain_does_not_stop_backups_and_the_desk_shows_it_until_an_admin_acts(station, tmp_path):
    con = sqlite3.connect(station.db)
    con.execute("UPDATE order_event SET operator = '某人' WHERE id = 7")  # edited behind the app's back
    con.commit()
    con.close()
    checked = station("check", env=ADMIN)
    assert checked.exit_code == 5 and "审计" in checked.stderr
    made = station("backup", str(tmp_path / "after.db"), env=ADMIN)
    assert made.exit_code == 0, made.output
    assert "审计链断开" in made.stderr
    assert backups.verify(tmp_path / "after.db").damaged_chain  # the copy says what it is a copy of
    daily = station("backup", "--daily", env=ADMIN)
    assert daily.exit_code == 0, daily.output
    from stationdesk.bootstrap import open_desk
    from stationdesk.services.damage import unacknowledged

    desk = open_desk(station.db, tmp_path / "none.toml", hasher=cheap_hasher())
    try:
        assert unacknowledged(desk.db) and "7" in unacknowledged(desk.db)
    finally:
        desk.db.dispose()
    clerk = station("user", "add", "张敏", "--role", "clerk", env={**ADMIN, "STATIONDESK_NEW_PASSWORD": "clerk-pass-1"})
    assert clerk.exit_code == 0
    refused = station("audit", "acknowledge", env={"STATIONDESK_OPERATOR": "张敏", "STATIONDESK_PASSWORD": "clerk-pass-1"})
    assert refused.exit_code == 1 and "权限不足" in refused.stderr
    assert station("audit", "acknowledge", env=ADMIN).exit_code == 0
    desk = open_desk(station.db, tmp_path / "none.toml", hasher=cheap_hasher())
    try:
        assert unacknowledged(desk.db) is None
    finally:
        desk.db.dispose()


def test_odd_names_are_skipped_and_a_killed_backups_leftovers_are_removed(station, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    odd = folder / "station-HZ001-2026-13-45.db"
    odd.write_bytes(b"not a backup")
    (folder / "station-HZ001-2026-11-20.db.partial").write_bytes(b"half a copy")
    (folder / "station-HZ001-2026-11-20.db.partial-journal").write_bytes(b"x")
    from stationdesk.bootstrap import open_desk

    desk = open_desk(station.db, tmp_path / "none.toml", hasher=cheap_hasher())
    try:
        warnings: list[str] = []
        made, removed = backups.daily(desk.db, folder, "HZ001", date(2026, 11, 23), 7, warnings)
    finally:
        desk.db.dispose()
    assert made is not None and made.path.name == "station-HZ001-2026-11-23.db"
    assert [p.name for p in removed] == ["station-HZ001-2026-11-20.db.partial"]
    assert odd.exists() and len(warnings) == 1 and "2026-13-45" in warnings[0]
    assert sorted(p.name for p in folder.iterdir()) == ["station-HZ001-2026-11-23.db", odd.name]


def test_a_partial_that_another_terminal_is_writing_is_left_alone(tmp_path):
    partial = tmp_path / "station-HZ001-2026-11-23.db.partial"
    partial.write_bytes(b"being written")
    with backups._Claim(partial) as claimed:
        assert claimed
        assert backups.remove_leftovers(tmp_path) == []
        assert partial.exists()
    assert backups.remove_leftovers(tmp_path) == [partial] and not partial.exists()


def test_a_stored_time_out_of_range_is_named_not_a_traceback(station):
    con = sqlite3.connect(station.db)  # as an older version could import it
    con.execute("UPDATE orders SET order_time = '9999-12-31T09:59:59.000000Z' WHERE logistics_no = 'LP00000005'")
    con.commit()
    con.close()
    listed = station("orders", "list", "--format", "json", env=ADMIN)
    no_traceback(listed)
    assert listed.exit_code == 1 and "stationdesk check" in listed.stderr
    checked = station("check", env=ADMIN)
    assert checked.exit_code == 5 and "时间超出范围" in checked.stderr and "LP00000005" in checked.stderr
