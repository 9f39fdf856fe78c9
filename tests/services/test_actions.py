import json
import sqlite3
from datetime import timedelta

import pytest

from stationdesk.domain.words import speak
from stationdesk.domain.errors import DomainError, IllegalTransition, InvalidWaybill, ReasonRefused, UnknownStation
from stationdesk.domain.reasons import Reason
from stationdesk.services import accept, cancel, correct, pickup, transfer
from stationdesk.services.check import check
from tests.conftest import feed_row, snapshot_db


def order(db_path, no):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    try:
        return dict(con.execute("SELECT * FROM orders WHERE logistics_no = ?", (no,)).fetchone())
    finally:
        con.close()


def history(db_path, no):
    con = sqlite3.connect(db_path)
    try:
        return con.execute(
            "SELECT e.action, e.operator, e.before_status, e.after_status, x.seq, x.order_version"
            " FROM order_event e JOIN orders o ON o.id = e.order_id JOIN outbox x ON x.event_id = e.id"
            " WHERE o.logistics_no = ? ORDER BY e.version", (no,)).fetchall()
    finally:
        con.close()


@pytest.fixture
def orders3(import_rows):
    report = import_rows([
        feed_row(1),
        feed_row(2, business_type="在线下单", waybill_no="550000000002"),
        feed_row(3, sender_district="拱墅区"),
    ])
    assert report.imported == 3 and report.ok
    return ["LP00000001", "LP00000002", "LP00000003"]


def test_accept_changes_order_event_and_outbox_together(desk, db_path, orders3, clock):
    outcome = accept.accept(desk, ["LP00000001"], "张敏")
    assert "接单成功" in outcome.message
    row = order(db_path, "LP00000001")
    assert row["status"] == "accepted" and row["version"] == 2 and row["accepted_at"].startswith("2026-11-23T02:00")
    assert history(db_path, "LP00000001") == [
        ("import", "feed", None, "waiting", 1, 1), ("accept", "张敏", "waiting", "accepted", 4, 2)
    ]
    assert check(desk.db).ok


def test_batch_accept_is_all_or_nothing(desk, db_path, orders3):
    before = snapshot_db(db_path)
    with pytest.raises(DomainError, match="LP00000003.*转单"):
        accept.accept(desk, ["LP00000001", "LP00000002", "LP00000003"], "张敏")
    assert snapshot_db(db_path) == before
    outcome = accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")
    assert outcome.message == "批量接单成功: 2 单"
    assert {order(db_path, n)["status"] for n in ("LP00000001", "LP00000002")} == {"accepted"}


def test_batch_accept_of_1000_in_one_go(desk, db_path, import_rows):
    assert import_rows([feed_row(i) for i in range(1000)]).imported == 1000
    ids = accept.waiting_in_area_ids(desk)
    assert len(ids) == 1000
    assert accept.accept(desk, ids, "张敏").message == "批量接单成功: 1000 单"
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM orders WHERE status='accepted'").fetchone()[0] == 1000
    assert con.execute("SELECT count(*) FROM outbox WHERE action='accept'").fetchone()[0] == 1000
    seqs = [r[0] for r in con.execute("SELECT seq FROM outbox ORDER BY id")]
    assert seqs == list(range(1, 2001))
    assert check(desk.db).ok


def test_refusals_change_nothing(desk, db_path, orders3):
    accept.accept(desk, ["LP00000001"], "张敏")
    before = snapshot_db(db_path)
    with pytest.raises(IllegalTransition, match="LP00000001.*接单成功.*网点接单"):
        accept.accept(desk, ["LP00000001"], "张敏")
    with pytest.raises(ReasonRefused):
        accept.fail_accept(desk, "LP00000002", Reason.OTHER, "人手不够", "张敏")
    with pytest.raises(InvalidWaybill, match="12-15"):
        pickup.confirm_pickup(desk, "LP00000001", "12AB", "张敏")
    with pytest.raises(UnknownStation):
        transfer.transfer(desk, "LP00000003", "NOPE", "张敏")
    with pytest.raises(DomainError, match="找不到"):
        accept.accept(desk, ["LP99999999"], "张敏")
    assert snapshot_db(db_path) == before


