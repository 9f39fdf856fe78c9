"""Head office: apply the ops stations push, import and cancel orders, dispatch them, feed changes out.

Each call is one PostgreSQL transaction. An op is applied at most once (its op id is the key; the
station's push cursor is locked for the batch), checked against head office's state of the order
with the one transition table of stationdesk.domain.statuses, and its result stored with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from stationdesk.domain import wire
from stationdesk.domain.errors import DomainError, IllegalTransition
from stationdesk.domain.words import Words
from stationdesk.domain.ledger import person_routed_in
from stationdesk.domain.routing import Directory, Station, check_area
from stationdesk.domain.statuses import Action, Status, can, next_status
from stationdesk.store.plumbing import in_chunks
from stationdesk.store.rows import by_name
from stationdesk.store.values import from_db, to_db
from stationdesk.sync import hq_audit
from stationdesk.sync.hq_schema import HQError, load_directory
from stationdesk.sync.hq_tables import HQ_CONFLICTS, HQ_CURSORS, HQ_EVENTS, HQ_FEED, HQ_FEED_COUNTER, HQ_OPS, HQ_ORDERS
from stationdesk.sync.order_fields import ORDER_FIELDS, TIME_FIELDS

HQ_OPERATOR = "总部"
# What happened in the world and cannot be refused: kept, and flagged for a person when it clashes.
FACTS = frozenset({Action.PICKUP_SCAN, Action.CONFIRM_PICKUP})
FACT_FIELDS = ("scanned_at", "picked_up_at", "waybill_no")

APPLIED, REJECTED, FLAGGED = "applied", "rejected", "flagged"
IN_LIST = 1000  # values per IN (...) list: PostgreSQL takes many more, a statement's size is what this bounds


class GapError(HQError):
    """A batch does not start where head office's cursor for the station says it must."""

    def __init__(self, message: str, expected: int | None = None) -> None:
        super().__init__(message)
        self.expected = expected


@dataclass
class PushedOp:
    """One outbox op as a station sends it: ``payload`` as received (stored so), ``op`` read by its
    kind's model (domain/wire.py; None for a kind with an applier of its own)."""

    op_id: str
    seq: int
    action: str
    payload: dict[str, Any]
    op: wire.Payload | None = None

    def __post_init__(self) -> None:
        if self.op is None:  # the service hands it over read already (protocol.read_op)
            self.op = wire.read_op(self.action, self.payload)


@dataclass
class OpResult:
    op_id: str
    seq: int
    result: str  # applied / rejected / flagged
    message: str
    conflict: dict[str, Any] | None = None  # kind, action, hq_status, hq_station, message, source, logistics_no
    repeated: bool = False  # head office had it already: these are the stored results


# ---------------------------------------------------------------- snapshots and the feed


def snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """An order as the feed carries it: the station's order fields, times as stored UTC text."""
    out = {k: (to_db(row[k]) if k in TIME_FIELDS and row[k] is not None else row[k]) for k in ORDER_FIELDS}
    out["hq_version"] = row["version"]
    return out


def _from_payload(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (from_db(v) if k in TIME_FIELDS and isinstance(v, str) else v) for k, v in values.items()
            if k in ORDER_FIELDS}


