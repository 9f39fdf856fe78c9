"""Waybill number (运单号) format check. The pattern comes from config.toml [waybill]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stationdesk.domain.errors import InvalidWaybill
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Term, Words

DEFAULT_PATTERN = r"[0-9]{12,15}"
DEFAULT_DESCRIPTION = "12-15 位数字"


@dataclass(frozen=True)
class WaybillRule:
    pattern: str = DEFAULT_PATTERN
    description: str = DEFAULT_DESCRIPTION
    _rx: re.Pattern[str] = field(init=False, repr=False, compare=False)  # compiled once, in __post_init__

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rx", re.compile(self.pattern))

    def normalise(self, text: str) -> str:
        """Scanners and people add spaces and dashes; the number itself has none."""
        return "".join(ch for ch in (text or "") if not ch.isspace() and ch != "-").upper()

    def check(self, text: str, *, order_ref: str | None = None) -> str:
        """The normalised waybill number, or InvalidWaybill saying what format was expected."""
        number = self.normalise(text)
        if not number:
            raise InvalidWaybill(_about(order_ref, Words("err.waybill_empty")))
        if not self._rx.fullmatch(number):
            raise InvalidWaybill(_about(order_ref, Words("err.waybill_format", number=clean_text(number)[:40],
                                                         form=self.form())))
        return number

    def form(self) -> Term:
        """The expected form in words: the configured description, in English the digits count
        (or the pattern) for the default rule."""
        english = "12 to 15 digits" if self.pattern == DEFAULT_PATTERN else f"the form {self.pattern}"
        return Term(self.description, english)

    def is_valid(self, text: str) -> bool:
        return bool(self._rx.fullmatch(self.normalise(text)))


def _about(order_ref: str | None, what: Words) -> Words:
    return Words("err.order", ref=order_ref, what=what) if order_ref else what
