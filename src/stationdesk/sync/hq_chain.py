"""Head office holds every station's audit chain and checks what stations send against it.

A push carries the chain links of the events behind its ops. Head office recomputes each link from
its content and the link before it (domain/chain.py), refuses a link that differs from one it
already holds, and checks each op against the event it claims to come from (action, version,
operator, time, statuses, changed fields). At the start of every sync the station shows its chain
hash at the last position head office acknowledged; a rewritten history no longer matches there.
Everything here runs inside the caller's transaction, with the station's push cursor locked.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from stationdesk.domain import wire
from stationdesk.domain.masking import mask_changes
from stationdesk.domain.chain import GENESIS, account_content, event_content, link
from stationdesk.domain.words import Words
from stationdesk.store.rows import by_name
from stationdesk.sync.hq_schema import HQError
from stationdesk.sync.hq_tables import HQ_ACCOUNT_CHAIN, HQ_CHAIN, HQ_OPS, HQ_ORDERS
from stationdesk.sync.protocol import AccountLink, AccountState, ChainLink, ChainPoint, Op


class ChainError(HQError):
    """The station's chain or an op disagrees with what head office holds; ``event_id`` is the first
    event that differs."""

    def __init__(self, message: str, event_id: int | None, kind: str = "events") -> None:
        super().__init__(message)
        self.event_id, self.kind = event_id, kind


def _live(station: str, table: Any = HQ_CHAIN) -> Any:
    """The station's current links (re-base 0; superseded ones carry the number of their re-base)."""
    return and_(table.c.station_code == station, table.c.rebase == 0)


def _kind(table: Any) -> str:
    return "accounts" if table is HQ_ACCOUNT_CHAIN else "events"


def _content(table: Any, x: Any) -> str:
    return (account_content if table is HQ_ACCOUNT_CHAIN else event_content)(*x.content())


def _row(table: Any, station: str, x: Any) -> dict[str, Any]:
    if table is HQ_ACCOUNT_CHAIN:
        return {"station_code": station, "rebase": 0, **x.model_dump()}
    return {"station_code": station, "event_id": x.event_id, "rebase": 0, "order_id": x.order_id,
            "version": x.version, "action": x.action, "operator": x.operator, "at": x.at, "before_status": x.before,
            "after_status": x.after, "details": x.details, "chain": x.chain}


def head(conn: Connection, station: str, table: Any = HQ_CHAIN) -> ChainPoint | None:
    row = conn.execute(select(table.c.event_id, table.c.chain).where(_live(station, table))
                       .order_by(table.c.event_id.desc()).limit(1)).first()
    return ChainPoint(event_id=row.event_id, chain=row.chain) if row else None


def _stored(conn: Connection, station: str, first: int, last: int, table: Any = HQ_CHAIN) -> dict[int, Mapping[str, Any]]:
    rows = conn.execute(select(table).where(_live(station, table), table.c.event_id.between(first, last))).mappings()
    return {r["event_id"]: by_name(r) for r in rows}


def verify_point(conn: Connection, station: str, point: ChainPoint | None, table: Any = HQ_CHAIN) -> None:
    """The station's chain where head office last acknowledged it must be the one head office holds."""
    if point is None:
        return
    what = Words("chain.accounts") if table is HQ_ACCOUNT_CHAIN else Words("chain.events")
    row = conn.execute(select(table.c.chain).where(_live(station, table), table.c.event_id == point.event_id)).first()
    if row is None:
        raise ChainError(Words("chain.no_link", station=station, what=what, event=point.event_id), point.event_id, _kind(table))
    if row.chain != point.chain:
        raise ChainError(Words("chain.rewritten", station=station, what=what, event=point.event_id), point.event_id,
                         _kind(table))


def compare(conn: Connection, station: str, first: int, hashes: Sequence[str], table: Any = HQ_CHAIN) -> int | None:
    """The first event from ``first`` on whose hash differs from head office's, or None."""
    if not hashes:
        return None
    stored = _stored(conn, station, first, first + len(hashes) - 1, table)
    for i, h in enumerate(hashes):
        row = stored.get(first + i)
        if row is None:
            return None  # head office holds nothing past here: nothing more to compare
        if row["chain"] != h:
            return first + i
    return None


def take_links(conn: Connection, station: str, links: Sequence[Any],
               table: Any = HQ_CHAIN) -> tuple[dict[int, Any], ChainPoint | None]:
    """Store new links after checking each one; links head office holds already must be identical.
    Returns every link the batch named, by event id, and the station's chain head after them."""
    out: dict[int, Any] = {}
    if not links:
        return out, head(conn, station, table)
    what = Words("chain.accounts") if table is HQ_ACCOUNT_CHAIN else Words("chain.events")
    links = sorted(links, key=lambda x: x.event_id)
    for a, b in itertools.pairwise(links):
        if b.event_id != a.event_id + 1:
            raise ChainError(Words("chain.gap", station=station, what=what, event=a.event_id + 1), a.event_id + 1,
                             _kind(table))
    top = head(conn, station, table)
    stored = _stored(conn, station, links[0].event_id, links[-1].event_id, table) if top else {}
    previous = None
    rows = []
    for x in links:
        if top is not None and x.event_id <= top.event_id:
            row = stored.get(x.event_id)
            if row is None or row["chain"] != x.chain:
                raise ChainError(Words("chain.changed", station=station, what=what, event=x.event_id), x.event_id, _kind(table))
            out[x.event_id] = x
            previous = x.chain
            continue
        if previous is None:
            expected = (top.event_id + 1) if top else 1
            if x.event_id != expected:
                raise ChainError(Words("chain.resume", station=station, what=what, expected=expected, event=x.event_id), expected,
                                 _kind(table))
            previous = top.chain if top else GENESIS
        if link(previous, _content(table, x)) != x.chain:
            raise ChainError(Words("chain.hash", station=station, what=what, event=x.event_id, label=_label(x)), x.event_id,
                             _kind(table))
        rows.append(_row(table, station, x))
        out[x.event_id] = x
        previous = x.chain
    if rows:
        from stationdesk.sync.hq import bulk_insert

        bulk_insert(conn, table, rows)
    last = links[-1]
    if top is not None and top.event_id > last.event_id:
        return out, top
    return out, ChainPoint(event_id=last.event_id, chain=last.chain)