class _Feed:
    """Feed rows of one transaction: at most one per (station, order), the last state wins."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, int], tuple[str, dict[str, Any] | None]] = {}

    def add(self, station: str, order_id: int, reason: str, snap: dict[str, Any] | None = None) -> None:
        self.entries.pop((station, order_id), None)
        self.entries[(station, order_id)] = (reason, snap)

    def write(self, conn: Connection, now: datetime) -> None:
        """The transaction's last step: the counter's row lock orders positions by commit."""
        if not self.entries:
            return
        later = sorted({oid for (_, oid), (_, snap) in self.entries.items() if snap is None})
        current = {}
        for chunk in in_chunks(later, IN_LIST):
            for row in conn.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.id.in_(chunk))).mappings():
                current[row["id"]] = snapshot(by_name(row))
        n = len(self.entries)
        end = conn.execute(
            update(HQ_FEED_COUNTER).where(HQ_FEED_COUNTER.c.id == 1)
            .values(last_position=HQ_FEED_COUNTER.c.last_position + n).returning(HQ_FEED_COUNTER.c.last_position)
        ).scalar_one()
        rows = []
        for i, ((station, oid), (reason, snap)) in enumerate(self.entries.items()):
            rows.append({"position": end - n + 1 + i, "station_code": station, "order_id": oid, "reason": reason,
                         "snapshot": snap if snap is not None else current[oid], "created_at": now})
        conn.execute(HQ_FEED.insert(), rows)


def read_feed(engine: Engine, station_code: str, after: int, limit: int) -> list[dict[str, Any]]:
    """The station's feed rows after position ``after``, in position order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(HQ_FEED.c.position, HQ_FEED.c.reason, HQ_FEED.c.snapshot)
            .where(HQ_FEED.c.station_code == station_code, HQ_FEED.c.position > after)
            .order_by(HQ_FEED.c.position).limit(limit)
        ).mappings().all()
    return [dict(r) for r in rows]


def feed_backlog(engine: Engine, station_code: str, after: int) -> int:
    from sqlalchemy import func

    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(HQ_FEED)
            .where(HQ_FEED.c.station_code == station_code, HQ_FEED.c.position > after)
        ).scalar_one()


# ---------------------------------------------------------------- order changes at head office


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


_ORJSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS  # datetimes as stored UTC text; column names


def _dumps(rows: Any) -> str:
    """Rows as one JSON text. orjson writes a push's 2,000 rows in a quarter of json's time; what it
    refuses (an integer past 64 bits in a payload) goes through json, which writes anything."""
    try:
        return orjson.dumps(rows, default=_json_value, option=_ORJSON).decode()
    except TypeError:
        return json.dumps(rows, default=_json_value, ensure_ascii=False)


def bulk_insert(conn: Connection | Any, table: Any, rows: Sequence[Mapping[str, Any]], *, conflict: str | None = None,
                returning: Sequence[str] = (), parse: str = "json") -> Any:
    """INSERT many rows as ONE parameter (a JSON array read by json_populate_recordset): no statement
    of thousands of placeholders for the driver to build and the server to parse.

    ``parse="jsonb"`` when the rows carry whole documents for a jsonb column (an op's payload): they are
    then parsed once, not read as text and parsed again. Otherwise plain json is read in one pass,
    about a third less of PostgreSQL's time for a batch of orders."""
    cols = list(rows[0])
    names = ", ".join(f'"{c}"' for c in cols)
    kind = "jsonb" if parse == "jsonb" else "json"
    sql = (f"INSERT INTO {table.name} ({names}) SELECT {names} "
           f"FROM {kind}_populate_recordset(NULL::{table.name}, %(rows)s::{kind})")
    if conflict:
        sql += f" ON CONFLICT ON CONSTRAINT {conflict} DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(f'"{c}"' for c in returning)
    return conn.exec_driver_sql(sql, {"rows": _dumps(list(rows))})


class _Writes:
    """A push batch's connection, holding its event inserts and order updates back to write them
    in a few many-row statements at the end (``flush``); every other statement goes straight through."""

    _SET = tuple(c.name for c in HQ_ORDERS.columns if c.name not in ("id", "created_at"))

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.execute = conn.execute
        self._stamps: dict[datetime, str] = {}
        self.events: list[dict[str, Any]] = []
        self.dirty: dict[int, dict[str, Any]] = {}

    def stamp(self, when: datetime) -> str:
        """A time as stored UTC text, converted once per batch (every event of a batch has the same)."""
        text = self._stamps.get(when)
        if text is None:
            text = self._stamps[when] = to_db(when)
        return text

    def flush(self) -> None:
        if self.events:
            bulk_insert(self.conn, HQ_EVENTS, self.events)
            self.events = []
        if self.dirty:
            names = ", ".join(f'"{c}"' for c in self._SET)
            self.conn.exec_driver_sql(
                f"UPDATE hq_order o SET ({names}) = ({', '.join(f'r.{c}' for c in self._SET)}) "
                "FROM json_populate_recordset(NULL::hq_order, %(rows)s::json) r WHERE o.id = r.id",
                {"rows": _dumps([{c: r[c] for c in ("id", *self._SET)} for r in self.dirty.values()])})
            self.dirty = {}


