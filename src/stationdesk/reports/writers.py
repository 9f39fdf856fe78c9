"""Streaming writers for rows of dicts: an aligned table (CJK-aware), JSON, CSV, and XLSX.

Rows are written as they come, so a million-row listing never sits in memory. Text is cleaned
(no escapes or controls) and, in CSV and XLSX, can never become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.cells import cell_len

from stationdesk.domain.text import clean_text

FORMATS = ("table", "json", "csv")
REPORT_FORMATS = ("table", "json", "csv", "xlsx")
# A spreadsheet reads a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel opens a CSV as UTF-8 (and shows the Chinese) only when it starts with this


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
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


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def write_json(out: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """A JSON array, streamed one element per line; times in ISO 8601 with their offset."""
    n = 0
    out.write("[")
    for row in rows:
        out.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False, default=_json_default))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[dict[str, Any]], *,
              headings: Sequence[str] | None = None, bom: bool = False) -> int:
    """CSV with a header row (``headings``, else the field names). ``bom`` starts the file with
    the UTF-8 byte-order mark so that Excel shows Chinese text correctly."""
    writer = csv.writer(out)
    if bom:
        out.write(BOM)
    writer.writerow([_no_formula(h) for h in (headings or fields)])
    n = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(f)) for f in fields])
        n += 1
    return n


def _no_formula(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading quote before = + - @ (OWASP's advice)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return _no_formula(json.dumps(value, ensure_ascii=False))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return _no_formula(clean_text(value))
    return "" if value is None else value


def write_xlsx(path: Path, fields: Sequence[str], rows: Iterable[dict[str, Any]], *,
               headings: Sequence[str] | None = None, sheet: str = "report") -> int:
    """A real spreadsheet: a bold header row, then one row per dict. Times are Excel dates (in
    the zone they carry, as Excel has none); numbers stay numbers; text is always text."""
    from openpyxl import Workbook  # heavy: only for the xlsx format
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # never a formula, whatever it starts with
        return cell

    def header(value: str) -> WriteOnlyCell:
        cell = text_cell(value)
        cell.font = bold
        return cell

    ws.append([header(h) for h in (headings or fields)])
    n = 0
    for row in rows:
        cells: list[Any] = []
        for f in fields:
            value = row.get(f)
            if isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                cells.append(cell)
            elif isinstance(value, date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif isinstance(value, bool) or value is None or isinstance(value, (int, float)):
                cells.append(value)
            elif isinstance(value, list):
                cells.append(text_cell(json.dumps(value, ensure_ascii=False)))
            else:
                cells.append(text_cell(clean_text(str(value))))
        ws.append(cells)
        n += 1
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)  # a half-written file never takes the report's name
    return n
