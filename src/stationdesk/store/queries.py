"""Read-side queries for the menus: filtered, keyset-paged, in Core SQL.

Pages are found by (order_time, id) seeks on indexed columns, never by OFFSET, so page 20,000
of a million orders costs what page 1 does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, and_, bindparam, case, func, or_, select

from stationdesk.domain.sla import ACCEPT_LIMIT, HQ_DISPATCH_PREFIX
from stationdesk.domain.sources import source_names
from stationdesk.domain.statuses import Status
from stationdesk.store.tables import EVENTS, ORDERS
from stationdesk.store.values import Cursor, OrderFilter, WaitingCounts

IN_LIST_LIMIT = 900  # values per IN (...) list, well under SQLite's bound-parameter limit

def _where(f: OrderFilter) -> tuple[list, dict[str, Any]]:
    """The conditions of ``f`` with named parameters, and their values.

    The SQL depends on which filters are set, never on their values, so page() builds each
    statement once and SQLAlchemy's compiled cache always hits.
    """
    c = ORDERS.c
    conds: list = []
    params: dict[str, Any] = {}
    if f.number:
        conds.append(_number_condition(f.number.strip(), params))
    if f.start is not None:
        conds.append(c.order_time >= bindparam("start"))
        params["start"] = f.start
    if f.end is not None:
        conds.append(c.order_time < bindparam("end"))
        params["end"] = f.end
    if f.statuses:
        conds.append(c.status.in_(bindparam("statuses", expanding=True)))
        params["statuses"] = list(f.statuses)
    if f.cancel == "unhandled":
        conds.extend([c.cancelled.is_(True), c.cancel_handled.is_(False)])
    elif f.cancel == "handled":
        conds.extend([c.cancelled.is_(True), c.cancel_handled.is_(True)])
    if f.source:
        # a name or a code (LP, wx, ...): one code may name several sources
        conds.append(c.source.in_(bindparam("source", expanding=True)))
        params["source"] = list(source_names(f.source))
    if f.awaiting_waybill:
        # 在线下单 confirmed without a waybill: listed until the number is given
        conds.extend([c.status == bindparam("awaiting_waybill"), c.waybill_no.is_(None)])
        params["awaiting_waybill"] = Status.PICKED_UP.value
    for name in ("channel", "business_type"):
        if getattr(f, name):
            conds.append(c[name] == bindparam(name))
            params[name] = getattr(f, name)
    if f.out_of_area is not None:
        conds.append(c.out_of_area == bindparam("out_of_area"))
        params["out_of_area"] = f.out_of_area
    return conds, params


PREFIX_FROM = 4  # characters typed before a number also matches as a prefix (fewer: exact only)
MAX_CASE_LETTERS = 6  # letters whose every upper/lower case spelling is tried; past that, as typed/upper/lower


def number_spellings(number: str) -> list[str]:
    """Every upper/lower case spelling of ``number`` ('kd01' -> KD01, Kd01, kD01, kd01): numbers are
    stored as the channel writes them (LP.., wx.., ali..), a clerk types them in any case."""
    letters = [i for i, ch in enumerate(number) if ch.lower() != ch.upper()]
    if len(letters) > MAX_CASE_LETTERS:
        return list(dict.fromkeys([number, number.upper(), number.lower()]))
    out = []
    for mask in range(1 << len(letters)):
        chars = list(number.lower())
        for bit, i in enumerate(letters):
            if mask >> bit & 1:
                chars[i] = chars[i].upper()
        out.append("".join(chars))
    return out


def _after_prefix(prefix: str) -> str:
    """The first string past every string that starts with ``prefix`` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _number_condition(number: str, params: dict[str, Any]) -> ColumnElement[bool]:
    """Logistics or waybill number equal to ``number`` in any case, or (from PREFIX_FROM characters)
    starting with it: each spelling is an index range on both number columns, so the lookup stays a
    few index seeks on a million orders."""
    c = ORDERS.c
    terms = []
    for i, spelling in enumerate(number_spellings(number)):
        lo = bindparam(f"number_{i}")
        params[f"number_{i}"] = spelling
        if len(number) >= PREFIX_FROM:
            hi = bindparam(f"number_{i}_end")
            params[f"number_{i}_end"] = _after_prefix(spelling)
            terms += [and_(c.logistics_no >= lo, c.logistics_no < hi), and_(c.waybill_no >= lo, c.waybill_no < hi)]
        else:
            terms += [c.logistics_no == lo, c.waybill_no == lo]
    return or_(*terms)


