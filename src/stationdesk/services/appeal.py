"""违规申诉: the station appeals a violation with a note, within 3 days of it; refused after.

An appeal is a station action like any other: the appeal row, the order's event and its outbox
op are written in one transaction, so head office hears of it through the same channel.
"""

from __future__ import annotations

from sqlalchemy import select

from stationdesk.domain import audit, sla
from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.fields import parse_text
from stationdesk.domain.statuses import Action
from stationdesk.services.context import Desk
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref
from stationdesk.services.outcome import Outcome
from stationdesk.store.values import order_times
from stationdesk.store.tables import APPEALS

_KINDS = {name: k for k in sla.ViolationKind for name in (k.value, k.label)}


def parse_kind(text: str) -> sla.ViolationKind:
    kind = _KINDS.get((text or "").strip())
    if kind is None:
        known = ", ".join(k.value for k in sla.ViolationKind)
        raise InvalidInput(f"违规类型 '{(text or '')[:40]}' 不存在 (expected one of: {known})")
    return kind


def appeal(desk: Desk, key: OrderKey, kind: sla.ViolationKind | str, note: str, operator: str) -> Outcome:
    """File an appeal of one violation of one order. Refused (nothing written) when the order
    has no such violation, it was appealed already, the note is empty, or the 3 days are over."""
    kind = kind if isinstance(kind, sla.ViolationKind) else parse_kind(kind)
    try:
        text = parse_text("note", note, required=True)
    except InvalidInput as exc:
        raise InvalidInput(f"申诉说明 (note): {exc}") from None
    tz = desk.config.tz
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        found = [v for v in sla.violations(order_times(row), now) if v.kind is kind]
        if not found:
            raise DomainError(f"订单 {ref}: 没有「{kind.label}」违规, 无需申诉 (no such violation on this order)")
        violation = found[0]
        if not audit.may_appeal(violation, now):
            since = audit.occurred_at(violation).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            until = audit.appeal_deadline(violation).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            raise DomainError(f"订单 {ref}: 「{kind.label}」违规发生于 {since}, 申诉期 3 天已于 {until} 结束, "
                              "不能再申诉 (appeal window closed)")
        if conn.execute(select(APPEALS.c.id).where(APPEALS.c.order_id == row["id"], APPEALS.c.kind == kind.value)).first():
            raise DomainError(f"订单 {ref}: 「{kind.label}」已申诉, 不能重复申诉 (already appealed)")
        conn.execute(APPEALS.insert().values(order_id=row["id"], kind=kind.value, note=text, operator=operator,
                                             appealed_at=now))
        apply_changes(conn, [Change(row, Action.APPEAL, {}, {"kind": kind.value, "note": text})],
                      operator, now, desk.station.code)
    return Outcome(f"订单 {ref}: 「{kind.label}」已申诉 (罚款 {kind.fine} 元)", [row["id"]])
