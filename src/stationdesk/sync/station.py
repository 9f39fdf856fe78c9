"""A station's side of a sync, over HTTP (sync/client.py): prove its history, push the outbox in seq
order with the audit-chain links behind it, record acks and conflicts, pull the feed.

Every step commits on its own and says where it got to (outbox acked_at, the feed position in
meta), so a sync interrupted anywhere resumes on the next run with nothing lost or applied twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from stationdesk.domain.duplicates import DEFAULT_WINDOW
from stationdesk.domain.masking import mask_changes
from stationdesk.domain.statuses import Action, Status, can, next_status
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Words, from_wire
from stationdesk.domain.wire import WireError, read_op, received_payload
from stationdesk.store.duplicates import flag_duplicates
from stationdesk.store.engine import Database
from stationdesk.store.journal import Journal
from stationdesk.store.meta_keys import SYNC_CHAIN_PROBLEM
from stationdesk.store.plumbing import Clock, in_chunks, next_id, read_meta, write_meta
from stationdesk.store.tables import CONFLICTS, META, ORDERS, OUTBOX
from stationdesk.store.values import from_db, to_db
from stationdesk.sync.client import HeadOffice, HQRefused
from stationdesk.sync.errors import HQError
from stationdesk.sync.order_fields import ORDER_FIELDS, TIME_FIELDS, Received, read_snapshot
from stationdesk.sync.protocol import (
    MAX_COMPARE, MAX_LINKS, AccountLink, AccountsCheck, AccountState, ChainCompare, ChainLink, ChainPoint, Hello, Op,
    OpResult, PushBatch, Rebase, Resolution, Resolutions, StoredOp,
)

_log = logging.getLogger("stationdesk.sync")  # one line per sync, for the admin's log file
FEED_POSITION = "sync.feed_position"
LAST_SYNC = "sync.last_sync_at"
CHAIN_ACKED = "sync.chain_acked"  # "event_id:hash": the last chain link head office acknowledged
ACCOUNTS_ACKED = "sync.accounts_acked"  # the same for the accounts chain
CHAIN_PROBLEM = SYNC_CHAIN_PROBLEM  # head office's last refusal of this station's chain, for check
HQ_OPERATOR = "总部"
# Outbox ops that record changes received from head office: already acknowledged, never pushed,
# numbered in a sequence of their own so the station's push sequence stays gapless.
HQ_STREAM = "@hq"
HQ_EVENT = "hq_update"
PUSH_BATCH = 500
PULL_BATCH = 1000

@dataclass
class SyncReport:
    pushed: int = 0
    acknowledged: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    resolutions_sent: int = 0
    audit_messages: int = 0  # notices, decisions and refunds received from head office
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return Words("sync.summary", pushed=self.pushed, acknowledged=self.acknowledged, rejected=self.rejected,
                     conflicts=self.conflicts, pulled=self.pulled)


@dataclass
class Progress:
    """Where a sync is, for a progress bar: done of total, per phase."""

    phase: str  # push / pull
    done: int
    total: int


# ---------------------------------------------------------------- station reads


def pending_ops(conn: Connection, station_code: str, limit: int) -> list[Op]:
    rows = conn.execute(
        select(OUTBOX.c.op_id, OUTBOX.c.seq, OUTBOX.c.action, OUTBOX.c.event_id, OUTBOX.c.order_version,
               OUTBOX.c.payload)
        .where(OUTBOX.c.acked_at.is_(None), OUTBOX.c.station_code == station_code)
        .order_by(OUTBOX.c.seq).limit(limit)
    ).all()
    return [Op(op_id=r.op_id, seq=r.seq, action=r.action, event_id=r.event_id, order_version=r.order_version,
               payload=json.loads(r.payload)) for r in rows]


def chain_links(conn: Connection, after: int, upto: int) -> list[ChainLink]:
    """The audit events with ids in (after, upto], as the chain hashed them."""
    rows = conn.exec_driver_sql(
        "SELECT id, order_id, version, action, operator, at, before_status, after_status, details, chain"
        " FROM order_event WHERE id > ? AND id <= ? ORDER BY id", (after, upto)).all()
    return [ChainLink(event_id=r[0], order_id=r[1], version=r[2], action=r[3], operator=r[4], at=r[5], before=r[6],
                      after=r[7], details=r[8], chain=r[9]) for r in rows]


def account_links(conn: Connection, after: int) -> list[AccountLink]:
    """The account events after ``after`` (at most MAX_LINKS), as their chain hashed them."""
    rows = conn.exec_driver_sql(
        "SELECT id, name, action, by, at, role, disabled, secret, chain FROM account_event WHERE id > ? ORDER BY id"
        " LIMIT ?", (after, MAX_LINKS)).all()
    return [AccountLink(event_id=r[0], name=r[1], action=r[2], by=r[3], at=r[4], role=r[5], disabled=bool(r[6]),
                        secret=r[7], chain=r[8]) for r in rows]


def operator_states(conn: Connection) -> list[AccountState]:
    from stationdesk.store.account_chain import secret_of

    return [AccountState(name=r[0], role=r[1], disabled=bool(r[2]), secret=secret_of(r[3])) for r in
            conn.exec_driver_sql("SELECT name, role, disabled, password_hash FROM operator ORDER BY name").all()]


def chain_acked(conn: Connection, key: str = CHAIN_ACKED) -> ChainPoint | None:
    raw = read_meta(conn, key)
    if not raw:
        return None
    event_id, _, chain = raw.partition(":")
    return ChainPoint(event_id=int(event_id), chain=chain)


def _chain_at(conn: Connection, event_id: int, table: str = "order_event") -> str | None:
    return conn.exec_driver_sql(f"SELECT chain FROM {table} WHERE id = ?", (event_id,)).scalar()


def _proof(conn: Connection, acked: ChainPoint | None, table: str) -> ChainPoint | None:
    """The chain as it is now at the acknowledged position, not the hash remembered from then."""
    if acked is None:
        return None
    return ChainPoint(event_id=acked.event_id, chain=_chain_at(conn, acked.event_id, table) or "0" * 64)


def _last_event(conn: Connection) -> int:
    last: int = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM order_event").scalar_one()
    return last


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


def chain_problem(db: Database) -> str | None:
    """Head office's last refusal of this station's history (kept until a sync passes), or None."""
    with db.read() as conn:
        return read_meta(conn, CHAIN_PROBLEM)


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
        raise DomainError("sync.resolution_needed", id=conflict_id)
    with db.write() as conn:
        row = conn.execute(select(CONFLICTS).where(CONFLICTS.c.id == conflict_id)).mappings().first()
        if row is None:
            raise DomainError("sync.no_conflict", id=conflict_id)
        if row["resolved_at"] is not None:
            raise DomainError("sync.conflict_resolved", id=conflict_id, ref=row["logistics_no"], at=to_db(row["resolved_at"]),
                              by=row["resolved_by"])
        conn.execute(update(CONFLICTS).where(CONFLICTS.c.id == conflict_id)
                     .values(resolved_at=now, resolved_by=operator, resolution=text[:500]))
    return {**row, "resolved_at": now, "resolved_by": operator, "resolution": text[:500]}


# ---------------------------------------------------------------- push


def record_results(db: Database, station_code: str, results: Sequence[OpResult], now: datetime,
                   chain_head: ChainPoint | None = None, accounts_head: ChainPoint | None = None) -> None:
    """Acknowledge pushed ops and keep their conflicts, in one transaction (safe to repeat)."""
    if not results and chain_head is None and accounts_head is None:
        return
    with db.write() as conn:
        if chain_head is not None:
            write_meta(conn, CHAIN_ACKED, f"{chain_head.event_id}:{chain_head.chain}")
        if accounts_head is not None:
            write_meta(conn, ACCOUNTS_ACKED, f"{accounts_head.event_id}:{accounts_head.chain}")
        for chunk in in_chunks([r.op_id for r in results]):
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
            assert c is not None
            order_id = conn.execute(select(ORDERS.c.id).where(
                ORDERS.c.source == c.source, ORDERS.c.logistics_no == c.logistics_no)).scalar()
            conn.execute(CONFLICTS.insert().values(
                op_id=r.op_id, seq=r.seq, order_id=order_id, source=c.source, logistics_no=c.logistics_no,
                kind=c.kind, action=c.action, hq_status=c.hq_status, hq_station=c.hq_station,
                message=c.message, detected_at=now,
            ))


# ---------------------------------------------------------------- pull

# Feed entries other than order snapshots (a notice, a decision) are applied by the function their
# module registers here, in the pull's transaction: (connection, station code, entry, now).
FeedHandler = Callable[[Connection, str, Mapping[str, Any], datetime], None]
FEED_KINDS: dict[str, FeedHandler] = {}


def register_feed_kind(kind: str, handle: FeedHandler) -> None:
    FEED_KINDS[kind] = handle


def apply_feed(db: Database, station_code: str, rows: Sequence[Mapping[str, Any]], now: datetime,
               duplicate_window: timedelta = DEFAULT_WINDOW) -> int:
    """Apply feed rows and move the cursor in one transaction. Rows at or below the cursor (a pull
    that overlapped another) are skipped. The station's unpushed ops stay on top of what arrives.
    An entry of a kind this station does not know, or an order snapshot that does not read as an
    order, stops the pull before it (nothing skipped)."""
    with db.write() as conn:
        cursor = int(read_meta(conn, FEED_POSITION) or 0)
        rows = [r for r in rows if r["position"] > cursor]
        orders, stop = _read_orders(rows)
        if stop is not None:
            rows = [r for r in rows if r["position"] < stop[0]]
        if rows:
            arrived = apply_snapshots(conn, station_code, orders, now, lambda r: f"hq-feed-{r.position}")
            flag_duplicates(conn, arrived, duplicate_window, now)  # new orders: checked for 重复下单 like an import's
            for r in rows:
                if r.get("kind", "order") != "order":
                    FEED_KINDS[r["kind"]](conn, station_code, r, now)
            write_meta(conn, FEED_POSITION, str(rows[-1]["position"]))
    if stop is not None:
        raise HQError(stop[1])
    return len(rows)


def _read_orders(rows: Sequence[Mapping[str, Any]]) -> tuple[list[Received], tuple[int, Words] | None]:
    """The order entries of ``rows`` read by the order's columns, up to the first entry this station
    cannot take: (its position, why) for that one."""
    orders = []
    for r in rows:
        kind = r.get("kind", "order")
        if kind == "order":
            try:
                orders.append(read_snapshot(r["reason"], r["position"], r["snapshot"]))
            except WireError as exc:
                return orders, (r["position"], Words("sync.unreadable_order", position=r["position"], why=exc))
        elif kind not in FEED_KINDS:
            return orders, (r["position"], Words("sync.unknown_kind", kind=clean_text(str(kind))[:40], position=r["position"]))
    return orders, None


def apply_snapshots(conn: Connection, station_code: str, rows: Sequence[Received], now: datetime,
                    op_id: Callable[[Received], str]) -> list[dict[str, Any]]:
    """Bring orders to head office's snapshots (read by order_fields.read_snapshot), each change an
    event. Returns the orders that were new to the station (their values and id)."""
    # pulled changes are recorded in their own, already acknowledged stream; the journal chains
    # their events into the audit trail like every other change
    journal = Journal(conn, HQ_STREAM)
    stamp = to_db(now)
    next_order = next_id(conn, "orders")
    arrived: list[dict[str, Any]] = []
    for r in rows:
        values = dict(r.values)
        local = conn.execute(select(ORDERS).where(ORDERS.c.source == values["source"],
                                                  ORDERS.c.logistics_no == values["logistics_no"])).mappings().first()
        changes = None
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
            # the audit trail keeps phones masked, as a correction's event does; the order row has the number
            changes = mask_changes(changed)
            conn.execute(update(ORDERS).where(ORDERS.c.id == order_id, ORDERS.c.version == local["version"])
                         .values(**{k: values[k] for k in changed}, version=version, updated_at=now))
        detail_json = received_payload(r.reason, r.position, r.hq_version, changes)
        journal.add(order_id, version, action, HQ_OPERATOR, stamp, before, values["status"], detail_json,
                    detail_json, op_id=op_id(r), acked_at=stamp)
    journal.write()
    return arrived


def _j(value: Any) -> Any:
    return to_db(value) if isinstance(value, datetime) else value


def _pending_on_top(conn: Connection, station_code: str, order_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Head office's state of the order with this station's not yet pushed ops replayed over it,
    each only where the transition table allows it from the state it lands on."""
    pending = conn.execute(
        select(OUTBOX.c.seq, OUTBOX.c.action, OUTBOX.c.payload)
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
        try:
            read = read_op(action.value, json.loads(op.payload))
        except ValueError as exc:  # WireError too: not what this station's writers write
            raise HQError("sync.outbox_unreadable", seq=op.seq, action=action.value, why=exc) from None
        for k, (_, after) in (read.changes if read is not None else {}).items():
            if k in ORDER_FIELDS:
                merged[k] = from_db(after) if k in TIME_FIELDS and isinstance(after, str) else after
        merged["status"] = next_status(action, status, merged["logistics_no"]).value
    return merged


# ---------------------------------------------------------------- the whole sync


class ChainMismatch(HQError):
    """Head office holds a different history of this station: the first differing event is named."""

    def __init__(self, message: str, event_id: int | None) -> None:
        super().__init__(message)
        self.event_id = event_id


def sync(db: Database, station_code: str, link: HeadOffice, clock: Clock, *,
         push_batch: int = PUSH_BATCH, pull_batch: int = PULL_BATCH,
         progress: Callable[[Progress], None] | None = None, duplicate_window: timedelta = DEFAULT_WINDOW,
         after_hq_commit: Callable[[list[OpResult]], None] | None = None) -> SyncReport:
    """Prove the history already synced, re-base after a restore, push every pending op with its
    chain links, send conflict resolutions, pull the feed; returns what happened.

    ``after_hq_commit`` runs between head office's answer to a batch and the station recording its
    acknowledgement: the moment a dropped connection hurts most.
    """
    report = SyncReport()
    _hello(db, station_code, link, clock, report)
    _push_accounts(db, station_code, link, clock)
    with db.read() as conn:
        total = pending_count(conn, station_code)
    while True:
        with db.read() as conn:
            ops = pending_ops(conn, station_code, push_batch)
            acked = chain_acked(conn)
            start = acked.event_id if acked else 0
            upto = min(ops[-1].event_id if ops else _last_event(conn), start + MAX_LINKS)
            links = chain_links(conn, start, upto) if upto > start else []
            accounts_acked = chain_acked(conn, ACCOUNTS_ACKED)
            accounts = account_links(conn, accounts_acked.event_id if accounts_acked else 0)
        ops = [o for o in ops if o.event_id <= upto]
        if not ops and not links and not accounts:
            break
        answer = _push(db, link, PushBatch(station=station_code, links=links, accounts=accounts, ops=ops))
        results = list(answer.results)
        if after_hq_commit is not None:
            after_hq_commit(results)
        record_results(db, station_code, results, clock(), answer.chain_head, answer.accounts_head)
        report.pushed += sum(not r.repeated for r in results)
        report.acknowledged += len(results)
        report.rejected += sum(r.result == "rejected" for r in results)
        report.conflicts += sum(r.conflict is not None for r in results)
        report.messages.extend((r.words and from_wire(r.words)) or r.message for r in results if r.conflict)
        if progress and results:
            progress(Progress("push", report.acknowledged, max(total, report.acknowledged)))
    report.resolutions_sent = _send_resolutions(db, station_code, link, clock)
    backlog = None
    while True:
        with db.read() as conn:
            position = int(read_meta(conn, FEED_POSITION) or 0)
        page = link.feed(position, pull_batch)
        if not page.entries:
            break
        if backlog is None:
            backlog = len(page.entries) + page.backlog
        report.pulled += apply_feed(db, station_code, [e.model_dump() for e in page.entries], clock(),
                                     duplicate_window)
        if progress:
            progress(Progress("pull", report.pulled, max(backlog, report.pulled)))
    from stationdesk.sync import station_audit

    report.audit_messages = station_audit.pull(
        db, station_code, lambda after, limit: [m.model_dump() for m in link.audit(after, limit).messages], clock)
    with db.write() as conn:
        write_meta(conn, LAST_SYNC, to_db(clock()))
        conn.execute(META.delete().where(META.c.key == CHAIN_PROBLEM))
    _log.info("sync %s: %s", station_code, report.summary())
    return report


def _push(db: Database, link: HeadOffice, batch: PushBatch) -> Any:
    try:
        return link.push(batch)
    except HQRefused as exc:
        if exc.refusal.error == "chain_mismatch":
            raise _mismatch(db, exc.words or str(exc), exc.refusal) from None
        raise


def _mismatch(db: Database, message: str, refusal: Any) -> ChainMismatch:
    """Head office refused this station's history: kept for `check`, and named in the station's words."""
    named = message if refusal.chain == "accounts" else _named(db, message, refusal.event_id)
    _remember_problem(db, named)
    return ChainMismatch(named, refusal.event_id)


def _push_accounts(db: Database, station_code: str, link: HeadOffice, clock: Clock) -> None:
    """Account changes go first, then head office checks every operator row against their chain:
    no op is taken from a station whose accounts were changed behind the app's back."""
    with db.read() as conn:
        acked = chain_acked(conn, ACCOUNTS_ACKED)
        accounts = account_links(conn, acked.event_id if acked else 0)
    while accounts:
        answer = _push(db, link, PushBatch(station=station_code, accounts=accounts, ops=[]))
        record_results(db, station_code, [], clock(), None, answer.accounts_head)
        with db.read() as conn:
            accounts = account_links(conn, answer.accounts_head.event_id if answer.accounts_head else 0)
    with db.read() as conn:
        states = operator_states(conn)
    try:
        link.check_accounts(AccountsCheck(station=station_code, operators=states))
    except HQRefused as exc:
        if exc.refusal.error == "chain_mismatch":
            raise _mismatch(db, exc.words or str(exc), exc.refusal) from None
        raise


def _remember_problem(db: Database, message: str) -> None:
    with db.write() as conn:
        write_meta(conn, CHAIN_PROBLEM, message[:1000])


def _named(db: Database, message: str, event_id: int | None) -> str:
    """The refusal with the station's own words for the event: its order, version and action."""
    if event_id is None:
        return message
    with db.read() as conn:
        row = conn.exec_driver_sql(
            "SELECT o.logistics_no, e.version, e.action, e.operator, e.at FROM order_event e"
            " LEFT JOIN orders o ON o.id = e.order_id WHERE e.id = ?", (event_id,)).first()
    if row is None:
        return Words("sync.first_differing", message=message, event=event_id)
    return Words("sync.first_differing_order", message=message, event=event_id, ref=row[0], version=row[1], action=row[2],
                 operator=row[3], at=row[4])


def _hello(db: Database, station_code: str, link: HeadOffice, clock: Clock, report: SyncReport) -> None:
    """Show head office the chain where it last acknowledged it; find a rewrite's first differing
    event, or re-base a station restored from a backup older than its last sync."""
    with db.read() as conn:
        acked = chain_acked(conn)
        accounts_acked = chain_acked(conn, ACCOUNTS_ACKED)
        proof = _proof(conn, acked, "order_event")
        accounts_proof = _proof(conn, accounts_acked, "account_event")
    try:
        welcome = link.hello(Hello(station=station_code, chain=proof, accounts=accounts_proof))
    except HQRefused as exc:
        if exc.refusal.error != "chain_mismatch":
            raise
        accounts = exc.refusal.chain == "accounts"
        upto = (accounts_acked if accounts else acked)
        first = _first_differing(db, link, upto.event_id if upto else 0, "accounts" if accounts else "events")
        what = Words("sync.what_accounts") if accounts else Words("sync.what_chain")
        message = Words("sync.history_rewritten", station=station_code, what=what)
        named = Words("sync.first_differing_account", message=message, event=first) if accounts else _named(db, message, first)
        _remember_problem(db, named)
        raise ChainMismatch(named, first) from None
    restored = False
    for head, mark, table in ((welcome.chain_head, acked, "order_event"),
                              (welcome.accounts_head, accounts_acked, "account_event")):
        if head is not None and (mark is None or head.event_id > mark.event_id):
            with db.read() as conn:
                mine = _chain_at(conn, head.event_id, table)
            if mine == head.chain:  # head office took links whose answer never arrived: the same history
                if table == "order_event":
                    record_results(db, station_code, [], clock(), head)
                else:
                    record_results(db, station_code, [], clock(), None, head)
            else:
                restored = True
    with db.read() as conn:
        sent = conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0)).where(
            OUTBOX.c.station_code == station_code, OUTBOX.c.acked_at.is_not(None))).scalar_one()
    stored: list[StoredOp] = []
    if welcome.last_seq > sent:
        stored = _stored_ops(link, sent)
        with db.read() as conn:
            mine_ids = dict(conn.execute(select(OUTBOX.c.seq, OUTBOX.c.op_id).where(
                OUTBOX.c.station_code == station_code, OUTBOX.c.seq > sent,
                OUTBOX.c.seq <= welcome.last_seq)).all())
        restored = restored or any(mine_ids.get(o.seq) != o.op_id for o in stored)
    if restored:
        link.rebase(Rebase(station=station_code, chain=proof, accounts=accounts_proof))
        report.messages.append(rebase(db, station_code, welcome.last_seq, sent, stored, clock()))


