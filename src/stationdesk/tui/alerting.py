"""您还有未接订单,请尽快操作! on the screen: the sink of the alert jobs (stationdesk.alerts.job).

The alert is the warning area under the status bar (widgets.alert_bar), which stays until the
clerk acknowledges it (Esc, before Esc does anything else) or every waiting order is answered;
the terminal bell (``[alerts] bell``) and the waiting count marked in the status bar. Its counts
are the desk's current ones, redrawn in place; orders about to pass their deadline are listed in
the same area, and leave it once answered. F3 acknowledges it too and opens 网点接单 on the
most urgent order. Every method runs on the app's event loop.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from stationdesk import keymap
from stationdesk.store.values import WaitingCounts
from stationdesk.tui.keys import key_display


STAY = 12 * 3600.0  # seconds a reminder stays: longer than a shift, so until acknowledged
if TYPE_CHECKING:
    from stationdesk.alerts.rule import Alert, Escalation, UrgentOrder, Waiting
    from stationdesk.alerts.job import AlertSchedule, AlertWatch
    from stationdesk.tui.app import StationDeskApp



class DeskAlerts:
    """The alert state of one desk app and the scheduler that lives as long as the app."""

    def __init__(self, app: StationDeskApp) -> None:
        self.app = app
        self.alert: Alert | None = None  # shown and not acknowledged
        self.escalation: Escalation | None = None  # likewise
        self.watch: AlertWatch | None = None
        self.schedule: AlertSchedule | None = None
        self.bells = 0  # bells rung (the terminal gives no echo of them)
        # reminders that stay until Esc (end of shift, complaints near their deadline): put back
        # whenever a newer message replaces the toasts
        self.reminders: list[dict[str, Any]] = []

    def start(self) -> None:
        """Start the scheduler on the running loop: the first check runs at once."""
        from stationdesk.alerts.job import AlertSchedule, AlertWatch  # APScheduler loads with the screen only

        desk = self.app.desk
        self.watch = AlertWatch(desk.db, desk.config, desk.now, self, desk.station.province)
        self.schedule = AlertSchedule(self.watch, desk.config.alerts.min_minutes, desk.config.alerts.max_minutes)
        self.schedule.start()

    def stop(self) -> None:
        if self.schedule is not None:
            self.schedule.shutdown()

    @property
    def showing(self) -> bool:
        """An alert or an escalation waits for the clerk's acknowledgement."""
        return self.alert is not None or self.escalation is not None

    # -- the sink of the jobs ----------------------------------------------------------------

    def alert_pending(self) -> bool:
        return self.alert is not None

    def show_waiting(self, waiting: Waiting) -> None:
        self.app.show_counts(WaitingCounts(waiting.waiting, waiting.overdue, waiting.due_soon))

    def raise_alert(self, alert: Alert) -> None:
        self.alert = alert
        self._ring()
        self._changed()

    def raise_escalation(self, escalation: Escalation, now: datetime) -> None:
        """Orders entering their last minutes join those already listed (each named once)."""
        from stationdesk.alerts.rule import Escalation as Listed

        before = self.escalation.orders if self.escalation is not None else ()
        known = {o.id for o in before}
        self.escalation = Listed((*before, *(o for o in escalation.orders if o.id not in known)))
        self._ring()
        self._changed()

    def lines(self) -> list[str]:
        """The warning area's text: the alert with the desk's current counts, then the orders
        about to pass their deadline, then the keys that answer them. Empty when nothing waits."""
        if not self.showing:
            return []
        lang = self.app.lang
        out = []
        if (alert := self.alert) is not None:
            counts = self.app.counts
            if counts is not None:  # read every half minute: the alert's own were read when it fired
                from stationdesk.alerts.rule import counts_text

                text = counts_text(counts.waiting, counts.overdue, counts.due_soon, alert.warn_minutes, lang)
            else:
                text = alert.counts_text(lang)
            out.append(f"{alert.title(lang)} {text}")
        if (escalation := self.escalation) is not None:
            out.append(f"{escalation.title(lang)}: {escalation.text(self.app.now(), self.app.config.tz, lang)}")
        out.append(self._keys_hint())
        return out

    def resolved(self, order_ids: list[int]) -> None:
        """Orders were answered (accepted, transferred, failed): they leave the area; with none
        left waiting at all, the alert itself is answered."""
        if self.escalation is not None:
            from stationdesk.alerts.rule import Escalation as Listed

            left = tuple(o for o in self.escalation.orders if o.id not in set(order_ids))
            self.escalation = Listed(left) if left else None
            self._changed()

    def counts_changed(self, counts: WaitingCounts | None) -> None:
        """Nothing waits any more: the alert and the list are answered."""
        if counts is not None and counts.waiting == 0 and self.showing:
            self.alert = self.escalation = None
            self._changed()

    def show_failure(self, message: str) -> None:
        from stationdesk.domain.words import speak

        self.app.say(speak(message, self.app.lang), severity="error")

    def remind_shift_end(self, unscanned: int) -> None:
        """Before the end of the shift: open 网点未揽收查询 (F6) and do the 补扫描."""
        from stationdesk.tui.i18n import tr

        keys = keymap.keys_of(self.app.key_overrides)
        self._remind(message=tr("shift_end.text", self.app.lang, n=unscanned, key=key_display(keys["app.unscanned"])),
                     title=tr("shift_end.title", self.app.lang), severity="warning")
        self._ring()

    def escalate_complaints(self, near: list[tuple[int, str, datetime]], now: datetime) -> None:
        """Complaints near their 48-hour deadline: told once each, until the clerk acknowledges."""
        from stationdesk.tui.i18n import time_left, tr

        lang = self.app.lang
        items = "; ".join(f"#{cid} {ref} {time_left(deadline - now, lang, hours=True)}" for cid, ref, deadline in near[:5])
        key = key_display(keymap.keys_of(self.app.key_overrides)["app.exceptions"])
        self._remind(message=tr("cp.escalated", lang, items=items, n=len(near), key=key),
                     title=tr("cp.escalated_title", lang), severity="error")
        self._ring()

    # -- the clerk's answer ------------------------------------------------------------------

    def _remind(self, **note: Any) -> None:
        self.reminders.append({**note, "timeout": STAY, "markup": False})
        self.app.notify(**self.reminders[-1])

    def acknowledge(self) -> bool:
        """Esc: the alert was seen. Clears the notifications; the next check may alert again."""
        if self.reminders and not self.showing:
            self.reminders.clear()
            self.app.clear_notifications()
            return True
        if not self.showing:
            return False
        self.reminders.clear()
        self.alert = self.escalation = None
        self._changed()
        return True

    def jump_to_most_urgent(self) -> None:
        """F3 while an alert shows: acknowledge it and highlight the most urgent waiting order."""
        if not self.acknowledge():
            return
        from stationdesk.alerts.reading import load_most_urgent  # the store is open by the time a key asks

        self.app.jobs.run(load_most_urgent, self.app.desk.db, done=self._highlight)

    def _highlight(self, urgent: UrgentOrder | None) -> None:
        from stationdesk.tui.screens.accept import AcceptScreen

        screen = self.app.base_screen
        if urgent is not None and isinstance(screen, AcceptScreen):
            screen.show_order(urgent.id, urgent.order_time)

    # -- helpers -----------------------------------------------------------------------------

    def _keys_hint(self) -> str:
        keys = keymap.keys_of(self.app.key_overrides)
        lang = self.app.lang
        return "  ".join(f"{key_display(keys[a])} {keymap.BY_ID[a].description(lang)}"
                         for a in ("app.ack_alert", "app.accept"))

    def _ring(self) -> None:
        if self.app.desk.config.alerts.bell:
            self.bells += 1
            self.app.bell()

    def _changed(self) -> None:
        self.app.refresh_bindings()  # the acknowledge key is shown only while there is something to acknowledge
        self.app.show_counts(self.app.counts)
        self.redraw()

    def redraw(self) -> None:
        from stationdesk.tui.widgets.alert_bar import AlertBar

        for screen in self.app.screen_stack:
            for bar in screen.query(AlertBar):
                bar.update_shown()
