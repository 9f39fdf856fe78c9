"""The demo seed as a bulk load: a new seed builds its indexes after the load and ends with the
same schema and the engine's durable settings; a seed stopped half way leaves whole orders that
`check` explains, and the next seed finishes the job; op ids are time-ordered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stationdesk.bootstrap import open_desk
from stationdesk.services.check import check_file
from stationdesk.services.seed import seed
from stationdesk.services.setup import init_database
from stationdesk.store.bulk import PENDING_INDEXES


def _schema(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
                           " ORDER BY name").fetchall()
    finally:
        con.close()


@pytest.fixture
def fresh(tmp_path, clock):
    path = tmp_path / "demo.db"
    init_database(path, "HZ001")
    desk = open_desk(path, config_path=tmp_path / "none.toml", clock=clock)
    yield desk
    desk.db.dispose()


def test_a_new_seed_ends_with_every_index_wal_and_full_sync_and_passes_check(fresh):
    before = _schema(fresh.db.path)
    assert seed(fresh, 1500, chunk=400) == 1500
    assert _schema(fresh.db.path) == before  # the indexes dropped for the load are all back, as they were
    with fresh.db.write() as conn:  # the pooled writer connection the seed used has its settings back
        driver = conn.connection.driver_connection
        assert driver.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert driver.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert driver.execute("SELECT value FROM meta WHERE key = ?", (PENDING_INDEXES,)).fetchone() is None
    report = check_file(fresh.db.path)
    assert report.ok, report.problems
    assert report.orders == 1500


def test_op_ids_grow_in_the_order_they_are_written_and_a_second_run_gives_new_ones(fresh):
    seed(fresh, 300)
    seed(fresh, 300)  # a second run on the same (demo) database: indexes kept, ids continue
    con = sqlite3.connect(fresh.db.path)
    ids = [r[0] for r in con.execute("SELECT op_id FROM outbox ORDER BY id")]
    con.close()
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids)  # the version 7 layout
    assert check_file(fresh.db.path).ok


def test_a_seed_stopped_half_way_is_explained_by_check_and_finished_by_the_next(fresh):
    def stop(done: int) -> None:
        if done >= 400:
            raise KeyboardInterrupt  # as a person pressing Ctrl+C, or a kill between two chunks

    with pytest.raises(KeyboardInterrupt):
        seed(fresh, 2000, chunk=200, progress=stop)
    con = sqlite3.connect(fresh.db.path)
    written = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    con.close()
    assert written % 200 == 0 and 400 <= written < 2000  # whole chunks only
    report = check_file(fresh.db.path)
    assert not report.ok and not report.damaged_file
    assert any("演示数据写入中断" in p for p in report.problems), report.problems
    quick = check_file(fresh.db.path, quick=True)
    assert any("演示数据写入中断" in p for p in quick.problems)
    seed(fresh, 100)  # the next seed builds the indexes first
    assert check_file(fresh.db.path).ok


def test_a_writer_meanwhile_stops_the_seed_with_whole_chunks(fresh):
    from stationdesk.store.errors import StoreError

    def meddle(done: int) -> None:
        if done == 200:  # another terminal adds an order while the seed runs (before or after its chunk)
            with fresh.db.write() as conn:
                conn.connection.driver_connection.execute(
                    "INSERT INTO orders (source, logistics_no, channel, business_type, order_time, sender_name,"
                    " sender_phone, sender_province, sender_city, sender_district, sender_address, note, goods,"
                    " station_code, out_of_area, status, cancelled, cancel_handled, version, created_at, updated_at)"
                    " VALUES ('淘宝', 'LPX1', 'online', 'send_parcel', '2026-11-30T00:00:00.000000Z', '某', '13800000000',"
                    " '浙江省', '杭州市', '西湖区', '文三路1号', '', '', 'HZ001', 0, 'waiting', 0, 0, 0,"
                    " '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z')")

    with pytest.raises(StoreError, match="another terminal"):
        seed(fresh, 1000, chunk=200, progress=meddle)
