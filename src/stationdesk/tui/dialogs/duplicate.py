"""重复下单?: fail the later order as a duplicate (接单失败, reason 重复下单) or clear the flag when
the customer really placed both orders."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from stationdesk.services import duplicates
from stationdesk.tui.data import OrderView
from stationdesk.tui.dialogs.base import ActionDialog
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import bind


class DuplicateDialog(ActionDialog):
    BINDINGS = [bind("dialog.down"), bind("dialog.up")]

    def __init__(self, view: OrderView) -> None:
        super().__init__("")
        self.view = view

    def dialog_title(self) -> str:
        self.title_text = tr("dup.title", self.lang, ref=self.view.ref, earlier=self.view.duplicate_of or "-")
        return self.title_text

    def compose_fields(self) -> ComposeResult:
        yield Static(Text(tr("dup.hint", self.lang)), classes="dialog-hint")
        yield OptionList(Option(Text(tr("dup.fail", self.lang)), id="fail"),
                         Option(Text(tr("dup.clear", self.lang)), id="clear"), id="choices")

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choice = choices.get_option_at_index(choices.highlighted or 0).id
        host = self.host
        if choice == "fail":
            self.run_service(duplicates.fail_as_duplicate, host.desk, self.view.id, host.operator)
        else:
            self.run_service(duplicates.clear_duplicate, host.desk, self.view.id, host.operator)

    def action_next_option(self) -> None:
        self.query_one("#choices", OptionList).action_cursor_down()

    def action_previous_option(self) -> None:
        self.query_one("#choices", OptionList).action_cursor_up()
