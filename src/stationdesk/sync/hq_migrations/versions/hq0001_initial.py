"""Head office schema: stations, orders, their events, applied ops, push cursors, conflicts, the feed.

Revision ID: hq0001
Revises:
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "hq0001"
down_revision = None
branch_labels = None
depends_on = None

TSZ = sa.DateTime(timezone=True)
S, B, I = sa.String(), sa.Boolean(), sa.Integer()  # noqa: E741 - I(nteger) beside S(tring) and B(oolean) keeps the column lists below one line each

# The station order columns as of this revision (name, type, nullable).
ORDER_COLUMNS: list[tuple[str, sa.types.TypeEngine[Any], bool]] = [
    ("source", S, False), ("logistics_no", S, False), ("channel", S, False), ("business_type", S, False),
    ("order_time", TSZ, False), ("sender_name", S, False), ("sender_phone", S, False),
    ("sender_province", S, False), ("sender_city", S, False), ("sender_district", S, False),
    ("sender_address", S, False), ("note", S, False), ("goods", S, False), ("waybill_no", S, True),
    ("dispatch_time", TSZ, True), ("dispatch_operator", S, True), ("station_code", S, False),
    ("out_of_area", B, False), ("suggested_station", S, True), ("status", S, False), ("cancelled", B, False),
    ("cancelled_at", TSZ, True), ("cancel_handled", B, False), ("accepted_at", TSZ, True),
    ("accept_failed_at", TSZ, True), ("transferred_at", TSZ, True), ("transferred_to", S, True),
    ("picked_up_at", TSZ, True), ("pickup_failed_at", TSZ, True), ("scanned_at", TSZ, True),
    ("fail_reason", S, True), ("fail_note", S, True),
]


def upgrade() -> None:
    op.create_table(
        "hq_station",
        sa.Column("code", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("districts", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
    )
    op.create_table(
        "hq_order",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        *[sa.Column(name, type_, nullable=nullable) for name, type_, nullable in ORDER_COLUMNS],
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TSZ, nullable=False),
        sa.Column("updated_at", TSZ, nullable=False),
        sa.UniqueConstraint("source", "logistics_no", name="uq_hq_order_source_logistics"),
    )
    op.create_index("ix_hq_order_station_status", "hq_order", ["station_code", "status"])
    op.create_table(
        "hq_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("station_code", sa.String(), nullable=True),
        sa.Column("op_id", sa.String(), nullable=True),
        sa.Column("at", TSZ, nullable=False),
        sa.Column("before_status", sa.String(), nullable=True),
        sa.Column("after_status", sa.String(), nullable=False),
        sa.Column("details", JSONB(), nullable=False),
        sa.UniqueConstraint("order_id", "version", name="uq_hq_event_order_version"),
    )
    op.create_table(
        "hq_op",
        sa.Column("op_id", sa.String(), primary_key=True),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=True),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("received_at", TSZ, nullable=False),
        sa.UniqueConstraint("station_code", "seq", name="uq_hq_op_station_seq"),
    )
    op.create_table(
        "hq_push_cursor",
        sa.Column("station_code", sa.String(), primary_key=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TSZ, nullable=False),
    )
    op.create_table(
        "hq_conflict",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("op_id", sa.String(), sa.ForeignKey("hq_op.op_id"), nullable=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("logistics_no", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("hq_status", sa.String(), nullable=True),
        sa.Column("hq_station", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("created_at", TSZ, nullable=False),
        sa.Column("resolved_at", TSZ, nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.UniqueConstraint("op_id", name="uq_hq_conflict_op"),
    )
    op.create_index("ix_hq_conflict_open", "hq_conflict", ["station_code", "resolved_at"])
    op.create_table(
        "hq_feed",
        sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("snapshot", JSONB(), nullable=False),
        sa.Column("created_at", TSZ, nullable=False),
    )
    op.create_index("ix_hq_feed_station_position", "hq_feed", ["station_code", "position"])
    op.create_table(
        "hq_feed_counter",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO hq_feed_counter (id, last_position) VALUES (1, 0)")


def downgrade() -> None:
    for table in ("hq_feed_counter", "hq_feed", "hq_conflict", "hq_push_cursor", "hq_op", "hq_event",
                  "hq_order", "hq_station"):
        op.drop_table(table)
