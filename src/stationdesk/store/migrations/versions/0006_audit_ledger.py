"""The audit ledger: recorded violations, head office's penalty notices, the transfer clock of a
corrected order, and appeals linked to their violation. The ledger is built once from each order's
event history (the same rules `check` replays to verify it).

Revision ID: 0006
Revises: 0005
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from stationdesk.store.reads import driver as sqlite_driver

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.String(27)  # UTC as 'YYYY-MM-DDTHH:MM:SS.ffffffZ'


def upgrade() -> None:
    op.add_column("orders", sa.Column("transfer_clock_at", TS, nullable=True))
    op.add_column("appeal", sa.Column("violation_id", sa.Integer(), nullable=True))
    op.add_column("appeal", sa.Column("decision", sa.String(), nullable=True))
    op.add_column("appeal", sa.Column("decision_note", sa.String(), nullable=True))
    op.add_column("appeal", sa.Column("decided_at", TS, nullable=True))
    op.create_table(
        "violation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("fine", sa.Integer(), nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("at", TS, nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("order_event.id"), nullable=True),
        sa.Column("hq_id", sa.Integer(), nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("appeal_until", TS, nullable=True),
        sa.Column("decision_note", sa.String(), nullable=True),
        sa.UniqueConstraint("order_id", "station_code", "kind", "deadline", name="uq_violation_fact"),
    )
    op.create_index("ix_violation_station_deadline", "violation",
                    ["station_code", "deadline", "kind", "state", "fine", "order_id"])
    op.create_index("ix_violation_order", "violation", ["order_id"])
    op.create_table(
        "audit_notice",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("appeal_deadline", TS, nullable=False),
        sa.Column("total_fine", sa.Integer(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    from stationdesk.services.ledger import rebuild  # the rules of this release, run once over history

    rebuild(sqlite_driver(op.get_bind()), datetime.now(UTC))


def downgrade() -> None:
    op.drop_table("audit_notice")
    op.drop_table("violation")
    # plain columns with no index or constraint: SQLite (3.35+) drops them in place
    for name in ("decided_at", "decision_note", "decision", "violation_id"):
        op.drop_column("appeal", name)
    op.drop_column("orders", "transfer_clock_at")
