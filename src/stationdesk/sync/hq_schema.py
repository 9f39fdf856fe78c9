"""Connect to head office PostgreSQL, create and upgrade its schema, load its station directory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError, StatementError

from stationdesk.domain.routing import Directory, Station, StationKind
from stationdesk.domain.words import Words
from stationdesk.sync.errors import HQError as HQError  # re-exported: head office's tools raise it
from stationdesk.sync.hq_migrations import HQ_SCHEMA_HEAD, HQ_VERSION_TABLE
from stationdesk.sync.hq_tables import HQ_STATIONS

MIGRATIONS_DIR = Path(__file__).with_name("hq_migrations")




def connect(url: str, **pool: int) -> Engine:
    """An engine on head office. Only PostgreSQL through psycopg 3 is accepted."""
    url = url.strip()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("postgresql+psycopg://"):
        raise HQError("hq.not_postgres", url=_safe(url))
    # pool_pre_ping: a sync after a night offline must not trip over a connection the server dropped
    # hide_parameters: an error message or log line never carries an order's values (phones, names)
    # pool: pool_size / max_overflow for head office's service (hq serve); the CLI's tools take the defaults
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 10}, **pool)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("://", 1)[-1]:
        return url
    scheme, creds = head.split("://", 1) if "://" in head else ("", head)
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{tail}"


def revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table(HQ_VERSION_TABLE):
        return None
    return conn.exec_driver_sql(f"SELECT version_num FROM {HQ_VERSION_TABLE}").scalar()


def _cause(exc: SQLAlchemyError) -> BaseException:
    """The driver's own error where SQLAlchemy wraps one (a statement's), else ``exc`` itself."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        return exc.orig
    return exc


def upgrade(engine: Engine) -> None:
    """Bring head office to HQ_SCHEMA_HEAD in one transaction (PostgreSQL DDL is transactional)."""
    from alembic import command  # heavy: only when the schema is created or changed
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except SQLAlchemyError as exc:
        raise HQError("hq.upgrade_failed", url=_safe(str(engine.url)), why=f"{exc.__class__.__name__}: {_cause(exc)}") from exc


def ensure_current(engine: Engine) -> None:
    """Refuse a head office whose schema is missing or of another version."""
    try:
        with engine.connect() as conn:
            rev = revision(conn)
    except SQLAlchemyError as exc:
        raise HQError("hq.cannot_connect", url=engine.url.render_as_string(hide_password=True), why=str(_cause(exc))) from exc
    if rev != HQ_SCHEMA_HEAD:
        raise HQError("hq.schema", url=engine.url.render_as_string(hide_password=True),
                      rev=rev or Words("hq.none_sent"), head=HQ_SCHEMA_HEAD)


def store_directory(engine: Engine, stations: list[Station]) -> None:
    """Replace head office's station directory (stations keep their orders)."""
    with engine.begin() as conn:
        conn.execute(HQ_STATIONS.delete())
        conn.execute(HQ_STATIONS.insert(), [
            {"code": s.code, "name": s.name, "province": s.province, "districts": ";".join(sorted(s.districts)),
             "kind": s.kind.value} for s in stations
        ])


def load_directory(conn: Connection) -> Directory:
    rows = conn.execute(select(HQ_STATIONS)).mappings().all()
    return Directory([
        Station(r["code"], r["name"], r["province"], frozenset(d for d in r["districts"].split(";") if d),
                StationKind(r["kind"]))
        for r in rows
    ])
