"""`audit verify`: walk the chain of events and name the first row that no longer fits.

Event ids are handed out one after another, so a missing id is a deleted row; a row whose hash
does not follow from the row before it was edited, or inserted, or the row before it was
deleted. A person who rewrites the whole chain after an edit is not caught here: head office
keeps the events it was sent, and a sync compares against those.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from stationdesk.domain.chain import GENESIS, event_content, link
from stationdesk.domain.words import Words
from stationdesk.store.engine import Database
from stationdesk.store.reads import driver as sqlite_driver

BATCH = 20_000


@dataclass
class AuditReport:
    events: int = 0
    problem: str | None = None  # the first broken link, named; None when the chain holds
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(db: Database) -> AuditReport:
    with db.read() as conn:
        return verify_connection(sqlite_driver(conn))


def _where(conn: sqlite3.Connection, row: tuple[Any, ...]) -> Words:
    """The event named for a person: its id, its order's number, version and action."""
    event_id, order_id, version, action = row[:4]
    found = conn.execute("SELECT logistics_no FROM orders WHERE id = ?", (order_id,)).fetchone()
    if found is None:
        return Words("audit.where_lost", event=event_id, order_id=order_id, version=version, action=action)
    return Words("audit.where", event=event_id, order=found[0], version=version, action=action)


def verify_connection(conn: sqlite3.Connection, after: int = 0, previous: str = GENESIS) -> AuditReport:
    """Walk the chain from the start, or only the events after event ``after`` whose link is
    ``previous`` (`check --quick`: from the position the last check verified)."""
    report = AuditReport()
    expected_id, last_id = after + 1, after
    while True:
        rows = conn.execute(
            "SELECT id, order_id, version, action, operator, at, before_status, after_status, details, chain"
            " FROM order_event WHERE id > ? ORDER BY id LIMIT ?", (last_id, BATCH),
        ).fetchall()
        if not rows:
            return report
        for row in rows:
            event_id = row[0]
            if event_id != expected_id:
                ids = f"{expected_id}{f'-{event_id - 1}' if event_id - 1 > expected_id else ''}"
                report.problem = Words("audit.missing", ids=ids, where=_where(conn, row))
                report.event_id = expected_id
                return report
            computed = link(previous, event_content(*row[:9]))
            if row[9] != computed:
                report.problem = Words("audit.edited", where=_where(conn, row))
                report.event_id = event_id
                return report
            previous, expected_id = computed, event_id + 1
            report.events += 1
        last_id = rows[-1][0]
