"""Alembic environment of the head office schema: runs on the connection stationdesk.sync.hq_schema hands over."""

from alembic import context

from stationdesk.sync.hq_migrations import HQ_VERSION_TABLE
from stationdesk.sync.hq_tables import HQ_METADATA

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=HQ_METADATA,
    version_table=HQ_VERSION_TABLE,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
