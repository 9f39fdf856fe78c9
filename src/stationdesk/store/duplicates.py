"""Finding and recording likely duplicate submissions (重复下单?) among newly arrived orders.

Called inside the writing transaction of whatever brought the orders in (the feed import, the pull
from head office), so an order and its flag arrive together. One indexed query per batch:
(sender_phone, order_time) over the batch's phones and time span.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select

from stationdesk.domain.duplicates import earliest_match, pair_key
from stationdesk.store.tables import DUPLICATES, ORDERS

_COLUMNS = (ORDERS.c.id, ORDERS.c.order_time, ORDERS.c.sender_phone, ORDERS.c.sender_district,
            ORDERS.c.sender_address, ORDERS.c.goods, ORDERS.c.cancelled)
CHUNK = 900


def flag_duplicates(conn: Connection, order_ids: Sequence[int], window: timedelta, now: datetime) -> dict[int, int]:
    """Flag each of ``order_ids`` that repeats an earlier order within ``window``; returns
    {later id: earlier id} of the flags written. An order flagged (or cleared) before keeps its flag."""
    flagged: dict[int, int] = {}
    ids = list(order_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        new = [dict(r) for r in conn.execute(select(*_COLUMNS).where(ORDERS.c.id.in_(chunk))).mappings()]
        new = [r for r in new if pair_key(r) is not None and not r["cancelled"]]
        if not new:
            continue
        phones = sorted({r["sender_phone"] for r in new})
        lo = min(r["order_time"] for r in new) - window
        hi = max(r["order_time"] for r in new)
        by_phone: dict[str, list[dict[str, Any]]] = {}
        for p in range(0, len(phones), CHUNK):
            stmt = select(*_COLUMNS).where(ORDERS.c.sender_phone.in_(bindparam("p", expanding=True)),
                                           ORDERS.c.order_time >= lo, ORDERS.c.order_time <= hi)
            for r in conn.execute(stmt, {"p": phones[p:p + CHUNK]}).mappings():
                by_phone.setdefault(r["sender_phone"], []).append(dict(r))
        known = {oid for (oid,) in conn.execute(select(DUPLICATES.c.order_id).where(
            DUPLICATES.c.order_id.in_([r["id"] for r in new])))}
        rows = []
        for r in new:
            if r["id"] in known:
                continue
            match = earliest_match(r, by_phone.get(r["sender_phone"], []), window)
            if match is not None:
                flagged[r["id"]] = match["id"]
                rows.append({"order_id": r["id"], "duplicate_of": match["id"], "detected_at": now})
        if rows:
            conn.execute(DUPLICATES.insert(), rows)
    return flagged


def duplicate_links(conn: Connection, order_ids: Sequence[int]) -> dict[int, str]:
    """{order id: the earlier order's logistics number} for the ids with an open 重复下单? flag."""
    out: dict[int, str] = {}
    ids = list(order_ids)
    earlier = ORDERS.alias("earlier")
    for start in range(0, len(ids), CHUNK):
        stmt = (select(DUPLICATES.c.order_id, earlier.c.logistics_no)
                .join(earlier, earlier.c.id == DUPLICATES.c.duplicate_of)
                .where(DUPLICATES.c.order_id.in_(ids[start:start + CHUNK]), DUPLICATES.c.cleared_at.is_(None)))
        out.update({oid: number for oid, number in conn.execute(stmt)})
    return out


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
