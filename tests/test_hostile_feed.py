"""Generated feeds that mix good rows with every kind of bad one, in CSV (UTF-8 and GB18030) and
JSON Lines: every good row goes in, every bad one is refused by its line (and field, where the
line could be read), the import never raises, and nothing stored or said can act on a terminal."""

import csv
import io
import json
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stationdesk.bootstrap import open_desk
from stationdesk.services.feed_import import import_feed
from stationdesk.services.feed_read import FEED_FIELDS
from stationdesk.services.setup import init_database
from tests.conftest import ManualClock, feed_row

# (kind, field the refusal names or None when the line itself cannot be read, formats it applies to)
BAD_KINDS = {
    "far_future": ("order_time", ("csv", "gb18030", "jsonl")),
    "year_one": ("order_time", ("csv", "gb18030", "jsonl")),
    "before_2000": ("dispatch_time", ("csv", "gb18030", "jsonl")),
    "oversized": ("note", ("csv", "gb18030", "jsonl")),
    "too_long_name": ("sender_name", ("csv", "gb18030", "jsonl")),
    "invalid_byte": (None, ("csv", "jsonl")),
    "other_encoding": (None, ("csv", "gb18030")),
    "bool_text": ("sender_name", ("jsonl",)),
    "number_text": ("sender_phone", ("jsonl",)),
    "huge_number": ("goods", ("jsonl",)),
    "object_text": ("note", ("jsonl",)),
    "deep_nesting": (None, ("jsonl",)),
    "broken_json": (None, ("jsonl",)),
    "broken_quote": (None, ("csv", "gb18030")),
}
# invisible or terminal-moving characters a good row may carry: stored without them
HOSTILE_BUT_GOOD = ["\u2060", "\u00ad", "\U000e0041", "\u2028", "\u202e", "\x1b[2J", "\ufe0f\ufe0f"]


def drawable(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text)


def bad_row(kind: str, n: int) -> dict:
    row = feed_row(n)
    changes = {
        "far_future": {"order_time": "9999-12-31T23:59:59+14:00"},
        "year_one": {"order_time": "0001-01-01T00:00:00+14:00"},
        "before_2000": {"dispatch_time": "1999-12-31T08:00:00+08:00", "dispatch_operator": "电商01"},
        "oversized": {"note": "长" * 300_000},
        "too_long_name": {"sender_name": "张" * 51},
        "bool_text": {"sender_name": True},
        "number_text": {"sender_phone": 13812345678},
        "huge_number": {"goods": float("inf")},  # written as 1e400
        "object_text": {"note": {"a": [1, 2]}},
    }
    row.update(changes.get(kind, {}))
    return row


def csv_line(row: dict, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([row[f] for f in FEED_FIELDS])
    return out.getvalue().encode(encoding)


def build(fmt: str, plan: list[tuple[str | None, int]]) -> tuple[bytes, dict[int, str | None], dict[str, dict]]:
    """The file's bytes, the expected refusals {line: field} and the good rows by logistics number."""
    encoding = "gb18030" if fmt == "gb18030" else "utf-8"
    lines, refused, good = [], {}, {}
    if fmt != "jsonl":
        lines.append(",".join(FEED_FIELDS).encode() + b"\n")
    for n, (kind, extra) in enumerate(plan, start=1):
        line_no = len(lines) + 1
        if kind is None:
            row = feed_row(n, sender_address=f"文三路{n}号" + HOSTILE_BUT_GOOD[extra % len(HOSTILE_BUT_GOOD)])
            good[row["logistics_no"]] = row
            data = (json.dumps(row, ensure_ascii=False) + "\n").encode() if fmt == "jsonl" else csv_line(row, encoding)
        else:
            refused[line_no] = BAD_KINDS[kind][0]
            row = bad_row(kind, n)
            if fmt == "jsonl":
                text = json.dumps(row, ensure_ascii=False).replace("Infinity", "1e400")
                if kind == "deep_nesting":
                    text = text[:-1] + ', "note": ' + "[" * 100_000 + "]" * 100_000 + "}"
                elif kind == "broken_json":
                    text = text[:-1]
                data = (text + "\n").encode()
            else:
                data = csv_line(row, encoding)
                if kind == "broken_quote":
                    data = data.replace(b"\n", b',"x"y\n')  # strict CSV: text after a closing quote
            if kind == "invalid_byte":
                data = data.replace("张三".encode(), b"\xff\xfe\x80")
            elif kind == "other_encoding":
                data = data.decode(encoding).encode("utf-8" if encoding == "gb18030" else "gb18030")
        lines.append(data)
    return b"".join(lines), refused, good


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile-feed") / "template.db"
    init_database(path, "HZ001")
    return path


def plans(fmt: str):
    kinds = [k for k, (_, fmts) in BAD_KINDS.items() if fmt in fmts]
    entry = st.tuples(st.one_of(st.none(), st.none(), st.sampled_from(kinds)), st.integers(0, 50))
    # at least one good row before any bad one, so the encoding is told from the rows, as in life
    return st.lists(entry, min_size=1, max_size=14).map(lambda p: [(None, 0), *p])


@pytest.mark.parametrize("fmt", ["csv", "gb18030", "jsonl"])
def test_generated_hostile_feeds(fmt, template, tmp_path_factory):
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plan=plans(fmt))
    def run(plan):
        folder = tmp_path_factory.mktemp("feed")
        db = folder / "s.db"
        shutil.copy(template, db)
        data, refused, good = build(fmt, plan)
        feed = folder / ("feed.jsonl" if fmt == "jsonl" else "feed.csv")
        feed.write_bytes(data)
        desk = open_desk(db, folder / "none.toml", clock=ManualClock())
        try:
            report = import_feed(desk, feed)  # never raises: the file as a whole is fine
        finally:
            desk.db.dispose()
        got = {}
        for error in report.rejected:
            assert drawable(str(error)), str(error)
            got.setdefault(error.line, error.field)
        assert got == refused
        assert report.imported == len(good)
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        stored = {r["logistics_no"]: r for r in con.execute("SELECT * FROM orders")}
        con.close()
        assert set(stored) == set(good)
        for number, row in good.items():
            assert stored[number]["sender_name"] == row["sender_name"]
            assert stored[number]["sender_address"].startswith(f"文三路{int(number[2:])}号")
            assert all(drawable(stored[number][f] or "") for f in ("sender_address", "note", "goods"))

    run()


@pytest.mark.parametrize(("fmt", "plan"), [
    ("csv", [(None, 0), ("invalid_byte", 0), ("invalid_byte", 0)]),  # garbage valid in no encoding
    ("gb18030", [(None, 0), ("other_encoding", 0)]),  # one stray row in the other encoding
    ("gb18030", [(None, 0), ("other_encoding", 0), ("other_encoding", 0)]),  # more stray rows than good ones
])
def test_stray_lines_do_not_outvote_the_good_rows_encoding(fmt, plan, template, tmp_path):
    """A good row and then rows of garbage bytes, or one row in the other encoding: the file keeps
    its first row's encoding, so only the stray rows are refused (they once cost the good row)."""
    db = tmp_path / "s.db"
    shutil.copy(template, db)
    data, refused, good = build(fmt, plan)
    feed = tmp_path / "feed.csv"
    feed.write_bytes(data)
    desk = open_desk(db, tmp_path / "none.toml", clock=ManualClock())
    try:
        report = import_feed(desk, feed)
    finally:
        desk.db.dispose()
    assert {e.line: e.field for e in report.rejected} == refused
    assert sorted(refused) == list(range(3, len(plan) + 2))
    assert report.imported == len(good) == 1
