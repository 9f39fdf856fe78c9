"""更正客户信息: record the corrected name, phone, district, address or note with the reason,
through the same use case as `stationdesk orders correct`. The phone is never pre-filled (that
would show the full number without the audited reveal): it is typed only when it changes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from stationdesk.domain.masking import mask_phone
from stationdesk.domain.text import clean_text
from stationdesk.services.correct import MAX_REASON, correct_info
from stationdesk.tui.data import OrderView
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import tr

# (order column, label key, input length)
FIELDS = (("sender_name", "f.sender_name", 50), ("sender_phone", "f.sender_phone", 20),
          ("sender_district", "f.sender_district", 64), ("sender_address", "f.sender_address", 200),
          ("note", "f.note", 500))


class CorrectDialog(ActionDialog):
    def __init__(self, view: OrderView) -> None:
        super().__init__("")
        self.view = view
        self.initial = {name: ("" if name == "sender_phone" else clean_text(view.row[name])) for name, _, _ in FIELDS}

    def dialog_title(self) -> str:
        self.title_text = tr("correct.title", self.lang, ref=self.view.ref)
        return self.title_text

    def compose_fields(self) -> ComposeResult:
        lang = self.lang
        yield Static(Text(tr("correct.hint", lang)), classes="dialog-hint")
        for name, label, length in FIELDS:
            if name == "sender_phone":
                text = tr("correct.phone", lang, masked=mask_phone(self.view.row["sender_phone"]) or "-")
            else:
                text = tr(label, lang)
            yield Static(Text(text))
            yield Input(value=self.initial[name], max_length=length, compact=True, id=f"c-{name}")
        yield Static(Text(tr("correct.reason", lang)))
        yield Input(max_length=MAX_REASON, compact=True, id="c-reason")

    def on_mount(self) -> None:
        self.query_one("#c-sender_address", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "c-reason":
            self.submit()
        else:
            self.focus_next()

    def changes(self) -> dict[str, str]:
        out = {}
        for name, _, _ in FIELDS:
            value = self.query_one(f"#c-{name}", Input).value
            if value.strip() != self.initial[name].strip() and (name != "sender_phone" or value.strip()):
                out[name] = value
        return out

    def submit(self) -> None:
        fields = self.changes()
        reason = self.query_one("#c-reason", Input).value.strip()
        if not fields:
            self.show_error(tr("correct.nothing", self.lang))
            return
        if not reason:
            self.show_error(tr("correct.no_reason", self.lang))
            self.query_one("#c-reason", Input).focus()
            return
        host = self.host
        self.run_service(correct_info, host.desk, self.view.id, fields, host.operator, reason)

    def unsaved(self) -> list[str]:
        if self.changes():
            return [tr("unsaved.dialog", self.lang, title=self.title_text)]
        return []
