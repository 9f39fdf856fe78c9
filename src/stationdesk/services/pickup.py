"""网点揽件: confirm a pickup with its waybill (揽件确认), record a pickup failure, or a scan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from stationdesk.domain.errors import InvalidWaybill
from stationdesk.domain.reasons import Reason
from stationdesk.domain.limits import bounded
from stationdesk.domain.text import clean_text
from stationdesk.domain.statuses import Action, Status, can, next_status
from stationdesk.services.context import Desk
from stationdesk.services.failure import record_failure
from stationdesk.services.recording import Change, OrderKey, apply_changes, find, order_ref, status_of
from stationdesk.services.outcome import Outcome
from stationdesk.store.tables import ORDERS, SCANS

SEND_PARCEL = "send_parcel"
REMIND_WAYBILL = "请提醒客户提供正确的运单号 (remind the customer to give the correct waybill number)"


def _check_waybill_free(conn: Connection, waybill: str, order_id: int, ref: str) -> None:
    other = conn.execute(
        select(ORDERS.c.logistics_no).where(ORDERS.c.waybill_no == waybill, ORDERS.c.id != order_id)
    ).first()
    if other:
        raise InvalidWaybill(f"订单 {ref}: 运单号 {waybill} 已用于订单 {other[0]} (waybill already used)")


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
        warnings: list[str] = []
        if given and existing and given != existing:
            raise InvalidWaybill(
                f"订单 {ref}: 输入的运单号 {given} 与订单上的 {existing} 不一致; 虚假运单号罚款 500 元. "
                "如客户更换了运单, 请先更正客户信息"
            )
        number = given or existing
        if number is None and row["business_type"] == SEND_PARCEL:
            raise InvalidWaybill(f"订单 {ref}: 揽件确认需要运单号 (waybill number required)")
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
        return Outcome(f"订单 {ref} 当前记录揽件成功, 待客户提供运单号 (picked up; waiting for its waybill number)",
                       [row["id"]], warnings)
    return Outcome(f"订单 {ref} 当前记录揽件成功, 运单号 {number}", [row["id"]], warnings)


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

        def refuse(reason: str, order_id: int | None = None) -> ScanResult:
            conn.execute(SCANS.insert().values(
                waybill_no=number[:64], scanned_at=now, operator=operator, order_id=order_id,
                result="refused", reason=reason, supplementary=False,
            ))
            return ScanResult(number, False, f"{number[:40]}: {reason}", order_id)

        if not desk.waybill.is_valid(number):
            return refuse(f"运单号格式不对, 应为{desk.waybill.description}")
        row = conn.execute(select(ORDERS).where(ORDERS.c.waybill_no == number)).mappings().first()
        if row is None:
            return refuse("没有该运单号的订单 (unknown waybill)")
        status = status_of(row)
        ref = order_ref(row)
        if status is Status.CANCELLED:
            return refuse(f"订单 {ref} 已撤单, 不能揽收", row["id"])
        if row["scanned_at"] is not None:
            return refuse(f"订单 {ref} 已扫描 (duplicate scan)", row["id"])
        if not can(Action.PICKUP_SCAN, status):
            return refuse(f"订单 {ref} 状态「{status.label}」不能揽收扫描", row["id"])
        values = {"status": Status.PICKED_UP.value, "scanned_at": now}
        supplementary = status is Status.PICKED_UP
        if not supplementary:
            values["picked_up_at"] = now
        scan_id = conn.execute(SCANS.insert().values(
            waybill_no=number, scanned_at=now, operator=operator, order_id=row["id"],
            result="recorded" if supplementary else "picked_up", reason=None, supplementary=supplementary,
        )).inserted_primary_key[0]
        apply_changes(conn, [Change(row, Action.PICKUP_SCAN, values, {"scan_id": scan_id, "supplementary": supplementary})],
                      operator, now, desk.station.code)
    label = "补扫描成功" if supplementary else "揽收成功"
    return ScanResult(number, True, f"{number}: 订单 {ref} {label}", row["id"], supplementary)
