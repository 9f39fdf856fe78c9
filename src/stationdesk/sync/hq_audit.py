"""Head office's audit (考核): its ledger of every station's violations, the Monday week close with
its notices and network report, appeals and decisions, refunds, rewards, and the truthfulness review.

Plain functions on an engine (or, inside another transaction, a connection), each use case one
PostgreSQL transaction. The rules are domain/ledger.py, the same the stations record with; head office
applies them to its own copy of each order, so a station's ledger is checked, not trusted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from stationdesk.domain import ledger, wire
from stationdesk.domain.audit import APPEAL_WINDOW, REFUND_SHARES, Month, add_months, month_days
from stationdesk.domain.duplicates import DEFAULT_WINDOW, is_later_duplicate
from stationdesk.domain.errors import DomainError
from stationdesk.domain.words import Term, Words
from stationdesk.domain.reasons import Reason
from stationdesk.domain.routing import Directory, check_area
from stationdesk.domain.sla import ACCEPT_LIMIT, HQ_DISPATCH_PREFIX, PICKUP_LIMIT, TRANSFER_LIMIT, ViolationKind
from stationdesk.domain.statuses import Action, Status
from stationdesk.store.rows import by_name
from stationdesk.store.values import from_db, to_db
from stationdesk.sync.hq_tables import (
    HQ_APPEALS, HQ_AUDIT_MESSAGES, HQ_AUDIT_WEEKS, HQ_EVENTS, HQ_NOTICES, HQ_OPS, HQ_ORDERS, HQ_REVIEWS,
    HQ_STATIONS, HQ_VIOLATIONS,
)

HQ_TZ = ZoneInfo("Asia/Shanghai")  # the network's audit calendar: weeks and months in Beijing time
REWARD_PLACES = 200
REWARD_AMOUNT = 200
REACHABLE_WITHIN = timedelta(days=2)  # a customer picked up this close to an "unreachable" failure was reachable
_ACTIONS = {a.value: a for a in Action}
_COUNTS = tuple(s.value for s in ledger.COUNTS)


class AuditError(DomainError):
    """An audit request head office refuses; the message says why."""


def _ts(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return from_db(str(value))


def _local(ts: datetime | None, tz: tzinfo) -> str | None:
    return ts.astimezone(tz).isoformat(timespec="seconds") if ts else None


# ---------------------------------------------------------------- recording


def record(conn: Connection, order_id: int, found: Sequence[ledger.Found], now: datetime, origin: str,
           state: ledger.State = ledger.State.PROVISIONAL) -> int:
    """Put findings on head office's ledger; one already there stays as it is. Returns rows added."""
    if not found:
        return 0
    stmt = pg_insert(HQ_VIOLATIONS).values([
        {"order_id": order_id, "station_code": f.station, "kind": f.kind.value, "fine": f.fine,
         "deadline": f.deadline, "at": f.at, "state": state.value, "origin": origin, "created_at": now}
        for f in found
    ]).on_conflict_do_nothing(constraint="uq_hq_violation_fact").returning(HQ_VIOLATIONS.c.id)
    return len(conn.execute(stmt).all())


def after_op(conn: Connection, station: str, op: wire.Payload,
             before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, now: datetime) -> None:
    """A station's op was applied: record what its action incurred, at the station's action time."""
    act = _ACTIONS.get(str(op.action))
    if not isinstance(op, wire.ChangeOp) or act is None or before is None or after is None \
            or before["station_code"] != station:
        return
    at = _ts(op.at) or now
    # the station's view of the state it left ("transferred"), not head office's routing after it
    found = ledger.incurred(ledger.clocks(before), act, op.after_status, at, bool(after["out_of_area"]))
    if found and reads_orders(op):
        found = ledger.excused_as_duplicate(found, _twin_seen_at(conn, before))
    record(conn, before["id"], found, now, "op")


def reads_orders(op: wire.Payload | None) -> bool:
    """Whether ``after_op`` looks beyond the op's own order: a failure as 重复下单 is checked against
    head office's other orders of the customer."""
    return (isinstance(op, wire.ChangeOp) and op.action == Action.FAIL_ACCEPT.value
            and op.reason == Reason.DUPLICATE_ORDER.value)


def _twin_seen_at(conn: Connection, order: Mapping[str, Any]) -> datetime | None:
    """When head office's own copy shows ``order`` to be a second submission (an earlier order of the
    same station, customer, address and goods within the window): from its order time. Checked
    here rather than taken from the station's word."""
    o = HQ_ORDERS.c
    rows = conn.execute(select(HQ_ORDERS).where(
        o.station_code == order["station_code"], o.sender_phone == order["sender_phone"], o.id != order["id"],
        o.order_time >= order["order_time"] - DEFAULT_WINDOW, o.order_time <= order["order_time"])).mappings().all()
    return order["order_time"] if any(is_later_duplicate(by_name(r), order, DEFAULT_WINDOW) for r in rows) else None


