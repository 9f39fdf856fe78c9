"""The desk's message line and its toasts: the last word said, once.

The line under every screen shows the last confirmation, warning or refusal; a word that is not
good news also shows as a toast, which replaces the one before, so there is never a pile of them
nor a stale one (a 登录失败 once the log-in went through). A refusal is one line in the admin's log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp


class MessageBoard:
    """What the app has said, for one app."""

    def __init__(self, app: StationDeskApp) -> None:
        self.app = app
        self.message: tuple[str, SeverityLevel] = ("", "information")
        self._said = 0  # words said so far: only the last one gets a toast

    def say(self, text: str, severity: SeverityLevel = "information") -> None:
        """Put ``text`` on the message line (and in a notification when it is not good news)."""
        app = self.app
        self.message = (text, severity)
        if severity == "error":  # a refusal or a failure on the desk: one line in the admin's log
            logging.getLogger("stationdesk.desk").warning("refused on the desk (%s): %s", app.operator or "-", text)
        self._said += 1
        app.call_later(self._toast, self._said, text, severity)
        for screen in app.screen_stack:
            for line in screen.query("MessageLine"):
                line.refresh(layout=True)  # a long word takes a second line

    def clear(self) -> None:
        """Another screen: the message line starts empty there (the last word was about the last screen)."""
        if self.message[0]:
            self.message = ("", "information")
            self._said += 1
            self.app.clear_notifications()

    def _toast(self, said: int, text: str, severity: SeverityLevel) -> None:
        if said != self._said:
            return  # something newer was said meanwhile
        app = self.app
        app.clear_notifications()
        for note in app.alerts.reminders:  # the end-of-shift and complaint reminders stay until Esc
            app.notify(**note)
        if severity != "information":
            app.notify(text, severity=severity, timeout=8 if severity == "warning" else 12, markup=False)
