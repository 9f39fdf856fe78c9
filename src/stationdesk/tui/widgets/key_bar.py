"""The key bar: every key live on the screen with what it does, wrapped onto as many lines
as the width needs. Words come from the key registry in the screen language."""

from __future__ import annotations

from typing import cast

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widget import Widget

from stationdesk.keymap import ACTIONS, BY_ID
from stationdesk.tui.i18n import LABELS, tr
from stationdesk.tui.keys import key_display

_ORDER = {a.id: i for i, a in enumerate(ACTIONS)}
MAX_LINES = 3
# Rather than drop a key, the bar takes one line more (English words are longer: at 80 columns
# the busiest screen needs it); only past that do keys give way.
LAST_RESORT_LINES = MAX_LINES + 1
# When the keys do not fit, the screen-wide keys give way from the end, except these two: help
# lists every key, and a clerk must always see how to leave.
ALWAYS_SHOWN = ("app.help", "app.quit")


class KeyBar(Widget):
    DEFAULT_CSS = "KeyBar { height: auto; max-height: 4; }"
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--key-disabled", "key-bar--disabled"}

    _raw: dict[str, str] = {}  # key as shown -> key as bound, for clicks
    _hits: list[tuple[int, int, int, str]] = []  # (line, first cell, past last cell, key as shown)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        # the keys change as the focus moves: the screen is laid out again only when the bar
        # needs another number of lines, else it is only drawn again
        width = self.size.width
        self.refresh(layout=not width or len(self.lines(width)) != self.size.height)

    def entries(self) -> list[tuple[str, str, bool]]:
        """(key, description, enabled) for each registry binding live on this screen."""
        return [(key, desc, enabled) for _id, _scope, key, desc, enabled in self._entries()]

    def _entries(self) -> list[tuple[str, str, str, str, bool]]:
        lang = cast(str, getattr(self.app, "lang", "zh"))
        seen: set[str] = set()
        found = []
        for _key, active in self.screen.active_bindings.items():
            binding = active.binding
            entry = BY_ID.get(binding.id or "")
            if entry is None or not entry.show or not binding.show or entry.id in seen:
                continue
            seen.add(entry.id)
            found.append((entry, binding.key, active.enabled))
        found.sort(key=lambda e: (e[0].scope == "app", _ORDER[e[0].id]))
        self._raw = {key_display(key): key.split(",")[0] for _entry, key, _on in found}
        return [(entry.id, entry.scope, key_display(key), entry.description(lang), enabled) for entry, key, enabled in found]

    def lines(self, width: int) -> list[list[tuple[str, str, bool]]]:
        """The entries wrapped to ``width``, in at most MAX_LINES lines: in their short words when
        the full ones take more, then in one line more, and only then without the screen-wide keys
        from the end."""
        entries = self._entries()
        if len(self._wrap([(key, desc, on) for _id, _scope, key, desc, on in entries], width)) > MAX_LINES:
            lang = cast(str, getattr(self.app, "lang", "zh"))
            entries = [(id_, scope, key, tr(f"keyshort.{id_}", lang) if f"keyshort.{id_}" in LABELS else desc, on)
                       for id_, scope, key, desc, on in entries]
        while True:
            lines = self._wrap([(key, desc, enabled) for _id, _scope, key, desc, enabled in entries], width)
            if len(lines) <= LAST_RESORT_LINES:
                return lines
            droppable = [i for i, e in enumerate(entries) if e[1] == "app" and e[0] not in ALWAYS_SHOWN]
            if not droppable:
                return lines[:LAST_RESORT_LINES]
            del entries[droppable[-1]]

    @staticmethod
    def _wrap(entries: list[tuple[str, str, bool]], width: int) -> list[list[tuple[str, str, bool]]]:
        lines: list[list[tuple[str, str, bool]]] = [[]]
        used = 0
        for key, desc, enabled in entries:
            need = cell_len(f"{key} {desc}") + 2
            if lines[-1] and used + need > width:
                lines.append([])
                used = 0
            lines[-1].append((key, desc, enabled))
            used += need
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def on_click(self, event: events.Click) -> None:
        """A click on a key does what pressing it does."""
        for y, x0, x1, shown in self._hits:
            if event.y == y and x0 <= event.x < x1 and shown in self._raw:
                event.stop()
                self.app.simulate_key(self._raw[shown])
                return

    def render(self) -> Text:
        self._hits: list[tuple[int, int, int, str]] = []
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        key_off = self.get_component_rich_style("key-bar--key-disabled", partial=True)
        desc_off = self.get_component_rich_style("key-bar--disabled", partial=True)
        text = Text(no_wrap=True, overflow="crop", end="")
        for n, line in enumerate(self.lines(self.size.width)):
            if n:
                text.append("\n")
            x = 0
            for i, (key, desc, enabled) in enumerate(line):
                if i:
                    text.append("  ")
                    x += 2
                width = cell_len(f"{key} {desc}")
                if enabled:
                    self._hits.append((n, x, x + width, key))
                x += width
                text.append(key, style=key_style if enabled else key_off)
                text.append(" " + desc, style="" if enabled else desc_off)
        return text
