"""The supervisor's figures counted by SQLite (per day and per period, over the indexes) equal the
same figures counted row by row in Python from the stored orders and the ledger, in the station's
own days: in Shanghai and in a zone whose offset is not whole hours."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from stationdesk.bootstrap import open_desk
from stationdesk.domain import audit
from stationdesk.services.seed import seed
from stationdesk.services.violations import daily_figures, monthly, period_fines, weekly
from stationdesk.store.values import from_db


@pytest.fixture(params=["Asia/Shanghai", "Asia/Kolkata"])
def seeded(request, db_path, tmp_path, clock):
    config = tmp_path / "config.toml"
    config.write_text(f'[station]\ntimezone = "{request.param}"\n', encoding="utf-8")
    desk = open_desk(db_path, config, clock=clock)
    seed(desk, 1500, seed_value=3, days=20)
    con = sqlite3.connect(db_path)
    # a withdrawn fine is listed but never counted
    con.execute("UPDATE violation SET state = 'withdrawn' WHERE id % 7 = 0")
    con.commit()
    con.close()
    yield desk, ZoneInfo(request.param)
    desk.db.dispose()


def _rows(desk, sql):
    con = sqlite3.connect(desk.db.path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_14_days_equal_a_count_row_by_row(seeded):
    desk, tz = seeded
    day = lambda text: from_db(text).astimezone(tz).date()  # noqa: E731
    orders = Counter(day(t) for (t,) in _rows(desk, "SELECT order_time FROM orders"))
    missed = Counter(day(t) for (t,) in _rows(desk, "SELECT order_time FROM orders WHERE scanned_at IS NULL"
                                                    " AND status IN ('accepted', 'picked_up')"))
    late = Counter((day(d), k) for d, k in _rows(desk, "SELECT deadline, kind FROM violation WHERE state != 'withdrawn'"))
    days = daily_figures(desk, 14)
    assert [d.day for d in days] == [desk.now().astimezone(tz).date() - timedelta(days=13 - i) for i in range(14)]
    assert [(d.orders, d.late_accepts, d.late_pickups, d.missed_scans) for d in days] == [
        (orders[d.day], late[(d.day, "late_accept")], late[(d.day, "late_pickup")], missed[d.day]) for d in days]
    assert sum(d.orders for d in days) > 1000 and sum(d.late_accepts for d in days) > 10  # the figures are not empty


def test_weeks_months_and_fines_equal_a_count_row_by_row(seeded):
    desk, tz = seeded
    rows = [(from_db(d).astimezone(tz).date(), k, s, f)
            for d, k, s, f in _rows(desk, "SELECT deadline, kind, state, fine FROM violation")]
    today = desk.now().astimezone(tz).date()
    for summary in (weekly(desk, today), weekly(desk, today - timedelta(days=7)), monthly(desk, audit.month_of(today)),
                    monthly(desk, audit.add_months(audit.month_of(today), -1))):
        inside = [r for r in rows if summary.first <= r[0] <= summary.last]
        counted = [r for r in inside if r[2] != "withdrawn"]
        assert summary.counts == dict(Counter(r[1] for r in counted))
        assert summary.total_fine == sum(r[3] for r in counted)
        assert summary.appealed == sum(1 for r in inside if r[2] == "withdrawn")
        assert period_fines(desk, summary.first, summary.last) == summary.total_fine
    assert weekly(desk, today - timedelta(days=7)).total_fine > 0
