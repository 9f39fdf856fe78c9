"""Streaming writers for rows of dicts: an aligned table (CJK-aware), JSON, JSON Lines, CSV, and XLSX.

Rows are written as they come, so a million-row listing never sits in memory. Text is cleaned
(no escapes or controls) and, in CSV and XLSX, can never become a spreadsheet formula.

Two kinds of reader, two shapes (``export`` chooses): a program reading a pipe gets stable
English keys, UTF-8 without a BOM and ISO 8601 times with their offset; Excel (a CSV file, or
``excel=True``, and every XLSX) gets the Chinese headings, a BOM, and times in station time
without an offset, which Excel reads as date-times.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from stationdesk.domain.text import clean_text

FORMATS = ("table", "json", "jsonl", "csv")
REPORT_FORMATS = ("table", "json", "jsonl", "csv", "xlsx")
# A spreadsheet reads a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel opens a CSV as UTF-8 (and shows the Chinese) only when it starts with this


_cells: Any = None


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes (a CJK character two). rich is loaded here, by the first
    writer that aligns columns, not by every command that imports this module."""
    if text.isascii() and text.isprintable():  # most cells: one cell per character, as rich counts them
        return len(text)
    global _cells
    if _cells is None:
        from rich.cells import cell_len as cells

        _cells = cells
    return _cells(text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")[:16]  # the text strftime("%Y-%m-%d %H:%M") gives, 8x faster
    if isinstance(value, list):
        return ",".join(str(v.get("kind", v)) if isinstance(v, dict) else str(v) for v in value)
    return _clean(str(value))  # nothing from outside reaches a terminal raw


# A report repeats the same few labels (kinds, states, sources) on every row: each cleaned and
# fitted once per width. Both functions are pure.
_clean = functools.lru_cache(maxsize=8192)(clean_text)


def _fit(text: str, width: int) -> str:
    if text.isascii():
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    return _fit_wide(text, width)


@functools.lru_cache(maxsize=8192)
def _fit_wide(text: str, width: int) -> str:
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
    # Rows are written a batch at a time, column by column; each cell is the text _fit(_cell(value))
    # gives (tests/reports/test_table_repeats.py holds them to it).
    kept = [_Column(key, width) for key, _, width in columns]
    n = 0
    it = iter(rows)
    while batch := list(islice(it, _LINES_AT_ONCE)):
        cells = [column.cells([row.get(column.key) for row in batch]) for column in kept]
        out.write("".join(["  ".join(line).rstrip() + "\n" for line in zip(*cells, strict=True)]))
        n += len(batch)
    return n


_NONE = type(None)


class _Column:
    """One column of a table. Most columns repeat a few values (a kind, a state, a day, a fine):
    each keeps the cells it has written, by type and then value (True and 1 are different cells),
    and starts over when it has kept many, so unique numbers and times never pile up in memory. A
    text column that has started over once (a logistics number) holds unique values: it is then
    cleaned and fitted as it comes. A time's text is its day's (kept) and its hour and minute."""

    def __init__(self, key: str, width: int) -> None:
        self.key, self.width = key, width
        self.kept: dict[type, dict[Any, str]] = {}
        self.unique_text = False
        self.days: dict[date, str] = {}

    def cells(self, values: list[Any]) -> list[str]:
        """The cells of one batch of the column's values."""
        kinds = set(map(type, values))
        if kinds <= {datetime, _NONE}:
            blank = " " * self.width
            return [blank if v is None else self._time(v) for v in values]
        if len(kinds) != 1:
            return [self._one(v) for v in values]
        kind = kinds.pop()
        if kind is list:
            return [_fit(_cell(v), self.width) for v in values]
        if kind is str and self.unique_text:
            width = self.width
            return [_fit(clean_text(v), width) for v in values]
        memo = self.kept.setdefault(kind, {})
        texts: list[Any] = list(map(memo.get, values))
        if None in texts:
            for i, text in enumerate(texts):
                if text is None:
                    texts[i] = self._keep(kind, values[i])
        return texts

    def _one(self, value: Any) -> str:
        kind = type(value)
        if kind is datetime:
            return self._time(value)
        if kind is list or (kind is str and self.unique_text):
            return _fit(_cell(value), self.width)
        text = self.kept.setdefault(kind, {}).get(value)
        return text if text is not None else self._keep(kind, value)

    def _keep(self, kind: type, value: Any) -> str:
        memo = self.kept.setdefault(kind, {})
        if len(memo) >= _MEMO_CELLS:
            memo.clear()
            self.unique_text = self.unique_text or kind is str
        text = memo[value] = _fit(_cell(value), self.width)
        return text

    def _time(self, value: datetime) -> str:
        """_fit(_cell(value)): the text isoformat(" ", "minutes")[:16] gives (ASCII), without asking
        the time zone for its offset, which only the part cut off shows."""
        day = value.date()
        head = self.days.get(day)
        if head is None:
            if len(self.days) >= _MEMO_CELLS:
                self.days.clear()
            head = self.days[day] = day.isoformat() + " "
        text = head + value.time().isoformat("minutes")
        width = self.width
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


_LINES_AT_ONCE = 500  # table lines gathered before one write
_MEMO_CELLS = 2048  # cells a column of a table keeps


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


def write_jsonl(out: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """JSON Lines: one object per line, nothing around them (for jq, grep and streaming readers)."""
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
        n += 1
    return n


def write_csv(out: TextIO, fields: Sequence[str], rows: Iterable[dict[str, Any]], *,
              headings: Sequence[str] | None = None, bom: bool = False, tz: tzinfo | None = None,
              local: bool = False) -> int:
    """CSV with a header row (``headings``, else the field names). ``bom`` starts the file with
    the UTF-8 byte-order mark so that Excel shows Chinese text correctly. With ``local`` (the
    Excel shape), times are written in station time (``tz``, else the zone they carry) without
    an offset, as Excel reads a date-time; otherwise ISO 8601 with the offset."""
    writer = csv.writer(out)
    if bom:
        out.write(BOM)
    writer.writerow([_no_formula(h) for h in (headings or fields)])
    n = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(f), tz, local) for f in fields])
        n += 1
    return n


