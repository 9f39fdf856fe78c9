"""Backups taken while the desk works, verified before they are kept, and restores that verify first."""

import sqlite3
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.services import accept
from stationdesk.services.backup import backup, daily, restore, verify
from stationdesk.services.setup import init_database
from stationdesk.store.errors import StoreError
from tests.conftest import T0, feed_row, snapshot_db


def _count(path, where="1=1"):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM orders WHERE {where}").fetchone()[0]
    finally:
        con.close()


def test_a_backup_is_a_consistent_snapshot_taken_while_another_terminal_writes(desk, db_path, tmp_path, import_rows):
    import_rows([feed_row(i) for i in range(30)])
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another terminal is in the middle of a write
    other.execute("UPDATE orders SET note = 'half-way' WHERE id = 1")
    made = backup(desk.db, tmp_path / "b.db")
    other.execute("COMMIT")
    other.close()
    assert made.verified.ok, made.verified.problems
    assert (made.verified.orders, made.verified.station) == (30, "HZ001")
    assert _count(made.path, "note = 'half-way'") == 0  # the uncommitted change is not in it
    assert not (tmp_path / "b.db.partial").exists()
    assert sqlite3.connect(made.path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_backup_refuses_to_overwrite_or_to_write_into_a_missing_folder(desk, tmp_path):
    (tmp_path / "taken.db").write_text("keep me")
    with pytest.raises(StoreError, match="已存在"):
        backup(desk.db, tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_text() == "keep me"
    with pytest.raises(StoreError, match="目录不存在"):
        backup(desk.db, tmp_path / "nowhere" / "b.db")
    with pytest.raises(StoreError, match="数据库自身"):
        backup(desk.db, desk.db.path)


def test_verify_names_what_is_wrong_with_a_damaged_or_foreign_file(desk, tmp_path, import_rows):
    import_rows([feed_row(i) for i in range(200)])
    good = backup(desk.db, tmp_path / "good.db").path
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 8192):  # garble pages in the middle
        data[offset] ^= 0x5A
    damaged.write_bytes(bytes(data))
    report = verify(damaged)
    assert not report.ok and report.problems
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE x (a)").connection.commit()
    assert any("不是 stationdesk 数据库" in p for p in verify(foreign).problems)
    assert any("不存在" in p for p in verify(tmp_path / "missing.db").problems)


def test_a_backup_whose_orders_lack_their_events_is_refused_by_verify(desk, tmp_path, import_rows):
    import_rows([feed_row(i) for i in range(5)])
    copy = backup(desk.db, tmp_path / "b.db").path
    con = sqlite3.connect(copy)
    con.execute("UPDATE orders SET version = version + 1 WHERE id = 2")  # changed behind the app's back
    con.commit()
    con.close()
    problems = verify(copy).problems
    assert problems and "LP00000001" in " ".join(problems)


def test_restore_verifies_keeps_the_replaced_database_and_brings_back_the_backup(desk, db_path, tmp_path, import_rows):
    import_rows([feed_row(i) for i in range(10)])
    saved_state = snapshot_db(db_path)
    made = backup(desk.db, tmp_path / "b.db")
    accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")  # work done after the backup
    after_work = snapshot_db(db_path)
    checked, kept = restore(db_path, made.path, now=T0)
    assert checked.ok and kept is not None and kept.exists()
    assert snapshot_db(db_path) == saved_state
    assert snapshot_db(kept) == after_work  # nothing is lost: the replaced state is kept beside it
    # the desk that was open all along reads the restored state
    with desk.db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM orders WHERE status = 'accepted'").scalar() == 0


def test_restore_refuses_a_damaged_backup_or_another_stations_and_changes_nothing(desk, db_path, tmp_path, import_rows):
    import_rows([feed_row(i) for i in range(3)])
    before = snapshot_db(db_path)
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    with pytest.raises(StoreError, match="校验未通过"):
        restore(db_path, bad, now=T0)
    other = tmp_path / "other.db"
    init_database(other, "SH001")
    with pytest.raises(StoreError, match="SH001"):
        restore(db_path, other, now=T0)
    assert snapshot_db(db_path) == before
    assert not list(tmp_path.glob("*before-restore*"))
    checked, _ = restore(db_path, other, now=T0, other_station=True)
    assert checked.station == "SH001"


def test_daily_backup_once_a_day_and_old_ones_removed(desk, tmp_path):
    folder = tmp_path / "backups"
    today = date(2026, 11, 23)
    made, removed = daily(desk.db, folder, "HZ001", today, keep_days=3)
    assert made is not None and made.path.name == "station-HZ001-2026-11-23.db" and removed == []
    again, _ = daily(desk.db, folder, "HZ001", today, keep_days=3)
    assert again is None
    for back in (1, 2, 3, 9):
        (folder / f"station-HZ001-{today - timedelta(days=back):%Y-%m-%d}.db").write_bytes(b"x")
    (folder / "station-SH001-2026-01-01.db").write_bytes(b"x")  # another station's: not ours to remove
    (folder / "notes.txt").write_text("kept")
    _, removed = daily(desk.db, folder, "HZ001", today, keep_days=3)
    assert sorted(p.name for p in removed) == ["station-HZ001-2026-11-14.db", "station-HZ001-2026-11-20.db"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt", "station-HZ001-2026-11-21.db", "station-HZ001-2026-11-22.db", "station-HZ001-2026-11-23.db",
        "station-SH001-2026-01-01.db",
    ]


def test_backup_and_restore_from_the_command_line(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    monkeypatch.setenv("STATIONDESK_DB", str(db))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--station", "HZ001"]).exit_code == 0
    out = runner.invoke(app, ["backup", str(tmp_path / "b.db")])
    assert out.exit_code == 0 and "校验通过" in out.output
    neither = runner.invoke(app, ["backup"])
    assert neither.exit_code == 1 and "PATH 或 --daily" in neither.output
    again = runner.invoke(app, ["backup", str(tmp_path / "b.db")])
    assert again.exit_code == 1 and "已存在" in again.output
    back = runner.invoke(app, ["restore", str(tmp_path / "b.db")])
    assert back.exit_code == 0 and "已恢复 网点 HZ001" in back.output
    assert len(list(tmp_path.glob("s.before-restore-*.db"))) == 1