def after_hq_action(conn: Connection, before: Mapping[str, Any], action: Action, after_status: str,
                    at: datetime) -> None:
    """Head office itself moved or cancelled an order: the holding station's late obligations stay."""
    found = ledger.incurred(ledger.clocks(before), action, Status(after_status), at)
    record(conn, before["id"], found, at, "hq")


def area_of_import(directory: Directory, station: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Whether an order a station imported is outside its area, by head office's own directory (an
    e-commerce team dispatch on it makes it the station's whatever the directory says)."""
    home = directory.find(station)
    if home is None or home.is_datacenter:
        return {}
    area = check_area(home, directory, str(values.get("sender_district") or ""))
    note = area.suggested.code if area.out_of_area and area.suggested else None
    return {"out_of_area": area.out_of_area and not ledger.person_routed_in(values), "suggested_station": note}


def rebuild_ledger(conn: Connection, now: datetime) -> int:
    """Build the ledger from every order's history at head office (the migration, once)."""
    n = 0
    orders = conn.execute(select(HQ_ORDERS).order_by(HQ_ORDERS.c.id)).mappings()
    for row in orders.all():
        events = conn.execute(
            select(HQ_EVENTS.c.action, HQ_EVENTS.c.after_status, HQ_EVENTS.c.at, HQ_EVENTS.c.details,
                   HQ_OPS.c.payload)
            .select_from(HQ_EVENTS.outerjoin(HQ_OPS, HQ_OPS.c.op_id == HQ_EVENTS.c.op_id))
            .where(HQ_EVENTS.c.order_id == row["id"]).order_by(HQ_EVENTS.c.version)
        ).all()
        if len(events) < 2:
            continue
        changes: list[Mapping[str, Any]] = [_typed_changes(e.details.get("changes") or {}) for e in events[1:]]
        for before, e in zip(ledger.states_before(dict(row), changes), events[1:], strict=True):
            act = _ACTIONS.get(e.action)
            if act is None or act is Action.IMPORT:
                continue
            at = _ts((e.payload or {}).get("at")) or e.at
            area = ((e.details.get("changes") or {}).get("out_of_area") or [None, None])[1]
            n += record(conn, row["id"], ledger.incurred(ledger.clocks(before), act, Status(e.after_status), at,
                                                         None if area is None else bool(area)), now, "history")
    return n


_TIME_COLUMNS = frozenset(c.name for c in HQ_ORDERS.columns if isinstance(c.type, type(HQ_ORDERS.c.order_time.type)))


def _typed_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: [_ts(v[0]) if k in _TIME_COLUMNS else v[0], v[1]] for k, v in changes.items()}


# ---------------------------------------------------------------- the week close


@dataclass
class WeekReport:
    """The network weekly report: rows by province, by station and by kind, and the notices issued."""

    week: str
    by_province: list[dict[str, Any]] = field(default_factory=list)
    by_station: list[dict[str, Any]] = field(default_factory=list)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    recorded_at_close: int = 0  # open orders found past a deadline at the close

    def as_json(self) -> dict[str, Any]:
        return {"week": self.week, "by_province": self.by_province, "by_station": self.by_station,
                "by_kind": self.by_kind, "notices": self.notices, "recorded_at_close": self.recorded_at_close}


def week_range(week: str, tz: tzinfo = HQ_TZ) -> tuple[datetime, datetime]:
    """The week's Monday 00:00 to the next Monday 00:00, in the audit's time zone."""
    try:
        monday = ledger.parse_week(week)
    except ValueError as exc:
        raise AuditError(str(exc)) from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    return start, start + timedelta(days=7)


def close_week(engine: Engine, week: str, now: datetime, tz: tzinfo = HQ_TZ) -> WeekReport:
    """The Monday job: record the open orders past a deadline of the week, confirm the week's
    violations, issue one notice per station with its appeal deadline, write the network report.

    A violation belongs to the week its deadline passed in, whenever the late action came. A week
    is closed once: a second close is refused (its report is kept, `report_of` reads it).
    """
    start, end = week_range(week, tz)
    if now < end:
        raise AuditError("hq.week_open", week=week, end=_local(end, tz))
    label = ledger.iso_week(start.date())
    report = WeekReport(label)
    with engine.begin() as conn:
        done = conn.execute(pg_insert(HQ_AUDIT_WEEKS).values(week=label, closed_at=now, report={})
                            .on_conflict_do_nothing().returning(HQ_AUDIT_WEEKS.c.week)).scalar()
        if done is None:
            raise AuditError("hq.week_closed", week=label)
        _confirm_suspected_transfers(conn, start, end, now)
        report.recorded_at_close = _find_open(conn, start, end)
        report.notices = _issue_notices(conn, label, start, end, now, tz)
        _summarise(conn, report, start, end)
        kept = report.as_json()  # the notices' violations are on the ledger (notice_id): the report keeps totals
        kept["notices"] = [{k: v for k, v in n.items() if k != "violations"} | {"count": len(n["violations"])}
                           for n in report.notices]
        conn.execute(update(HQ_AUDIT_WEEKS).where(HQ_AUDIT_WEEKS.c.week == label).values(report=kept))
    return report


