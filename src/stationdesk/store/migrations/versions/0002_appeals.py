"""Appeals of violations: one per order and violation kind, with the note and who filed it;
and the partial index of orders still waiting for their pickup scan (网点未揽收查询).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.String(27)  # UTC as 'YYYY-MM-DDTHH:MM:SS.ffffffZ'


def upgrade() -> None:
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("appealed_at", TS, nullable=False),
        sa.UniqueConstraint("order_id", "kind", name="uq_appeal_order_kind"),
    )
    op.create_index(
        "ix_orders_unscanned", "orders", ["order_time"],
        sqlite_where=sa.text("scanned_at IS NULL AND status IN ('accepted', 'picked_up')"),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_unscanned", table_name="orders")
    op.drop_table("appeal")
