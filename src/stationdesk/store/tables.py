"""The station database: SQLModel tables. Hot paths use their ``__table__`` with Core SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from stationdesk.store.reads import ACCEPT_CLOCK_START, WAITING_ONLY
from stationdesk.store.types import UTCDateTime


def _table(model: type[SQLModel]) -> Table:
    """The Core table SQLAlchemy's declarative mapping built for ``model``."""
    table = model.__table__  # type: ignore[attr-defined]  # set by the mapping at class creation; SQLModel does not declare it
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


def _ts(nullable: bool = True, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class StationRow(SQLModel, table=True):
    """A station of the network directory (网点目录)."""

    __tablename__ = "station"
    code: str = Field(primary_key=True)
    name: str
    province: str
    districts: str = ""  # ';'-separated 区县 names
    kind: str = "station"


class MetaRow(SQLModel, table=True):
    """Facts about this database, such as the code of the station it belongs to."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class OrderRow(SQLModel, table=True):
    """An e-commerce order (电商订单) as this station sees it."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("source", "logistics_no", name="uq_orders_source_logistics"),
        Index("ix_orders_logistics_no", "logistics_no"),
        Index("ix_orders_waybill_no", "waybill_no"),
        Index("ix_orders_status_time", "status", "order_time"),
        Index("ix_orders_station_status_time", "station_code", "status", "order_time"),
        Index("ix_orders_order_time", "order_time"),
        Index("ix_orders_phone_time", "sender_phone", "order_time"),  # 重复下单: same phone within the window
        # 网点未揽收查询: only orders handled in the menus and not yet scanned (a few per day).
        Index("ix_orders_unscanned", "order_time",
              sqlite_where=text("scanned_at IS NULL AND status IN ('accepted', 'picked_up')")),
        # the alert: the waiting orders by when their accept clock started (store.reads says why)
        Index("ix_orders_waiting_clock", text(ACCEPT_CLOCK_START), "id", sqlite_where=text(WAITING_ONLY)),
    )
    id: int | None = Field(default=None, primary_key=True)
    source: str
    logistics_no: str
    channel: str  # online / offline (线上 / 线下)
    business_type: str  # send_parcel (我要寄快递) / online_order (在线下单)
    order_time: datetime = Field(sa_column=_ts(nullable=False))
    sender_name: str = ""
    sender_phone: str = ""
    sender_province: str = ""
    sender_city: str = ""
    sender_district: str = ""
    sender_address: str = ""
    note: str = ""
    goods: str = ""
    waybill_no: str | None = None
    dispatch_time: datetime | None = Field(default=None, sa_column=_ts())
    dispatch_operator: str | None = None
    station_code: str
    out_of_area: bool = False
    suggested_station: str | None = None
    status: str
    cancelled: bool = False
    cancelled_at: datetime | None = Field(default=None, sa_column=_ts())
    cancel_handled: bool = False
    accepted_at: datetime | None = Field(default=None, sa_column=_ts())
    accept_failed_at: datetime | None = Field(default=None, sa_column=_ts())
    transferred_at: datetime | None = Field(default=None, sa_column=_ts())
    transferred_to: str | None = None
    picked_up_at: datetime | None = Field(default=None, sa_column=_ts())
    pickup_failed_at: datetime | None = Field(default=None, sa_column=_ts())
    scanned_at: datetime | None = Field(default=None, sa_column=_ts())
    fail_reason: str | None = None
    fail_note: str | None = None
    version: int = 1
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    updated_at: datetime = Field(sa_column=_ts(nullable=False))
    # When the 30-min transfer clock started, if not at the order time: a correction that moved the
    # order out of the area (domain/ledger.py).
    transfer_clock_at: datetime | None = Field(default=None, sa_column=_ts())


