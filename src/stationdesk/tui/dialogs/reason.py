"""接单失败 / 揽收失败: pick a truthful reason from the fixed list, with a note."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stationdesk.domain.errors import ReasonRefused
from stationdesk.domain.reasons import MAX_NOTE_LENGTH, Reason, check_reason
from stationdesk.domain.words import speak
from stationdesk.services.outcome import Outcome
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import reason_label, tr


class ReasonDialog(ActionDialog):
    """``run(reason, note)`` is the use case; it runs in a worker thread."""

    def __init__(self, title: str, run: Callable[[Reason, str | None], Outcome]) -> None:
        super().__init__(title)
        self.run = run

    def compose_fields(self) -> ComposeResult:
        yield Static(Text(tr("reason.pick", self.lang)), classes="dialog-hint")
        yield OptionList(*(Option(Text(reason_label(r.value, self.lang)), id=r.value) for r in Reason), id="reasons")
        yield Input(placeholder=tr("reason.note", self.lang), max_length=MAX_NOTE_LENGTH, compact=True, id="note")

    def on_mount(self) -> None:
        options = self.query_one("#reasons", OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def reason(self) -> Reason:
        options = self.query_one("#reasons", OptionList)
        index = options.highlighted or 0
        return Reason(options.get_option_at_index(index).id)

    def submit(self) -> None:
        reason = self.reason()
        note = self.query_one("#note", Input).value
        try:
            cleaned = check_reason(reason, note)  # the rule itself, before any database work
        except ReasonRefused as exc:
            self.show_error(speak(exc, self.lang))
            self.query_one("#note", Input).focus()
            return
        self.run_service(self.run, reason, cleaned)

    def unsaved(self) -> list[str]:
        if self.query_one("#note", Input).value.strip():
            return [tr("unsaved.dialog", self.lang, title=self.title_text)]
        return []