def _event(conn: Connection | _Writes, row: Mapping[str, Any], version: int, action: str, operator: str,
           now: datetime, before: str | None, after: str, details: dict[str, Any], station: str | None = None,
           op_id: str | None = None) -> None:
    values = {"order_id": row["id"], "version": version, "action": action, "operator": operator,
              "station_code": station, "op_id": op_id, "at": now, "before_status": before, "after_status": after,
              "details": details}
    if isinstance(conn, _Writes):
        conn.events.append({**values, "at": conn.stamp(now)})
    else:
        conn.execute(HQ_EVENTS.insert().values(**values))


def _change(conn: Connection | _Writes, row: dict[str, Any], values: dict[str, Any], action: str, operator: str,
            now: datetime, details: dict[str, Any], station: str | None = None, op_id: str | None = None) -> dict[str, Any]:
    """Update one order row (already locked) with its event; returns the new row."""
    version = row["version"] + 1
    if not isinstance(conn, _Writes):
        conn.execute(update(HQ_ORDERS).where(HQ_ORDERS.c.id == row["id"])
                     .values(**values, version=version, updated_at=now))
    before = row["status"]
    new = {**row, **values, "version": version, "updated_at": now}
    changed = {k: [_j(row[k]), _j(v)] for k, v in values.items() if row[k] != v}
    _event(conn, row, version, action, operator, now, before, new["status"], {**details, "changes": changed},
           station, op_id)
    if isinstance(conn, _Writes):
        conn.dirty[new["id"]] = new
    return new


def _j(value: Any) -> Any:
    return to_db(value) if isinstance(value, datetime) else value


def _insert_order(conn: Connection, values: dict[str, Any], operator: str, now: datetime, details: dict[str, Any],
                  station: str | None = None, op_id: str | None = None) -> dict[str, Any] | None:
    """Insert a new order; None when head office has it already (another station or import was first)."""
    stmt = (pg_insert(HQ_ORDERS).values(**values, version=1, created_at=now, updated_at=now)
            .on_conflict_do_nothing(constraint="uq_hq_order_source_logistics").returning(*HQ_ORDERS.c))
    inserted = conn.execute(stmt).mappings().first()
    if inserted is None:
        return None
    row = dict(by_name(inserted))
    _event(conn, row, 1, Action.IMPORT.value, operator, now, None, row["status"], details, station, op_id)
    return row


def _route_to(conn: Connection | _Writes, row: dict[str, Any], target: Station, directory: Directory, operator: str,
              now: datetime, details: dict[str, Any]) -> dict[str, Any]:
    """The order arrives at ``target`` waiting for acceptance (等待接单), as a pushed order does."""
    area = check_area(target, directory, row["sender_district"]) if not target.is_datacenter else None
    # a person routed it: the order is the target's; the directory's disagreement is a note (suggested_station)
    values = {"station_code": target.code, "status": Status.WAITING.value, "accepted_at": None,
              "out_of_area": False,
              "suggested_station": area.suggested.code if area and area.out_of_area and area.suggested else None}
    return _change(conn, row, values, "route", operator, now, {**details, "to": target.code})


