"""网点未揽收查询: a placeholder until the unscanned report is built (it is a later piece of work)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from stationdesk.tui.i18n import tr
from stationdesk.tui.screens.base import DeskScreen


class UnscannedScreen(DeskScreen):
    CONTEXT: ClassVar[str] = "unscanned"
    TITLE_KEY: ClassVar[str] = "screen.unscanned"

    def compose_body(self) -> ComposeResult:
        yield Static(Text(tr("unscanned.body", self.lang)), id="placeholder")
