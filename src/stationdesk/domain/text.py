"""The one sanitiser for text from outside (feeds, scanners, keyboards).

Control characters, ANSI/OSC escape sequences and bidi overrides never reach the database or
the screen: sequences are removed whole, other controls become a visible space.
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
# Bidi embeddings/overrides/isolates and zero-width characters that reorder or hide text.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff\u200b"),
    None,
)


# Anything the slow path below would change: C0/C1 controls (ESC, CSI, OSC, tab and newline
# among them), lone surrogates, and the invisible characters above.
_NEEDS_CLEANING = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(map(chr, _INVISIBLE)) + "]")


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Text that is safe to store and draw: no escapes, no controls, no bidi overrides."""
    if not value:
        return ""
    if not _NEEDS_CLEANING.search(value):
        # plain text, nearly every field of a feed: one regex scan instead of a loop per character
        return (value if multiline else _SPACES.sub(" ", value)).strip()
    text = _ESCAPES.sub("", value).translate(_INVISIBLE)
    out = []
    for ch in text:
        if ch == "\n" and multiline:
            out.append(ch)
        elif ch in "\t\r\n":
            out.append(" ")
        elif (cat := unicodedata.category(ch)) == "Cc":
            out.append(" ")
        elif cat == "Cs":  # a lone surrogate cannot be encoded for the terminal
            out.append("\ufffd")
        else:
            out.append(ch)
    joined = "".join(out)
    return (joined if multiline else _SPACES.sub(" ", joined)).strip()


def is_clean(value: str) -> bool:
    return clean_text(value) == value
