"""同步冲突 (F9): the clashes head office found with this station's actions, open ones only, oldest
first. A conflict is closed by a person saying which new action settled it (the resolve key); the
order itself is never overwritten here. Enter opens the order's 详细数据 when the station has it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from stationdesk.domain.text import clean_text
from stationdesk.keymap import keys_of
from stationdesk.services.context import Desk
from stationdesk.services.outcome import Outcome
from stationdesk.tui.data import local_text
from stationdesk.tui.i18n import LABELS, action_label, status_label, tr
from stationdesk.tui.keys import bind, key_display
from stationdesk.tui.screens.base import DeskScreen

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


class ConflictsScreen(DeskScreen):
    CONTEXT: ClassVar[str] = "conflicts"
    # Enter belongs to this screen's details, not to the table's own select.
    BINDINGS = [bind("conflicts.resolve"), bind("conflicts.details", priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[ConflictView] | None = None

    def compose_body(self) -> ComposeResult:
        problem = Static(id="chain-problem")  # head office's refusal of this station's history, when there is one
        problem.display = False
        yield problem
        table: DataTable[Text] = DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(Text(word("loading", self.lang)), id="conflict-message")

    def on_mount(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        for key in COLUMNS:
            table.add_column(Text(word(f"col.{key}", self.lang)), key=key)
        table.focus()
        self.reload()

    def heading_parts(self) -> list[str]:
        lang = self.lang
        keys = keys_of(self.desk_app.key_overrides)
        parts = [word("title", lang)]
        if self.views is not None:
            parts.append(word("count", lang, n=len(self.views)))
        parts.append(word("hint", lang, resolve=key_display(keys["conflicts.resolve"]),
                          details=key_display(keys["conflicts.details"])))
        return parts

    def reload(self) -> None:
        app = self.desk_app
        app.jobs.run(load_conflicts, app.desk, self.lang, done=self._show, group="conflicts", exclusive=True)
        app.jobs.run(load_chain_problem, app.desk, done=self._show_problem, group="conflicts-chain", exclusive=True)

    def _show_problem(self, problem: str | None) -> None:
        line = self.query_one("#chain-problem", Static)
        line.display = problem is not None
        if problem is not None:
            line.update(Text(word("chain", self.lang, why=clean_text(problem)), style="bold red"))

    def _show(self, views: list[ConflictView]) -> None:
        table = self.query_one("#conflicts", DataTable)
        keep = table.cursor_row
        self.views = views
        table.clear()
        for v in views:
            table.add_row(*(Text(v.cells[k]) for k in COLUMNS), key=str(v.id))
        if views:
            table.move_cursor(row=min(keep, len(views) - 1))
        self.update_heading()
        self._show_message()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_message()

    def _show_message(self) -> None:
        line = self.query_one("#conflict-message", Static)
        if self.views is None:
            return
        view = self.highlighted
        line.update(Text(view.message if view else word("empty", self.lang)))

    @property
    def highlighted(self) -> ConflictView | None:
        table = self.query_one("#conflicts", DataTable)
        if not self.views or not 0 <= table.cursor_row < len(self.views):
            return None
        return self.views[table.cursor_row]

    def current(self) -> ConflictView | None:
        view = self.highlighted
        if view is None:
            self.desk_app.say(word("none", self.lang), severity="warning")
        return view

    def action_resolve(self) -> None:
        from stationdesk.tui.dialogs.resolve import ResolveDialog  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(ResolveDialog(view), self._after_resolve)

    def _after_resolve(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.reload()
            self.desk_app.sync.refresh_status()

    def action_details(self) -> None:
        from stationdesk.tui.screens.detail import DetailScreen  # opened on demand

        if (view := self.current()) is None:
            return
        if view.order_id is None:
            self.desk_app.say(word("no_order", self.lang, ref=view.ref), severity="warning")
            return
        self.app.push_screen(DetailScreen(view.order_id))
