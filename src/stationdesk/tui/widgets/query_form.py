"""The two ways of 电商订单查询: by order date range with filters, or by a logistics or
waybill number (a scanner can type it). Enter searches; a changed filter searches at once.

The pick lists join their fields a moment after the form is first drawn: each is several widgets,
together most of the screen's, and F2 shows the screen, its number field and its first page
without waiting for them. Until one is there, its filter is 全部 (its own first value)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any, cast

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Select

from stationdesk.domain.fields import Channel
from stationdesk.domain.statuses import Status
from stationdesk.store.values import OrderFilter
from stationdesk.domain.fields import day_range, parse_day
from stationdesk.tui.messages import Say, post_up
from stationdesk.tui.i18n import channel_label, status_label, tr
from stationdesk.tui.keys import bind
from stationdesk.tui.widgets.filter_bar import ALL, NUMBER_CHARS, business_options, source_options

DEFAULT_DAYS = 7
PICK_LISTS_AFTER = 0.1  # seconds after the form mounts (Textual shows a new screen 50 ms after the switch)
# The pick lists, in the form's order after the two dates: (label, id).
PICK_LISTS = (("filter.cancel", "q-cancel"), ("filter.source", "q-source"), ("filter.channel", "q-channel"),
              ("filter.business_type", "q-business"), ("filter.status", "q-status"))


@dataclass(frozen=True)
class QuerySpec:
    """A search the form asks for: the filter and how to describe it."""

    filter: OrderFilter
    description: str


class QueryForm(Grid):
    BINDINGS = [bind("filter.close")]

    class Search(Message):
        def __init__(self, spec: QuerySpec, *, submitted: bool) -> None:
            self.spec = spec
            self.submitted = submitted  # Enter was pressed (not a filter picked)
            super().__init__()

    def __init__(self, lang: str, today: date, tz: tzinfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.today = today
        self.tz = tz
        self._sources: list[str] = []  # found in the database (set_sources), for the source pick list
        self._lists_ready = False
        self._lists: dict[str, Select[str]] = {}  # the pick lists by id, once mounted (no DOM query per search)

    def _field(self, label_key: str, widget: Any = None, *, id: str | None = None) -> Horizontal:
        return Horizontal(Label(tr(label_key, self.lang)), *([widget] if widget is not None else []),
                          classes="field", id=id)

    def compose(self) -> ComposeResult:
        lang = self.lang
        start = (self.today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        yield self._field("filter.start", Input(start, max_length=10, compact=True, id="q-start"))
        yield self._field("filter.end", Input(self.today.isoformat(), max_length=10, compact=True, id="q-end"))
        for label_key, select_id in PICK_LISTS:
            yield self._field(label_key, id=f"{select_id}-field")  # its pick list joins it once drawn
        yield self._field("filter.number", Input(placeholder=tr("filter.number_hint", lang), max_length=64, compact=True,
                                                 restrict=NUMBER_CHARS, id="q-number"))

    def _pick_list(self, select_id: str) -> Select[str]:
        lang = self.lang
        all_ = (tr("filter.all", lang), ALL)
        options: list[tuple[str, str]] = {
            "q-cancel": lambda: [(tr("filter.all", lang), "all"), (tr("filter.cancel_unhandled", lang), "unhandled"),
                                 (tr("filter.cancel_handled", lang), "handled")],
            "q-source": lambda: source_options(lang, self._sources),
            "q-channel": lambda: [all_, *((channel_label(c.value, lang), c.value) for c in Channel)],
            "q-business": lambda: business_options(lang),
            "q-status": lambda: [all_, *((status_label(s.value, lang), s.value) for s in Status)],
        }[select_id]()
        return Select(options, value=options[0][1], allow_blank=False, compact=True, id=select_id)

    async def _mount_pick_lists(self) -> None:
        for _label_key, select_id in PICK_LISTS:
            self._lists[select_id] = self._pick_list(select_id)
        mounting = [self.query_one(f"#{select_id}-field", Horizontal).mount(self._lists[select_id])
                    for _label_key, select_id in PICK_LISTS]
        for mounted in mounting:
            await mounted
        self._lists_ready = True
        if self._sources:
            self._show_sources()

    def _pick(self, selector: str) -> str | None:
        select = self._lists.get(selector.removeprefix("#"))
        if select is None or not select.is_mounted:
            return None  # not drawn yet: 全部
        value = select.value
        return None if value in (ALL, Select.NULL) else cast(str, value)

    def spec(self) -> QuerySpec | str:
        """The search the fields describe, or what is wrong with them."""
        lang = self.lang
        number = self.query_one("#q-number", Input).value.strip()
        if number:
            return QuerySpec(OrderFilter(number=number), tr("query.by_number", lang, number=number))
        texts = self.query_one("#q-start", Input).value, self.query_one("#q-end", Input).value
        days = [parse_day(t) for t in texts]
        for text, day in zip(texts, days, strict=True):
            if day is None:
                return tr("filter.bad_date", lang, text=text.strip()[:20])
        start, end = cast(date, days[0]), cast(date, days[1])
        if start > end:
            return tr("filter.bad_range", lang)
        lo, hi = day_range(start, end, self.tz)
        status = self._pick("#q-status")
        f = OrderFilter(
            start=lo, end=hi, statuses=(status,) if status else (), cancel=cast(Any, self._pick("#q-cancel") or "all"),
            source=self._pick("#q-source"), channel=self._pick("#q-channel"), business_type=self._pick("#q-business"),
        )
        return QuerySpec(f, f"{tr('query.by_date', lang)} {start.isoformat()} - {end.isoformat()}")

    def _search(self, *, submitted: bool) -> None:
        spec = self.spec()
        if isinstance(spec, str):
            post_up(self, Say(spec, "warning"))
            return
        self.post_message(self.Search(spec, submitted=submitted))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._search(submitted=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._search(submitted=False)

    def on_mount(self) -> None:
        self.query_one("#q-number", Input).cursor_blink = False  # the field's colour marks the focus: a steady cursor
        self.set_timer(PICK_LISTS_AFTER, self._mount_pick_lists)  # once the screen has been drawn

    def open(self) -> None:
        """The number field, its text selected: what is typed next replaces the last number."""
        number = self.query_one("#q-number", Input)
        number.focus()
        number.select_all()

    def action_close(self) -> None:
        self.screen.query_one("#orders").focus()

    def set_sources(self, names: list[str]) -> None:
        """Add the sources found in the database to the pick list (new channels appear over time)."""
        self._sources = names
        if self._lists_ready:  # else shown once the pick lists are there
            self._show_sources()

    def _show_sources(self) -> None:
        select = self._lists["q-source"]
        value = select.value
        select.set_options(source_options(self.lang, self._sources))
        select.value = value
