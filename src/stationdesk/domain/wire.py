"""The sync op as it travels: what an outbox op's payload holds, by kind, as typed models.

A station writes the payload when it records a change (services/recording.py), imports a feed row
(services/feed_import.py) or takes a change from head office (sync/station.py); head office reads
it when a station pushes it (sync/hq.py, its audit and its chain check). Every one of them writes
with the writers below and reads through these models, so the two sides cannot drift apart:

- ``ChangeOp``: an action on an order the station has (accept, transfer, pickup, correct, ...);
- ``AppealOp``: a 违规申诉, which changes no status but names the violation;
- ``ImportOp``: a new order, with its fields as ``ImportedOrder``;
- ``ReceivedOp``: a change head office sent, recorded in the station's own acknowledged stream.

Head office reads each pushed payload with its kind's model (``read_op``) before its database is
touched: a malformed op is refused naming the field. The writers build JSON text straight from
values (no model per row: an import of 100,000 rows and a batch accept are hot paths); tests hold
every writer's text to its model. Times travel as the stored UTC text (store/values.to_db).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError

from stationdesk.domain.sla import ViolationKind
from stationdesk.domain.statuses import Action, Status
from stationdesk.domain.text import clean_text

T = TypeVar("T")
Key = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Short = Annotated[str, StringConstraints(max_length=64)]
Text = Annotated[str, StringConstraints(max_length=2000)]
# A time as stored UTC text (2026-11-23T02:00:00.000000Z), or with an offset as an older station wrote it.
Stamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:?\d\d)?$")]
Pair = Annotated[list[Any], Field(min_length=2, max_length=2)]  # a changed field: [before, after]
Named = Annotated[T, Strict(False)]  # an enum member, read from its value's text

# One encoder for payloads, with the journal's options (store/journal.to_json): sorted keys, text as is.
_to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
# An imported order's fields in feed order: sorting them cost a tenth of a feed row's preparation.
_plain_json = json.JSONEncoder(ensure_ascii=False).encode


class Payload(BaseModel):
    """What every op carries, as its audit event does (head office checks one against the other).
    The details of an action (a reason, a note) travel beside these fields."""

    # strict: a payload is parsed JSON, so every value already has its type (and checking it is a third
    # of the time coercing would take); a status is read from its text
    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    action: Short | None = None  # the op's own action, repeated (head office holds the two to each other)
    operator: Short = ""
    at: Stamp | None = None  # when the station did it
    before_status: Named[Status] | None = None
    after_status: Named[Status] | None = None
    changes: dict[str, Pair] = Field(default_factory=dict)


class ChangeOp(Payload):
    """An action on an order the station has: the state it found and the one it left, with the new
    value of every changed field (head office applies the new value; the old one is masked)."""

    source: Key
    logistics_no: Key
    operator: Short
    before_status: Named[Status]
    after_status: Named[Status]
    base_version: int | None = Field(default=None, ge=1)
    reason: Short | None = None  # a failed accept's or pickup's reason
    to: Short | None = None  # a transfer's target station


class AppealOp(Payload):
    """违规申诉: changes no status; names the order, the violation's kind and the station's note."""

    source: Key
    logistics_no: Key
    kind: Named[ViolationKind]
    note: Text = ""
    violation: int | None = None  # head office's id of the violation, when the station knows it


class ImportedOrder(BaseModel):
    """A new order as a station's import op carries it: the feed's fields, times as stored UTC text.
    Whose order it is comes from the pushing station's token, never from here."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    source: Key
    logistics_no: Key
    channel: Key
    business_type: Key
    order_time: Stamp
    sender_name: Text = ""
    sender_phone: Short = ""
    sender_province: Short = ""
    sender_city: Short = ""
    sender_district: Short = ""
    sender_address: Text = ""
    note: Text = ""
    goods: Text = ""
    waybill_no: Short | None = None
    dispatch_time: Stamp | None = None
    dispatch_operator: Short | None = None
    cancelled: bool = False


class ImportOp(Payload):
    """A new order arrived at the station (from its feed)."""

    after_status: Named[Status]
    operator: Short
    order: ImportedOrder


class ReceivedOp(BaseModel):
    """A change head office sent, as the station records it in its own acknowledged stream (never
    pushed): where it came from and which fields it changed (phones masked, as in the audit trail)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    origin: Literal["hq"]
    reason: Short
    position: int | None
    hq_version: int | None
    changes: dict[str, Pair] = Field(default_factory=dict)


# The model each known kind of op is read with. A kind not here (a registered extension) is read by
# its own module.
MODELS: dict[str, type[Payload]] = {a.value: ChangeOp for a in Action} | {
    Action.IMPORT.value: ImportOp, Action.APPEAL.value: AppealOp}


class WireError(ValueError):
    """A payload that does not read as its kind's model: says which field and why."""


def read_op(action: str, payload: Mapping[str, Any]) -> Payload | None:
    """``payload`` read with the model of ``action`` (None: a kind without a model here).
    Raises WireError naming the first fields that are wrong."""
    model = MODELS.get(action)
    return None if model is None else read_as(model, action, payload)


def read_as(model: type[Payload], action: str, payload: Mapping[str, Any]) -> Payload:
    """``payload`` read with ``model`` as an op of ``action`` (the action it repeats must be that one).
    Raises WireError naming the first fields that are wrong."""
    try:
        read = model.model_validate(payload)
    except ValidationError as exc:
        raise WireError(describe(exc)) from None
    if read.action is None:
        return read.model_copy(update={"action": action})
    if read.action != action:
        raise WireError(clean_text(f"payload.action '{read.action[:40]}' is not the op's '{action[:40]}'"))
    return read


def describe(exc: ValidationError, where: str = "payload") -> str:
    """The first fields a validation refused, each with its path (in ``where``) and why."""
    # a path may hold the sender's own keys: cleaned before anyone reads it
    return "; ".join(clean_text(f"{where}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}")[:200]
                     for e in exc.errors()[:3])


# ---------------------------------------------------------------- writers


def change_payload(action: str, order: Mapping[str, Any], operator: str, at: str, after_status: str,
                   details: Mapping[str, Any], changes: Mapping[str, list[Any]]) -> str:
    """A ChangeOp's text: ``order`` as it was read (source, logistics_no, status, version)."""
    return _to_json({
        "action": action, "source": order["source"], "logistics_no": order["logistics_no"], "operator": operator,
        "at": at, "before_status": order["status"], "after_status": after_status, "base_version": order["version"],
        **details, "changes": changes,
    })


class ImportWriter:
    """The import ops of one feed: the operator encoded once, then one format per row."""

    def __init__(self, operator: str) -> None:
        self._operator = _to_json(operator)

    def text(self, after_status: str, order: Mapping[str, Any]) -> str:
        """An ImportOp's text; ``order`` holds an ImportedOrder's fields in stored form."""
        return (f'{{"action": "import", "after_status": "{after_status}", "operator": {self._operator}, '
                f'"order": {_plain_json(order)}}}')


def received_payload(reason: str, position: int | None, hq_version: int | None,
                     changes: Mapping[str, list[Any]] | None = None) -> str:
    """A ReceivedOp's text (also the event's details: the audit trail says the same)."""
    body: dict[str, Any] = {"origin": "hq", "reason": reason, "position": position, "hq_version": hq_version}
    if changes is not None:
        body["changes"] = changes
    return _to_json(body)
