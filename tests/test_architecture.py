"""The core never loads Textual, and the schema that migrations build is the models' schema."""

import sqlite3
import subprocess
import sys

import pytest

CORE = ["stationdesk.cli", "stationdesk.bootstrap", "stationdesk.services.feed_import", "stationdesk.services.accept",
        "stationdesk.services.seed", "stationdesk.services.check", "stationdesk.store.queries", "stationdesk.reports.writers"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_load_textual(module):
    code = f"import sys, {module}; sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_cli_help_does_not_load_sqlalchemy():
    code = "import sys; from stationdesk.cli import app; sys.exit(1 if 'sqlalchemy' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# alembic cannot compare an index on an expression (it says so and skips it): the test below
# compares every index's SQL itself
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_build_exactly_the_model_schema(db_path, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from stationdesk.store.migrations import SCHEMA_HEAD
    from stationdesk.store.tables import SQLModel

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == SCHEMA_HEAD
        assert compare_metadata(ctx, SQLModel.metadata) == []
    engine.dispose()
    # every index as the migrations wrote it, and as the model declares it (expressions included)
    fresh = create_engine(f"sqlite:///{tmp_path / 'model.db'}")
    SQLModel.metadata.create_all(fresh)
    fresh.dispose()
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    migrated, declared = (dict(sqlite3.connect(path).execute(query).fetchall()) for path in (db_path, tmp_path / "model.db"))
    assert migrated == declared
    assert "ix_orders_waiting_clock" in migrated


def test_connections_use_wal_full_sync_and_foreign_keys(desk):
    with desk.db.read() as conn:
        got = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")]
    assert got == ["wal", 2, 1, 10000]
