"""The order fields a sync carries, taken from the station's own order model (both sides use them)."""

from __future__ import annotations

from stationdesk.store.tables import ORDERS
from stationdesk.store.types import UTCDateTime

# Station-local bookkeeping that is never sent: head office keeps columns of its own for these.
NOT_COPIED = frozenset({"id", "version", "created_at", "updated_at"})

ORDER_FIELDS: tuple[str, ...] = tuple(c.name for c in ORDERS.columns if c.name not in NOT_COPIED)
TIME_FIELDS: frozenset[str] = frozenset(c.name for c in ORDERS.columns if isinstance(c.type, UTCDateTime))
