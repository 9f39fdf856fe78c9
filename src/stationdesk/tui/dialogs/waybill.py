"""揽件确认: the waybill number entry, pre-filled when the order has one, with the reminder for
an online order that came with only a logistics number."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from stationdesk.domain.errors import InvalidWaybill
from stationdesk.domain.fields import BusinessType
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import speak
from stationdesk.services import pickup
from stationdesk.tui.data import OrderView
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import LABELS, business_label, tr


class WaybillDialog(ActionDialog):
    def __init__(self, view: OrderView, title: str) -> None:
        super().__init__(title)
        self.view = view
        self.initial = clean_text(view.row["waybill_no"])

    def compose_fields(self) -> ComposeResult:
        row, lang = self.view.row, self.lang
        desk = self.host.desk
        yield Static(Text(f"{business_label(row['business_type'], lang)}  {clean_text(row['sender_name'])}"))
        if self.initial:
            key, cls = "waybill.has", "dialog-hint"
        elif row["business_type"] == BusinessType.SEND_PARCEL.value:
            key, cls = "waybill.send", "dialog-hint"
        else:
            key, cls = "waybill.remind", "dialog-remind"
        yield Static(Text(tr(key, lang)), classes=cls, id="waybill-note")
        desc = desk.waybill.description  # the station's own words in config.toml; the shipped ones are translated
        if desc == LABELS["waybill.default_desc"][0]:
            desc = tr("waybill.default_desc", lang)
        yield Static(Text(tr("waybill.label", lang, desc=desc)))
        yield Input(value=self.initial, max_length=64, compact=True, id="waybill")

    def on_mount(self) -> None:
        self.query_one("#waybill", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        host = self.host
        typed = self.query_one("#waybill", Input).value
        try:
            number = host.desk.waybill.check(typed, order_ref=self.view.ref) if typed.strip() else None
        except InvalidWaybill as exc:
            self.show_error(speak(exc, self.lang))
            return
        # An empty entry lets the use case give its own message (waybill required, with the reminder).
        self.run_service(pickup.confirm_pickup, host.desk, self.view.id, number, host.operator)

    def unsaved(self) -> list[str]:
        if self.query_one("#waybill", Input).value.strip() != self.initial:
            return [tr("unsaved.dialog", self.lang, title=self.title_text)]
        return []
