"""Database work in thread workers, with every result and every error routed through one place.

A job is a plain function run in a thread; on success its ``done`` callback runs on the UI
thread, and an Outcome (what a use case did) is shown to the clerk. On failure the one error
handler shows the message: a refusal by the rules or the store as it is, anything else as an
internal error with its type, and the full traceback goes to the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from stationdesk.domain.errors import DomainError
from stationdesk.services.outcome import Outcome
from stationdesk.store.errors import StoreError
from stationdesk.tui.i18n import error_text, tr

if TYPE_CHECKING:
    from stationdesk.tui.app import StationDeskApp


@dataclass
class Job:
    done: Callable[[Any], None] | None = None
    failed: Callable[[str], None] | None = None


def describe_error(error: BaseException, lang: str) -> str:
    """What to tell the clerk: the rule's own message for a refusal, else an internal error."""
    if isinstance(error, (DomainError, StoreError)):
        return error_text(error, lang) or str(error)
    return f"{tr('error.internal', lang)}: {type(error).__name__}: {error}"


class Jobs:
    """The app's runner of database work."""

    def __init__(self, app: StationDeskApp) -> None:
        self.app = app
        self._jobs: dict[Worker, Job] = {}

    def run(
        self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None, group: str = "db", exclusive: bool = False,
    ) -> Worker:
        worker = self.app.run_worker(
            partial(fn, *args), name=getattr(fn, "__name__", "job"), group=group,
            exclusive=exclusive, thread=True, exit_on_error=False,
        )
        # The state-change message is handled on this thread after we return: no race.
        self._jobs[worker] = Job(done, failed)
        return worker

    def settle(self, event: Worker.StateChanged) -> None:
        """Called for every worker state change of the app: the one result and error handler."""
        worker, state = event.worker, event.state
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        job = self._jobs.pop(worker, None)
        if state is WorkerState.SUCCESS:
            result = worker.result
            if isinstance(result, Outcome):
                self.app.show_outcome(result)
            if job is not None and job.done is not None:
                job.done(result)
        elif state is WorkerState.ERROR:
            error = worker.error
            assert error is not None
            text = describe_error(error, self.app.lang)
            if not isinstance(error, (DomainError, StoreError)):
                self.app.log.error(f"worker {worker.name} failed", error)
            self.app.say(text, severity="error")
            if job is not None and job.failed is not None:
                job.failed(text)
