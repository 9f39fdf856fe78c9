"""The table writer's fast paths give the text the slow ones gave: plain ASCII passes through,
anything else is cleaned, every cell is cut and padded to its width in terminal cells."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

from rich.cells import cell_len

from stationdesk.domain.text import clean_text
from stationdesk.reports.writers import write_table

COLUMNS = (("a", "物流号", 8), ("b", "when", 16), ("c", "类型", 6))


def _lines(rows):
    out = io.StringIO()
    write_table(out, COLUMNS, rows)
    return out.getvalue().splitlines()


def test_cells_are_cleaned_cut_and_padded_by_terminal_cells():
    shanghai = timezone(timedelta(hours=8))
    rows = [
        {"a": "KD0123456789", "b": datetime(2026, 11, 30, 8, 5, 59, tzinfo=shanghai), "c": "接单超时(30分钟)"},
        {"a": "ok\x1b[31m", "b": datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "c": "x\u200by"},
        {"a": " pad ", "b": None, "c": 7},
    ]
    header, *body = _lines(rows)
    assert body[0] == "KD01234…  2026-11-30 08:05  接单…"
    assert body[0].split("  ")[1] == rows[0]["b"].strftime("%Y-%m-%d %H:%M")
    assert "\x1b" not in body[1] and "\u200b" not in body[1] and body[1].startswith(f"{clean_text('ok' + chr(27) + '[31m'):8}")
    assert body[1].endswith("xy")
    assert body[2].startswith("pad     ")  # cleaned (stripped) before it is padded
    assert cell_len(header) == 8 + 2 + 16 + 2 + 4  # the last heading, 类型, is not padded at the line's end
