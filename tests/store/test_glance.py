"""The glance (plain sqlite3) reads what the engine's queries read, or declines."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import Boolean

from stationdesk.domain.roles import Operator, Role
from stationdesk.services import accept, operators
from stationdesk.services.seed import seed
from stationdesk.store import glance, queries
from stationdesk.store.tables import ORDERS
from stationdesk.store.types import UTCDateTime
from tests.conftest import snapshot_db


def _engine_view(desk, limit):
    with desk.db.read() as conn:
        rows = [dict(r) for r in queries.page(conn, glance.WAITING, limit=limit)]
        counts = queries.waiting_counts(conn, desk.now())
    return rows, counts


def test_the_column_kinds_are_the_tables_own():
    times = {c.name for c in ORDERS.columns if isinstance(c.type, UTCDateTime)}
    bools = {c.name for c in ORDERS.columns if isinstance(c.type, Boolean)}
    assert glance.TIME_COLUMNS == times
    assert glance.BOOL_COLUMNS == bools


@pytest.mark.parametrize("hours_later", [0, 0.4, 3, 30])
def test_rows_counts_and_station_equal_the_engines(desk, db_path, clock, import_rows, hours_later):
    seed(desk, 300, seed_value=7, days=2)
    t = clock.now
    import_rows([  # more waiting than a glance reads, some dispatched by head office, some out of area
        {**_row(i), "order_time": (t - timedelta(minutes=i % 90)).isoformat(),
         "sender_district": "滨江区" if i % 7 == 0 else "西湖区",
         "dispatch_time": (t - timedelta(minutes=i % 20)).isoformat() if i % 5 == 0 else "",
         "dispatch_operator": "电商王" if i % 5 == 0 else ""}
        for i in range(glance.FIRST_ROWS + 50)
    ])
    with desk.db.read() as conn:  # a few accepted, so the waiting list has holes
        ids = [r["id"] for r in queries.page(conn, glance.WAITING, limit=40) if not r["out_of_area"]][::3]
    accept.accept(desk, ids, "张敏")
    clock.advance(hours=hours_later)
    seen = glance.take(db_path, desk.now())
    assert seen is not None
    rows, counts = _engine_view(desk, glance.FIRST_ROWS)
    assert seen.waiting == rows and len(rows) == glance.FIRST_ROWS and not seen.complete
    assert seen.counts == counts and counts.waiting > 0
    assert seen.station == desk.station
    assert seen.accounts is False


def test_a_station_with_accounts_asks_for_a_sign_in(desk, db_path):
    operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator(""))
    seen = glance.take(db_path, desk.now())
    assert seen is not None and seen.accounts is True


def test_the_first_rows_are_given_only_when_the_glance_holds_them(desk, db_path, monkeypatch):
    seed(desk, 120, days=1)
    monkeypatch.setattr(glance, "FIRST_ROWS", 8)
    seen = glance.take(db_path, desk.now())
    assert seen is not None and not seen.complete
    rows, _ = _engine_view(desk, 8)
    assert seen.first_rows(glance.WAITING, 5) == rows[:5]
    assert seen.first_rows(glance.WAITING, 8) == rows
    assert seen.first_rows(glance.WAITING, 9) is None  # more than it read, and there are more
    assert seen.first_rows(glance.WAITING.with_(source="淘宝"), 5) is None  # another list
    assert seen.count(glance.WAITING) == seen.counts.waiting
    assert seen.count(glance.WAITING.with_(source="淘宝")) is None


def test_a_short_waiting_list_is_complete(desk, db_path):
    seed(desk, 30, days=1)
    seen = glance.take(db_path, desk.now())
    assert seen is not None and seen.complete
    assert seen.first_rows(glance.WAITING, 100) == seen.waiting == _engine_view(desk, 100)[0]


def test_a_glance_writes_nothing(desk, db_path):
    seed(desk, 50, days=1)
    before = snapshot_db(db_path)
    assert glance.take(db_path, desk.now()) is not None
    assert snapshot_db(db_path) == before


def _edit(path, sql, *params):
    con = sqlite3.connect(path)
    con.execute(sql, params)
    con.commit()
    con.close()


def test_it_declines_what_the_engine_must_handle_first(desk, db_path, tmp_path, monkeypatch):
    now = desk.now()
    missing = tmp_path / "none.db"
    assert glance.take(missing, now) is None and not missing.exists()  # never creates a file
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert glance.take(junk, now) is None
    foreign = tmp_path / "foreign.db"
    _edit(foreign, "CREATE TABLE t (x)")
    assert glance.take(foreign, now) is None

    _edit(db_path, "UPDATE alembic_version SET version_num = '0004'")  # an older schema: migrate first
    assert glance.take(db_path, now) is None
    _edit(db_path, "UPDATE alembic_version SET version_num = ?", glance.SCHEMA_HEAD)
    assert glance.take(db_path, now) is not None

    monkeypatch.setattr(glance, "STATS_WORTH_IT", 20)  # a "big" file without statistics: ANALYZE first
    seed(desk, 30, days=1)
    _edit(db_path, "DROP TABLE IF EXISTS sqlite_stat1")
    assert glance.take(db_path, now) is None
    desk.db.analyze()
    assert glance.take(db_path, now) is not None

    _edit(db_path, "UPDATE meta SET value = 'XX999' WHERE key = 'station_code'")  # not in the directory
    assert glance.take(db_path, now) is None


def test_due_soon_and_overdue_follow_the_accept_clock(desk, db_path, clock, import_rows):
    t = clock.now
    import_rows([
        {**_row(1), "order_time": (t - timedelta(minutes=40)).isoformat()},  # overdue
        {**_row(2), "order_time": (t - timedelta(minutes=25)).isoformat()},  # due within 10 min
        {**_row(3), "order_time": (t - timedelta(minutes=2)).isoformat()},
        # dispatched by head office (电商**) 5 minutes ago: its clock restarted
        {**_row(4), "order_time": (t - timedelta(minutes=50)).isoformat(),
         "dispatch_time": (t - timedelta(minutes=5)).isoformat(), "dispatch_operator": "电商王"},
    ])
    seen = glance.take(db_path, desk.now())
    assert seen is not None
    assert (seen.counts.waiting, seen.counts.overdue, seen.counts.due_soon) == (4, 1, 1)
    assert seen.counts == _engine_view(desk, 10)[1]


def _row(n):
    from tests.conftest import feed_row

    return feed_row(n)
