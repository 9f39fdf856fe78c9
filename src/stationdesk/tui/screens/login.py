"""操作员登录: the first screen once the station has accounts. Nothing else of the desk is
mounted until a person signs in, and no key leads past it (the app refuses every action but quit)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from stationdesk.domain.roles import Operator
from stationdesk.tui.desk_node import DeskNode
from stationdesk.tui.i18n import tr
from stationdesk.tui.messages import SignedIn, post_up


class LoginScreen(DeskNode, Screen):
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen #login-box { width: 60; height: auto; border: round $primary; padding: 1 2; }
    LoginScreen #login-title { text-style: bold; margin-bottom: 1; }
    LoginScreen #login-message { color: $error; margin-top: 1; height: auto; }
    LoginScreen #login-button { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="login-box"):
            yield Static(f"{tr('login.title', lang)}  {self.host.station.code} {self.host.station.name}",
                         id="login-title", markup=False)
            yield Input(placeholder=tr("login.name", lang), max_length=40, id="login-name")
            yield Input(placeholder=tr("login.password", lang), password=True, max_length=200, id="login-password")
            yield Button(tr("login.button", lang), id="login-button", variant="primary")
            yield Static(tr("login.hint", lang), id="login-hint", markup=False)
            yield Static("", id="login-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#login-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.query_one("#login-name", Input)
        if event.input is name or not name.value.strip():
            name.focus() if not name.value.strip() else self.query_one("#login-password", Input).focus()
            return
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        name = self.query_one("#login-name", Input)
        if not name.value.strip():
            name.focus()
            return
        self._submit()

    def _submit(self) -> None:
        from stationdesk.services.operators import authenticate  # the store is open before any key is handled

        name = self.query_one("#login-name", Input)
        password = self.query_one("#login-password", Input)
        secret, password.value = password.value, ""  # the typed password is not kept on screen
        self.show(tr("login.checking", self.lang))
        host = self.host
        self.run_job(authenticate, host.desk, name.value, secret, done=self._signed_in, failed=self._refused,
                     group="login", exclusive=True)

    def show(self, text: str) -> None:
        self.query_one("#login-message", Static).update(text)

    def _signed_in(self, who: Operator) -> None:
        post_up(self, SignedIn(who))

    def _refused(self, message: str) -> None:
        self.show(message)
        self.query_one("#login-password", Input).focus()
