"""重复下单: the orders flagged as a likely second submission, failing one as a duplicate, or
clearing the flag when the customer really sent two parcels.

The rule (DOMAIN.md): if neither order is processed, cancel the duplicate and tell the customer
(接单失败 with reason 重复下单); if the earlier one is already processed, contact the customer.
"""

from __future__ import annotations

from typing import Any

from stationdesk.domain.errors import DomainError
from stationdesk.domain.reasons import Reason
from stationdesk.domain.statuses import Status
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Words
from stationdesk.services.accept import fail_accept
from stationdesk.services.context import Desk
from stationdesk.services.outcome import Outcome
from stationdesk.services.recording import OrderKey, find, order_ref
from stationdesk.store.duplicates import clear_flag, open_flag_of, open_flags

OPEN = (Status.WAITING.value, Status.ACCEPTED.value)


def list_duplicates(desk: Desk) -> list[dict[str, Any]]:
    """Open 重复下单? flags on orders still to be handled, with what to do about each."""
    with desk.db.read() as conn:
        rows = open_flags(conn, OPEN)
    for r in rows:
        processed = r["earlier_status"] not in (Status.WAITING.value, Status.CANCELLED.value)
        r["advice"] = Words("dup.contact_first" if processed else "dup.fail_it")
    return rows


def fail_as_duplicate(desk: Desk, key: OrderKey, operator: str, note: str | None = None) -> Outcome:
    """接单失败 with reason 重复下单, for a flagged waiting order (one transaction: fail_accept's)."""
    with desk.db.read() as conn:
        row = find(conn, key)
        flag = open_flag_of(conn, row["id"])
    if flag is None:
        raise DomainError("err.not_flagged_fail", ref=order_ref(row))
    return fail_accept(desk, row["id"], Reason.DUPLICATE_ORDER, note, operator)


def clear_duplicate(desk: Desk, key: OrderKey, operator: str) -> Outcome:
    """不是重复下单: the customer really placed two orders; the flag is cleared, with who and when."""
    with desk.db.write() as conn:
        row = find(conn, key)
        if open_flag_of(conn, row["id"]) is None:
            raise DomainError("err.not_flagged", ref=order_ref(row))
        clear_flag(conn, row["id"], operator, desk.now())
    return Outcome(Words("done.not_duplicate", ref=clean_text(order_ref(row))), [row["id"]])
