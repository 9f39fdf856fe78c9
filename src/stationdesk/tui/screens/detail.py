"""详细数据: every field of one order and its full history. The phone stays masked until the
clerk asks for it with the reveal key; every reveal is written to the access log (who, when,
which order) before the number is drawn."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from stationdesk.domain.text import clean_text
from stationdesk.keymap import keys_of
from stationdesk.services.operators import record_access
from stationdesk.services.outcome import Outcome
from stationdesk.services.views import OrderView, detail_fields, event_lines, to_view
from stationdesk.tui import order_actions
from stationdesk.tui.data import Detail, load_detail
from stationdesk.tui.i18n import tr
from stationdesk.tui.messages import OrdersChanged, post_up
from stationdesk.tui.keys import bind, key_display
from stationdesk.tui.screens.base import DeskScreen, ListScreen


class DetailScreen(DeskScreen):
    CONTEXT: ClassVar[str] = "detail"
    TITLE_KEY: ClassVar[str] = "screen.detail"
    BINDINGS = [bind("detail.reveal"), bind("detail.close"), bind("detail.accept"), bind("detail.pickup"),
                bind("detail.transfer"), bind("detail.fail")]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.detail: Detail | None = None
        self.reveal = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(Text(tr("detail.loading", self.lang)), id="fields")
            yield Static(id="history")

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.reload()

    def reload(self) -> None:
        host = self.host
        self.run_job(load_detail, host.desk, self.order_id, done=self._loaded)

    def _loaded(self, detail: Detail) -> None:
        self.detail = detail
        self.update_heading()
        self.draw()

    def heading_parts(self) -> list[str]:
        parts = [tr(self.TITLE_KEY, self.lang)]
        if self.detail is not None:
            parts.append(clean_text(self.detail.row["logistics_no"]))
        key = keys_of(self.host.key_overrides)["detail.reveal"]
        parts.append(tr("detail.reveal_hint", self.lang, key=key_display(key)))
        return parts

    def fields(self) -> list[tuple[str, str]]:
        """(label, value) of every field as shown now."""
        if self.detail is None:
            return []
        d = self.detail
        return detail_fields(d.row, d.now, self.host.desk.config.tz, self.lang, tr, reveal=self.reveal)

    def history(self) -> list[tuple[str, str, str, str, str]]:
        """The history lines as shown now."""
        if self.detail is None:
            return []
        return event_lines(self.detail.events, self.host.desk.config.tz, self.lang, reveal=self.reveal)

    def draw(self) -> None:
        if self.detail is None:
            return
        lang = self.lang
        fields = Table.grid(padding=(0, 2))
        fields.add_column(style="bold", no_wrap=True)
        fields.add_column()
        for label, value in self.fields():
            fields.add_row(Text(label), Text(value))
        self.query_one("#fields", Static).update(fields)
        history = Table(title=Text(tr("detail.history", lang)), title_justify="left", expand=True,
                        show_edge=False, box=None, header_style="bold")
        for key in ("h.time", "h.action", "h.operator", "h.status", "h.details"):
            history.add_column(Text(tr(key, lang)), no_wrap=key != "h.details", ratio=3 if key == "h.details" else None)
        for line in self.history():
            history.add_row(*(Text(cell) for cell in line))
        self.query_one("#history", Static).update(history)

    def action_reveal(self) -> None:
        if self.reveal:
            self.reveal = False
            self.draw()
            return
        host = self.host
        self.run_job(record_access, host.desk, host.operator, [self.order_id], "phone", done=self._revealed)

    def _revealed(self, _logged: int) -> None:
        self.reveal = True
        self.draw()

    def action_close(self) -> None:
        self.dismiss()

    # -- acting on the order shown, through the same use cases as the lists -----------------

    def view(self) -> OrderView | None:
        if self.detail is None:
            return None
        return to_view(self.detail.row, self.host.desk.config.tz, self.lang, tr)

    def _done(self, outcome: Outcome | None) -> None:
        """The order changed: show it as it is now, and refresh the list under this screen."""
        if outcome is None:
            return
        post_up(self, OrdersChanged(outcome.order_ids))
        self.reload()
        for screen in self.app.screen_stack:
            if isinstance(screen, ListScreen):
                screen.reload()

    def _refused(self, _message: str) -> None:
        self.reload()

    def action_accept(self) -> None:
        if (view := self.view()) is not None:
            order_actions.accept_order(self, view, self._done, self._refused)

    def action_pickup(self) -> None:
        if (view := self.view()) is not None:
            order_actions.confirm_pickup(self, view, self._done)

    def action_transfer(self) -> None:
        if (view := self.view()) is not None:
            order_actions.transfer_order(self, view, self._done)

    def action_fail(self) -> None:
        if (view := self.view()) is not None:
            order_actions.fail_order(self, view, self._done)
