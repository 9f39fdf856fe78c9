"""What the screens, dialogs and widgets read of the app: its state, read only.

The app is their host; they see it through this protocol and never through the app's class,
so nothing below the app imports it. What they ask of it goes the other way, as messages
(stationdesk.tui.messages).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    from stationdesk.config import Config
    from stationdesk.domain.roles import Operator
    from stationdesk.domain.routing import Station
    from stationdesk.services.context import Desk
    from stationdesk.store.values import WaitingCounts
    from stationdesk.sync.station import SyncStatus
    from stationdesk.tui.data import Reading
    from stationdesk.tui.pages import PageSource


class AlertsView(Protocol):
    @property
    def alert(self) -> Any: ...  # shown and not acknowledged

    def lines(self) -> list[str]: ...


class SyncView(Protocol):
    @property
    def status(self) -> SyncStatus | None: ...

    @property
    def running(self) -> bool: ...

    @property
    def failures(self) -> int: ...

    def last_sync_text(self, when: datetime, now: datetime) -> str: ...


class DeskHost(Protocol):
    """The desk app as its nodes see it."""

    @property
    def lang(self) -> str: ...

    @property
    def config(self) -> Config: ...

    @property
    def station(self) -> Station: ...

    @property
    def db_path(self) -> Path: ...

    @property
    def desk(self) -> Desk: ...  # the open store: a key that needs it waits for it (tui.store_opening)

    @property
    def reading(self) -> Reading: ...  # what reads go through: the store, or the file until the store is open

    @property
    def operator(self) -> str: ...

    @property
    def operator_label(self) -> str: ...

    @property
    def signed_in(self) -> Operator | None: ...

    @property
    def key_overrides(self) -> dict[str, str]: ...

    @property
    def counts(self) -> WaitingCounts | None: ...

    @property
    def damage(self) -> str | None: ...

    @property
    def message(self) -> tuple[str, SeverityLevel]: ...

    @property
    def alerts(self) -> AlertsView: ...

    @property
    def sync(self) -> SyncView: ...

    @property
    def pages(self) -> PageSource: ...

    def now(self) -> datetime: ...
