"""Import an order feed: upsert by (source, logistics_no), in batches, each one transaction.

A later row may cancel an order or correct its details; it never undoes what the station did
(accept, transfer, pickup). Every bad row is reported with its line, field and reason, and the
good rows go in. A crash loses at most the unfinished batch; re-running the file is safe.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from stationdesk.domain.errors import DomainError
from stationdesk.domain.fields import (
    parse_bool, parse_business_type, parse_channel, parse_logistics_no, parse_phone, parse_time, text_parser,
)
from stationdesk.domain.limits import check_raw
from stationdesk.domain.ledger import area_values, person_routed_in
from stationdesk.domain.duplicates import window_of
from stationdesk.domain.routing import check_area
from stationdesk.domain.sources import source_remark
from stationdesk.domain.statuses import Action, Status, can
from stationdesk.domain.text import clean_text
from stationdesk.domain.wire import ImportWriter
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.feed_read import RawRecord, read_feed
from stationdesk.services.recording import Change, apply_changes
from stationdesk.store.duplicates import flag_duplicates
from stationdesk.store.errors import StoreError
from stationdesk.store.journal import Journal, insert_rows, to_json
from stationdesk.store.plumbing import in_chunks, next_id
from stationdesk.store.queries import orders_with_logistics_nos, waybill_owners
from stationdesk.store.tables import EVENTS
from stationdesk.store.values import to_db

TEXT_FIELDS = ("sender_name", "sender_province", "sender_city", "sender_district", "sender_address", "note",
               "goods", "dispatch_operator")
# What a later feed row may correct on an order the station already has.
CORRECTABLE = ("channel", "business_type", "sender_name", "sender_phone", "sender_province", "sender_city",
               "sender_district", "sender_address", "note", "goods", "dispatch_time", "dispatch_operator")
FEED_OPERATOR = "feed"


@dataclass
class RowError:
    line: int
    field: str | None
    reason: str
    logistics_no: str | None = None

    @property
    def words(self) -> Words:
        """The error as a person reads it: line, field, order and reason, in either language."""
        return Words("feed.row", line=self.line, field=Words("feed.field", field=self.field) if self.field else "",
                     order=Words("feed.order", ref=self.logistics_no) if self.logistics_no else "", reason=self.reason)

    def __str__(self) -> str:
        return str(self.words)


@dataclass
class ImportReport:
    file: str
    format: str = ""
    encoding: str = ""
    imported: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    remarks: list[RowError] = field(default_factory=list)  # imported, with a note for the clerk
    duplicates: int = 0  # new orders flagged 重复下单?

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass
class FeedRow:
    line: int
    values: dict[str, Any]
    # how the row is inserted if it turns out to be new; see _Inserter.prepare
    insert: tuple[tuple[Any, ...], str, str, str] | None = None
    remark: str | None = None  # the logistics number's code names another source

    @property
    def key(self) -> tuple[str, str]:
        return self.values["source"], self.values["logistics_no"]


Parser = Callable[[Any], Any]


def field_parsers(desk: Desk, now: datetime | None = None) -> tuple[tuple[str, Parser], ...]:
    """Each feed field with the parser that gives its canonical value, in the order they are checked.

    Built once per import: a feed of 100,000 rows runs these 1.7 million times. Times are held to
    the window around ``now`` (the desk's clock when not given; domain/limits.py).
    """
    check_waybill = desk.waybill.check
    now = desk.now() if now is None else now
    return (
        ("logistics_no", parse_logistics_no),
        ("source", text_parser("source", required=True)),
        ("channel", lambda v: parse_channel(v).value),
        ("business_type", lambda v: parse_business_type(v).value),
        ("order_time", lambda v: parse_time(v, now)),
        ("sender_phone", parse_phone),
        *((name, text_parser(name)) for name in TEXT_FIELDS),
        ("waybill_no", lambda v: check_waybill(v) if v.strip() else None),
        ("dispatch_time", lambda v: parse_time(v, now) if v.strip() else None),
        ("cancelled", parse_bool),
    )


def validate(record: RawRecord, desk: Desk, parsers: tuple[tuple[str, Parser], ...] | None = None,
             ) -> FeedRow | list[RowError]:
    """The canonical values of one record, or every field error in it."""
    raw = record.values or {}
    errors: list[RowError] = []
    out: dict[str, Any] = {}
    for name, parser in parsers or field_parsers(desk):
        value = raw.get(name)
        try:
            out[name] = parser(value if type(value) is str and len(value) <= 64 else check_raw(name, value))
        except DomainError as exc:
            ref = clean_text(str(raw.get("logistics_no") or ""))[:40] or None
            errors.append(RowError(record.line, name, exc.words or str(exc), ref))
    if errors:
        return errors
    ref = out["logistics_no"]
    out["dispatch_operator"] = out["dispatch_operator"] or None  # stored as NULL when absent
    if bool(out["dispatch_time"]) != bool(out["dispatch_operator"]):
        return [RowError(record.line, "dispatch_operator",
                         Words("feed.dispatch_pair"), ref)]
    for name in ("sender_name", "sender_district"):
        if not out[name]:
            return [RowError(record.line, name, Words("err.required"), ref)]
    return FeedRow(record.line, out)


def import_feed(desk: Desk, path: Path, operator: str = FEED_OPERATOR,
                progress: Callable[[ImportReport], None] | None = None) -> ImportReport:
    """Import ``path``. Raises FeedFileError when the file as a whole is unusable.

    ``progress`` is called after each batch is committed, on the thread that writes the batches.
    """
    fmt, encoding, records = read_feed(path)
    report = ImportReport(str(path), fmt, encoding)
    inserter = _Inserter(desk, operator, path.name)
    writer = _BatchWriter(desk, report, inserter, progress)
    try:
        _read_into(records, desk, report, inserter, writer)
    except StoreError as exc:
        where = Words("err.import_from_line", line=writer.failed_line) if writer.failed_line else Words("err.import_rest")
        raise StoreError("err.import_stopped", path=path, n=report.imported, where=where, why=exc) from exc
    report.rejected.sort(key=lambda e: e.line)
    desk.db.ensure_statistics(added=report.imported)
    return report


def _read_into(records: Iterable[RawRecord], desk: Desk, report: ImportReport, inserter: _Inserter,
               writer: _BatchWriter) -> None:
    """Check each record and hand whole batches to the writer."""
    batch: list[FeedRow] = []
    keys: set[tuple[str, str]] = set()
    size = desk.config.import_.batch_size
    parsers = field_parsers(desk)
    with writer:
        for record in records:
            if record.values is None:
                report.rejected.append(RowError(record.line, None, record.error or Words("feed.unreadable")))
                continue
            result = validate(record, desk, parsers)
            if isinstance(result, list):
                report.rejected.extend(result)
                continue
            inserter.prepare(result)
            # A repeated key starts a new batch so each transaction sees every order at most once.
            if len(batch) >= size or result.key in keys:
                writer.submit(batch)
                batch, keys = [], set()
            batch.append(result)
            keys.add(result.key)
        if batch:
            writer.submit(batch)


class _BatchWriter:
    """Writes validated batches, in the order given, on a thread of its own.

    The file is read and checked while the previous batch is being written: SQLite does its work
    with Python's lock released, so the two overlap and a large feed goes in at the rate of the
    slower of the two rather than their sum. Each batch is still one transaction, committed in file
    order; the first failure stops the writer, and the reader learns of it at its next batch.

    Python hands its lock to a waiting thread only every ``sys.getswitchinterval()`` (5 ms by
    default): the writer, which gives the lock up for every SQLite call, would wait that long each
    time the reader holds it. While an import runs the interval is shortened, then put back.
    """

    SWITCH_INTERVAL = 0.0002

    def __init__(self, desk: Desk, report: ImportReport, inserter: _Inserter,
                 progress: Callable[[ImportReport], None] | None) -> None:
        self._args = (desk, report, inserter)
        self._progress = progress
        self._queue: queue.Queue[list[FeedRow] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self.failed_line: int | None = None  # first line of the batch that could not be written
        self._thread = threading.Thread(target=self._run, name="feed-import-writer", daemon=True)

    def __enter__(self) -> _BatchWriter:
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, self.SWITCH_INTERVAL))
        self._thread.start()
        return self

    def submit(self, batch: list[FeedRow]) -> None:
        self._raise_failure()
        self._queue.put(batch)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._queue.put(None)
        self._thread.join()
        sys.setswitchinterval(self._interval)
        if exc_type is None:
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the reader stops at its next submit
            try:
                desk, report, inserter = self._args
                _apply_batch(desk, batch, report, inserter)
                if self._progress:
                    self._progress(report)
            except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, raised there
                self._error = exc
                self.failed_line = batch[0].line if batch else None


def _apply_batch(desk: Desk, rows: list[FeedRow], report: ImportReport, inserter: _Inserter) -> None:
    with desk.db.write() as conn:
        now = desk.now()
        existing = _existing(conn, rows)
        rows = _drop_taken_waybills(conn, rows, errors := [])
        new_rows = [r for r in rows if r.key not in existing]
        counts = {"updated": 0, "cancelled": 0, "unchanged": 0}
        protected = _station_corrected_fields(conn, [existing[r.key]["id"] for r in rows if r.key in existing])
        changes: list[Change] = []
        for r in rows:
            if r.key in existing:
                row = existing[r.key]
                outcome = _update(desk, row, r, now, protected.get(row["id"], set()))
                if isinstance(outcome, RowError):
                    errors.append(outcome)
                elif outcome is None:
                    counts["unchanged"] += 1
                else:
                    changes.append(outcome)
                    counts["cancelled" if outcome.action is Action.CANCEL else "updated"] += 1
        inserter.insert(conn, new_rows, now)
        arrived = [{**r.values, "id": oid} for r, oid in zip(new_rows, inserter.last_ids, strict=True)]
        flagged = flag_duplicates(conn, arrived, window_of(desk.config.duplicates.window_minutes), now)
        # apply_changes writes one column set per statement: group the changes by it
        groups: dict[tuple[str, ...], list[Change]] = {}
        for ch in changes:
            groups.setdefault(tuple(sorted(ch.values)), []).append(ch)
        for group in groups.values():
            apply_changes(conn, group, inserter.operator, now, desk.station.code)
    report.imported += len(new_rows)
    report.updated += counts["updated"]
    report.cancelled += counts["cancelled"]
    report.unchanged += counts["unchanged"]
    report.rejected.extend(errors)
    report.duplicates += len(flagged)
    report.remarks.extend(RowError(r.line, "logistics_no", r.remark, r.values["logistics_no"]) for r in new_rows if r.remark)


def _drop_taken_waybills(conn: Connection, rows: list[FeedRow], errors: list[RowError]) -> list[FeedRow]:
    """Refuse rows whose waybill number already belongs to another order (in the file or the database)."""
    owner = waybill_owners(conn, sorted({r.values["waybill_no"] for r in rows if r.values["waybill_no"]}))
    kept = []
    for r in rows:
        wb = r.values["waybill_no"]
        if wb and owner.setdefault(wb, r.key) != r.key:
            errors.append(RowError(r.line, "waybill_no", Words("feed.waybill_taken", waybill=wb, other=owner[wb][1]),
                                   r.values["logistics_no"]))
            continue
        kept.append(r)
    return kept


def _existing(conn: Connection, rows: list[FeedRow]) -> dict[tuple[str, str], Any]:
    found = orders_with_logistics_nos(conn, sorted({r.values["logistics_no"] for r in rows}))
    return {(row["source"], row["logistics_no"]): row for row in found}


def _station_corrected_fields(conn: Connection, order_ids: list[int]) -> dict[int, set[str]]:
    """The fields a clerk corrected on each order: a later feed row must not put them back."""
    out: dict[int, set[str]] = {}
    for chunk in in_chunks(order_ids):
        for order_id, details in conn.execute(
            select(EVENTS.c.order_id, EVENTS.c.details).where(
                EVENTS.c.action == Action.CORRECT_INFO.value, EVENTS.c.order_id.in_(chunk)
            )
        ):
            data = json.loads(details)
            if data.get("origin") != "feed":
                out.setdefault(order_id, set()).update(data.get("changes", {}))
    return out


def _update(desk: Desk, row: Any, feed: FeedRow, now: datetime, protected: set[str]) -> Change | RowError | None:
    """The change a later feed row makes to an order the station has, if any."""
    v = feed.values
    ref = v["logistics_no"]
    if v["order_time"] != row["order_time"]:
        return RowError(feed.line, "order_time", Words("feed.time_changed", time=row["order_time"].isoformat()), ref)
    values = {k: v[k] for k in CORRECTABLE if v[k] != row[k] and k not in protected}
    if v["waybill_no"] and v["waybill_no"] != row["waybill_no"]:
        if row["waybill_no"]:
            return RowError(feed.line, "waybill_no", Words("feed.waybill_kept", waybill=row["waybill_no"]), ref)
        values["waybill_no"] = v["waybill_no"]
    status = Status(row["status"])
    cancelling = v["cancelled"] and not row["cancelled"]
    if cancelling:
        if not can(Action.CANCEL, status):
            return RowError(feed.line, "cancelled", Words("feed.no_cancel", status=status), ref)
        values.update(status=Status.CANCELLED.value, cancelled=True, cancelled_at=now)
        action = Action.CANCEL
    elif not values:
        return None
    else:
        if not can(Action.CORRECT_INFO, status):
            return RowError(feed.line, None, Words("feed.no_correct", status=status), ref)
        action = Action.CORRECT_INFO
    if "sender_district" in values and status is Status.WAITING:
        routing = check_area(desk.station, desk.directory, v["sender_district"])
        values.update(area_values(row, routing, now))
    return Change(row, action, values, {"origin": "feed", "line": feed.line})


# The columns an imported order is inserted with; everything else takes its default.
IMPORT_COLUMNS = (
    "id", "source", "logistics_no", "channel", "business_type", "order_time", "sender_name", "sender_phone",
    "sender_province", "sender_city", "sender_district", "sender_address", "note", "goods", "waybill_no",
    "dispatch_time", "dispatch_operator", "station_code", "out_of_area", "suggested_station", "status", "cancelled",
    "cancelled_at", "cancel_handled", "version", "created_at", "updated_at",
)


class _Inserter:
    """Turns feed rows into the order, event and outbox rows of a new order.

    ``prepare`` needs nothing from the database, so the reading thread runs it while the writer is
    busy with the previous batch; ``insert`` adds what only the write transaction knows (ids, the
    station's sequence, the time) and writes.
    """

    def __init__(self, desk: Desk, operator: str, file_name: str) -> None:
        self.desk = desk
        self.operator = operator
        self.file_json = to_json(file_name)
        self.ops = ImportWriter(operator)
        self._areas: dict[str, tuple[bool, str | None]] = {}
        self.last_ids: list[int] = []  # the ids the last insert gave

    def _area(self, district: str) -> tuple[bool, str | None]:
        area = self._areas.get(district)
        if area is None:
            routing = check_area(self.desk.station, self.desk.directory, district)
            area = self._areas[district] = (routing.out_of_area, routing.suggested.code if routing.suggested else None)
        return area

    def prepare(self, r: FeedRow) -> tuple[tuple[Any, ...], str, str, str]:
        v = r.values
        out_of_area, suggested = self._area(v["sender_district"])
        if out_of_area and person_routed_in(v):
            out_of_area = False  # head office's 电商 分件 routed it here; the directory's view stays as a note
        status = Status.CANCELLED.value if v["cancelled"] else Status.WAITING.value
        stored = {**v, "order_time": to_db(v["order_time"]),
                  "dispatch_time": to_db(v["dispatch_time"]) if v["dispatch_time"] else None}
        values = (
            stored["source"], stored["logistics_no"], stored["channel"], stored["business_type"],
            stored["order_time"], stored["sender_name"], stored["sender_phone"], stored["sender_province"],
            stored["sender_city"], stored["sender_district"], stored["sender_address"], stored["note"],
            stored["goods"], stored["waybill_no"], stored["dispatch_time"], stored["dispatch_operator"],
            self.desk.station.code, out_of_area, suggested, status, v["cancelled"],
        )
        r.remark = source_remark(v["source"], v["logistics_no"])
        remark = f', "remark": {to_json(r.remark)}' if r.remark else ""
        details = f'{{"file": {self.file_json}, "line": {r.line}, "origin": "feed"{remark}}}'
        r.insert = (values, status, details, self.ops.text(status, stored))
        return r.insert

    def insert(self, conn: Connection, rows: list[FeedRow], now: datetime) -> None:
        self.last_ids = []
        if not rows:
            return
        first = next_id(conn, "orders")
        self.last_ids = list(range(first, first + len(rows)))
        journal = Journal(conn, self.desk.station.code)
        stamp = to_db(now)
        orders = []
        for i, r in enumerate(rows):
            values, status, details, payload = r.insert if r.insert is not None else self.prepare(r)
            # Cancelled before it ever reached this station: its clocks never ran here.
            cancelled_at = to_db(min(now, r.values["order_time"])) if r.values["cancelled"] else None
            orders.append((first + i, *values, cancelled_at, False, 1, stamp, stamp))
            journal.add(first + i, 1, Action.IMPORT.value, self.operator, stamp, None, status, details, payload)
        insert_rows(conn, "orders", IMPORT_COLUMNS, orders)
        journal.write()
