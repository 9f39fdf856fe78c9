"""The one presenter (stationdesk.services.views): the command line, the exports and the desk show
an order and its history from the same facts, and the presenter stays on the light read path."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from stationdesk.services import correct
from stationdesk.services.views import (
    TimeLeft, coded, detail_fields, event_details, event_lines, history_entry, order_listing, to_view, unscanned_row,
)
from stationdesk.domain.fields import BusinessType, Channel
from stationdesk.domain.statuses import Status
from stationdesk.store import reads
from stationdesk.tui.i18n import tr
from tests.conftest import feed_row


def _order(desk, number):
    with desk.db.read() as conn:
        row = reads.orders_by_number(conn, number)[0]
        return row, reads.events_of(conn, row["id"])


def test_the_command_line_and_the_desk_show_the_same_order(desk, import_rows):
    import_rows([feed_row(1, business_type="在线下单", channel="线下")])
    row, _ = _order(desk, "LP00000001")
    now, tz = desk.now(), desk.config.tz
    listed = order_listing(row, now, tz)
    cells = to_view(row, tz, "zh", tr).cells
    fields = dict(detail_fields(row, now, tz, "zh", tr, reveal=False))
    assert listed["sender_phone"] == cells["phone"] == fields["电话"] == "138****5678"
    assert listed["status_label"] == cells["status"] == fields["状态"] == "等待接单"
    assert listed["business_type_label"] == cells["business_type"] == fields["业务类型"] == "在线下单"
    assert listed["accept_deadline"].replace("T", " ")[:19] == fields["接单时限"]
    assert listed["order_time_short"][5:] == cells["order_time"]
    assert dict(detail_fields(row, now, tz, "zh", tr, reveal=True))["电话"] == "13812345678"
    english = to_view(row, tz, "en", tr).cells
    assert (english["channel"], english["business_type"], english["status"]) == ("offline", "web order", "waiting")


def test_a_corrected_phone_stays_masked_in_every_history_unless_revealed(desk, import_rows):
    import_rows([feed_row(1)])
    correct.correct_info(desk, "LP00000001", {"sender_phone": "13900001111"}, "张敏", "客户来电更正")
    row, events = _order(desk, "LP00000001")
    tz = desk.config.tz
    entry = history_entry(events[-1], tz)
    assert entry["details"]["changes"]["sender_phone"] == ["138****5678", "139****1111"]
    masked = event_lines(events, tz, "zh", reveal=False)[-1]
    assert "sender_phone: 139****1111" in masked[4] and masked[2] == "张敏"
    # an older event written with the full number is masked when shown, and shown whole on reveal
    old = {**events[-1], "details": json.dumps({"changes": {"sender_phone": ["13812345678", "13900001111"]}})}
    assert history_entry(old, tz)["details"]["changes"]["sender_phone"] == ["138****5678", "139****1111"]
    assert "sender_phone: 139****1111" in event_lines([old], tz, "zh", reveal=False)[0][4]
    assert "sender_phone: 13900001111" in event_lines([old], tz, "zh", reveal=True)[0][4]


def test_details_that_are_not_a_json_object_are_shown_as_text():
    assert event_details("not json {") == "not json {"
    assert event_details("[1, 2]") == "[1, 2]"
    assert event_details(None) == {}


def test_coded_values_in_both_languages_and_unknown_ones_as_they_are():
    assert coded(Status, "accepted", "zh") == "接单成功" and coded(Status, "accepted", "en") == Status.ACCEPTED.label_en
    assert coded(Channel, "online", "en") == "online" and coded(BusinessType, "send_parcel", "zh") == "我要寄快递"
    assert coded(Status, "from_the_future", "en") == "from_the_future"
    assert coded(Status, None, "zh") == ""


def test_time_left_counts_minutes_down_and_overdue_minutes_begun():
    deadline = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    early = TimeLeft.of(deadline, deadline - timedelta(hours=5, minutes=20, seconds=59))
    assert (early.minutes, early.overdue, early.text()) == (320, False, "5时20分")
    late = TimeLeft.of(deadline, deadline + timedelta(hours=309, minutes=51, seconds=1))
    assert (late.minutes, late.overdue, late.text()) == (-(309 * 60 + 52), True, "超时 309时52分")


def test_the_unscanned_report_row_is_told_by_the_same_clock(desk, import_rows):
    import_rows([feed_row(1)])
    row, _ = _order(desk, "LP00000001")
    now = row["order_time"] + timedelta(hours=17)
    shown = unscanned_row(row, now, desk.config.tz)
    assert (shown["overdue"], shown["minutes_left"], shown["minutes_overdue"]) == (True, -60, 60)
    assert shown["time_left"] == "超时 1时00分" and shown["sender_phone"] == "138****5678"
    assert unscanned_row(row, now, desk.config.tz, full_phone=True)["sender_phone"] == "13812345678"


def test_the_presenter_loads_no_database_library_nor_rich():
    code = ("import sys, stationdesk.services.views; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'rich', 'textual')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
