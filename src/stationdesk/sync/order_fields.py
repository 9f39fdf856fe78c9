"""The order fields a sync carries, taken from the station's own order model (both sides use them),
and the model a station reads head office's order snapshots with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from stationdesk.domain.statuses import Status
from stationdesk.domain.wire import WireError, describe
from stationdesk.store.tables import ORDERS
from stationdesk.store.types import UTCDateTime

# Station-local bookkeeping that is never sent: head office keeps columns of its own for these.
NOT_COPIED = frozenset({"id", "version", "created_at", "updated_at"})

ORDER_FIELDS: tuple[str, ...] = tuple(c.name for c in ORDERS.columns if c.name not in NOT_COPIED)
TIME_FIELDS: frozenset[str] = frozenset(c.name for c in ORDERS.columns if isinstance(c.type, UTCDateTime))


class _Snapshot(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)  # a column head office adds later is not this station's

    status: Status
    hq_version: int | None = None  # head office's version of the order, for the event that records it


def _field(column: sa.Column[Any]) -> tuple[Any, Any]:
    # text for SQLModel's strings (their python_type says object); datetime for the time columns, read
    # from the stored UTC text as an aware time
    plain = column.type.impl_instance if isinstance(column.type, sa.TypeDecorator) else column.type
    kind = str if isinstance(plain, sa.String) else column.type.python_type
    return (kind | None, None) if column.nullable else (kind, ...)


# An order as head office's feed carries it, typed by the station's own order columns: what a pull reads
# it with before anything of it reaches the station's database.
_FIELDS: dict[str, Any] = {str(c.name): _field(c) for c in ORDERS.columns if c.name in ORDER_FIELDS and c.name != "status"}
OrderSnapshot: type[_Snapshot] = create_model("OrderSnapshot", __base__=_Snapshot, **_FIELDS)


@dataclass(frozen=True)
class Received:
    """An order head office sent, read: its values by column, ready for the station's row."""

    reason: str  # why it came (import, dispatch, conflict, rebase, ...)
    position: int | None  # its feed position (None: re-based from head office's stored ops)
    values: dict[str, Any]
    hq_version: int | None


def read_snapshot(reason: str, position: int | None, snapshot: Mapping[str, Any]) -> Received:
    """Head office's snapshot read by the order's columns; raises WireError naming the field."""
    try:
        snap = OrderSnapshot.model_validate(snapshot)
    except ValidationError as exc:
        raise WireError(describe(exc, "snapshot")) from None
    values = {k: getattr(snap, k) for k in ORDER_FIELDS}
    values["status"] = snap.status.value
    return Received(reason, position, values, snap.hq_version)
