"""The one presenter of an order and its history: what the command line, the exports and the desk show.

An order row becomes, here and nowhere else: its summary for scripts and exports (local ISO times,
masked phone, deadlines, violations), a listing row (the summary and what a list adds beside it),
the desk's list cells and detail fields in the clerk's language, the time left on a clock, and its
history as entries (scripts) or lines (the desk). Phones are masked here, once, by the domain's
rule (stationdesk.domain.masking).

The desk's own words (field labels, area and cancellation texts) come through the ``say`` it
passes in (stationdesk.tui.i18n.tr, which speaks the catalogue too); coded values (status, action,
channel, business type, reason, violation kind) are said by the domain's enums. This module loads
neither SQLAlchemy nor rich: `orders show` runs on sqlite3 alone, and the desk's first screen is
drawn before SQLAlchemy loads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import Enum
from functools import lru_cache
from typing import Any

from stationdesk.domain import sla
from stationdesk.domain.fields import BusinessType, Channel
from stationdesk.domain.masking import PERSONAL_FIELDS as _PERSONAL, mask_changes, mask_phone
from stationdesk.domain.reasons import Reason
from stationdesk.domain.sources import source_remark
from stationdesk.domain.statuses import Action, Status
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import word
from stationdesk.store.values import Cursor, order_times

Say = Callable[..., str]  # (key, lang, **values) -> the words: the desk's tr

SUMMARY_FIELDS = (
    "logistics_no", "waybill_no", "source", "channel", "business_type", "status", "status_label",
    "order_time", "station", "out_of_area", "suggested_station", "cancelled", "cancel_handled",
    "accept_deadline", "pickup_deadline", "sender_name", "sender_phone", "sender_district",
    "sender_address", "violations",
)
EXTRA_FIELDS = ("duplicate_of", "awaiting_waybill", "remark")  # beside the summary in every listing

PERSONAL_FIELDS: dict[str, Callable[[str | None], str]] = dict.fromkeys(_PERSONAL, mask_phone)
FULL_TIME = "%Y-%m-%d %H:%M:%S"


# ---------------------------------------------------------------- times and coded values


def local(ts: datetime | None, tz: tzinfo) -> str | None:
    """A time as scripts see it: ISO 8601 in the station's zone, to the second."""
    return ts.astimezone(tz).isoformat(timespec="seconds") if ts else None


def local_text(ts: datetime | None, tz: tzinfo, fmt: str = "%m-%d %H:%M") -> str:
    """A time as a person reads it on the desk ('' for none)."""
    return ts.astimezone(tz).strftime(fmt) if ts else ""


@lru_cache(maxsize=256)  # a handful of codes, said for every cell of every page
def coded(kind: type[Enum], value: str | None, lang: str) -> str:
    """A coded value (a status, action, channel, business type or reason) in ``lang``; a value this
    desk does not know is shown as it is."""
    if not value:
        return ""
    try:
        return word(kind(value), lang)
    except ValueError:
        return value


