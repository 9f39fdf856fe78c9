"""Reads written once, as SQL text, and run on the sqlite3 connection itself.

Two kinds of caller share them. The store runs them on the driver connection beneath its
SQLAlchemy connection, inside that connection's transaction. A command that only reads (`orders
show`, `orders list`, `alerts check`, `report unscanned`, `report violations`, `notices`) runs them on a ReadOnlyFile,
the standard library's sqlite3 alone: loading SQLAlchemy and SQLModel costs a person at a shell
several times what the read itself costs. Either way the SQL is the text below and the values come
back as the store's column types give them (times as aware UTC datetimes, flags as bools), so the
two paths cannot drift apart.

Nothing here imports SQLAlchemy; a test runs each light command in a new process and checks it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stationdesk.domain.routing import Directory, Station, StationKind
from stationdesk.domain.sla import ACCEPT_LIMIT, HQ_DISPATCH_PREFIX
from stationdesk.domain.sources import source_names
from stationdesk.domain.statuses import Status
from stationdesk.store.errors import translate
from stationdesk.store.migrations import SCHEMA_HEAD
from stationdesk.store.plumbing import driver as driver  # re-exported: the store reaches sqlite3 through reads
from stationdesk.store.plumbing import in_chunks, read_meta
from stationdesk.store.values import Cursor, OrderFilter, WaitingCounts, to_db

# The station's columns stored as time text or as 0/1 flags, by name (no name is one in one table
# and another thing in another: a test holds these to store.tables).
TIME_COLUMNS = frozenset({
    "accept_failed_at", "accepted_at", "acked_at", "appeal_deadline", "appeal_until", "appealed_at", "at",
    "cancelled_at", "cleared_at", "closed_at", "contacted_at", "created_at", "deadline", "decided_at",
    "detected_at", "dispatch_time", "ended_at", "issued_at", "last_seen_at", "locked_until", "order_time",
    "picked_up_at", "pickup_failed_at", "pushed_at", "received_at", "recorded_at", "reported_at", "resolved_at",
    "scanned_at", "started_at", "transfer_clock_at", "transferred_at", "updated_at",
})
BOOL_COLUMNS = frozenset({"cancel_handled", "cancelled", "disabled", "out_of_area", "supplementary"})


# ---------------------------------------------------------------- running SQL text


def _bind(params: Mapping[str, Any] | Sequence[Any]) -> Any:
    if isinstance(params, Mapping):
        return {k: to_db(v) if isinstance(v, datetime) else v for k, v in params.items()}
    return [to_db(v) if isinstance(v, datetime) else v for v in params]


def _kinds(description: Any, times: frozenset[str]) -> list[tuple[str, int]]:
    return [(d[0], 2 if d[0] in times else 1 if d[0] in BOOL_COLUMNS else 0) for d in description]


def iterate(conn: Any, sql: str, params: Mapping[str, Any] | Sequence[Any] = (), *,
            times: frozenset[str] = TIME_COLUMNS) -> Iterator[dict[str, Any]]:
    """The rows of ``sql`` as dicts, converted by column name, fetched as they are read.
    Datetime parameters are bound as stored text; ``times`` names the columns read as times."""
    cur = driver(conn).execute(sql, _bind(params))
    kinds = _kinds(cur.description, times)
    while chunk := cur.fetchmany(1000):
        for values in chunk:
            row: dict[str, Any] = {}
            for (name, kind), value in zip(kinds, values, strict=True):
                if value is not None and kind:
                    value = datetime.fromisoformat(value) if kind == 2 else bool(value)
                row[name] = value
            yield row


def fetch(conn: Any, sql: str, params: Mapping[str, Any] | Sequence[Any] = (), *,
          times: frozenset[str] = TIME_COLUMNS) -> list[dict[str, Any]]:
    """Every row of ``sql`` (see iterate)."""
    return list(iterate(conn, sql, params, times=times))


def scalar(conn: Any, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()) -> Any:
    row = driver(conn).execute(sql, _bind(params)).fetchone()
    return row[0] if row else None


class ReadOnlyFile:
    """A station database opened for reading only, with sqlite3 alone: what a command that only
    reads needs of store.engine.Database (``path``, ``read()``, ``dispose()``)."""

    BUSY_TIMEOUT_MS = 10_000  # the engine's: a reader waits as long as a writer would

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            # mode=rw: never create a file; query_only: this path never writes, not even by mistake
            self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None,
                                         check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout = {self.BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA query_only = 1")
        except sqlite3.OperationalError as exc:
            raise translate(exc, self.path, self.BUSY_TIMEOUT_MS) from exc

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One consistent read snapshot."""
        try:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise translate(exc, self.path, self.BUSY_TIMEOUT_MS) from exc

    def dispose(self) -> None:
        self._conn.close()


