"""物流异常: a lost, damaged or delayed parcel recorded with its cause, the customer kept informed
(contacted), and resolved with an outcome. Each step is an event on the order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from stationdesk.domain.errors import DomainError
from stationdesk.domain.exceptions import ExceptionKind, check_note, label, term
from stationdesk.domain.statuses import Action, Status
from stationdesk.domain.words import Term, Words
from stationdesk.services.context import Desk
from stationdesk.services.follow_up import record_follow_up
from stationdesk.services.outcome import Outcome
from stationdesk.services.recording import OrderKey, find, order_ref
from stationdesk.store.tables import LOGISTICS_EXCEPTIONS as LX
from stationdesk.store.rows import inserted_id
from stationdesk.store.tables import ORDERS

# The parcel is in the network's hands: only then can it be lost, damaged or delayed.
IN_NETWORK = (Status.PICKED_UP.value,)
REPORT_COLUMNS = (("kind", "类型代码", 8), ("kind_label", "异常类型", 8), ("recorded", "登记", 6), ("contacted", "已联系客户", 10),
                  ("resolved", "已处理", 6), ("open", "未处理", 6), ("avg_hours_to_resolve", "平均处理小时", 12))


def _open_of(conn: Any, order_id: int) -> Any:
    return conn.execute(select(LX).where(LX.c.order_id == order_id, LX.c.resolved_at.is_(None))).mappings().first()


def record_exception(desk: Desk, key: OrderKey, kind: ExceptionKind, note: str, operator: str) -> Outcome:
    """Record a logistics exception with its cause on a picked-up order (one open at a time)."""
    cause = check_note(note, required=True, what=Term("原因", "The cause"))
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        if row["status"] not in IN_NETWORK:
            raise DomainError("err.exception_not_picked", ref=ref, status=Status(row["status"]))
        if _open_of(conn, row["id"]) is not None:
            raise DomainError("err.exception_open", ref=ref)
        xid = inserted_id(conn.execute(LX.insert().values(order_id=row["id"], kind=kind.value, note=cause, recorded_at=now,
                                              recorded_by=operator)))
        record_follow_up(conn, row, Action.LOGISTICS_EXCEPTION, {"exception": xid, "kind": kind.value, "note": cause},
                         operator, now)
    return Outcome(Words("done.exception", ref=ref, kind=term(kind.value)), [row["id"]])


def mark_contacted(desk: Desk, key: OrderKey, note: str | None, operator: str) -> Outcome:
    """The customer was told about the open exception."""
    said = check_note(note, required=False)
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        x = _open_of(conn, row["id"])
        if x is None:
            raise DomainError("err.no_open_exception", ref=ref)
        conn.execute(LX.update().where(LX.c.id == x["id"]).values(contacted_at=now))
        record_follow_up(conn, row, Action.EXCEPTION_CONTACTED, {"exception": x["id"], "note": said}, operator, now)
    return Outcome(Words("done.contacted", ref=ref), [row["id"]])


def resolve_exception(desk: Desk, key: OrderKey, outcome: str, operator: str) -> Outcome:
    """Close the open exception with its outcome (找回, 赔付, 已送达 ...)."""
    result = check_note(outcome, required=True, what=Term("处理结果", "The outcome"))
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        ref = order_ref(row)
        x = _open_of(conn, row["id"])
        if x is None:
            raise DomainError("err.no_open_exception", ref=ref)
        conn.execute(LX.update().where(LX.c.id == x["id"]).values(resolved_at=now, outcome=result, resolved_by=operator))
        record_follow_up(conn, row, Action.EXCEPTION_RESOLVED, {"exception": x["id"], "outcome": result}, operator, now)
    return Outcome(Words("done.exception_resolved", ref=ref, outcome=result), [row["id"]])


def open_exceptions(desk: Desk) -> list[dict[str, Any]]:
    """Open exceptions, oldest first, with their age and whether the customer was contacted."""
    now = desk.now()
    with desk.db.read() as conn:
        rows = conn.execute(select(LX, ORDERS.c.logistics_no, ORDERS.c.waybill_no).join(ORDERS, ORDERS.c.id == LX.c.order_id)
                            .where(LX.c.resolved_at.is_(None)).order_by(LX.c.recorded_at, LX.c.id)).mappings().all()
    return [{**r, "age": now - r["recorded_at"], "contacted": r["contacted_at"] is not None} for r in rows]


def exceptions_report(desk: Desk, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """For the supervisor: exceptions recorded in [start, end) by kind, contacted, resolved, time to resolve."""
    with desk.db.read() as conn:
        rows = conn.execute(select(LX).where(LX.c.recorded_at >= start, LX.c.recorded_at < end)).mappings().all()
    out = []
    for kind in ExceptionKind:
        mine = [r for r in rows if r["kind"] == kind.value]
        done = [r["resolved_at"] - r["recorded_at"] for r in mine if r["resolved_at"] is not None]
        out.append({
            "kind": kind.value, "kind_label": label(kind.value), "recorded": len(mine),
            "contacted": sum(1 for r in mine if r["contacted_at"] is not None), "resolved": len(done),
            "open": len(mine) - len(done),
            "avg_hours_to_resolve": round(sum(done, timedelta()).total_seconds() / 3600 / len(done), 1) if done else None,
        })
    return out