def report_of(engine: Engine, week: str, tz: tzinfo = HQ_TZ) -> WeekReport:
    """A closed week's report as it was written at the close (each notice with its count of
    violations; `violations_of` lists them)."""
    start, _ = week_range(week, tz)
    label = ledger.iso_week(start.date())
    with engine.connect() as conn:
        data = conn.execute(select(HQ_AUDIT_WEEKS.c.report).where(HQ_AUDIT_WEEKS.c.week == label)).scalar()
    if data is None:
        raise AuditError("hq.week_not_closed", week=label)
    return WeekReport(label, data["by_province"], data["by_station"], data["by_kind"], data["notices"],
                      data["recorded_at_close"])


# The SQL form of domain/ledger.overdue over head office's orders, so a week of a million orders is
# judged inside PostgreSQL; tests/sync/test_audit_review.py checks both agree case by case.
_ROUTED_HERE = "(coalesce(o.transferred_to = o.station_code, false) AND o.transferred_at IS NOT NULL)"
_DISPATCH_LAST = f"(o.dispatch_time IS NOT NULL AND (NOT {_ROUTED_HERE} OR o.dispatch_time >= o.transferred_at))"
_ACCEPT_START = (f"CASE WHEN {_DISPATCH_LAST} AND btrim(coalesce(o.dispatch_operator, '')) LIKE '{HQ_DISPATCH_PREFIX}%'"
                 f" THEN o.dispatch_time WHEN {_DISPATCH_LAST} THEN o.order_time"
                 f" WHEN {_ROUTED_HERE} THEN o.transferred_at ELSE o.order_time END")
OVERDUE_SQL = f"""
CREATE TEMP TABLE hq_open_found ON COMMIT DROP AS
SELECT id AS order_id, station_code, kind, fine, deadline FROM (
    SELECT o.id, o.station_code, 'late_accept' AS kind, {ViolationKind.LATE_ACCEPT.fine} AS fine,
           ({_ACCEPT_START}) + interval '{int(ACCEPT_LIMIT.total_seconds())} seconds' AS deadline
      FROM hq_order o WHERE o.status = 'waiting' AND NOT o.out_of_area
    UNION ALL
    SELECT o.id, o.station_code, 'late_transfer', {ViolationKind.LATE_TRANSFER.fine},
           coalesce(o.transfer_clock_at, o.order_time) + interval '{int(TRANSFER_LIMIT.total_seconds())} seconds'
      FROM hq_order o WHERE o.status IN ('waiting', 'accepted') AND o.out_of_area
    UNION ALL
    SELECT o.id, o.station_code, 'late_pickup', {ViolationKind.LATE_PICKUP.fine},
           o.order_time + interval '{int(PICKUP_LIMIT.total_seconds())} seconds'
      FROM hq_order o WHERE o.status = 'accepted' AND o.order_time >= :earliest
) found
WHERE deadline >= :start AND deadline <= :end
  AND station_code NOT IN (SELECT code FROM hq_station WHERE kind = 'datacenter')
  AND NOT EXISTS (SELECT 1 FROM hq_violation x WHERE x.order_id = found.id AND x.station_code = found.station_code
                  AND x.kind = found.kind AND x.deadline = found.deadline)
"""


def _find_open(conn: Connection, start: datetime, end: datetime) -> int:
    """Orders still open at the week's end with a deadline in the week, into the transaction's
    scratch table hq_open_found (recorded with the notices, already notified). Returns how many."""
    conn.execute(text(OVERDUE_SQL), {"start": start, "end": end, "earliest": start - PICKUP_LIMIT})
    found: int = conn.execute(text("SELECT count(*) FROM hq_open_found")).scalar_one()
    return found


