"""A list of orders that holds one screenful: rows come from SQL a page at a time by keyset
seeks, so the list costs the same on a thousand or a million orders. Only the rows in view
exist; moving past either edge fetches the next or previous rows in a worker thread.

Cells are drawn as plain segments measured in terminal cells (CJK is two cells wide): data
is never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from stationdesk.domain import sla
from stationdesk.store.values import OrderFilter
from stationdesk.tui.data import OrderView, PageRequest, PageResult, load_count, load_page
from stationdesk.tui.desk_node import DeskNode
from stationdesk.tui.i18n import time_left, tr
from stationdesk.tui.keys import bind

if TYPE_CHECKING:
    from stationdesk.tui.pages import PageSource

Deadline = Literal["accept", "pickup"] | None


@dataclass(frozen=True)
class Column:
    key: str
    width: int
    priority: int = 5  # lower stays longer when the terminal is narrow
    flex: bool = False  # takes the width left over
    align: Literal["left", "right"] = "left"
    en_width: int | None = None  # wider English values ('transferred', 'to handle')

    def size(self, lang: str, header: str) -> int:
        """The width in ``lang``: never narrower than its header, so no header is ever cut."""
        base = self.en_width if lang == "en" and self.en_width else self.width
        return max(base, cell_len(header))


def fit(text: str, width: int, align: str = "left") -> str:
    """``text`` in exactly ``width`` cells: cut with '~' when too long, padded when short."""
    if width <= 0:
        return ""
    size = cell_len(text)
    if size > width:
        cut, used = [], 0
        for ch in text:  # whole characters only: half a CJK character cannot be drawn
            w = cell_len(ch)
            if used + w > width - 1:
                break
            cut.append(ch)
            used += w
        text, size = "".join(cut) + "~", used + 1
    pad = " " * (width - size)
    return pad + text if align == "right" else text + pad


def layout(columns: list[Column], width: int, sizes: dict[str, int] | None = None) -> list[tuple[Column, int]]:
    """The columns that fit ``width`` cells, in display order, with their widths: the lowest
    priority gives way first when the terminal is narrow; a wide one shows them all and gives
    what is left to the flexible column. ``sizes`` overrides a column's width (its language's)."""
    sizes = sizes or {}
    chosen: set[str] = set()
    used = 0
    for col in sorted(columns, key=lambda c: c.priority):
        need = sizes.get(col.key, col.width) + 1
        if used + need <= width:
            chosen.add(col.key)
            used += need
    spare = max(0, width - used)
    out = []
    for col in columns:
        if col.key in chosen:
            extra = spare if col.flex else 0
            spare -= extra
            out.append((col, sizes.get(col.key, col.width) + extra))
    return out


class OrderList(DeskNode, Widget, can_focus=True):
    """The paged order list. The screen gives it a filter and where its pages come from (``pages``);
    it asks for them and draws."""

    BINDINGS = [
        bind("list.details"), bind("list.down"), bind("list.up"), bind("list.page_down"),
        bind("list.page_up"), bind("list.first"), bind("list.last"), bind("list.filter"), bind("list.correct"),
        bind("list.exception"), bind("list.complain"),
    ]
    COMPONENT_CLASSES = {
        "order-list--header", "order-list--cursor", "order-list--cursor-blur", "order-list--selected",
        "order-list--overdue", "order-list--out", "order-list--dim",
    }
    # What a page and the heading's count are read with, in a worker; a list over another kind of
    # query (the unscanned report) brings its own pair.
    LOAD_PAGE: ClassVar[Callable[..., PageResult]] = staticmethod(load_page)
    LOAD_COUNT: ClassVar[Callable[..., int]] = staticmethod(load_count)

    class Loaded(Message):
        """A page (or the total count) arrived and is drawn."""

        def __init__(self, order_list: OrderList) -> None:
            self.order_list = order_list
            super().__init__()

        @property
        def control(self) -> OrderList:
            return self.order_list

    def __init__(self, columns: list[Column], *, pages: PageSource, deadline: Deadline = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pages = pages
        self.columns = columns
        self.deadline = deadline
        self.filter: OrderFilter | None = None
        self.views: list[OrderView] = []
        self.cursor = 0
        self.selected: set[int] = set()
        self.total: int | None = None
        self.rows_before: int | None = None  # rows of the list before the first one in view
        self.loaded = False
        self.generation = 0  # counts pages drawn: tests and the benchmark wait on it
        self._pending: PageRequest | None = None
        self._last_request: PageRequest | None = None
        self._count_after_page = False
        self._limit = 0  # the page size of the last request
        self._columns_cache: tuple[int, list[tuple[Column, int]]] | None = None

    @property
    def page_size(self) -> int:
        return max(1, self.size.height - 1)

    @property
    def highlighted(self) -> OrderView | None:
        return self.views[self.cursor] if 0 <= self.cursor < len(self.views) else None

    # -- loading ---------------------------------------------------------------------------

    def set_filter(self, f: OrderFilter) -> None:
        """Show the first page of ``f``, then count it in the background."""
        self.filter = f
        self.total = None
        self._count_after_page = True
        self.request(PageRequest("first"))

    def reload(self, *, recount: bool = True) -> None:
        """Fetch the page in view again from its first row, keeping the highlighted row."""
        if self.filter is None:
            return
        current = self.highlighted
        if not self.views:
            self.request(PageRequest("first"))
        else:
            self.request(PageRequest("from", self.views[0].cursor, current.id if current else None, self.cursor))
        self._count_after_page = self._count_after_page or recount

    def request(self, req: PageRequest) -> None:
        if self.filter is None or self.size.height < 2:
            self._pending = req  # fetched once the list has its size
            return
        self._pending = None
        self._limit = self.page_size
        self._last_request = req
        self.pages.page(self, self.LOAD_PAGE, self.filter, req, self._limit, self.lang, self._apply)

    def count(self) -> None:
        if self.filter is None:
            return
        f = self.filter
        self.pages.count(self, self.LOAD_COUNT, f, lambda total: self._counted(total, f))

    def _apply(self, result: PageResult) -> None:
        if result.request is not self._last_request:
            return  # an older answer that finished as a newer request was made: the newer one counts
        if self._count_after_page:
            # The count runs after the page, so the two never compete for the database.
            self._count_after_page = False
            self.count()
        if result.edge is not None:
            self.say(tr(f"list.{result.edge}", self.lang))
            return
        self.views = result.views
        self.rows_before = result.offset
        self.cursor = max(0, min(result.cursor, len(self.views) - 1))
        self.loaded = True
        self.generation += 1
        self.refresh()
        self.post_message(self.Loaded(self))

    def _counted(self, total: int, f: OrderFilter | None) -> None:
        if f is not self.filter:
            return
        self.total = total
        self.post_message(self.Loaded(self))

    def on_resize(self, _event: events.Resize) -> None:
        self._columns_cache = None
        if self._pending is not None:
            self.request(self._pending)
        elif self.views and self.page_size != self._limit:
            self.reload(recount=False)  # a page of the new height

    # -- moving ----------------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        self.cursor = index
        self.refresh()
        self.post_message(self.Loaded(self))  # the position shown in the heading moved

    def reload_top(self) -> None:
        """F5 on a list kept by deadline: the first page (the most urgent rows), the highlighted
        row kept when it is among them."""
        if self.filter is None:
            return
        current = self.highlighted
        self.request(PageRequest("first", keep_id=current.id if current else None))
        self._count_after_page = True

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.action_cursor_down()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.cursor < len(self.views) - 1:
            self._move_to(self.cursor + 1)
        elif self.views:
            self.request(PageRequest("down", self.views[0].cursor, self.views[-1].id))

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self._move_to(self.cursor - 1)
        elif self.views:
            self.request(PageRequest("up", self.views[0].cursor))

    def action_page_down(self) -> None:
        if self.views:
            self.request(PageRequest("next", self.views[-1].cursor))

    def action_page_up(self) -> None:
        if self.views:
            self.request(PageRequest("prev", self.views[0].cursor))

    def action_first_page(self) -> None:
        self.request(PageRequest("first"))

    def action_last_page(self) -> None:
        self.request(PageRequest("last"))

    def on_click(self, event: events.Click) -> None:
        """A click highlights the row; a second click on it (a double click) opens 详细数据."""
        row = event.y - 1
        if 0 <= row < len(self.views):
            again = row == self.cursor and event.chain >= 2
            self._move_to(row)
            if again:
                self.run_action("screen.details")

    # -- drawing ---------------------------------------------------------------------------

    def header(self, col: Column, lang: str) -> str:
        return tr(f"col.left_{self.deadline}", lang) if col.key == "left" else tr(f"col.{col.key}", lang)

    def _layout(self, width: int) -> list[tuple[Column, int]]:
        if self._columns_cache is None or self._columns_cache[0] != width:
            lang = self.host.lang
            sizes = {c.key: c.size(lang, self.header(c, lang)) for c in self.columns}
            self._columns_cache = (width, layout(self.columns, width, sizes))
        return self._columns_cache[1]

    @property
    def position(self) -> int | None:
        """The highlighted row's place in the whole list, from 1 (None until it is known)."""
        if self.rows_before is None or self.highlighted is None:
            return None
        return self.rows_before + self.cursor + 1

    def _left(self, view: OrderView, now: datetime) -> tuple[str, bool]:
        if self.deadline is None:
            return "", False
        deadline = view.accept_deadline if self.deadline == "accept" else view.pickup_deadline
        left = sla.time_left(deadline, now)
        return time_left(left, self.host.lang, hours=self.deadline == "pickup"), left.total_seconds() < 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        cols = self._layout(width)
        lang = self.host.lang
        if y == 0:
            style = base + self.get_component_rich_style("order-list--header")
            segs = [Segment(fit(self.header(c, lang), w, c.align) + " ", style) for c, w in cols]
            return Strip(segs).adjust_cell_length(width, style)
        index = y - 1
        if index >= len(self.views):
            if index == 0:
                key = "list.empty" if self.loaded else "list.loading"
                style = base + self.get_component_rich_style("order-list--dim")
                return Strip([Segment(" " + tr(key, lang), style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        return self._row_strip(self.views[index], index, cols, width, base)

    def _row_strip(self, view: OrderView, index: int, cols: list[tuple[Column, int]], width: int, base: Style) -> Strip:
        selected = view.id in self.selected
        row_style = base
        if selected:
            row_style += self.get_component_rich_style("order-list--selected", partial=True)
        if index == self.cursor:
            cursor_class = "order-list--cursor" if self.has_focus else "order-list--cursor-blur"
            row_style += self.get_component_rich_style(cursor_class, partial=True)
        left, overdue = self._left(view, self.host.now())
        segs: list[Segment] = []
        for col, w in cols:
            style = row_style
            if col.key == "mark":
                text = "✓" if selected else ""
            elif col.key == "left":
                text = left
                if overdue:
                    style = row_style + self.get_component_rich_style("order-list--overdue", partial=True)
            else:
                text = view.cells.get(col.key, "")
                if col.key == "area" and view.out_of_area:
                    style = row_style + self.get_component_rich_style("order-list--out", partial=True)
            segs.append(Segment(fit(text, w, col.align), style))
            segs.append(Segment(" ", row_style))
        return Strip(segs).adjust_cell_length(width, row_style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
