"""The head office schema on PostgreSQL (SQLAlchemy Core on its own MetaData).

The order columns are the station's own order model, copied column by column, with UTC text
times turned into ``timestamptz``: head office and stations describe an order the same way and
cannot drift apart. Everything else is head office's own: the ops it applied (the idempotency
record), the per-station push cursor, the conflicts, and the per-station change feed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from stationdesk.store.tables import ORDERS
from stationdesk.store.types import UTCDateTime

HQ_METADATA = sa.MetaData()
TSZ = sa.DateTime(timezone=True)

# Station-local bookkeeping that head office keeps in columns of its own.
_NOT_COPIED = {"id", "version", "created_at", "updated_at"}


def _hq_type(col: sa.Column[Any]) -> sa.types.TypeEngine[Any]:
    if isinstance(col.type, UTCDateTime):
        return TSZ
    if isinstance(col.type, sa.Boolean):
        return sa.Boolean()
    if isinstance(col.type, sa.Integer):
        return sa.Integer()
    return sa.String()


HQ_STATIONS = sa.Table(
    "hq_station", HQ_METADATA,
    sa.Column("code", sa.String(), primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("province", sa.String(), nullable=False),
    sa.Column("districts", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    # 一级网点: the rewards are shared out by first-level stations (hq0002)
    sa.Column("first_level", sa.Boolean(), nullable=False, server_default=sa.true()),
)

HQ_ORDERS = sa.Table(
    "hq_order", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    *(sa.Column(c.name, _hq_type(c), nullable=c.nullable) for c in ORDERS.columns if c.name not in _NOT_COPIED),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", TSZ, nullable=False),
    sa.Column("updated_at", TSZ, nullable=False),
    sa.UniqueConstraint("source", "logistics_no", name="uq_hq_order_source_logistics"),
    sa.Index("ix_hq_order_station_status", "station_code", "status"),
)

HQ_EVENTS = sa.Table(
    "hq_event", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("operator", sa.String(), nullable=False),
    sa.Column("station_code", sa.String(), nullable=True),  # the station whose op this was; NULL: head office
    sa.Column("op_id", sa.String(), nullable=True),
    sa.Column("at", TSZ, nullable=False),
    sa.Column("before_status", sa.String(), nullable=True),
    sa.Column("after_status", sa.String(), nullable=False),
    sa.Column("details", JSONB(), nullable=False),
    sa.UniqueConstraint("order_id", "version", name="uq_hq_event_order_version"),
)

# Every op a station pushed, with its result: the op id is the idempotency key, and a repeated
# batch gets these stored results back instead of being applied again.
HQ_OPS = sa.Table(
    "hq_op", HQ_METADATA,
    sa.Column("op_id", sa.String(), primary_key=True),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=True),
    sa.Column("payload", JSONB(), nullable=False),
    sa.Column("result", sa.String(), nullable=False),  # applied / rejected / flagged
    sa.Column("message", sa.String(), nullable=False),
    sa.Column("received_at", TSZ, nullable=False),
    sa.UniqueConstraint("station_code", "seq", name="uq_hq_op_station_seq"),
)

# Per station: the last op seq applied. Locked FOR UPDATE by each push, so a station's batches
# are applied one at a time and in order even when two syncs of one station overlap.
HQ_CURSORS = sa.Table(
    "hq_push_cursor", HQ_METADATA,
    sa.Column("station_code", sa.String(), primary_key=True),
    sa.Column("last_seq", sa.BigInteger(), nullable=False),
    sa.Column("updated_at", TSZ, nullable=False),
)

HQ_CONFLICTS = sa.Table(
    "hq_conflict", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("op_id", sa.String(), sa.ForeignKey("hq_op.op_id"), nullable=False),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=True),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("logistics_no", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),  # rejected / fact_kept
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("hq_status", sa.String(), nullable=True),
    sa.Column("hq_station", sa.String(), nullable=True),
    sa.Column("message", sa.String(), nullable=False),
    sa.Column("created_at", TSZ, nullable=False),
    sa.Column("resolved_at", TSZ, nullable=True),
    sa.Column("resolved_by", sa.String(), nullable=True),
    sa.Column("resolution", sa.String(), nullable=True),
    sa.UniqueConstraint("op_id", name="uq_hq_conflict_op"),
    sa.Index("ix_hq_conflict_open", "station_code", "resolved_at"),
)

# The change feed: one row per order snapshot a station must receive. Positions come from the
# single counter row below, taken under its row lock as the last step of the writing transaction:
# a later position can only commit after an earlier one, so a reader never skips a row.
HQ_FEED = sa.Table(
    "hq_feed", HQ_METADATA,
    sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("snapshot", JSONB(), nullable=False),
    sa.Column("created_at", TSZ, nullable=False),
    sa.Index("ix_hq_feed_station_position", "station_code", "position"),
)

HQ_FEED_COUNTER = sa.Table(
    "hq_feed_counter", HQ_METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last_position", sa.BigInteger(), nullable=False),
)

# A station's credential: the token is shown once when issued; head office keeps its SHA-256
# (a token is 256 random bits, so a fast hash is enough: there is nothing to guess).
HQ_STATION_TOKENS = sa.Table(
    "hq_station_token", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("token_hash", sa.String(), nullable=False),
    sa.Column("issued_at", TSZ, nullable=False),
    sa.Column("revoked_at", TSZ, nullable=True),
    sa.Column("revoked_why", sa.String(), nullable=True),  # revoke / rotate
    sa.Column("last_used_at", TSZ, nullable=True),  # the start of the station's last sync with it
    sa.UniqueConstraint("token_hash", name="uq_hq_station_token_hash"),
    sa.Index("ix_hq_station_token_station", "station_code"),
)

# Every station's audit chain as it was sent: head office recomputes each link and checks every op
# against the event it claims to come from. Links a re-based station no longer has are kept with
# the time of the re-base in ``superseded_at``.
HQ_CHAIN = sa.Table(
    "hq_chain", HQ_METADATA,
    sa.Column("station_code", sa.String(), primary_key=True),
    sa.Column("event_id", sa.BigInteger(), primary_key=True),
    sa.Column("rebase", sa.Integer(), primary_key=True),  # 0: live; n: superseded by the station's n-th re-base
    sa.Column("order_id", sa.BigInteger(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("operator", sa.String(), nullable=False),
    sa.Column("at", sa.String(), nullable=False),  # as the station hashed it
    sa.Column("before_status", sa.String(), nullable=True),
    sa.Column("after_status", sa.String(), nullable=False),
    sa.Column("details", sa.String(), nullable=False),
    sa.Column("chain", sa.String(), nullable=False),
    sa.Column("superseded_at", TSZ, nullable=True),
)

# Every station's accounts chain (operator changes), kept and checked like the order events' chain.
HQ_ACCOUNT_CHAIN = sa.Table(
    "hq_account_chain", HQ_METADATA,
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

# What head office's people must look at: refused credentials, ops for another station, a chain
# that no longer matches, a re-base. One row per occurrence, never changed.
HQ_REVIEW = sa.Table(
    "hq_review", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("station_code", sa.String(), nullable=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("event_id", sa.BigInteger(), nullable=True),
    sa.Column("message", sa.String(), nullable=False),
    sa.Column("created_at", TSZ, nullable=False),
    sa.Index("ix_hq_review_station", "station_code", "created_at"),
)

# ---------------------------------------------------------------- the audit (考核), hq0002

# Head office's ledger: every violation of every station, recorded when a station's op shows the late
# action (by the same rules as the station, from head office's own copy of the order) or when the
# week is closed for an order still open past its deadline, or when a review confirms a suspicion.
# (hq0002 gives it fillfactor 70: the close's state changes are then HOT updates.)
HQ_VIOLATIONS = sa.Table(
    "hq_violation", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("fine", sa.Integer(), nullable=False),
    sa.Column("deadline", TSZ, nullable=False),
    sa.Column("at", TSZ, nullable=True),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("origin", sa.String(), nullable=False),  # op / close / review / hq
    sa.Column("week", sa.String(), nullable=True),  # set when the week is closed
    sa.Column("notice_id", sa.BigInteger(), nullable=True),
    sa.Column("created_at", TSZ, nullable=False),
    sa.Column("decided_at", TSZ, nullable=True),
    sa.Column("decision_note", sa.String(), nullable=True),
    sa.UniqueConstraint("order_id", "station_code", "kind", "deadline", name="uq_hq_violation_fact"),
    sa.Index("ix_hq_violation_deadline", "deadline"),
    sa.Index("ix_hq_violation_station_deadline", "station_code", "deadline"),
)

# Weeks head office has closed (the Monday job runs once per week).
HQ_AUDIT_WEEKS = sa.Table(
    "hq_audit_week", HQ_METADATA,
    sa.Column("week", sa.String(), primary_key=True),
    sa.Column("closed_at", TSZ, nullable=False),
    sa.Column("report", JSONB(), nullable=False),
)

# 《电商业务违规处罚消息通知》: one per station and closed week.
HQ_NOTICES = sa.Table(
    "hq_notice", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("week", sa.String(), nullable=False),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("issued_at", TSZ, nullable=False),
    sa.Column("appeal_deadline", TSZ, nullable=False),
    sa.Column("total_fine", sa.Integer(), nullable=False),
    sa.UniqueConstraint("week", "station_code", name="uq_hq_notice_week_station"),
)

HQ_APPEALS = sa.Table(
    "hq_appeal", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("violation_id", sa.BigInteger(), sa.ForeignKey("hq_violation.id"), nullable=True),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("logistics_no", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("note", sa.String(), nullable=False),
    sa.Column("filed_at", TSZ, nullable=False),  # the station's time of the appeal
    sa.Column("op_id", sa.String(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),  # open / upheld / withdrawn / refused
    sa.Column("decision", sa.String(), nullable=True),  # the decision's note
    sa.Column("decided_at", TSZ, nullable=True),
    sa.Column("decided_by", sa.String(), nullable=True),
    sa.UniqueConstraint("op_id", name="uq_hq_appeal_op"),
    sa.Index("ix_hq_appeal_state", "state"),
)

# What head office tells a station about its audit (notices, decisions, refunds), read by the
# station's pull after the order feed, in id order.
HQ_AUDIT_MESSAGES = sa.Table(
    "hq_audit_message", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),  # notice / decision / refund
    sa.Column("body", JSONB(), nullable=False),
    sa.Column("created_at", TSZ, nullable=False),
    sa.Index("ix_hq_audit_message_station", "station_code", "id"),
)

# Suspicions of untruthful feedback, for a person at head office to confirm or dismiss.
HQ_REVIEWS = sa.Table(
    "hq_suspicion", HQ_METADATA,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("hq_order.id"), nullable=False),
    sa.Column("station_code", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),  # false_reason / false_waybill / wrong_transfer
    sa.Column("evidence", sa.String(), nullable=False),
    sa.Column("deadline", TSZ, nullable=False),  # when the suspected act happened: the fact's key
    sa.Column("state", sa.String(), nullable=False),  # open / confirmed / dismissed
    sa.Column("created_at", TSZ, nullable=False),
    sa.Column("decided_at", TSZ, nullable=True),
    sa.Column("decided_by", sa.String(), nullable=True),
    sa.UniqueConstraint("order_id", "station_code", "kind", name="uq_hq_suspicion"),
)