def _issue_notices(conn: Connection, week: str, start: datetime, end: datetime, now: datetime,
                   tz: tzinfo) -> list[dict[str, Any]]:
    """Confirm the week's violations and issue one notice per station, in a few set-wide statements.

    A violation confirmed after its own week was closed (a review decided later) goes into the
    next notice of its station: nothing provisional is left behind by a close.
    """
    v, o, n = HQ_VIOLATIONS.c, HQ_ORDERS.c, HQ_NOTICES.c
    deadline = now + APPEAL_WINDOW
    pending_sql = ("deadline < :end AND notice_id IS NULL AND state IN ('provisional', 'confirmed')")
    args = {"end": end, "week": week, "now": now, "until": deadline}
    conn.execute(text(
        "INSERT INTO hq_notice (week, station_code, issued_at, appeal_deadline, total_fine)"
        " SELECT :week, station_code, :now, :until, sum(fine) FROM ("
        f"  SELECT station_code, fine FROM hq_violation WHERE {pending_sql}"
        "   UNION ALL SELECT station_code, fine FROM hq_open_found) x GROUP BY station_code"), args)
    # confirmed and notified at once: the notice is the confirmation head office sends
    conn.execute(text(
        "UPDATE hq_violation v SET notice_id = n.id, week = :week, state = 'notified' FROM hq_notice n"
        " WHERE v.deadline < :end AND v.notice_id IS NULL AND v.state IN ('provisional', 'confirmed')"
        " AND n.week = :week AND n.station_code = v.station_code"),
        args)
    conn.execute(text(
        "INSERT INTO hq_violation (order_id, station_code, kind, fine, deadline, at, state, origin, week, notice_id,"
        " created_at) SELECT f.order_id, f.station_code, f.kind, f.fine, f.deadline, NULL, 'notified', 'close', :week,"
        " n.id, :now FROM hq_open_found f JOIN hq_notice n ON n.week = :week AND n.station_code = f.station_code"
        " ON CONFLICT ON CONSTRAINT uq_hq_violation_fact DO NOTHING"), args)
    rows = conn.execute(
        select(v.id, v.station_code, v.kind, v.fine, v.deadline, v.at, v.notice_id, o.source, o.logistics_no)
        .select_from(HQ_VIOLATIONS.join(HQ_ORDERS, o.id == v.order_id))
        .where(v.week == week, v.notice_id.in_(select(n.id).where(n.week == week)))
        .order_by(v.station_code, v.deadline, v.id)
    ).all()
    per_station: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        per_station[r.station_code].append(r)
    notices, messages = [], []
    for station, items in per_station.items():
        notice = {"id": items[0].notice_id, "week": week, "station": station, "issued_at": _local(now, tz),
                  "appeal_deadline": _local(deadline, tz), "total_fine": sum(r.fine for r in items),
                  "violations": [{"logistics_no": r.logistics_no, "kind": r.kind, "fine": r.fine} for r in items]}
        notices.append(notice)
        body = {**notice, "issued_at": to_db(now), "appeal_deadline": to_db(deadline),
                "violations": [{"hq_id": r.id, "source": r.source, "logistics_no": r.logistics_no, "kind": r.kind,
                                "fine": r.fine, "station": station, "deadline": to_db(r.deadline),
                                "at": to_db(r.at) if r.at else None} for r in items]}
        messages.append({"station_code": station, "kind": "notice", "body": body, "created_at": now})
    if messages:
        conn.execute(HQ_AUDIT_MESSAGES.insert(), messages)
    return notices


def _summarise(conn: Connection, report: WeekReport, start: datetime, end: datetime) -> None:
    v, s = HQ_VIOLATIONS.c, HQ_STATIONS.c
    counted = and_(v.deadline >= start, v.deadline < end, v.state.in_(_COUNTS))
    base = HQ_VIOLATIONS.outerjoin(HQ_STATIONS, s.code == v.station_code)
    province = func.coalesce(s.province, "")
    for prov, n, fine in conn.execute(select(province, func.count(), func.sum(v.fine)).select_from(base)
                                      .where(counted).group_by(province).order_by(func.sum(v.fine).desc(), province)):
        report.by_province.append({"province": prov, "count": n, "fine": int(fine)})
    for code, name, prov, n, fine in conn.execute(
            select(v.station_code, func.coalesce(s.name, ""), province, func.count(), func.sum(v.fine))
            .select_from(base).where(counted).group_by(v.station_code, s.name, province)
            .order_by(func.sum(v.fine).desc(), v.station_code)):
        report.by_station.append({"station": code, "name": name, "province": prov, "count": n, "fine": int(fine)})
    for kind, n, fine in conn.execute(select(v.kind, func.count(), func.sum(v.fine)).where(counted)
                                      .group_by(v.kind).order_by(v.kind)):
        report.by_kind.append({"kind": kind, "label": ViolationKind(kind).label, "count": n, "fine": int(fine)})


# ---------------------------------------------------------------- appeals and decisions


def take_appeal(conn: Connection, station: str, op_id: str, appeal: wire.AppealOp,
                row: Mapping[str, Any] | None, now: datetime) -> tuple[str, str, int | None]:
    """A station's appeal op: taken (open) when its violation was in a notice to that station and the
    appeal came within 3 days of the notice; otherwise recorded as refused, and the station told.
    Returns (result, message, order id) for the op's stored result."""
    number, kind, note = appeal.logistics_no, appeal.kind.value, appeal.note[:500]
    at = _ts(appeal.at) or now
    v = HQ_VIOLATIONS.c
    found = None
    if row is not None:
        stmt = select(HQ_VIOLATIONS, HQ_NOTICES.c.appeal_deadline).select_from(
            HQ_VIOLATIONS.outerjoin(HQ_NOTICES, HQ_NOTICES.c.id == v.notice_id)
        ).where(v.order_id == row["id"], v.station_code == station, v.kind == kind)
        if appeal.violation:
            stmt = stmt.where(v.id == appeal.violation)
        found = conn.execute(stmt.order_by(v.deadline.desc()).limit(1)).mappings().first()
    refusal: Words | None = None
    if found is None:
        refusal = Words("hq.no_violation")
    elif found["notice_id"] is None:
        refusal = Words("hq.not_notified")
    elif at > found["appeal_deadline"]:
        refusal = Words("hq.appeal_window", at=to_db(found["appeal_deadline"]))
    elif found["state"] != ledger.State.NOTIFIED.value:
        refusal = Words("hq.appeal_state", state=Term(ledger.State(found["state"]).label, found["state"]))
    state = "refused" if refusal else "open"
    appeal_id = conn.execute(pg_insert(HQ_APPEALS).values(
        violation_id=found["id"] if found else None, station_code=station, source=appeal.source,
        logistics_no=number, kind=kind, note=note, filed_at=at, op_id=op_id, state=state,
        decision=str(refusal) if refusal else None, decided_at=now if refusal else None, decided_by="总部" if refusal else None,
    ).on_conflict_do_nothing(constraint="uq_hq_appeal_op").returning(HQ_APPEALS.c.id)).scalar()
    order_id = row["id"] if row is not None else None
    if appeal_id is None:
        return "applied", Words("hq.appeal_received", ref=number), order_id
    if refusal:
        _message(conn, station, "decision", {"appeal": appeal_id, "hq_id": found["id"] if found else None,
                                            "source": appeal.source, "logistics_no": number, "kind": kind,
                                            "decision": "refused", "note": str(refusal)}, now)
        return "applied", Words("hq.appeal_refused", ref=number, why=refusal), order_id
    assert found is not None  # no refusal: the violation was found
    conn.execute(update(HQ_VIOLATIONS).where(v.id == found["id"]).values(state=ledger.State.APPEALED.value))
    return "applied", Words("hq.appeal_taken", ref=number, id=appeal_id), order_id


