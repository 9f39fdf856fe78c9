"""The open sync conflicts as the desk shows them, and closing one: what 同步冲突 (F9) lists and
what its 处理冲突 dialog runs, below both of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

from stationdesk.domain.text import clean_text
from stationdesk.services.context import Desk
from stationdesk.services.outcome import Outcome
from stationdesk.tui.data import local_text
from stationdesk.tui.i18n import LABELS, action_label, status_label, tr

COLUMNS = ("no", "logistics_no", "kind", "action", "hq", "detected", "message")
MESSAGE_CELLS = 44  # the table shows the start of the message; the line under it shows it whole


def word(key: str, lang: str, **values: object) -> str:
    """The words of this screen, from the desk's one catalogue (stationdesk.tui.i18n)."""
    return tr(f"conflicts.{key}", lang, **values)


@dataclass(frozen=True)
class ConflictView:
    """One open conflict as shown: cleaned cells, the whole message, the local order if any."""

    id: int
    order_id: int | None
    ref: str
    cells: dict[str, str]
    message: str


def _short(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells - 1:
            break
        out += ch
    return out + "…"


def to_view(row: dict[str, Any], order_id: int | None, desk: Desk, lang: str) -> ConflictView:
    ref = clean_text(row["logistics_no"])
    kind = row["kind"]
    hq = " ".join(p for p in (status_label(clean_text(row["hq_status"]), lang), clean_text(row["hq_station"])) if p)
    message = clean_text(row["message"])
    cells = {
        "no": str(row["id"]),
        "logistics_no": ref,
        "kind": word(f"kind.{kind}", lang) if f"conflicts.kind.{kind}" in LABELS else clean_text(kind),
        "action": action_label(clean_text(row["action"]), lang),
        "hq": hq or "-",
        "detected": local_text(row["detected_at"], desk.config.tz),
        "message": _short(message, MESSAGE_CELLS),
    }
    return ConflictView(row["id"], order_id, ref, cells, message)


def load_conflicts(desk: Desk, lang: str) -> list[ConflictView]:
    """The open conflicts with the local order of each (it may have arrived after the conflict)."""
    from stationdesk.store import queries
    from stationdesk.sync import station

    rows = station.list_conflicts(desk.db)
    missing = sorted({r["logistics_no"] for r in rows if r["order_id"] is None})
    found: dict[tuple[str, str], int] = {}
    if missing:
        with desk.db.read() as conn:
            found = {(o["source"], o["logistics_no"]): o["id"] for o in queries.orders_with_logistics_nos(conn, missing)}
    return [to_view(r, r["order_id"] or found.get((r["source"], r["logistics_no"])), desk, lang) for r in rows]


def load_chain_problem(desk: Desk) -> str | None:
    from stationdesk.sync import station

    return station.chain_problem(desk.db)


def resolve(desk: Desk, conflict_id: int, note: str, operator: str, lang: str) -> Outcome:
    """The sync service's resolve, as a use case the dialog runs in a worker."""
    from stationdesk.sync import station

    row = station.resolve_conflict(desk.db, conflict_id, note, operator, desk.now())
    return Outcome(word("resolved", lang, id=conflict_id, ref=clean_text(row["logistics_no"])))
