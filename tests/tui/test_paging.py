"""The page moves of the order lists (stationdesk.tui.paging), on a list of rows in memory that
answers the two keyset queries the way the store's do. Every move is checked from every page
position, so a change to the table of moves shows here before it shows on a screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stationdesk.store.values import Cursor
from stationdesk.tui.paging import MOVES, PageRequest, rows_for

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
N = 11


def rows(n: int = N) -> list[dict]:
    # two rows share each order time, so the id breaks the ties as it does in the store
    return [{"id": i, "order_time": T + timedelta(minutes=i // 2)} for i in range(1, n + 1)]


class Keyset:
    """The store's keyset contract over a sorted list: page after/before a cursor, and the last page."""

    def __init__(self, data: list[dict]) -> None:
        self.data = data
        self.calls = 0

    @staticmethod
    def _key(row: dict) -> tuple:
        return (row["order_time"], row["id"])

    def page(self, _conn, _f, *, after: Cursor | None = None, before: Cursor | None = None, limit: int = 50) -> list:
        self.calls += 1
        if before is not None:
            return [r for r in self.data if self._key(r) < (before.order_time, before.id)][-limit:]
        if after is not None:
            return [r for r in self.data if self._key(r) > (after.order_time, after.id)][:limit]
        return self.data[:limit]

    def last_page(self, _conn, _f, limit: int = 50) -> list:
        self.calls += 1
        return self.data[-limit:]


def move(data: list[dict], req: PageRequest, limit: int) -> tuple[list[int], int, str | None]:
    ks = Keyset(data)
    got, cursor, edge = rows_for(None, None, req, limit, ks.page, ks.last_page)
    return [r["id"] for r in got], cursor, edge


def ids(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


def at(data: list[dict], i: int) -> Cursor:
    return Cursor.of(data[i - 1])


def test_every_page_kind_has_a_move():
    assert set(MOVES) == {"first", "last", "from", "next", "prev", "down", "up"}


def test_first_and_last_pages():
    data = rows()
    assert move(data, PageRequest("first"), 4) == (ids(1, 4), 0, None)
    assert move(data, PageRequest("first", keep_id=3), 4) == (ids(1, 4), 2, None)
    assert move(data, PageRequest("first", keep_index=9), 4) == (ids(1, 4), 3, None)  # kept within the page
    assert move(data, PageRequest("last"), 4) == (ids(8, 11), 3, None)
    assert move([], PageRequest("first"), 4) == ([], 0, None)


def test_a_move_without_an_anchor_reads_the_first_page():
    data = rows()
    for kind in ("from", "next", "prev", "down", "up"):
        assert move(data, PageRequest(kind), 4) == (ids(1, 4), 0, None)  # type: ignore[arg-type]  # every kind


@pytest.mark.parametrize("top", range(1, N - 3 + 1))
def test_next_and_prev_turn_whole_pages_and_fill_up_at_the_ends(top):
    data, limit = rows(), 4
    bottom = min(top + limit - 1, N)
    if bottom == N:
        assert move(data, PageRequest("next", at(data, bottom)), limit) == ([], 0, "end")
    else:
        first_new = bottom + 1
        shown = ids(first_new, first_new + limit - 1) if first_new + limit - 1 <= N else ids(N - limit + 1, N)
        assert move(data, PageRequest("next", at(data, bottom)), limit) == (shown, shown.index(first_new), None)
    if top == 1:
        assert move(data, PageRequest("prev", at(data, top)), limit) == ([], 0, "start")
    else:
        last_new = top - 1
        shown = ids(last_new - limit + 1, last_new) if last_new >= limit else ids(1, limit)
        assert move(data, PageRequest("prev", at(data, top)), limit) == (shown, shown.index(last_new), None)


@pytest.mark.parametrize("top", range(1, N - 3 + 1))
def test_down_and_up_move_the_page_one_row(top):
    data, limit = rows(), 4
    bottom = top + limit - 1
    down = move(data, PageRequest("down", at(data, top), keep_id=bottom), limit)
    if bottom == N:
        assert down == ([], 0, "end")  # the same last row again: nothing new
    else:
        assert down == (ids(top + 1, bottom + 1), limit - 1, None)
    up = move(data, PageRequest("up", at(data, top)), limit)
    assert up == (([], 0, "start") if top == 1 else (ids(top - 1, top - 1 + limit - 1), 0, None))


def test_from_reloads_the_page_shown_or_the_last_full_page():
    data = rows()
    assert move(data, PageRequest("from", at(data, 3), keep_id=5, keep_index=0), 4) == (ids(3, 6), 2, None)
    assert move(data, PageRequest("from", at(data, 10), keep_id=10), 4) == (ids(8, 11), 2, None)
    # the row kept is gone (changed status): the highlight stays at its place on the page
    assert move(data, PageRequest("from", at(data, 3), keep_id=99, keep_index=1), 4) == (ids(3, 6), 1, None)


def test_a_short_list_shows_whole_and_says_so_at_both_ends():
    data = rows(3)
    assert move(data, PageRequest("next", at(data, 1)), 5) == (ids(1, 3), 1, None)
    assert move(data, PageRequest("prev", at(data, 3)), 5) == (ids(1, 3), 1, None)
    assert move(data, PageRequest("down", at(data, 1), keep_id=3), 5) == ([], 0, "end")
    assert move(data, PageRequest("up", at(data, 1)), 5) == ([], 0, "start")


def test_a_move_reads_at_most_two_queries():
    data = rows()
    for kind, req in (("next", PageRequest("next", at(data, 9))), ("prev", PageRequest("prev", at(data, 2))),
                      ("up", PageRequest("up", at(data, 5)))):
        ks = Keyset(data)
        rows_for(None, None, req, 4, ks.page, ks.last_page)
        assert ks.calls == 2, kind
