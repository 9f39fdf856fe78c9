"""Head office's audit: its violation ledger, closed weeks, notices, appeals, messages to stations,
the review queue, first-level stations, and the transfer clock column of the station's order model.
The ledger is built once from each order's history at head office (hq_audit.rebuild_ledger).

Revision ID: hq0002
Revises: hq0001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "hq0002"
down_revision = "hq0001"
branch_labels = None
depends_on = None

TSZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("hq_order", sa.Column("transfer_clock_at", TSZ, nullable=True))
    op.add_column("hq_station", sa.Column("first_level", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "hq_violation",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("fine", sa.Integer(), nullable=False),
        sa.Column("deadline", TSZ, nullable=False),
        sa.Column("at", TSZ, nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("week", sa.String(), nullable=True),
        sa.Column("notice_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TSZ, nullable=False),
        sa.Column("decided_at", TSZ, nullable=True),
        sa.Column("decision_note", sa.String(), nullable=True),
        sa.UniqueConstraint("order_id", "station_code", "kind", "deadline", name="uq_hq_violation_fact"),
    )
    # room on each page, so the week close's state changes are HOT updates that leave the indexes alone
    op.execute("ALTER TABLE hq_violation SET (fillfactor = 70)")
    op.create_index("ix_hq_violation_deadline", "hq_violation", ["deadline"])
    op.create_index("ix_hq_violation_station_deadline", "hq_violation", ["station_code", "deadline"])
    op.create_table(
        "hq_audit_week",
        sa.Column("week", sa.String(), primary_key=True),
        sa.Column("closed_at", TSZ, nullable=False),
        sa.Column("report", JSONB(), nullable=False),
    )
    op.create_table(
        "hq_notice",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("issued_at", TSZ, nullable=False),
        sa.Column("appeal_deadline", TSZ, nullable=False),
        sa.Column("total_fine", sa.Integer(), nullable=False),
        sa.UniqueConstraint("week", "station_code", name="uq_hq_notice_week_station"),
    )
    op.create_table(
        "hq_appeal",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("violation_id", sa.BigInteger(), sa.ForeignKey("hq_violation.id"), nullable=True),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("logistics_no", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("filed_at", TSZ, nullable=False),
        sa.Column("op_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=True),
        sa.Column("decided_at", TSZ, nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.UniqueConstraint("op_id", name="uq_hq_appeal_op"),
    )
    op.create_index("ix_hq_appeal_state", "hq_appeal", ["state"])
    op.create_table(
        "hq_audit_message",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("body", JSONB(), nullable=False),
        sa.Column("created_at", TSZ, nullable=False),
    )
    op.create_index("ix_hq_audit_message_station", "hq_audit_message", ["station_code", "id"])
    op.create_table(
        "hq_suspicion",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=False),
        sa.Column("deadline", TSZ, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", TSZ, nullable=False),
        sa.Column("decided_at", TSZ, nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.UniqueConstraint("order_id", "station_code", "kind", name="uq_hq_suspicion"),
    )
    from stationdesk.sync.hq_audit import rebuild_ledger  # the rules of this release, run once over history

    rebuild_ledger(op.get_bind(), datetime.now(UTC))


def downgrade() -> None:
    for table in ("hq_suspicion", "hq_audit_message", "hq_appeal", "hq_notice", "hq_audit_week", "hq_violation"):
        op.drop_table(table)
    op.drop_column("hq_station", "first_level")
    op.drop_column("hq_order", "transfer_clock_at")
