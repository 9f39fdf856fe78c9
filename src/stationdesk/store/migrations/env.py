"""Alembic environment: runs on the connection handed over by stationdesk.store.schema."""

from alembic import context

from sqlmodel import SQLModel

import stationdesk.store.tables  # noqa: F401 - registers the station's tables on SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copy
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
