"""store.reads: the SQL written once gives the same rows on sqlite3 alone as through the engine,
and the reader steps aside wherever the ordinary open has work to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Boolean, select

from stationdesk.domain import sla
from stationdesk.domain.statuses import Status
from stationdesk.reader import open_reader
from stationdesk.services import accept
from stationdesk.services.seed import seed
from stationdesk.store import plumbing, queries, reads
from stationdesk.store.errors import StoreError
from stationdesk.store.tables import EVENTS, ORDERS, SQLModel
from stationdesk.store.types import UTCDateTime
from stationdesk.store.values import OrderFilter
from tests.conftest import feed_row, snapshot_db


def test_the_column_kinds_are_the_tables_own():
    times, bools, other = set(), set(), set()
    for table in SQLModel.metadata.tables.values():
        for col in table.columns:
            (times if isinstance(col.type, UTCDateTime) else bools if isinstance(col.type, Boolean) else other).add(col.name)
    assert reads.TIME_COLUMNS == times and reads.BOOL_COLUMNS == bools
    assert not (times | bools) & other  # a name means one kind of value in every table


@pytest.fixture
def seeded(desk, clock, import_rows):
    seed(desk, 300, seed_value=5, days=2)
    t = clock.now
    import_rows([  # waiting orders around the 30-minute mark, some dispatched by head office, mixed case numbers
        {**feed_row(i), "logistics_no": f"kd{i:06d}" if i % 3 else f"LP{i:08d}",
         "order_time": (t - timedelta(minutes=5 + i % 40)).isoformat(),
         "dispatch_time": (t - timedelta(minutes=i % 25)).isoformat() if i % 4 == 0 else "",
         "dispatch_operator": "电商王" if i % 8 == 0 else ("李四" if i % 4 == 0 else "")}
        for i in range(60)
    ])
    return desk


FILTERS = [
    OrderFilter(),
    OrderFilter(statuses=(Status.WAITING.value,)),
    OrderFilter(statuses=(Status.ACCEPTED.value, Status.PICKED_UP.value), cancel="all"),
    OrderFilter(cancel="unhandled"),
    OrderFilter(source="LP"),
    OrderFilter(number="KD0000"),  # a prefix, typed in another case
    OrderFilter(number="LP00000012"),
    OrderFilter(out_of_area=True),
    OrderFilter(out_of_area=False, channel="online"),
    OrderFilter(awaiting_waybill=True),
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[:60])
def test_a_stream_on_sqlite3_alone_equals_the_engines_pages(seeded, db_path, clock, f):
    f = f.with_(start=clock.now - timedelta(days=3), end=clock.now + timedelta(hours=1)) if f.number is None else f
    with seeded.db.read() as conn:
        engine_rows = [dict(r) for r in queries.page(conn, f, limit=10_000)]
        engine_count = queries.count(conn, f)
    ro = reads.ReadOnlyFile(db_path)
    try:
        with ro.read() as conn:
            plain = list(reads.stream(conn, f))
            limited = list(reads.stream(conn, f, 7))
    finally:
        ro.dispose()
    assert plain == engine_rows and len(plain) == engine_count
    assert limited == engine_rows[:7]
    assert plain or f.awaiting_waybill or f.cancel == "unhandled"  # the filters that may match nothing here


def test_waiting_counts_follow_the_domains_accept_clock(seeded, db_path, clock):
    now = clock.now
    soon = timedelta(minutes=10)
    with seeded.db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(ORDERS).where(ORDERS.c.status == "waiting")).mappings()]
    deadlines = sorted((sla.accept_clock_start(r["order_time"], r["dispatch_time"], r["dispatch_operator"]) + sla.ACCEPT_LIMIT,
                        r["id"]) for r in rows)
    overdue = sum(1 for d, _ in deadlines if d < now)
    due_soon = sum(1 for d, _ in deadlines if now <= d < now + soon)
    assert overdue and due_soon and any(r["dispatch_operator"] == "电商王" for r in rows)
    ro = reads.ReadOnlyFile(db_path)
    try:
        with ro.read() as conn:
            counts = reads.waiting_counts(conn, now, soon)
            first = reads.waiting_by_clock(conn, limit=3)
            window = reads.waiting_by_clock(conn, after=now - sla.ACCEPT_LIMIT, before=now - sla.ACCEPT_LIMIT + soon,
                                            limit=1000)
    finally:
        ro.dispose()
    assert (counts.waiting, counts.overdue, counts.due_soon) == (len(rows), overdue, due_soon)
    assert [(start + sla.ACCEPT_LIMIT, oid) for oid, _, _, start in first] == deadlines[:3]
    assert len(window) == due_soon
    with seeded.db.read() as conn:  # the engine's connection runs the same text
        assert queries.waiting_counts(conn, now, soon) == counts


def test_history_and_lookups_equal_the_engines(seeded, db_path, clock):
    with seeded.db.read() as conn:
        some = [dict(r) for r in queries.page(conn, OrderFilter(statuses=(Status.WAITING.value,)), limit=5)]
    accept.accept(seeded, [r["id"] for r in some], "张敏")
    target = some[0]
    with seeded.db.read() as conn:
        events = [dict(r) for r in conn.execute(select(EVENTS).where(EVENTS.c.order_id == target["id"])
                                                .order_by(EVENTS.c.version)).mappings()]
        by_id = dict(conn.execute(select(ORDERS).where(ORDERS.c.id == target["id"])).mappings().one())
    ro = reads.ReadOnlyFile(db_path)
    try:
        with ro.read() as conn:
            assert reads.events_of(conn, target["id"]) == events and len(events) == 2
            assert reads.order_by_id(conn, target["id"]) == by_id
            assert reads.orders_by_number(conn, target["logistics_no"]) == [by_id]
            assert reads.orders_with_logistics_nos(conn, [target["logistics_no"], "nope"]) == [by_id]
            assert reads.directory(conn).find("HZ001") == seeded.station
    finally:
        ro.dispose()


def test_a_read_only_file_never_writes(seeded, db_path):
    before = snapshot_db(db_path)
    ro = reads.ReadOnlyFile(db_path)
    try:
        with pytest.raises(StoreError, match="readonly"), ro.read() as conn:
            conn.execute("DELETE FROM orders")
    finally:
        ro.dispose()
    assert snapshot_db(db_path) == before
    with pytest.raises(StoreError):
        reads.ReadOnlyFile(db_path.with_name("missing.db"))  # never creates a file
    assert not db_path.with_name("missing.db").exists()


def test_the_reader_steps_aside_where_the_ordinary_open_has_work(seeded, db_path, tmp_path, monkeypatch):
    config = tmp_path / "none.toml"
    opened = open_reader(db_path, config)
    assert opened is not None and opened[0].station == seeded.station and opened[1] is False
    opened[0].db.dispose()
    assert open_reader(tmp_path / "missing.db", config) is None
    monkeypatch.setattr(plumbing, "STATS_WORTH_IT", 10)  # a "big" file without planner statistics: ANALYZE writes
    assert open_reader(db_path, config) is None
    monkeypatch.undo()
    with seeded.db.write() as conn:  # a schema that is not this version's
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0007'")
    assert open_reader(db_path, config) is None