# ---------------------------------------------------------------- the station


def schema_version(conn: Any) -> str | None:
    """The schema revision of the file (alembic's version table), or None when there is none."""
    if scalar(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'") is None:
        return None
    version: str | None = scalar(conn, "SELECT version_num FROM alembic_version")
    return version


def at_head(conn: Any) -> bool:
    return schema_version(conn) == SCHEMA_HEAD


def has_statistics(conn: Any) -> bool:
    return scalar(conn, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'") is not None


def order_count_bound(conn: Any) -> int:
    """The highest order id: how big the file is, read off the primary key."""
    return scalar(conn, "SELECT max(id) FROM orders") or 0


meta = read_meta  # the name the read path has always called it by


def directory(conn: Any) -> Directory:
    """The station directory as stored."""
    return Directory([
        Station(code, name, province, frozenset(d for d in districts.split(";") if d), StationKind(kind))
        for code, name, province, districts, kind in driver(conn).execute(
            "SELECT code, name, province, districts, kind FROM station")
    ])


def accounts_exist(conn: Any) -> bool:
    """Whether any operator account exists (with none the station is in open mode)."""
    return scalar(conn, "SELECT 1 FROM operator LIMIT 1") is not None


# ---------------------------------------------------------------- orders

ORDER_BY_NUMBER = "SELECT * FROM orders WHERE logistics_no = ?1 OR waybill_no = ?1"  # two indexes, one statement
ORDER_BY_ID = "SELECT * FROM orders WHERE id = ?"


def orders_by_number(conn: Any, number: str) -> list[dict[str, Any]]:
    """The orders ``number`` names: those with it as logistics number, else those with it as waybill."""
    rows = fetch(conn, ORDER_BY_NUMBER, (number,))
    if len(rows) > 1:
        by_logistics = [r for r in rows if r["logistics_no"] == number]
        rows = sorted(by_logistics or rows, key=lambda r: r["id"])
    return rows


def order_by_id(conn: Any, order_id: int) -> dict[str, Any] | None:
    rows = fetch(conn, ORDER_BY_ID, (order_id,))
    return rows[0] if rows else None


def orders_with_logistics_nos(conn: Any, numbers: Sequence[str]) -> list[dict[str, Any]]:
    """Every order whose logistics number is one of ``numbers`` (any count: asked in chunks)."""
    out: list[dict[str, Any]] = []
    for chunk in in_chunks(list(numbers)):
        out += fetch(conn, f"SELECT * FROM orders WHERE logistics_no IN ({', '.join('?' * len(chunk))})", chunk)
    return out


def events_of(conn: Any, order_id: int) -> list[dict[str, Any]]:
    """An order's full history, oldest first."""
    return fetch(conn, "SELECT * FROM order_event WHERE order_id = ? ORDER BY version", (order_id,))


def violations_of(conn: Any, order_id: int) -> list[dict[str, Any]]:
    """An order's recorded violations (考核台账), oldest deadline first."""
    return fetch(conn, "SELECT * FROM violation WHERE order_id = ? ORDER BY deadline, id", (order_id,))


def duplicate_links(conn: Any, order_ids: Sequence[int]) -> dict[int, str]:
    """{order id: the earlier order's logistics number} for the ids with an open 重复下单? flag."""
    out: dict[int, str] = {}
    for chunk in in_chunks(list(order_ids)):
        sql = ("SELECT d.order_id, earlier.logistics_no FROM order_duplicate d"
               " JOIN orders earlier ON earlier.id = d.duplicate_of"
               f" WHERE d.order_id IN ({', '.join('?' * len(chunk))}) AND d.cleared_at IS NULL")
        out.update(dict(driver(conn).execute(sql, chunk).fetchall()))
    return out


PREFIX_FROM = 4  # characters typed before a number also matches as a prefix (fewer: exact only)
MAX_CASE_LETTERS = 6  # letters whose every upper/lower case spelling is tried; past that, as typed/upper/lower


def number_spellings(number: str) -> list[str]:
    """Every upper/lower case spelling of ``number`` ('kd01' -> KD01, Kd01, kD01, kd01): numbers are
    stored as the channel writes them (LP.., wx.., ali..), a clerk types them in any case."""
    letters = [i for i, ch in enumerate(number) if ch.lower() != ch.upper()]
    if len(letters) > MAX_CASE_LETTERS:
        return list(dict.fromkeys([number, number.upper(), number.lower()]))
    out = []
    for mask in range(1 << len(letters)):
        chars = list(number.lower())
        for bit, i in enumerate(letters):
            if mask >> bit & 1:
                chars[i] = chars[i].upper()
        out.append("".join(chars))
    return out


def _after_prefix(prefix: str) -> str:
    """The first string past every string that starts with ``prefix`` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _number_condition(number: str, params: dict[str, Any]) -> str:
    """Logistics or waybill number equal to ``number`` in any case, or (from PREFIX_FROM characters)
    starting with it: each spelling is an index range on both number columns, so the lookup stays a
    few index seeks on a million orders."""
    terms = []
    for i, spelling in enumerate(number_spellings(number)):
        params[f"number_{i}"] = spelling
        if len(number) >= PREFIX_FROM:
            params[f"number_{i}_end"] = _after_prefix(spelling)
            terms += [f"orders.logistics_no >= :number_{i} AND orders.logistics_no < :number_{i}_end",
                      f"orders.waybill_no >= :number_{i} AND orders.waybill_no < :number_{i}_end"]
        else:
            terms += [f"orders.logistics_no = :number_{i}", f"orders.waybill_no = :number_{i}"]
    return " OR ".join(f"({t})" for t in terms)


def _in_list(column: str, name: str, values: Sequence[Any], params: dict[str, Any]) -> str:
    names = []
    for i, value in enumerate(values):
        params[f"{name}_{i}"] = value
        names.append(f":{name}_{i}")
    return f"orders.{column} IN ({', '.join(names)})"


def order_conditions(f: OrderFilter) -> tuple[list[str], dict[str, Any]]:
    """The conditions of ``f`` as SQL text with named parameters, and their values (times as
    stored text). The text depends on which filters are set and how many values a list holds,
    never on the values, so a statement built from it is prepared once per shape."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    if f.number:
        conds.append(f"({_number_condition(f.number.strip(), params)})")
    if f.start is not None:
        conds.append("orders.order_time >= :start")
        params["start"] = to_db(f.start)
    if f.end is not None:
        conds.append("orders.order_time < :end")
        params["end"] = to_db(f.end)
    if f.statuses:
        conds.append(_in_list("status", "statuses", list(f.statuses), params))
    if f.cancel == "unhandled":
        conds += ["orders.cancelled IS 1", "orders.cancel_handled IS 0"]
    elif f.cancel == "handled":
        conds += ["orders.cancelled IS 1", "orders.cancel_handled IS 1"]
    if f.source:
        # a name or a code (LP, wx, ...): one code may name several sources
        conds.append(_in_list("source", "source", list(source_names(f.source)), params))
    if f.awaiting_waybill:
        # 在线下单 confirmed without a waybill: listed until the number is given
        conds += ["orders.status = :awaiting_waybill", "orders.waybill_no IS NULL"]
        params["awaiting_waybill"] = Status.PICKED_UP.value
    for name in ("channel", "business_type"):
        if getattr(f, name):
            conds.append(f"orders.{name} = :{name}")
            params[name] = getattr(f, name)
    if f.out_of_area is not None:
        conds.append("orders.out_of_area = :out_of_area")
        params["out_of_area"] = 1 if f.out_of_area else 0
    return conds, params


def stream(conn: Any, f: OrderFilter, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Every match of ``f`` in (order_time, id) order, fetched in chunks (a million rows never sit
    in memory at once)."""
    conds, params = order_conditions(f)
    sql = "SELECT * FROM orders" + (f" WHERE {' AND '.join(conds)}" if conds else "") + " ORDER BY order_time, id"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return iterate(conn, sql, params)



# ---------------------------------------------------------------- a list's pages (keyset seeks)


def _where(conds: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conds)}" if conds else ""


# The cursor's side of a page: the plain bound first lets the order_time index seek straight to the
# cursor; behind the OR alone SQLite may walk the index from its far end to the cursor first.
_AFTER = "(orders.order_time > :cursor_time OR (orders.order_time = :cursor_time AND orders.id > :cursor_id))"
_BEFORE = ("orders.order_time <= :cursor_time AND (orders.order_time < :cursor_time OR"
           " (orders.order_time = :cursor_time AND orders.id < :cursor_id))")
_ASC, _DESC = "ORDER BY orders.order_time, orders.id", "ORDER BY orders.order_time DESC, orders.id DESC"


def page(conn: Any, f: OrderFilter, *, after: Cursor | None = None, before: Cursor | None = None,
         limit: int = 50) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of ``f`` in (order_time, id) order, after or before a cursor (keyset
    paging: page 20,000 of a million orders costs what page 1 does)."""
    # The cursor's time replaces the filter's bound on that side, so the order_time index seeks
    # straight to the cursor; with both bounds SQLite may seek from the filter's and scan up to it.
    cursor = before if before is not None else after
    if before is not None and (f.end is None or before.order_time < f.end):
        f = f.with_(end=None)
    elif after is not None and (f.start is None or after.order_time >= f.start):
        f = f.with_(start=after.order_time)
    conds, params = order_conditions(f)
    if cursor is not None:
        conds.append(_BEFORE if before is not None else _AFTER)
        params.update(cursor_time=to_db(cursor.order_time), cursor_id=cursor.id)
    params["limit"] = limit
    sql = f"SELECT * FROM orders{_where(conds)} {_DESC if before is not None else _ASC} LIMIT :limit"
    rows = fetch(conn, sql, params)
    return rows[::-1] if before is not None else rows


def last_page(conn: Any, f: OrderFilter, limit: int = 50) -> list[dict[str, Any]]:
    """The last ``limit`` rows of ``f``, in (order_time, id) order."""
    conds, params = order_conditions(f)
    params["limit"] = limit
    return fetch(conn, f"SELECT * FROM orders{_where(conds)} {_DESC} LIMIT :limit", params)[::-1]


def count(conn: Any, f: OrderFilter, cap: int | None = None) -> int:
    """How many orders match; with ``cap``, counting stops at cap + 1 (read it as "more than cap").

    An exact count of a week at a big station walks half a million rows (a second or two); a list
    heading needs only to know it is more than a person will page through."""
    conds, params = order_conditions(f)
    if cap is None:
        return int(scalar(conn, f"SELECT count(*) FROM orders{_where(conds)}", params))
    params["cap"] = cap + 1
    return int(scalar(conn, f"SELECT count(*) FROM (SELECT orders.id FROM orders{_where(conds)} LIMIT :cap)", params))


def count_before(conn: Any, f: OrderFilter, cursor: Cursor, cap: int) -> int:
    """How many orders of ``f`` come before ``cursor`` in (order_time, id) order, counting up to
    cap + 1: a list's row number, read off the same index seek as its page."""
    conds, params = order_conditions(f.with_(end=None) if f.end is not None and cursor.order_time < f.end else f)
    conds.append(_BEFORE)
    params.update(cursor_time=to_db(cursor.order_time), cursor_id=cursor.id, cap=cap + 1)
    return int(scalar(conn, f"SELECT count(*) FROM (SELECT orders.id FROM orders{_where(conds)} {_DESC} LIMIT :cap)",
                      params))


FILTER_COLUMNS = frozenset({"source", "business_type", "channel"})  # the pick lists' columns


def distinct_values(conn: Any, column: str) -> list[str]:
    """The values in use for a filter column (sources, business types), for pick lists."""
    if column not in FILTER_COLUMNS:
        raise ValueError(f"not a filter column: {column}")
    return [v for (v,) in driver(conn).execute(f"SELECT DISTINCT {column} FROM orders ORDER BY {column}") if v]

# ---------------------------------------------------------------- waiting orders (the alert)

# When an order's 30-minute accept clock started: the HQ dispatch (分件) time when an 电商**
# operator dispatched it, else the order time (the rule of domain/sla.py, as SQL). The same text
# is the expression of the index ix_orders_waiting_clock (store/tables.py, migration 0009), which
# holds the waiting orders only (WAITING_ONLY): the alert's counts and its most urgent orders are
# read from that index, and never from the table's rows, however many orders wait. SQLite uses an
# index on an expression only for the very same expression, so both are written here once, and the
# queries name the index (INDEXED BY): on a small file without statistics the planner would take
# another, and a query the index cannot answer is an error, not a slow scan.
ACCEPT_CLOCK_START = (
    "CASE WHEN dispatch_time IS NOT NULL AND dispatch_operator LIKE "
    f"'{HQ_DISPATCH_PREFIX.replace(chr(39), chr(39) * 2)}%' THEN dispatch_time ELSE order_time END"
)
WAITING_ONLY = f"status = '{Status.WAITING.value}'"  # the index's WHERE, written in the queries as it is
_WAITING_FROM = f"FROM orders INDEXED BY ix_orders_waiting_clock WHERE {WAITING_ONLY}"


def waiting_counts(conn: Any, now: datetime, soon: timedelta = timedelta(minutes=10)) -> WaitingCounts:
    """Orders waiting for acceptance: all, past the 30-min deadline, and due within ``soon``."""
    start, waiting = ACCEPT_CLOCK_START, _WAITING_FROM
    row = driver(conn).execute(
        f"SELECT (SELECT count(*) {waiting}), (SELECT count(*) {waiting} AND ({start}) < :overdue),"
        f" (SELECT count(*) {waiting} AND ({start}) >= :overdue AND ({start}) < :soon)",
        {"overdue": to_db(now - ACCEPT_LIMIT), "soon": to_db(now - ACCEPT_LIMIT + soon)},
    ).fetchone()
    return WaitingCounts(int(row[0]), int(row[1]), int(row[2]))


def waiting_by_clock(conn: Any, *, after: datetime | None = None, before: datetime | None = None,
                     limit: int) -> list[tuple[int, str, datetime, datetime]]:
    """Waiting orders by when their accept clock started (clock start in [after, before)), earliest
    first: (id, logistics no., order time, clock start)."""
    sql = [f"SELECT id, logistics_no, order_time, {ACCEPT_CLOCK_START} AS clock_start {_WAITING_FROM}"]
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        sql.append(f"AND ({ACCEPT_CLOCK_START}) >= :after")
        params["after"] = after
    if before is not None:
        sql.append(f"AND ({ACCEPT_CLOCK_START}) < :before")
        params["before"] = before
    sql.append(f"ORDER BY {ACCEPT_CLOCK_START}, id LIMIT :limit")
    rows = iterate(conn, " ".join(sql), params, times=TIME_COLUMNS | {"clock_start"})
    return [(r["id"], r["logistics_no"], r["order_time"], r["clock_start"]) for r in rows]


# ---------------------------------------------------------------- 处罚通知


def notices(conn: Any) -> list[dict[str, Any]]:
    """The penalty notices head office sent this station, newest first."""
    return fetch(conn, "SELECT * FROM audit_notice ORDER BY issued_at DESC, id DESC")


def notice_violations(conn: Any, notice_id: int) -> list[dict[str, Any]]:
    """The violations a notice fines: {logistics_no, kind, fine, state}, oldest deadline first."""
    return fetch(conn, "SELECT orders.logistics_no, violation.kind, violation.fine, violation.state FROM violation"
                       " JOIN orders ON orders.id = violation.order_id WHERE violation.notice_id = ?"
                       " ORDER BY violation.deadline, violation.id", (notice_id,))


# ---------------------------------------------------------------- the violations report (违规明细)

# The columns a report row reads: the ledger row and the few order fields it shows.
VIOLATION_REPORT_SQL = (
    "SELECT v.id, v.kind, v.fine, v.state, v.station_code, v.deadline, v.at, v.appeal_until, v.notice_id,"
    " v.decision_note, o.logistics_no, o.waybill_no, o.source, o.order_time, a.note"
    " FROM violation v JOIN orders o ON o.id = v.order_id"
    " LEFT JOIN appeal a ON a.order_id = v.order_id AND a.kind = v.kind"
    " WHERE v.deadline >= ? AND v.deadline < ? AND v.station_code = ? ORDER BY v.deadline, v.id"
)
VIOLATION_REPORT_FIELDS = ("id", "kind", "fine", "state", "station_code", "deadline", "at", "appeal_until", "notice_id",
                           "decision_note", "logistics_no", "waybill_no", "source", "order_time", "appeal_note")


def violation_report_rows(conn: Any, station: str, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """The station's violations whose deadline passed in [start, end), oldest first, as plain tuples
    in VIOLATION_REPORT_FIELDS' order, times still as stored text (the caller converts what it shows)."""
    rows: list[tuple[Any, ...]] = driver(conn).execute(VIOLATION_REPORT_SQL, (to_db(start), to_db(end), station)).fetchall()
    return rows
