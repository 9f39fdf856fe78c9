"""Finding orders and recording changes: order row + event + outbox op, in one transaction.

Written in Core SQL with executemany: a batch accept of 1,000 orders is three statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from stationdesk.domain.errors import DomainError, OrderNotFound
from stationdesk.domain.masking import mask_changes
from stationdesk.domain.reasons import Reason
from stationdesk.domain.statuses import Action, Status
from stationdesk.domain.wire import change_payload
from stationdesk.services import ledger
from stationdesk.services.lookup import OrderKey as OrderKey, find as find, order_ref as order_ref  # the use cases find orders here
from stationdesk.store.journal import Journal, to_json
from stationdesk.store.plumbing import IN_LIST_LIMIT, in_chunks
from stationdesk.store.rows import by_name
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import to_db


class ConcurrentChange(DomainError):
    """The order changed in another terminal between reading and writing it."""


@dataclass
class Change:
    """One change to one order: the new column values and what to write in the audit trail."""

    order: Mapping[str, Any]
    action: Action
    values: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


def find_many(conn: Connection, keys: Sequence[OrderKey]) -> list[Mapping[str, Any]]:
    """Every order named, in the order given; refuses the lot if any is missing or repeated."""
    ids = [k for k in keys if isinstance(k, int)]
    rows_by_id: dict[int, Mapping[str, Any]] = {}
    for chunk in in_chunks(ids):
        for found in conn.execute(select(ORDERS).where(ORDERS.c.id.in_(chunk))).mappings():
            rows_by_id[found["id"]] = by_name(found)
    out: list[Mapping[str, Any]] = []
    missing: list[str] = []
    for key in keys:
        if isinstance(key, int):
            row = rows_by_id.get(key)
            if row is None:
                missing.append(f"id {key}")
                continue
            out.append(row)
        else:
            out.append(find(conn, key))
    if missing:
        raise OrderNotFound("err.no_orders", refs=", ".join(missing[:10]))
    seen: set[int] = set()
    dupes: list[str] = []
    for r in out:
        if r["id"] in seen:
            dupes.append(order_ref(r))
        seen.add(r["id"])
    if dupes:
        raise DomainError("err.selected_twice", refs=", ".join(dupes[:10]))
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    return value


def apply_changes(conn: Connection, changes: Iterable[Change], operator: str, now: datetime, station_code: str) -> list[int]:
    """Write every change with its event and outbox op. Returns the event ids.

    Each order row is updated only if its version is still the one that was read, so a change
    made meanwhile by another terminal refuses the whole transaction instead of being lost.
    """
    changes = list(changes)
    if not changes:
        return []
    journal = Journal(conn, station_code)
    stamp = to_db(now)
    updates = []
    incurred: list[tuple[int, list[Any], int]] = []  # the violations each action incurs (domain/ledger.py)
    columns = None
    for ch in changes:
        row = ch.order
        version = row["version"] + 1
        values = {**ch.values, "version": version, "updated_at": now}
        if columns is None:
            columns = sorted(values)
        elif sorted(values) != columns:
            raise ValueError("a batch must change the same columns on every order")
        updates.append({**{f"v_{k}": v for k, v in values.items()}, "b_id": row["id"], "b_version": row["version"]})
        before = {k: _jsonable(row[k]) for k in ch.values if k in row and row[k] != ch.values[k]}
        after = {k: _jsonable(ch.values[k]) for k in before}
        fields = {k: [before[k], after[k]] for k in before}
        after_status = str(values.get("status", row["status"]))
        # The op carries the new value head office must apply; the old one is never needed there.
        payload = change_payload(ch.action.value, row, operator, stamp, after_status, ch.details,
                                 mask_changes(fields, keep_new=True))
        # The audit trail keeps personal data masked: the full number stays in the order row only.
        kept = {**ch.details, "changes": mask_changes(fields)}
        event_id = journal.add(
            row["id"], version, ch.action.value, operator, stamp, row["status"], after_status,
            to_json(kept), payload,
        )
        found = ledger.found_by(row, ch.action, after_status, now, ch.values.get("out_of_area"))
        if found and ch.action is Action.FAIL_ACCEPT and ch.details.get("reason") == Reason.DUPLICATE_ORDER.value:
            found = ledger.excused_if_flagged(conn, row["id"], found)
        if found:
            incurred.append((row["id"], found, event_id))
    assert columns is not None
    stmt = (
        ORDERS.update()
        .where(ORDERS.c.id == bindparam("b_id"), ORDERS.c.version == bindparam("b_version"))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )
    result = conn.execute(stmt, updates)
    if result.rowcount != len(updates):
        read = {ch.order["id"]: ch.order for ch in changes}
        ids = list(read)[:IN_LIST_LIMIT]
        now_versions = dict(conn.execute(select(ORDERS.c.id, ORDERS.c.version).where(ORDERS.c.id.in_(ids))).all())
        moved = [order_ref(read[i]) for i in ids if now_versions.get(i) != read[i]["version"] + 1]
        raise ConcurrentChange("err.concurrent", refs=", ".join(moved[:10]) or "?")
    journal.write()
    for order_id, found, event_id in incurred:  # in the action's transaction, after its event exists
        ledger.insert_found(conn, order_id, found, now, event_id)
    return [e[0] for e in journal.events]




def status_of(row: Mapping[str, Any]) -> Status:
    return Status(row["status"])
