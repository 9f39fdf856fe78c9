"""Head office as a service: station tokens, every station's audit chains (events, accounts), the review list.

Revision ID: hq0003
Revises: hq0002
"""

import sqlalchemy as sa
from alembic import op

revision = "hq0003"
down_revision = "hq0002"
branch_labels = None
depends_on = None

TSZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hq_station_token",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("station_code", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("issued_at", TSZ, nullable=False),
        sa.Column("revoked_at", TSZ, nullable=True),
        sa.Column("revoked_why", sa.String(), nullable=True),
        sa.Column("last_used_at", TSZ, nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_hq_station_token_hash"),
    )
    op.create_index("ix_hq_station_token_station", "hq_station_token", ["station_code"])
    op.create_table(
        "hq_chain",
        sa.Column("station_code", sa.String(), primary_key=True),
        sa.Column("event_id", sa.BigInteger(), primary_key=True),
        sa.Column("rebase", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("before_status", sa.String(), nullable=True),
        sa.Column("after_status", sa.String(), nullable=False),
        sa.Column("details", sa.String(), nullable=False),
        sa.Column("chain", sa.String(), nullable=False),
        sa.Column("superseded_at", TSZ, nullable=True),
    )
    op.create_table(
        "hq_account_chain",
        sa.Column("station_code", sa.String(), primary_key=True),
        sa.Column("event_id", sa.BigInteger(), primary_key=True),
        sa.Column("rebase", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(), nullable=False),
        sa.Column("chain", sa.String(), nullable=False),
        sa.Column("superseded_at", TSZ, nullable=True),
    )
    op.create_table(
        "hq_review",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("station_code", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("created_at", TSZ, nullable=False),
    )
    op.create_index("ix_hq_review_station", "hq_review", ["station_code", "created_at"])


def downgrade() -> None:
    op.drop_table("hq_review")
    op.drop_table("hq_account_chain")
    op.drop_table("hq_chain")
    op.drop_index("ix_hq_station_token_station", table_name="hq_station_token")
    op.drop_table("hq_station_token")
