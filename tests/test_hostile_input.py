"""Hostile text from feeds and scanners: refused with its line and reason, or stored clean.

Generated feeds mix ordinary rows with rows whose fields carry terminal escape sequences (CSI,
OSC, OSC 8 links, C1 forms), control characters, bidi overrides, zero-width characters, lone
surrogates and oversized values. Whatever comes in, every row is accounted for, no stored text
can move a terminal's cursor or hide text, and the ordinary rows go in exactly as given.
"""

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
from stationdesk.services.pickup import record_scan
from stationdesk.services.setup import init_database
from tests.conftest import ManualClock, feed_row

HOSTILE_PIECES = [
    "\x1b[2J", "\x1b[31;1m", "\x1b]0;owned\x07", "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1bP+q\x1b\\", "\x9b6n", "\x9d0;t\x9c", "\x1b", "\x07", "\x00", "\x08", "\r", "\n", "\t", "\x7f", "\x85",
    "\u202e", "\u2066", "\u200b", "\ufeff", "\u200f", "\ud800", "\udfff",
]
TEXT_FIELDS = ["sender_name", "sender_province", "sender_city", "sender_district", "sender_address", "note",
               "goods", "source", "logistics_no", "sender_phone", "waybill_no", "order_time", "channel",
               "business_type", "cancelled", "dispatch_operator"]
BIDI_AND_INVISIBLE = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff\u200b")

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(min_size=0, max_size=6)), min_size=1, max_size=6,
).map("".join) | st.text(min_size=300, max_size=600)  # oversized


def is_drawable(text: str) -> bool:
    """No character that a terminal would act on rather than draw."""
    return not any(
        unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_AND_INVISIBLE for ch in text
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    init_database(path, "HZ001")
    return path


def fresh_desk(template: Path, folder: Path):
    db = folder / "s.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, db)
    return open_desk(db, folder / "none.toml", clock=ManualClock())


row_plan = st.lists(
    st.one_of(
        st.just(None),  # an ordinary row
        st.tuples(st.sampled_from(TEXT_FIELDS), hostile_text),  # one field made hostile
    ),
    min_size=1, max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=row_plan)
def test_a_hostile_feed_is_refused_row_by_row_and_what_is_stored_is_clean(plan, template, tmp_path):
    desk = fresh_desk(template, tmp_path)
    try:
        rows, ordinary = [], {}
        for n, change in enumerate(plan):
            row = feed_row(n)
            if change is None:
                ordinary[row["logistics_no"]] = row
            else:
                row[change[0]] = change[1]
            rows.append(row)
        feed = tmp_path / "feed.jsonl"  # JSON can carry any code point, lone surrogates included
        feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        report = import_feed(desk, feed)

        rejected_lines = {e.line for e in report.rejected}
        assert report.imported + len(rejected_lines) == len(rows)  # every row accounted for
        for error in report.rejected:
            assert 1 <= error.line <= len(rows)
            assert error.field is None or error.field in FEED_FIELDS
            assert error.reason and is_drawable(str(error))

        con = sqlite3.connect(desk.db.path)
        con.row_factory = sqlite3.Row
        stored = {r["logistics_no"]: r for r in con.execute("SELECT * FROM orders")}
        con.close()
        for r in stored.values():
            for name in ("sender_name", "sender_province", "sender_city", "sender_district", "sender_address",
                         "note", "goods", "source", "logistics_no", "sender_phone", "waybill_no", "dispatch_operator"):
                assert is_drawable(r[name] or ""), (name, r[name])
        for number, row in ordinary.items():  # ordinary rows go in exactly as given
            assert number in stored
            assert (stored[number]["sender_name"], stored[number]["sender_address"]) == (row["sender_name"], row["sender_address"])
    finally:
        desk.db.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scans=st.lists(hostile_text, min_size=1, max_size=8))
def test_hostile_scanner_input_is_refused_with_a_drawable_reason_and_logged_clean(scans, template, tmp_path):
    desk = fresh_desk(template, tmp_path)
    try:
        for raw in scans:
            result = record_scan(desk, raw, "扫描员")
            assert not result.accepted
            assert result.message and is_drawable(result.message)
        con = sqlite3.connect(desk.db.path)
        logged = con.execute("SELECT waybill_no, reason FROM scan").fetchall()
        changed = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        con.close()
        assert len(logged) == len(scans)  # every scan is logged, none lost
        assert all(is_drawable(w) and is_drawable(reason) for w, reason in logged)
        assert changed == 0
    finally:
        desk.db.dispose()


def test_oversized_scans_and_order_numbers_cost_nothing_and_say_what_was_wrong(template, tmp_path):
    from stationdesk.domain.errors import OrderNotFound
    from stationdesk.services.accept import accept

    desk = fresh_desk(template, tmp_path)
    try:
        result = record_scan(desk, "5" * 300_000, "扫描员")
        assert not result.accepted and len(result.waybill) <= 64 * 4 + 16
        with pytest.raises(OrderNotFound, match="不是物流号或运单号"):
            accept(desk, ["LP" + "1" * 300_000], "张敏")
        with pytest.raises(OrderNotFound, match="不是物流号或运单号"):
            accept(desk, ["LP1\x1b[2J"], "张敏")
    finally:
        desk.db.dispose()