def test_fail_accept_records_the_reason(desk, db_path, orders3):
    accept.fail_accept(desk, "LP00000001", Reason.CUSTOMER_UNREACHABLE, "电话关机", "李娜")
    row = order(db_path, "LP00000001")
    assert (row["status"], row["fail_reason"], row["fail_note"]) == ("accept_failed", "customer_unreachable", "电话关机")


def test_transfer_to_the_suggested_station(desk, db_path, orders3):
    row = order(db_path, "LP00000003")
    assert row["out_of_area"] == 1 and row["suggested_station"] == "HZ002"
    out = transfer.transfer(desk, "LP00000003", "HZ002", "张敏")
    assert out.warnings == []
    row = order(db_path, "LP00000003")
    assert (row["status"], row["station_code"], row["transferred_to"]) == ("transferred", "HZ002", "HZ002")


def test_transfer_to_another_station_warns_and_to_the_datacenter_does_not(desk, orders3):
    assert transfer.transfer(desk, "LP00000001", "SH001", "张敏").warnings
    assert transfer.transfer(desk, "LP00000003", "DC000", "张敏").warnings == []


def test_pickup_confirm_shapes(desk, db_path, orders3):
    accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")
    # 我要寄快递: the waybill is entered at confirmation
    with pytest.raises(InvalidWaybill, match="需要运单号"):
        pickup.confirm_pickup(desk, "LP00000001", None, "张敏")
    out = pickup.confirm_pickup(desk, "LP00000001", "5500 0000 0001", "张敏")
    assert "当前记录揽件成功" in out.message
    assert order(db_path, "LP00000001")["waybill_no"] == "550000000001"
    # 在线下单 with a waybill: the one it carries; a different number is refused
    with pytest.raises(InvalidWaybill, match="不一致"):
        pickup.confirm_pickup(desk, "LP00000002", "550000000099", "张敏")
    pickup.confirm_pickup(desk, "LP00000002", None, "张敏")
    assert order(db_path, "LP00000002")["status"] == "picked_up"


def test_online_order_without_waybill_reminds_the_customer(desk, import_rows):
    import_rows([feed_row(7, business_type="在线下单"), feed_row(8, business_type="在线下单")])
    accept.accept(desk, ["LP00000007", "LP00000008"], "张敏")
    out = pickup.confirm_pickup(desk, "LP00000008", "550000000008", "张敏")
    assert any("提醒客户" in w for w in out.warnings)
    # 在线下单, first way: confirmed with its logistics number alone, with the reminder
    out = pickup.confirm_pickup(desk, "LP00000007", None, "张敏")
    assert "当前记录揽件成功" in out.message and any("提醒客户" in w for w in out.warnings)


def test_waybill_already_used_by_another_order_is_refused(desk, orders3):
    accept.accept(desk, ["LP00000001"], "张敏")
    with pytest.raises(InvalidWaybill, match="LP00000002"):
        pickup.confirm_pickup(desk, "LP00000001", "550000000002", "张敏")


def test_scan_picks_up_an_accepted_order_and_marks_supplementary_scans(desk, db_path, orders3, clock):
    accept.accept(desk, ["LP00000001", "LP00000002"], "张敏")
    scan = pickup.record_scan(desk, "550000000002", "陈刚")
    assert scan.accepted and not scan.supplementary
    assert order(db_path, "LP00000002")["status"] == "picked_up"
    assert not pickup.record_scan(desk, "550000000002", "陈刚").accepted  # duplicate
    pickup.confirm_pickup(desk, "LP00000001", "550000000001", "张敏")
    clock.advance(hours=2)
    late = pickup.record_scan(desk, "550000000001", "陈刚")
    assert late.accepted and late.supplementary
    unknown = pickup.record_scan(desk, "559999999999", "陈刚")
    bad = pickup.record_scan(desk, "12x", "陈刚")
    assert not unknown.accepted and unknown.message == "559999999999: 没有该运单号的订单"
    assert speak(unknown.message, "en") == "559999999999: no order has this waybill number"
    assert not bad.accepted and "格式" in bad.message
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT result, supplementary FROM scan ORDER BY id").fetchall() == [
        ("picked_up", 0), ("refused", 0), ("recorded", 1), ("refused", 0), ("refused", 0)]
    assert check(desk.db).ok


