"""The filter bar of the work lists: data source, business type, service area, and a number
field a barcode scanner can type into. Hidden until asked for, or while a filter is set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Select

from stationdesk.domain.fields import SOURCES, BusinessType
from stationdesk.tui.i18n import business_label, tr
from stationdesk.tui.keys import bind

NUMBER_CHARS = r"[^/]*"  # no number holds a slash: the filter key pressed in the field types nothing

ALL = "*"


def source_options(lang: str, extra: list[str] | None = None) -> list[tuple[Any, str]]:
    names = list(dict.fromkeys([*SOURCES, *(extra or [])]))
    return [(tr("filter.all", lang), ALL), *((Text(name), name) for name in names)]


def business_options(lang: str) -> list[tuple[Any, str]]:
    return [(tr("filter.all", lang), ALL), *((business_label(b.value, lang), b.value) for b in BusinessType)]


@dataclass(frozen=True)
class ListFilters:
    source: str | None = None
    business_type: str | None = None
    out_of_area: bool | None = None
    number: str | None = None

    @property
    def is_default(self) -> bool:
        return self == ListFilters()


class FilterBar(Horizontal):
    BINDINGS = [bind("filter.close")]

    class Changed(Message):
        def __init__(self, filters: ListFilters) -> None:
            self.filters = filters
            super().__init__()

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Label(tr("filter.source", lang))
        yield Select(source_options(lang), value=ALL, allow_blank=False, compact=True, id="f-source")
        yield Label(tr("filter.business_type", lang))
        yield Select(business_options(lang), value=ALL, allow_blank=False, compact=True, id="f-business")
        yield Label(tr("filter.area", lang))
        areas = [(tr("filter.all", lang), ALL), (tr("filter.area_in", lang), "in"), (tr("filter.area_out", lang), "out")]
        yield Select(areas, value=ALL, allow_blank=False, compact=True, id="f-area")
        yield Label(tr("filter.number", lang))
        yield Input(placeholder=tr("filter.number_hint", lang), compact=True, id="f-number", max_length=64,
                    restrict=NUMBER_CHARS)

    def on_mount(self) -> None:
        self.query_one("#f-number", Input).cursor_blink = False  # the field's colour marks the focus: a steady cursor

    def filters(self) -> ListFilters:
        def pick(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return None if value in (ALL, Select.NULL) else cast(str, value)

        area = pick("#f-area")
        number = self.query_one("#f-number", Input).value.strip()
        return ListFilters(
            source=pick("#f-source"), business_type=pick("#f-business"),
            out_of_area=None if area is None else area == "out", number=number or None,
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter searches and hands the focus back to the list, so the next key is an action."""
        event.stop()
        self.post_message(self.Changed(self.filters()))
        self.screen.query_one("OrderList").focus()

    def open(self) -> None:
        """Show the bar with the focus in the number field (a scanner types there at once); Tab
        goes on to the pick lists."""
        self.display = True
        number = self.query_one("#f-number", Input)
        number.focus()
        number.select_all()

    def action_close(self) -> None:
        """Back to the list; the bar stays in view while a filter is set."""
        filters = self.filters()
        self.display = not filters.is_default
        self.post_message(self.Changed(filters))  # a number typed without Enter still applies
        self.screen.query_one("OrderList").focus()
