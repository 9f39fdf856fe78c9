"""What the desk can hold and show: one table of limits for every value that comes from outside.

The feed import, the scanner, the command line's arguments and the sync all check against this
table, so a value one of them lets in can be stored, listed and drawn by all the others.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from stationdesk.domain.errors import InvalidInput
from stationdesk.domain.words import Term

# The most characters each order field may hold once sanitised. A feed value longer than this is
# refused by line and field; nothing is ever cut short silently.
FIELD_LIMITS: dict[str, int] = {
    "logistics_no": 64,
    "source": 64,
    "channel": 16,
    "business_type": 32,
    "order_time": 40,
    "sender_name": 50,
    "sender_phone": 32,
    "sender_province": 64,
    "sender_city": 64,
    "sender_district": 64,
    "sender_address": 200,
    "note": 500,
    "goods": 100,
    "waybill_no": 64,
    "dispatch_time": 40,
    "dispatch_operator": 64,
    "cancelled": 16,
    "fail_note": 200,
    "appeal_note": 500,
}
DEFAULT_LIMIT = 64

# A raw value may carry escape sequences and spaces the sanitiser removes; past this many times its
# limit it is refused before any work is done on it.
RAW_SLACK = 4
# One line of a feed file (bytes): a longer line is refused whole, the rest of the file is read.
MAX_LINE_BYTES = 1024 * 1024

# Times the desk accepts from outside: none before the network kept e-commerce orders, none more
# than ten years ahead (a time out there cannot be drawn, counted or compared).
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=3653)

# JSON value types a feed field may carry. Every field is text; ``cancelled`` may also be a JSON
# true/false; null means the field is absent.
BOOL_FIELDS = frozenset({"cancelled"})


def limit_of(field: str) -> int:
    """The most characters ``field`` may hold."""
    return FIELD_LIMITS.get(field, DEFAULT_LIMIT)


def check_length(field: str, value: str) -> str:
    """``value`` (already sanitised) if it fits ``field``; refused with both lengths otherwise."""
    limit = limit_of(field)
    if len(value) > limit:
        raise InvalidInput("err.too_long", n=len(value), limit=limit)
    return value


def check_raw(field: str, value: Any) -> str | bool:
    """A value as it came from a feed or the wire: a string (or a boolean where the field takes one)
    of a length worth looking at. Anything else is refused naming the type it was."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if field in BOOL_FIELDS:
            return value
        raise InvalidInput("err.not_text", kind=Term("布尔值", "a true/false value"))
    if not isinstance(value, str):
        kind = {int: Term("整数", "a whole number"), float: Term("数字", "a number"), dict: Term("对象", "an object"),
                list: Term("数组", "a list")}.get(type(value), type(value).__name__)
        raise InvalidInput("err.not_text", kind=kind)
    limit = limit_of(field) * RAW_SLACK + 16
    if len(value) > limit:
        raise InvalidInput("err.too_long", n=len(value), limit=limit_of(field))
    return value


def check_time_window(value: datetime, now: datetime) -> datetime:
    """``value`` if it lies between EARLIEST_TIME and LATEST_AHEAD after ``now``."""
    latest = now + LATEST_AHEAD
    try:
        inside = EARLIEST_TIME <= value <= latest
    except OverflowError:  # an offset that pushes the time past year 1 or 9999
        inside = False
    if not inside:
        raise InvalidInput("err.time_range", first=f"{EARLIEST_TIME:%Y-%m-%d}", last=f"{latest:%Y-%m-%d}")
    return value


def bounded(field: str, value: str | None) -> str:
    """Raw input cut to what is worth sanitising for ``field`` (a scan is logged even when refused:
    a 300,000-character scan is logged by its first characters, not worked through whole)."""
    return (value or "")[: limit_of(field) * RAW_SLACK + 16]


def order_value_problems(values: dict[str, Any], now: datetime) -> list[tuple[str, str]]:
    """(field, reason) for each value of an order snapshot (as received from head office, say) that
    the desk cannot hold: a text over its limit or a time outside the window. Empty when all fit."""
    problems: list[tuple[str, str]] = []
    for field, value in values.items():
        try:
            if isinstance(value, str) and field in FIELD_LIMITS:
                check_length(field, value)
            elif isinstance(value, datetime):
                check_time_window(value, now)
        except InvalidInput as exc:
            problems.append((field, str(exc)))
    return problems
