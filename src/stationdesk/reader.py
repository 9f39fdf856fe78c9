"""The desk for a command that only reads, opened with the standard library's sqlite3 alone.

`orders show`, `orders list`, `alerts check`, `report unscanned`, `report violations` and
`notices` run from a shell, a cron line or a status-bar script; loading SQLAlchemy and SQLModel (the write path) costs them
several times the read itself. So they open the file here, read-only, and run the SQL of
store.reads (the same text the store runs). Where the file is not ready as it is, the reader
steps aside and bootstrap.open_desk opens it as every command does: a schema to migrate, a big
file without planner statistics (ANALYZE writes), a missing station, any error (the store names
it properly). Signing in is not done here: it counts each attempt in a write transaction, so a
station with accounts opens the ordinary way (see cli._reading).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from stationdesk import config as config_mod
from stationdesk import paths
from stationdesk.services.context import Clock, Desk, system_clock
from stationdesk.store import reads
from stationdesk.store.errors import StoreError
from stationdesk.store.plumbing import needs_statistics


def open_reader(db_path: Path | None = None, config_path: Path | None = None,
                clock: Clock = system_clock) -> tuple[Desk, bool] | None:
    """(the desk on a read-only file, whether operator accounts exist), or None when the ordinary
    open must do it. A bad config.toml is refused here as it is there."""
    cfg = config_mod.load(config_path if config_path is not None else paths.default_config_path())
    path = Path(db_path) if db_path is not None else paths.default_db_path()
    if not path.is_file():
        return None
    try:
        db = reads.ReadOnlyFile(path)
    except (StoreError, sqlite3.Error):
        return None
    try:
        with db.read() as conn:
            if not reads.at_head(conn):
                raise LookupError("schema to migrate")
            if needs_statistics(reads.has_statistics(conn), reads.order_count_bound(conn)):
                raise LookupError("statistics to build")
            code = reads.meta(conn, "station_code")
            directory = reads.directory(conn)
            accounts = reads.accounts_exist(conn)
        station = directory.find(code) if code else None
        if station is None:
            raise LookupError("no station")
    except (LookupError, StoreError, sqlite3.Error, ValueError):
        db.dispose()  # the ordinary open finds the same and says it
        return None
    from stationdesk.services.passwords import production_hasher

    # db: a ReadOnlyFile stands in for the engine's Database (path, read, dispose) on these reads
    return Desk(db=db, config=cfg, station=station, directory=directory, clock=clock,  # type: ignore[arg-type]  # the ReadOnlyFile has the Database's path, read and dispose, all these reads use
                hasher=production_hasher()), accounts
