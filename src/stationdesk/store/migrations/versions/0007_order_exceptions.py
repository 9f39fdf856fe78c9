"""Order exceptions: likely duplicate submissions (重复下单?), found by phone within a time window,
the desk's sign-in sessions,
logistics exceptions (lost, damaged, delayed) and complaints.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.String(27)  # UTC as 'YYYY-MM-DDTHH:MM:SS.ffffffZ'


def upgrade() -> None:
    op.create_table(
        "order_duplicate",
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("duplicate_of", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("cleared_at", TS, nullable=True),
        sa.Column("cleared_by", sa.String(), nullable=True),
    )
    op.create_index("ix_order_duplicate_open", "order_duplicate", ["cleared_at", "order_id"])
    op.create_index("ix_orders_phone_time", "orders", ["sender_phone", "order_time"])
    op.create_table(
        "desk_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
    )
    op.create_index("ix_desk_session_started", "desk_session", ["started_at"])
    op.create_table(
        "logistics_exception",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("contacted_at", TS, nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
    )
    op.create_index("ix_logistics_exception_open", "logistics_exception", ["resolved_at", "recorded_at"])
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("confirmation", sa.String(), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
    )
    op.create_index("ix_complaint_open", "complaint", ["closed_at", "deadline"])


def downgrade() -> None:
    op.drop_table("complaint")
    op.drop_table("logistics_exception")
    op.drop_table("desk_session")
    op.drop_table("order_duplicate")
    op.drop_index("ix_orders_phone_time", table_name="orders")
