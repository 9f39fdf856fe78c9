"""违规申诉 from F8: pick a fine of a penalty notice whose 3 days are still running, write why."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from stationdesk.domain.sla import ViolationKind
from stationdesk.domain.text import clean_text
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import tr

MAX_NOTE = 500

def word(key: str, lang: str, **values: object) -> str:
    """The words of this dialog, from the desk's one catalogue (stationdesk.tui.i18n)."""
    return tr(f"appeal.{key}", lang, **values)


class AppealDialog(ActionDialog):
    """``choices`` are the appealable fines: {logistics_no, kind, fine, time_left}."""

    def __init__(self, choices: list[dict[str, Any]]) -> None:
        self.choices = choices
        super().__init__("")

    def dialog_title(self) -> str:
        return word("title", self.lang)

    def compose_fields(self) -> ComposeResult:
        if not self.choices:
            yield Static(Text(word("none", self.lang)))
            return
        lines = []
        for i, c in enumerate(self.choices, start=1):
            kind = ViolationKind(c["kind"])
            label = kind.label_en if self.lang == "en" else kind.label
            lines.append(f"{i:>2}. {clean_text(c['logistics_no'])}  {label}  {c['fine']}元  ({c['time_left']})")
        yield Static(Text("\n".join(lines)))
        yield Static(Text(word("hint", self.lang)), classes="dialog-hint")
        yield Input(placeholder=word("pick", self.lang), max_length=4, compact=True, id="pick")
        yield Input(placeholder=word("note", self.lang), max_length=MAX_NOTE, compact=True, id="note")

    def on_mount(self) -> None:
        super().on_mount()
        if self.choices:
            self.query_one("#pick", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "pick":
            self.query_one("#note", Input).focus()
        else:
            self.submit()

    def submit(self) -> None:
        from stationdesk.services.appeal import appeal

        if not self.choices:
            self.dismiss(None)
            return
        raw = self.query_one("#pick", Input).value.strip()
        if not raw.isdigit() or not 1 <= int(raw) <= len(self.choices):
            self.show_error(word("bad_pick", self.lang, n=len(self.choices)))
            return
        note = clean_text(self.query_one("#note", Input).value)
        if not note:
            self.show_error(word("required", self.lang))
            return
        chosen = self.choices[int(raw) - 1]
        host = self.host
        self.run_service(appeal, host.desk, chosen["logistics_no"], chosen["kind"], note, host.operator)

    def unsaved(self) -> list[str]:
        if self.choices and (self.query_one("#note", Input).value.strip() or self.query_one("#pick", Input).value.strip()):
            return [word("unsaved", self.lang)]
        return []
