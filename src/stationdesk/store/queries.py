"""Read-side queries for the menus: filtered, keyset-paged, in Core SQL.

Pages are found by (order_time, id) seeks on indexed columns, never by OFFSET, so page 20,000
of a million orders costs what page 1 does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, RowMapping, Select, and_, bindparam, func, or_, select, text
from sqlalchemy.sql.elements import TextClause

from stationdesk.store import reads
from stationdesk.store.plumbing import in_chunks
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import Cursor, OrderFilter


def _where(f: OrderFilter) -> tuple[list[TextClause], dict[str, Any]]:
    """The conditions of ``f`` (reads.order_conditions: the one definition, also run without
    SQLAlchemy by `orders list`) with named parameters, and their values.

    The SQL depends on which filters are set, never on their values, so page() builds each
    statement once and SQLAlchemy's compiled cache always hits.
    """
    conds, params = reads.order_conditions(f)
    return [text(c) for c in conds], params


def select_orders(f: OrderFilter, *, descending: bool = False) -> Select[Any]:
    order: tuple[ColumnElement[Any], ...] = (
        (ORDERS.c.order_time.desc(), ORDERS.c.id.desc()) if descending else (ORDERS.c.order_time, ORDERS.c.id))
    conds, params = _where(f)
    return select(ORDERS).where(*conds).order_by(*order).params(params)


# One per shape of filter and cursor side: a few dozen at most in a session.
_PAGE_STATEMENTS: dict[tuple[str | bool | None, ...], Select[Any]] = {}


def _page_statement(f: OrderFilter, conds: Sequence[ColumnElement[bool] | TextClause], params: dict[str, Any], side: str) -> Select[Any]:
    """The page statement for this shape of filter and cursor, built once."""
    key = (side, f.cancel, *sorted(params))
    stmt = _PAGE_STATEMENTS.get(key)
    if stmt is None:
        c = ORDERS.c
        cid: BindParameter[Any]
        at, cid = bindparam("cursor_time", type_=c.order_time.type), bindparam("cursor_id")
        if side == "before":
            conds = [*conds, c.order_time <= at, or_(c.order_time < at, and_(c.order_time == at, c.id < cid))]
            order: tuple[ColumnElement[Any], ...] = (c.order_time.desc(), c.id.desc())
        else:
            if side == "after":
                conds = [*conds, or_(c.order_time > at, and_(c.order_time == at, c.id > cid))]
            order = (c.order_time, c.id)
        stmt = _PAGE_STATEMENTS[key] = select(ORDERS).where(*conds).order_by(*order).limit(bindparam("limit"))
    return stmt


def page(
    conn: Connection, f: OrderFilter, *, after: Cursor | None = None, before: Cursor | None = None, limit: int = 50
) -> list[RowMapping]:
    """Up to ``limit`` rows in (order_time, id) order, after or before a cursor (keyset paging)."""
    # The cursor's time replaces the filter's bound on that side, so the order_time index seeks
    # straight to the cursor; with both bounds SQLite may seek from the filter's and scan up to it.
    cursor = before if before is not None else after
    if before is not None and (f.end is None or before.order_time < f.end):
        f = f.with_(end=None)
    elif after is not None and (f.start is None or after.order_time >= f.start):
        f = f.with_(start=after.order_time)
    conds, params = _where(f)
    side = "before" if before is not None else "after" if after is not None else "first"
    stmt = _page_statement(f, conds, params, side)
    params["limit"] = limit
    if cursor is not None:
        params.update(cursor_time=cursor.order_time, cursor_id=cursor.id)
    rows = conn.execute(stmt, params).mappings().all()
    return list(reversed(rows)) if before is not None else list(rows)


def last_page(conn: Connection, f: OrderFilter, limit: int = 50) -> list[RowMapping]:
    stmt = select_orders(f, descending=True).limit(limit)
    return list(reversed(conn.execute(stmt).mappings().all()))


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


def count(conn: Connection, f: OrderFilter, cap: int | None = None) -> int:
    """How many orders match; with ``cap``, counting stops at cap + 1 (read it as "more than cap").

    An exact count of a week at a big station walks half a million rows (a second or two); a list
    heading needs only to know it is more than a person will page through.
    """
    conds, params = _where(f)
    if cap is None:
        return conn.execute(select(func.count()).select_from(ORDERS).where(*conds), params).scalar_one()
    matches = select(ORDERS.c.id).where(*conds).limit(cap + 1).subquery()
    return conn.execute(select(func.count()).select_from(matches), params).scalar_one()


def count_before(conn: Connection, f: OrderFilter, cursor: Cursor, cap: int) -> int:
    """How many orders of ``f`` come before ``cursor`` in (order_time, id) order, counting up to
    cap + 1: a list's row number, read off the same index seek as its page."""
    c = ORDERS.c
    where, params = _where(f.with_(end=None) if f.end is not None and cursor.order_time < f.end else f)
    conds: list[ColumnElement[bool] | TextClause] = [*where]
    # the plain upper bound lets the index seek to the cursor: behind the OR alone, SQLite walks down
    # from the newest order to the cursor first (a week at a million orders: a fifth of a second)
    conds += [c.order_time <= cursor.order_time,
              or_(c.order_time < cursor.order_time, and_(c.order_time == cursor.order_time, c.id < cursor.id))]
    before = select(c.id).where(*conds).order_by(c.order_time.desc(), c.id.desc()).limit(cap + 1).subquery()
    return conn.execute(select(func.count()).select_from(before), params).scalar_one()


waiting_counts = reads.waiting_counts
events_of = reads.events_of


def distinct_values(conn: Connection, column: str) -> list[str]:
    """The values in use for a filter column (sources, business types), for pick lists."""
    col = ORDERS.c[column]
    return [v for (v,) in conn.execute(select(col).distinct().order_by(col)) if v]
