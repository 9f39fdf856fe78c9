"""Order fields as the feed, the CLI and the screens give them: parsing and checks.

Each parser returns the canonical value or raises InvalidInput saying what was expected.
"""

from __future__ import annotations

from collections.abc import Callable

import re
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from stationdesk.domain.errors import InvalidInput
from stationdesk.domain.limits import DEFAULT_LIMIT, FIELD_LIMITS, check_time_window, limit_of
from stationdesk.domain.text import clean_text

MAX_TEXT = {**FIELD_LIMITS, "default": DEFAULT_LIMIT}  # the limits table (domain/limits.py), by field


class Channel(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"

    @property
    def label(self) -> str:
        return {"online": "线上", "offline": "线下"}[self.value]

    @property
    def label_en(self) -> str:
        return self.value


class BusinessType(StrEnum):
    SEND_PARCEL = "send_parcel"
    ONLINE_ORDER = "online_order"

    @property
    def label(self) -> str:
        return {"send_parcel": "我要寄快递", "online_order": "在线下单"}[self.value]

    @property
    def label_en(self) -> str:
        return {"send_parcel": "parcel", "online_order": "web order"}[self.value]


# Data sources (数据来源) and the code on their logistics numbers.
SOURCES: dict[str, str] = {
    "淘宝": "LP",
    "快递100": "KD",
    "百世微信": "wx",
    "百世快递官网": "wx",
    "CRM": "IS",
    "触宝APP": "CT_H_",
    "支付宝服务": "ali",
}


_CHANNELS = {name: ch for ch in Channel for name in (ch.value, ch.label)}
_BUSINESS_TYPES = {name: bt for bt in BusinessType for name in (bt.value, bt.label)}


def parse_channel(text: str) -> Channel:
    value = (text or "").strip().lower()
    if (ch := _CHANNELS.get(value)) is not None:
        return ch
    raise InvalidInput("err.not_channel", value=clean_text(text)[:20])


def parse_business_type(text: str) -> BusinessType:
    value = (text or "").strip()
    if (bt := _BUSINESS_TYPES.get(value)) is not None:
        return bt
    raise InvalidInput("err.not_business_type", value=clean_text(text)[:20])


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """ISO 8601 with a UTC offset; a time without one is refused (its zone would be a guess).

    With ``now``, a time outside the window the desk can hold (limits.check_time_window) is refused.
    """
    value = (text or "").strip()
    if len(value) > limit_of("order_time"):
        raise InvalidInput("err.time_too_long", n=len(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("err.not_time", value=clean_text(value)[:40]) from None
    if parsed.tzinfo is None:
        raise InvalidInput("err.no_offset", value=clean_text(value)[:40])
    if now is not None:
        check_time_window(parsed, now)
    return parsed


def parse_day(text: str) -> date | None:
    """A date typed as 2026-11-23, 2026/11/23 or 20261123; None when it is none of these."""
    value = (text or "").strip().replace("/", "-").replace(".", "-")
    if len(value) == 8 and value.isdigit():
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def day_range(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Order-time bounds for the whole local days ``first``..``last`` (the last day included)."""
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)


_PHONE = re.compile(r"\+?[0-9][0-9 \-]{5,19}")


def parse_phone(text: str) -> str:
    value = (text or "").strip()
    if not value:
        return ""
    if not _PHONE.fullmatch(value):
        raise InvalidInput("err.not_phone")
    digits = "".join(ch for ch in value if ch.isdigit())
    if not 7 <= len(digits) <= 15:
        raise InvalidInput("err.phone_digits", n=len(digits))
    return ("+" if value.startswith("+") else "") + digits


_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}


def parse_bool(text: str | bool | None) -> bool:
    if isinstance(text, bool):
        return text
    value = (text or "").strip().lower() if isinstance(text, str) else str(text)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput("err.not_bool", value=clean_text(value)[:20])


_LOGISTICS = re.compile(r"[0-9A-Za-z_\-]{4,64}")


def parse_logistics_no(text: str) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput("err.logistics_empty")
    if not _LOGISTICS.fullmatch(value):
        raise InvalidInput("err.not_logistics", value=clean_text(value)[:40])
    return value


def text_parser(field: str, *, required: bool = False) -> Callable[[str | None], str]:
    """parse_text for one field, with its limit looked up once: a feed runs it for every row."""
    limit = limit_of(field)

    def parse(text: str | None) -> str:
        value = clean_text(text)
        if required and not value:
            raise InvalidInput("err.required")
        if len(value) > limit:
            raise InvalidInput("err.too_long", n=len(value), limit=limit)
        return value

    return parse


def parse_text(field: str, text: str | None, *, required: bool = False) -> str:
    """Sanitised text within the field's length limit."""
    value = clean_text(text)
    if required and not value:
        raise InvalidInput("err.required")
    limit = limit_of(field)
    if len(value) > limit:
        raise InvalidInput("err.too_long", n=len(value), limit=limit)
    return value
