"""同步冲突 (F9): the clashes head office found with this station's actions, open ones only, oldest
first. A conflict is closed by a person saying which new action settled it (the resolve key); the
order itself is never overwritten here. Enter opens the order's 详细数据 when the station has it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from stationdesk.domain.text import clean_text
from stationdesk.keymap import keys_of
from stationdesk.services.outcome import Outcome
from stationdesk.tui.conflict_views import COLUMNS, ConflictView, load_chain_problem, load_conflicts, word
from stationdesk.tui.keys import bind, key_display
from stationdesk.tui.messages import SyncChanged, post_up
from stationdesk.tui.screens.base import DeskScreen


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
        keys = keys_of(self.host.key_overrides)
        parts = [word("title", lang)]
        if self.views is not None:
            parts.append(word("count", lang, n=len(self.views)))
        parts.append(word("hint", lang, resolve=key_display(keys["conflicts.resolve"]),
                          details=key_display(keys["conflicts.details"])))
        return parts

    def reload(self) -> None:
        host = self.host
        self.run_job(load_conflicts, host.desk, self.lang, done=self._show, group="conflicts", exclusive=True)
        self.run_job(load_chain_problem, host.desk, done=self._show_problem, group="conflicts-chain", exclusive=True)

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
            self.say(word("none", self.lang), severity="warning")
        return view

    def action_resolve(self) -> None:
        from stationdesk.tui.dialogs.resolve import ResolveDialog  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(ResolveDialog(view), self._after_resolve)

    def _after_resolve(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.reload()
            post_up(self, SyncChanged())

    def action_details(self) -> None:
        from stationdesk.tui.screens.detail import DetailScreen  # opened on demand

        if (view := self.current()) is None:
            return
        if view.order_id is None:
            self.say(word("no_order", self.lang, ref=view.ref), severity="warning")
            return
        self.app.push_screen(DetailScreen(view.order_id))
