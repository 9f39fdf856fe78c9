"""What the store refuses with. Free of SQLAlchemy, so the screens can name these before the
engine is loaded."""

from __future__ import annotations

from pathlib import Path

from stationdesk.domain.words import Refusal, Words


class StoreError(Refusal):
    """The database could not do what was asked; the message says what and where
    (``StoreError(key, **params)`` with a key of the catalogue, or a driver's own text)."""


class StoreBusy(StoreError):
    """Another terminal held the write lock for longer than the busy timeout."""


DAMAGED_ADVICE = Words("err.damaged_advice")


def damage_message(exc: BaseException) -> Words | None:
    """What to tell a person when ``exc`` (or what caused it) is SQLite finding the file damaged or
    not a database at all; None for any other error."""
    import sqlite3

    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        orig = getattr(current, "orig", None)  # SQLAlchemy keeps the driver's error here
        for candidate in (current, orig):
            if isinstance(candidate, sqlite3.DatabaseError) and not isinstance(candidate, sqlite3.OperationalError):
                return Words("err.damaged_file", advice=DAMAGED_ADVICE, detail=str(candidate))
            if isinstance(candidate, sqlite3.DatabaseError) and getattr(candidate, "sqlite_errorname", "") in (
                    "SQLITE_CORRUPT", "SQLITE_NOTADB"):
                return Words("err.damaged_file", advice=DAMAGED_ADVICE, detail=str(candidate))
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def translate(exc: Exception, path: Path, busy_ms: int) -> StoreError:
    """A locked, full or failing database as a StoreError that says what happened and that nothing changed."""
    # the BEGIN of the begin event runs on the driver connection: its errors come unwrapped
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    if "locked" in text or "busy" in text:
        return StoreBusy("err.db_busy", path=path, seconds=f"{busy_ms / 1000:g}")
    if "disk is full" in text or "disk I/O" in text:
        return StoreError("err.disk_full", path=path, why=text)
    return StoreError(f"{path}: {text}")