def _lock_orders(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Lock the named orders in id order (two batches never lock the same rows in opposite orders)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    keys = sorted(set(keys))
    for chunk in in_chunks(keys, IN_LIST):
        rows = conn.execute(
            select(HQ_ORDERS).where(tuple_(HQ_ORDERS.c.source, HQ_ORDERS.c.logistics_no).in_(chunk))
            .order_by(HQ_ORDERS.c.id).with_for_update()
        ).mappings()
        for row in rows:
            out[(row["source"], row["logistics_no"])] = dict(row)
    return out


# ---------------------------------------------------------------- push


def push_batch(engine: Engine, station_code: str, ops: Sequence[PushedOp], now: datetime,
               before_apply: Callable[[Connection, list[PushedOp]], None] | None = None) -> list[OpResult]:
    """Apply one batch of a station's ops, in seq order, in one transaction; returns a result per op.

    Ops head office already applied (seq at or below its cursor) get their stored results back; the
    first new op must be the one after the cursor, or the batch is refused naming the seq expected.
    ``before_apply`` runs in the transaction with the station's cursor locked, before any new op is
    applied (the service checks the audit chain there); raising in it refuses the whole batch.
    """
    if not ops and before_apply is None:
        return []
    ops = sorted(ops, key=lambda o: o.seq)
    with engine.begin() as conn:
        conn.execute(pg_insert(HQ_CURSORS).values(station_code=station_code, last_seq=0, updated_at=now)
                     .on_conflict_do_nothing())
        last = conn.execute(select(HQ_CURSORS.c.last_seq).where(HQ_CURSORS.c.station_code == station_code)
                            .with_for_update()).scalar_one()
        old = [o for o in ops if o.seq <= last]
        new = [o for o in ops if o.seq > last]
        results = _stored_results(conn, station_code, old)
        expected = last + 1
        for i, o in enumerate(new):
            if o.seq != expected + i:
                raise GapError(Words("hq.gap", station=station_code, expected=expected + i, seq=o.seq, op=o.op_id), expected + i)
        if before_apply is not None:
            before_apply(conn, new)
        if not new:
            return results
        directory = load_directory(conn)
        keys = [_key(o) for o in new]
        # orders the batch imports are inserted first (a clash with an existing one is found by the
        # insert itself); the rest, and any order an import found already there, are locked
        imported = {k for o, k in zip(new, keys, strict=True) if k is not None and o.action == Action.IMPORT.value}
        orders: dict[tuple[str, str], dict[str, Any]] = {}
        fresh = _insert_new_orders(conn, station_code, new, keys, orders, now, directory)
        orders.update(_lock_orders(conn, {k for k in keys if k is not None and (k not in imported or k not in orders)}))
        writes = _Writes(conn)
        stamp = to_db(now)
        feed = _Feed()
        op_rows, conflict_rows = [], []
        for o, key in zip(new, keys, strict=True):
            before = orders.get(key) if key else None
            res, order_id = _apply(writes, station_code, o, key, orders, directory, feed, now, fresh)
            if res.result == APPLIED and o.action not in APPLIERS and o.op is not None:
                if hq_audit.reads_orders(o.op):
                    writes.flush()  # it reads head office's orders: the batch's changes first
                hq_audit.after_op(conn, station_code, o.op, before, orders.get(key) if key else None, now)
            results.append(res)
            op_rows.append({"op_id": o.op_id, "station_code": station_code, "seq": o.seq, "action": o.action,
                            "order_id": order_id, "payload": o.payload, "result": res.result,
                            "message": res.message, "received_at": stamp})
            if res.conflict:
                conflict_rows.append({**res.conflict, "op_id": o.op_id, "station_code": station_code, "seq": o.seq,
                                      "order_id": order_id, "created_at": now})
        writes.flush()
        try:
            bulk_insert(conn, HQ_OPS, op_rows, parse="jsonb")
        except Exception as exc:
            if "hq_op_pkey" in str(exc):
                raise HQError("hq.op_id_used", station=station_code, first=new[0].seq, last=new[-1].seq, why=str(exc)) from exc
            raise
        if conflict_rows:
            conn.execute(HQ_CONFLICTS.insert(), conflict_rows)
        conn.execute(update(HQ_CURSORS).where(HQ_CURSORS.c.station_code == station_code)
                     .values(last_seq=new[-1].seq, updated_at=now))
        feed.write(conn, now)
    return results


def _key(o: PushedOp) -> tuple[str, str] | None:
    op = o.op
    if isinstance(op, wire.ImportOp):
        return op.order.source, op.order.logistics_no
    if isinstance(op, wire.ChangeOp | wire.AppealOp):
        return op.source, op.logistics_no
    p = o.payload  # a kind of an applier's own: its order, if it names one
    return (str(p.get("source")), str(p["logistics_no"])) if p.get("logistics_no") else None


def _stored_results(conn: Connection, station_code: str, old: Sequence[PushedOp]) -> list[OpResult]:
    if not old:
        return []
    stored: dict[int, Mapping[str, Any]] = {}
    conflicts: dict[str, dict[str, Any]] = {}
    for chunk in in_chunks([o.seq for o in old], IN_LIST):
        for op_row in conn.execute(select(HQ_OPS).where(HQ_OPS.c.station_code == station_code,
                                                        HQ_OPS.c.seq.in_(chunk))).mappings():
            stored[op_row["seq"]] = by_name(op_row)
    for ids in in_chunks([o.op_id for o in old], IN_LIST):
        for c in conn.execute(select(HQ_CONFLICTS).where(HQ_CONFLICTS.c.op_id.in_(ids))).mappings():
            conflicts[c["op_id"]] = _conflict_dict(by_name(c))
    out = []
    for o in old:
        r = stored.get(o.seq)
        if r is None or r["op_id"] != o.op_id:
            had = r["op_id"] if r is not None else Words("hq.nothing")
            raise HQError("hq.op_differs", station=station_code, seq=o.seq, had=had, op=o.op_id)
        out.append(OpResult(o.op_id, o.seq, r["result"], r["message"], conflicts.get(o.op_id), repeated=True))
    return out


def _conflict_dict(c: Mapping[str, Any]) -> dict[str, Any]:
    return {k: c[k] for k in ("kind", "action", "hq_status", "hq_station", "message", "source", "logistics_no")}


_ORDER_FIELD_SET = frozenset(ORDER_FIELDS)


def _import_values(station: str, op: wire.ImportOp, now: datetime) -> dict[str, Any]:
    # times stay the stored UTC text the station sent: PostgreSQL reads it as timestamptz
    values = {k: v for k, v in op.order if k in _ORDER_FIELD_SET}
    # whose order it is: the pushing station's (its token's), whatever the payload says
    values.update(station_code=station, status=op.after_status.value)
    for k in ("out_of_area", "cancelled", "cancel_handled"):
        values[k] = bool(values.get(k) or False)
    if values["cancelled"] and not values.get("cancelled_at"):
        ordered = values["order_time"]
        values["cancelled_at"] = to_db(min(now, from_db(ordered) if isinstance(ordered, str) else ordered))
    return values


def _insert_new_orders(conn: Connection, station: str, new: Sequence[PushedOp], keys: Sequence[tuple[str, str] | None],
                       orders: dict[tuple[str, str], dict[str, Any]], now: datetime,
                       directory: Directory) -> dict[str, str]:
    """Insert the orders the batch's imports bring, in one statement, skipping any head office has
    (the caller locks and reads those). Returns the op id that created each new order."""
    first: dict[tuple[str, str], PushedOp] = {}
    for o, key in zip(new, keys, strict=True):
        if o.action == Action.IMPORT.value and key is not None and key not in orders and key not in first:
            first[key] = o
    if not first:
        return {}
    stamp = to_db(now)
    blank = dict.fromkeys(ORDER_FIELDS)  # every column, so the first row names them all
    rows = []
    areas: dict[tuple[str, bool], dict[str, Any]] = {}  # a batch's orders share a few districts
    for key in sorted(first):
        imported = first[key].op
        assert isinstance(imported, wire.ImportOp)  # first holds import ops only
        values = _import_values(station, imported, now)
        seen = (str(values.get("sender_district") or ""), person_routed_in(values))  # all area_of_import reads
        area = areas.get(seen)
        if area is None:
            area = areas[seen] = hq_audit.area_of_import(directory, station, values)  # head office's directory, not the station's word
        values.update(area)
        rows.append({**blank, **values, "version": 1, "created_at": stamp, "updated_at": stamp})
    made: dict[str, str] = {}
    # an import needs only the new row's id and status back; an order a later op of the batch
    # changes is read whole (an import batch, the usual one, reads nothing back)
    for row in bulk_insert(conn, HQ_ORDERS, rows, conflict="uq_hq_order_source_logistics",
                           returning=("id", "source", "logistics_no", "station_code", "status")).mappings():
        key = (row["source"], row["logistics_no"])
        orders[key] = dict(row)
        made[first[key].op_id] = key[1]
    later = sorted({k for o, k in zip(new, keys, strict=True)
                    if o.action != Action.IMPORT.value and k in first and k in orders})
    for chunk in in_chunks(later, IN_LIST):
        for row in conn.execute(select(HQ_ORDERS).where(tuple_(HQ_ORDERS.c.source, HQ_ORDERS.c.logistics_no)
                                                        .in_(chunk))).mappings():
            orders[(row["source"], row["logistics_no"])] = dict(row)
    return made


# Op kinds that are not order transitions (an appeal, say) are applied by the function their module
# registers here: called in the batch's transaction with the station's cursor locked, it returns
# the op's result and the order id it concerns (or None).
Applier = Callable[[Connection, str, PushedOp, datetime], tuple[OpResult, int | None]]
APPLIERS: dict[str, Applier] = {}


def register_applier(kind: str, apply: Applier) -> None:
    """Let head office apply pushed ops of ``kind`` (validated first by the protocol's op kinds)."""
    APPLIERS[kind] = apply


def _apply_appeal(conn: Connection, station: str, o: PushedOp, now: datetime) -> tuple[OpResult, int | None]:
    """An appeal is the audit's business, not the order's: taken or refused by the appeal rules."""
    key = _key(o)
    row: Mapping[str, Any] | None = None
    if key is not None:
        found = conn.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.source == key[0], HQ_ORDERS.c.logistics_no == key[1])
                             ).mappings().first()
        row = by_name(found) if found is not None else None
    if not isinstance(o.op, wire.AppealOp):
        return OpResult(o.op_id, o.seq, REJECTED, f"网点 {station} 序号 {o.seq}: appeal without an order number"), None
    result, message, order_id = hq_audit.take_appeal(conn, station, o.op_id, o.op, row, now)
    return OpResult(o.op_id, o.seq, result, message), order_id


