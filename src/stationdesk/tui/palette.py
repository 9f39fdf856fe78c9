"""The command palette: every action live on the screen under its own words and key, and the
palette's own words in the screen's language.

Textual's palette says 'No matches found' in English, and only when no provider answers. This
provider answers exactly then, with the words of the desk's catalogue: a line that does nothing
when chosen, so a Chinese desk never shows the English one.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider
from textual.screen import Screen

from stationdesk import keymap
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import ACTION_CALLS, key_display
from stationdesk.tui.screens.base import DeskScreen

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp


def system_commands(app: StationDeskApp, screen: Screen) -> Iterator[SystemCommand]:
    """Every registry action live on ``screen``, under its own words and key."""
    lang = app.lang
    keys = keymap.keys_of(app.key_overrides)
    if not isinstance(screen, DeskScreen):  # a dialog or help: finish or leave it first
        quit_ = keymap.BY_ID["app.quit"]
        yield SystemCommand(f"{quit_.description(lang)} ({key_display(keys[quit_.id])})",
                            tr("palette.anywhere", lang), app.action_request_quit)
        return
    base = screen
    for action in keymap.in_scopes(keymap.SCREEN_CONTEXTS.get(base.CONTEXT, ("app",))):
        if action.id == "app.palette" or action.id in ("filter.close", "list.up", "list.down"):
            continue
        if action.id == "app.ack_alert" and not app.alerts.showing:
            continue
        call = ACTION_CALLS[action.id]
        target: Any = app if action.scope == "app" else base.action_target(action.scope)
        if target is None:
            continue
        if call.startswith("screen."):
            target, call = base, call.removeprefix("screen.")
        title = f"{action.description(lang)} ({key_display(keys[action.id])})"
        where = tr("palette.anywhere" if action.scope == "app" else "palette.this_screen", lang)
        yield SystemCommand(title, where, partial(app.run_action, call, target))


class NoMatchProvider(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, *_ in self.app.get_system_commands(self.screen):
            if matcher.match(name) > 0:
                return  # the system commands answer: nothing to say
        lang = cast(str, getattr(self.app, "lang", "zh"))
        words = tr("palette.none", lang)
        yield Hit(0.01, Text(words, style="not bold"), _nothing, text=words, help=tr("palette.none_help", lang))


def _nothing() -> None:
    """Choosing the 'no matching command' line closes the palette and does nothing else."""
