"""The station's audit ledger (考核台账): recording violations with the action that incurs them,
reading them for reports, the F8 screen and `orders show`, and rebuilding them from history.

The rules are domain/ledger.py; this module only writes and reads their findings. A recorded row
is never deleted and never re-derived: only what head office sends back (a notice, a decision, a
refund) changes its state, and each such change is an event in the order's audit chain.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection

from stationdesk.domain import ledger
from stationdesk.domain.sla import ViolationKind
from stationdesk.domain.statuses import Action, Status
from stationdesk.store import reads
from stationdesk.store.duplicates import open_flag_of
from stationdesk.store.tables import VIOLATIONS
from stationdesk.store.values import from_db, to_db

_ACTIONS = {a.value: a for a in Action}


def found_by(row: Mapping[str, Any], action: Action, after_status: str, now: datetime,
             after_out_of_area: Any = None) -> list[ledger.Found]:
    """What the rules find when ``action`` is taken on ``row`` (the order as it was) at ``now``."""
    area = None if after_out_of_area is None else bool(after_out_of_area)
    return ledger.incurred(ledger.clocks(row), action, Status(after_status), now, area)


def excused_if_flagged(conn: Connection, order_id: int, found: list[ledger.Found]) -> list[ledger.Found]:
    """Failed as 重复下单: the late answer is excused when the flag came before the deadline."""
    flag = open_flag_of(conn, order_id)
    return ledger.excused_as_duplicate(found, flag["detected_at"] if flag else None)


def insert_found(conn: Connection, order_id: int, found: Sequence[ledger.Found], now: datetime,
                 event_id: int | None, state: ledger.State = ledger.State.PROVISIONAL) -> None:
    """Record violations; one already on the ledger (same order, station, kind, deadline) stays as it is."""
    if not found:
        return
    conn.execute(VIOLATIONS.insert().prefix_with("OR IGNORE"), [
        {"order_id": order_id, "station_code": f.station, "kind": f.kind.value, "fine": f.fine,
         "deadline": f.deadline, "at": f.at, "state": state.value, "recorded_at": now, "event_id": event_id}
        for f in found
    ])


# ---------------------------------------------------------------- reading


def as_json(v: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    """A violation as scripts see it: {kind, fine, state, station, deadline, at} (local times)."""
    from stationdesk.services.views import violation_json

    return violation_json(v, tz)


def _local(ts: datetime | None, tz: tzinfo) -> str | None:
    return ts.astimezone(tz).isoformat(timespec="seconds") if ts else None


def of_order(conn: Connection, order_id: int) -> list[dict[str, Any]]:
    """An order's recorded violations, oldest deadline first."""
    return reads.violations_of(conn, order_id)


