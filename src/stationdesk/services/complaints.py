"""客户投诉: a complaint against an order (channel, category, note), handled within 48 hours,
escalated to the supervisor when its deadline is near, and closed with the customer's confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from stationdesk.domain.errors import DomainError
from stationdesk.domain.exceptions import (
    ComplaintCategory, ComplaintChannel, check_note, complaint_deadline, complaint_state, label, term,
)
from stationdesk.domain.statuses import Action
from stationdesk.domain.words import Term, Words
from stationdesk.services.context import Desk
from stationdesk.services.follow_up import record_follow_up
from stationdesk.services.outcome import Outcome
from stationdesk.services.recording import OrderKey, find, order_ref
from stationdesk.store.tables import COMPLAINTS as CP
from stationdesk.store.rows import inserted_id
from stationdesk.store.tables import ORDERS

REPORT_COLUMNS = (("category", "类别代码", 9), ("category_label", "投诉类别", 8), ("received", "收到", 6), ("closed", "已关闭", 6),
                  ("closed_late", "超时关闭", 8), ("open", "未关闭", 6), ("overdue", "已超时", 6),
                  ("avg_hours_to_close", "平均关闭小时", 12))


def record_complaint(desk: Desk, key: OrderKey, channel: ComplaintChannel, category: ComplaintCategory, note: str,
                     operator: str) -> Outcome:
    """Record a complaint; its 48-hour deadline starts now."""
    text = check_note(note, required=True, what=Term("投诉内容", "The complaint"))
    with desk.db.write() as conn:
        now = desk.now()
        row = find(conn, key)
        deadline = complaint_deadline(now)
        cid = inserted_id(conn.execute(CP.insert().values(order_id=row["id"], channel=channel.value, category=category.value,
                                              note=text, received_at=now, deadline=deadline, recorded_by=operator)
                           ))
        record_follow_up(conn, row, Action.COMPLAINT, {"complaint": cid, "channel": channel.value,
                                                       "category": category.value, "note": text}, operator, now)
    when = deadline.astimezone(desk.config.tz).strftime("%m-%d %H:%M")
    return Outcome(Words("done.complaint", ref=order_ref(row), id=cid, category=term(category.value), when=when),
                   [row["id"]])


def close_complaint(desk: Desk, complaint_id: int, confirmation: str, operator: str) -> Outcome:
    """Close a complaint once the customer confirmed the answer (their words are kept)."""
    said = check_note(confirmation, required=True, what=Term("客户确认", "The customer's confirmation"))
    with desk.db.write() as conn:
        now = desk.now()
        c = conn.execute(select(CP).where(CP.c.id == complaint_id)).mappings().first()
        if c is None:
            raise DomainError("err.no_complaint", id=complaint_id)
        if c["closed_at"] is not None:
            raise DomainError("err.complaint_closed", id=complaint_id)
        row = find(conn, c["order_id"])
        conn.execute(CP.update().where(CP.c.id == complaint_id).values(closed_at=now, confirmation=said, closed_by=operator))
        late = now > c["deadline"]
        record_follow_up(conn, row, Action.COMPLAINT_CLOSED, {"complaint": complaint_id, "confirmation": said,
                                                              "late": late}, operator, now)
    return Outcome(Words("done.complaint_closed_late" if late else "done.complaint_closed", id=complaint_id,
                         ref=order_ref(row)), [row["id"]], [Words("warn.complaint_late")] if late else [])


def open_complaints(desk: Desk) -> list[dict[str, Any]]:
    """Open complaints, nearest deadline first, with the time left and their state (near = escalated)."""
    now = desk.now()
    with desk.db.read() as conn:
        rows = conn.execute(select(CP, ORDERS.c.logistics_no).join(ORDERS, ORDERS.c.id == CP.c.order_id)
                            .where(CP.c.closed_at.is_(None)).order_by(CP.c.deadline, CP.c.id)).mappings().all()
    return [{**r, "left": r["deadline"] - now, "state": complaint_state(r["deadline"], now, None)} for r in rows]


def complaints_report(desk: Desk, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """For the supervisor: complaints received in [start, end) by category, and the time to close them."""
    now = desk.now()
    with desk.db.read() as conn:
        rows = conn.execute(select(CP).where(CP.c.received_at >= start, CP.c.received_at < end)).mappings().all()
    out = []
    for cat in ComplaintCategory:
        mine = [r for r in rows if r["category"] == cat.value]
        closed = [r for r in mine if r["closed_at"] is not None]
        took = [r["closed_at"] - r["received_at"] for r in closed]
        out.append({
            "category": cat.value, "category_label": label(cat.value), "received": len(mine), "closed": len(closed),
            "closed_late": sum(1 for r in closed if r["closed_at"] > r["deadline"]), "open": len(mine) - len(closed),
            "overdue": sum(1 for r in mine if r["closed_at"] is None and now > r["deadline"]),
            "avg_hours_to_close": round(sum(took, timedelta()).total_seconds() / 3600 / len(took), 1) if took else None,
        })
    return out
