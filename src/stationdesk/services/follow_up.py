"""The station's own follow-up of an order (logistics exceptions, complaints): an event on the
order like every action, in a stream of its own whose ops are acknowledged at once. Head office
tracks order statuses, not the station's calls to its customers, so these are never pushed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stationdesk.domain.statuses import Action
from stationdesk.services.recording import ConcurrentChange, order_ref
from stationdesk.store.journal import Journal, to_json
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import to_db

STREAM = "@desk"  # the outbox stream of station-local follow-ups: written acknowledged, never sent


def record_follow_up(conn: Connection, row: Mapping[str, Any], action: Action, details: dict[str, Any],
                     operator: str, now: datetime) -> int:
    """One event on ``row`` (its version moves on; its status stays). Returns the event id."""
    version = row["version"] + 1
    done = conn.execute(ORDERS.update().where(ORDERS.c.id == row["id"], ORDERS.c.version == row["version"])
                        .values(version=version, updated_at=now))
    if done.rowcount != 1:
        raise ConcurrentChange("err.concurrent", refs=order_ref(row))
    stamp = to_db(now)
    journal = Journal(conn, STREAM)
    text = to_json(details)
    event_id = journal.add(row["id"], version, action.value, operator, stamp, row["status"], row["status"], text,
                           text, acked_at=stamp)
    journal.write()
    return event_id
