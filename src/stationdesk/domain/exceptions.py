"""Logistics exceptions (lost, damaged, delayed) and complaints with their 48-hour handling limit.

Pure rules: the kinds, channels and categories with their words, and the complaint clock (the
deadline, when it is near enough to escalate, whether it was closed in time). Time comes in as an
argument.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from stationdesk.domain.errors import InvalidInput
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Term

E = TypeVar("E", bound=StrEnum)

COMPLAINT_LIMIT = timedelta(hours=48)
ESCALATE_BEFORE = timedelta(hours=6)  # a complaint this close to its deadline is escalated to the supervisor
MAX_NOTE = 200


class ExceptionKind(StrEnum):
    LOST = "lost"
    DAMAGED = "damaged"
    DELAYED = "delayed"


class ComplaintChannel(StrEnum):
    PHONE = "phone"
    ONLINE = "online"
    WECHAT = "wechat"
    VISIT = "visit"


class ComplaintCategory(StrEnum):
    LOGISTICS = "logistics"
    SERVICE = "service"
    QUALITY = "quality"


LABELS: dict[str, tuple[str, str]] = {
    ExceptionKind.LOST: ("丢失", "lost"), ExceptionKind.DAMAGED: ("破损", "damaged"),
    ExceptionKind.DELAYED: ("延误", "delayed"),
    ComplaintChannel.PHONE: ("电话", "phone"), ComplaintChannel.ONLINE: ("网上", "online"),
    ComplaintChannel.WECHAT: ("微信", "WeChat"), ComplaintChannel.VISIT: ("到店", "in person"),
    ComplaintCategory.LOGISTICS: ("物流", "logistics"), ComplaintCategory.SERVICE: ("服务", "service"),
    ComplaintCategory.QUALITY: ("质量", "quality"),
}


def label(value: str, lang: str = "zh") -> str:
    pair = LABELS.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]


def term(value: str) -> Term:
    """A kind, channel or category as a word of a message, in both languages."""
    pair = LABELS.get(value)
    return Term(*pair) if pair else Term(value, value)


def _parse(enum: type[E], text: str, what: Term) -> E:
    value = (text or "").strip()
    for member in enum:
        if value in (member.value, *LABELS[member]):
            return member
    valid = [Term(f"{m.value} ({LABELS[m][0]})", m.value) for m in enum]
    raise InvalidInput("err.not_one_of", what=what, value=clean_text(value)[:20], valid=valid)


def parse_kind(text: str) -> ExceptionKind:
    return _parse(ExceptionKind, text, Term("异常类型", "kind"))


def parse_channel(text: str) -> ComplaintChannel:
    return _parse(ComplaintChannel, text, Term("投诉渠道", "channel"))


def parse_category(text: str) -> ComplaintCategory:
    return _parse(ComplaintCategory, text, Term("投诉类别", "category"))


def check_note(note: str | None, *, required: bool, what: Term = Term("说明", "The note")) -> str:
    cleaned = clean_text(note)
    if required and not cleaned:
        raise InvalidInput("err.field_required", what=what)
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("err.field_too_long", what=what, n=len(cleaned), limit=MAX_NOTE)
    return cleaned


def complaint_deadline(received_at: datetime) -> datetime:
    return received_at + COMPLAINT_LIMIT


def complaint_state(deadline: datetime, now: datetime, closed_at: datetime | None) -> str:
    """closed / closed_late / overdue / near (escalated: within ESCALATE_BEFORE) / open."""
    if closed_at is not None:
        return "closed_late" if closed_at > deadline else "closed"
    if now > deadline:
        return "overdue"
    if deadline - now <= ESCALATE_BEFORE:
        return "near"
    return "open"


STATE_LABELS: dict[str, tuple[str, str]] = {
    "open": ("处理中", "open"), "near": ("即将超时, 已升级", "near deadline, escalated"),
    "overdue": ("已超时", "overdue"), "closed": ("已关闭", "closed"), "closed_late": ("超时关闭", "closed late"),
}