def _label(x: Any) -> Words:
    if isinstance(x, AccountLink):
        return Words("chain.label_account", name=x.name, action=x.action)
    return Words("chain.label_event", order=x.order_id, version=x.version, action=x.action)


def check_accounts(conn: Connection, station: str, operators: Sequence[AccountState]) -> None:
    """The station's operator rows must be what its accounts chain, as head office holds it, says."""
    last: dict[str, Mapping[str, Any]] = {}
    for entry in conn.execute(select(HQ_ACCOUNT_CHAIN).where(_live(station, HQ_ACCOUNT_CHAIN))
                              .order_by(HQ_ACCOUNT_CHAIN.c.event_id)).mappings():
        last[entry["name"]] = by_name(entry)
    seen = set()
    for o in sorted(operators, key=lambda o: o.name):
        seen.add(o.name)
        row = last.get(o.name)
        if row is None:
            raise ChainError(Words("chain.account_unknown", station=station, name=o.name), None, "accounts")
        if (o.role, o.disabled, o.secret) != (row["role"], row["disabled"], row["secret"]):
            what = "role" if o.role != row["role"] else "disabled" if o.disabled != row["disabled"] else "password"
            raise ChainError(Words("chain.account_differs", station=station, name=o.name, what=Words(f"accounts.{what}"),
                                   event=row["event_id"]), row["event_id"], "accounts")
    for name, row in last.items():
        if name not in seen:
            raise ChainError(Words("chain.account_deleted", station=station, name=name, event=row["event_id"]), row["event_id"],
                             "accounts")


def check_ops(conn: Connection, station: str, ops: Sequence[tuple[Op, wire.Payload]], links: dict[int, Any]) -> None:
    """Each op (with its payload as read) must say what its chained event says; the first that does not is named."""
    missing = sorted({o.event_id for o, _ in ops} - set(links))
    if missing:
        for eid, row in _stored(conn, station, missing[0], missing[-1]).items():
            links[eid] = ChainLink(event_id=eid, order_id=row["order_id"], version=row["version"],
                                   action=row["action"], operator=row["operator"], at=row["at"],
                                   before=row["before_status"], after=row["after_status"], details=row["details"],
                                   chain=row["chain"])
    for o, payload in ops:
        x = links.get(o.event_id)
        if x is None:
            raise ChainError(Words("chain.op_no_link", station=station, seq=o.seq, event=o.event_id), o.event_id)
        why = _differs(o, payload, x)
        if why:
            raise ChainError(Words("chain.op_differs", station=station, seq=o.seq, op=o.op_id, why=why, event=o.event_id),
                             o.event_id)


def _differs(o: Op, p: wire.Payload, x: ChainLink) -> str | None:
    if o.action != x.action:
        return f"action '{o.action}' != '{x.action}'"
    if o.order_version != x.version:
        return f"order version {o.order_version} != {x.version}"
    if p.operator != x.operator:
        return f"operator '{p.operator}' != '{x.operator}'"
    if p.after_status != x.after:
        return f"after_status '{p.after_status}' != '{x.after}'"
    if o.action == "import":
        return None
    if p.at != x.at:
        return f"time '{p.at}' != '{x.at}'"
    if p.before_status != x.before:
        return f"before_status '{p.before_status}' != '{x.before}'"
    try:
        chained = json.loads(x.details).get("changes") or {}
    except (ValueError, AttributeError):
        return "event details unreadable"
    # the op carries a new phone whole for head office's copy; its event keeps it masked
    if not isinstance(chained, dict) or mask_changes(p.changes) != mask_changes(chained):
        return "changed fields differ"
    return None


def supersede(conn: Connection, station: str, after: int, now: datetime, table: Any = HQ_CHAIN) -> int:
    """A re-base: the links after ``after`` are kept, marked superseded and numbered by re-base; the
    chain goes on from there (live links are always re-base 0, so a push never counts re-bases)."""
    number = conn.execute(select(func.coalesce(func.max(table.c.rebase), 0) + 1)
                          .where(table.c.station_code == station)).scalar_one()
    return conn.execute(update(table).where(_live(station, table), table.c.event_id > after)
                        .values(superseded_at=now, rebase=number)).rowcount


def ops_after(conn: Connection, station: str, after: int, limit: int) -> list[dict[str, Any]]:
    """The ops head office applied for the station after seq ``after``, with their orders as they are now."""
    from stationdesk.sync.hq import snapshot

    rows = conn.execute(select(HQ_OPS.c.op_id, HQ_OPS.c.seq, HQ_OPS.c.action, HQ_OPS.c.result, HQ_OPS.c.order_id)
                        .where(HQ_OPS.c.station_code == station, HQ_OPS.c.seq > after)
                        .order_by(HQ_OPS.c.seq).limit(limit)).mappings().all()
    ids = sorted({r["order_id"] for r in rows if r["order_id"] is not None})
    orders = {}
    if ids:
        for o in conn.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.id.in_(ids))).mappings():
            orders[o["id"]] = snapshot(by_name(o))
    return [{"op_id": r["op_id"], "seq": r["seq"], "action": r["action"], "result": r["result"],
             "snapshot": orders.get(r["order_id"])} for r in rows]
