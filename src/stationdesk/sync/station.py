"""A station's side of a sync: push the outbox in seq order, record acks and conflicts, pull the feed.

Every step commits on its own and says where it got to (outbox acked_at, the feed position in
meta), so a sync interrupted anywhere resumes on the next run with nothing lost or applied twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from stationdesk.domain.duplicates import DEFAULT_WINDOW
from stationdesk.domain.statuses import Action, Status, can, next_status
from stationdesk.store.duplicates import flag_duplicates
from stationdesk.store.engine import Database
from stationdesk.store.journal import Journal
from stationdesk.store.tables import CONFLICTS, META, ORDERS, OUTBOX
from stationdesk.store.values import from_db, to_db
from stationdesk.sync import hq
from stationdesk.sync.hq_schema import HQError, ensure_current
from stationdesk.sync.hq_tables import ORDER_FIELDS, TIME_FIELDS

FEED_POSITION = "sync.feed_position"
LAST_SYNC = "sync.last_sync_at"
# Outbox ops that record changes received from head office: already acknowledged, never pushed,
# numbered in a sequence of their own so the station's push sequence stays gapless.
HQ_STREAM = "@hq"
HQ_EVENT = "hq_update"
PUSH_BATCH = 500
PULL_BATCH = 1000
RETRIES = 3  # a deadlock or dropped connection: the batch is idempotent, so try it again

Clock = Callable[[], datetime]


@dataclass
class SyncReport:
    pushed: int = 0
    acknowledged: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    resolutions_sent: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"pushed {self.pushed}, acknowledged {self.acknowledged}, rejected {self.rejected}, "
                f"conflicts {self.conflicts}, pulled {self.pulled}")


@dataclass
class Progress:
    """Where a sync is, for a progress bar: done of total, per phase."""

    phase: str  # push / pull
    done: int
    total: int


# ---------------------------------------------------------------- station reads


def read_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(META.c.value).where(META.c.key == key)).scalar()


def _write_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(META).where(META.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(META.insert().values(key=key, value=value))


def pending_ops(conn: Connection, station_code: str, limit: int) -> list[hq.PushedOp]:
    rows = conn.execute(
        select(OUTBOX.c.op_id, OUTBOX.c.seq, OUTBOX.c.action, OUTBOX.c.payload)
        .where(OUTBOX.c.acked_at.is_(None), OUTBOX.c.station_code == station_code)
        .order_by(OUTBOX.c.seq).limit(limit)
    ).all()
    return [hq.PushedOp(r.op_id, r.seq, r.action, json.loads(r.payload)) for r in rows]


def pending_count(conn: Connection, station_code: str) -> int:
    return conn.execute(select(func.count()).select_from(OUTBOX).where(
        OUTBOX.c.acked_at.is_(None), OUTBOX.c.station_code == station_code)).scalar_one()


@dataclass
class SyncStatus:
    """What the status bar shows: when the last sync finished, ops waiting, conflicts open."""

    last_sync_at: datetime | None
    pending: int
    open_conflicts: int


def sync_status(db: Database, station_code: str) -> SyncStatus:
    with db.read() as conn:
        last = read_meta(conn, LAST_SYNC)
        return SyncStatus(from_db(last) if last else None, pending_count(conn, station_code),
                          conn.execute(select(func.count()).select_from(CONFLICTS)
                                       .where(CONFLICTS.c.resolved_at.is_(None))).scalar_one())


def list_conflicts(db: Database, include_resolved: bool = False) -> list[dict[str, Any]]:
    with db.read() as conn:
        stmt = select(CONFLICTS).order_by(CONFLICTS.c.id)
        if not include_resolved:
            stmt = stmt.where(CONFLICTS.c.resolved_at.is_(None))
        return [dict(r) for r in conn.execute(stmt).mappings()]


def resolve_conflict(db: Database, conflict_id: int, resolution: str, operator: str, now: datetime) -> dict[str, Any]:
    """A person closes a conflict, saying which new action settled it. The order itself is changed
    only by that action (transfer, mark cancellation handled, ...), never by this."""
    from stationdesk.domain.errors import DomainError

    text = (resolution or "").strip()
    if not text:
        raise DomainError(f"冲突 {conflict_id}: 请写明处理结果 (say how it was resolved)")
    with db.write() as conn:
        row = conn.execute(select(CONFLICTS).where(CONFLICTS.c.id == conflict_id)).mappings().first()
        if row is None:
            raise DomainError(f"冲突 {conflict_id} 不存在 (no such conflict)")
        if row["resolved_at"] is not None:
            raise DomainError(f"冲突 {conflict_id} (订单 {row['logistics_no']}) 已于 {to_db(row['resolved_at'])} 由 "
                              f"{row['resolved_by']} 处理")
        conn.execute(update(CONFLICTS).where(CONFLICTS.c.id == conflict_id)
                     .values(resolved_at=now, resolved_by=operator, resolution=text[:500]))
    return {**row, "resolved_at": now, "resolved_by": operator, "resolution": text[:500]}


# ---------------------------------------------------------------- push


def record_results(db: Database, station_code: str, results: Sequence[hq.OpResult], now: datetime) -> None:
    """Acknowledge pushed ops and keep their conflicts, in one transaction (safe to repeat)."""
    if not results:
        return
    with db.write() as conn:
        for chunk in _chunks([r.op_id for r in results]):
            conn.execute(update(OUTBOX).where(OUTBOX.c.op_id.in_(chunk), OUTBOX.c.acked_at.is_(None))
                         .values(acked_at=now))
        with_conflict = [r for r in results if r.conflict]
        if not with_conflict:
            return
        known = set(conn.execute(select(CONFLICTS.c.op_id).where(
            CONFLICTS.c.op_id.in_([r.op_id for r in with_conflict]))).scalars())
        for r in with_conflict:
            if r.op_id in known:
                continue
            c = r.conflict
            order_id = conn.execute(select(ORDERS.c.id).where(
                ORDERS.c.source == c["source"], ORDERS.c.logistics_no == c["logistics_no"])).scalar()
            conn.execute(CONFLICTS.insert().values(
                op_id=r.op_id, seq=r.seq, order_id=order_id, source=c["source"], logistics_no=c["logistics_no"],
                kind=c["kind"], action=c["action"], hq_status=c["hq_status"], hq_station=c["hq_station"],
                message=c["message"], detected_at=now,
            ))


def _chunks(items: Sequence[Any], size: int = 900) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _with_retries(what: str, call: Callable[[], Any]) -> Any:
    from sqlalchemy.exc import DBAPIError

    for attempt in range(1, RETRIES + 1):
        try:
            return call()
        except DBAPIError as exc:
            transient = exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")
            if not transient or attempt == RETRIES:
                raise HQError(f"{what}: 总部数据库出错 ({exc.orig.__class__.__name__}: {exc.orig}); "
                              "已提交的部分已记录, 下次同步从中断处继续 (resume on the next sync)") from exc
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- pull


def apply_feed(db: Database, station_code: str, rows: Sequence[Mapping[str, Any]], now: datetime,
               duplicate_window: timedelta = DEFAULT_WINDOW) -> int:
    """Apply feed rows and move the cursor in one transaction. Rows at or below the cursor (a pull
    that overlapped another) are skipped. The station's unpushed ops stay on top of what arrives."""
    with db.write() as conn:
        cursor = int(read_meta(conn, FEED_POSITION) or 0)
        rows = [r for r in rows if r["position"] > cursor]
        if not rows:
            return 0
        # pulled changes are recorded in their own, already acknowledged stream; the journal chains
        # their events into the audit trail like every other change
        journal = Journal(conn, HQ_STREAM)
        stamp = to_db(now)
        next_order = (conn.execute(select(func.max(ORDERS.c.id))).scalar() or 0) + 1
        arrived: list[dict[str, Any]] = []  # new orders: checked for 重复下单 like an import's
        for r in rows:
            snap = r["snapshot"]
            values = {k: (from_db(snap[k]) if k in TIME_FIELDS and snap[k] is not None else snap[k]) for k in ORDER_FIELDS}
            local = conn.execute(select(ORDERS).where(ORDERS.c.source == values["source"],
                                                      ORDERS.c.logistics_no == values["logistics_no"])).mappings().first()
            details = {"origin": "hq", "reason": r["reason"], "position": r["position"], "hq_version": snap.get("hq_version")}
            if local is None:
                order_id, version, before, action = next_order, 1, None, Action.IMPORT.value
                next_order += 1
                arrived.append({**values, "id": order_id})
                conn.execute(ORDERS.insert().values(id=order_id, **values, version=1, created_at=now, updated_at=now))
            else:
                values = _pending_on_top(conn, station_code, local["id"], values)
                changed = {k: [_j(local[k]), _j(v)] for k, v in values.items() if local[k] != v}
                if not changed:
                    continue
                order_id, version, before, action = local["id"], local["version"] + 1, local["status"], HQ_EVENT
                details["changes"] = changed
                conn.execute(update(ORDERS).where(ORDERS.c.id == order_id, ORDERS.c.version == local["version"])
                             .values(**{k: values[k] for k in changed}, version=version, updated_at=now))
            detail_json = json.dumps(details, ensure_ascii=False, sort_keys=True)
            journal.add(order_id, version, action, hq.HQ_OPERATOR, stamp, before, values["status"], detail_json,
                        detail_json, op_id=f"hq-feed-{r['position']}", acked_at=stamp)
        journal.write()
        flag_duplicates(conn, arrived, duplicate_window, now)
        _write_meta(conn, FEED_POSITION, str(rows[-1]["position"]))
    return len(rows)


