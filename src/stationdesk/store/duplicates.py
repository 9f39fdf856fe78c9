"""Finding and recording likely duplicate submissions (重复下单?) among newly arrived orders.

Called inside the writing transaction of whatever brought the orders in (the feed import, the pull
from head office), so an order and its flag arrive together. One indexed query per batch:
(sender_phone, order_time) over the batch's phones and time span.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from stationdesk.domain.duplicates import find_duplicates
from stationdesk.store import reads
from stationdesk.store.tables import DUPLICATES, ORDERS
from stationdesk.store.values import from_db, to_db
from stationdesk.store.reads import driver as sqlite_driver

CHUNK = 900


def flag_duplicates(conn: Connection, arrived: Sequence[Mapping[str, Any]], window: timedelta, now: datetime
                    ) -> dict[int, int]:
    """Flag each order of ``arrived`` (new orders, already inserted in this transaction: their
    ``id``, ``order_time``, phone, district, address, goods and ``cancelled``) that repeats an earlier
    order within ``window``; returns {later id: earlier id} of the flags written.

    The earlier order may be one that arrived with it or one the station already had: the latter
    are read with one indexed query per chunk of phones, on the driver connection, orders placed at
    the same moment read once (a feed batch of 2,000 orders is one to three statements)."""
    # the full key (address, goods) is compared in domain.duplicates; here only who may share one
    new = [r for r in arrived if not r["cancelled"] and r["sender_phone"] and not r["sender_phone"].isspace()]
    if not new:
        return {}
    first_new = min(r["id"] for r in arrived)
    lo = to_db(min(r["order_time"] for r in new) - window)
    hi = to_db(max(r["order_time"] for r in new))
    phones = sorted({r["sender_phone"] for r in new})
    driver = sqlite_driver(conn)
    known: list[dict[str, Any]] = []
    for start in range(0, len(phones), CHUNK):
        chunk = phones[start:start + CHUNK]
        # the phone index: the planner may otherwise take the order_time range (every order of the span)
        sql = ("SELECT min(id), order_time, sender_phone, sender_district, sender_address, goods "
               "FROM orders INDEXED BY ix_orders_phone_time "
               f"WHERE sender_phone IN ({', '.join('?' * len(chunk))}) AND order_time >= ? AND order_time <= ? "
               "AND id < ? AND NOT cancelled "
               "GROUP BY sender_phone, order_time, sender_district, sender_address, goods")
        for oid, at, phone, district, address, goods in driver.execute(sql, [*chunk, lo, hi, first_new]):
            known.append({"id": oid, "order_time": from_db(at), "sender_phone": phone, "sender_district": district,
                          "sender_address": address, "goods": goods, "cancelled": False})
    flagged = find_duplicates(known, new, window)
    if flagged:
        conn.execute(DUPLICATES.insert(), [{"order_id": later, "duplicate_of": earlier, "detected_at": now}
                                           for later, earlier in flagged.items()])
    return flagged


def duplicate_links(conn: Connection, order_ids: Sequence[int]) -> dict[int, str]:
    """{order id: the earlier order's logistics number} for the ids with an open 重复下单? flag."""
    return reads.duplicate_links(conn, order_ids)


def open_flags(conn: Connection, statuses: Sequence[str]) -> list[dict[str, Any]]:
    """Open flags whose later order is in ``statuses``, oldest order first: both orders' rows."""
    earlier = ORDERS.alias("earlier")
    stmt = (select(ORDERS, DUPLICATES.c.detected_at, earlier.c.logistics_no.label("earlier_no"),
                   earlier.c.status.label("earlier_status"), earlier.c.order_time.label("earlier_time"))
            .join(DUPLICATES, DUPLICATES.c.order_id == ORDERS.c.id)
            .join(earlier, earlier.c.id == DUPLICATES.c.duplicate_of)
            .where(DUPLICATES.c.cleared_at.is_(None), ORDERS.c.status.in_(list(statuses)))
            .order_by(ORDERS.c.order_time, ORDERS.c.id))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def open_flag_of(conn: Connection, order_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(DUPLICATES).where(DUPLICATES.c.order_id == order_id,
                                                DUPLICATES.c.cleared_at.is_(None))).mappings().first()
    return dict(row) if row else None


def clear_flag(conn: Connection, order_id: int, operator: str, now: datetime) -> None:
    conn.execute(DUPLICATES.update().where(DUPLICATES.c.order_id == order_id, DUPLICATES.c.cleared_at.is_(None))
                 .values(cleared_at=now, cleared_by=operator))
