"""Read-side queries for the menus: filtered, keyset-paged, in Core SQL.

Pages are found by (order_time, id) seeks on indexed columns, never by OFFSET, so page 20,000
of a million orders costs what page 1 does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, RowMapping, Select, and_, case, func, or_, select

from stationdesk.domain.sla import ACCEPT_LIMIT, HQ_DISPATCH_PREFIX
from stationdesk.store.tables import EVENTS, ORDERS

CancelFilter = Literal["all", "unhandled", "handled"]


@dataclass(frozen=True)
class OrderFilter:
    """The filters of 电商订单查询 and the work lists. Times are aware; ``end`` is exclusive."""

    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    cancel: CancelFilter = "all"
    source: str | None = None
    channel: str | None = None
    business_type: str | None = None
    out_of_area: bool | None = None
    number: str | None = None  # a logistics or waybill number, exact

    def with_(self, **kw) -> OrderFilter:  # noqa: ANN003
        return replace(self, **kw)


def _where(f: OrderFilter) -> list:
    c = ORDERS.c
    conds: list = []
    if f.number:
        conds.append(or_(c.logistics_no == f.number.strip(), c.waybill_no == f.number.strip()))
    if f.start is not None:
        conds.append(c.order_time >= f.start)
    if f.end is not None:
        conds.append(c.order_time < f.end)
    if f.statuses:
        conds.append(c.status.in_(f.statuses) if len(f.statuses) > 1 else c.status == f.statuses[0])
    if f.cancel == "unhandled":
        conds.extend([c.cancelled.is_(True), c.cancel_handled.is_(False)])
    elif f.cancel == "handled":
        conds.extend([c.cancelled.is_(True), c.cancel_handled.is_(True)])
    if f.source:
        conds.append(c.source == f.source)
    if f.channel:
        conds.append(c.channel == f.channel)
    if f.business_type:
        conds.append(c.business_type == f.business_type)
    if f.out_of_area is not None:
        conds.append(c.out_of_area.is_(f.out_of_area))
    return conds


def select_orders(f: OrderFilter, *, descending: bool = False) -> Select:
    order = (ORDERS.c.order_time.desc(), ORDERS.c.id.desc()) if descending else (ORDERS.c.order_time, ORDERS.c.id)
    return select(ORDERS).where(*_where(f)).order_by(*order)


@dataclass(frozen=True)
class Cursor:
    """The position of a row in (order_time, id) order."""

    order_time: datetime
    id: int

    @classmethod
    def of(cls, row: RowMapping) -> Cursor:
        return cls(row["order_time"], row["id"])


def page(
    conn: Connection, f: OrderFilter, *, after: Cursor | None = None, before: Cursor | None = None, limit: int = 50
) -> list[RowMapping]:
    """Up to ``limit`` rows in (order_time, id) order, after or before a cursor (keyset paging)."""
    c = ORDERS.c
    if before is not None:
        stmt = select(ORDERS).where(
            *_where(f), or_(c.order_time < before.order_time, and_(c.order_time == before.order_time, c.id < before.id))
        ).order_by(c.order_time.desc(), c.id.desc()).limit(limit)
        return list(reversed(conn.execute(stmt).mappings().all()))
    stmt = select_orders(f)
    if after is not None:
        stmt = stmt.where(or_(c.order_time > after.order_time, and_(c.order_time == after.order_time, c.id > after.id)))
    return list(conn.execute(stmt.limit(limit)).mappings().all())


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


def count(conn: Connection, f: OrderFilter) -> int:
    return conn.execute(select(func.count()).select_from(ORDERS).where(*_where(f))).scalar_one()


def _accept_clock_start():  # noqa: ANN202
    c = ORDERS.c
    return case(
        (and_(c.dispatch_time.is_not(None), c.dispatch_operator.like(f"{HQ_DISPATCH_PREFIX}%")), c.dispatch_time),
        else_=c.order_time,
    )


@dataclass(frozen=True)
class WaitingCounts:
    waiting: int
    overdue: int
    due_soon: int


def waiting_counts(conn: Connection, now: datetime, soon: timedelta = timedelta(minutes=10)) -> WaitingCounts:
    """Orders waiting for acceptance: all, past the 30-min deadline, and due within ``soon``."""
    start = _accept_clock_start()
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