def _message(conn: Connection, station: str, kind: str, body: dict[str, Any], now: datetime) -> None:
    conn.execute(HQ_AUDIT_MESSAGES.insert().values(station_code=station, kind=kind, body=body, created_at=now))


def appeal_json(r: Mapping[str, Any]) -> dict[str, Any]:
    """{id, station, logistics_no, kind, state, note, decision}"""
    return {"id": r["id"], "station": r["station_code"], "logistics_no": r["logistics_no"], "kind": r["kind"],
            "state": r["state"], "note": r["note"], "decision": r["decision"]}


def appeals(engine: Engine, state: str | None = None) -> list[dict[str, Any]]:
    """Appeals, oldest first; ``state`` open / upheld / withdrawn / refused narrows them."""
    stmt = select(HQ_APPEALS).order_by(HQ_APPEALS.c.id)
    if state:
        if state not in ("open", "upheld", "withdrawn", "refused"):
            raise AuditError("opt.appeal_state", value=state[:20])
        stmt = stmt.where(HQ_APPEALS.c.state == state)
    with engine.connect() as conn:
        return [appeal_json(by_name(r)) for r in conn.execute(stmt).mappings()]


def decide(engine: Engine, appeal_id: int, uphold: bool, note: str, now: datetime,
           operator: str = "电商总部") -> dict[str, Any]:
    """Uphold or withdraw the fine an open appeal is about; the decision is an event of the order at
    head office, and goes back to the station at its next sync."""
    text = (note or "").strip()
    if not text:
        raise AuditError("hq.decision_note", id=appeal_id)
    decision = ledger.State.UPHELD if uphold else ledger.State.WITHDRAWN
    with engine.begin() as conn:
        a = conn.execute(select(HQ_APPEALS).where(HQ_APPEALS.c.id == appeal_id).with_for_update()).mappings().first()
        if a is None:
            raise AuditError("hq.no_appeal", id=appeal_id)
        if a["state"] != "open":
            raise AuditError("hq.appeal_decided", id=appeal_id, ref=a["logistics_no"], state=a["state"])
        viol = conn.execute(select(HQ_VIOLATIONS).where(HQ_VIOLATIONS.c.id == a["violation_id"])
                            .with_for_update()).mappings().one()
        conn.execute(update(HQ_APPEALS).where(HQ_APPEALS.c.id == appeal_id).values(
            state=decision.value, decision=text[:500], decided_at=now, decided_by=operator))
        conn.execute(update(HQ_VIOLATIONS).where(HQ_VIOLATIONS.c.id == viol["id"]).values(
            state=decision.value, decided_at=now, decision_note=text[:500]))
        from stationdesk.sync.hq import _change  # one writer of order events at head office

        order = conn.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.id == viol["order_id"]).with_for_update()
                             ).mappings().one()
        _change(conn, dict(order), {}, "audit_decision", operator, now,
                {"origin": "hq", "appeal": appeal_id, "violation": viol["id"], "kind": viol["kind"],
                 "station": viol["station_code"], "decision": decision.value, "note": text[:500]})
        _message(conn, a["station_code"], "decision", {
            "appeal": appeal_id, "hq_id": viol["id"], "source": a["source"], "logistics_no": a["logistics_no"],
            "kind": a["kind"], "decision": decision.value, "note": text[:500]}, now)
        out = dict(a)
        out.update(state=decision.value, decision=text[:500])
    return appeal_json(out)