def _no_formula(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading quote before = + - @ (OWASP's advice)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    """A date-time as Excel shows it: in station time, with no offset (Excel has no zones)."""
    if tz is not None and value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None)


def _csv_value(value: Any, tz: tzinfo | None = None, local: bool = False) -> Any:
    if isinstance(value, list):
        return _no_formula(json.dumps(value, ensure_ascii=False))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if local:
            return _local(value, tz).isoformat(sep=" ", timespec="seconds")
        return value.isoformat(timespec="seconds")
    if isinstance(value, str):
        return _no_formula(clean_text(value))
    return "" if value is None else value


XLSX_SAMPLE_ROWS = 500  # column widths are measured on the first rows: the rest stream straight to disk
XLSX_MAX_WIDTH = 60


def _xlsx_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if value is None:
        return 0
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    return cell_len(clean_text(str(value)))


def write_xlsx(path: Path, fields: Sequence[str], rows: Iterable[dict[str, Any]], *,
               headings: Sequence[str] | None = None, sheet: str = "report", tz: tzinfo | None = None) -> int:
    """A real spreadsheet: a bold, frozen header row with a filter, columns as wide as their
    content, then one row per dict. Times are Excel date-times in station time (``tz``) without
    an offset; numbers stay numbers; text is always text, never a formula."""
    from itertools import chain, islice

    from openpyxl import Workbook  # heavy: only for the xlsx format
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    heads = list(headings or fields)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    rows = iter(rows)
    sample = list(islice(rows, XLSX_SAMPLE_ROWS))
    for i, (f, h) in enumerate(zip(fields, heads, strict=True), start=1):
        widest = max([cell_len(h)] + [_xlsx_width(r.get(f)) for r in sample])
        ws.column_dimensions[get_column_letter(i)].width = min(XLSX_MAX_WIDTH, widest + 2)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # never a formula, whatever it starts with
        return cell

    def header(value: str) -> WriteOnlyCell:
        cell = text_cell(value)
        cell.font = bold
        return cell

    ws.append([header(h) for h in heads])
    n = 0
    for row in chain(sample, rows):
        cells: list[Any] = []
        for f in fields:
            value = row.get(f)
            if isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=_local(value, tz))
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
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(heads)))}{n + 1}"
    tmp = path.with_name(path.name + ".part")
    try:
        wb.save(tmp)
        tmp.replace(path)  # a half-written file never takes the report's name
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


Column = tuple[str, str, int]  # key (stable, English), heading (Chinese, for people), table width


def export(fmt: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]], *, out: TextIO | None = None,
           path: Path | None = None, excel: bool = False, tz: tzinfo | None = None, sheet: str = "report") -> int:
    """The one export writer: ``rows`` in ``fmt`` (table, json, jsonl, csv, xlsx) to ``path`` or ``out``.

    CSV takes the Excel shape (BOM, Chinese headings, station time without offset) when written
    to a file or when ``excel`` is asked; into a pipe it is plain UTF-8 with the English keys.
    JSON and JSON Lines always use the English keys and ISO times with their offset. Returns
    how many rows were written. File errors are raised as OSError for the caller to report.
    """
    keys = [k for k, _, _ in columns]
    headings = [h for _, h, _ in columns]
    if fmt == "xlsx":
        if path is None:
            raise ValueError("xlsx needs a file")
        return write_xlsx(path, keys, rows, headings=headings, sheet=sheet, tz=tz)
    target = path.open("w", encoding="utf-8", newline="") if path is not None else out
    assert target is not None
    try:
        if fmt == "csv":
            for_excel = excel or path is not None
            return write_csv(target, keys, rows, headings=headings if for_excel else None, bom=for_excel,
                             tz=tz, local=for_excel)
        picked = ({k: r.get(k) for k in keys} for r in rows)
        if fmt == "json":
            return write_json(target, picked)
        if fmt == "jsonl":
            return write_jsonl(target, picked)
        return write_table(target, columns, rows)
    finally:
        if path is not None:
            target.close()
