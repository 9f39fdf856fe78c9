"""The sync wire protocol between a station and head office's HTTP service: typed and versioned.

Both sides import this module and nothing of each other: the station never loads head office's
server code, and head office validates every message with these models before it touches its
database. ``PROTOCOL_VERSION`` travels in a header and in every body; a station built for
another version gets a refusal that names both (HTTP 426).

Op kinds and feed entry kinds are open sets: an op carries its ``action`` and a payload, and head
office reads the payload with the model registered for that kind (``OP_KINDS``; the payloads
themselves are domain/wire.py's, shared with the services that write them) and its check: an order
action's is the transition table's (domain/statuses.py). A new kind registers its model and travels
through the same push path without a change here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from stationdesk.domain import wire
from stationdesk.domain.errors import IllegalTransition
from stationdesk.domain.statuses import Action, next_status

PROTOCOL_VERSION = 2
VERSION_HEADER = "X-Stationdesk-Protocol"

MAX_OPS = 1000  # ops per push batch
MAX_LINKS = 5000  # chain links per push batch
MAX_PAYLOAD_BYTES = 16_000  # one op's payload as JSON
MAX_FEED_PAGE = 2000
MAX_COMPARE = 5000  # hashes per chain comparison

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True)]
Short = Annotated[str, StringConstraints(max_length=64)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Versioned(Model):
    protocol: int = PROTOCOL_VERSION


# ---------------------------------------------------------------- the audit chain


class ChainPoint(Model):
    """One position in a station's audit chain: an event id and the chain hash after it."""

    event_id: int = Field(ge=1)
    chain: Hash


class ChainLink(Model):
    """One audit event as the station's chain hashed it (domain/chain.py), so head office can
    recompute the hash from the content and the link before it."""

    event_id: int = Field(ge=1)
    order_id: int = Field(ge=1)
    version: int = Field(ge=1)
    action: Short
    operator: Short
    at: Short
    before: Short | None
    after: Short
    details: Annotated[str, StringConstraints(max_length=MAX_PAYLOAD_BYTES)]
    chain: Hash

    def content(self) -> tuple[Any, ...]:
        return (self.event_id, self.order_id, self.version, self.action, self.operator, self.at, self.before,
                self.after, self.details)


class AccountLink(Model):
    """One account event of the station's accounts chain (store/account_chain.py)."""

    event_id: int = Field(ge=1)
    name: Short
    action: Short
    by: Short
    at: Short
    role: Short
    disabled: bool
    secret: Hash
    chain: Hash

    def content(self) -> tuple[Any, ...]:
        return (self.event_id, self.name, self.action, self.by, self.at, self.role, self.disabled, self.secret)


class AccountState(Model):
    """An operator row as it is at the station now (the password hash only as a digest)."""

    name: Short
    role: Short
    disabled: bool
    secret: Hash


class AccountsCheck(Versioned):
    """The station's operator rows, to be compared with the replay of the accounts chain head office holds."""

    station: Code
    operators: list[AccountState] = Field(max_length=MAX_OPS)


# ---------------------------------------------------------------- push


class Op(Model):
    """One outbox op: its id (the idempotency key), the station's seq, the event it comes from."""

    op_id: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    seq: int = Field(ge=1)
    action: Short
    event_id: int = Field(ge=1)
    order_version: int = Field(ge=1)
    payload: dict[str, Any]


class PushBatch(Versioned):
    station: Code  # the station the sender believes it is: must be the token's
    links: list[ChainLink] = Field(default_factory=list, max_length=MAX_LINKS)
    accounts: list[AccountLink] = Field(default_factory=list, max_length=MAX_LINKS)
    ops: list[Op] = Field(max_length=MAX_OPS)


Result = Literal["applied", "rejected", "flagged"]


class Conflict(Model):
    kind: Short  # rejected / fact_kept
    action: Short
    hq_status: Short | None
    hq_station: Short | None
    message: Text
    source: Short
    logistics_no: Short


class OpResult(Model):
    op_id: str
    seq: int
    result: Result
    message: Text
    conflict: Conflict | None = None
    repeated: bool = False  # head office had it already: these are the stored results
    words: dict[str, Any] | None = None  # the message as a catalogue key and parameters: said in the station's language


class PushResult(Versioned):
    results: list[OpResult]
    chain_head: ChainPoint | None  # the last link head office holds for the station
    accounts_head: ChainPoint | None = None  # the same for its accounts chain


# ---------------------------------------------------------------- hello, chain proof, re-base


class Hello(Versioned):
    """The start of every sync: who the station believes it is and its chain where head office
    last acknowledged it (None: nothing acknowledged yet)."""

    station: Code
    chain: ChainPoint | None = None
    accounts: ChainPoint | None = None


class Welcome(Versioned):
    station: str
    last_seq: int  # the last op seq head office applied for the station
    chain_head: ChainPoint | None
    accounts_head: ChainPoint | None = None


class ChainCompare(Versioned):
    """The station's chain hashes from ``first`` on, to find the first event that differs."""

    first: int = Field(ge=1)
    hashes: list[Hash] = Field(max_length=MAX_COMPARE)
    chain: Literal["events", "accounts"] = "events"


