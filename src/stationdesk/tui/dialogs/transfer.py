"""转单: choose the station that serves the order's district (pre-selected), any other station
by code or name, or the data center when the right station cannot be determined."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stationdesk.domain.routing import Station
from stationdesk.domain.text import clean_text
from stationdesk.services import transfer
from stationdesk.tui.data import OrderView
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import bind

MAX_SHOWN = 50


class TransferDialog(ActionDialog):
    BINDINGS = [bind("dialog.down"), bind("dialog.up")]

    def __init__(self, view: OrderView) -> None:
        super().__init__("")
        self.view = view
        self.suggested: str | None = None

    def dialog_title(self) -> str:
        self.title_text = tr("transfer.title", self.lang, ref=self.view.ref)
        return self.title_text

    def compose_fields(self) -> ComposeResult:
        host = self.host
        district = clean_text(self.view.row["sender_district"])
        suggested = clean_text(self.view.row["suggested_station"]) or None
        if suggested is None:
            routed = host.desk.directory.route(district)
            suggested = routed.code if routed is not None and routed.code != host.desk.station.code else None
        self.suggested = suggested
        yield Static(Text(tr("transfer.where", self.lang, district=district or "-", suggested=suggested or "-")))
        yield Input(placeholder=tr("transfer.search", self.lang), id="search", max_length=40, compact=True)
        yield OptionList(id="stations")
        yield Static(Text(tr("transfer.pick", self.lang)), classes="dialog-hint")

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#search", Input).focus()

    def candidates(self, text: str) -> list[Station]:
        desk = self.host.desk
        found = [s for s in desk.directory.search(text) if s.code != desk.station.code]
        dc = desk.directory.datacenter
        if dc is not None and dc not in found:
            found.append(dc)  # always on offer: for orders whose station cannot be determined
        if self.suggested:
            found.sort(key=lambda s: s.code != self.suggested)
        return found[:MAX_SHOWN]

    def fill(self, text: str) -> None:
        options = self.query_one("#stations", OptionList)
        options.clear_options()
        stations = self.candidates(text)
        for s in stations:
            label = Text(f"{s.code}  {s.name}")
            if s.districts:
                label.append(f"  ({' '.join(sorted(s.districts))})", style="dim")
            if s.code == self.suggested:
                label.append(f"  [{tr('transfer.suggested', self.lang)}]", style="bold")
            options.add_option(Option(label, id=s.code))
        if stations:
            options.highlighted = 0
        self.show_error("" if stations else tr("transfer.none", self.lang))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.submit()

    def action_next_option(self) -> None:
        self.query_one("#stations", OptionList).action_cursor_down()

    def action_previous_option(self) -> None:
        self.query_one("#stations", OptionList).action_cursor_up()

    def chosen(self) -> str | None:
        options = self.query_one("#stations", OptionList)
        if options.highlighted is None or options.option_count == 0:
            return None
        return options.get_option_at_index(options.highlighted).id

    def submit(self) -> None:
        code = self.chosen()
        if code is None:
            self.show_error(tr("transfer.none", self.lang))
            return
        if (question := self.unsupported(code)) is not None:
            from stationdesk.tui.dialogs.confirm import ConfirmDialog  # opened on demand

            self.app.push_screen(ConfirmDialog(*question, purpose="wrong_transfer"),
                                 lambda yes: self._transfer(code) if yes else None)
            return
        self._transfer(code)

    def unsupported(self, code: str) -> tuple[str, list[str]] | None:
        """The question to ask before a transfer the directory does not support (the district is
        served by another station, or by no known one): head office fines a wrong transfer."""
        from stationdesk.domain.sla import ViolationKind

        desk = self.host.desk
        target = desk.directory.get(code)
        if target.is_datacenter:
            return None  # where an order goes when its station cannot be determined
        district = clean_text(self.view.row["sender_district"])
        routed = desk.directory.route(district)
        if routed is not None and routed.code == code:
            return None
        served = (tr("transfer.served_by", self.lang, code=routed.code, name=routed.name) if routed is not None
                  else tr("transfer.served_by_none", self.lang))
        return (tr("transfer.confirm_wrong", self.lang, code=code, district=district or "-"),
                [served, tr("transfer.fine", self.lang, fine=ViolationKind.LATE_TRANSFER.fine)])

    def _transfer(self, code: str) -> None:
        host = self.host
        self.run_service(transfer.transfer, host.desk, self.view.id, code, host.operator)

    def unsaved(self) -> list[str]:
        return []
