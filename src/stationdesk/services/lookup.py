"""Finding the one order a clerk names: by id, logistics number or waybill number.

Apart from the write path (services.recording, which uses it) so a command that only reads finds
an order with sqlite3 alone; the SQL is store.reads', run on either connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stationdesk.domain.errors import AmbiguousOrder, OrderNotFound
from stationdesk.domain.limits import limit_of
from stationdesk.domain.text import clean_text, is_clean
from stationdesk.store.reads import order_by_id, orders_by_number

OrderKey = int | str  # an order id, or a logistics / waybill number typed by a person


def order_ref(row: Mapping[str, Any]) -> str:
    ref: str = row["logistics_no"]
    return ref


def find(conn: Any, key: OrderKey) -> Mapping[str, Any]:
    """The one order a key names: an id, or a logistics number, or a waybill number."""
    if isinstance(key, int):
        row = order_by_id(conn, key)
        if row is None:
            raise OrderNotFound("err.no_order_id", id=key)
        return row
    ref = key.strip()
    if len(ref) > limit_of("logistics_no") or not is_clean(ref):
        raise OrderNotFound("err.not_a_number", ref=clean_text(ref)[:40])
    rows = orders_by_number(conn, ref)
    if not rows:
        raise OrderNotFound("err.no_order", ref=ref)
    if len(rows) > 1:
        sources = ", ".join(sorted(r["source"] for r in rows))
        raise AmbiguousOrder("err.ambiguous", ref=ref, n=len(rows), sources=sources)
    return rows[0]

