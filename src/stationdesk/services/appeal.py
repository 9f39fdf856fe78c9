"""违规申诉: the station appeals a recorded violation with a note, within 3 days of the penalty
notice that named it (《电商业务违规处罚消息通知》); refused before the notice and after the 3 days.

An appeal is a station action like any other: the appeal row, the order's event and its outbox
op are written in one transaction, so head office hears of it through the same channel.
"""

from __future__ import annotations

from sqlalchemy import select, update

from stationdesk.domain import ledger, sla
from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.fields import parse_text
from stationdesk.domain.statuses import Action
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref
from stationdesk.services.outcome import Outcome
from stationdesk.store.tables import APPEALS, VIOLATIONS
from stationdesk.store.values import to_db

_KINDS = {name: k for k in sla.ViolationKind for name in (k.value, k.label)}


def parse_kind(text: str) -> sla.ViolationKind:
    kind = _KINDS.get((text or "").strip())
    if kind is None:
        known = ", ".join(k.value for k in sla.ViolationKind)
        raise InvalidInput("err.unknown_kind", kind=(text or "")[:40], valid=known)
    return kind


def appeal(desk: Desk, key: OrderKey, kind: sla.ViolationKind | str, note: str, operator: str) -> Outcome:
    """File an appeal of one recorded violation of this station on one order. Refused (nothing
    written) when the ledger has no such violation, it is not in a penalty notice yet, it was
    appealed already, the note is empty, or the 3 days from the notice are over."""
    kind = kind if isinstance(kind, sla.ViolationKind) else parse_kind(kind)
    try:
        text = parse_text("note", note, required=True)
    except InvalidInput as exc:
        raise InvalidInput("err.appeal_note", why=exc) from None
    tz = desk.config.tz
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        v = conn.execute(
            select(VIOLATIONS).where(VIOLATIONS.c.order_id == row["id"], VIOLATIONS.c.kind == kind.value,
                                     VIOLATIONS.c.station_code == desk.station.code)
            .order_by(VIOLATIONS.c.deadline.desc()).limit(1)
        ).mappings().first()
        if v is None:
            raise DomainError("err.appeal_none", ref=ref, kind=kind)
        if conn.execute(select(APPEALS.c.id).where(APPEALS.c.order_id == row["id"], APPEALS.c.kind == kind.value)).first():
            raise DomainError("err.appeal_twice", ref=ref, kind=kind)
        if v["notice_id"] is None or v["appeal_until"] is None:
            raise DomainError("err.appeal_no_notice", ref=ref, kind=kind)
        if v["state"] != ledger.State.NOTIFIED.value:
            raise DomainError("err.appeal_state", ref=ref, kind=kind, state=ledger.State(v["state"]))
        if now > v["appeal_until"]:
            until = v["appeal_until"].astimezone(tz).strftime("%Y-%m-%d %H:%M")
            raise DomainError("err.appeal_closed", ref=ref, kind=kind, until=until)
        conn.execute(APPEALS.insert().values(order_id=row["id"], kind=kind.value, note=text, operator=operator,
                                             appealed_at=now, violation_id=v["id"]))
        conn.execute(update(VIOLATIONS).where(VIOLATIONS.c.id == v["id"]).values(state=ledger.State.APPEALED.value))
        apply_changes(conn, [Change(row, Action.APPEAL, {}, {"kind": kind.value, "note": text, "violation": v["hq_id"],
                                                             "deadline": to_db(v["deadline"])})],
                      operator, now, desk.station.code)
    return Outcome(Words("done.appealed", ref=ref, kind=kind, fine=kind.fine), [row["id"]])