register_applier(Action.APPEAL.value, _apply_appeal)


def _apply(conn: _Writes, station: str, o: PushedOp, key: tuple[str, str] | None,
           orders: dict[tuple[str, str], dict[str, Any]], directory: Directory, feed: _Feed,
           now: datetime, fresh: Mapping[str, str]) -> tuple[OpResult, int | None]:
    op = o.op
    applier = APPLIERS.get(o.action)
    if applier is not None:
        conn.flush()  # what the batch changed so far is visible to it
        return applier(conn.conn, station, o, now)
    try:
        action = Action(o.action)
    except ValueError:
        return OpResult(o.op_id, o.seq, REJECTED, Words("hq.unknown_action", station=station, seq=o.seq, action=o.action)), None
    if key is None or not isinstance(op, wire.ChangeOp | wire.ImportOp):
        return OpResult(o.op_id, o.seq, REJECTED, Words("hq.no_number", station=station, seq=o.seq)), None
    source, number = key
    operator = op.operator or station
    base = {"op_id": o.op_id, "seq": o.seq, "station": station}
    row = orders.get(key)
    if action is Action.IMPORT:
        if row is None:  # not an order of this batch's inserts: refused below as unknown
            return OpResult(o.op_id, o.seq, REJECTED, Words("hq.not_created", station=station, seq=o.seq, ref=number)), None
        if o.op_id not in fresh:
            return OpResult(o.op_id, o.seq, APPLIED, Words("hq.already_known", ref=number)), row["id"]
        _event(conn, row, 1, Action.IMPORT.value, operator, now, None, row["status"], {"origin": "station", **base},
               station, o.op_id)
        return OpResult(o.op_id, o.seq, APPLIED, Words("hq.received", ref=number)), row["id"]

    label = Words("hq.op_label", station=station, action=action, seq=o.seq)
    if row is None:
        conflict: dict[str, Any] = {"kind": "rejected", "action": action.value, "hq_status": None, "hq_station": None,
                    "source": source, "logistics_no": number,
                    "message": Words("hq.unknown_order", ref=number, label=label)}
        return OpResult(o.op_id, o.seq, REJECTED, conflict["message"], conflict), None
    status = Status(row["status"])
    moved = row["station_code"] != station
    assert isinstance(op, wire.ChangeOp)  # every action but an import changes an order the station has
    values = _from_payload({k: v[1] for k, v in op.changes.items()})
    if not moved and can(action, status):
        values["status"] = next_status(action, status, number).value
        new = _change(conn, row, values, action.value, operator, now, {"origin": "station", **base}, station, o.op_id)
        if action is Action.TRANSFER:
            target = directory.find(str(values.get("station_code") or op.to or ""))
            if target is None:
                raise HQError("hq.transfer_target", ref=number, label=label, to=op.to, seq=o.seq)
            new = _route_to(conn, new, target, directory, HQ_OPERATOR, now, {"origin": "transfer", **base})
            feed.add(target.code, new["id"], "transfer_in")
        orders[key] = new
        return OpResult(o.op_id, o.seq, APPLIED, Words("hq.synced", ref=number, action=action)), row["id"]
    if action is Action.CANCEL and status is Status.CANCELLED:
        return OpResult(o.op_id, o.seq, APPLIED, Words("hq.already_cancelled", ref=number)), row["id"]

    where = (Words("hq.where_moved", status=status, station=row["station_code"]) if moved
             else Words("hq.where_status", status=status))
    conflict = {"action": action.value, "hq_status": status.value, "hq_station": row["station_code"],
                "source": source, "logistics_no": number}
    if action in FACTS:
        kept = {k: values[k] for k in FACT_FIELDS if k in values and (k != "waybill_no" or not row["waybill_no"])}
        new = _change(conn, row, kept, action.value, operator, now, {"origin": "station", "flagged": True, **base},
                      station, o.op_id)
        orders[key] = new
        conflict.update(kind="fact_kept",
                        message=Words("hq.fact_kept", ref=number, label=label, where=where))
        result = FLAGGED
    else:
        conflict.update(kind="rejected", message=Words("hq.rejected", ref=number, label=label, where=where))
        result = REJECTED
    feed.add(station, row["id"], "conflict")
    return OpResult(o.op_id, o.seq, result, conflict["message"], conflict), row["id"]


