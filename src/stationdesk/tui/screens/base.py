"""What every screen of the desk has: the status bar on top, the message line and the key bar
at the bottom; and what every order-list screen shares: paging, filters, details, transfer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from stationdesk.domain.reasons import Reason
from stationdesk.domain.statuses import Action
from stationdesk.services.outcome import Outcome
from stationdesk.store.values import OrderFilter
from stationdesk.tui.data import OrderView, count_text
from stationdesk.tui.desk_node import DeskNode
from stationdesk.tui.i18n import action_label, tr
from stationdesk.tui.messages import FormClosed, FormOpened, OrdersChanged, post_up
from stationdesk.tui.widgets.key_bar import KeyBar
from stationdesk.tui.widgets.order_list import Column, Deadline, OrderList
from stationdesk.tui.widgets.status_bar import MessageLine, StatusBar

if TYPE_CHECKING:
    from stationdesk.tui.widgets.filter_bar import FilterBar, ListFilters  # built when first asked for


class DeskScreen(DeskNode, Screen):
    """A screen of the desk. CONTEXT names its key contexts in stationdesk.keymap.SCREEN_CONTEXTS."""

    CONTEXT: ClassVar[str] = "unscanned"
    TITLE_KEY: ClassVar[str] = "app.title"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self._left = False  # not yet left for another screen (see on_screen_resume)

    def compose(self) -> ComposeResult:
        from stationdesk.tui.widgets.alert_bar import AlertBar

        # The width's class (-narrow, -wide) from the start: given at the first resize, after the
        # widgets are styled, it would style every one of them again.
        width = self.app.size.width
        for minimum, name in sorted(self.app.HORIZONTAL_BREAKPOINTS, reverse=True):
            if width >= minimum:
                self.add_class(name)
                break
        yield StatusBar()
        yield AlertBar()
        yield Static(id="heading")
        yield from self.compose_body()
        yield MessageLine()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        post_up(self, FormOpened(self))
        self.update_heading()

    def on_unmount(self) -> None:
        self.app.post_message(FormClosed(self))  # this screen's own queue is closing

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown for the first time, the screen was styled as its widgets mounted, and nothing has
        changed since: Textual would style every widget again for each of the two resumes a first
        switch sends. Once the screen has been left, a resume restyles as usual."""
        if not self._left:
            event.refresh_styles = False

    def heading_parts(self) -> list[str]:
        return [tr(self.TITLE_KEY, self.lang)]

    def update_heading(self) -> None:
        """The heading on its one line: on a narrow terminal the parts give way from the end (the
        hints come last), never cut in the middle of a word."""
        parts = [p for p in self.heading_parts() if p]
        room = self.size.width - 2  # its padding
        while len(parts) > 1 and room > 0 and cell_len("  ".join(parts)) > room:
            parts.pop()
        # one line, whatever it says (app.tcss): drawn again, the screen not laid out again
        self.query_one("#heading", Static).update(Text("  ".join(parts)), layout=False)

    def on_resize(self) -> None:
        self.update_heading()

    def reload(self) -> None:
        """Fetch what the screen shows again (every minute, and after an action)."""

    def refresh_by_key(self) -> None:
        """F5."""
        self.reload()

    def unsaved(self) -> list[str]:
        """What would be lost if the app quit now (one line each)."""
        return []

    def action_target(self, scope: str) -> DOMNode | None:
        """The node whose actions serve a key scope, for the command palette."""
        return self if scope == self.CONTEXT else None


