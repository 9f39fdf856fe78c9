"""Starting the desk: the first screen drawn from a glance, the store opened right after.

Loading SQLAlchemy and SQLModel takes longer than Textual takes to start and draw. So the desk
reads what its first screen shows with sqlite3 alone (stationdesk.store.glance), draws it, and
opens the store (bootstrap.open_desk) in the moment after. Keys typed meanwhile are held and
handled in order once the store is open. Where a glance cannot stand in for the store (a schema
to migrate, a big file without planner statistics, ...) the store opens first, as it always did.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stationdesk import config as config_mod
from stationdesk import paths
from stationdesk.services.context import Clock, system_clock
from stationdesk.store import glance
from stationdesk.tui.app import Opening, StationDeskApp, build_app
from stationdesk.tui.data import COUNT_CAP

if TYPE_CHECKING:
    from stationdesk.services.context import Desk
    from stationdesk.services.passwords import Argon2Hasher


def _open_store(path: Path, config_path: Path, clock: Clock, hasher: Argon2Hasher | None = None) -> Desk:
    from stationdesk.bootstrap import open_desk  # SQLAlchemy loads here, after the first paint

    return open_desk(path, config_path, clock=clock, hasher=hasher)


def open_app(db_path: Path | None, config_path: Path | None, operator: str, *, alerts: bool = True,
             clock: Clock = system_clock, hasher: Argon2Hasher | None = None) -> StationDeskApp:
    """The desk app on ``db_path`` (default: the user data dir's station.db). A bad config.toml is
    refused here, before anything is drawn; so is a database the store must open first and
    cannot (a foreign file, an unknown station). ``hasher``: the bootstrap's full-cost one unless given."""
    config_path = Path(config_path) if config_path is not None else paths.default_config_path()
    cfg = config_mod.load(config_path)
    path = Path(db_path) if db_path is not None else paths.default_db_path()
    seen = glance.take(path, COUNT_CAP)
    if seen is None:
        return build_app(_open_store(path, config_path, clock, hasher), operator=operator, alerts=alerts)
    opening = Opening(seen, cfg, path, lambda: _open_store(path, config_path, clock, hasher), clock)
    return StationDeskApp(None, operator, alerts=alerts, login=seen.accounts, opening=opening)


def run(db_path: Path | None, config_path: Path | None, operator: str) -> None:
    """Run the desk full screen until the clerk quits, with the unaccepted-order alert. A store
    that refused to open after the first paint is raised here, for the command to say."""
    app = open_app(db_path, config_path, operator)
    app.freeze_at_start = True  # this process is the desk's: what its start builds stays to the end
    app.run()
    if app.open_error is not None:
        raise app.open_error