@dataclass(frozen=True)
class TimeLeft:
    """What is left of a clock at ``now``: negative once overdue."""

    deadline: datetime
    left: timedelta

    @classmethod
    def of(cls, deadline: datetime, now: datetime) -> TimeLeft:
        return cls(deadline, sla.time_left(deadline, now))

    @property
    def overdue(self) -> bool:
        return self.left.total_seconds() < 0

    @property
    def minutes(self) -> int:
        """Whole minutes left, counted down; overdue, minutes begun count (-1 after one second)."""
        secs = self.left.total_seconds()
        return int(secs // 60) if secs >= 0 else -int(-secs // 60 + (1 if -secs % 60 else 0))

    def text(self) -> str:
        """'5时20分', or '超时 309时52分' once overdue: never a leading minus a spreadsheet takes for a formula."""
        readable = sla.format_time_left(self.left, hours=True)
        return f"超时 {readable.lstrip('-')}" if self.overdue else readable


# ---------------------------------------------------------------- scripts, lists and exports


def violation_json(v: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    """A recorded violation as scripts see it: {kind, fine, state, station, deadline, at} (local times)."""
    return {
        "kind": v["kind"], "fine": v["fine"], "state": v["state"], "station": v["station_code"],
        "deadline": local(v["deadline"], tz), "at": local(v["at"], tz),
    }


def order_summary(row: Mapping[str, Any], now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The order as lists and exports show it: local times, masked phone, deadlines, violations."""
    times = order_times(row)
    violations = sla.violations(times, now)
    return {
        "logistics_no": row["logistics_no"],
        "waybill_no": row["waybill_no"],
        "source": row["source"],
        "channel": row["channel"],
        "business_type": row["business_type"],
        "status": row["status"],
        "status_label": Status(row["status"]).label,
        "order_time": local(row["order_time"], tz),
        "station": row["station_code"],
        "out_of_area": bool(row["out_of_area"]),
        "suggested_station": row["suggested_station"],
        "cancelled": bool(row["cancelled"]),
        "cancel_handled": bool(row["cancel_handled"]),
        "accept_deadline": local(sla.accept_deadline(times), tz),
        "pickup_deadline": local(sla.pickup_deadline(times), tz),
        "sender_name": row["sender_name"],
        "sender_phone": mask_phone(row["sender_phone"]),
        "sender_district": row["sender_district"],
        "sender_address": row["sender_address"],
        "violations": [
            {"kind": v.kind.value, "fine": v.fine, "deadline": local(v.deadline, tz), "pending": v.pending}
            for v in violations
        ],
    }


def order_listing(row: Mapping[str, Any], now: datetime, tz: tzinfo) -> dict[str, Any]:
    """A listed order (`orders list`, `orders show`, their exports): the summary, the short forms a
    table shows, and EXTRA_FIELDS (``duplicate_of`` is read from the row when it carries it)."""
    s = order_summary(row, now, tz)
    s["business_type_label"] = BusinessType(s["business_type"]).label
    s["order_time_short"] = s["order_time"][:16].replace("T", " ")
    s["area"] = f"超区→{s['suggested_station'] or ''}" if s["out_of_area"] else ""
    s["duplicate_of"] = row.get("duplicate_of") if hasattr(row, "get") else None
    s["awaiting_waybill"] = row["status"] == "picked_up" and not row["waybill_no"]
    s["remark"] = source_remark(row["source"], row["logistics_no"])
    return s


def unscanned_row(row: Mapping[str, Any], now: datetime, tz: tzinfo, *, full_phone: bool = False) -> dict[str, Any]:
    """An order with no pickup scan, for 网点未揽收查询: local times, clean text, masked phone
    (unless ``full_phone``), and the time left against the 16-hour pickup rule."""
    clock = TimeLeft.of(sla.pickup_deadline_of(row["order_time"]), now)
    minutes = clock.minutes
    return {
        "id": row["id"],
        "order_time": row["order_time"].astimezone(tz),
        "logistics_no": clean_text(row["logistics_no"]),
        "waybill_no": clean_text(row["waybill_no"]),
        "status": row["status"],
        "status_label": coded(Status, row["status"], "zh"),
        "time_left": clock.text(),
        "minutes_left": minutes,
        "minutes_overdue": max(0, -minutes),
        "overdue": clock.overdue,
        "channel": row["channel"],
        "channel_label": coded(Channel, row["channel"], "zh"),
        "source": clean_text(row["source"]),
        "business_type_label": coded(BusinessType, row["business_type"], "zh"),
        "pickup_deadline": clock.deadline.astimezone(tz),
        "sender_name": clean_text(row["sender_name"]),
        "sender_phone": clean_text(row["sender_phone"]) if full_phone else mask_phone(row["sender_phone"]),
        "sender_district": clean_text(row["sender_district"]),
        "sender_address": clean_text(row["sender_address"]),
    }


# ---------------------------------------------------------------- the desk


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


def to_view(row: Mapping[str, Any], tz: tzinfo, lang: str, say: Say, duplicate_of: str | None = None) -> OrderView:
    """The order as a row of the desk's lists, its cells in ``lang``."""
    times = order_times(row)
    out = bool(row["out_of_area"])
    suggested = clean_text(row["suggested_station"])
    if out:
        area = say("area.out", lang, code=suggested) if suggested else say("area.out_unknown", lang)
    else:
        area = ""
    if duplicate_of:
        area = f"{area} {say('area.duplicate', lang)}".strip()
    if row["cancelled"]:
        cancel = say("cancel.handled" if row["cancel_handled"] else "cancel.unhandled", lang)
    else:
        cancel = ""
    cells = {
        "order_time": local_text(row["order_time"], tz),
        "logistics_no": clean_text(row["logistics_no"]),
        "waybill_no": clean_text(row["waybill_no"]),
        "source": clean_text(row["source"]),
        "channel": coded(Channel, row["channel"], lang),
        "business_type": coded(BusinessType, row["business_type"], lang),
        "status": coded(Status, row["status"], lang),
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


def detail_fields(row: Mapping[str, Any], now: datetime, tz: tzinfo, lang: str, say: Say, *,
                  reveal: bool) -> list[tuple[str, str]]:
    """Every field of the order as (label, value) lines in ``lang``; the phone masked unless ``reveal``."""
    times = order_times(row)
    suggested = clean_text(row["suggested_station"])
    area = say("v.out_area", lang, code=suggested or "-") if row["out_of_area"] else say("v.in_area", lang)
    if row["cancelled"]:
        key = "v.cancel_handled" if row["cancel_handled"] else "v.cancel_unhandled"
        cancel = say(key, lang, at=local_text(row["cancelled_at"], tz, FULL_TIME))
    else:
        cancel = say("v.not_cancelled", lang)
    dispatch = ""
    if row["dispatch_time"] is not None:
        dispatch = f"{local_text(row['dispatch_time'], tz, FULL_TIME)} {clean_text(row['dispatch_operator'])}"
    fail = coded(Reason, row["fail_reason"], lang)
    if row["fail_note"]:
        fail = f"{fail}: {clean_text(row['fail_note'])}"
    violations = sla.violations(times, now)
    phone = clean_text(row["sender_phone"]) if reveal else mask_phone(row["sender_phone"])
    pairs = [
        ("f.logistics_no", clean_text(row["logistics_no"])),
        ("f.waybill_no", clean_text(row["waybill_no"])),
        ("f.source", clean_text(row["source"])),
        ("f.channel", coded(Channel, row["channel"], lang)),
        ("f.business_type", coded(BusinessType, row["business_type"], lang)),
        ("f.status", coded(Status, row["status"], lang)),
        ("f.order_time", local_text(row["order_time"], tz, FULL_TIME)),
        ("f.accept_deadline", local_text(sla.accept_deadline(times), tz, FULL_TIME)),
        ("f.pickup_deadline", local_text(sla.pickup_deadline(times), tz, FULL_TIME)),
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
        ("f.scanned_at", local_text(row["scanned_at"], tz, FULL_TIME) or say("v.not_scanned", lang)),
        ("f.violations", "; ".join(f"{word(v.kind, lang)} ({v.fine} {say('yuan', lang)})"
                                   for v in violations) or say("v.none", lang)),
    ]
    if remark := source_remark(row["source"], row["logistics_no"]):
        pairs.append(("f.remark", clean_text(remark.say(lang))))  # the logistics number's code names another source
    return [(say(k, lang), v) for k, v in pairs]


# ---------------------------------------------------------------- history


def event_details(raw: str | None, *, reveal: bool = False) -> dict[str, Any] | str:
    """An event's details as written (a JSON object), personal fields masked unless ``reveal``; text
    that is not a JSON object comes back as it is."""
    try:
        details = json.loads(raw or "{}")
    except ValueError:
        return raw or ""
    if not isinstance(details, dict):
        return str(details)
    changes = details.get("changes")
    if not reveal and isinstance(changes, dict):
        # events are written masked; older ones may hold the full number
        details["changes"] = mask_changes(changes)
    return details


def history_entry(event: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    """One event of an order's history as scripts see it, with personal data masked like every list."""
    return {"at": local(event["at"], tz), "operator": event["operator"], "action": event["action"],
            "before": event["before_status"], "after": event["after_status"], "details": event_details(event["details"])}


# Columns whose change is already told by the action, its status or its time.
_QUIET = {"status", "version", "updated_at", "accepted_at", "accept_failed_at", "transferred_at", "picked_up_at",
          "pickup_failed_at", "scanned_at", "cancelled", "cancelled_at", "fail_reason", "fail_note", "cancel_handled"}


def event_lines(events: Iterable[Mapping[str, Any]], tz: tzinfo, lang: str, *,
                reveal: bool) -> list[tuple[str, str, str, str, str]]:
    """The order's history on the desk, oldest first: (time, action, operator, status change, details)."""
    out = []
    for ev in events:
        before = coded(Status, ev["before_status"], lang)
        after = coded(Status, ev["after_status"], lang)
        change = f"{before} > {after}" if before and before != after else after
        out.append((
            local_text(ev["at"], tz, FULL_TIME), coded(Action, ev["action"], lang),
            clean_text(ev["operator"]), change, _details_text(event_details(ev["details"], reveal=reveal), lang),
        ))
    return out


def _details_text(details: dict[str, Any] | str, lang: str) -> str:
    if isinstance(details, str):
        return clean_text(details)
    parts: list[str] = []
    if details.get("reason"):
        parts.append(coded(Reason, str(details["reason"]), lang))
    for key in ("note", "to", "origin", "file", "reason_text", "remark"):
        if details.get(key):
            parts.append(f"{key}: {clean_text(str(details[key]))}")
    changes = details.get("changes")
    if isinstance(changes, dict):
        for col, pair in sorted(changes.items()):
            if col in _QUIET or not isinstance(pair, list) or len(pair) != 2:
                continue
            new = pair[1]
            parts.append(f"{col}: {clean_text(str(new)) if new is not None else '-'}")
    return "; ".join(parts)
