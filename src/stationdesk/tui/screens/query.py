"""电商订单查询: by order date range with filters, or by logistics/waybill number; Enter on a
row opens 详细数据, and a cancelled order can be marked 已做撤单处理."""

from __future__ import annotations

from typing import ClassVar


from textual.app import ComposeResult

from stationdesk.tui import order_actions
from stationdesk.store.values import OrderFilter
from stationdesk.tui.data import load_sources
from stationdesk.tui.keys import bind
from stationdesk.tui.screens.base import ListScreen
from stationdesk.tui.store_opening import FieldsWithoutStore
from stationdesk.tui.widgets.order_list import Column, OrderList
from stationdesk.tui.widgets.query_form import QueryForm, QuerySpec

COLUMNS = [
    Column("status", 8, priority=1, en_width=13),
    Column("order_time", 11, priority=1),
    Column("logistics_no", 17, priority=1),
    Column("waybill_no", 15, priority=3),
    Column("cancel", 6, priority=3, en_width=9),
    Column("area", 10, priority=4),
    Column("business_type", 10, priority=2, en_width=9),
    Column("source", 12, priority=5),
    Column("channel", 9, priority=7),
    Column("name", 8, priority=5),
    Column("phone", 11, priority=8),
    Column("district", 8, priority=6),
    Column("address", 14, priority=9, flex=True),
]


class QueryList(OrderList):
    BINDINGS = [bind("query.cancel_handled"), bind("query.accept"), bind("query.pickup"), bind("query.transfer"),
                bind("query.fail")]


class QueryScreen(FieldsWithoutStore, ListScreen):
    """Opens, searches and pages before the store is open (F2 at the desk's first paint): it reads
    through host.reading; its actions on an order are use cases, which wait for the store."""

    CONTEXT: ClassVar[str] = "query"
    TITLE_KEY: ClassVar[str] = "screen.query"
    COLUMNS = COLUMNS
    LIST_CLASS = QueryList
    INITIAL_FOCUS: ClassVar[str] = "#q-number"

    def __init__(self) -> None:
        super().__init__()
        self.spec: QuerySpec | None = None

    def compose_filters(self) -> ComposeResult:
        host = self.host
        tz = host.config.tz
        yield QueryForm(self.lang, host.now().astimezone(tz).date(), tz, id="filters")

    def base_filter(self) -> OrderFilter:
        spec = self.query_one("#filters", QueryForm).spec()
        assert isinstance(spec, QuerySpec), spec  # the form starts with valid dates
        self.spec = spec
        return spec.filter

    def on_mount(self) -> None:
        self.run_job(load_sources, self.host.reading, done=self.query_one("#filters", QueryForm).set_sources)

    def heading_parts(self) -> list[str]:
        parts = super().heading_parts()
        if self.spec is not None:
            parts.insert(1, self.spec.description)
        return parts

    def on_query_form_search(self, event: QueryForm.Search) -> None:
        self.spec = event.spec
        if event.spec.filter != self.order_list.filter:
            self.order_list.set_filter(event.spec.filter)
        self.update_heading()
        if event.submitted:
            self.order_list.focus()

    def action_filter(self) -> None:
        self.query_one("#filters", QueryForm).open()

    def number_first(self) -> None:
        """F2: whatever had the focus on the last visit, a number typed or scanned now goes into
        the number field (its old text selected, so replaced) and Enter searches by it."""
        if self.is_mounted:
            self.call_after_refresh(self.action_filter)  # after Textual gives the last focus back

    # -- acting on a found order, through the same use cases as 网点接单 and 网点揽件 ----------

    def action_accept(self) -> None:
        if (view := self.current()) is not None:
            order_actions.accept_order(self, view, self.after_action, self.after_refusal)

    def action_pickup(self) -> None:
        if (view := self.current()) is not None:
            order_actions.confirm_pickup(self, view, self.after_dialog)

    def action_fail(self) -> None:
        if (view := self.current()) is not None:
            order_actions.fail_order(self, view, self.after_dialog)

    def action_cancel_handled(self) -> None:
        from stationdesk.services import cancel  # a use case: loaded with the first one, not with the screen

        if (view := self.current()) is not None:
            host = self.host
            self.run_job(cancel.mark_cancel_handled, host.desk, view.id, host.operator, done=self.after_action,
                         failed=self.after_refusal)

