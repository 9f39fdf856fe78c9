"""重复下单: when a later order is likely the same customer's second submission of an earlier one.

Same sender phone, same address (district and street, spaces ignored) and same goods, placed within
the window after the earlier one (default 30 minutes; exactly the window still counts). The later
order is the one flagged; it links to the earlier one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
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


def find_duplicates(known: Iterable[Mapping[str, Any]], arrived: Iterable[Mapping[str, Any]], window: timedelta
                    ) -> dict[int, int]:
    """{later id: earlier id} for each of ``arrived`` that repeats an order of ``known`` or of
    ``arrived`` itself: the earliest one the rule of ``is_later_duplicate`` allows.

    Orders are grouped by what they share and sorted by (order time, id), so each arrival is one
    binary search however many orders a customer has placed (a shop sending hundreds a day)."""
    arrived = [r for r in arrived if not r["cancelled"]]
    groups: dict[tuple[str, str, str], list[tuple[datetime, int]]] = {}
    for r in (*known, *arrived):
        key = pair_key(r)
        if key is not None and not r["cancelled"]:
            groups.setdefault(key, []).append((r["order_time"], r["id"]))
    for times in groups.values():
        times.sort()
    out: dict[int, int] = {}
    for r in arrived:
        key = pair_key(r)
        if key is None:
            continue
        times = groups[key]
        i = bisect_left(times, (r["order_time"] - window, -1))  # the first within the window
        if i < len(times) and times[i] < (r["order_time"], r["id"]):  # and before this order
            out[r["id"]] = times[i][1]
    return out


def window_of(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def flagged_in_time(detected_at: datetime, accept_deadline: datetime) -> bool:
    """A duplicate flagged before its accept deadline: failing it later is not a late answer."""
    return detected_at <= accept_deadline
