"""重复下单: when a later order is likely the same customer's second submission of an earlier one.

Same sender phone, same address (district and street, spaces ignored) and same goods, placed within
the window after the earlier one (default 30 minutes; exactly the window still counts). The later
order is the one flagged; it links to the earlier one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

DEFAULT_WINDOW = timedelta(minutes=30)


def _plain(text: str | None) -> str:
    return "".join((text or "").split())


def pair_key(order: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """What two submissions of the same order share; None when the phone is missing."""
    phone = _plain(order["sender_phone"])
    if not phone:
        return None
    return phone, _plain(order["sender_district"]) + _plain(order["sender_address"]), _plain(order["goods"])


def is_later_duplicate(earlier: Mapping[str, Any], later: Mapping[str, Any], window: timedelta) -> bool:
    """Whether ``later`` looks like a second submission of ``earlier`` within ``window``."""
    key = pair_key(later)
    if key is None or key != pair_key(earlier) or earlier["cancelled"]:
        return False
    gap: timedelta = later["order_time"] - earlier["order_time"]
    if gap < timedelta(0) or (gap == timedelta(0) and earlier["id"] >= later["id"]):
        return False
    return gap <= window


def earliest_match(later: Mapping[str, Any], candidates: list[Mapping[str, Any]], window: timedelta
                   ) -> Mapping[str, Any] | None:
    """The earliest of ``candidates`` that ``later`` duplicates, if any."""
    found = [c for c in candidates if c["id"] != later["id"] and is_later_duplicate(c, later, window)]
    return min(found, key=lambda c: (c["order_time"], c["id"])) if found else None


def window_of(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def flagged_in_time(detected_at: datetime, accept_deadline: datetime) -> bool:
    """A duplicate flagged before its accept deadline: failing it later is not a late answer."""
    return detected_at <= accept_deadline
