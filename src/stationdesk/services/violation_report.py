"""违规明细: the station's recorded violations over a span of days, one row per order and kind,
with fine, state and appeal (`report violations`).

It reads the ledger's rows with store.reads' SQL and shapes them with the domain's words alone,
so the light `report violations` runs it on sqlite3 without loading SQLAlchemy (the import
contract in pyproject.toml and tests/test_light_commands.py hold it to that); the weekly, monthly
and refund reports beside it are in services/violations.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from stationdesk.domain import ledger as rules, sla
from stationdesk.domain.fields import day_range
from stationdesk.domain.text import clean_text
from stationdesk.services.context import Desk
from stationdesk.store import reads
from stationdesk.store.values import from_db

REPORT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("day", "日期", 10), ("logistics_no", "物流号", 18), ("waybill_no", "运单号", 15),
    ("kind_label", "违规类型", 22), ("fine", "罚款(元)", 8), ("state_label", "状态", 8), ("deadline", "时限", 16),
    ("at", "操作时间", 16), ("pending", "未处理", 6), ("appeal_until", "申诉截止", 16), ("appealed", "已申诉", 6),
    ("appeal_note", "申诉说明", 20), ("source", "数据来源", 10), ("kind", "kind", 20), ("state", "state", 12),
    ("station", "网点", 8),
)
APPEALED = frozenset({rules.State.APPEALED.value, rules.State.UPHELD.value, rules.State.WITHDRAWN.value})
_STATE_LABELS = {s.value: s.label for s in rules.State}
_KIND_LABELS = {k.value: k.label for k in sla.ViolationKind}


def violation_rows(desk: Desk, first: date, last: date) -> list[dict[str, Any]]:
    """This station's recorded violations whose deadline passed from ``first`` to ``last``
    (inclusive), oldest deadline first, with fine, state and appeal."""
    tz = desk.config.tz
    start, end = day_range(first, last, tz)
    with desk.db.read() as conn:
        rows = reads.violation_report_rows(conn, desk.station.code, start, end)
    out: list[dict[str, Any]] = []
    sources: dict[str, str] = {}  # a handful of data sources: each cleaned once
    for (_id, kind, fine, state, station, deadline, at, until, _notice, _note, number, waybill, source, _ot,
         appeal_note) in rows:
        deadline_local = from_db(deadline).astimezone(tz)
        out.append({
            "day": deadline_local.date(),
            "logistics_no": clean_text(number),
            "waybill_no": clean_text(waybill),
            "source": sources.get(source) or sources.setdefault(source, clean_text(source)),
            "kind": kind,
            "kind_label": _KIND_LABELS[kind],
            "fine": fine,
            "state": state,
            "state_label": _STATE_LABELS.get(state, state),
            "station": station,
            "deadline": deadline_local,
            "at": from_db(at).astimezone(tz) if at else None,
            "pending": at is None,
            "appeal_until": from_db(until).astimezone(tz) if until else None,
            "appealed": state in APPEALED or appeal_note is not None,
            "appeal_note": clean_text(appeal_note) if appeal_note else "",
        })
    return out
