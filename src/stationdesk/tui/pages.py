"""Where an order list's pages come from: the open store, read in a worker; or, at the fast
start, the glance first and the store once it is open.

An OrderList asks its source for a page or a count and gets the answer in ``done``; it does not
know whether the store is open yet. The app makes the source and tells it when the store opens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from textual.message_pump import MessagePump

from stationdesk.tui.data import PageRequest, PageResult, glance_page
from stationdesk.tui.messages import RunJob, post_up

if TYPE_CHECKING:
    from stationdesk.services.context import Desk
    from stationdesk.store.glance import Glance

LoadPage = Callable[..., PageResult]  # (desk, filter, request, limit, lang)
LoadCount = Callable[..., int]  # (desk, filter)


class PageSource(Protocol):
    def page(self, node: MessagePump, load: LoadPage, f: Any, req: PageRequest, limit: int, lang: str,
             done: Callable[[PageResult], None]) -> None: ...

    def count(self, node: MessagePump, load: LoadCount, f: Any, done: Callable[[int], None]) -> None: ...


class StorePages:
    """Pages and counts read from the open store: ``node`` posts the job, the app runs it in a
    worker (one at a time per list: a newer request replaces an older one)."""

    def __init__(self, desk: Callable[[], Desk]) -> None:
        self._desk = desk

    def page(self, node: MessagePump, load: LoadPage, f: Any, req: PageRequest, limit: int, lang: str,
             done: Callable[[PageResult], None]) -> None:
        post_up(node, RunJob(load, (self._desk(), f, req, limit, lang), done=done,
                                 group=f"page-{id(node)}", exclusive=True))

    def count(self, node: MessagePump, load: LoadCount, f: Any, done: Callable[[int], None]) -> None:
        post_up(node, RunJob(load, (self._desk(), f), done=done, group=f"count-{id(node)}", exclusive=True))


class StartPages:
    """The fast start's source: what the glance holds at once, the rest from the store once it
    is open (``opened``); from then on every request goes to the store."""

    def __init__(self, glance: Glance, tz: tzinfo, store: StorePages) -> None:
        self._glance = glance
        self._tz = tz
        self._store = store
        self._open = False
        self._waiting: list[Callable[[], None]] = []

    def opened(self) -> None:
        """The store is open: the requests the glance could not answer go to it, in order."""
        self._open = True
        waiting, self._waiting = self._waiting, []
        for call in waiting:
            call()

    def page(self, node: MessagePump, load: LoadPage, f: Any, req: PageRequest, limit: int, lang: str,
             done: Callable[[PageResult], None]) -> None:
        if self._open:
            self._store.page(node, load, f, req, limit, lang, done)
        elif (early := glance_page(self._glance, f, req, limit, self._tz, lang)) is not None:
            done(early)
        else:
            self._waiting.append(lambda: self._store.page(node, load, f, req, limit, lang, done))

    def count(self, node: MessagePump, load: LoadCount, f: Any, done: Callable[[int], None]) -> None:
        if self._open:
            self._store.count(node, load, f, done)
        elif (total := self._glance.count(f)) is not None:
            done(total)
        else:
            self._waiting.append(lambda: self._store.count(node, load, f, done))
