"""Loaders of the screens: pages, counts and one order's details, read in a worker thread.

Every loader here runs in a worker thread and returns plain values, shaped for display by the one
presenter (stationdesk.services.views), which passes text from the feed through clean_text once,
before any widget sees it; which rows a page move reads is stationdesk.tui.paging's. The loaders
read through store.reads, the sqlite3 text the store shares: the first screen is drawn from a glance
(stationdesk.store.glance) before SQLAlchemy is loaded, and the lists and the query screen read
before the store is open, so nothing here may load it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from stationdesk.domain.text import clean_text
from stationdesk.services.views import OrderView, local_text, to_view
from stationdesk.store import reads
from stationdesk.store.values import Cursor, OrderFilter, WaitingCounts
from stationdesk.tui.i18n import tr
from stationdesk.tui.paging import PageKind, PageRequest, PageResult, index_of, rows_for

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from stationdesk.config import Config
    from stationdesk.services.context import Desk
    from stationdesk.store.glance import Glance


class ReadFile(Protocol):
    def read(self) -> AbstractContextManager[Any]: ...  # one read snapshot: a connection store.reads runs on


class Reading(Protocol):
    """What a loader that only reads needs of a desk: the file and the config (its time zone). The
    open desk is one; so is what the desk reads through before its store is open."""

    @property
    def db(self) -> ReadFile: ...

    @property
    def config(self) -> Config: ...


__all__ = [  # what the screens and widgets import from here
    "COUNT_CAP", "Detail", "OrderView", "PageKind", "PageRequest", "PageResult", "Reading", "count_text",
    "glance_page", "load_count", "load_damage", "load_detail", "load_page", "load_sources", "load_waiting_counts",
    "local_text",
]


def load_page(desk: Reading, f: Any, req: PageRequest, limit: int, lang: str, *,
              page: Callable[..., list] | None = None, last_page: Callable[..., list] | None = None,
              ) -> PageResult:
    """One page of ``f`` for ``req``, by keyset seeks: never more than ``limit`` rows (plus one
    fill-up page at either end, so the screen stays full). ``page``/``last_page`` are the keyset
    queries of the list (an OrderFilter's by default; the unscanned report brings its own).
    ``desk`` is the open desk, or what reads before it is open (stationdesk.tui.pages.EarlyReads)."""
    limit = max(1, limit)
    with desk.db.read() as conn:
        rows, cursor, edge = rows_for(conn, f, req, limit, page or reads.page, last_page or reads.last_page)
        offset = None
        if rows and isinstance(f, OrderFilter):  # the row number of the first row, for the heading
            offset = reads.count_before(conn, f, Cursor.of(rows[0]), cap=COUNT_CAP)
        links = reads.duplicate_links(conn, [r["id"] for r in rows]) if rows else {}  # 重复下单? marks of this page
    tz = desk.config.tz
    return PageResult([to_view(r, tz, lang, tr, links.get(r["id"])) for r in rows], cursor, edge, req, offset)


def glance_page(seen: Glance, f: Any, req: PageRequest, limit: int, tz: tzinfo, lang: str) -> PageResult | None:
    """The page ``load_page`` would give, from the rows a glance read, when it holds them: only a
    first page, only of the list it read (网点接单's). None means: wait for the store."""
    if req.kind != "first" or not isinstance(f, OrderFilter):
        return None
    rows = seen.first_rows(f, max(1, limit))
    if rows is None:
        return None
    return PageResult([to_view(r, tz, lang, tr) for r in rows], index_of(rows, req.keep_id, req.keep_index), None, req, 0)


# A list heading counts up to this many orders, then says "more than" (see queries.count).
COUNT_CAP = 5_000


def load_count(desk: Reading, f: OrderFilter) -> int:
    with desk.db.read() as conn:
        return reads.count(conn, f, cap=COUNT_CAP)


def count_text(total: int) -> str:
    return f"{COUNT_CAP:,}+" if total > COUNT_CAP else str(total)


def load_waiting_counts(desk: Desk) -> WaitingCounts:
    with desk.db.read() as conn:
        # "due soon" as the alert counts it, so the warning area's counts read the same
        return reads.waiting_counts(conn, desk.now(), timedelta(minutes=desk.config.alerts.warn_before_minutes))


def load_damage(desk: Desk) -> str | None:
    """A broken audit chain no admin has acknowledged yet: every operator's status bar shows it."""
    from stationdesk.services.damage import unacknowledged

    return unacknowledged(desk.db)


def load_sources(desk: Reading) -> list[str]:
    with desk.db.read() as conn:
        return [clean_text(s) for s in reads.distinct_values(conn, "source")]


@dataclass
class Detail:
    """One order, its history (oldest first) and the moment they were read (for its clocks)."""

    row: Mapping[str, Any]
    now: datetime
    events: list[Mapping[str, Any]] = field(default_factory=list)


def load_detail(desk: Desk, order_id: int) -> Detail:
    from stationdesk.services.recording import find
    from stationdesk.store import queries

    with desk.db.read() as conn:
        row = find(conn, order_id)
        events = queries.events_of(conn, order_id)
    return Detail(row, desk.now(), events)