def resolve_conflicts(engine: Engine, station_code: str, resolved: Sequence[Mapping[str, Any]]) -> int:
    """Record at head office the resolutions a station's people made; already-resolved ones stay as they are."""
    if not resolved:
        return 0
    n = 0
    with engine.begin() as conn:
        for r in resolved:
            n += conn.execute(
                update(HQ_CONFLICTS).where(HQ_CONFLICTS.c.op_id == r["op_id"],
                                           HQ_CONFLICTS.c.station_code == station_code,
                                           HQ_CONFLICTS.c.resolved_at.is_(None))
                .values(resolved_at=r["resolved_at"], resolved_by=r["resolved_by"], resolution=r["resolution"])
            ).rowcount
    return n


# ---------------------------------------------------------------- head office's own actions


@dataclass
class HQImportReport:
    imported: int = 0
    cancelled: int = 0
    unchanged: int = 0
    routed: dict[str, int] = field(default_factory=dict)
    rejected: list[Words] = field(default_factory=list)


def import_orders(engine: Engine, rows: Sequence[tuple[int, dict[str, Any]]], now: datetime,
                  operator: str = "feed", batch_size: int = 2000) -> HQImportReport:
    """Import validated feed rows (line, values): each new order goes to the station serving the
    sender's district, else the data center; a later row may cancel. One transaction per batch."""
    report = HQImportReport()
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        with engine.begin() as conn:
            directory = load_directory(conn)
            existing = _lock_orders(conn, [(v["source"], v["logistics_no"]) for _, v in batch])
            feed = _Feed()
            for line, v in batch:
                key = (v["source"], v["logistics_no"])
                row = existing.get(key)
                if row is None:
                    target = directory.route(v["sender_district"])
                    if target is None:
                        report.rejected.append(Words("feed.row", line=line, field="", order=Words("feed.order", ref=v["logistics_no"]),
                                                     reason=Words("feed.no_route", district=v["sender_district"])))
                        continue
                    values = {k: v.get(k) for k in ORDER_FIELDS if k in v}
                    values.update(station_code=target.code, out_of_area=False, suggested_station=None,
                                  status=(Status.CANCELLED if v["cancelled"] else Status.WAITING).value,
                                  cancelled=bool(v["cancelled"]), cancel_handled=False,
                                  cancelled_at=min(now, v["order_time"]) if v["cancelled"] else None)
                    row = _insert_order(conn, values, operator, now, {"origin": "feed", "line": line})
                    if row is None:
                        report.unchanged += 1
                        continue
                    existing[key] = row
                    report.imported += 1
                    report.routed[target.code] = report.routed.get(target.code, 0) + 1
                    feed.add(target.code, row["id"], "import")
                elif v["cancelled"] and not row["cancelled"]:
                    if not can(Action.CANCEL, Status(row["status"])):
                        report.rejected.append(Words("feed.row", line=line, field="", order=Words("feed.order", ref=v["logistics_no"]),
                                                     reason=Words("hq.feed_no_cancel", status=Status(row["status"]))))
                        continue
                    existing[key] = _cancel(conn, row, operator, now, "feed", feed)
                    report.cancelled += 1
                else:
                    report.unchanged += 1
            feed.write(conn, now)
    return report


