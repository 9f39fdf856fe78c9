"""Head office sync on the screen: the sync key, the scheduled sync, and what the status bar shows.

A sync runs in a thread worker; its result comes back to the UI thread, which alone keeps the
state here (no lock). One sync at a time: the key while one runs says so and starts nothing.
A head office that cannot be reached is reported once per run of failed scheduled syncs; the
sync key always reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from stationdesk.domain.text import clean_text
from stationdesk.services.context import Desk
from stationdesk.keymap import keys_of
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import key_display

if TYPE_CHECKING:
    from stationdesk.alerts.job import AlertSchedule
    from stationdesk.sync.station import SyncReport, SyncStatus
    from stationdesk.tui.app import StationDeskApp

SYNC_JOB = "sync"


@dataclass(frozen=True)
class SyncRun:
    """What one sync did (``report``) or why it stopped (``error``), and the status after it."""

    report: SyncReport | None
    error: str | None
    status: SyncStatus


def load_sync_status(desk: Desk) -> SyncStatus:
    # the sync modules (and the PostgreSQL dialect they load) stay out of the desk's start
    from stationdesk.sync import station

    return station.sync_status(desk.db, desk.station.code)


def run_sync(desk: Desk, url: str) -> SyncRun:
    """Push, pull and read the status, in a worker thread. A head office that cannot be reached or
    refuses is a result (the desk carries on offline); anything else is an error for the one handler."""
    from stationdesk.sync import client, station  # the HTTP client loads with the first sync only
    from stationdesk.sync.errors import HQError

    report: SyncReport | None = None
    error: str | None = None
    try:
        with client.HeadOffice(url, client.load_token()) as link:
            report = station.sync(desk.db, desk.station.code, link, desk.now,
                                  duplicate_window=timedelta(minutes=desk.config.duplicates.window_minutes))
    except HQError as exc:
        from stationdesk.domain.words import lang_of, speak

        error = clean_text(speak(exc, lang_of(desk.config.station.language)))  # head office's words, in the desk's language
    return SyncRun(report, error, station.sync_status(desk.db, desk.station.code))


def summary_text(report: SyncReport, lang: str) -> str:
    text = tr("sync.done", lang, pushed=report.pushed, acknowledged=report.acknowledged, rejected=report.rejected,
              conflicts=report.conflicts, pulled=report.pulled)
    if report.resolutions_sent:
        text += tr("sync.resolutions", lang, n=report.resolutions_sent)
    return text


class DeskSync:
    """The sync state of one desk app: the last status read, a sync under way, the failure streak."""

    def __init__(self, app: StationDeskApp) -> None:
        self.app = app
        self.status: SyncStatus | None = None
        self.running = False
        self.failures = 0  # failed syncs in a row
        self.last: SyncRun | None = None
        self._manual = False
        self._generation = 0  # a status read older than the latest sync or read is dropped

    @property
    def url(self) -> str:
        return self.app.desk.config.sync.url.strip()

    @property
    def every_minutes(self) -> float:
        return self.app.desk.config.sync.every_minutes

    # -- status ------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        """Read the last sync time, pending ops and open conflicts (with the counts, not per tick)."""
        if self.running:
            return  # the sync reads it when it ends
        self._generation += 1
        generation = self._generation
        self.app.jobs.run(load_sync_status, self.app.desk, done=lambda s: self._status_read(s, generation),
                          group="sync-status", exclusive=True)

    def _status_read(self, status: SyncStatus, generation: int) -> None:
        if generation == self._generation and not self.running:
            self.show(status)

    def show(self, status: SyncStatus) -> None:
        self.status = status
        self.app.show_counts(self.app.counts)  # redraws the status bars

    def last_sync_text(self, when: datetime, now: datetime) -> str:
        """'14:05' today, '11-22 14:05' on another day, in the station's time zone."""
        tz = self.app.desk.config.tz
        local = when.astimezone(tz)
        return local.strftime("%H:%M") if local.date() == now.astimezone(tz).date() else local.strftime("%m-%d %H:%M")

    # -- syncing -----------------------------------------------------------------------------

    def schedule(self, scheduler: AlertSchedule | None) -> bool:
        """Add the scheduled sync to the desk's scheduler: the first at once, then every
        ``[sync] every_minutes``. Nothing runs without a head office URL or with 0 minutes."""
        if scheduler is None or not self.url or self.every_minutes <= 0:
            return False
        scheduler.add_every(self.run_scheduled, self.every_minutes, SYNC_JOB, "head office sync", now=True)
        return True

    async def run_scheduled(self) -> None:
        """The scheduler's job, on the app's loop: start a sync unless one runs."""
        self.start(manual=False)

    def start(self, *, manual: bool) -> bool:
        """Start a sync in a worker; False (with a word when ``manual``) when none was started."""
        lang = self.app.lang
        if not self.url:
            if manual:
                self.app.say(tr("sync.off", lang), severity="warning")
            return False
        if self.running:
            if manual:
                self.app.say(tr("sync.busy", lang), severity="warning")
            return False
        self.running = True
        self._manual = manual
        self._generation += 1
        if manual:
            self.app.say(tr("sync.running", lang))
        self.app.show_counts(self.app.counts)
        self.app.jobs.run(run_sync, self.app.desk, self.url, done=self._done, failed=self._failed, group="sync")
        return True

    def _done(self, run: SyncRun) -> None:
        lang = self.app.lang
        self.running = False
        self.last = run
        if run.error is not None:
            self.failures += 1
            self.app.log.warning(f"sync failed ({self.failures} in a row): {run.error}")
            if self._manual or self.failures == 1:
                self.app.say(tr("sync.failed", lang, why=run.error), severity="error")
        else:
            self.failures = 0
            assert run.report is not None
            text = summary_text(run.report, lang)
            if run.report.conflicts:
                key = key_display(keys_of(self.app.key_overrides)["app.conflicts"])
                self.app.say(f"{text} | {tr('sync.new_conflicts', lang, n=run.report.conflicts, key=key)}",
                             severity="warning")
            elif self._manual or run.report.pulled or run.report.pushed:
                self.app.say(text)
        self.show(run.status)
        if run.report is not None and (run.report.pulled or run.report.conflicts):
            self._reload_screens()

    def _failed(self, _text: str) -> None:
        """An unexpected error (already shown by the one handler): the next sync may run."""
        self.running = False
        self.failures += 1
        self.refresh_status()

    def _reload_screens(self) -> None:
        """Orders arrived or conflicts were found: the screen in view and the counts read again."""
        if (screen := self.app.base_screen) is not None:
            screen.reload()
        self.app.refresh_counts()
