"""The first schema: stations, meta, orders, their events, the outbox and scans.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.String(27)  # UTC as 'YYYY-MM-DDTHH:MM:SS.ffffffZ'


def upgrade() -> None:
    op.create_table(
        "station",
        sa.Column("code", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("districts", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )
    text_cols = [
        "sender_name", "sender_phone", "sender_province", "sender_city",
        "sender_district", "sender_address", "note", "goods",
    ]
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("logistics_no", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("business_type", sa.String(), nullable=False),
        sa.Column("order_time", TS, nullable=False),
        *[sa.Column(name, sa.String(), nullable=False) for name in text_cols],
        sa.Column("waybill_no", sa.String(), nullable=True),
        sa.Column("dispatch_time", TS, nullable=True),
        sa.Column("dispatch_operator", sa.String(), nullable=True),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("out_of_area", sa.Boolean(), nullable=False),
        sa.Column("suggested_station", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("cancel_handled", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", TS, nullable=True),
        sa.Column("accept_failed_at", TS, nullable=True),
        sa.Column("transferred_at", TS, nullable=True),
        sa.Column("transferred_to", sa.String(), nullable=True),
        sa.Column("picked_up_at", TS, nullable=True),
        sa.Column("pickup_failed_at", TS, nullable=True),
        sa.Column("scanned_at", TS, nullable=True),
        sa.Column("fail_reason", sa.String(), nullable=True),
        sa.Column("fail_note", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("source", "logistics_no", name="uq_orders_source_logistics"),
    )
    op.create_index("ix_orders_logistics_no", "orders", ["logistics_no"])
    op.create_index("ix_orders_waybill_no", "orders", ["waybill_no"])
    op.create_index("ix_orders_status_time", "orders", ["status", "order_time"])
    op.create_index("ix_orders_station_status_time", "orders", ["station_code", "status", "order_time"])
    op.create_index("ix_orders_order_time", "orders", ["order_time"])
    op.create_table(
        "order_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("before_status", sa.String(), nullable=True),
        sa.Column("after_status", sa.String(), nullable=False),
        sa.Column("details", sa.String(), nullable=False),
        sa.UniqueConstraint("order_id", "version", name="uq_event_order_version"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("op_id", sa.String(), nullable=False),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("order_event.id"), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("pushed_at", TS, nullable=True),
        sa.Column("acked_at", TS, nullable=True),
        sa.UniqueConstraint("station_code", "seq", name="uq_outbox_station_seq"),
        sa.UniqueConstraint("op_id", name="uq_outbox_op_id"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["acked_at", "seq"])
    op.create_table(
        "scan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("waybill_no", sa.String(), nullable=False),
        sa.Column("scanned_at", TS, nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=True),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("supplementary", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_scan_waybill_no", "scan", ["waybill_no"])
    op.create_index("ix_scan_order", "scan", ["order_id"])


def downgrade() -> None:
    for table in ("scan", "outbox", "order_event", "orders", "meta", "station"):
        op.drop_table(table)
