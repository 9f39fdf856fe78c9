"""A table's columns write each repeated value once and reuse it: the text is the one each cell
written alone gives, True and 1 (equal in Python) stay different cells, and a column of
thousands of unique values is written right after its memory of cells starts over."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from stationdesk.reports.writers import _cell, _fit, write_table

COLUMNS = (("flag", "标记", 4), ("n", "单号", 12), ("day", "日期", 10), ("when", "时间", 16), ("kinds", "类型", 12))


def _alone(rows):
    """Each cell written on its own, the way the writer wrote every cell before it kept them."""
    lines = ["  ".join(_fit(h, w) for _, h, w in COLUMNS).rstrip()]
    lines += ["  ".join(_fit(_cell(r.get(k)), w) for k, _, w in COLUMNS).rstrip() for r in rows]
    return lines


def test_repeated_and_unique_cells_read_as_each_written_alone():
    t0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    rows = [{"flag": (True, 1, False, 0, "", None, 1.0)[i % 7], "n": f"LP{i:010d}" if i % 3 else i,
             "day": date(2026, 11, 1 + i % 28), "when": t0 + timedelta(minutes=i), "kinds": ["a", "b"] if i % 5 else "接单超时"}
            for i in range(5000)]
    out = io.StringIO()
    assert write_table(out, COLUMNS, rows) == 5000
    lines = out.getvalue().splitlines()
    assert lines == _alone(rows)
    assert lines[1].startswith("是  ") and lines[2].startswith("1   ")  # True and 1 are not the same cell


def test_a_column_of_unique_text_is_still_cleaned_and_fitted_after_it_stops_keeping_cells():
    rows = [{"flag": None, "n": (f"LP{i:06d}", f"寄件人{i}号很长的名字", f"LP\x1b[31m{i}\u202e", f"  wx {i}  ")[i % 4],
             "day": None, "when": None if i % 2 else datetime(2026, 11, 30, 2, i % 60, tzinfo=UTC), "kinds": ["a", str(i)]}
            for i in range(6000)]  # past the cells a column keeps: the number column starts over, then writes as it comes
    out = io.StringIO()
    assert write_table(out, COLUMNS, rows) == 6000
    lines = out.getvalue().splitlines()
    assert lines == _alone(rows)
    assert "\x1b" not in out.getvalue() and "\u202e" not in out.getvalue() and lines[-2].split()[0] == "LP5998" and lines[-3].split()[0] == "寄件人5997…"


def test_times_naive_aware_and_cut_to_a_narrow_column_read_as_each_written_alone():
    from zoneinfo import ZoneInfo

    columns = (("t", "时间", 16), ("short", "短", 10), ("mixed", "混合", 12))
    shanghai = ZoneInfo("Asia/Shanghai")
    t0 = datetime(2026, 11, 30, 15, 59, 30, tzinfo=UTC)
    rows = [{"t": (t0 + timedelta(minutes=7 * i)).astimezone(shanghai), "short": t0.replace(tzinfo=None) + timedelta(hours=i),
             "mixed": (t0 + timedelta(days=i), date(2026, 1, 1 + i % 28), None, "文字", 3)[i % 5]} for i in range(3000)]
    out = io.StringIO()
    assert write_table(out, columns, rows) == 3000
    lines = out.getvalue().splitlines()
    assert lines[1:] == ["  ".join(_fit(_cell(r.get(k)), w) for k, _, w in columns).rstrip() for r in rows]
    assert lines[1] == "2026-11-30 23:59  2026-11-3…  2026-11-30 …" and lines[2].split()[:2] == ["2026-12-01", "00:06"]
