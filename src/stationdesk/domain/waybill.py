"""Waybill number (运单号) format check. The pattern comes from config.toml [waybill]."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stationdesk.domain.errors import InvalidWaybill
from stationdesk.domain.text import clean_text

DEFAULT_PATTERN = r"[0-9]{12,15}"
DEFAULT_DESCRIPTION = "12-15 位数字"


@dataclass(frozen=True)
class WaybillRule:
    pattern: str = DEFAULT_PATTERN
    description: str = DEFAULT_DESCRIPTION

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rx", re.compile(self.pattern))

    def normalise(self, text: str) -> str:
        """Scanners and people add spaces and dashes; the number itself has none."""
        return "".join(ch for ch in (text or "") if not ch.isspace() and ch != "-").upper()

    def check(self, text: str, *, order_ref: str | None = None) -> str:
        """The normalised waybill number, or InvalidWaybill saying what format was expected."""
        number = self.normalise(text)
        where = f"订单 {order_ref}: " if order_ref else ""
        if not number:
            raise InvalidWaybill(f"{where}运单号不能为空 (waybill number is empty)")
        if not self._rx.fullmatch(number):  # type: ignore[attr-defined]
            raise InvalidWaybill(
                f"{where}运单号 '{clean_text(number)[:40]}' 格式不对, 应为{self.description} "
                f"(waybill number must match {self.pattern})"
            )
        return number

    def is_valid(self, text: str) -> bool:
        return bool(self._rx.fullmatch(self.normalise(text)))  # type: ignore[attr-defined]
