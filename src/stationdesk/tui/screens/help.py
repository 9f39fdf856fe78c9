"""帮助: the keys of the screen it was opened from, then every key of the app, with the keys
as remapped in config.toml. Everything comes from the one key registry."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from stationdesk.keymap import ACTIONS, SCOPES, SCREEN_CONTEXTS, KeyAction, keys_of
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import bind, key_display
from stationdesk.tui.widgets.key_bar import KeyBar


class HelpScreen(ModalScreen[None]):
    # F1 again closes help as well as Esc.
    BINDINGS = [bind("help.close"), bind("app.help", action="close")]

    def __init__(self, context: str, overrides: dict[str, str], lang: str) -> None:
        super().__init__()
        self.context = context
        self.keys = keys_of(overrides)
        self.lang = lang

    def rows(self, actions: list[KeyAction]) -> list[tuple[str, str, str, str]]:
        """(key, what it does, where, action id) for each action, keys as remapped."""
        lang = self.lang
        return [(key_display(self.keys[a.id]), a.description(lang), SCOPES[a.scope][1 if lang == "en" else 0], a.id)
                for a in actions]

    def screen_rows(self) -> list[tuple[str, str, str, str]]:
        contexts = SCREEN_CONTEXTS.get(self.context, ("app",))
        return self.rows([a for a in ACTIONS if a.scope in contexts])

    def all_rows(self) -> list[tuple[str, str, str, str]]:
        return self.rows(list(ACTIONS))

    def _table(self, title: str, rows: list[tuple[str, str, str, str]]) -> Table:
        lang = self.lang
        table = Table(title=Text(title), title_justify="left", title_style="bold", box=None, header_style="bold",
                      padding=(0, 1))
        table.add_column(Text(tr("help.key", lang)), no_wrap=True)
        table.add_column(Text(tr("help.what", lang)))
        table.add_column(Text(tr("help.where", lang)), no_wrap=True)
        table.add_column(Text(tr("help.id", lang)), no_wrap=True, style="dim")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        return table

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(Text(tr("screen.help", self.lang)), classes="dialog-title")
            yield Static(self._table(tr("help.screen", self.lang), self.screen_rows()), id="help-screen")
            yield Static(self._table(tr("help.all", self.lang), self.all_rows()), id="help-all")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
