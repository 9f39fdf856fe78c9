"""The alert jobs and their scheduler: an APScheduler AsyncIOScheduler on the screen's own event
loop. The database is read in a thread; the rule and the sink run on the loop, so the sink (the
screen) is never called from another thread and needs no lock.

The sink is whatever shows the alert: the desk app does (stationdesk.tui.alerting).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from stationdesk.alerts.reading import count_unscanned, load_near_complaints, load_waiting
from stationdesk.alerts.rule import Alert, Escalation, Waiting, alert_for, escalation_for
from stationdesk.alerts.trigger import GapTrigger
from stationdesk.config import Config
from stationdesk.domain.errors import DomainError
from stationdesk.domain.exceptions import ESCALATE_BEFORE
from stationdesk.domain.hours import in_hours, in_shift_end, shift_end_reminder_due
from stationdesk.domain.words import Words
from stationdesk.store.engine import Database
from stationdesk.store.errors import StoreError

log = logging.getLogger(__name__)

ESCALATE_EVERY = timedelta(minutes=1)  # how often due-soon orders are looked for (at most)
ALERT_JOB = "alert"
ESCALATE_JOB = "escalate"


class AlertSink(Protocol):
    """What shows the alerts. Every method is called on the event loop the scheduler runs on."""

    def alert_pending(self) -> bool:
        """An alert is shown and not yet acknowledged."""

    def show_waiting(self, waiting: Waiting) -> None:
        """The latest counts (for the status bar)."""

    def raise_alert(self, alert: Alert) -> None: ...

    def raise_escalation(self, escalation: Escalation, now: datetime) -> None: ...

    def show_failure(self, message: str) -> None:
        """A check failed: called once per run of failures, the log has every one."""

    def remind_shift_end(self, unscanned: int) -> None:
        """The last half hour of the working day with orders not yet scanned: run 网点未揽收查询."""

    def escalate_complaints(self, near: list[tuple[int, str, datetime]], now: datetime) -> None:
        """Complaints close to (or past) their 48-hour deadline, each told once: (id, logistics no., deadline)."""


def failure_text(error: BaseException) -> Words:
    """What the screen says when a check failed: the refusal's own words, else the error as it is."""
    what = error if isinstance(error, (DomainError, StoreError)) else f"{type(error).__name__}: {error}"
    return Words("alert.check_failed", why=what)


class AlertWatch:
    """The checks behind 您还有未接订单,请尽快操作!: read what waits, apply the rule, tell the sink.
    Keeps what the rule needs between runs (which orders were escalated) and a failure streak."""

    def __init__(self, db: Database, config: Config, clock: Callable[[], datetime], sink: AlertSink,
                 province: str = "") -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.sink = sink
        self.hours = config.hours_for(province)  # the station's province chooses the default hours
        self.reminded_on: date | None = None  # the day the end-of-shift reminder was given
        self.complaints_escalated: set[int] = set()
        self.escalated: dict[int, datetime] = {}
        self.runs = 0  # finished checks, successful or not
        self.failures = 0  # failed checks in a row

    async def check(self) -> None:
        """The interval job: the alert (when due) and the escalations."""
        await self._run(alert=True)

    async def check_escalations(self) -> None:
        """The minute job: escalations only, so a due-soon order is warned about in time."""
        await self._run(alert=False)

    async def _run(self, *, alert: bool) -> None:
        cfg = self.config
        try:
            now = self.clock()
            warn = timedelta(minutes=cfg.alerts.warn_before_minutes)
            waiting = await asyncio.to_thread(load_waiting, self.db, now, warn)
            self.sink.show_waiting(waiting)
            hours, tz = self.hours, cfg.tz
            if alert:
                found = alert_for(waiting, now, hours, tz, warn_minutes=cfg.alerts.warn_before_minutes,
                                  pending=self.sink.alert_pending())
                if found is not None:
                    self.sink.raise_alert(found)
            escalation, self.escalated = escalation_for(waiting, now, hours, tz, self.escalated)
            if escalation is not None:
                self.sink.raise_escalation(escalation, now)
            if in_hours(now, hours, tz):
                near = await asyncio.to_thread(load_near_complaints, self.db, now, ESCALATE_BEFORE)
                new = [c for c in near if c[0] not in self.complaints_escalated]
                if new:
                    self.complaints_escalated.update(c[0] for c in new)
                    self.sink.escalate_complaints(new, now)
            if in_shift_end(now, hours, tz) and self.reminded_on != now.astimezone(tz).date():
                unscanned = await asyncio.to_thread(count_unscanned, self.db)
                if shift_end_reminder_due(now, hours, tz, unscanned, self.reminded_on):
                    self.reminded_on = now.astimezone(tz).date()
                    self.sink.remind_shift_end(unscanned)
        except Exception as exc:  # a failed check must not stop the schedule: logged, shown once
            self.failures += 1
            log.exception("alert check failed (%d in a row)", self.failures)
            if self.failures == 1:
                self.sink.show_failure(failure_text(exc))
        else:
            self.failures = 0
            # the 10-20 minute check is one INFO line; the minute-by-minute deadline watch only at DEBUG
            log.log(logging.INFO if alert else logging.DEBUG, "alert check: %d waiting, %d overdue, %d due soon%s", waiting.waiting, waiting.overdue,
                     waiting.due_soon, ", alert raised" if alert and found is not None else "")
        finally:
            self.runs += 1


class AlertSchedule:
    """The scheduler of one running desk. ``start`` inside the running event loop (the app's
    on_mount); ``shutdown`` with the app."""

    def __init__(self, watch: AlertWatch, min_minutes: float, max_minutes: float,
                 rng: random.Random | None = None) -> None:
        self.watch = watch
        self.trigger = GapTrigger(min_minutes, max_minutes, rng)
        self.escalate_every = min(ESCALATE_EVERY, timedelta(minutes=min_minutes))
        # A late run still runs (once): a check is never dropped for being late.
        self.scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self._stopped = False

    def start(self) -> None:
        """Schedule the checks, the first one now (the alert when the desk opens), and start."""
        self.scheduler.add_job(self.watch.check, self.trigger, id=ALERT_JOB, name="unaccepted-order alert",
                               next_run_time=datetime.now(UTC))
        self.scheduler.add_job(self.watch.check_escalations,
                               IntervalTrigger(seconds=self.escalate_every.total_seconds(), timezone=UTC),
                               id=ESCALATE_JOB, name="due-soon escalation")
        self.scheduler.start()

    def add_every(self, job: Callable[[], Awaitable[None]], minutes: float, job_id: str, name: str, *,
                  now: bool = False) -> None:
        """Another job of the running desk on this one scheduler (the head office sync): every
        ``minutes``, the first at once when ``now``. ``job`` runs on the loop and must not block."""
        first = {"next_run_time": datetime.now(UTC)} if now else {}
        self.scheduler.add_job(job, IntervalTrigger(seconds=minutes * 60, timezone=UTC), id=job_id, name=name,
                               **first)

    def run_now(self, job_id: str = ALERT_JOB) -> None:
        """Run a check now; its schedule continues from this run."""
        self.scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    @property
    def running(self) -> bool:
        return self.scheduler.running and not self._stopped

    def shutdown(self) -> None:
        """Stop the checks; a check under way is cancelled (it only reads)."""
        if self.scheduler.running and not self._stopped:
            self._stopped = True
            self.scheduler.shutdown(wait=False)
