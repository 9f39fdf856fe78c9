"""The one sanitiser for text from outside (feeds, scanners, keyboards).

Control characters, ANSI/OSC escape sequences, bidi overrides and every other invisible format
character never reach the database or the screen: sequences are removed whole, other controls
become a visible space. The rules go by Unicode category, so new code points are covered too.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other ESC sequences, and C1 CSI/OSC forms.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
_SPACES = re.compile(r" {2,}")
# Variation selectors (VS1-16 and the supplement): one after a character picks its form; any more
# are invisible padding.
_VS_RUN = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{2,}")


def _is_vs(ch: str) -> bool:
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Text that is safe to store and draw, by Unicode category rather than a list of code points.

    Escape sequences are removed whole; controls (Cc), line and paragraph separators (Zl, Zp) become
    a space (a newline when ``multiline``); format characters (Cf: bidi overrides, zero-width and
    soft hyphens, word joiners, tag characters) are removed; a lone surrogate (Cs) becomes U+FFFD;
    of a run of variation selectors only the first is kept.
    """
    if not value:
        return ""
    if value.isascii() and value.isprintable() and "  " not in value:  # no selector, no run of spaces
        return value.strip()
    if value.isprintable() and not _VS_RUN.search(value):
        # nearly every field of a feed: isprintable is False for every Cc, Cf, Cs, Zl and Zp character
        return (value if multiline else _SPACES.sub(" ", value)).strip()
    text = _ESCAPES.sub("", value)
    out = []
    previous_vs = False
    for ch in text:
        if ch.isprintable() or ch == " ":
            vs = _is_vs(ch)
            if not (vs and previous_vs):
                out.append(ch)
            previous_vs = vs
            continue
        cat = unicodedata.category(ch)
        if cat == "Cf":  # removed: the characters on either side of it become neighbours
            continue
        previous_vs = False
        if ch == "\n" and multiline:
            out.append(ch)
        elif cat in ("Cc", "Zl", "Zp"):
            out.append("\n" if multiline and cat != "Cc" else " ")
        elif cat == "Cs":  # a lone surrogate cannot be encoded for the terminal
            out.append("\ufffd")
        else:  # Zs (other spaces), Co (private use), Cn (unassigned): drawn as they are
            out.append(ch)
    joined = "".join(out)
    return (joined if multiline else _SPACES.sub(" ", joined)).strip()


def is_clean(value: str) -> bool:
    return clean_text(value) == value
