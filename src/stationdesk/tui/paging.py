"""Paging of the order lists by keyset seeks: which rows a page move reads, and which row it highlights.

A list is read in (order_time, id) order through two queries it brings: ``page`` (up to ``limit``
rows after or before a cursor, or from the start) and ``last_page`` (the last ``limit`` rows). Each
page move is one row of MOVES: where it seeks, what ends it at an edge, how a short page is filled
up so the screen stays full, and which row keeps the highlight. Nothing here knows SQL or a screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from stationdesk.store.values import Cursor

PageKind = Literal["first", "last", "from", "next", "prev", "down", "up"]
Edge = Literal["start", "end"]
Rows = Sequence[Mapping[str, Any]]
PageQuery = Callable[..., Any]  # page(conn, f, *, after=, before=, limit=) -> rows in order
LastPageQuery = Callable[..., Any]  # last_page(conn, f, limit) -> the last rows, in order


@dataclass(frozen=True)
class PageRequest:
    """Which page to fetch. ``anchor`` is the row to seek from; ``keep_id`` the row to keep highlighted."""

    kind: PageKind
    anchor: Cursor | None = None
    keep_id: int | None = None
    keep_index: int = 0


@dataclass
class PageResult:
    views: list[Any]  # the rows as the list shows them (stationdesk.services.views.OrderView)
    cursor: int = 0
    edge: Edge | None = None  # the move found nothing new: keep the page shown
    request: PageRequest | None = None
    offset: int | None = None  # rows before the first one (capped at COUNT_CAP + 1); None: not known


@dataclass(frozen=True)
class Move:
    """One page move. ``seek``: first (from the start), last (the last page), after / before the
    anchor, from (the anchor row and after), back_one (a page starting one row before the anchor).
    ``edge``: what the list hits when the seek brings nothing new. ``refill``: a page shorter than
    the limit is read again from this end. ``focus``: the highlighted row."""

    seek: Literal["first", "last", "after", "before", "from", "back_one"]
    edge: Edge | None = None
    refill: Literal["first", "last"] | None = None
    focus: Literal["keep", "first", "last", "first_new", "last_new"] = "keep"


MOVES: dict[PageKind, Move] = {
    "first": Move("first"),
    "last": Move("last", focus="last"),
    "from": Move("from", refill="last"),  # the same rows again (a reload), or the last page
    "next": Move("after", "end", refill="last", focus="first_new"),
    "prev": Move("before", "start", refill="first", focus="last_new"),
    "down": Move("after", "end", focus="last"),  # a page one row on: the anchor is the first row shown
    "up": Move("back_one", "start", focus="first"),
}


def inclusive(c: Cursor) -> Cursor:
    # (t, id) > (t, id - 1) holds for the row itself and every row after it: ids are integers.
    return Cursor(c.order_time, c.id - 1)


def index_of(rows: Rows, order_id: int | None, default: int) -> int:
    """Where ``order_id`` is among ``rows``, else ``default`` kept within the rows."""
    if order_id is not None:
        for i, row in enumerate(rows):
            if row["id"] == order_id:
                return i
    return max(0, min(default, len(rows) - 1))


def _seek(move: Move, conn: Any, f: Any, anchor: Cursor | None, limit: int,
          page: PageQuery, last_page: LastPageQuery) -> list[Any]:
    if move.seek == "last":
        return list(last_page(conn, f, limit))
    if move.seek == "first" or anchor is None:
        return list(page(conn, f, limit=limit))
    if move.seek == "back_one":
        back = page(conn, f, before=anchor, limit=1)
        return list(page(conn, f, after=inclusive(Cursor.of(back[0])), limit=limit)) if back else []
    side = {"after": {"after": anchor}, "before": {"before": anchor}, "from": {"after": inclusive(anchor)}}[move.seek]
    return list(page(conn, f, limit=limit, **side))


def rows_for(conn: Any, f: Any, req: PageRequest, limit: int, page: PageQuery,
             last_page: LastPageQuery) -> tuple[list[Any], int, Edge | None]:
    """The rows of the page ``req`` asks for, the index to highlight, and the edge hit (then no rows)."""
    move = MOVES[req.kind] if req.anchor is not None or req.kind == "last" else MOVES["first"]
    rows = _seek(move, conn, f, req.anchor, limit, page, last_page)
    # nothing new: no row at all, or (one row on) the same last row as the page shown
    if move.edge is not None and (not rows or rows[-1]["id"] == req.keep_id):
        return [], 0, move.edge
    seen = rows
    if move.refill is not None and len(rows) < limit:
        rows = list(last_page(conn, f, limit) if move.refill == "last" else page(conn, f, limit=limit))
    if move.focus == "first":
        return rows, 0, None
    if move.focus == "last":
        return rows, len(rows) - 1, None
    if move.focus == "first_new":
        return rows, index_of(rows, seen[0]["id"], 0), None
    if move.focus == "last_new":
        return rows, index_of(rows, seen[-1]["id"], len(rows) - 1), None
    return rows, index_of(rows, req.keep_id, req.keep_index), None
