"""Data sources (数据来源) by name or by code, and the check of a logistics number's code.

The code is the tag a channel puts at the start of its logistics numbers (DOMAIN.md). Codes are
matched in the case the rulebook writes them (LP, KD, wx, IS, CT_H_, ali): "wx" and "WX" are not
the same tag. One code may name several sources (wx: 百世微信 and 百世快递官网).
"""

from __future__ import annotations

from stationdesk.domain.fields import SOURCES
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Words

# Longest code first, so a number is told by its longest matching tag.
_CODES = sorted(set(SOURCES.values()), key=len, reverse=True)


def source_names(text: str) -> tuple[str, ...]:
    """The source names a filter value means: a known name, or every source with that code.

    Anything else is taken as a name as written (new channels are added over time)."""
    value = (text or "").strip()
    if value in SOURCES:
        return (value,)
    by_code = tuple(name for name, code in SOURCES.items() if code == value)
    return by_code or (value,)


def code_of_number(logistics_no: str) -> str | None:
    """The source code a logistics number starts with, if any."""
    for code in _CODES:
        if logistics_no.startswith(code):
            return code
    return None


def source_remark(source: str, logistics_no: str) -> Words | None:
    """A remark when the number's code names another source than the one the order came with
    (来源与物流号前缀不符), else None. A number with no known code gets no remark."""
    code = code_of_number(logistics_no or "")
    if code is None or SOURCES.get(source) == code:
        return None
    named = "/".join(name for name, c in SOURCES.items() if c == code)
    return Words("feed.source_remark", code=code, named=named, source=clean_text(source)[:20])
