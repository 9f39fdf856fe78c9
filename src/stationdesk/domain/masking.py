"""Masking of customer personal data for lists, exports and logs."""

from __future__ import annotations

from typing import Any


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mobile; 10 digits keep the first 2 and last 4; shorter ones only the last 4."""
    if not phone:
        return ""
    digits = phone if phone.isascii() and phone.isdigit() else "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= 11:
        local = digits[-11:]  # drop a country code such as +86
        return f"{local[:3]}****{local[-4:]}"
    if len(digits) >= 10:
        return digits[:2] + "*" * (len(digits) - 6) + digits[-4:]
    if len(digits) >= 7:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


PERSONAL_FIELDS = ("sender_phone",)  # masked wherever an order's changes are written down


def mask_changes(changes: dict[str, Any], *, keep_new: bool = False) -> dict[str, Any]:
    """``{field: [before, after]}`` as the audit trail keeps it: personal fields masked (a value
    already masked stays as it is). ``keep_new``: the op to head office carries the new value whole,
    since head office's copy of the order needs it."""
    out = dict(changes)
    for k in PERSONAL_FIELDS:
        pair = out.get(k)
        if isinstance(pair, list):
            masked = [v if isinstance(v, str) and "*" in v else mask_phone(v) for v in pair]
            if keep_new and len(pair) == 2:
                masked[1] = pair[1]
            out[k] = masked
    return out


def mask_name(name: str | None) -> str:
    """张** style: the first character and stars."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)
