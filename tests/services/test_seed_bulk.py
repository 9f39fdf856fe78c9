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
from stationdesk.store import reads
from stationdesk.store.bulk import PENDING_INDEXES


def _schema(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
                           " ORDER BY name").fetchall()
    finally:
        con.close()


@pytest.fixture
def new_desk(tmp_path, clock):
    """Opens a new demo database of that name; closed after the test."""
    opened = []

    def make(name: str):
        path = tmp_path / name
        init_database(path, "HZ001")
        opened.append(open_desk(path, config_path=tmp_path / "none.toml", clock=clock))
        return opened[-1]

    yield make
    for desk in opened:
        desk.db.dispose()


@pytest.fixture
def fresh(new_desk):
    return new_desk("demo.db")


def test_a_new_seed_ends_with_every_index_wal_and_full_sync_and_passes_check(fresh):
    before = _schema(fresh.db.path)
    assert seed(fresh, 1500, chunk=400) == 1500
    assert _schema(fresh.db.path) == before  # the indexes dropped for the load are all back, as they were
    with fresh.db.write() as conn:  # the pooled writer connection the seed used has its settings back
        driver = conn.connection.driver_connection
        assert driver.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert driver.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert driver.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # checked again after the load
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
    # the alert reads as ever meanwhile: its index was kept through the load, the others wait for the next
    con = sqlite3.connect(fresh.db.path)
    counts = reads.waiting_counts(con, fresh.now())
    waiting = con.execute("SELECT count(*) FROM orders NOT INDEXED WHERE status = 'waiting'").fetchone()[0]
    con.close()
    assert counts.waiting == waiting
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

    with pytest.raises(StoreError, match="另一个终端"):
        seed(fresh, 1000, chunk=200, progress=meddle)


# ---------------------------------------------------------------- chunks built in worker processes

def _contents(path: Path) -> list[list[tuple]]:
    """Every seeded row but the op ids (they carry the run's start time)."""
    con = sqlite3.connect(path)
    try:
        return [con.execute(sql).fetchall() for sql in (
            "SELECT * FROM orders ORDER BY id",
            "SELECT * FROM order_event ORDER BY id",
            "SELECT id, station_code, seq, event_id, order_id, order_version, action, payload, created_at, acked_at"
            " FROM outbox ORDER BY id",
            "SELECT * FROM violation ORDER BY id")]
    finally:
        con.close()


@pytest.fixture
def second(new_desk):
    return new_desk("second.db")


def test_chunks_built_in_worker_processes_are_the_ones_built_here(fresh, second):
    assert seed(fresh, 900, chunk=300, workers=2) == 900
    assert seed(second, 900, chunk=300, workers=0) == 900
    here, there = _contents(second.db.path), _contents(fresh.db.path)
    assert [len(rows) for rows in there] == [len(rows) for rows in here] and len(here[0]) == 900
    assert there == here  # orders, events with their links in the audit chain, ops, ledger rows
    con = sqlite3.connect(fresh.db.path)
    ids = [r[0] for r in con.execute("SELECT op_id FROM outbox ORDER BY id")]
    con.close()
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert check_file(fresh.db.path).ok


def test_a_seed_smaller_than_a_chunk_is_the_first_chunk_of_a_larger_one(fresh, second):
    seed(fresh, 250, chunk=250)
    seed(second, 750, chunk=250, workers=2)
    small, large = _contents(fresh.db.path), _contents(second.db.path)
    assert large[0][:250] == small[0]
    assert large[1][: len(small[1])] == small[1]
    assert large[0][250:] != [row for row in small[0]]  # the next chunks draw streams of their own


def test_a_worker_that_fails_or_dies_stops_the_seed_and_says_why(fresh):
    from stationdesk.services.seed import Plan, _Builders, _OrderedOpIds
    from stationdesk.store.errors import StoreError

    plan = Plan(fresh.now(), 14, 1, fresh.station, (), _OrderedOpIds.run_head())
    with _Builders(plan, [(0, 1, "three")], 1) as built, pytest.raises(StoreError) as refused:
        list(built)
    assert "TypeError" in str(refused.value) and "Traceback" not in str(refused.value)
    with _Builders(plan, [(0, 1, 10), (1, 11, 10)], 1) as built:
        built._procs[0].kill()
        with pytest.raises(StoreError, match="演示订单生成进程停止了"):
            list(built)


def test_workers_go_when_the_seed_is_killed(tmp_path):
    """A seed killed outright (no chance to stop its workers) leaves no worker running: their input
    closes with it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "killed.db"
    init_database(path, "HZ001")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from stationdesk.bootstrap import open_desk\n"
        "from stationdesk.services import seed as s\n"
        "enter = s._Builders.__enter__\n"
        "def told(self):\n"
        "    out = enter(self)\n"
        "    print(' '.join(str(p.pid) for p in self._procs), flush=True)\n"
        "    return out\n"
        "s._Builders.__enter__ = told\n"
        "desk = open_desk(Path(sys.argv[1]), config_path=Path(sys.argv[2]))\n"
        "s.seed(desk, 100_000, chunk=500, workers=2)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(path), str(tmp_path / "none.toml")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def running(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as stat:  # a worker gone but not yet reaped by init is a zombie
            return stat.read().split(") ")[-1][:1] != "Z"

    deadline = time.monotonic() + 30
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(p) for p in pids)
