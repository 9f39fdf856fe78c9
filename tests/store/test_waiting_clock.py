"""The alert's reads come from the index of the waiting orders by accept clock: the counts, the
most urgent order and the orders due soon, on a new file and on one migrated from the revision
before; and they agree with the rule of domain/sla.py order by order."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import T0, feed_row
from stationdesk.domain.sla import ACCEPT_LIMIT, accept_clock_start
from stationdesk.store import reads

WARN = timedelta(minutes=10)


def _plans(conn: sqlite3.Connection) -> list[str]:
    """The query plans of the alert's statements, as SQLite would run them now."""
    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    reads.waiting_counts(conn, T0, WARN)
    reads.waiting_by_clock(conn, limit=1)
    reads.waiting_by_clock(conn, after=T0 - ACCEPT_LIMIT, before=T0 - ACCEPT_LIMIT + WARN, limit=1000)
    conn.set_trace_callback(None)
    return [" ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")) for sql in captured
            if sql.lstrip().upper().startswith("SELECT")]


def _assert_uses_index(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        plans = _plans(conn)
    finally:
        conn.close()
    assert plans and all("ix_orders_waiting_clock" in p for p in plans), plans
    assert not any("SCAN orders" in p and "INDEX" not in p for p in plans), plans
    assert not any("TEMP B-TREE" in p for p in plans), plans  # read in the index's order, never sorted


def test_a_new_file_reads_the_alert_from_the_index(desk, import_rows):
    import_rows([feed_row(n) for n in range(1, 6)])
    _assert_uses_index(desk.db.path)


def test_a_file_migrated_from_the_revision_before_reads_it_from_the_index_too(desk, import_rows):
    import_rows([feed_row(n) for n in range(1, 6)])
    path = desk.db.path
    desk.db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX ix_orders_waiting_clock")
    conn.execute("UPDATE alembic_version SET version_num = '0008'")
    conn.commit()
    conn.close()
    from stationdesk.bootstrap import open_desk

    reopened = open_desk(path, config_path=path.parent / "none.toml")  # migrates to the head
    try:
        _assert_uses_index(path)
    finally:
        reopened.db.dispose()


@pytest.mark.parametrize("operator", ["电商张三", "网点李四", ""])
def test_counts_and_order_agree_with_the_deadline_rule(desk, import_rows, operator):
    rows = []
    for n, minutes in enumerate([50, 35, 29, 25, 21, 19, 5, 1], start=1):
        over = {"order_time": (T0 - timedelta(minutes=minutes)).astimezone().isoformat()}
        if n % 2 == 0 and operator:  # every other order dispatched by someone, 12 minutes after it came
            over |= {"dispatch_time": (T0 - timedelta(minutes=minutes - 12)).astimezone().isoformat(),
                     "dispatch_operator": operator}
        rows.append(feed_row(n, **over))
    import_rows(rows)
    with sqlite3.connect(desk.db.path) as conn:
        found = conn.execute("SELECT id, order_time, dispatch_time, dispatch_operator FROM orders"
                             " WHERE status = 'waiting'").fetchall()
        counts = reads.waiting_counts(conn, T0, WARN)
        by_clock = reads.waiting_by_clock(conn, limit=100)
        soon = reads.waiting_by_clock(conn, after=T0 - ACCEPT_LIMIT, before=T0 - ACCEPT_LIMIT + WARN, limit=100)
    from stationdesk.store.values import from_db

    deadlines = {oid: accept_clock_start(from_db(ot), from_db(dt) if dt else None, op) + ACCEPT_LIMIT
                 for oid, ot, dt, op in found}
    assert counts.waiting == len(found) == 8
    assert counts.overdue == sum(d < T0 for d in deadlines.values())
    assert counts.due_soon == sum(T0 <= d < T0 + WARN for d in deadlines.values())
    assert [r[0] for r in by_clock] == sorted(deadlines, key=lambda oid: (deadlines[oid], oid))
    assert [r[3] + ACCEPT_LIMIT for r in by_clock] == sorted(deadlines.values())
    assert {r[0] for r in soon} == {oid for oid, d in deadlines.items() if T0 <= d < T0 + WARN}
