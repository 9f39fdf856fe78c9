"""The query planner gets statistics once a database is big enough to need them."""

import sqlite3

from stationdesk.services.seed import seed
from stationdesk.store import plumbing


def _has_stats(path) -> bool:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is not None
    finally:
        con.close()


def test_small_databases_are_left_alone(desk, db_path):
    seed(desk, 200)
    assert not _has_stats(db_path)
    assert desk.db.ensure_statistics() is False


def test_statistics_appear_when_the_database_grows_and_only_when_its_shape_changes(desk, db_path, monkeypatch):
    monkeypatch.setattr(plumbing, "STATS_WORTH_IT", 100)
    seed(desk, 300)
    assert _has_stats(db_path)
    con = sqlite3.connect(db_path)
    rows = dict(con.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'orders'").fetchall())
    con.close()
    assert rows["ix_orders_order_time"].split()[0] == "300"
    assert desk.db.ensure_statistics(added=10) is False  # 10 more on 300: same shape
    assert desk.db.ensure_statistics(added=100) is True  # a third more: refreshed


def test_a_capped_count_stops_past_the_cap(desk):
    from stationdesk.store.queries import count
    from stationdesk.store.values import OrderFilter

    seed(desk, 120)
    with desk.db.read() as conn:
        exact = count(conn, OrderFilter())
        assert exact == 120
        assert count(conn, OrderFilter(), cap=50) == 51  # more than 50
        assert count(conn, OrderFilter(), cap=500) == 120
        waiting = count(conn, OrderFilter(statuses=("waiting",)))
        assert count(conn, OrderFilter(statuses=("waiting",)), cap=1000) == waiting
