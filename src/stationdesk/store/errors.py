"""What the store refuses with. Free of SQLAlchemy, so the screens can name these before the
engine is loaded."""

from __future__ import annotations


class StoreError(Exception):
    """The database could not do what was asked; the message says what and where."""


class StoreBusy(StoreError):
    """Another terminal held the write lock for longer than the busy timeout."""
