"""The one warning area: 您还有未接订单,请尽快操作! with the counts as they are now, and the orders
about to pass their accept deadline (订单即将接单超时), under the status bar of every desk screen
until the clerk acknowledges them or the orders are answered. It is redrawn in place: a new
check or a new count changes its text, never adds a second one."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widget import Widget

if TYPE_CHECKING:
    from stationdesk.tui.host import DeskHost


class AlertBar(Widget):
    DEFAULT_CSS = "AlertBar { height: auto; max-height: 3; display: none; }"

    @property
    def host(self) -> DeskHost:
        return cast("DeskHost", self.app)

    def lines(self) -> list[str]:
        """What the area says now: nothing when no alert waits for the clerk."""
        return self.host.alerts.lines()

    def update_shown(self) -> None:
        self.display = bool(self.lines())
        self.refresh(layout=True)

    def on_mount(self) -> None:
        self.update_shown()

    def render(self) -> Text:
        lines = self.lines()
        text = Text(end="")
        for i, line in enumerate(lines):
            if i:
                text.append("\n")
            text.append(line, style="bold" if i == 0 else "")
        return text
