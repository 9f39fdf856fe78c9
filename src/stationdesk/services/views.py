"""How an order is presented: the summary every list, export and JSON output shares.

Phones are masked here, once, for every list and export.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from stationdesk.domain import sla
from stationdesk.domain.masking import mask_phone
from stationdesk.domain.statuses import Status
from stationdesk.store.values import order_times

SUMMARY_FIELDS = (
    "logistics_no", "waybill_no", "source", "channel", "business_type", "status", "status_label",
    "order_time", "station", "out_of_area", "suggested_station", "cancelled", "cancel_handled",
    "accept_deadline", "pickup_deadline", "sender_name", "sender_phone", "sender_district",
    "sender_address", "violations",
)


def local(ts: datetime | None, tz: tzinfo) -> str | None:
    return ts.astimezone(tz).isoformat(timespec="seconds") if ts else None


PERSONAL_FIELDS = {"sender_phone": mask_phone}


def violation_json(v: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    """A recorded violation as scripts see it: {kind, fine, state, station, deadline, at} (local times)."""
    return {
        "kind": v["kind"], "fine": v["fine"], "state": v["state"], "station": v["station_code"],
        "deadline": local(v["deadline"], tz), "at": local(v["at"], tz),
    }


def history_entry(event: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    """One event of an order's history, with personal data masked like every list."""
    details = json.loads(event["details"])
    for name, mask in PERSONAL_FIELDS.items():
        if name in details.get("changes", {}):
            # events are written masked; older ones may hold the full number
            details["changes"][name] = [v if "*" in str(v or "") else mask(v) for v in details["changes"][name]]
    return {"at": local(event["at"], tz), "operator": event["operator"], "action": event["action"],
            "before": event["before_status"], "after": event["after_status"], "details": details}


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
