"""网点揽件: confirm a pickup with its waybill (揽件确认), record a pickup failure, or a scan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from stationdesk.domain.errors import InvalidWaybill
from stationdesk.domain.reasons import Reason
from stationdesk.domain.limits import bounded
from stationdesk.domain.text import clean_text
from stationdesk.domain.statuses import Action, Status, can, next_status
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.failure import record_failure
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref, status_of
from stationdesk.services.outcome import Outcome
from stationdesk.store.rows import by_name, inserted_id
from stationdesk.store.tables import ORDERS, SCANS

SEND_PARCEL = "send_parcel"
REMIND_WAYBILL = Words("warn.remind_waybill")


def _check_waybill_free(conn: Connection, waybill: str, order_id: int, ref: str) -> None:
    other = conn.execute(
        select(ORDERS.c.logistics_no).where(ORDERS.c.waybill_no == waybill, ORDERS.c.id != order_id)
    ).first()
    if other:
        raise InvalidWaybill("err.waybill_used", ref=ref, waybill=waybill, other=other[0])


def confirm_pickup(desk: Desk, key: OrderKey, waybill: str | None, operator: str) -> Outcome:
    """揽件确认: the order becomes picked up with its waybill number.

    我要寄快递 orders need the waybill entered here; 在线下单 orders use the one they carry, and
    one that has only its logistics number is confirmed without one (当前记录揽件成功) with the
    reminder to ask the customer for it: it is listed as waiting for its waybill until the number
    is given (`orders correct NO --set waybill_no=...`, or the waybill entry again).
    """
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        new = next_status(Action.CONFIRM_PICKUP, status_of(row), ref)
        existing = row["waybill_no"]
        given = desk.waybill.check(waybill, order_ref=ref) if waybill else None
        warnings: list[str] = []  # Words, said in the reader's language
        if given and existing and given != existing:
            raise InvalidWaybill("err.waybill_differs", ref=ref, given=given, existing=existing)
        number = given or existing
        if number is None and row["business_type"] == SEND_PARCEL:
            raise InvalidWaybill("err.waybill_needed", ref=ref)
        if number is not None:
            if not given:
                desk.waybill.check(number, order_ref=ref)
            _check_waybill_free(conn, number, row["id"], ref)
        if existing is None and row["business_type"] != SEND_PARCEL:
            # 在线下单, first way: the order has its logistics number; the waybill comes later
            warnings.append(REMIND_WAYBILL)
        change = Change(row, Action.CONFIRM_PICKUP, {"status": new.value, "picked_up_at": now, "waybill_no": number},
                        {} if number else {"awaiting_waybill": True})
        apply_changes(conn, [change], operator, now, desk.station.code)
    if number is None:
        return Outcome(Words("done.picked_up_no_waybill", ref=ref), [row["id"]], warnings)
    return Outcome(Words("done.picked_up", ref=ref, waybill=number), [row["id"]], warnings)


def fail_pickup(desk: Desk, key: OrderKey, reason: Reason, note: str | None, operator: str) -> Outcome:
    """揽收失败 with a truthful cancellation reason (撤销原因)."""
    return record_failure(desk, key, Action.FAIL_PICKUP, reason, note, operator)


@dataclass
class ScanResult:
    waybill: str
    accepted: bool
    message: str
    order_id: int | None = None
    supplementary: bool = False


def record_scan(desk: Desk, raw: str, operator: str) -> ScanResult:
    """揽收扫描: every scan is logged; an accepted order's waybill picks it up, a picked-up order
    gets its scan (补扫描 when made after the pickup was confirmed). Refusals change no order."""
    number = desk.waybill.normalise(clean_text(bounded("waybill_no", raw)))
    with desk.db.write() as conn:
        now = desk.now()

        def refuse(reason: Words, order_id: int | None = None) -> ScanResult:
            conn.execute(SCANS.insert().values(
                waybill_no=number[:64], scanned_at=now, operator=operator, order_id=order_id,
                result="refused", reason=str(reason), supplementary=False,
            ))
            return ScanResult(number, False, Words("scan.said", waybill=number[:40], what=reason), order_id)

        if not desk.waybill.is_valid(number):
            return refuse(Words("scan.bad_form", form=desk.waybill.form()))
        found = conn.execute(select(ORDERS).where(ORDERS.c.waybill_no == number)).mappings().first()
        if found is None:
            return refuse(Words("scan.unknown"))
        row = by_name(found)
        status = status_of(row)
        ref = order_ref(row)
        if status is Status.CANCELLED:
            return refuse(Words("scan.cancelled", ref=ref), row["id"])
        if row["scanned_at"] is not None:
            return refuse(Words("scan.twice", ref=ref), row["id"])
        if not can(Action.PICKUP_SCAN, status):
            return refuse(Words("scan.status", ref=ref, status=status), row["id"])
        values = {"status": Status.PICKED_UP.value, "scanned_at": now}
        supplementary = status is Status.PICKED_UP
        if not supplementary:
            values["picked_up_at"] = now
        scan_id = inserted_id(conn.execute(SCANS.insert().values(
            waybill_no=number, scanned_at=now, operator=operator, order_id=row["id"],
            result="recorded" if supplementary else "picked_up", reason=None, supplementary=supplementary,
        )))
        apply_changes(conn, [Change(row, Action.PICKUP_SCAN, values, {"scan_id": scan_id, "supplementary": supplementary})],
                      operator, now, desk.station.code)
    said = Words("scan.supplementary" if supplementary else "scan.picked_up", ref=ref)
    return ScanResult(number, True, Words("scan.said", waybill=number, what=said), row["id"], supplementary)