def _cancel(conn: Connection, row: dict[str, Any], operator: str, now: datetime, origin: str, feed: _Feed) -> dict[str, Any]:
    new_status = next_status(Action.CANCEL, Status(row["status"]), row["logistics_no"])
    new = _change(conn, row, {"status": new_status.value, "cancelled": True, "cancelled_at": now}, Action.CANCEL.value,
                  operator, now, {"origin": origin})
    hq_audit.after_hq_action(conn, row, Action.CANCEL, new_status.value, now)
    feed.add(new["station_code"], new["id"], "cancel")
    return new


def _one_order(conn: Connection, number: str) -> dict[str, Any]:
    number = number.strip()
    rows = conn.execute(
        select(HQ_ORDERS).where((HQ_ORDERS.c.logistics_no == number) | (HQ_ORDERS.c.waybill_no == number))
        .order_by(HQ_ORDERS.c.id).with_for_update()
    ).mappings().all()
    if not rows:
        raise DomainError("hq.no_such_order", ref=number)
    if len(rows) > 1:
        raise DomainError("hq.ambiguous", ref=number, n=len(rows), sources=", ".join(r["source"] for r in rows))
    return dict(rows[0])


def cancel(engine: Engine, number: str, now: datetime, operator: str = "channel") -> dict[str, Any]:
    """撤单 as the channel would: the order's station receives it in its feed."""
    with engine.begin() as conn:
        row = _one_order(conn, number)
        feed = _Feed()
        try:
            new = _cancel(conn, row, operator, now, "channel", feed)
        except IllegalTransition as exc:
            raise DomainError("hq.says", what=exc) from None
        feed.write(conn, now)
    return new


