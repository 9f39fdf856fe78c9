"""撤单: a cancellation from the customer or channel, and the station marking it handled."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from stationdesk.domain.errors import DomainError
from stationdesk.domain.statuses import Action, next_status
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref, status_of
from stationdesk.services.outcome import Outcome


def cancel_change(row: Mapping[str, Any], now: datetime, origin: str) -> Change:
    """The change that cancels ``row`` (raises IllegalTransition once the parcel is picked up)."""
    new = next_status(Action.CANCEL, status_of(row), order_ref(row))
    return Change(row, Action.CANCEL, {"status": new.value, "cancelled": True, "cancelled_at": now}, {"origin": origin})


def cancel(desk: Desk, key: OrderKey, operator: str, origin: str = "channel") -> Outcome:
    """The customer or channel cancelled the order."""
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        apply_changes(conn, [cancel_change(row, now, origin)], operator, now, desk.station.code)
    return Outcome(Words("done.cancelled", ref=order_ref(row)), [row["id"]])


def mark_cancel_handled(desk: Desk, key: OrderKey, operator: str) -> Outcome:
    """已做撤单处理: the station has dealt with a cancelled order."""
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        new = next_status(Action.MARK_CANCEL_HANDLED, status_of(row), ref)
        if row["cancel_handled"]:
            raise DomainError("err.cancel_handled_already", ref=ref)
        apply_changes(conn, [Change(row, Action.MARK_CANCEL_HANDLED, {"status": new.value, "cancel_handled": True})],
                      operator, now, desk.station.code)
    return Outcome(Words("done.cancel_handled", ref=ref), [row["id"]])