def test_fail_pickup_and_cancel_handling(desk, db_path, import_rows):
    import_rows([feed_row(1), feed_row(2), feed_row(3, cancelled="是")])
    accept.accept(desk, ["LP00000001"], "张敏")
    pickup.fail_pickup(desk, "LP00000001", Reason.PROHIBITED_GOODS, None, "张敏")
    assert order(db_path, "LP00000001")["status"] == "pickup_failed"
    with pytest.raises(IllegalTransition):
        cancel.mark_cancel_handled(desk, "LP00000002", "张敏")
    row = order(db_path, "LP00000003")
    assert row["status"] == "cancelled" and row["cancel_handled"] == 0
    cancel.mark_cancel_handled(desk, "LP00000003", "张敏")
    assert order(db_path, "LP00000003")["cancel_handled"] == 1
    with pytest.raises(DomainError, match="已做撤单处理"):
        cancel.mark_cancel_handled(desk, "LP00000003", "张敏")


def test_correcting_the_district_rechecks_the_area(desk, db_path, orders3):
    correct.correct_info(desk, "LP00000003", {"sender_district": "西湖区", "sender_phone": "139-0000-1111"}, "张敏")
    row = order(db_path, "LP00000003")
    assert (row["out_of_area"], row["suggested_station"], row["sender_phone"]) == (0, None, "13900001111")
    (event,) = [h for h in history(db_path, "LP00000003") if h[0] == "correct_info"]
    con = sqlite3.connect(db_path)
    details = json.loads(con.execute("SELECT details FROM order_event WHERE action='correct_info'").fetchone()[0])
    assert details["changes"]["sender_district"] == ["拱墅区", "西湖区"]
    with pytest.raises(DomainError, match="没有需要更正的内容") as refused:
        correct.correct_info(desk, "LP00000003", {"sender_district": "西湖区"}, "张敏")
    assert speak(refused.value, "en") == "Order LP00000003: nothing changed"


def test_accept_deadline_uses_the_clock_of_the_app(desk, db_path, orders3, clock):
    clock.advance(minutes=40)
    accept.accept(desk, ["LP00000001"], "张敏")
    from stationdesk.services.recording import find
    from stationdesk.store.values import order_times
    from stationdesk.domain.sla import violations

    with desk.db.read() as conn:
        row = find(conn, "LP00000001")
    assert [v.kind.value for v in violations(order_times(row), clock())] == ["late_accept"]
    assert row["accepted_at"] - row["order_time"] == timedelta(minutes=45)


def test_a_change_made_meanwhile_in_another_terminal_refuses_the_whole_action(desk, import_rows):
    import pytest
    from sqlalchemy import select

    from stationdesk.domain.statuses import Action
    from stationdesk.services.recording import Change, ConcurrentChange, apply_changes
    from stationdesk.store.tables import ORDERS
    from tests.conftest import feed_row

    import_rows([feed_row(1)])
    with desk.db.read() as conn:
        stale = dict(conn.execute(select(ORDERS).where(ORDERS.c.logistics_no == "LP00000001")).mappings().one())
    with desk.db.write() as conn:  # another terminal got there first
        conn.execute(ORDERS.update().where(ORDERS.c.id == stale["id"]).values(version=stale["version"] + 1))
    with pytest.raises(ConcurrentChange, match="已被其他终端修改"), desk.db.write() as conn:
        apply_changes(conn, [Change(stale, Action.ACCEPT, {"status": "accepted", "accepted_at": desk.now()})],
                      "张敏", desk.now(), "HZ001")