def dispatch(engine: Engine, number: str, to_code: str, now: datetime, operator: str = "电商总部") -> dict[str, Any]:
    """分件: head office moves an order to another station (or the data center). Both stations hear of it."""
    with engine.begin() as conn:
        directory = load_directory(conn)
        target = directory.find(to_code)
        if target is None:
            raise DomainError("hq.dispatch_unknown", code=to_code)
        row = _one_order(conn, number)
        if row["station_code"] == target.code:
            raise DomainError("hq.dispatch_same", ref=number, code=target.code)
        old_station = row["station_code"]
        status = next_status(Action.TRANSFER, Status(row["status"]), number)
        feed = _Feed()
        moved = _change(conn, row, {"status": status.value, "transferred_at": now, "transferred_to": target.code,
                                    "station_code": target.code}, Action.TRANSFER.value, operator, now,
                        {"origin": "hq", "to": target.code})
        hq_audit.after_hq_action(conn, row, Action.TRANSFER, status.value, now)
        feed.add(old_station, moved["id"], "moved_away", snapshot(moved))
        moved = _change(conn, moved, {"dispatch_time": now, "dispatch_operator": operator}, "dispatch", operator, now,
                        {"origin": "hq"})
        new = _route_to(conn, moved, target, directory, operator, now, {"origin": "hq"})
        feed.add(target.code, new["id"], "dispatch")
        feed.write(conn, now)
    return new
