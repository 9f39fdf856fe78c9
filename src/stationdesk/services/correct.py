"""更正客户信息: record corrected customer details so the courier works from the new data."""

from __future__ import annotations

from typing import Any

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.fields import parse_phone, parse_text
from stationdesk.domain.ledger import area_values
from stationdesk.domain.routing import check_area
from stationdesk.domain.statuses import Action, next_status
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Term, Words
from stationdesk.services.context import Desk
from stationdesk.services.pickup import _check_waybill_free
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref, status_of
from stationdesk.services.outcome import Outcome

CORRECTABLE = (
    "sender_name", "sender_phone", "sender_province", "sender_city", "sender_district", "sender_address",
    "note", "goods", "waybill_no",
)


MAX_REASON = 200


def correct_info(desk: Desk, key: OrderKey, fields: dict[str, str], operator: str, reason: str | None = None) -> Outcome:
    """Change the customer's details; a new district re-checks the service area.

    ``reason`` (why, e.g. 客户来电更正地址) goes into the event. A correction that moves the order
    out of the area records ``transfer_clock_from``: the 30-minute transfer clock starts at the
    correction, never earlier. The event keeps phones masked; the full number is in the order row."""
    why = clean_text(reason) or None
    if why and len(why) > MAX_REASON:
        raise InvalidInput("err.order", ref=key, what=Words("err.field_too_long", what=Term("更正原因", "The reason"),
                                                           n=len(why), limit=MAX_REASON))
    unknown = sorted(set(fields) - set(CORRECTABLE))
    if unknown:
        raise InvalidInput("err.not_correctable", ref=key, fields=", ".join(unknown), valid=", ".join(CORRECTABLE))
    values: dict[str, Any] = {}
    for name, raw in fields.items():
        try:
            if name == "sender_phone":
                values[name] = parse_phone(raw)
            elif name == "waybill_no":
                values[name] = desk.waybill.check(raw) if raw else None
            else:
                values[name] = parse_text(name, raw)
        except DomainError as exc:
            raise InvalidInput("err.order_field", ref=key, field=Words.field(name), why=exc) from None
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        new = next_status(Action.CORRECT_INFO, status_of(row), ref)
        changed = {k: v for k, v in values.items() if row[k] != v}
        if not changed:
            raise DomainError("err.nothing_changed", ref=ref)
        if changed.get("waybill_no"):
            _check_waybill_free(conn, changed["waybill_no"], row["id"], ref)
        details: dict[str, Any] = {"reason_text": why} if why else {}
        if "sender_district" in changed:
            routing = check_area(desk.station, desk.directory, changed["sender_district"])
            changed.update(area_values(row, routing, now))
        changed["status"] = new.value
        apply_changes(conn, [Change(row, Action.CORRECT_INFO, changed, details)], operator, now, desk.station.code)
    fields_changed = [Words.field(f) for f in sorted(set(changed) & set(CORRECTABLE))]
    return Outcome(Words("done.corrected", ref=ref, fields=fields_changed), [row["id"]])
