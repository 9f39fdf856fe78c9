"""网点接单: orders waiting for acceptance, oldest first, with the minutes left to answer them.
Accept one, select several and batch-accept, select all waiting, fail with a reason, transfer.

The first screen of the desk: it is drawn before the store is open (stationdesk.tui.start), so
the use cases are imported by the actions, which run only once it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from stationdesk.domain.statuses import Action
from stationdesk.services.outcome import Outcome
from stationdesk.store.glance import WAITING
from stationdesk.store.values import Cursor, OrderFilter
from stationdesk.tui.data import PageRequest
from stationdesk.tui.i18n import TIME_LEFT_WIDTH, tr
from stationdesk.tui.keys import bind
from stationdesk.tui.screens.base import ListScreen
from stationdesk.tui.widgets.order_list import Column, OrderList

# Lowest priority gives way first: at 80 columns the time left, number, area, type and district
# stay; at 120 the sender, address and source join; at 160 everything, the address widest.
COLUMNS = [
    Column("mark", 1, priority=0),
    Column("left", TIME_LEFT_WIDTH, priority=1, align="right"),
    Column("order_time", 11, priority=2),
    Column("logistics_no", 17, priority=1),
    Column("area", 10, priority=3),
    Column("business_type", 10, priority=4),
    Column("name", 8, priority=5),
    Column("district", 8, priority=4),
    Column("source", 12, priority=7),
    Column("phone", 11, priority=8),
    Column("address", 16, priority=6, flex=True),
    Column("channel", 9, priority=9),
]


class AcceptList(OrderList):
    """The waiting list; its letter keys live here so they never fire while a field has focus."""

    BINDINGS = [
        bind("accept.accept"), bind("accept.toggle"), bind("accept.select_all"), bind("accept.batch"),
        bind("accept.transfer"), bind("accept.fail"), bind("accept.duplicate"),
    ]


class AcceptScreen(ListScreen):
    CONTEXT: ClassVar[str] = "accept"
    TITLE_KEY: ClassVar[str] = "screen.accept"
    HINT_KEY: ClassVar[str | None] = "accept.hint"
    COLUMNS = COLUMNS
    DEADLINE = "accept"
    LIST_CLASS = AcceptList

    def base_filter(self) -> OrderFilter:
        return WAITING  # the list a glance reads ahead

    def show_order(self, order_id: int, order_time: datetime) -> None:
        """Highlight one order (the alert's most urgent): the page that starts at its row."""
        self.order_list.request(PageRequest("from", Cursor(order_time, order_id), keep_id=order_id))

    def unsaved(self) -> list[str]:
        n = len(self.order_list.selected)
        if not n:
            return []
        return [tr("unsaved.selection", self.lang, screen=tr(self.TITLE_KEY, self.lang), n=n)]

    def action_accept(self) -> None:
        from stationdesk.services import accept

        if (view := self.current()) is not None:
            host = self.host
            self.run_job(accept.accept, host.desk, [view.id], host.operator, done=self.after_action,
                         failed=self.after_refusal)

    def action_toggle(self) -> None:
        lst = self.order_list
        if (view := self.current()) is None:
            return
        if view.id in lst.selected:
            lst.selected.discard(view.id)
        elif view.out_of_area:
            self.say(tr("select.out_of_area", self.lang), severity="warning")
            return
        else:
            lst.selected.add(view.id)
        lst.refresh()
        lst.action_cursor_down()
        self.update_heading()

    def action_select_all(self) -> None:
        from stationdesk.services import accept

        host = self.host
        self.run_job(accept.waiting_in_area_ids, host.desk, done=self._select_ids)

    def _select_ids(self, ids: list[int]) -> None:
        lst = self.order_list
        lst.selected = set(ids)
        lst.refresh()
        self.update_heading()
        key = "select.all" if ids else "select.none_waiting"
        self.say(tr(key, self.lang, n=len(ids)))

    def action_batch(self) -> None:
        from stationdesk.tui.dialogs.confirm import ConfirmDialog  # opened on demand

        ids = sorted(self.order_list.selected)
        if not ids:
            self.say(tr("batch.none", self.lang), severity="warning")
            return

        def answered(yes: bool | None) -> None:
            from stationdesk.services import accept

            if yes:
                host = self.host
                self.run_job(accept.accept, host.desk, ids, host.operator, done=self._batch_done,
                             failed=self.after_refusal)

        self.app.push_screen(ConfirmDialog(tr("batch.confirm", self.lang, n=len(ids))), answered)

    def _batch_done(self, outcome: Outcome) -> None:
        self.order_list.selected.clear()
        self.after_action(outcome)

    def action_fail(self) -> None:
        from stationdesk.services import accept

        self.fail_with_reason(Action.FAIL_ACCEPT, accept.fail_accept)