def read_messages(engine: Engine, station: str, after: int, limit: int) -> list[dict[str, Any]]:
    """The station's audit messages (notices, decisions, refunds) after id ``after``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(HQ_AUDIT_MESSAGES.c.id, HQ_AUDIT_MESSAGES.c.kind, HQ_AUDIT_MESSAGES.c.body)
            .where(HQ_AUDIT_MESSAGES.c.station_code == station, HQ_AUDIT_MESSAGES.c.id > after)
            .order_by(HQ_AUDIT_MESSAGES.c.id).limit(limit)
        ).mappings().all()
    return [dict(r) for r in rows]


def violations_of(engine: Engine, station: str | None = None, week: str | None = None,
                  tz: tzinfo = HQ_TZ) -> list[dict[str, Any]]:
    """Head office's ledger rows as {kind, fine, state, station, deadline, at} (+ logistics_no, id)."""
    v = HQ_VIOLATIONS.c
    stmt = (select(HQ_VIOLATIONS, HQ_ORDERS.c.logistics_no)
            .select_from(HQ_VIOLATIONS.join(HQ_ORDERS, HQ_ORDERS.c.id == v.order_id)).order_by(v.deadline, v.id))
    if station:
        stmt = stmt.where(v.station_code == station)
    if week:
        start, end = week_range(week, tz)
        stmt = stmt.where(v.deadline >= start, v.deadline < end)
    with engine.connect() as conn:
        return [{"id": r["id"], "logistics_no": r["logistics_no"], "kind": r["kind"], "fine": r["fine"],
                 "state": r["state"], "station": r["station_code"], "deadline": _local(r["deadline"], tz),
                 "at": _local(r["at"], tz)} for r in conn.execute(stmt).mappings()]


# ---------------------------------------------------------------- refunds and rewards


def _month_range(month: Month, tz: tzinfo) -> tuple[datetime, datetime]:
    first, _last = month_days(month)
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    nxt = add_months(month, 1)
    return start, datetime(nxt[0], nxt[1], 1, tzinfo=tz)


def _fines_by_station(conn: Connection, month: Month, tz: tzinfo) -> dict[str, int]:
    start, end = _month_range(month, tz)
    v = HQ_VIOLATIONS.c
    return {code: int(total) for code, total in conn.execute(
        select(v.station_code, func.sum(v.fine)).where(v.deadline >= start, v.deadline < end, v.state.in_(_COUNTS))
        .group_by(v.station_code))}


def _online_orders(conn: Connection, month: Month, tz: tzinfo) -> dict[str, int]:
    start, end = _month_range(month, tz)
    o = HQ_ORDERS.c
    return {code: n for code, n in conn.execute(
        select(o.station_code, func.count()).where(o.order_time >= start, o.order_time < end, o.channel == "online")
        .group_by(o.station_code))}


def refunds(engine: Engine, month: Month, now: datetime, tz: tzinfo = HQ_TZ) -> list[dict[str, Any]]:
    """Per station fined in ``month``: 60% back after a clean next month, the other 40% after a clean
    second month. Clean means online orders and no violation; a month not over yet is not judged.
    Refunds earned are recorded on the violations (refund_60 / refund_100) and sent to the station."""
    m1, m2 = add_months(month, 1), add_months(month, 2)

    def over(m: Month) -> bool:
        return _month_range(m, tz)[1] <= now

    label = f"{month[0]}-{month[1]:02d}"
    out = []
    with engine.begin() as conn:
        fines = _fines_by_station(conn, month, tz)
        checks = {}
        for m in (m1, m2):
            checks[m] = (_fines_by_station(conn, m, tz), _online_orders(conn, m, tz)) if over(m) else None
        start, end = _month_range(month, tz)
        for station in sorted(fines):
            fine = fines[station]
            row: dict[str, Any] = {"station": station, "month": label, "fine": fine}
            paid = 0
            stopped = False
            for m, share, key in ((m1, REFUND_SHARES[0], "refund_60"), (m2, REFUND_SHARES[1], "refund_40")):
                check = checks[m]
                if stopped or check is None:
                    row[key] = 0
                    row[f"{key}_status"] = "ended" if stopped else "pending"
                    continue
                clean = check[1].get(station, 0) > 0 and check[0].get(station, 0) == 0
                if not clean:
                    stopped = True
                    row[key] = 0
                    row[f"{key}_status"] = "ended"
                    continue
                amount = fine * share // 100
                paid += amount
                row[key] = amount
                row[f"{key}_status"] = "paid"
                state = ledger.State.REFUND_60 if share == REFUND_SHARES[0] else ledger.State.REFUND_100
                _mark_refund(conn, station, start, end, state, now, label)
            row["refunded"] = paid
            out.append(row)
    return out


_BEFORE_REFUND = {ledger.State.REFUND_60: (ledger.State.CONFIRMED, ledger.State.NOTIFIED, ledger.State.UPHELD,
                                           ledger.State.PROVISIONAL),
                  ledger.State.REFUND_100: (ledger.State.REFUND_60,)}


def _mark_refund(conn: Connection, station: str, start: datetime, end: datetime, state: ledger.State,
                 now: datetime, label: str) -> None:
    v = HQ_VIOLATIONS.c
    ids = list(conn.execute(update(HQ_VIOLATIONS).where(
        v.station_code == station, v.deadline >= start, v.deadline < end,
        v.state.in_([s.value for s in _BEFORE_REFUND[state]])).values(state=state.value, decided_at=now)
        .returning(v.id)).scalars())
    if ids:
        _message(conn, station, "refund", {"month": label, "state": state.value, "hq_ids": sorted(ids)}, now)


