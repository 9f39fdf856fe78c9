"""The one factory: config -> database -> Desk (and, for the screen, the app)."""

from __future__ import annotations

from pathlib import Path

from stationdesk import config as config_mod
from stationdesk import paths
from stationdesk.domain.errors import DomainError
from stationdesk.services.context import Clock, Desk, system_clock
from stationdesk.services.passwords import Argon2Hasher, production_hasher
from stationdesk.services.setup import load_directory
from stationdesk.store import schema
from stationdesk.store.engine import Database
from stationdesk.store.errors import StoreError


def open_desk(db_path: Path | None = None, config_path: Path | None = None, clock: Clock = system_clock,
              hasher: Argon2Hasher | None = None) -> Desk:
    """Open an initialised station database with its config. Refuses a missing or foreign file.

    ``hasher`` hashes and checks the station's passwords: argon2 at full cost unless the caller
    hands in another (the tests pass a cheap one)."""
    cfg = config_mod.load(config_path if config_path is not None else paths.default_config_path())
    path = Path(db_path) if db_path is not None else paths.default_db_path()
    if not path.exists():
        raise StoreError("err.no_db", path=path)
    db = Database(path)
    try:
        schema.ensure_current(db)
        db.ensure_statistics()
        with db.read() as conn:
            code = schema.read_meta(conn, "station_code")
        if not code:
            raise StoreError("err.no_station_code", path=path)
        directory = load_directory(db)
        station = directory.find(code)
        if station is None:
            raise DomainError(f"{path}: 网点 {code} 不在网点目录中")
    except Exception:
        db.dispose()
        raise
    return Desk(db=db, config=cfg, station=station, directory=directory, clock=clock,
                hasher=hasher if hasher is not None else production_hasher())
