"""Create and upgrade the station schema. Alembic is imported only when a change is needed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from stationdesk.store import reads
from stationdesk.store.engine import Database
from stationdesk.store.errors import StoreError
from stationdesk.store.migrations import SCHEMA_HEAD
from stationdesk.store.plumbing import read_meta as read_meta  # re-exported: setup and bootstrap read the station code here

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def current_revision(conn: Connection) -> str | None:
    return reads.schema_version(conn)


def known_revisions() -> set[str]:
    """The schema revisions this version can open (and upgrade to SCHEMA_HEAD)."""
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("*.py")}


def upgrade(db: Database) -> None:
    """Bring the schema to SCHEMA_HEAD in one transaction."""
    from alembic import command  # heavy: only when the schema must change
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.write() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ensure_current(db: Database) -> None:
    """Refuse a database whose schema this version does not know; upgrade an older one."""
    with db.read() as conn:
        rev = current_revision(conn)
    if rev == SCHEMA_HEAD:
        return
    if rev is None:
        raise StoreError("err.not_a_station_db", path=db.path)
    if rev not in known_revisions():
        raise StoreError("err.newer_schema", path=db.path, rev=rev, head=SCHEMA_HEAD)
    upgrade(db)