def rewards(engine: Engine, month: Month, tz: tzinfo = HQ_TZ) -> list[dict[str, Any]]:
    """200 places of 200 yuan: shared out to provinces by their first-level stations (rounded), and
    within a province given to stations with 我要寄快递 orders and no violation, most orders first."""
    start, end = _month_range(month, tz)
    s, o, v = HQ_STATIONS.c, HQ_ORDERS.c, HQ_VIOLATIONS.c
    with engine.connect() as conn:
        stations = conn.execute(select(s.code, s.name, s.province).where(
            s.kind == "station", s.first_level.is_(True)).order_by(s.code)).all()
        volume: dict[str, int] = dict(conn.execute(select(o.station_code, func.count()).where(
            o.order_time >= start, o.order_time < end, o.business_type == "send_parcel").group_by(o.station_code)).all())
        fined = set(conn.execute(select(v.station_code).where(
            v.deadline >= start, v.deadline < end, v.state.in_(_COUNTS)).distinct()).scalars())
    per_province: dict[str, list[Any]] = defaultdict(list)
    for st in stations:
        per_province[st.province].append(st)
    total = len(stations)
    out = []
    for province in sorted(per_province):
        members = per_province[province]
        places = round(REWARD_PLACES * len(members) / total) if total else 0
        ranked = sorted((st for st in members if volume.get(st.code, 0) > 0 and st.code not in fined),
                        key=lambda st: (-volume[st.code], st.code))
        for rank, st in enumerate(ranked[:places], start=1):
            out.append({"province": province, "places": places, "rank": rank, "station": st.code, "name": st.name,
                        "send_parcel_orders": volume[st.code], "amount": REWARD_AMOUNT})
    return out


# ---------------------------------------------------------------- truthfulness review


def scan_suspicions(engine: Engine, start: datetime, end: datetime, now: datetime) -> int:
    """Find suspicions among orders placed in [start, end) and queue them for review. Returns new ones.

    - false waybill: a pickup confirmed with a waybill that never got a pickup scan (by ``now``), or
      that another order already carries;
    - false reason: a failure given as unreachable (联系不上客户) while the same station picked up
      another order of the same customer (same phone) within two days of it;
    - wrong transfer: a station transferred it to a station that does not serve the district (not
      the data center) and that station has not accepted it.
    """
    o = HQ_ORDERS.c
    found: list[dict[str, Any]] = []
    with engine.begin() as conn:
        directory_rows = conn.execute(select(HQ_STATIONS)).mappings().all()
        serves = {r["code"]: set(d for d in r["districts"].split(";") if d) for r in directory_rows}
        datacenters = {r["code"] for r in directory_rows if r["kind"] == "datacenter"}
        rows = conn.execute(select(HQ_ORDERS).where(o.order_time >= start, o.order_time < end)).mappings().all()
        by_waybill: dict[str, list[Any]] = defaultdict(list)
        by_phone: dict[tuple[str, str], list[Any]] = defaultdict(list)  # picked up, per station and customer
        for r in rows:
            if r["waybill_no"]:
                by_waybill[r["waybill_no"]].append(r)
            if r["picked_up_at"] is not None and r["sender_phone"]:
                by_phone[(r["station_code"], r["sender_phone"])].append(r)
        for r in rows:
            if r["picked_up_at"] is not None and r["scanned_at"] is None and r["picked_up_at"] + PICKUP_LIMIT < now:
                found.append(_suspect(by_name(r), r["station_code"], "false_waybill", r["picked_up_at"],
                                      f"揽件确认运单号 {r['waybill_no']} 16小时后仍无揽收扫描"))
            if r["waybill_no"] and len(by_waybill[r["waybill_no"]]) > 1 and r["picked_up_at"] is not None:
                others = ", ".join(x["logistics_no"] for x in by_waybill[r["waybill_no"]] if x["id"] != r["id"])
                found.append(_suspect(by_name(r), r["station_code"], "false_waybill", r["picked_up_at"],
                                      f"运单号 {r['waybill_no']} 也在订单 {others} 上"))
            failed_at = r["accept_failed_at"] or r["pickup_failed_at"]
            if r["fail_reason"] == "customer_unreachable" and failed_at is not None:
                for other in by_phone.get((r["station_code"], r["sender_phone"]), ()):
                    if other["id"] != r["id"] and abs(other["picked_up_at"] - failed_at) <= REACHABLE_WITHIN:
                        found.append(_suspect(by_name(r), r["station_code"], "false_reason", failed_at,
                                              f"失败原因为联系不上客户, 同一客户的订单 {other['logistics_no']} "
                                              f"由本网点于 {to_db(other['picked_up_at'])[:16]} 揽收成功"))
                        break
        transfers = conn.execute(
            select(HQ_EVENTS.c.order_id, HQ_EVENTS.c.station_code, HQ_EVENTS.c.at, HQ_EVENTS.c.details,
                   HQ_OPS.c.payload)
            .select_from(HQ_EVENTS.outerjoin(HQ_OPS, HQ_OPS.c.op_id == HQ_EVENTS.c.op_id))
            .where(HQ_EVENTS.c.action == Action.TRANSFER.value, HQ_EVENTS.c.station_code.is_not(None),
                   HQ_EVENTS.c.order_id.in_(select(o.id).where(o.order_time >= start, o.order_time < end)))
        ).all()
        by_id = {r["id"]: r for r in rows}
        for t in transfers:
            order = by_id.get(t.order_id)
            changes = t.details.get("changes", {})
            # the station's op names the target (transferred_to); head office's routing moves station_code
            to = (changes.get("transferred_to") or changes.get("station_code") or [None, None])[1] or t.details.get("to")
            if order is None or not to or to in datacenters:
                continue
            if order["sender_district"] in serves.get(to, set()):
                continue
            if order["station_code"] == to and order["status"] != Status.WAITING.value and order["accepted_at"]:
                continue  # the station it went to accepted it: not a wrong transfer
            # the station's own time of the transfer (the op's), not when head office received it
            when = _ts((t.payload or {}).get("at")) or t.at
            found.append(_suspect(by_name(order), t.station_code, "wrong_transfer", when,
                                  f"转单至 {to}, 该网点不服务区县「{order['sender_district']}」", now))
        if not found:
            return 0
        for f in found:
            f.setdefault("created_at", now)
        return len(conn.execute(pg_insert(HQ_REVIEWS).values(found).on_conflict_do_nothing(
            constraint="uq_hq_suspicion").returning(HQ_REVIEWS.c.id)).all())


