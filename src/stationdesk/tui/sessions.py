"""登录时段 while the desk runs: a session from sign-in (or the open desk's start) to the end,
with a sign of life every minute, so the supervisor's report can tell the working-hour minutes
with no one signed in. The writes run in thread workers; a failure is said once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp

log = logging.getLogger(__name__)


class DeskSessions:
    def __init__(self, app: StationDeskApp) -> None:
        self.app = app
        self.session_id: int | None = None
        self.failed = False

    def start(self, operator: str) -> None:
        from stationdesk.services.sessions import start_session

        self.app.jobs.run(start_session, self.app.desk, operator, done=self._started, failed=self._failed,
                          group="session")

    def _started(self, session_id: int) -> None:
        self.session_id = session_id

    def _failed(self, text: str) -> None:
        if not self.failed:
            self.failed = True
            self.app.say(text, severity="warning")

    def touch(self) -> None:
        from stationdesk.services.sessions import touch_session

        if self.session_id is not None:
            self.app.jobs.run(touch_session, self.app.desk, self.session_id, failed=self._failed, group="session")

    def end(self) -> None:
        """On the way out: one short write on this thread (no worker runs after the app stops)."""
        from stationdesk.services.sessions import end_session

        if self.session_id is None or not self.app.store_open:
            return
        try:
            end_session(self.app.desk, self.session_id)
        except Exception:  # logged: the session then ends at its last sign of life
            log.exception("could not record the end of the desk session")
        self.session_id = None
