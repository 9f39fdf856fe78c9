"""`check --quick` (for cron) catches each kind of damage it says it catches, and the full check
still catches everything; what the quick check leaves out is left out on purpose, and caught by
the full one. Each test damages a real file the way a person with sqlite3 (or a crash) would."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.cli.exits import ExitCode
from stationdesk.domain.chain import event_content, link
from stationdesk.services.check import CHECKED_KEY


@pytest.fixture
def station(tmp_path, monkeypatch):
    """A demo station checked once in full (its position recorded), then more work after it."""
    db = tmp_path / "s.db"
    monkeypatch.setenv("STATIONDESK_DB", str(db))
    monkeypatch.setenv("STATIONDESK_CONFIG", str(tmp_path / "none.toml"))
    for name in ("STATIONDESK_OPERATOR", "STATIONDESK_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, list(args))

    assert run("init", "--station", "HZ001").exit_code == 0
    assert run("seed", "--orders", "400", "--seed", "2").exit_code == 0
    assert run("check").exit_code == 0  # records where it got to
    run.position = json.loads(_one(db, "SELECT value FROM meta WHERE key = ?", CHECKED_KEY))
    assert run("seed", "--orders", "300", "--seed", "3").exit_code == 0  # work after the position
    run.db = db
    return run


def _one(db: Path, sql: str, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def _do(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db)
    with con:
        for sql in statements:
            con.execute(sql)
    con.close()


def _newest_order(run) -> int:
    """An order written after the recorded position."""
    return _one(run.db, "SELECT max(order_id) FROM order_event WHERE id > ?", run.position["event"])


def _garble_pages(run) -> None:
    con = sqlite3.connect(run.db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(run.db.read_bytes())
    for offset in range(len(data) // 3, len(data) // 3 + 16384):
        data[offset] ^= 0x5A
    run.db.write_bytes(bytes(data))


def _rehash_from(db: Path, first: int) -> None:
    """Recompute every link from event ``first`` on, as a forger who knows the scheme would."""
    con = sqlite3.connect(db)
    with con:
        previous = con.execute("SELECT chain FROM order_event WHERE id = ?", (first - 1,)).fetchone()[0]
        rows = con.execute("SELECT id, order_id, version, action, operator, at, before_status, after_status, details"
                           " FROM order_event WHERE id >= ? ORDER BY id", (first,)).fetchall()
        for row in rows:
            previous = link(previous, event_content(*row))
            con.execute("UPDATE order_event SET chain = ? WHERE id = ?", (previous, row[0]))
    con.close()


def _violation_row(run) -> int:
    """A ledger row written after the position (the second seed's late answers)."""
    return _one(run.db, "SELECT min(id) FROM violation WHERE id > ?", run.position["violation"])


# kind -> (damage, the words the check must say)
DAMAGE: dict[str, tuple[Callable, str]] = {
    "garbage pages": (_garble_pages, "_check:"),
    "order changed without its event": (
        lambda r: _do(r.db, f"UPDATE orders SET version = version + 1 WHERE id = {_newest_order(r)}"), "订单版本与事件数不符"),
    "status differs from its last event": (
        # another status than the one it has (the demo orders depend on the time of day they are seeded)
        lambda r: _do(r.db, "UPDATE orders SET status = CASE status WHEN 'cancelled' THEN 'waiting' ELSE 'cancelled' END"
                            f" WHERE id = {_newest_order(r)}"), "订单状态与最后事件不符"),
    "event without its outbox op": (
        lambda r: _do(r.db, "DELETE FROM outbox WHERE id = (SELECT max(id) FROM outbox)"), "事件没有同步记录"),
    "outbox op that is not its event's": (
        lambda r: _do(r.db, "UPDATE outbox SET action = 'accept' WHERE id = (SELECT max(id) FROM outbox"
                            " WHERE action != 'accept')"), "同步记录与事件不符"),
    "time out of range": (
        lambda r: _do(r.db, "UPDATE orders SET dispatch_time = '9999-12-31T00:00:00.000000Z'"
                            f" WHERE id = {_newest_order(r)}"), "时间超出范围"),
    "an old order changed without its event": (
        lambda r: _do(r.db, "UPDATE orders SET version = version + 1 WHERE id = 1"), "订单版本"),
    "an old event's outbox op removed": (
        lambda r: _do(r.db, "DELETE FROM outbox WHERE id = 2"), "同步记录"),
    "new event edited": (
        lambda r: _do(r.db, "UPDATE order_event SET operator = '某人' WHERE id = (SELECT max(id) FROM order_event)"),
        "与链不符"),
    "old event deleted": (
        lambda r: _do(r.db, "DELETE FROM outbox WHERE event_id = 5", "DELETE FROM order_event WHERE id = 5"), "缺失"),
    "ledger row added": (
        lambda r: _do(r.db, "INSERT INTO violation (order_id, station_code, kind, fine, deadline, state, recorded_at,"
                            " event_id) VALUES (1, 'HZ001', 'late_pickup', 100, '2026-01-01T00:00:00.000000Z',"
                            " 'provisional', '2026-01-01T00:00:00.000000Z', 1)"), "考核台账与订单历史不符"),
    "new ledger row deleted": (
        lambda r: _do(r.db, f"DELETE FROM violation WHERE id = {_violation_row(r)}"), "考核台账与订单历史不符"),
    "head office refused the chain": (
        lambda r: _do(r.db, "INSERT INTO meta (key, value) VALUES ('sync.chain_problem', 'event 7 differs')"), "总部"),
    "seeding interrupted": (
        lambda r: _do(r.db, "DROP INDEX ix_orders_phone_time", "INSERT INTO meta (key, value) VALUES"
                            " ('seed.pending_indexes', '[\"CREATE INDEX ix_orders_phone_time ON orders"
                            " (sender_phone, order_time)\"]')"), "演示数据写入中断"),
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_the_quick_check_catches(station, kind):
    damage, words = DAMAGE[kind]  # the undamaged file passes: test_the_quick_check_moves_its_position...
    damage(station)
    result = station("check", "--quick")
    assert result.exit_code == ExitCode.DAMAGE, result.output
    assert words in result.stderr and "Traceback" not in result.output


# Left to the full check (`check --help`): a row pointing at a missing order anywhere.
FULL_ONLY: dict[str, tuple[Callable, str]] = {
    "row pointing at a missing order": (
        lambda r: _do(r.db, "INSERT INTO access_log (operator, at, order_id, what) VALUES"
                            " ('x', '2026-11-30T00:00:00.000000Z', 999999, 'phone')"), "foreign_key_check"),
}


@pytest.mark.parametrize("kind", [*DAMAGE, *FULL_ONLY])
def test_the_full_check_still_catches(station, kind):
    damage, words = {**DAMAGE, **FULL_ONLY}[kind]
    damage(station)
    result = station("check")
    assert result.exit_code == ExitCode.DAMAGE, result.output
    assert words.replace("_check:", "integrity_check:") in result.stderr


def test_history_rewritten_and_rehashed_before_the_position_is_caught_by_the_quick_check(station):
    """A forger who edits an old event and re-hashes everything after it fools the chain walk from
    genesis (head office catches that one); the quick check sees its recorded link has changed."""
    _do(station.db, "UPDATE order_event SET operator = '某人' WHERE id = 3")
    _rehash_from(station.db, 3)
    result = station("check", "--quick")
    assert result.exit_code == ExitCode.DAMAGE and "不再是上次检查" in result.stderr


def test_what_the_quick_check_leaves_out_is_left_out_and_the_full_check_finds_it(station):
    """An old event edited in place (before the position, nothing else touched) is what --help says
    the quick check does not re-hash: it passes, and the weekly full check names the row."""
    _do(station.db, "UPDATE order_event SET operator = '某人' WHERE id = 3")
    quick = station("check", "--quick")
    assert quick.exit_code == ExitCode.OK and "自上次完整检查" in quick.output
    full = station("check")
    assert full.exit_code == ExitCode.DAMAGE and "事件 3 (" in full.stderr


def test_the_quick_check_moves_its_position_and_starts_from_it(station):
    first = station("check", "--quick")
    assert first.exit_code == ExitCode.OK and "条事件" in first.output
    moved = json.loads(_one(station.db, "SELECT value FROM meta WHERE key = ?", CHECKED_KEY))
    assert moved["event"] == _one(station.db, "SELECT max(id) FROM order_event") > station.position["event"]
    again = station("check", "--quick")
    assert again.exit_code == ExitCode.OK and "自上次快速检查" in again.output and "起没有新事件" in again.output


def test_without_a_recorded_position_the_quick_check_covers_the_last_events(station, monkeypatch):
    _do(station.db, f"DELETE FROM meta WHERE key = '{CHECKED_KEY}'")
    monkeypatch.setattr("stationdesk.services.check.QUICK_WINDOW", 50)
    _do(station.db, "UPDATE order_event SET operator = '某人' WHERE id = (SELECT max(id) - 10 FROM order_event)")
    result = station("check", "--quick")
    assert result.exit_code == ExitCode.DAMAGE and "与链不符" in result.stderr


def test_a_found_problem_leaves_the_position_where_it_was(station):
    _do(station.db, "UPDATE order_event SET operator = '某人' WHERE id = (SELECT max(id) FROM order_event)")
    assert station("check", "--quick").exit_code == ExitCode.DAMAGE
    kept = json.loads(_one(station.db, "SELECT value FROM meta WHERE key = ?", CHECKED_KEY))
    assert kept["event"] == station.position["event"]


def test_the_full_check_says_how_long_it_will_take(station, monkeypatch):
    monkeypatch.setattr("stationdesk.services.check.FULL_BYTES_PER_SECOND", os.path.getsize(station.db) / 200)
    result = station("check")
    assert result.exit_code == ExitCode.OK and "完整检查约需 " in result.stderr and " 分钟 (" in result.stderr
    assert "`stationdesk check --quick` 只需几秒" in result.stderr
    assert "约需" not in station("check", "--quick").stderr


def test_check_help_says_what_the_quick_check_leaves_out():
    result = CliRunner().invoke(app, ["check", "--help"], terminal_width=200)
    text = " ".join(result.output.split())
    assert "--quick" in text and "It leaves out" in text and "Run the full check weekly" in text
    from stationdesk.services.check import QUICK_WINDOW

    assert f"the last {QUICK_WINDOW:,} events" in text  # the help says the window the check uses