def _suspect(order: Mapping[str, Any], station: str, kind: str, when: datetime, evidence: str,
             now: datetime | None = None) -> dict[str, Any]:
    out = {"order_id": order["id"], "station_code": station, "kind": kind, "deadline": when,
           "evidence": f"订单 {order['logistics_no']}: {evidence}", "state": "open"}
    if now is not None:
        out["created_at"] = now
    return out


def reviews(engine: Engine, state: str | None = "open") -> list[dict[str, Any]]:
    r, o = HQ_REVIEWS.c, HQ_ORDERS.c
    stmt = (select(HQ_REVIEWS, o.logistics_no).select_from(HQ_REVIEWS.join(HQ_ORDERS, o.id == r.order_id))
            .order_by(r.id))
    if state:
        stmt = stmt.where(r.state == state)
    with engine.connect() as conn:
        return [{"id": x["id"], "station": x["station_code"], "logistics_no": x["logistics_no"], "kind": x["kind"],
                 "fine": ViolationKind(x["kind"]).fine, "state": x["state"], "evidence": x["evidence"]}
                for x in conn.execute(stmt).mappings()]


def decide_review(engine: Engine, review_id: int, confirm: bool, now: datetime, operator: str = "电商总部") -> dict[str, Any]:
    """Confirm (it becomes a violation, confirmed by head office) or dismiss a suspicion."""
    with engine.begin() as conn:
        r = conn.execute(select(HQ_REVIEWS).where(HQ_REVIEWS.c.id == review_id).with_for_update()).mappings().first()
        if r is None:
            raise AuditError("hq.no_review", id=review_id)
        if r["state"] != "open":
            raise AuditError("hq.review_decided", id=review_id, state=r["state"])
        state = "confirmed" if confirm else "dismissed"
        conn.execute(update(HQ_REVIEWS).where(HQ_REVIEWS.c.id == review_id).values(
            state=state, decided_at=now, decided_by=operator))
        if confirm:
            kind = ViolationKind(r["kind"])
            record(conn, r["order_id"], [ledger.Found(kind, r["station_code"], r["deadline"], r["deadline"])],
                   now, "review", ledger.State.PROVISIONAL)
    return {"id": review_id, "state": state}


def _confirm_suspected_transfers(conn: Connection, start: datetime, end: datetime, now: datetime) -> None:
    """DOMAIN: a suspected wrong transfer not withdrawn (the target did not accept) is confirmed at the close."""
    r = HQ_REVIEWS.c
    rows = conn.execute(select(HQ_REVIEWS).where(r.kind == "wrong_transfer", r.state == "open",
                                                 r.deadline >= start, r.deadline < end).with_for_update()).mappings().all()
    for x in rows:
        order = conn.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.id == x["order_id"])).mappings().one()
        if order["accepted_at"] is not None and order["status"] != Status.WAITING.value and \
                order["station_code"] != x["station_code"]:
            conn.execute(update(HQ_REVIEWS).where(r.id == x["id"]).values(state="dismissed", decided_at=now,
                                                                         decided_by="总部结周"))
            continue
        conn.execute(update(HQ_REVIEWS).where(r.id == x["id"]).values(state="confirmed", decided_at=now,
                                                                     decided_by="总部结周"))
        record(conn, x["order_id"], [ledger.Found(ViolationKind.WRONG_TRANSFER, x["station_code"], x["deadline"],
                                                  x["deadline"])], now, "review")
