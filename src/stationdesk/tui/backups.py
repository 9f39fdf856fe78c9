"""The daily backup while the desk runs: today's copy once a day, old ones removed.

A job on the desk's scheduler looks every hour whether today's backup exists (a file check) and
takes it in a thread worker when it does not, so the clerk never waits for it. A failure is said
once, and the next hour tries again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stationdesk import paths
from stationdesk.domain.words import speak
from stationdesk.tui.i18n import tr

if TYPE_CHECKING:
    from stationdesk.alerts.job import AlertSchedule
    from stationdesk.tui.app import StationDeskApp

BACKUP_JOB = "daily-backup"
CHECK_EVERY_MINUTES = 60.0


class DeskBackups:
    def __init__(self, app: StationDeskApp) -> None:
        self.app = app
        self.failed = False
        settings = app.config.backup
        self.folder = Path(settings.folder).expanduser() if settings.folder else paths.backup_dir()

    def schedule(self, scheduler: AlertSchedule | None) -> bool:
        if scheduler is None:
            return False
        scheduler.add_every(self.run_scheduled, CHECK_EVERY_MINUTES, BACKUP_JOB, "daily backup", now=True)
        return True

    async def run_scheduled(self) -> None:
        self.app.run_worker(self._take, thread=True, group="backup", exclusive=True, exit_on_error=False)

    def _take(self) -> None:
        from stationdesk.services import backup as backups

        desk = self.app.desk
        try:
            made, _removed = backups.daily(desk.db, self.folder, desk.station.code,
                                           desk.now().astimezone(desk.config.tz).date(), desk.config.backup.keep_days)
        except Exception as exc:  # noqa: BLE001 - said once on screen; the next hour tries again
            if not self.failed:
                self.failed = True
                self.app.call_from_thread(self.app.say, tr("backup.failed", self.app.lang, why=speak(exc, self.app.lang)), "warning")
            return
        self.failed = False
        if made is not None:
            self.app.call_from_thread(self.app.say, tr("backup.done", self.app.lang, name=made.path.name))
