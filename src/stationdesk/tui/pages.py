"""Where an order list's pages come from: the open store, read in a worker; or, at the fast
start, the glance first, then the file read with sqlite3 alone (EarlyReads) until the store is open.

An OrderList asks its source for a page or a count and gets the answer in ``done``; it does not
know whether the store is open yet. The app makes the source and tells it when the store opens.
Every page is read by the same loaders through the same SQL (store.reads) either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from textual.message_pump import MessagePump

from stationdesk.tui.data import PageRequest, PageResult, Reading, glance_page
from stationdesk.tui.messages import RunJob, post_up

if TYPE_CHECKING:
    from stationdesk.config import Config
    from stationdesk.services.context import Desk
    from stationdesk.store.glance import Glance


class EarlyReads:
    """What the desk reads through while its store opens: the glance's own sqlite3 connection, one
    read at a time, and from the moment the store is open (``opened``) the store's. It has ``db``
    and ``config`` as a Desk has them, so the loaders of stationdesk.tui.data take either; nothing
    that writes takes it."""

    def __init__(self, glance: Glance, config: Config) -> None:
        self.config = config
        self._glance = glance
        self._desk: Desk | None = None
        self._lock = threading.Lock()

    @property
    def db(self) -> EarlyReads:
        return self  # ``desk.db.read()``, as the loaders say it

    @contextmanager
    def read(self) -> Iterator[Any]:
        """One read snapshot: on the glance's connection until the store is open, then the store's."""
        with self._lock:
            if self._desk is None:
                with self._glance.read() as conn:
                    yield conn
                return
        with self._desk.db.read() as conn:
            yield conn

    def opened(self, desk: Desk) -> None:
        """The store is open: reads go to it; the glance's connection closes once no read is on it.
        Called from the thread that opened the store (it may wait for a read to finish)."""
        with self._lock:
            self._desk = desk
        self._glance.close()  # after the store's own connections: never the last one to close

LoadPage = Callable[..., PageResult]  # (desk, filter, request, limit, lang)
LoadCount = Callable[..., int]  # (desk, filter)


class PageSource(Protocol):
    def page(self, node: MessagePump, load: LoadPage, f: Any, req: PageRequest, limit: int, lang: str,
             done: Callable[[PageResult], None]) -> None: ...

    def count(self, node: MessagePump, load: LoadCount, f: Any, done: Callable[[int], None]) -> None: ...


class StorePages:
    """Pages and counts read from the open store: ``node`` posts the job, the app runs it in a
    worker (one at a time per list: a newer request replaces an older one)."""

    def __init__(self, desk: Callable[[], Reading]) -> None:
        self._desk = desk

    def page(self, node: MessagePump, load: LoadPage, f: Any, req: PageRequest, limit: int, lang: str,
             done: Callable[[PageResult], None]) -> None:
        post_up(node, RunJob(load, (self._desk(), f, req, limit, lang), done=done,
                                 group=f"page-{id(node)}", exclusive=True))

    def count(self, node: MessagePump, load: LoadCount, f: Any, done: Callable[[int], None]) -> None:
        post_up(node, RunJob(load, (self._desk(), f), done=done, group=f"count-{id(node)}", exclusive=True))


class StartPages:
    """The fast start's source: what the glance holds at once, the rest read through ``early``
    (the file, with sqlite3 alone) until the store is open (``opened``); from then on every
    request goes to the store."""

    def __init__(self, glance: Glance, tz: tzinfo, store: StorePages, early: EarlyReads) -> None:
        self._glance = glance
        self._tz = tz
        self._store = store
        self._early = StorePages(lambda: early)
        self._open = False

    def opened(self) -> None:
        """The store is open: every request from now on goes to it."""
        self._open = True

    def page(self, node: MessagePump, load: LoadPage, f: Any, req: PageRequest, limit: int, lang: str,
             done: Callable[[PageResult], None]) -> None:
        if self._open:
            self._store.page(node, load, f, req, limit, lang, done)
        elif (early := glance_page(self._glance, f, req, limit, self._tz, lang)) is not None:
            done(early)
        else:
            self._early.page(node, load, f, req, limit, lang, done)

    def count(self, node: MessagePump, load: LoadCount, f: Any, done: Callable[[int], None]) -> None:
        if self._open:
            self._store.count(node, load, f, done)
        elif (total := self._glance.count(f)) is not None:
            done(total)
        else:
            self._early.count(node, load, f, done)