def _stored_ops(link: HeadOffice, after: int) -> list[StoredOp]:
    out: list[StoredOp] = []
    while True:
        page = link.ops_after(after, 1000)
        if not page.ops:
            return out
        out.extend(page.ops)
        after = page.ops[-1].seq


def _first_differing(db: Database, link: HeadOffice, upto: int, chain: str = "events") -> int | None:
    table = "account_event" if chain == "accounts" else "order_event"
    first = 1
    while first <= upto:
        with db.read() as conn:
            hashes = [r[0] or "" for r in conn.exec_driver_sql(
                f"SELECT chain FROM {table} WHERE id >= ? AND id <= ? ORDER BY id",
                (first, min(upto, first + MAX_COMPARE - 1))).all()]
        if not hashes:
            return first
        hashes = [h if len(h) == 64 else "0" * 64 for h in hashes]
        verdict = link.compare(ChainCompare(first=first, hashes=hashes, chain=chain))  # type: ignore[arg-type]  # the model validates the list and its hashes' form on construction
        if verdict.first_differing is not None:
            return verdict.first_differing
        first += len(hashes)
    return None


def rebase(db: Database, station_code: str, hq_last_seq: int, sent: int, stored: Sequence[StoredOp],
           now: datetime) -> str:
    """After a restore: the ops head office already has are this station's past, so their orders
    take head office's state; the station's unsynced ops are renumbered after head office's last
    seq and pushed as usual. One transaction."""
    have = {o.op_id: o for o in stored}
    with db.write() as conn:
        pending = conn.execute(select(OUTBOX.c.id, OUTBOX.c.op_id, OUTBOX.c.seq).where(
            OUTBOX.c.station_code == station_code, OUTBOX.c.acked_at.is_(None), OUTBOX.c.seq > sent)
            .order_by(OUTBOX.c.seq)).all()
        same = [p.id for p in pending if p.op_id in have and have[p.op_id].seq == p.seq]
        if same:
            conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(same)).values(acked_at=now))
        later = [p for p in pending if p.id not in set(same)]
        # two steps: the unique (station, seq) index must hold after every row of the update
        for p in later:
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == p.id).values(seq=-p.seq))
        for i, p in enumerate(later, start=1):
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == p.id).values(seq=hq_last_seq + i))
        mine = {p.op_id for p in pending}
        snaps: dict[tuple[str, str], dict[str, Any]] = {}
        for o in stored:
            if o.op_id not in mine and o.snapshot is not None:
                snaps[(o.snapshot["source"], o.snapshot["logistics_no"])] = o.snapshot
        try:
            rows = [read_snapshot("rebase", None, s) for s in snaps.values()]
        except WireError as exc:
            raise HQError("sync.rebase_unreadable", station=station_code, why=exc) from None
        if rows:
            from stationdesk.store.journal import new_op_ids

            ids = iter(new_op_ids(len(rows)))
            apply_snapshots(conn, station_code, rows, now, lambda _r: f"hq-rebase-{next(ids)}")
    return Words("sync.rebased", station=station_code, first=sent + 1, last=hq_last_seq, orders=len(rows), later=len(later))


def _send_resolutions(db: Database, station_code: str, link: HeadOffice, clock: Clock) -> int:
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(select(CONFLICTS).where(
            CONFLICTS.c.resolved_at.is_not(None), CONFLICTS.c.reported_at.is_(None))).mappings()]
    if not rows:
        return 0
    link.resolutions(Resolutions(station=station_code, resolutions=[
        Resolution(op_id=r["op_id"], resolved_at=to_db(r["resolved_at"]), resolved_by=r["resolved_by"],
                   resolution=r["resolution"]) for r in rows]))
    with db.write() as conn:
        conn.execute(update(CONFLICTS).where(CONFLICTS.c.id.in_([r["id"] for r in rows])).values(reported_at=clock()))
    return len(rows)