def rows_between(conn: Connection, station: str, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """The station's violations whose deadline passed in [start, end), as plain tuples in
    REPORT_FIELDS' order, times still as stored text (the SQL is store.reads', which the light
    `report violations` runs on sqlite3 alone)."""
    return reads.violation_report_rows(conn, station, start, end)


REPORT_FIELDS = reads.VIOLATION_REPORT_FIELDS


def notices(conn: Connection) -> list[dict[str, Any]]:
    """The penalty notices head office sent this station, newest first."""
    return reads.notices(conn)


# ---------------------------------------------------------------- history: the migration and `check`


# The times the rules read (domain/ledger.py: clocks); the other stored times are left as text.
_RULE_TIMES = frozenset({"order_time", "dispatch_time", "transferred_at", "transfer_clock_at"})


def _typed(row: dict[str, Any], changes: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The row's stored times the rules read as datetimes: all of them, or those ``changes`` name."""
    keys = _RULE_TIMES if changes is None else _RULE_TIMES.intersection(k for c in changes for k in c)
    for k in keys:
        if isinstance(row.get(k), str):
            row[k] = from_db(row[k])
    return row


def replay(conn: sqlite3.Connection, from_id: int = 0, orders_of: tuple[str, tuple[Any, ...]] | None = None
           ) -> Iterator[tuple[int, int, ledger.Found]]:
    """Every violation the station's own actions incurred, found again from each order's history:
    (order id, event id, finding). The order is walked back from its current row by undoing each
    event's recorded changes, then forward through the rules, event by event.

    Orders from ``from_id`` on, or only those whose ids the query ``orders_of`` (SQL, arguments)
    selects (`check --quick`: the orders touched since the last check)."""
    home = (conn.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone() or [None])[0]
    where, args = (f"IN ({orders_of[0]})", orders_of[1]) if orders_of else (">= ?", (from_id,))
    conn_rows = conn.execute(f"SELECT * FROM orders WHERE id {where} ORDER BY id", args)
    names = [d[0] for d in conn_rows.description]
    events = conn.execute("SELECT order_id, id, action, at, after_status, details, before_status FROM order_event"
                          f" WHERE order_id {where} ORDER BY order_id, version", args)
    pending = next(events, None)
    for values in conn_rows:
        row = dict(zip(names, values, strict=True))
        history = []
        while pending is not None and pending[0] < row["id"]:
            pending = next(events, None)
        while pending is not None and pending[0] == row["id"]:
            history.append(pending)
            pending = next(events, None)
        yield from found_in_history(home, row, history)


def found_in_history(home: str | None, row: dict[str, Any], history: Sequence[tuple[Any, ...]]
                     ) -> Iterator[tuple[int, int, ledger.Found]]:
    """What the rules find in one order's history: ``row`` is the order as it is now (stored text
    times or datetimes), ``history`` its events oldest first as (order_id, event id, action, at,
    after_status, details JSON, before_status). `check` replays stored orders with it; the seed
    writes the ledger of the history it generates with it, so the two cannot disagree."""
    if len(history) < 2:
        return  # only the import: nothing was done to it here
    # most events change no field (an accept, a scan): their details are not parsed at all
    changes = [json.loads(e[5]).get("changes") or {} if '"changes"' in e[5] else {} for e in history[1:]]
    # states[i] is the order before history[i + 1]; its times typed once, then only what changes brought
    states = ledger.states_before(_typed(dict(row)), changes)
    for i, (state, event) in enumerate(zip(states, history[1:], strict=True)):
        action = _ACTIONS.get(event[2])
        if action is None:
            continue  # a change received from head office: head office keeps that ledger
        before = _typed(state, changes[i:]) if any(changes[i:]) else state
        # every action event in a station's file is that station's, from the status it records
        before["status"] = event[6] or before["status"]
        before["station_code"] = home or before["station_code"]
        area = (changes[i].get("out_of_area") or [None, None])[1]
        at = event[3] if isinstance(event[3], datetime) else from_db(event[3])
        for f in found_by(before, action, event[4], at, area):
            yield row["id"], event[1], f


# The orders a quick check replays: those with an event or a ledger row added after a position.
TOUCHED_SINCE = ("SELECT order_id FROM order_event WHERE id > ? UNION SELECT order_id FROM violation WHERE id > ?")


def disagreements(conn: sqlite3.Connection, limit: int = 20, since: tuple[int, int] | None = None) -> list[str]:
    """Where the ledger and the history disagree: a violation the history shows that the ledger
    lacks, or a ledger row said to come from an event whose history does not show it.

    ``since`` (event id, violation id): only the orders with an event or a ledger row added after them."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'violation'").fetchone() is None:
        return []  # a database from before the ledger: the migration builds it
    orders_of = (TOUCHED_SINCE, since) if since is not None else None
    where, args = (f" AND order_id IN ({TOUCHED_SINCE})", since) if since is not None else ("", ())
    expected = {}
    for order_id, event_id, f in replay(conn, orders_of=orders_of):
        expected[(order_id, f.station, f.kind.value, to_db(f.deadline))] = (event_id, f)
    recorded = {(r[0], r[1], r[2], r[3]): r[4] for r in conn.execute(
        f"SELECT order_id, station_code, kind, deadline, event_id FROM violation WHERE event_id IS NOT NULL{where}",
        args)}
    all_keys = {(r[0], r[1], r[2], r[3]) for r in conn.execute(
        f"SELECT order_id, station_code, kind, deadline FROM violation WHERE 1{where}", args)}
    numbers: dict[int, str] = {}
    out = []
    for key in sorted(set(expected) - all_keys)[:limit]:
        numbers.setdefault(key[0], _number(conn, key[0]))
        out.append(f"订单 {numbers[key[0]]}: 历史显示「{ViolationKind(key[2]).label}」(期限 {key[3]}), 考核台账没有")
    for key in sorted(set(recorded) - set(expected))[: max(0, limit - len(out))]:
        numbers.setdefault(key[0], _number(conn, key[0]))
        out.append(f"订单 {numbers[key[0]]}: 考核台账有「{ViolationKind(key[2]).label}」(期限 {key[3]}), 历史不支持")
    return out


def _number(conn: sqlite3.Connection, order_id: int) -> str:
    r = conn.execute("SELECT logistics_no FROM orders WHERE id = ?", (order_id,)).fetchone()
    return r[0] if r else f"id {order_id}"


def rebuild(conn: sqlite3.Connection, now: datetime, from_id: int = 0) -> int:
    """Write the ledger from history (the migration, once; or for orders written in bulk from
    ``from_id`` on). Returns the rows written."""
    stamp = to_db(now)
    n = 0
    for order_id, event_id, f in list(replay(conn, from_id)):
        n += conn.execute(
            "INSERT OR IGNORE INTO violation (order_id, station_code, kind, fine, deadline, at, state, recorded_at,"
            " event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (order_id, f.station, f.kind.value, f.fine, to_db(f.deadline), to_db(f.at) if f.at else None,
             ledger.State.PROVISIONAL.value, stamp, event_id),
        ).rowcount
    return n
