"""The audit chain: every event carries the hash of itself and the chain before it.

Events already in the file are chained here, in id order, so `stationdesk audit verify` covers
the whole history from the first event on.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from stationdesk.domain.chain import GENESIS, event_content, link
from stationdesk.store.reads import driver as sqlite_driver

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 20_000


def upgrade() -> None:
    op.add_column("order_event", sa.Column("chain", sa.String(), nullable=True))
    driver = sqlite_driver(op.get_bind())
    previous, last_id = GENESIS, 0
    while True:
        rows = driver.execute(
            "SELECT id, order_id, version, action, operator, at, before_status, after_status, details"
            " FROM order_event WHERE id > ? ORDER BY id LIMIT ?", (last_id, BATCH),
        ).fetchall()
        if not rows:
            break
        updates = []
        for row in rows:
            previous = link(previous, event_content(*row))
            updates.append((previous, row[0]))
        driver.executemany("UPDATE order_event SET chain = ? WHERE id = ?", updates)
        last_id = rows[-1][0]


def downgrade() -> None:
    op.drop_column("order_event", "chain")
