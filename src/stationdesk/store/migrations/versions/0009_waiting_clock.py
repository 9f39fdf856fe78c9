"""The index of the waiting orders by when their 30-minute accept clock started, which the alert
reads its counts and its most urgent orders from (store.reads.ACCEPT_CLOCK_START says why).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# the expression as it stood at this revision: SQLite uses the index only for the very same text
# in a query, and tests/store/test_waiting_clock.py holds the queries to it
CLOCK_START = ("CASE WHEN dispatch_time IS NOT NULL AND dispatch_operator LIKE '电商%' "
               "THEN dispatch_time ELSE order_time END")


def upgrade() -> None:
    op.create_index("ix_orders_waiting_clock", "orders", [sa.text(CLOCK_START), "id"],
                    sqlite_where=sa.text("status = 'waiting'"))


def downgrade() -> None:
    op.drop_index("ix_orders_waiting_clock", table_name="orders")