def _j(value: Any) -> Any:
    return to_db(value) if isinstance(value, datetime) else value


def _pending_on_top(conn: Connection, station_code: str, order_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Head office's state of the order with this station's not yet pushed ops replayed over it,
    each only where the transition table allows it from the state it lands on."""
    pending = conn.execute(
        select(OUTBOX.c.action, OUTBOX.c.payload)
        .where(OUTBOX.c.order_id == order_id, OUTBOX.c.acked_at.is_(None), OUTBOX.c.station_code == station_code)
        .order_by(OUTBOX.c.seq)
    ).all()
    merged = dict(values)
    for op in pending:
        try:
            action = Action(op.action)
        except ValueError:
            continue
        status = Status(merged["status"])
        if action is Action.IMPORT or not can(action, status):
            continue
        changes = json.loads(op.payload).get("changes") or {}
        for k, (_, after) in changes.items():
            if k in ORDER_FIELDS:
                merged[k] = from_db(after) if k in TIME_FIELDS and isinstance(after, str) else after
        merged["status"] = next_status(action, status, merged["logistics_no"]).value
    return merged


# ---------------------------------------------------------------- the whole sync


def sync(db: Database, station_code: str, engine: Engine, clock: Clock, *,
         push_batch: int = PUSH_BATCH, pull_batch: int = PULL_BATCH,
         progress: Callable[[Progress], None] | None = None, duplicate_window: timedelta = DEFAULT_WINDOW,
         after_hq_commit: Callable[[list[hq.OpResult]], None] | None = None) -> SyncReport:
    """Push every pending op, send conflict resolutions, pull the feed; returns what happened.

    ``after_hq_commit`` runs between head office's commit of a batch and the station recording its
    acknowledgement: the moment a dropped connection hurts most.
    """
    ensure_current(engine)
    report = SyncReport()
    with db.read() as conn:
        total = pending_count(conn, station_code)
    while True:
        with db.read() as conn:
            ops = pending_ops(conn, station_code, push_batch)
        if not ops:
            break
        results = _with_retries(f"网点 {station_code} 推送序号 {ops[0].seq}-{ops[-1].seq}",
                                lambda ops=ops: hq.push_batch(engine, station_code, ops, clock()))
        if after_hq_commit is not None:
            after_hq_commit(results)
        record_results(db, station_code, results, clock())
        report.pushed += sum(not r.repeated for r in results)
        report.acknowledged += len(results)
        report.rejected += sum(r.result == hq.REJECTED for r in results)
        report.conflicts += sum(r.conflict is not None for r in results)
        report.messages.extend(r.message for r in results if r.conflict)
        if progress:
            progress(Progress("push", report.acknowledged, max(total, report.acknowledged)))
    report.resolutions_sent = _send_resolutions(db, station_code, engine, clock)
    with db.read() as conn:
        position = int(read_meta(conn, FEED_POSITION) or 0)
    backlog = hq.feed_backlog(engine, station_code, position) if progress else 0
    while True:
        with db.read() as conn:
            position = int(read_meta(conn, FEED_POSITION) or 0)
        rows = _with_retries(f"网点 {station_code} 拉取位置 {position} 之后",
                             lambda p=position: hq.read_feed(engine, station_code, p, pull_batch))
        if not rows:
            break
        report.pulled += apply_feed(db, station_code, rows, clock(), duplicate_window)
        if progress:
            progress(Progress("pull", report.pulled, max(backlog, report.pulled)))
    with db.write() as conn:
        _write_meta(conn, LAST_SYNC, to_db(clock()))
    return report


def _send_resolutions(db: Database, station_code: str, engine: Engine, clock: Clock) -> int:
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(CONFLICTS).where(
            CONFLICTS.c.resolved_at.is_not(None), CONFLICTS.c.reported_at.is_(None))).mappings()]
    if not rows:
        return 0
    _with_retries(f"网点 {station_code} 冲突处理结果", lambda: hq.resolve_conflicts(engine, station_code, rows))
    with db.write() as conn:
        conn.execute(update(CONFLICTS).where(CONFLICTS.c.id.in_([r["id"] for r in rows])).values(reported_at=clock()))
    return len(rows)