def select_orders(f: OrderFilter, *, descending: bool = False) -> Select:
    order = (ORDERS.c.order_time.desc(), ORDERS.c.id.desc()) if descending else (ORDERS.c.order_time, ORDERS.c.id)
    conds, params = _where(f)
    return select(ORDERS).where(*conds).order_by(*order).params(params)


# One per shape of filter and cursor side: a few dozen at most in a session.
_PAGE_STATEMENTS: dict[tuple, Select] = {}


def _page_statement(f: OrderFilter, conds: list, params: dict[str, Any], side: str) -> Select:
    """The page statement for this shape of filter and cursor, built once."""
    key = (side, f.cancel, *sorted(params))
    stmt = _PAGE_STATEMENTS.get(key)
    if stmt is None:
        c = ORDERS.c
        at, cid = bindparam("cursor_time", type_=c.order_time.type), bindparam("cursor_id")
        if side == "before":
            conds = [*conds, c.order_time <= at, or_(c.order_time < at, and_(c.order_time == at, c.id < cid))]
            order = (c.order_time.desc(), c.id.desc())
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


def stream(conn: Connection, f: OrderFilter, limit: int | None = None) -> Iterator[RowMapping]:
    """Every match in order, fetched in chunks so a million rows never sit in memory at once."""
    stmt = select_orders(f)
    if limit is not None:
        stmt = stmt.limit(limit)
    result = conn.execution_options(yield_per=1000).execute(stmt).mappings()
    yield from result


class _OrderReader:
    """Orders by number on the driver connection: the statement text built once, values converted
    by the columns' own result processors, so rows come back as the ORM-free Core path gives them.

    A lookup by number is what a clerk does hundreds of times a day (and a scanner several times a
    second); SQLAlchemy's per-statement machinery cost several times the indexed seek itself.
    """

    def __init__(self) -> None:
        self.names = [col.name for col in ORDERS.columns]
        self.select_all = f"SELECT {', '.join(self.names)} FROM orders"
        # One statement, two indexes (SQLite's multi-index OR): a consistent read with no BEGIN.
        self.by_number = f"{self.select_all} WHERE logistics_no = ?1 OR waybill_no = ?1"
        self.by_id = f"{self.select_all} WHERE id = ?"
        self._pairs: list[tuple[str, Any]] | None = None

    def _convert(self, conn: Connection, rows: list[tuple]) -> list[dict[str, Any]]:
        pairs = self._pairs
        if pairs is None:
            procs = [col.type.result_processor(conn.dialect, None) for col in ORDERS.columns]
            pairs = self._pairs = list(zip(self.names, procs))
        return [{name: (proc(v) if proc is not None and v is not None else v) for (name, proc), v in zip(pairs, row)}
                for row in rows]

    def run(self, conn: Connection, sql: str, params: Sequence[Any], where: Callable[[], Any]) -> list[dict[str, Any]]:
        if conn.dialect.name != "sqlite":  # any other database: the ordinary Core statement
            return [dict(r) for r in conn.execute(select(ORDERS).where(where())).mappings()]
        return self._convert(conn, conn.connection.driver_connection.execute(sql, params).fetchall())


_READER = _OrderReader()


