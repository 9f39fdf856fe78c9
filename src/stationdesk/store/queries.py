"""Read-side queries for the menus: filtered, keyset-paged.

Pages are found by (order_time, id) seeks on indexed columns, never by OFFSET, so page 20,000
of a million orders costs what page 1 does. Their SQL is store.reads' (run on the sqlite3
connection beneath the store's), so the desk reads the same pages before its store is open.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select

from stationdesk.store import reads
from stationdesk.store.plumbing import in_chunks
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import OrderFilter

# A list's pages, counts and row numbers: the SQL text of store.reads, the one definition that the
# desk's lists (before and after the store is open) and `orders list` all run.
page = reads.page
last_page = reads.last_page
count = reads.count
count_before = reads.count_before
distinct_values = reads.distinct_values


def stream(conn: Connection, f: OrderFilter, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Every match in order, fetched in chunks so a million rows never sit in memory at once."""
    return reads.stream(conn, f, limit)


orders_by_number = reads.orders_by_number
orders_with_logistics_nos = reads.orders_with_logistics_nos
order_by_id = reads.order_by_id


def waybill_owners(conn: Connection, waybills: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The (source, logistics_no) of the order holding each of ``waybills`` that is taken."""
    owners: dict[str, tuple[str, str]] = {}
    for chunk in in_chunks(list(waybills)):
        stmt = select(ORDERS.c.waybill_no, ORDERS.c.source, ORDERS.c.logistics_no).where(
            ORDERS.c.waybill_no.in_(bindparam("w", expanding=True)))
        for waybill, source, number in conn.execute(stmt, {"w": chunk}):
            owners[waybill] = (source, number)
    return owners


waiting_counts = reads.waiting_counts
events_of = reads.events_of


