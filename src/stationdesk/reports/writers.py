"""Streaming writers for rows of dicts: an aligned table (CJK-aware), JSON, CSV.

Rows are written as they come, so a million-row listing never sits in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich.cells import cell_len

from stationdesk.domain.text import clean_text

FORMATS = ("table", "json", "csv")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, list):
        return ",".join(str(v.get("kind", v)) if isinstance(v, dict) else str(v) for v in value)
    return clean_text(str(value))  # nothing from outside reaches a terminal raw


def _fit(text: str, width: int) -> str:
    if cell_len(text) > width:
        out, used = [], 0
        for ch in text:
            w = cell_len(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - cell_len(text))


def write_table(out: TextIO, columns: Sequence[tuple[str, str, int]], rows: Iterable[dict[str, Any]]) -> int:
    """columns: (key, heading, width in terminal cells). Returns the number of rows written."""
    out.write("  ".join(_fit(h, w) for _, h, w in columns).rstrip() + "\n")
    n = 0
    for row in rows:
        out.write("  ".join(_fit(_cell(row.get(k)), w) for k, _, w in columns).rstrip() + "\n")
        n += 1
    return n


def write_json(out: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """A JSON array, streamed one element per line."""
    n = 0
    out.write("[")
    for row in rows:
        out.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.writer(out)
    writer.writerow(fields)
    n = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(f)) for f in fields])
        n += 1
    return n


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
