"""A list's row number (queries.count_before) is the count of the orders before the cursor, and
SQLite seeks to the cursor for it instead of walking down from the newest order."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from stationdesk.services.seed import seed
from stationdesk.store import queries
from stationdesk.store.values import Cursor, OrderFilter


@pytest.fixture
def seeded(desk):
    seed(desk, 800, seed_value=4, days=6)
    return desk


def test_row_numbers_equal_a_count_of_the_rows_before(seeded):
    now = seeded.now()
    filters = [OrderFilter(), OrderFilter(start=now - timedelta(days=3), end=now), OrderFilter(end=now - timedelta(days=1)),
               OrderFilter(start=now - timedelta(days=5), source="淘宝"), OrderFilter(statuses=("accepted", "picked_up"))]
    pick = random.Random(9)
    with seeded.db.read() as conn:
        for f in filters:
            rows = list(queries.stream(conn, f))
            assert len(rows) > 20
            for i in [0, 1, len(rows) - 1, *pick.sample(range(len(rows)), 10)]:
                cursor = Cursor.of(rows[i])
                assert queries.count_before(conn, f, cursor, cap=5000) == i
                assert queries.count_before(conn, f, cursor, cap=3) == min(i, 4)


def test_the_count_seeks_to_the_cursor(seeded):
    """The row number of a range's first row costs a few steps of SQLite, not a walk over the range."""
    now = seeded.now()
    f = OrderFilter(start=now - timedelta(days=5), end=now)
    with seeded.db.read() as conn:
        rows = list(queries.stream(conn, f))
        driver = conn.connection.driver_connection
        steps = [0]

        def tick() -> int:
            steps[0] += 1
            return 0

        driver.set_progress_handler(tick, 10)  # called every 10 virtual machine instructions
        try:
            assert queries.count_before(conn, f, Cursor.of(rows[0]), cap=5000) == 0
        finally:
            driver.set_progress_handler(None, 10)
    assert len(rows) > 400
    assert steps[0] < 20, steps[0]  # a walk down the range takes several instructions per order
