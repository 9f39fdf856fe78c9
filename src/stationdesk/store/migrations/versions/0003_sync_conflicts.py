"""Sync conflicts: clashes head office found with this station's ops, until a person resolves them.

The sync cursors (the feed position pulled, the last sync time) live in the meta table.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.String(27)  # UTC as 'YYYY-MM-DDTHH:MM:SS.ffffffZ'


def upgrade() -> None:
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("op_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("logistics_no", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("hq_status", sa.String(), nullable=True),
        sa.Column("hq_station", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.Column("reported_at", TS, nullable=True),
        sa.UniqueConstraint("op_id", name="uq_sync_conflict_op"),
    )
    op.create_index("ix_sync_conflict_open", "sync_conflict", ["resolved_at", "id"])


def downgrade() -> None:
    op.drop_table("sync_conflict")
