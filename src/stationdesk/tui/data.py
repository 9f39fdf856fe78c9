"""Read side of the screens: pages, counts and one order's details, shaped for display.

Every loader here runs in a worker thread and returns plain values; text from the feed is
passed through clean_text here, once, before any widget sees it. The loaders import the store's
queries when they run: the first screen is drawn from a glance (stationdesk.store.glance) before
SQLAlchemy is loaded, so nothing the first screen imports may load it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from stationdesk.domain import sla
from stationdesk.domain.masking import mask_phone
from stationdesk.domain.sources import source_remark
from stationdesk.domain.text import clean_text
from stationdesk.services.views import PERSONAL_FIELDS
from stationdesk.store.values import Cursor, OrderFilter, WaitingCounts, order_times
from stationdesk.tui.i18n import action_label, business_label, channel_label, reason_label, status_label, tr

if TYPE_CHECKING:
    from stationdesk.services.context import Desk
    from stationdesk.store.glance import Glance

PageKind = Literal["first", "last", "from", "next", "prev", "down", "up"]


@dataclass(frozen=True)
class OrderView:
    """One order as a list row: display cells (already cleaned) and what actions need."""

    id: int
    cursor: Cursor
    row: Mapping[str, Any]
    cells: dict[str, str]
    accept_deadline: datetime
    pickup_deadline: datetime
    out_of_area: bool
    duplicate_of: str | None = None  # 重复下单?: the earlier order's logistics number

    @property
    def ref(self) -> str:
        return clean_text(self.row["logistics_no"])


@dataclass(frozen=True)
class PageRequest:
    """Which page to fetch. ``anchor`` is the row to seek from; ``keep_id`` the row to keep highlighted."""

    kind: PageKind
    anchor: Cursor | None = None
    keep_id: int | None = None
    keep_index: int = 0


@dataclass
class PageResult:
    views: list[OrderView]
    cursor: int = 0
    edge: Literal["start", "end"] | None = None  # the move found nothing new: keep the page shown
    request: PageRequest | None = None
    offset: int | None = None  # rows before the first one (capped at COUNT_CAP + 1); None: not known


def local_text(ts: datetime | None, tz: tzinfo, fmt: str = "%m-%d %H:%M") -> str:
    return ts.astimezone(tz).strftime(fmt) if ts else ""


def to_view(row: Mapping[str, Any], tz: tzinfo, lang: str, duplicate_of: str | None = None) -> OrderView:
    times = order_times(row)
    out = bool(row["out_of_area"])
    suggested = clean_text(row["suggested_station"])
    if out:
        area = tr("area.out", lang, code=suggested) if suggested else tr("area.out_unknown", lang)
    else:
        area = ""
    if duplicate_of:
        area = f"{area} {tr('area.duplicate', lang)}".strip()
    if row["cancelled"]:
        cancel = tr("cancel.handled" if row["cancel_handled"] else "cancel.unhandled", lang)
    else:
        cancel = ""
    cells = {
        "order_time": local_text(row["order_time"], tz),
        "logistics_no": clean_text(row["logistics_no"]),
        "waybill_no": clean_text(row["waybill_no"]),
        "source": clean_text(row["source"]),
        "channel": channel_label(row["channel"], lang),
        "business_type": business_label(row["business_type"], lang),
        "status": status_label(row["status"], lang),
        "cancel": cancel,
        "name": clean_text(row["sender_name"]),
        "phone": mask_phone(row["sender_phone"]),
        "district": clean_text(row["sender_district"]),
        "address": clean_text(row["sender_address"]),
        "area": area,
    }
    return OrderView(
        id=row["id"], cursor=Cursor.of(row), row=row, cells=cells,
        accept_deadline=sla.accept_deadline(times), pickup_deadline=sla.pickup_deadline(times), out_of_area=out,
        duplicate_of=clean_text(duplicate_of) or None,
    )


def _inclusive(c: Cursor) -> Cursor:
    # (t, id) > (t, id - 1) holds for the row itself and every row after it: ids are integers.
    return Cursor(c.order_time, c.id - 1)


def _index_of(rows: list, order_id: int | None, default: int) -> int:
    if order_id is not None:
        for i, row in enumerate(rows):
            if row["id"] == order_id:
                return i
    return max(0, min(default, len(rows) - 1))


def load_page(desk: Desk, f: Any, req: PageRequest, limit: int, lang: str, *,
              page: Callable[..., list] | None = None, last_page: Callable[..., list] | None = None,
              ) -> PageResult:
    """One page of ``f`` for ``req``, by keyset seeks: never more than ``limit`` rows (plus one
    fill-up page at either end, so the screen stays full). ``page``/``last_page`` are the keyset
    queries of the list (an OrderFilter's by default; the unscanned report brings its own)."""
    from stationdesk.store import queries

    limit = max(1, limit)
    from stationdesk.store.duplicates import duplicate_links

    with desk.db.read() as conn:
        rows, cursor, edge = _rows_for(conn, f, req, limit, page or queries.page, last_page or queries.last_page)
        offset = None
        if rows and isinstance(f, OrderFilter):  # the row number of the first row, for the heading
            offset = queries.count_before(conn, f, Cursor.of(rows[0]), cap=COUNT_CAP)
        links = duplicate_links(conn, [r["id"] for r in rows]) if rows else {}  # 重复下单? marks of this page
    tz = desk.config.tz
    return PageResult([to_view(r, tz, lang, links.get(r["id"])) for r in rows], cursor, edge, req, offset)


def glance_page(seen: Glance, f: Any, req: PageRequest, limit: int, tz: tzinfo, lang: str) -> PageResult | None:
    """The page ``load_page`` would give, from the rows a glance read, when it holds them: only a
    first page, only of the list it read (网点接单's). None means: wait for the store."""
    if req.kind != "first" or not isinstance(f, OrderFilter):
        return None
    rows = seen.first_rows(f, max(1, limit))
    if rows is None:
        return None
    return PageResult([to_view(r, tz, lang) for r in rows], _index_of(rows, req.keep_id, req.keep_index), None, req, 0)


def _rows_for(conn, f, req: PageRequest, limit: int, page, last_page):  # noqa: ANN001, ANN202 - rows and page loaders of several shapes, typed by the callers that pass them
    kind, anchor = req.kind, req.anchor
    if kind == "first" or (anchor is None and kind != "last"):
        rows = page(conn, f, limit=limit)
        return rows, _index_of(rows, req.keep_id, req.keep_index), None
    if kind == "last":
        rows = last_page(conn, f, limit)
        return rows, len(rows) - 1, None
    if kind == "from":
        rows = page(conn, f, after=_inclusive(anchor), limit=limit)
        if len(rows) < limit:
            rows = last_page(conn, f, limit)
        return rows, _index_of(rows, req.keep_id, req.keep_index), None
    if kind == "next":
        rows = page(conn, f, after=anchor, limit=limit)
        if not rows:
            return [], 0, "end"
        first_new = rows[0]["id"]
        if len(rows) < limit:
            rows = last_page(conn, f, limit)
        return rows, _index_of(rows, first_new, 0), None
    if kind == "prev":
        rows = page(conn, f, before=anchor, limit=limit)
        if not rows:
            return [], 0, "start"
        last_new = rows[-1]["id"]
        if len(rows) < limit:
            rows = page(conn, f, limit=limit)
        return rows, _index_of(rows, last_new, len(rows) - 1), None
    if kind == "down":
        rows = page(conn, f, after=anchor, limit=limit)
        if not rows or rows[-1]["id"] == req.keep_id:
            return [], 0, "end"
        return rows, len(rows) - 1, None
    # "up": one row back, then a page from there
    prev = page(conn, f, before=anchor, limit=1)
    if not prev:
        return [], 0, "start"
    rows = page(conn, f, after=_inclusive(Cursor.of(prev[0])), limit=limit)
    return rows, 0, None


# A list heading counts up to this many orders, then says "more than" (see queries.count).
COUNT_CAP = 5_000


def load_count(desk: Desk, f: OrderFilter) -> int:
    from stationdesk.store import queries

    with desk.db.read() as conn:
        return queries.count(conn, f, cap=COUNT_CAP)


def count_text(total: int) -> str:
    return f"{COUNT_CAP:,}+" if total > COUNT_CAP else str(total)


def load_waiting_counts(desk: Desk) -> WaitingCounts:
    from stationdesk.store import queries

    with desk.db.read() as conn:
        # "due soon" as the alert counts it, so the warning area's counts read the same
        return queries.waiting_counts(conn, desk.now(), timedelta(minutes=desk.config.alerts.warn_before_minutes))


def load_damage(desk: Desk) -> str | None:
    """A broken audit chain no admin has acknowledged yet: every operator's status bar shows it."""
    from stationdesk.services.damage import unacknowledged

    return unacknowledged(desk.db)


def load_sources(desk: Desk) -> list[str]:
    from stationdesk.store import queries

    with desk.db.read() as conn:
        return [clean_text(s) for s in queries.distinct_values(conn, "source")]


@dataclass
class Detail:
    row: Mapping[str, Any]
    events: list[Mapping[str, Any]] = field(default_factory=list)
    now: datetime | None = None


def load_detail(desk: Desk, order_id: int) -> Detail:
    from stationdesk.services.recording import find
    from stationdesk.store import queries

    with desk.db.read() as conn:
        row = find(conn, order_id)
        events = queries.events_of(conn, order_id)
    return Detail(row, events, desk.now())


def detail_fields(d: Detail, tz: tzinfo, lang: str, *, reveal: bool) -> list[tuple[str, str]]:
    """Every field of the order as (label, value) lines; the phone masked unless ``reveal``."""
    row = d.row
    times = order_times(row)
    now = d.now or datetime.now(tz)
    full = "%Y-%m-%d %H:%M:%S"
    suggested = clean_text(row["suggested_station"])
    area = tr("v.out_area", lang, code=suggested or "-") if row["out_of_area"] else tr("v.in_area", lang)
    if row["cancelled"]:
        key = "v.cancel_handled" if row["cancel_handled"] else "v.cancel_unhandled"
        cancel = tr(key, lang, at=local_text(row["cancelled_at"], tz, full))
    else:
        cancel = tr("v.not_cancelled", lang)
    dispatch = ""
    if row["dispatch_time"] is not None:
        dispatch = f"{local_text(row['dispatch_time'], tz, full)} {clean_text(row['dispatch_operator'])}"
    fail = reason_label(row["fail_reason"], lang)
    if row["fail_note"]:
        fail = f"{fail}: {clean_text(row['fail_note'])}"
    violations = sla.violations(times, now)
    phone = clean_text(row["sender_phone"]) if reveal else mask_phone(row["sender_phone"])
    pairs = [
        ("f.logistics_no", clean_text(row["logistics_no"])),
        ("f.waybill_no", clean_text(row["waybill_no"])),
        ("f.source", clean_text(row["source"])),
        ("f.channel", channel_label(row["channel"], lang)),
        ("f.business_type", business_label(row["business_type"], lang)),
        ("f.status", status_label(row["status"], lang)),
        ("f.order_time", local_text(row["order_time"], tz, full)),
        ("f.accept_deadline", local_text(sla.accept_deadline(times), tz, full)),
        ("f.pickup_deadline", local_text(sla.pickup_deadline(times), tz, full)),
        ("f.sender_name", clean_text(row["sender_name"])),
        ("f.sender_phone", phone),
        ("f.sender_province", clean_text(row["sender_province"])),
        ("f.sender_city", clean_text(row["sender_city"])),
        ("f.sender_district", clean_text(row["sender_district"])),
        ("f.sender_address", clean_text(row["sender_address"])),
        ("f.note", clean_text(row["note"])),
        ("f.goods", clean_text(row["goods"])),
        ("f.station_code", clean_text(row["station_code"])),
        ("f.area", area),
        ("f.dispatch", dispatch),
        ("f.cancel", cancel),
        ("f.fail", fail),
        ("f.scanned_at", local_text(row["scanned_at"], tz, full) or tr("v.not_scanned", lang)),
        ("f.violations", "; ".join(f"{v.kind.label_en if lang == 'en' else v.kind.label} ({v.fine} {tr('yuan', lang)})"
                                   for v in violations) or tr("v.none", lang)),
    ]
    if remark := source_remark(row["source"], row["logistics_no"]):
        pairs.append(("f.remark", clean_text(remark)))  # the logistics number's code names another source
    return [(tr(k, lang), v) for k, v in pairs]


# Columns whose change is already told by the action, its status or its time.
_QUIET = {"status", "version", "updated_at", "accepted_at", "accept_failed_at", "transferred_at", "picked_up_at",
          "pickup_failed_at", "scanned_at", "cancelled", "cancelled_at", "fail_reason", "fail_note", "cancel_handled"}


def event_lines(d: Detail, tz: tzinfo, lang: str, *, reveal: bool) -> list[tuple[str, str, str, str, str]]:
    """The order's history, oldest first: (time, action, operator, status change, details)."""
    out = []
    for ev in d.events:
        before = status_label(ev["before_status"], lang) if ev["before_status"] else ""
        after = status_label(ev["after_status"], lang)
        change = f"{before} > {after}" if before and before != after else after
        out.append((
            local_text(ev["at"], tz, "%Y-%m-%d %H:%M:%S"), action_label(ev["action"], lang),
            clean_text(ev["operator"]), change, _event_details(ev["details"], lang, reveal=reveal),
        ))
    return out


def _event_details(raw: str | None, lang: str, *, reveal: bool) -> str:
    try:
        details = json.loads(raw or "{}")
    except ValueError:
        return clean_text(raw)
    if not isinstance(details, dict):
        return clean_text(str(details))
    parts: list[str] = []
    if details.get("reason"):
        parts.append(reason_label(str(details["reason"]), lang))
    for key in ("note", "to", "origin", "file", "reason_text", "remark"):
        if details.get(key):
            parts.append(f"{key}: {clean_text(str(details[key]))}")
    changes = details.get("changes")
    if isinstance(changes, dict):
        for col, pair in sorted(changes.items()):
            if col in _QUIET or not isinstance(pair, list) or len(pair) != 2:
                continue
            new = pair[1]
            if col in PERSONAL_FIELDS and not reveal and "*" not in str(new or ""):
                new = PERSONAL_FIELDS[col](str(new or ""))
            parts.append(f"{col}: {clean_text(str(new)) if new is not None else '-'}")
    return "; ".join(parts)
