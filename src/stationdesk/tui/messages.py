"""What the screens, dialogs and widgets ask of the app, as typed messages.

A node posts one of these (``self.post_message``); it bubbles up the DOM to the app, whose
handler does the work: say a word on the message line, run a job in a worker, refresh the
counts after orders changed, take the person who signed in. Nothing below the app calls the
app's own methods: they post, it handles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    from stationdesk.domain.roles import Operator
    from stationdesk.services.outcome import Outcome


class Say(Message):
    """Put ``text`` on the message line (and in a toast when it is not good news)."""

    def __init__(self, text: str, severity: SeverityLevel = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


class ShowOutcome(Message):
    """What a use case did, with its warnings, on the message line."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


class RunJob(Message):
    """Run ``fn(*args)`` in a worker thread; ``done`` gets its result on the UI thread, ``failed``
    the words of its refusal (the app's one result and error handler says them first)."""

    def __init__(self, fn: Callable[..., Any], args: Sequence[Any], *, done: Callable[[Any], None] | None = None,
                 failed: Callable[[str], None] | None = None, group: str = "db", exclusive: bool = False) -> None:
        super().__init__()
        self.fn = fn
        self.args = tuple(args)
        self.done = done
        self.failed = failed
        self.group = group
        self.exclusive = exclusive


class OrdersChanged(Message):
    """Orders may have changed (an action went through, or was refused on a stale list): the
    counts are read again; ``order_ids``, when given, were answered and leave the alert."""

    def __init__(self, order_ids: Sequence[int] | None = None) -> None:
        super().__init__()
        self.order_ids = None if order_ids is None else list(order_ids)


class SyncChanged(Message):
    """Something the sync status shows changed (a conflict closed): read it again."""


class SignedIn(Message):
    """The log-in screen accepted ``who``: the desk opens as them."""

    def __init__(self, who: Operator) -> None:
        super().__init__()
        self.who = who


class FormOpened(Message):
    """A screen or dialog that may hold unsaved input (its ``unsaved()``) is up: the quit key asks first."""

    def __init__(self, form: Any) -> None:
        super().__init__()
        self.form = form


class FormClosed(Message):
    """The form is gone: nothing of it is lost on quitting."""

    def __init__(self, form: Any) -> None:
        super().__init__()
        self.form = form


def post_up(node: MessagePump, message: Message) -> bool:
    """Post ``message`` on ``node`` so that it bubbles all the way up to the app.

    A message names as its sender the node whose handler was running when it was made, and
    Textual stops its bubbling at that node: a list asking for a page while its screen handles
    a filter change would be heard by the screen alone. Here ``node`` itself is the sender."""
    return node.post_message(message.set_sender(node))
