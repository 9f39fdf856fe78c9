"""网点未揽收查询: which orders count as missed scans (漏扫), on the edge cases of DOMAIN.md."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stationdesk.domain.words import speak
from stationdesk.domain.errors import InvalidWaybill
from stationdesk.services import accept, cancel, pickup
from stationdesk.services.unscanned import UnscannedQuery, count, page, unscanned_count, unscanned_report
from stationdesk.store.values import Cursor
from tests.conftest import T0, feed_row, snapshot_db


def ids_of(desk, q):
    return [r["logistics_no"] for r in unscanned_report(desk, q)]


@pytest.fixture
def handled(desk, import_rows):
    """Eight orders, each an edge case of the unscanned rule."""
    online = {"business_type": "在线下单"}
    report = import_rows([
        feed_row(1),  # confirmed with a waybill, never scanned: a missed scan
        feed_row(2, **online, waybill_no="550000000002"),  # scanned before any confirm: picked up by the scan
        feed_row(3),  # confirm refused (no waybill): still accepted, unscanned
        feed_row(4),  # accepted, then cancelled
        feed_row(5, order_time=(T0 - timedelta(days=1)).isoformat()),  # yesterday: outside today's range
        feed_row(6),  # still waiting: not handled in the menus yet
        feed_row(7, **online, waybill_no="550000000007"),  # confirmed, scanned, scanned again
        feed_row(8, channel="线下"),  # offline, accepted
    ])
    assert report.imported == 8 and report.ok, report.rejected
    accept.accept(desk, ["LP00000001", "LP00000002", "LP00000003", "LP00000004", "LP00000005", "LP00000007",
                         "LP00000008"], "张敏")
    pickup.confirm_pickup(desk, "LP00000001", "550000000001", "张敏")
    assert pickup.record_scan(desk, "550000000002", "李雷").accepted
    with pytest.raises(InvalidWaybill, match="LP00000003"):
        pickup.confirm_pickup(desk, "LP00000003", None, "张敏")
    cancel.cancel(desk, "LP00000004", "张敏")
    pickup.confirm_pickup(desk, "LP00000007", None, "张敏")
    first = pickup.record_scan(desk, "550000000007", "李雷")
    assert first.accepted and first.supplementary
    again = pickup.record_scan(desk, "550000000007", "李雷")
    assert not again.accepted and again.message == "550000000007: 订单 LP00000007 已扫描"
    assert speak(again.message, "en") == "550000000007: order LP00000007 is already scanned"  # a second scan


def test_only_handled_orders_with_no_scan_in_the_range_are_listed(desk, handled):
    q = UnscannedQuery.today(desk.now(), desk.config.tz)
    assert ids_of(desk, q) == ["LP00000001", "LP00000003", "LP00000008"]
    assert unscanned_count(desk, q) == 3


def test_the_range_and_the_channel_filter(desk, handled):
    tz = desk.config.tz
    today = desk.now().astimezone(tz).date()
    two_days = UnscannedQuery.days(today - timedelta(days=1), today, tz)
    assert ids_of(desk, two_days) == ["LP00000005", "LP00000001", "LP00000003", "LP00000008"]  # oldest first
    assert ids_of(desk, UnscannedQuery.today(desk.now(), tz, "offline")) == ["LP00000008"]
    assert ids_of(desk, UnscannedQuery.today(desk.now(), tz, "online")) == ["LP00000001", "LP00000003"]
    tomorrow = UnscannedQuery.days(today + timedelta(days=1), today + timedelta(days=1), tz)
    assert ids_of(desk, tomorrow) == []


def test_time_left_and_overdue_against_the_16_hour_rule(desk, handled, clock):
    q = UnscannedQuery.today(desk.now(), desk.config.tz)
    row = next(unscanned_report(desk, q))
    # ordered 5 minutes before T0; the clock is at T0 (plus nothing): 15 h 55 min left
    assert (row["minutes_left"], row["overdue"], row["time_left"]) == (955, False, "15时55分")
    assert row["sender_phone"] == "138****5678" and row["status_label"] == "揽件成功"
    clock.advance(hours=15, minutes=55, seconds=1)  # 1 s past the deadline: the minute begun counts
    late = next(unscanned_report(desk, q))
    assert (late["minutes_left"], late["overdue"], late["time_left"]) == (-1, True, "超时 0时01分")
    assert (late["minutes_overdue"], row["minutes_overdue"]) == (1, 0)


def test_the_list_shrinks_as_orders_are_scanned(desk, handled):
    q = UnscannedQuery.today(desk.now(), desk.config.tz)
    result = pickup.record_scan(desk, "550000000001", "李雷")
    assert result.accepted and result.supplementary and "补扫描" in result.message
    assert ids_of(desk, q) == ["LP00000003", "LP00000008"]


def test_a_refused_scan_changes_no_order(desk, db_path, handled):
    before = snapshot_db(db_path)
    for bad, why, en in (("12AB", "格式不对", "not a waybill number"), ("999999999999", "没有该运单号的订单", "no order has"),
                         ("550000000007", "已扫描", "already scanned")):
        result = pickup.record_scan(desk, bad, "李雷")
        assert not result.accepted and why in result.message and en in speak(result.message, "en")
    after = snapshot_db(db_path)
    assert {t: rows for t, rows in after.items() if t != "scan"} == {t: rows for t, rows in before.items() if t != "scan"}
    assert [r[5] for r in after["scan"][len(before["scan"]):]] == ["refused"] * 3  # every scan is logged


def test_keyset_pages_walk_the_whole_list(desk, handled):
    q = UnscannedQuery.days(desk.now().date() - timedelta(days=1), desk.now().date(), desk.config.tz)
    with desk.db.read() as conn:
        assert count(conn, q) == 4
        first = page(conn, q, limit=2)
        second = page(conn, q, after=Cursor.of(first[-1]), limit=2)
        back = page(conn, q, before=Cursor.of(second[0]), limit=2)
    assert [r["logistics_no"] for r in first + second] == ["LP00000005", "LP00000001", "LP00000003", "LP00000008"]
    assert back == first


def test_the_query_uses_the_partial_index(desk):
    from stationdesk.store.unscanned import _ROW, _params, _statement

    q = UnscannedQuery.today(desk.now(), desk.config.tz)
    with desk.db.read() as conn:
        sql = _statement(q, _ROW).replace(":start", "?").replace(":end", "?")
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ("a", "b")))
        assert count(conn, q) == 0 and _params(q).keys() == {"start", "end"}
    assert "ix_orders_unscanned" in plan and "TEMP B-TREE" not in plan
