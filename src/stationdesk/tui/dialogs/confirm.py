"""A yes/no question: Enter confirms, Esc goes back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from stationdesk.tui.keys import bind
from stationdesk.tui.widgets.key_bar import KeyBar


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [bind("dialog.confirm"), bind("dialog.cancel")]

    def __init__(self, question: str, details: list[str] | None = None, *, purpose: str = "") -> None:
        super().__init__()
        self.question = question
        self.details = details or []
        self.purpose = purpose

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            for line in self.details:
                yield Static(Text(line))
            yield KeyBar()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
