"""One form for the follow-ups of an order: pick from zero, one or two lists (the kind of a
logistics exception; a complaint's channel and category) and write the note, outcome or the
customer's confirmation. The rule's own check runs in the use case; a refusal keeps the input."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stationdesk.domain.exceptions import MAX_NOTE
from stationdesk.services.outcome import Outcome
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import tr

Choices = Sequence[tuple[str, str]]  # (value, words shown)


class FollowUpDialog(ActionDialog):
    """``run(*picked, note)`` is the use case; it runs in a worker thread."""

    def __init__(self, title: str, groups: Sequence[tuple[str, Choices]], note_label: str,
                 run: Callable[..., Outcome]) -> None:
        super().__init__(title)
        self.groups = groups
        self.note_label = note_label
        self.run = run

    def compose_fields(self) -> ComposeResult:
        for i, (label, choices) in enumerate(self.groups):
            yield Static(Text(label), classes="dialog-hint")
            yield OptionList(*(Option(Text(words), id=value) for value, words in choices), id=f"choice-{i}")
        yield Static(Text(self.note_label))
        yield Input(max_length=MAX_NOTE, compact=True, id="note")

    def on_mount(self) -> None:
        for options in self.query(OptionList):
            options.highlighted = 0
        first = self.query(OptionList)
        (first.first() if first else self.query_one("#note", Input)).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def picked(self) -> list[str]:
        out = []
        for i in range(len(self.groups)):
            options = self.query_one(f"#choice-{i}", OptionList)
            out.append(str(options.get_option_at_index(options.highlighted or 0).id))
        return out

    def submit(self) -> None:
        self.run_service(self.run, *self.picked(), self.query_one("#note", Input).value)

    def unsaved(self) -> list[str]:
        if self.query_one("#note", Input).value.strip():
            return [tr("unsaved.dialog", self.lang, title=self.title_text)]
        return []
