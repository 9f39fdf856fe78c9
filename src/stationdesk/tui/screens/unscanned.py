"""网点未揽收查询 (F6): orders accepted or pickup-confirmed with no pickup scan, oldest first, with
the time left against the 16-hour rule. ``s`` opens scan mode pre-set for them (补扫描); the list
shrinks as they are scanned."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select

from stationdesk.domain.fields import parse_day
from stationdesk.services.context import Desk
from stationdesk.services import unscanned as service
from stationdesk.services.unscanned import UnscannedQuery
from stationdesk.tui.data import PageRequest, PageResult, load_page
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import bind
from stationdesk.tui.pages import PageSource
from stationdesk.tui.screens.base import ListScreen
from stationdesk.tui.widgets.order_list import Column, OrderList

COLUMNS = [
    Column("left", 10, priority=1, align="right"),
    Column("order_time", 11, priority=2),
    Column("logistics_no", 17, priority=1),
    Column("waybill_no", 15, priority=1),
    Column("status", 8, priority=3, en_width=13),
    Column("channel", 9, priority=4),
    Column("business_type", 10, priority=5),
    Column("name", 8, priority=6),
    Column("phone", 11, priority=7),
    Column("district", 8, priority=6),
    Column("address", 16, priority=8, flex=True),
]


def word(key: str, lang: str, **values: object) -> str:
    """The words of this screen, from the desk's one catalogue (stationdesk.tui.i18n)."""
    return tr(f"unscanned.{key}", lang, **values)


def load_unscanned_page(desk: Desk, q: UnscannedQuery, req: PageRequest, limit: int, lang: str) -> PageResult:
    """One page of the unscanned list for ``req`` (the same page kinds as every order list)."""
    return load_page(desk, q, req, limit, lang, page=service.page, last_page=service.last_page)


class UnscannedList(OrderList):
    """The order list over an UnscannedQuery instead of an OrderFilter."""

    BINDINGS = [bind("unscanned.scan")]
    LOAD_PAGE = staticmethod(load_unscanned_page)
    LOAD_COUNT = staticmethod(service.unscanned_count)  # the count `report unscanned` lists

    def __init__(self, columns: list[Column] | None = None, *, pages: PageSource, id: str | None = None) -> None:
        super().__init__(columns or COLUMNS, pages=pages, deadline="pickup", id=id)


class UnscannedScreen(ListScreen):
    CONTEXT: ClassVar[str] = "unscanned"
    TITLE_KEY: ClassVar[str] = "screen.unscanned"
    LIST_CLASS = UnscannedList

    def compose_body(self) -> ComposeResult:
        lang = self.lang
        today = self.host.desk.now().astimezone(self.host.desk.config.tz).date().isoformat()
        channels = [(word("all", lang), "all"), (word("online", lang), "online"), (word("offline", lang), "offline")]
        yield Horizontal(
            Label(word("from", lang)), Input(today, max_length=10, compact=True, id="u-start"),
            Label(word("to", lang)), Input(today, max_length=10, compact=True, id="u-end"),
            Label(word("channel", lang)),
            Select(channels, value="all", allow_blank=False, compact=True, id="u-channel"),
            id="u-form",
        )
        yield UnscannedList(pages=self.host.pages, id="orders")

    def query_now(self) -> UnscannedQuery | None:
        """The query the form describes, or None (with a word to the clerk) when a date is wrong."""
        lang, desk = self.lang, self.host.desk
        days = []
        for name in ("#u-start", "#u-end"):
            text = self.query_one(name, Input).value
            if (day := parse_day(text)) is None:
                self.say(word("bad_day", lang, text=text[:20]), severity="warning")
                return None
            days.append(day)
        if days[0] > days[1]:
            self.say(word("bad_range", lang), severity="warning")
            return None
        channel = self.query_one("#u-channel", Select).value
        return UnscannedQuery.days(days[0], days[1], desk.config.tz, None if channel == "all" else str(channel))

    def on_mount(self) -> None:
        desk = self.host.desk
        self.order_list.set_filter(UnscannedQuery.today(desk.now(), desk.config.tz))  # type: ignore[arg-type]  # the list pages an UnscannedQuery as it pages an OrderFilter
        self.order_list.focus()

    def heading_parts(self) -> list[str]:
        return [*super().heading_parts(), word("hint", self.lang)]

    def _apply_form(self) -> None:
        q = self.query_now()
        if q is not None and q != self.order_list.filter:
            self.order_list.set_filter(q)  # type: ignore[arg-type]  # the list pages an UnscannedQuery as it pages an OrderFilter

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_form()
        self.order_list.focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._apply_form()

    def on_screen_resume(self) -> None:
        self.order_list.reload()

    async def action_filter(self) -> None:
        self.query_one("#u-start", Input).focus()

    def action_scan_these(self) -> None:
        from stationdesk.tui.screens.scan import ScanScreen  # opened on demand

        q = self.order_list.filter
        if isinstance(q, UnscannedQuery):
            self.app.push_screen(ScanScreen(q), lambda _: self.order_list.reload())

