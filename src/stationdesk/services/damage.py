"""Damage found in the station's records, kept in the database until an admin acts on it.

When a backup or `check` finds the audit chain broken, the finding is written to the meta table;
the desk reads it with its counts and shows it on every operator's status bar. An admin
acknowledges it (`stationdesk audit acknowledge`) after reporting it, or restores a backup; a
new, different break shows again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from stationdesk.domain.roles import Operator, Permission
from stationdesk.domain.text import clean_text
from stationdesk.store.engine import Database

FOUND = "damage.audit"
FOUND_AT = "damage.audit_found_at"
ACKNOWLEDGED = "damage.audit_acknowledged"
ACKNOWLEDGED_BY = "damage.audit_acknowledged_by"

_PUT = text("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT(key) DO UPDATE SET value = excluded.value")


def record_audit_damage(db: Database, problem: str, now: datetime) -> None:
    """Remember that the audit chain is broken (the first break, as `audit verify` names it)."""
    with db.write() as conn:
        conn.execute(_PUT, {"k": FOUND, "v": problem})
        conn.execute(_PUT, {"k": FOUND_AT, "v": now.isoformat()})


def unacknowledged(db: Database) -> str | None:
    """The damage every operator must be told about: found, and not acknowledged as it stands."""
    with db.read() as conn:
        values: dict[str, str] = dict(conn.execute(text("SELECT key, value FROM meta WHERE key IN (:a, :b)"),
                                   {"a": FOUND, "b": ACKNOWLEDGED}).all())
    found = values.get(FOUND)
    return clean_text(found) if found and found != values.get(ACKNOWLEDGED) else None


def acknowledge(db: Database, by: Operator, now: datetime) -> str | None:
    """An admin has seen the damage and reported it: the status bars stop showing it. Returns what
    was acknowledged (None when nothing was found)."""
    by.require(Permission.RESTORE)
    with db.write() as conn:
        found: str | None = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": FOUND}).scalar()
        if found is None:
            return None
        conn.execute(_PUT, {"k": ACKNOWLEDGED, "v": found})
        conn.execute(_PUT, {"k": ACKNOWLEDGED_BY, "v": f"{by.name} {now.isoformat()}"})
    return found