def orders_by_number(conn: Connection, number: str) -> list[dict[str, Any]]:
    """The orders ``number`` names: those with it as logistics number, else those with it as waybill."""
    c = ORDERS.c
    rows = _READER.run(conn, _READER.by_number, (number,),
                       lambda: or_(c.logistics_no == number, c.waybill_no == number))
    if len(rows) > 1:
        by_logistics = [r for r in rows if r["logistics_no"] == number]
        rows = sorted(by_logistics or rows, key=lambda r: r["id"])
    return rows


def orders_with_logistics_nos(conn: Connection, numbers: Sequence[str]) -> list[dict[str, Any]]:
    """Every order whose logistics number is one of ``numbers`` (any count: asked in chunks)."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(numbers), IN_LIST_LIMIT):
        chunk = list(numbers[start : start + IN_LIST_LIMIT])
        sql = f"{_READER.select_all} WHERE logistics_no IN ({', '.join('?' * len(chunk))})"
        out += _READER.run(conn, sql, chunk, lambda chunk=chunk: ORDERS.c.logistics_no.in_(chunk))
    return out


def waybill_owners(conn: Connection, waybills: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The (source, logistics_no) of the order holding each of ``waybills`` that is taken."""
    owners: dict[str, tuple[str, str]] = {}
    for start in range(0, len(waybills), IN_LIST_LIMIT):
        chunk = list(waybills[start : start + IN_LIST_LIMIT])
        stmt = select(ORDERS.c.waybill_no, ORDERS.c.source, ORDERS.c.logistics_no).where(
            ORDERS.c.waybill_no.in_(bindparam("w", expanding=True)))
        for waybill, source, number in conn.execute(stmt, {"w": chunk}):
            owners[waybill] = (source, number)
    return owners


def order_by_id(conn: Connection, order_id: int) -> dict[str, Any] | None:
    rows = _READER.run(conn, _READER.by_id, (order_id,), lambda: ORDERS.c.id == order_id)
    return rows[0] if rows else None


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
    conds, params = _where(f.with_(end=None) if f.end is not None and cursor.order_time < f.end else f)
    conds.append(or_(c.order_time < cursor.order_time, and_(c.order_time == cursor.order_time, c.id < cursor.id)))
    before = select(c.id).where(*conds).order_by(c.order_time.desc(), c.id.desc()).limit(cap + 1).subquery()
    return conn.execute(select(func.count()).select_from(before), params).scalar_one()


def accept_clock_start() -> ColumnElement[Any]:
    """When an order's 30-minute accept clock started, as SQL: the HQ dispatch (分件) time when an
    电商** operator dispatched it, else the order time (the rule of domain/sla.py)."""
    c = ORDERS.c
    return case(
        (and_(c.dispatch_time.is_not(None), c.dispatch_operator.like(f"{HQ_DISPATCH_PREFIX}%")), c.dispatch_time),
        else_=c.order_time,
    )


def waiting_counts(conn: Connection, now: datetime, soon: timedelta = timedelta(minutes=10)) -> WaitingCounts:
    """Orders waiting for acceptance: all, past the 30-min deadline, and due within ``soon``."""
    start = accept_clock_start()
    overdue_cut = now - ACCEPT_LIMIT
    soon_cut = now - ACCEPT_LIMIT + soon
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((start < overdue_cut, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(start >= overdue_cut, start < soon_cut), 1), else_=0)), 0),
        ).where(ORDERS.c.status == "waiting")
    ).one()
    return WaitingCounts(int(row[0]), int(row[1]), int(row[2]))


def events_of(conn: Connection, order_id: int) -> list[RowMapping]:
    """An order's full history, oldest first."""
    return list(conn.execute(select(EVENTS).where(EVENTS.c.order_id == order_id).order_by(EVENTS.c.version)).mappings())


def distinct_values(conn: Connection, column: str) -> list[str]:
    """The values in use for a filter column (sources, business types), for pick lists."""
    col = ORDERS.c[column]
    return [v for (v,) in conn.execute(select(col).distinct().order_by(col)) if v]