class ChainVerdict(Versioned):
    first_differing: int | None  # None: all the hashes sent match head office's
    checked: int


class StoredOp(Model):
    """An op head office applied for the station, as a re-based station receives it."""

    op_id: str
    seq: int
    action: str
    result: Result
    snapshot: dict[str, Any] | None  # the order as head office has it now


class OpsPage(Versioned):
    ops: list[StoredOp]


class Rebase(Versioned):
    """A station restored from an older backup: its chain up to ``chain`` is proven unchanged; head
    office keeps the links after it as superseded and takes the station's new ones from there."""

    station: Code
    chain: ChainPoint | None
    accounts: ChainPoint | None = None


# ---------------------------------------------------------------- resolutions


class Resolution(Model):
    op_id: Short
    resolved_at: Short
    resolved_by: Short
    resolution: Text


class Resolutions(Versioned):
    station: Code
    resolutions: list[Resolution] = Field(max_length=MAX_OPS)


class Recorded(Versioned):
    recorded: int
    refused: int = 0


# ---------------------------------------------------------------- the feed


class FeedEntry(Model):
    """One thing head office has for the station. ``kind`` is an open set: ``order`` carries an
    order snapshot; other kinds carry what their own module defines."""

    position: int
    kind: Short = "order"
    reason: Short
    snapshot: dict[str, Any]


class FeedPage(Versioned):
    entries: list[FeedEntry]
    backlog: int  # entries after the ones on this page


class AuditMessage(BaseModel):
    """Head office's word on the station's audit (考核): a notice, a decision or a refund."""

    model_config = ConfigDict(extra="forbid")
    id: int
    kind: Short  # notice / decision / refund
    body: dict[str, Any]


class AuditPage(Versioned):
    messages: list[AuditMessage]


# ---------------------------------------------------------------- refusals


class Refusal(Versioned):
    """Every error head office answers with: a code a program can test and a message for a person."""

    error: Short
    message: Text
    event_id: int | None = None  # the first differing event, for chain refusals
    chain: Short | None = None  # which chain: events / accounts
    expected_seq: int | None = None
    words: dict[str, Any] | None = None  # the message as a catalogue key and parameters: said in the station's language


# ---------------------------------------------------------------- op kinds

# A kind's own check, on the payload its model read (domain/wire.py): None when fine, else why not.
OpCheck = Callable[[wire.Payload], "str | None"]
OP_KINDS: dict[str, tuple[type[wire.Payload], OpCheck | None]] = {}


class BadOp(ValueError):
    """Why head office must refuse an op before touching its database."""


def register_op_kind(kind: str, model: type[wire.Payload] = wire.Payload, check: OpCheck | None = None) -> None:
    """Accept ops of ``kind`` at head office, read with ``model`` and checked by ``check``."""
    OP_KINDS[kind] = (model, check)


def _surely_small(payload: dict[str, Any]) -> bool:
    """Whether the payload is far below the limit, from its compact UTF-8 size (a quarter of
    json.dumps' time): json.dumps' text is at most twice as long (its ", " and ": " separators), so
    the exact size is only measured for a payload near the limit."""
    try:
        return 2 * len(orjson.dumps(payload)) <= MAX_PAYLOAD_BYTES
    except TypeError:  # what orjson does not write (an integer past 64 bits): measure it exactly
        return False


def read_op(op: Op) -> wire.Payload:
    """The op's payload read with its kind's model and checked; raises BadOp saying why not."""
    if not _surely_small(op.payload):
        size = len(json.dumps(op.payload, ensure_ascii=False))
        if size > MAX_PAYLOAD_BYTES:
            raise BadOp(f"payload {size} bytes, limit {MAX_PAYLOAD_BYTES}")
    kind = OP_KINDS.get(op.action)
    if kind is None:
        raise BadOp(f"unknown op kind '{op.action[:40]}'")
    model, check = kind
    try:
        payload = wire.read_as(model, op.action, op.payload)
    except wire.WireError as exc:
        raise BadOp(str(exc)) from None
    why = check(payload) if check is not None else None
    if why:
        raise BadOp(why)
    return payload


def validate_op(op: Op) -> str | None:
    """Why head office must refuse this op before touching its database, or None."""
    try:
        read_op(op)
    except BadOp as exc:
        return str(exc)
    return None


def _order_action(action: Action) -> OpCheck:
    def check(op: wire.Payload) -> str | None:
        assert isinstance(op, wire.ChangeOp)
        before, claimed = op.before_status, op.after_status
        try:
            legal = next_status(action, before, op.logistics_no)
        except IllegalTransition:
            return f"「{action.label}」 is not allowed from「{before.label}」(transition table)"
        if legal is not claimed:
            return f"「{action.label}」 from「{before.label}」 leads to「{legal.label}」, not「{claimed.label}」"
        return None

    return check


for _action in Action:
    register_op_kind(_action.value, wire.MODELS[_action.value],
                     None if _action in (Action.IMPORT, Action.APPEAL) else _order_action(_action))
