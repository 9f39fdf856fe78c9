"""Import an order feed: upsert by (source, logistics_no), in batches, each one transaction.

A later row may cancel an order or correct its details; it never undoes what the station did
(accept, transfer, pickup). Every bad row is reported with its line, field and reason, and the
good rows go in. A crash loses at most the unfinished batch; re-running the file is safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from stationdesk.domain.errors import DomainError
from stationdesk.domain.fields import (
    parse_bool, parse_business_type, parse_channel, parse_logistics_no, parse_phone, parse_text, parse_time,
)
from stationdesk.domain.routing import check_area
from stationdesk.domain.statuses import Action, Status, can
from stationdesk.services.context import Desk
from stationdesk.services.feed_read import RawRecord, read_feed
from stationdesk.services.recording import Change, Journal, apply_changes, in_chunks, insert_rows, next_order_id
from stationdesk.store.tables import EVENTS, ORDERS
from stationdesk.store.types import to_db

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

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        order = f" (订单 {self.logistics_no})" if self.logistics_no else ""
        return f"{where}{order}: {self.reason}"


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

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass
class FeedRow:
    line: int
    values: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return self.values["source"], self.values["logistics_no"]


def validate(record: RawRecord, desk: Desk) -> FeedRow | list[RowError]:
    """The canonical values of one record, or every field error in it."""
    raw = record.values or {}
    errors: list[RowError] = []
    out: dict[str, Any] = {}
    ref = str(raw.get("logistics_no") or "").strip()[:40] or None

    def take(name: str, parser: Callable[[Any], Any]) -> None:
        value = raw.get(name)
        try:
            out[name] = parser("" if value is None else value if isinstance(value, bool) else str(value))
        except DomainError as exc:
            errors.append(RowError(record.line, name, str(exc), ref))

    take("logistics_no", parse_logistics_no)
    take("source", lambda v: parse_text("source", v, required=True))
    take("channel", lambda v: parse_channel(v).value)
    take("business_type", lambda v: parse_business_type(v).value)
    take("order_time", parse_time)
    take("sender_phone", parse_phone)
    for name in TEXT_FIELDS:
        take(name, lambda v, n=name: parse_text(n, v))
    take("waybill_no", lambda v: desk.waybill.check(v) if v.strip() else None)
    take("dispatch_time", lambda v: parse_time(v) if v.strip() else None)
    take("cancelled", parse_bool)
    if "dispatch_operator" in out:
        out["dispatch_operator"] = out["dispatch_operator"] or None  # stored as NULL when absent
    if not errors and bool(out["dispatch_time"]) != bool(out["dispatch_operator"]):
        errors.append(RowError(record.line, "dispatch_operator", "分件时间和分件人须同时填写 (dispatch_time and dispatch_operator go together)", ref))
    for name in ("sender_name", "sender_district"):
        if not errors and not out[name]:
            errors.append(RowError(record.line, name, "不能为空 (required)", ref))
    return errors or FeedRow(record.line, out)


def import_feed(desk: Desk, path: Path, operator: str = FEED_OPERATOR,
                progress: Callable[[ImportReport], None] | None = None) -> ImportReport:
    """Import ``path``. Raises FeedFileError when the file as a whole is unusable."""
    fmt, encoding, records = read_feed(path)
    report = ImportReport(str(path), fmt, encoding)
    batch: list[FeedRow] = []
    keys: set[tuple[str, str]] = set()
    size = desk.config.import_.batch_size
    for record in records:
        if record.values is None:
            report.rejected.append(RowError(record.line, None, record.error or "unreadable"))
            continue
        result = validate(record, desk)
        if isinstance(result, list):
            report.rejected.extend(result)
            continue
        # A repeated key starts a new batch so each transaction sees every order at most once.
        if len(batch) >= size or result.key in keys:
            _apply_batch(desk, batch, report, operator, path.name)
            batch, keys = [], set()
            if progress:
                progress(report)
        batch.append(result)
        keys.add(result.key)
    if batch:
        _apply_batch(desk, batch, report, operator, path.name)
        if progress:
            progress(report)
    report.rejected.sort(key=lambda e: e.line)
    return report


def _apply_batch(desk: Desk, rows: list[FeedRow], report: ImportReport, operator: str, file_name: str) -> None:
    with desk.db.write() as conn:
        now = desk.now()
        existing = _existing(conn, rows)
        rows = _drop_taken_waybills(conn, rows, existing, errors := [])
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
        _insert_new(conn, desk, new_rows, now, operator, file_name)
        # apply_changes writes one column set per statement: group the changes by it
        groups: dict[tuple[str, ...], list[Change]] = {}
        for ch in changes:
            groups.setdefault(tuple(sorted(ch.values)), []).append(ch)
        for group in groups.values():
            apply_changes(conn, group, operator, now, desk.station.code)
    report.imported += len(new_rows)
    report.updated += counts["updated"]
    report.cancelled += counts["cancelled"]
    report.unchanged += counts["unchanged"]
    report.rejected.extend(errors)


def _drop_taken_waybills(conn: Connection, rows: list[FeedRow], existing: dict, errors: list[RowError]) -> list[FeedRow]:
    """Refuse rows whose waybill number already belongs to another order (in the file or the database)."""
    wanted = {r.values["waybill_no"] for r in rows if r.values["waybill_no"]}
    owner: dict[str, tuple[str, str]] = {}
    for chunk in in_chunks(sorted(wanted)):
        for src, no, wb in conn.execute(
            select(ORDERS.c.source, ORDERS.c.logistics_no, ORDERS.c.waybill_no).where(ORDERS.c.waybill_no.in_(chunk))
        ):
            owner[wb] = (src, no)
    kept = []
    for r in rows:
        wb = r.values["waybill_no"]
        if wb and owner.setdefault(wb, r.key) != r.key:
            errors.append(RowError(r.line, "waybill_no", f"运单号 {wb} 已用于订单 {owner[wb][1]}", r.values["logistics_no"]))
            continue
        kept.append(r)
    return kept


def _existing(conn: Connection, rows: list[FeedRow]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for chunk in in_chunks(sorted({r.values["logistics_no"] for r in rows})):
        for row in conn.execute(select(ORDERS).where(ORDERS.c.logistics_no.in_(chunk))).mappings():
            found[(row["source"], row["logistics_no"])] = row
    return found


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
        return RowError(feed.line, "order_time", f"与已收到的订单下单时间 {row['order_time'].isoformat()} 不同; 下单时间不能由推送更改", ref)
    values = {k: v[k] for k in CORRECTABLE if v[k] != row[k] and k not in protected}
    if v["waybill_no"] and v["waybill_no"] != row["waybill_no"]:
        if row["waybill_no"]:
            return RowError(feed.line, "waybill_no", f"订单已有运单号 {row['waybill_no']}, 推送不能覆盖", ref)
        values["waybill_no"] = v["waybill_no"]
    status = Status(row["status"])
    cancelling = v["cancelled"] and not row["cancelled"]
    if cancelling:
        if not can(Action.CANCEL, status):
            return RowError(feed.line, "cancelled", f"订单状态「{status.label}」不能撤单 (parcel already picked up)", ref)
        values.update(status=Status.CANCELLED.value, cancelled=True, cancelled_at=now)
        action = Action.CANCEL
    elif not values:
        return None
    else:
        if not can(Action.CORRECT_INFO, status):
            return RowError(feed.line, None, f"订单状态「{status.label}」不能再更正信息", ref)
        action = Action.CORRECT_INFO
    if "sender_district" in values and status is Status.WAITING:
        routing = check_area(desk.station, desk.directory, v["sender_district"])
        values["out_of_area"] = routing.out_of_area
        values["suggested_station"] = routing.suggested.code if routing.suggested else None
    return Change(row, action, values, {"origin": "feed", "line": feed.line})


# The columns an imported order is inserted with; everything else takes its default.
IMPORT_COLUMNS = (
    "id", "source", "logistics_no", "channel", "business_type", "order_time", "sender_name", "sender_phone",
    "sender_province", "sender_city", "sender_district", "sender_address", "note", "goods", "waybill_no",
    "dispatch_time", "dispatch_operator", "station_code", "out_of_area", "suggested_station", "status", "cancelled",
    "cancelled_at", "cancel_handled", "version", "created_at", "updated_at",
)


def _insert_new(conn: Connection, desk: Desk, rows: Iterable[FeedRow], now: datetime, operator: str, file_name: str) -> None:
    rows = list(rows)
    if not rows:
        return
    next_id = next_order_id(conn)
    journal = Journal(conn, desk.station.code)
    stamp = to_db(now)
    home = desk.station.code
    orders = []
    area_cache: dict[str, tuple[bool, str | None]] = {}
    for i, r in enumerate(rows):
        v = r.values
        district = v["sender_district"]
        if district not in area_cache:
            routing = check_area(desk.station, desk.directory, district)
            area_cache[district] = (routing.out_of_area, routing.suggested.code if routing.suggested else None)
        out_of_area, suggested = area_cache[district]
        status = Status.CANCELLED.value if v["cancelled"] else Status.WAITING.value
        # Cancelled before it ever reached this station: its clocks never ran here.
        cancelled_at = to_db(min(now, v["order_time"]))
        order_id = next_id + i
        stored = {
            **v,
            "order_time": to_db(v["order_time"]),
            "dispatch_time": to_db(v["dispatch_time"]) if v["dispatch_time"] else None,
        }
        orders.append((
            order_id, stored["source"], stored["logistics_no"], stored["channel"], stored["business_type"],
            stored["order_time"], stored["sender_name"], stored["sender_phone"], stored["sender_province"],
            stored["sender_city"], district, stored["sender_address"], stored["note"], stored["goods"],
            stored["waybill_no"], stored["dispatch_time"], stored["dispatch_operator"], home,
            out_of_area, suggested, status, v["cancelled"], cancelled_at if v["cancelled"] else None, False, 1, stamp, stamp,
        ))
        details = json.dumps({"origin": "feed", "file": file_name, "line": r.line}, ensure_ascii=False)
        payload = json.dumps({"action": "import", "order": stored, "after_status": status, "operator": operator,
                              "at": stamp}, ensure_ascii=False, sort_keys=True)
        journal.add(order_id, 1, Action.IMPORT.value, operator, stamp, None, status, details, payload)
    insert_rows(conn, "orders", IMPORT_COLUMNS, orders)
    journal.write()
