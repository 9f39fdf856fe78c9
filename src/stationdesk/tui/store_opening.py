"""The store opening behind the first screen: in a worker thread, while the keys that need no store act.

Loading SQLAlchemy and SQLModel and checking the schema take longer than everything the desk
does before its first paint. Done on the UI thread, they freeze the screen a clerk is already
looking at: F2 pressed at the first paint would wait the whole time for a screen that reads
nothing but the file. So the store opens in a thread; meanwhile the keys listed here act at once
(moving between the list screens, moving in a list, typing into the query screen's fields: all
read through store.reads on the file), and any other key is held, with every key after it, until
the store is open (stationdesk.tui.key_hold). Nothing that writes runs before the store is open.

The thread and the screen share one interpreter (one runs Python at a time), so the thread gives
way: before each module it imports (Python's "import" audit event) it waits while the desk is
handling a key (Courtesy), for at most YIELD_AT_MOST in all, so a clerk typing without a pause
still gets a store.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.message import Message
from textual.widgets import Input, Select

if TYPE_CHECKING:
    from stationdesk.services.context import Desk
    from stationdesk.tui.app import Opening
    from stationdesk.tui.pages import EarlyReads

# Keys of the registry (stationdesk.keymap) that act before the store is open: each reads, never writes.
WITHOUT_STORE = frozenset({
    "app.query", "app.accept",  # between the two screens that read through store.reads
    "list.down", "list.up", "list.page_down", "list.page_up", "list.first", "list.last",  # pages: store.reads
    "list.filter", "filter.close",  # into the filters and back
})

# What the open desk loads next (the status line's sync state, the alert's scheduler, the session):
# imported in the opening thread, so the UI thread does not stop for them once the store is open.
LOADED_NEXT = ("stationdesk.alerts.job", "stationdesk.sync.station", "stationdesk.services.sessions",
               "stationdesk.services.damage")


YIELD_AT_MOST = 1.5  # seconds the opening waits for keys in all, then it goes on regardless
WAIT_AT_MOST = 0.5  # seconds it waits at one module (the screen may be waiting for that very module)


class Courtesy:
    """Whether the desk is handling a key (``busy``), and the opening thread's wait for it to finish."""

    def __init__(self) -> None:
        self._quiet = threading.Event()
        self._quiet.set()
        self.waited = 0.0  # seconds the opening has waited so far

    def busy(self, busy: bool) -> None:
        if busy:
            self._quiet.clear()
        else:
            self._quiet.set()

    def give_way(self) -> None:
        """In the opening thread: wait while a key is being handled (within the limits above)."""
        if self._quiet.is_set() or self.waited >= YIELD_AT_MOST:
            return
        started = time.monotonic()
        self._quiet.wait(min(WAIT_AT_MOST, YIELD_AT_MOST - self.waited))
        self.waited += time.monotonic() - started


_giving_way: dict[int, Courtesy] = {}  # the opening threads (by id) and what they give way to
_hooked: list[bool] = []


def _on_audit(event: str, _args: tuple[object, ...]) -> None:
    # "import" is raised before a module is looked for, with no import lock held but its parents'
    if event == "import" and _giving_way:
        courtesy = _giving_way.get(threading.get_ident())
        if courtesy is not None:
            courtesy.give_way()


def _give_way_in_this_thread(courtesy: Courtesy | None) -> None:
    """From now on, before each module this thread imports, it gives way (None: no longer)."""
    if courtesy is None:
        _giving_way.pop(threading.get_ident(), None)
        return
    if not _hooked:  # an audit hook stays for the life of the process: one, idle unless a store opens
        sys.addaudithook(_on_audit)
        _hooked.append(True)
    _giving_way[threading.get_ident()] = courtesy


class StoreOpened(Message):
    """The store opened (``desk``), or could not (``error``)."""

    def __init__(self, desk: Desk | None, error: Exception | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.error = error


def open_store(app: App[None], opening: Opening, early: EarlyReads | None, courtesy: Courtesy | None = None) -> None:
    """Open the store and tell ``app`` (run in a worker thread), giving way to the keys being
    handled meanwhile (``courtesy``). A failure to open is told, not raised; the desk is told it
    is open even if what follows the opening fails (that error is the worker's, said by the app)."""
    _give_way_in_this_thread(courtesy)
    try:
        desk = opening.open()
    except Exception as exc:  # noqa: BLE001 - a refusal is said by the command, anything else raised by it
        _give_way_in_this_thread(None)
        opening.glance.close()
        app.post_message(StoreOpened(None, exc))
        return
    try:
        if early is not None:
            early.opened(desk)  # reads go to the store; the glance closes after its last read
        else:
            opening.glance.close()  # after the store's own connections: never the last one to close
        for module in LOADED_NEXT:
            importlib.import_module(module)
    finally:
        _give_way_in_this_thread(None)
        app.post_message(StoreOpened(desk))


class FieldsWithoutStore:
    """Mixed into a screen whose fields (inputs, pick lists) only choose what to read: typing into
    them acts before the store is open."""

    FIELDS_WITHOUT_STORE: ClassVar[bool] = True


def acts_without_store(app: App[None], key: events.Key) -> bool:
    """Whether ``key`` needs no store on the screen shown now: a registry key of WITHOUT_STORE, or
    a key for a field of a screen whose fields need none. Anything else (a use case, a dialog, a
    screen that reads through the store, help, quitting) waits for the store."""
    screen = app.screen
    fields = isinstance(screen, FieldsWithoutStore)
    active = screen.active_bindings.get(key.key)
    if active is None:  # no binding: a character typed into the focused widget, or nothing at all
        return fields and isinstance(app.focused, Input)
    if active.binding.id is not None:
        return active.binding.id in WITHOUT_STORE
    node = active.node
    return fields and (isinstance(node, (Input, Select)) or isinstance(getattr(node, "parent", None), Select))
