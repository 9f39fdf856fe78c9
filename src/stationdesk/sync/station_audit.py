"""A station's side of the audit: head office's notices, decisions and refunds, received at the sync.

Each message changes the station's ledger (考核台账) in one transaction with an event per order it
touches, chained into the audit trail like every change received from head office, and moves the
audit cursor in meta: a pull interrupted anywhere resumes with nothing lost or applied twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from stationdesk.domain import ledger
from stationdesk.store.engine import Database
from stationdesk.store.journal import Journal
from stationdesk.store.plumbing import Clock, in_chunks, read_meta, write_meta
from stationdesk.store.tables import APPEALS, NOTICES, ORDERS, VIOLATIONS
from stationdesk.store.values import from_db, to_db

AUDIT_POSITION = "sync.audit_position"
HQ_STREAM = "@hq"
HQ_OPERATOR = "总部"
PULL_BATCH = 200


def pull(db: Database, station_code: str, read: Callable[[int, int], list[dict[str, Any]]],
         clock: Clock) -> int:
    """Receive every audit message head office has for this station (``read(after, limit)`` fetches a
    page of them); returns how many."""
    n = 0
    while True:
        with db.read() as conn:
            position = int(_meta(conn) or 0)
        messages = read(position, PULL_BATCH)
        if not messages:
            return n
        n += apply_messages(db, station_code, messages, clock())


def _meta(conn: Connection) -> str | None:
    return read_meta(conn, AUDIT_POSITION)


def apply_messages(db: Database, station_code: str, messages: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Apply audit messages in id order and move the cursor, in one transaction."""
    with db.write() as conn:
        position = int(_meta(conn) or 0)
        todo = [m for m in messages if m["id"] > position]
        if not todo:
            return 0
        journal = Journal(conn, HQ_STREAM)
        stamp = to_db(now)
        bumped: dict[int, tuple[int, str]] = {}
        for m in todo:
            body = m["body"]
            touched = _APPLY[m["kind"]](conn, station_code, body, now)
            for order_id, what in touched:
                _event(conn, journal, bumped, order_id, m, what, stamp)
        journal.write()
        write_meta(conn, AUDIT_POSITION, str(todo[-1]["id"]))
    return len(todo)


def _event(conn: Connection, journal: Journal, bumped: dict[int, tuple[int, str]], order_id: int,
           m: Mapping[str, Any], what: dict[str, Any], stamp: str) -> None:
    """The ledger change as an event of its order: the audit trail shows who changed the fine and when."""
    if order_id in bumped:
        version, status = bumped[order_id]
    else:
        row = conn.execute(select(ORDERS.c.version, ORDERS.c.status).where(ORDERS.c.id == order_id)).one()
        version, status = row.version, row.status
    version += 1
    bumped[order_id] = (version, status)
    conn.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(version=version, updated_at=from_db(stamp)))
    details = json.dumps({"origin": "hq", "message": m["id"], "kind": m["kind"], **what}, ensure_ascii=False,
                         sort_keys=True)
    journal.add(order_id, version, f"audit_{m['kind']}", HQ_OPERATOR, stamp, status, status, details, details,
                op_id=f"hq-audit-{m['id']}-{order_id}-{version}", acked_at=stamp)


def _order_id(conn: Connection, source: str | None, number: str) -> int | None:
    stmt = select(ORDERS.c.id).where(ORDERS.c.logistics_no == number)
    if source:
        stmt = stmt.where(ORDERS.c.source == source)
    return conn.execute(stmt).scalar()


def _notice(conn: Connection, station: str, body: Mapping[str, Any], now: datetime) -> list[tuple[int, dict[str, Any]]]:
    issued, until = from_db(body["issued_at"]), from_db(body["appeal_deadline"])
    if conn.execute(select(NOTICES.c.id).where(NOTICES.c.id == body["id"])).first() is None:
        conn.execute(NOTICES.insert().values(id=body["id"], week=body["week"], issued_at=issued, appeal_deadline=until,
                                             total_fine=body["total_fine"], received_at=now))
    touched = []
    v = VIOLATIONS.c
    for item in body["violations"]:
        order_id = _order_id(conn, item.get("source"), item["logistics_no"])
        if order_id is None:
            continue  # an order this station never held: the notice row still lists it
        deadline = from_db(item["deadline"])
        values = {"state": ledger.State.NOTIFIED.value, "hq_id": item["hq_id"], "notice_id": body["id"],
                  "appeal_until": until}
        key = (v.order_id == order_id, v.station_code == item.get("station", station), v.kind == item["kind"],
               v.deadline == deadline)
        if conn.execute(update(VIOLATIONS).where(*key).values(**values)).rowcount == 0:
            conn.execute(VIOLATIONS.insert().values(
                order_id=order_id, station_code=item.get("station", station), kind=item["kind"], fine=item["fine"],
                deadline=deadline, at=from_db(item["at"]) if item.get("at") else None, recorded_at=now, **values))
        touched.append((order_id, {"notice": body["id"], "violation": item["kind"], "state": "notified"}))
    return touched


def _decision(conn: Connection, station: str, body: Mapping[str, Any], now: datetime) -> list[tuple[int, dict[str, Any]]]:
    order_id = _order_id(conn, body.get("source"), body["logistics_no"])
    if order_id is None:
        return []
    decision = body["decision"]
    conn.execute(update(APPEALS).where(APPEALS.c.order_id == order_id, APPEALS.c.kind == body["kind"])
                 .values(decision=decision, decision_note=str(body.get("note") or "")[:500], decided_at=now))
    if decision in (ledger.State.UPHELD.value, ledger.State.WITHDRAWN.value) and body.get("hq_id") is not None:
        conn.execute(update(VIOLATIONS).where(VIOLATIONS.c.hq_id == body["hq_id"])
                     .values(state=decision, decision_note=str(body.get("note") or "")[:500]))
    elif body.get("hq_id") is not None:  # refused: the fine stands as notified
        conn.execute(update(VIOLATIONS).where(VIOLATIONS.c.hq_id == body["hq_id"],
                                              VIOLATIONS.c.state == ledger.State.APPEALED.value)
                     .values(state=ledger.State.NOTIFIED.value, decision_note=str(body.get("note") or "")[:500]))
    return [(order_id, {"appeal": body.get("appeal"), "violation": body["kind"], "decision": decision})]


def _refund(conn: Connection, station: str, body: Mapping[str, Any], now: datetime) -> list[tuple[int, dict[str, Any]]]:
    ids = list(body.get("hq_ids") or [])
    touched = []
    for chunk in in_chunks(ids):
        rows = conn.execute(select(VIOLATIONS.c.id, VIOLATIONS.c.order_id, VIOLATIONS.c.kind)
                            .where(VIOLATIONS.c.hq_id.in_(chunk))).all()
        conn.execute(update(VIOLATIONS).where(VIOLATIONS.c.hq_id.in_(chunk)).values(state=body["state"]))
        touched += [(r.order_id, {"violation": r.kind, "state": body["state"], "month": body["month"]}) for r in rows]
    return touched


_APPLY = {"notice": _notice, "decision": _decision, "refund": _refund}
