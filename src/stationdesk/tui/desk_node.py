"""What screens and dialogs have of the desk: its state to read (the host) and its language, and
the messages they post to ask the app for something."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.notifications import SeverityLevel

from stationdesk.tui.messages import RunJob, Say, post_up

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from stationdesk.tui.host import DeskHost


class DeskNode:
    """Mixed into Screen classes (and widgets) of the desk, whose ``app`` is the desk's host."""

    @property
    def host(self) -> DeskHost:
        return cast("DeskHost", self.app)  # type: ignore[attr-defined]  # the mixin's class is a Textual node

    @property
    def lang(self) -> str:
        return self.host.lang

    def say(self, text: str, severity: SeverityLevel = "information") -> None:
        post_up(cast("MessagePump", self), Say(text, severity))  # the mixin's class is a Textual node

    def run_job(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
                failed: Callable[[str], None] | None = None, group: str = "db", exclusive: bool = False) -> None:
        """``fn(*args)`` in a worker thread, run by the app; ``done`` gets its result here."""
        post_up(cast("MessagePump", self), RunJob(fn, args, done=done, failed=failed, group=group, exclusive=exclusive))