class ListScreen(DeskScreen):
    """A screen built around one paged order list."""

    COLUMNS: ClassVar[list[Column]] = []
    DEADLINE: ClassVar[Deadline] = None
    LIST_CLASS: ClassVar[type[OrderList]] = OrderList
    HINT_KEY: ClassVar[str | None] = None
    INITIAL_FOCUS: ClassVar[str] = "#orders"

    def base_filter(self) -> OrderFilter:
        return OrderFilter()

    def compose_filters(self) -> ComposeResult:
        return iter(())  # the filter bar is built the first time it is asked for: a faster start

    def compose_body(self) -> ComposeResult:
        yield from self.compose_filters()
        yield self.LIST_CLASS(self.COLUMNS, pages=self.host.pages, deadline=self.DEADLINE, id="orders")

    @property
    def order_list(self) -> OrderList:
        return self.query_one("#orders", OrderList)

    def on_mount(self) -> None:
        # Textual also runs DeskScreen.on_mount (handlers run for every class in the MRO).
        self.order_list.set_filter(self.base_filter())
        self.query_one(self.INITIAL_FOCUS).focus()

    def heading_parts(self) -> list[str]:
        lst = self.order_list
        parts = [tr(self.TITLE_KEY, self.lang)]
        if lst.total is not None:
            parts.append(tr("list.total", self.lang, n=count_text(lst.total)))
        if (at := lst.position) is not None:
            parts.append(tr("list.position", self.lang, n=count_text(at)))
        if lst.selected:
            parts.append(tr("list.selected", self.lang, n=len(lst.selected)))
        if self.HINT_KEY:
            parts.append(tr(self.HINT_KEY, self.lang))
        return parts

    def on_order_list_loaded(self, _event: OrderList.Loaded) -> None:
        self.update_heading()

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        self.apply_filters(event.filters)

    def apply_filters(self, filters: ListFilters) -> None:
        f = self.base_filter().with_(
            source=filters.source, business_type=filters.business_type,
            out_of_area=filters.out_of_area, number=filters.number,
        )
        if f != self.order_list.filter:
            self.order_list.set_filter(f)

    def reload(self) -> None:
        self.order_list.reload()

    def refresh_by_key(self) -> None:
        """F5: on a list kept by deadline, back to its most urgent rows; elsewhere the page in view."""
        if self.DEADLINE is not None:
            self.order_list.reload_top()
        else:
            self.reload()

    def action_target(self, scope: str) -> DOMNode | None:
        if scope in ("list", self.CONTEXT):  # the list's letter keys serve the screen's own scope
            return self.order_list
        if scope == "filter":
            found = self.query("#filters")
            return found.first() if found else None
        return super().action_target(scope)

    # -- actions shared by the lists -------------------------------------------------------

    def current(self) -> OrderView | None:
        """The highlighted order, or None with a word to the clerk."""
        view = self.order_list.highlighted
        if view is None:
            self.say(tr("list.none", self.lang), severity="warning")
        return view

    async def action_filter(self) -> None:
        from stationdesk.tui.widgets.filter_bar import FilterBar

        if not self.query("#filters"):
            await self.mount(FilterBar(self.lang, id="filters"), before=self.order_list)
        cast(FilterBar, self.query_one("#filters")).open()

    def action_details(self) -> None:
        from stationdesk.tui.screens.detail import DetailScreen  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(DetailScreen(view.id))

    def action_transfer(self) -> None:
        from stationdesk.tui.dialogs.transfer import TransferDialog  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(TransferDialog(view), self.after_dialog)

    def action_correct(self) -> None:
        from stationdesk.tui.dialogs.correct import CorrectDialog  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(CorrectDialog(view), self.after_dialog)

    def action_duplicate(self) -> None:
        from stationdesk.tui.dialogs.duplicate import DuplicateDialog  # opened on demand

        if (view := self.current()) is None:
            return
        if not view.duplicate_of:
            self.say(tr("dup.not_flagged", self.lang, ref=view.ref), severity="warning")
            return
        self.app.push_screen(DuplicateDialog(view), self.after_dialog)

    def action_record_exception(self) -> None:
        """物流异常 on the highlighted order: its kind and cause."""
        from stationdesk.tui.screens.exceptions import exception_dialog  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(exception_dialog(self.host, view.id, view.ref), self.after_dialog)

    def action_complain(self) -> None:
        """客户投诉 on the highlighted order: channel, category and what the customer said."""
        from stationdesk.tui.screens.exceptions import complaint_dialog  # opened on demand

        if (view := self.current()) is not None:
            self.app.push_screen(complaint_dialog(self.host, view.id, view.ref), self.after_dialog)

    def fail_with_reason(self, action: Action, fail: Callable[..., Outcome]) -> None:
        """The reason dialog for ``action`` (接单失败, 揽收失败) on the highlighted order; ``fail`` is
        the service, called as fail(desk, order_id, reason, note, operator) in the dialog's worker."""
        from stationdesk.tui.dialogs.reason import ReasonDialog  # opened on demand

        if (view := self.current()) is None:
            return
        host = self.host

        def submit(reason: Reason, note: str | None) -> Outcome:  # runs in the dialog's worker thread
            return fail(host.desk, view.id, reason, note, host.operator)

        title = tr("reason.title", self.lang, action=action_label(action.value, self.lang), ref=view.ref)
        self.app.push_screen(ReasonDialog(title, submit), self.after_dialog)

    def after_dialog(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.after_action(outcome)

    def after_refusal(self, _message: str) -> None:
        """A refused action changed nothing, but the list may be stale (another terminal): fetch it."""
        self.order_list.reload()
        post_up(self, OrdersChanged())

    def after_action(self, outcome: Outcome) -> None:
        """An action changed orders: drop them from the selection and fetch the page again."""
        post_up(self, OrdersChanged(outcome.order_ids))
        self.order_list.selected.difference_update(outcome.order_ids)
        self.order_list.reload()
