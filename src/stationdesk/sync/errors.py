"""The error both sides of a sync raise: head office could not be reached or refused; the message says why."""

from __future__ import annotations

from stationdesk.store.errors import StoreError


class HQError(StoreError):
    """Head office could not be reached or refused what was asked; the message says why."""
