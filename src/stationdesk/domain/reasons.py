"""Failure reasons: a fixed list of codes, and the truthfulness check on notes.

Head office fines false reasons; station-capacity excuses are never valid.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from stationdesk.domain.errors import ReasonRefused
from stationdesk.domain.limits import limit_of
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Term


class Reason(StrEnum):
    CUSTOMER_CANCELLED = "customer_cancelled"
    CUSTOMER_UNREACHABLE = "customer_unreachable"
    PROHIBITED_GOODS = "prohibited_goods"
    WRONG_ADDRESS = "wrong_address"
    DUPLICATE_ORDER = "duplicate_order"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return REASON_LABELS[self][1]


REASON_LABELS: dict[Reason, tuple[str, str]] = {
    Reason.CUSTOMER_CANCELLED: ("客户取消", "customer cancelled"),
    Reason.CUSTOMER_UNREACHABLE: ("联系不上客户", "customer unreachable"),
    Reason.PROHIBITED_GOODS: ("违禁品", "prohibited goods"),
    Reason.WRONG_ADDRESS: ("地址错误", "wrong address"),
    Reason.DUPLICATE_ORDER: ("重复下单", "duplicate order"),
    Reason.OTHER: ("其他(须说明)", "other (note required)"),
}

# Station-capacity excuses (not enough staff, too far, too busy): never a truthful reason.
CAPACITY_EXCUSES = re.compile(
    r"不够人手|人手不(够|足)|人员不(够|足)|缺人|没(有)?人手|人太少|快递员不(够|足)|忙不过来|太忙|"
    r"地址太远|距离太远|路太远|太远|"
    r"not enough (staff|people|couriers)|short[- ]?staffed|understaffed|too far|too busy|no time",
    re.IGNORECASE,
)

MAX_NOTE_LENGTH = limit_of("fail_note")


def parse_reason(code: str) -> Reason:
    """A reason from its code or its Chinese label; refused with the list of valid codes."""
    text = (code or "").strip()
    for reason in Reason:
        if text in (reason.value, reason.label, reason.label_en):
            return reason
    raise ReasonRefused("err.unknown_reason", code=clean_text(text)[:30], valid=[_choice(r) for r in Reason])


def _choice(reason: Reason) -> Term:
    return Term(f"{reason.value} ({reason.label})", f"{reason.value} ({reason.label_en})")


def check_reason(reason: Reason, note: str | None) -> str | None:
    """Validate a failure reason with its note; return the cleaned note."""
    cleaned = clean_text(note) or None
    if reason is Reason.OTHER and not cleaned:
        raise ReasonRefused("err.other_needs_note")
    if cleaned and len(cleaned) > MAX_NOTE_LENGTH:
        raise ReasonRefused("err.note_too_long", n=len(cleaned), limit=MAX_NOTE_LENGTH)
    if cleaned and (m := CAPACITY_EXCUSES.search(unicodedata.normalize("NFKC", cleaned).replace("\u00ad", ""))):
        raise ReasonRefused("err.capacity_excuse", said=m.group(0))
    return cleaned
