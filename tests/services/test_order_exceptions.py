"""Order exceptions on a real SQLite file with the clock passed in: 在线下单 without a waybill,
source codes, corrections with masked event details, duplicate submissions."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from stationdesk.domain.words import speak
from stationdesk.domain.errors import DomainError
from stationdesk.domain.reasons import Reason
from stationdesk.services import accept, correct, duplicates, pickup
from stationdesk.store.duplicates import duplicate_links
from stationdesk.store.queries import stream
from stationdesk.store.values import OrderFilter
from tests.conftest import T0, feed_row


def _order(db_path, no):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    try:
        return dict(con.execute("SELECT * FROM orders WHERE logistics_no = ?", (no,)).fetchone())
    finally:
        con.close()


def _numbers(desk, f):
    with desk.db.read() as conn:
        return [r["logistics_no"] for r in stream(conn, f)]


def test_online_order_confirmed_without_a_waybill_waits_for_it_until_given(desk, db_path, import_rows):
    import_rows([feed_row(1, business_type="在线下单"), feed_row(2, business_type="我要寄快递")])
    accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")
    out = pickup.confirm_pickup(desk, "LP00000001", None, "张敏")
    assert "当前记录揽件成功" in out.message and any("提醒客户" in w for w in out.warnings)
    with pytest.raises(DomainError, match="需要运单号"):  # 我要寄快递 still needs the number here
        pickup.confirm_pickup(desk, "LP00000002", None, "张敏")
    waiting_for_waybill = OrderFilter(awaiting_waybill=True)
    assert _numbers(desk, waiting_for_waybill) == ["LP00000001"]
    correct.correct_info(desk, "LP00000001", {"waybill_no": "550000000001"}, "张敏", "客户提供运单号")
    assert _numbers(desk, waiting_for_waybill) == []
    scan = pickup.record_scan(desk, "550000000001", "陈刚")  # and the scan then finds it
    assert scan.accepted and scan.supplementary


def test_every_source_filter_takes_the_name_or_the_code(desk, import_rows):
    import_rows([feed_row(1), feed_row(2, logistics_no="KD00000002", source="快递100"),
                 feed_row(3, logistics_no="wx00000003", source="百世微信"),
                 feed_row(4, logistics_no="wx00000004", source="百世快递官网")])
    assert _numbers(desk, OrderFilter(source="LP")) == ["LP00000001"]
    assert _numbers(desk, OrderFilter(source="淘宝")) == ["LP00000001"]
    assert _numbers(desk, OrderFilter(source="KD")) == ["KD00000002"]
    assert sorted(_numbers(desk, OrderFilter(source="wx"))) == ["wx00000003", "wx00000004"]
    assert _numbers(desk, OrderFilter(source="百世微信")) == ["wx00000003"]


def test_a_number_with_another_sources_code_is_imported_with_a_remark(desk, db_path, import_rows):
    report = import_rows([feed_row(1), feed_row(2, logistics_no="KD00000002")])  # 淘宝 with a 快递100 number
    assert report.imported == 2 and report.ok
    assert [(e.line, e.logistics_no) for e in report.remarks] == [(3, "KD00000002")]
    con = sqlite3.connect(db_path)
    details = con.execute("SELECT e.details FROM order_event e JOIN orders o ON o.id = e.order_id "
                          "WHERE o.logistics_no = 'KD00000002'").fetchone()[0]
    con.close()
    assert "快递100" in json.loads(details)["remark"]


def test_a_correction_keeps_only_masked_phones_in_event_rows(desk, db_path, import_rows):
    import_rows([feed_row(1, sender_phone="13812345678")])
    correct.correct_info(desk, "LP00000001", {"sender_phone": "13998765432", "sender_address": "文一路1号"}, "张敏",
                         "客户来电更正")
    assert _order(db_path, "LP00000001")["sender_phone"] == "13998765432"  # the full number stays in the order row
    con = sqlite3.connect(db_path)
    rows = con.execute("SELECT action, details FROM order_event").fetchall()
    con.close()
    assert rows and all("13812345678" not in d and "13998765432" not in d for _, d in rows)
    details = json.loads(next(d for a, d in rows if a == "correct_info"))
    assert details["changes"]["sender_phone"] == ["138****5678", "139****5432"]
    assert details["reason_text"] == "客户来电更正"


def test_a_correction_that_moves_the_order_out_of_the_area_starts_a_fresh_transfer_clock(desk, db_path, import_rows,
                                                                                          clock):
    import_rows([feed_row(1)])
    clock.advance(minutes=40)  # long after the order time: the clock must not start there
    out = correct.correct_info(desk, "LP00000001", {"sender_district": "拱墅区"}, "张敏", "客户地址改为拱墅区")
    assert out.message == "订单 LP00000001 客户信息已更正: 区县"
    assert speak(out.message, "en") == "Order LP00000001: customer details corrected: district"
    row = _order(db_path, "LP00000001")
    assert row["out_of_area"] == 1 and row["suggested_station"] == "HZ002" and row["status"] == "waiting"
    con = sqlite3.connect(db_path)
    details = json.loads(con.execute("SELECT details FROM order_event WHERE action = 'correct_info'").fetchone()[0])
    con.close()
    corrected_at = (T0 + timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M")
    assert row["transfer_clock_at"].startswith(corrected_at)  # the 30 minutes run from the correction
    assert details["changes"]["transfer_clock_at"][1].startswith(corrected_at)


def test_duplicates_are_flagged_within_the_window_and_handled(desk, db_path, import_rows, clock):
    t = T0 - timedelta(minutes=50)
    report = import_rows([
        feed_row(1, order_time=t.isoformat()),
        feed_row(2, order_time=(t + timedelta(minutes=1)).isoformat()),   # same customer one minute later
        feed_row(3, order_time=(t + timedelta(minutes=30)).isoformat()),  # exactly the window: flagged too
        feed_row(4, order_time=(t + timedelta(minutes=31)).isoformat(), goods="衣服"),  # other goods
    ])
    assert report.imported == 4 and report.duplicates == 2
    # a later feed: matched against the orders already in the database
    later = import_rows([feed_row(5, order_time=(t + timedelta(minutes=75)).isoformat(), goods="衣服"),  # 35 min on
                         feed_row(6, order_time=(t + timedelta(minutes=40)).isoformat(), goods="衣服")])
    assert later.duplicates == 1
    ids = {n: _order(db_path, f"LP0000000{n}")["id"] for n in range(1, 7)}
    with desk.db.read() as conn:
        links = duplicate_links(conn, list(ids.values()))
    assert links == {ids[2]: "LP00000001", ids[3]: "LP00000001", ids[6]: "LP00000004"}
    duplicates.clear_duplicate(desk, "LP00000006", "张敏")
    listed = duplicates.list_duplicates(desk)
    assert [r["logistics_no"] for r in listed] == ["LP00000002", "LP00000003"]
    duplicates.fail_as_duplicate(desk, "LP00000002", "张敏")
    failed = _order(db_path, "LP00000002")
    assert failed["status"] == "accept_failed" and failed["fail_reason"] == "duplicate_order"
    duplicates.clear_duplicate(desk, "LP00000003", "张敏")
    with desk.db.read() as conn:
        assert duplicate_links(conn, [ids[3]]) == {}
    with pytest.raises(DomainError, match="重复下单"):
        duplicates.fail_as_duplicate(desk, "LP00000003", "张敏")
    assert duplicates.list_duplicates(desk) == []


def test_the_clerk_sees_the_remark_in_the_details(desk, import_rows):
    from stationdesk.services.views import detail_fields
    from stationdesk.tui.data import load_detail
    from stationdesk.tui.i18n import tr

    def shown(order_id):
        d = load_detail(desk, order_id)
        return dict(detail_fields(d.row, d.now, desk.config.tz, "zh", tr, reveal=False))

    import_rows([feed_row(1), feed_row(2, logistics_no="ali00000002")])  # 淘宝 with an Alipay number
    with desk.db.read() as conn:
        ids = [r["id"] for r in stream(conn, OrderFilter())]
    plain, marked = shown(ids[0]), shown(ids[1])
    assert "备注" not in plain and "支付宝服务" in marked["备注"]


def _ledger_kinds(db_path, no):
    con = sqlite3.connect(db_path)
    try:
        return [k for (k,) in con.execute("SELECT v.kind FROM violation v JOIN orders o ON o.id = v.order_id "
                                           "WHERE o.logistics_no = ?", (no,))]
    finally:
        con.close()


def test_a_duplicate_flagged_in_time_and_failed_late_owes_no_late_answer(desk, db_path, import_rows, clock):
    t = T0 - timedelta(minutes=5)
    import_rows([feed_row(1, order_time=t.isoformat()),
                 feed_row(2, order_time=(t + timedelta(minutes=1)).isoformat()),  # flagged on arrival
                 feed_row(3, order_time=t.isoformat(), sender_phone="13900000003")])  # an ordinary order
    clock.advance(minutes=45)  # both answers come after their 30 minutes
    duplicates.fail_as_duplicate(desk, "LP00000002", "张敏")
    accept.fail_accept(desk, "LP00000003", Reason.DUPLICATE_ORDER, None, "张敏")
    assert _ledger_kinds(db_path, "LP00000002") == []  # the flag came in time: cancelled and told, not late
    assert _ledger_kinds(db_path, "LP00000003") == ["late_accept"]  # no flag: the reason alone excuses nothing
