"""The accounts' audit chain: account changes become chained events; existing accounts get a baseline.

Revision ID: 0008
Revises: 0007
"""

import hashlib

import sqlalchemy as sa
from alembic import op

from stationdesk.domain.chain import GENESIS, account_content, link
from stationdesk.store.reads import driver as sqlite_driver

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.String(27)  # UTC as 'YYYY-MM-DDTHH:MM:SS.ffffffZ'


def upgrade() -> None:
    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(), nullable=False),
        sa.Column("chain", sa.String(), nullable=False),
    )
    driver = sqlite_driver(op.get_bind())
    previous = GENESIS
    rows = driver.execute("SELECT name, role, disabled, password_hash, updated_at FROM operator ORDER BY name").fetchall()
    for event_id, (name, role, disabled, password_hash, at) in enumerate(rows, start=1):
        values = (event_id, name, "baseline", "stationdesk", at, role, bool(disabled),
                  hashlib.sha256(password_hash.encode()).hexdigest())
        previous = link(previous, account_content(*values))
        driver.execute("INSERT INTO account_event (id, name, action, by, at, role, disabled, secret, chain)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, previous))


def downgrade() -> None:
    op.drop_table("account_event")
