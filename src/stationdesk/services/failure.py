"""接单失败 and 揽收失败: the same use case on two clocks, with a truthful reason."""

from __future__ import annotations

from stationdesk.domain.errors import ReasonRefused
from stationdesk.domain.reasons import Reason, check_reason
from stationdesk.domain.statuses import Action, next_status
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref, status_of
from stationdesk.services.outcome import Outcome

# The failure actions and the column that records when each happened.
FAILURE_TIME_COLUMN = {Action.FAIL_ACCEPT: "accept_failed_at", Action.FAIL_PICKUP: "pickup_failed_at"}


def record_failure(desk: Desk, key: OrderKey, action: Action, reason: Reason, note: str | None, operator: str) -> Outcome:
    """Record a failure with its reason; capacity excuses and an 'other' without a note are refused."""
    try:
        note = check_reason(reason, note)
    except ReasonRefused as exc:
        raise ReasonRefused("err.order", ref=key, what=exc) from None
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        new = next_status(action, status_of(row), order_ref(row))
        change = Change(
            row, action,
            {"status": new.value, FAILURE_TIME_COLUMN[action]: now, "fail_reason": reason.value, "fail_note": note},
            {"reason": reason.value, "note": note},
        )
        apply_changes(conn, [change], operator, now, desk.station.code)
    return Outcome(Words("done.failed", ref=order_ref(row), status=new, reason=reason), [row["id"]])
