"""网点接单: accept one order, a selection (批量接单成功, all or nothing), or fail acceptance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from stationdesk.domain.errors import DomainError
from stationdesk.domain.reasons import Reason
from stationdesk.domain.statuses import Action, Status, next_status
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.failure import record_failure
from stationdesk.services.recording import Change, OrderKey, apply_changes, find_many, order_ref, status_of
from stationdesk.services.outcome import Outcome
from stationdesk.store.tables import ORDERS

MAX_BATCH = 5000


class OutOfArea(DomainError):
    """The order is outside this station's service area: it must be transferred, not accepted."""


def _accept_change(desk: Desk, row: Mapping[str, Any], now: datetime) -> Change:
    ref = order_ref(row)
    new = next_status(Action.ACCEPT, status_of(row), ref)
    if row["out_of_area"]:
        where = (Words("err.transfer_to", code=row["suggested_station"]) if row["suggested_station"]
                 else Words("err.transfer_it"))
        raise OutOfArea("err.out_of_area", ref=ref, district=row["sender_district"], where=where)
    return Change(row, Action.ACCEPT, {"status": new.value, "accepted_at": now})


def accept(desk: Desk, keys: Sequence[OrderKey], operator: str) -> Outcome:
    """Accept the orders named, all in one transaction: if any one is refused, none is accepted."""
    if not keys:
        raise DomainError("err.none_selected")
    if len(keys) > MAX_BATCH:
        raise DomainError("err.batch_too_big", limit=MAX_BATCH, n=len(keys))
    with desk.db.write() as conn:
        now = desk.now()
        rows = find_many(conn, list(keys))
        problems: list[DomainError] = []
        changes: list[Change] = []
        for row in rows:
            try:
                changes.append(_accept_change(desk, row, now))
            except DomainError as exc:
                problems.append(exc)
        if len(rows) == 1 and problems:
            raise problems[0]
        if problems:
            more = Words("err.batch_more", n=len(problems) - 5) if len(problems) > 5 else ""
            raise DomainError("err.batch_refused", n=len(problems), problems=problems[:5], more=more)
        apply_changes(conn, changes, operator, now, desk.station.code)
    ids = [r["id"] for r in rows]
    if len(rows) == 1:
        return Outcome(Words("done.accepted", ref=order_ref(rows[0])), ids)
    return Outcome(Words("done.batch_accepted", n=len(rows)), ids)


def waiting_in_area_ids(desk: Desk, limit: int = MAX_BATCH) -> list[int]:
    """Every order waiting for acceptance that this station may accept, oldest first."""
    with desk.db.read() as conn:
        return list(
            conn.execute(
                select(ORDERS.c.id)
                .where(ORDERS.c.status == Status.WAITING.value, ORDERS.c.out_of_area.is_(False))
                .order_by(ORDERS.c.order_time, ORDERS.c.id)
                .limit(limit)
            ).scalars()
        )


def fail_accept(desk: Desk, key: OrderKey, reason: Reason, note: str | None, operator: str) -> Outcome:
    """接单失败 with a truthful reason."""
    return record_failure(desk, key, Action.FAIL_ACCEPT, reason, note, operator)
