"""帮助: the keys of the screen it was opened from (its own first, then the desk's), the rules the
clerk is held to with their fines, and below them every key of the app, keys as remapped in
config.toml. The keys come from the one key registry; the first two parts fit 80x24."""

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
        for key, what, where, _id in rows:
            table.add_row(Text(key), Text(what), Text(where))
        return table

    def _screen_keys(self) -> Table:
        """This screen's keys in three columns of (key, what): its own first, then the desk's."""
        contexts = SCREEN_CONTEXTS.get(self.context, ("app",))
        actions = [a for a in ACTIONS if a.scope in contexts and a.id not in ("list.up", "list.down", "dialog.up",
                                                                              "dialog.down")]
        actions.sort(key=lambda a: a.scope == "app")
        rows = self.rows(actions)
        per = -(-len(rows) // 3)
        table = Table.grid(padding=(0, 1))
        table.title = Text(tr("help.screen", self.lang), style="bold")
        table.title_justify = "left"
        for _ in range(3):
            table.add_column(no_wrap=True, style="bold")
            table.add_column(no_wrap=True)
        for i in range(per):
            cells: list[Text] = []
            for col in range(3):
                n = col * per + i
                key, what = (rows[n][0], rows[n][1]) if n < len(rows) else ("", "")
                cells += [Text(key), Text(what)]
            table.add_row(*cells)
        return table

    def rules(self) -> list[str]:
        """The rules the clerk is held to, with head office's fines (from the domain's table)."""
        from stationdesk.domain.sla import ViolationKind

        lang = self.lang
        return [tr("help.rule_accept", lang, fine=ViolationKind.LATE_ACCEPT.fine),
                tr("help.rule_pickup", lang, fine=ViolationKind.LATE_PICKUP.fine),
                tr("help.rule_transfer", lang, fine=ViolationKind.LATE_TRANSFER.fine),
                tr("help.rule_reason", lang), tr("help.rule_other", lang, fine=ViolationKind.WRONG_STATION_ACCEPT.fine)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(Text(tr("screen.help", self.lang)), classes="dialog-title")
            yield Static(self._screen_keys(), id="help-screen")
            rules = Text(tr("help.rules", self.lang) + "\n", style="bold")
            rules.append("\n".join(f"- {line}" for line in self.rules()), style="")
            yield Static(rules, id="help-rules")
            yield Static(self._table(tr("help.all", self.lang), self.all_rows()), id="help-all")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
