"""A form over the screen that runs one use case and closes only when it succeeded, so a
refusal keeps what the clerk typed and shows the rule's message in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from stationdesk.services.outcome import Outcome

from stationdesk.tui.desk_node import DeskNode
from stationdesk.tui.i18n import tr
from stationdesk.tui.messages import FormClosed, FormOpened, post_up
from stationdesk.tui.keys import bind
from stationdesk.tui.widgets.key_bar import KeyBar



class ActionDialog(DeskNode, ModalScreen[Outcome | None]):
    BINDINGS = [bind("dialog.cancel"), bind("dialog.save")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.dialog_title()), classes="dialog-title")
            yield from self.compose_fields()
            yield Static(classes="dialog-error", id="error")
            yield KeyBar()

    def dialog_title(self) -> str:
        return self.title_text

    def compose_fields(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        post_up(self, FormOpened(self))

    def on_unmount(self) -> None:
        self.app.post_message(FormClosed(self))  # this dialog's own queue is closing

    def show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(Text(text))
        self.query_one("#error").set_class(bool(text), "-shown")

    def run_service(self, fn: Callable[..., Outcome], *args: Any) -> None:
        """Run the use case in a worker; close with its Outcome, or stay open with its refusal."""
        if self.busy:
            return
        self.busy = True
        self.show_error(tr("working", self.lang))
        self.run_job(fn, *args, done=self.dismiss, failed=self._failed)

    def _failed(self, text: str) -> None:
        self.busy = False
        self.show_error(text)

    def submit(self) -> None:
        """Check the input and run the use case."""

    def action_submit(self) -> None:
        self.submit()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def unsaved(self) -> list[str]:
        return []
