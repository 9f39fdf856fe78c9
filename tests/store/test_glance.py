"""The glance (plain sqlite3) reads what the engine's queries read, or declines."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path


from stationdesk.domain.roles import Operator, Role
from stationdesk.services import accept, operators
from stationdesk.services.seed import seed
from stationdesk.store import glance, plumbing, queries
from stationdesk.store.migrations import SCHEMA_HEAD
from tests.conftest import feed_row, snapshot_db


CAP = 5_000


def take(path, cap):
    """A glance, closed at once: these tests read what it holds."""
    seen = glance.take(path, cap)
    if seen is not None:
        seen.close()
    return seen


def _engine_view(desk, limit, cap=CAP):
    with desk.db.read() as conn:
        rows = [dict(r) for r in queries.page(conn, glance.WAITING, limit=limit)]
        count = queries.count(conn, glance.WAITING, cap=cap)
    return rows, count


def test_rows_count_and_station_equal_the_engines(desk, db_path, clock, import_rows):
    seed(desk, 300, seed_value=7, days=2)
    t = clock.now
    import_rows([  # more waiting than a glance reads, some dispatched by head office, some out of area
        {**feed_row(i), "order_time": (t - timedelta(minutes=i % 90)).isoformat(),
         "sender_district": "滨江区" if i % 7 == 0 else "西湖区",
         "dispatch_time": (t - timedelta(minutes=i % 20)).isoformat() if i % 5 == 0 else "",
         "dispatch_operator": "电商王" if i % 5 == 0 else ""}
        for i in range(glance.FIRST_ROWS + 50)
    ])
    with desk.db.read() as conn:  # a few accepted, so the waiting list has holes
        ids = [r["id"] for r in queries.page(conn, glance.WAITING, limit=40) if not r["out_of_area"]][::3]
    accept.accept(desk, ids, "张敏")
    seen = take(db_path, CAP)
    assert seen is not None
    rows, count = _engine_view(desk, glance.FIRST_ROWS)
    assert seen.waiting == rows and len(rows) == glance.FIRST_ROWS and not seen.complete
    assert seen.count(glance.WAITING) == count > glance.FIRST_ROWS
    cap = count - 10  # counted as the list heading counts: up to the cap, then cap + 1
    capped = take(db_path, cap)
    assert capped is not None and capped.count(glance.WAITING) == _engine_view(desk, 1, cap=cap)[1] == cap + 1
    assert seen.station == desk.station
    assert seen.accounts is False


def test_a_station_with_accounts_asks_for_a_sign_in(desk, db_path):
    operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator(""))
    seen = take(db_path, CAP)
    assert seen is not None and seen.accounts is True


def test_the_first_rows_are_given_only_when_the_glance_holds_them(desk, db_path, monkeypatch):
    seed(desk, 120, days=1)
    monkeypatch.setattr(glance, "FIRST_ROWS", 8)
    seen = take(db_path, CAP)
    assert seen is not None and not seen.complete
    rows, _ = _engine_view(desk, 8)
    assert seen.first_rows(glance.WAITING, 5) == rows[:5]
    assert seen.first_rows(glance.WAITING, 8) == rows
    assert seen.first_rows(glance.WAITING, 9) is None  # more than it read, and there are more
    assert seen.first_rows(glance.WAITING.with_(source="淘宝"), 5) is None  # another list
    assert seen.count(glance.WAITING) == _engine_view(desk, 1)[1]
    assert seen.count(glance.WAITING.with_(source="淘宝")) is None


def test_a_short_waiting_list_is_complete(desk, db_path):
    seed(desk, 30, days=1)
    seen = take(db_path, CAP)
    assert seen is not None and seen.complete
    rows, count = _engine_view(desk, 100)
    assert seen.first_rows(glance.WAITING, 100) == seen.waiting == rows
    assert seen.count(glance.WAITING) == count == len(rows)


def test_a_glance_writes_nothing(desk, db_path):
    seed(desk, 50, days=1)
    before = snapshot_db(db_path)
    assert take(db_path, CAP) is not None
    assert snapshot_db(db_path) == before


def _edit(path, sql, *params):
    con = sqlite3.connect(path)
    con.execute(sql, params)
    con.commit()
    con.close()


def test_it_declines_what_the_engine_must_handle_first(desk, db_path, tmp_path, monkeypatch):
    missing = tmp_path / "none.db"
    assert take(missing, CAP) is None and not missing.exists()  # never creates a file
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert take(junk, CAP) is None
    foreign = tmp_path / "foreign.db"
    _edit(foreign, "CREATE TABLE t (x)")
    assert take(foreign, CAP) is None

    _edit(db_path, "UPDATE alembic_version SET version_num = '0004'")  # an older schema: migrate first
    assert take(db_path, CAP) is None
    _edit(db_path, "UPDATE alembic_version SET version_num = ?", SCHEMA_HEAD)
    assert take(db_path, CAP) is not None

    monkeypatch.setattr(plumbing, "STATS_WORTH_IT", 20)  # a "big" file without statistics: ANALYZE first
    seed(desk, 30, days=1)
    _edit(db_path, "DROP TABLE IF EXISTS sqlite_stat1")
    assert take(db_path, CAP) is None
    desk.db.analyze()
    assert take(db_path, CAP) is not None

    _edit(db_path, "UPDATE meta SET value = 'XX999' WHERE key = 'station_code'")  # not in the directory
    assert take(db_path, CAP) is None


def test_a_glance_leaves_a_crashed_terminals_wal_alone_until_the_store_is_open(desk, db_path, tmp_path, import_rows):
    """SQLite checkpoints the WAL when its last connection closes: the glance keeps its connection
    until the store has its own, so nothing is written (or waited for) before the first paint."""
    seen_before = take(db_path, CAP)  # the file as the engine left it, for comparison
    report = import_rows([feed_row(i) for i in range(40)])  # written through the engine, still in the WAL
    assert report.imported == 40
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):  # as a terminal killed mid-shift leaves it
        (crashed / f"station.db{suffix}").write_bytes(Path(f"{db_path}{suffix}").read_bytes())
    main = crashed / "station.db"
    before = main.read_bytes()
    assert Path(f"{main}-wal").stat().st_size > 0
    seen = glance.take(main, CAP)
    assert seen is not None and seen.count(glance.WAITING) > seen_before.count(glance.WAITING)
    assert main.read_bytes() == before and Path(f"{main}-wal").stat().st_size > 0
    seen.close()