class EventRow(SQLModel, table=True):
    """The audit trail: one row per change of an order, with who, what, when, before and after."""

    __tablename__ = "order_event"
    __table_args__ = (UniqueConstraint("order_id", "version", name="uq_event_order_version"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    version: int
    action: str
    operator: str
    at: datetime = Field(sa_column=_ts(nullable=False))
    before_status: str | None = None
    after_status: str
    details: str = "{}"  # JSON: the fields that changed, before and after, and the reason
    chain: str | None = None  # hash of this event and the chain before it (domain/chain.py)


class OutboxRow(SQLModel, table=True):
    """An operation waiting to be pushed to head office, one per event, in station sequence."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("station_code", "seq", name="uq_outbox_station_seq"),
        UniqueConstraint("op_id", name="uq_outbox_op_id"),
        UniqueConstraint("event_id", name="uq_outbox_event"),
        Index("ix_outbox_pending", "acked_at", "seq"),
    )
    id: int | None = Field(default=None, primary_key=True)
    op_id: str  # unique forever: the idempotency key at head office
    station_code: str
    seq: int
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("order_event.id"), nullable=False))
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    order_version: int
    action: str
    payload: str = "{}"
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    pushed_at: datetime | None = Field(default=None, sa_column=_ts())
    acked_at: datetime | None = Field(default=None, sa_column=_ts())


class ScanRow(SQLModel, table=True):
    """A pickup scan (揽收扫描) as it came from the scanner, accepted or refused."""

    __tablename__ = "scan"
    __table_args__ = (Index("ix_scan_order", "order_id"),)
    id: int | None = Field(default=None, primary_key=True)
    waybill_no: str = Field(index=True)
    scanned_at: datetime = Field(sa_column=_ts(nullable=False))
    operator: str
    order_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("orders.id"), nullable=True))
    result: str  # picked_up / recorded / refused
    reason: str | None = None
    supplementary: bool = False  # 补扫描: made after the order's pickup was confirmed


class AppealRow(SQLModel, table=True):
    """A violation the station appealed (申诉), within the window DOMAIN.md allows."""

    __tablename__ = "appeal"
    __table_args__ = (UniqueConstraint("order_id", "kind", name="uq_appeal_order_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    kind: str  # a ViolationKind value
    note: str
    operator: str
    appealed_at: datetime = Field(sa_column=_ts(nullable=False))
    violation_id: int | None = None  # the ledger row appealed
    decision: str | None = None  # upheld / withdrawn / refused, as head office sent it back
    decision_note: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=_ts())


class ViolationRow(SQLModel, table=True):
    """The audit ledger (考核台账): one recorded violation, written with the action that incurred it
    or received from head office. Later actions never change it; head office's decisions do."""

    __tablename__ = "violation"
    __table_args__ = (
        UniqueConstraint("order_id", "station_code", "kind", "deadline", name="uq_violation_fact"),
        # covers the reports' totals: a month of a big station is counted from the index alone
        Index("ix_violation_station_deadline", "station_code", "deadline", "kind", "state", "fine", "order_id"),
        Index("ix_violation_order", "order_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    station_code: str  # the station that answers for it
    kind: str  # a ViolationKind value
    fine: int
    deadline: datetime = Field(sa_column=_ts(nullable=False))
    at: datetime | None = Field(default=None, sa_column=_ts())  # the late action; NULL: still open at the week's close
    state: str  # a ledger.State value
    recorded_at: datetime = Field(sa_column=_ts(nullable=False))
    event_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("order_event.id"), nullable=True))
    hq_id: int | None = None  # head office's id of the same violation, once it has told the station
    notice_id: int | None = None  # the penalty notice it was in
    appeal_until: datetime | None = Field(default=None, sa_column=_ts())
    decision_note: str | None = None


class NoticeRow(SQLModel, table=True):
    """A penalty notice (《电商业务违规处罚消息通知》) head office issued to this station."""

    __tablename__ = "audit_notice"
    id: int = Field(primary_key=True)  # head office's notice id
    week: str
    issued_at: datetime = Field(sa_column=_ts(nullable=False))
    appeal_deadline: datetime = Field(sa_column=_ts(nullable=False))
    total_fine: int
    received_at: datetime = Field(sa_column=_ts(nullable=False))


class SyncConflictRow(SQLModel, table=True):
    """A clash head office found with one of this station's ops (同步冲突), shown until a person resolves it."""

    __tablename__ = "sync_conflict"
    __table_args__ = (
        UniqueConstraint("op_id", name="uq_sync_conflict_op"),
        Index("ix_sync_conflict_open", "resolved_at", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    op_id: str  # the outbox op head office refused or flagged
    seq: int
    order_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("orders.id"), nullable=True))
    source: str
    logistics_no: str
    kind: str  # rejected (an intent head office refused) / fact_kept (a fact kept, flagged for review)
    action: str
    hq_status: str | None = None
    hq_station: str | None = None
    message: str
    detected_at: datetime = Field(sa_column=_ts(nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=_ts())
    resolved_by: str | None = None
    resolution: str | None = None
    reported_at: datetime | None = Field(default=None, sa_column=_ts())  # the resolution reached head office


class OperatorRow(SQLModel, table=True):
    """A person who signs in (操作员): role, argon2 password hash, and the log-in lockout state."""

    __tablename__ = "operator"
    name: str = Field(primary_key=True)  # the cleaned display name, recorded on every event
    role: str  # a Role value: clerk / supervisor / admin
    password_hash: str
    disabled: bool = False
    failed_attempts: int = 0  # failed log-ins in a row
    locked_until: datetime | None = Field(default=None, sa_column=_ts())
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    updated_at: datetime = Field(sa_column=_ts(nullable=False))


class AccessLogRow(SQLModel, table=True):
    """An audited look at a customer's personal data (a revealed phone, a report with full phones)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_order", "order_id"),)
    id: int | None = Field(default=None, primary_key=True)
    operator: str
    at: datetime = Field(sa_column=_ts(nullable=False))
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    what: str  # "phone": the full sender phone was shown


class DuplicateRow(SQLModel, table=True):
    """重复下单?: an order that looks like a second submission of an earlier one (same phone,
    address and goods within the window). Station-local: head office keeps its own order columns."""

    __tablename__ = "order_duplicate"
    __table_args__ = (Index("ix_order_duplicate_open", "cleared_at", "order_id"),)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), primary_key=True))
    duplicate_of: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    detected_at: datetime = Field(sa_column=_ts(nullable=False))
    cleared_at: datetime | None = Field(default=None, sa_column=_ts())  # a person said: not a duplicate
    cleared_by: str | None = None


class DeskSessionRow(SQLModel, table=True):
    """A spell of someone signed in at the desk (登录时段): from sign-in to sign-out, or to the last
    sign of life when the desk stopped without signing out."""

    __tablename__ = "desk_session"
    __table_args__ = (Index("ix_desk_session_started", "started_at"),)
    id: int | None = Field(default=None, primary_key=True)
    operator: str
    started_at: datetime = Field(sa_column=_ts(nullable=False))
    last_seen_at: datetime = Field(sa_column=_ts(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=_ts())


class LogisticsExceptionRow(SQLModel, table=True):
    """A lost, damaged or delayed parcel (物流异常), its customer contact and its outcome."""

    __tablename__ = "logistics_exception"
    __table_args__ = (Index("ix_logistics_exception_open", "resolved_at", "recorded_at"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    kind: str  # an ExceptionKind value
    note: str
    recorded_at: datetime = Field(sa_column=_ts(nullable=False))
    recorded_by: str
    contacted_at: datetime | None = Field(default=None, sa_column=_ts())
    resolved_at: datetime | None = Field(default=None, sa_column=_ts())
    outcome: str | None = None
    resolved_by: str | None = None


class ComplaintRow(SQLModel, table=True):
    """A customer complaint (客户投诉) against an order, to be closed within 48 hours."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_open", "closed_at", "deadline"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("orders.id"), nullable=False))
    channel: str  # a ComplaintChannel value
    category: str  # a ComplaintCategory value
    note: str
    received_at: datetime = Field(sa_column=_ts(nullable=False))
    deadline: datetime = Field(sa_column=_ts(nullable=False))
    recorded_by: str
    closed_at: datetime | None = Field(default=None, sa_column=_ts())
    confirmation: str | None = None  # the customer's confirmation, in their words
    closed_by: str | None = None


ORDERS = _table(OrderRow)
EVENTS = _table(EventRow)
OUTBOX = _table(OutboxRow)
SCANS = _table(ScanRow)
STATIONS = _table(StationRow)
META = _table(MetaRow)
APPEALS = _table(AppealRow)
CONFLICTS = _table(SyncConflictRow)
OPERATORS = _table(OperatorRow)
ACCESS_LOG = _table(AccessLogRow)
DUPLICATES = _table(DuplicateRow)
DESK_SESSIONS = _table(DeskSessionRow)
LOGISTICS_EXCEPTIONS = _table(LogisticsExceptionRow)
COMPLAINTS = _table(ComplaintRow)
VIOLATIONS = _table(ViolationRow)
NOTICES = _table(NoticeRow)


class AccountEventRow(SQLModel, table=True):
    """A change of an operator's account (added, password set, disabled), chained like order events,
    so an operator row edited outside the app no longer matches its last event."""

    __tablename__ = "account_event"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    action: str  # baseline / add / set_password / disable / rehash
    by: str  # who made the change
    at: datetime = Field(sa_column=_ts(nullable=False))
    role: str
    disabled: bool
    secret: str  # SHA-256 of the stored password hash: shows it changed, never what it is
    chain: str


ACCOUNT_EVENTS = _table(AccountEventRow)
