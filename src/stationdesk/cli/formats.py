"""How every command prints rows: `--format table|json|jsonl|csv` (reports add xlsx), `-o PATH`
and `--excel`, with one writer (stationdesk.reports.writers.export) behind all of them.

A command that prints rows takes ``fmt: FormatOpt = Format.table`` and ``output: OutputOpt = None``
(and ``excel: ExcelOpt = False``; the options are in stationdesk.cli.common, written once in
stationdesk.cli.params), builds (key, heading, width) columns and calls ``emit``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from enum import Enum
from pathlib import Path
from typing import Any


class Format(str, Enum):
    """What a listing prints: an aligned table for people, or data for programs."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class ReportFormat(str, Enum):
    """A report's formats: the listing's, and an Excel workbook (needs -o FILE.xlsx)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


Columns = Sequence[tuple[str, str, int]]


def value_of(fmt: Any) -> str:
    """The plain name of a format given as an enum member or a string."""
    return fmt.value if isinstance(fmt, Enum) else str(fmt)


def emit(rows: Iterable[dict[str, Any]], columns: Columns, fmt: Any, output: Path | None = None, *,
         excel: bool = False, tz: tzinfo | None = None, sheet: str = "stationdesk") -> int:
    """Write ``rows`` as ``fmt`` to ``output`` (or standard output); returns how many rows.

    A file that cannot be written is refused with its path and the reason, never a traceback;
    nothing is left half-written under the file's name for XLSX.
    """
    from stationdesk.cli.base import Refused
    from stationdesk.reports.writers import export

    name = value_of(fmt)
    if name == "xlsx" and output is None:
        raise Refused("opt.xlsx_output")
    if output is not None:
        check_writable(output)
    try:
        return export(name, columns, rows, out=None if output is not None else sys.stdout, path=output,
                      excel=excel, tz=tz, sheet=sheet)
    except BrokenPipeError:
        raise  # the reader of the screen's output is gone: not a file that cannot be written (cli.base.guarded)
    except OSError as exc:
        raise Refused("opt.cannot_write", option="--output", path=output, why=exc.strerror or str(exc)) from None


def check_writable(path: Path) -> None:
    """Refuse, before any work, a file whose folder is missing or which is a folder itself."""
    from stationdesk.cli.base import Refused

    if path.is_dir():
        raise Refused("opt.output_folder", option="--output", path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise Refused("opt.output_parent", option="--output", path=path, parent=parent)


def write_document(data: Any, output: Path | None) -> None:
    """A nested JSON document (a notice with its violations, the week report) as it is, to the screen or -o."""
    import json

    from stationdesk.cli.base import Refused

    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if output is None:
        sys.stdout.write(text + "\n")
        return
    check_writable(output)
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise Refused("opt.cannot_write", option="--output", path=output, why=exc.strerror or str(exc)) from None
