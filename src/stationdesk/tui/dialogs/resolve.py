"""处理冲突: close one sync conflict with a note saying which new action settled it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from stationdesk.domain.text import clean_text
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import tr

if TYPE_CHECKING:
    from stationdesk.tui.conflict_views import ConflictView

MAX_RESOLUTION = 500  # what the conflict table keeps


def word(key: str, lang: str, **values: object) -> str:
    """The words of this screen, from the desk's one catalogue (stationdesk.tui.i18n)."""
    return tr(f"resolve.{key}", lang, **values)


class ResolveDialog(ActionDialog):
    def __init__(self, conflict: ConflictView) -> None:
        self.conflict = conflict
        super().__init__("")

    def dialog_title(self) -> str:
        return word("title", self.lang, id=self.conflict.id, ref=self.conflict.ref)

    def compose_fields(self) -> ComposeResult:
        yield Static(Text(self.conflict.message))
        yield Static(Text(word("hint", self.lang)), classes="dialog-hint")
        yield Input(placeholder=word("note", self.lang), max_length=MAX_RESOLUTION, compact=True, id="resolution")

    def on_mount(self) -> None:
        self.query_one("#resolution", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        from stationdesk.tui.conflict_views import resolve

        note = clean_text(self.query_one("#resolution", Input).value)
        if not note:
            self.show_error(word("required", self.lang))
            return
        host = self.host
        self.run_service(resolve, host.desk, self.conflict.id, note, host.operator, self.lang)

    def unsaved(self) -> list[str]:
        if self.query_one("#resolution", Input).value.strip():
            return [word("unsaved", self.lang, title=self.dialog_title())]
        return []
