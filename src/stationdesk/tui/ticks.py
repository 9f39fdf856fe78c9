"""The desk's timers, from the moment its store is open: the counts read again, the list in view
fetched again (new orders, time left), the time left redrawn from the clock, the session's signs
of life."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stationdesk.tui.widgets.order_list import OrderList

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp

COUNTS_EVERY = 30.0  # seconds between refreshes of the waiting/overdue counts
LIST_EVERY = 60.0  # seconds between refreshes of the list in view (new orders, time left)
SESSION_EVERY = 60.0  # seconds between the signed-in session's signs of life
COUNTDOWN_EVERY = 15.0  # seconds between redraws of the time left (剩余) from the clock: no database read


class DeskTicks:
    def __init__(self, app: StationDeskApp) -> None:
        self.app = app

    def start(self) -> None:
        app = self.app
        app.set_interval(COUNTS_EVERY, app.refresh_counts)
        app.set_interval(LIST_EVERY, self.tick_list)
        app.set_interval(COUNTDOWN_EVERY, self.tick_countdown)
        app.set_interval(SESSION_EVERY, app.sessions.touch)

    def tick_list(self) -> None:
        if (screen := self.app.base_screen) is not None and screen.is_active:
            screen.reload()

    def tick_countdown(self) -> None:
        """Redraw the time left of the list in view: its rows hold their deadlines, the clock does the rest."""
        if (screen := self.app.base_screen) is not None and screen.is_active:
            for lst in screen.query(OrderList):
                if lst.deadline is not None:
                    lst.refresh()
