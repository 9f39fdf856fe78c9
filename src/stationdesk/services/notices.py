"""处罚通知 at the station: head office's penalty notices, each with its violations and the time left
to appeal (3 days from the notice), for `stationdesk notices` and the F8 screen."""

from __future__ import annotations

from typing import Any

from stationdesk.domain.sla import format_time_left
from stationdesk.services.context import Desk
from stationdesk.store import reads
from stationdesk.store.reads import notices


def notice_list(desk: Desk) -> list[dict[str, Any]]:
    """Newest first: {id, week, station, issued_at, appeal_deadline, total_fine, violations:
    [{logistics_no, kind, fine, state}], time_left, appeal_open}."""
    tz, now = desk.config.tz, desk.now()
    out = []
    with desk.db.read() as conn:
        for n in notices(conn):
            items = reads.notice_violations(conn, n["id"])
            left = n["appeal_deadline"] - now
            out.append({
                "id": n["id"], "week": n["week"], "station": desk.station.code,
                "issued_at": n["issued_at"].astimezone(tz).isoformat(timespec="seconds"),
                "appeal_deadline": n["appeal_deadline"].astimezone(tz).isoformat(timespec="seconds"),
                "total_fine": n["total_fine"],
                "violations": [{"logistics_no": r["logistics_no"], "kind": r["kind"], "fine": r["fine"],
                                "state": r["state"]} for r in items],
                "time_left": format_time_left(left, hours=True) if left.total_seconds() > 0 else "申诉期已过",
                "appeal_open": left.total_seconds() >= 0,
            })
    return out
