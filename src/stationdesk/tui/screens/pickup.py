"""网点揽件: accepted orders with the hours left before the 16-hour pickup deadline.
揽件确认 opens the waybill entry; a failed pickup is recorded with its reason."""

from __future__ import annotations

from typing import ClassVar


from stationdesk.domain.statuses import Action, Status
from stationdesk.services import pickup
from stationdesk.store.values import OrderFilter
from stationdesk.tui.i18n import TIME_LEFT_WIDTH, tr
from stationdesk.tui.keys import bind
from stationdesk.tui.screens.base import ListScreen
from stationdesk.tui.widgets.order_list import Column, OrderList

COLUMNS = [
    Column("left", TIME_LEFT_WIDTH, priority=1, align="right"),
    Column("order_time", 11, priority=2),
    Column("logistics_no", 17, priority=1),
    Column("waybill_no", 15, priority=3),
    Column("area", 10, priority=3),
    Column("business_type", 10, priority=4),
    Column("name", 8, priority=5),
    Column("phone", 11, priority=7),
    Column("district", 8, priority=5),
    Column("source", 12, priority=8),
    Column("address", 16, priority=6, flex=True),
]


class PickupList(OrderList):
    BINDINGS = [bind("pickup.confirm"), bind("pickup.fail"), bind("pickup.transfer")]


class PickupScreen(ListScreen):
    CONTEXT: ClassVar[str] = "pickup"
    TITLE_KEY: ClassVar[str] = "screen.pickup"
    HINT_KEY: ClassVar[str | None] = "pickup.hint"
    COLUMNS = COLUMNS
    DEADLINE = "pickup"
    LIST_CLASS = PickupList

    def base_filter(self) -> OrderFilter:
        return OrderFilter(statuses=(Status.ACCEPTED.value,))

    def action_confirm(self) -> None:
        from stationdesk.tui.dialogs.waybill import WaybillDialog  # opened on demand

        if (view := self.current()) is not None:
            title = tr("waybill.title", self.lang, ref=view.ref)
            self.app.push_screen(WaybillDialog(view, title), self.after_dialog)

    def action_fail(self) -> None:
        self.fail_with_reason(Action.FAIL_PICKUP, pickup.fail_pickup)
