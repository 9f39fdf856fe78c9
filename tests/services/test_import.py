import sqlite3

import pytest

from stationdesk.services import accept, pickup
from stationdesk.services.check import check
from stationdesk.services.feed_import import import_feed
from stationdesk.services.feed_read import FeedFileError
from tests.conftest import feed_row, snapshot_db, write_csv, write_jsonl


def count(db_path, where="1=1"):
    con = sqlite3.connect(db_path)
    try:
        return con.execute(f"SELECT count(*) FROM orders WHERE {where}").fetchone()[0]
    finally:
        con.close()


def test_good_csv_with_bom_and_chinese_labels(desk, db_path, tmp_path):
    path = write_csv(tmp_path / "f.csv", [feed_row(i) for i in range(5)], encoding="utf-8-sig")
    report = import_feed(desk, path)
    assert (report.encoding, report.imported, report.rejected) == ("utf-8-sig", 5, [])
    assert count(db_path, "channel='online' AND business_type='send_parcel' AND status='waiting'") == 5
    assert check(desk.db).ok


def test_gb18030_file_is_detected(desk, db_path, tmp_path):
    path = write_csv(tmp_path / "gb.csv", [feed_row(1, sender_name="欧阳娜娜", sender_address="西溪路𠀀号")], encoding="gb18030")
    report = import_feed(desk, path)
    assert (report.encoding, report.imported) == ("gb18030", 1)
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT sender_name, sender_address FROM orders").fetchone() == ("欧阳娜娜", "西溪路𠀀号")


def test_json_lines(desk, db_path, tmp_path):
    rows = [feed_row(1, cancelled=False), {**feed_row(2), "cancelled": True}]
    report = import_feed(desk, write_jsonl(tmp_path / "f.jsonl", rows))
    assert (report.format, report.imported) == ("jsonl", 2)
    assert count(db_path, "status='cancelled' AND cancel_handled=0") == 1


def test_bad_rows_are_named_by_line_and_field_and_good_rows_go_in(desk, db_path, tmp_path):
    rows = [
        feed_row(1),
        feed_row(2, order_time="2026-11-23 10:00"),           # line 3: no offset
        feed_row(3, channel="卫星"),                           # line 4
        feed_row(4, waybill_no="ABC"),                        # line 5
        feed_row(5, sender_phone="12"),                       # line 6
        feed_row(6, logistics_no=""),                         # line 7
        feed_row(7, dispatch_time="2026-11-23T10:00:00+08:00"),  # line 8: no operator
        feed_row(8),
    ]
    report = import_feed(desk, write_csv(tmp_path / "mixed.csv", rows))
    assert report.imported == 2
    got = [(e.line, e.field) for e in report.rejected]
    assert got == [(3, "order_time"), (4, "channel"), (5, "waybill_no"), (6, "sender_phone"), (7, "logistics_no"),
                   (8, "dispatch_operator")]
    assert "LP00000002" in str(report.rejected[0]) and "第 3 行, 字段 order_time" in str(report.rejected[0])
    assert count(db_path) == 2


def test_a_broken_row_in_the_middle(desk, db_path, tmp_path):
    path = write_csv(tmp_path / "broken.csv", [feed_row(i) for i in range(1, 4)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "LPBROKEN,淘宝,线上")  # a truncated record as line 3
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_feed(desk, path)
    assert report.imported == 3
    assert [(e.line, e.field) for e in report.rejected] == [(3, None)]
    assert "列" in report.rejected[0].reason


def test_file_level_problems_import_nothing(desk, db_path, tmp_path):
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("logistics_no,source\nLP1,淘宝\n", encoding="utf-8")
    with pytest.raises(FeedFileError, match="缺少必需列.*channel"):
        import_feed(desk, bad_header)
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x81\xff\xfe\x00,source\nLP1,x\n")
    with pytest.raises(FeedFileError, match=r"b.csv:1: 表头无法读取"):
        import_feed(desk, binary)
    with pytest.raises(FeedFileError, match="无法读取"):
        import_feed(desk, tmp_path / "missing.csv")
    assert count(db_path) == 0


def test_hostile_text_is_neutralised_before_it_is_stored(desk, db_path, tmp_path):
    row = feed_row(1, sender_name="王\x1b[2J\x1b]0;x\x07五\u202e", note="请\x00来\x07取")
    import_feed(desk, write_csv(tmp_path / "h.csv", [row]))
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT sender_name, note FROM orders").fetchone() == ("王五", "请 来 取")


def test_later_rows_correct_details_and_cancel_but_never_undo_station_actions(desk, db_path, import_rows):
    import_rows([feed_row(1), feed_row(2), feed_row(3)])
    accept.accept(desk, ["LP00000001", "LP00000003"], "张敏")
    pickup.confirm_pickup(desk, "LP00000003", "550000000003", "张敏")
    report = import_rows([
        feed_row(1, sender_address="文三路200号"),  # correction on an accepted order
        feed_row(2, cancelled="true"),            # channel cancels a waiting order
        feed_row(3, cancelled="true"),            # too late: the parcel is picked up
    ])
    assert (report.updated, report.cancelled, len(report.rejected)) == (1, 1, 1)
    assert report.rejected[0].field == "cancelled" and report.rejected[0].line == 4
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT status, sender_address FROM orders ORDER BY id").fetchall() == [
        ("accepted", "文三路200号"), ("cancelled", "文三路100号"), ("picked_up", "文三路100号")]
    again = import_rows([feed_row(1, sender_address="文三路200号"), feed_row(2)])
    assert (again.unchanged, again.updated, again.rejected) == (2, 0, [])
    assert check(desk.db).ok


def test_same_order_twice_in_one_file(desk, db_path, import_rows):
    report = import_rows([feed_row(1), feed_row(1, note="改时间: 下午")])
    assert (report.imported, report.updated) == (1, 1)
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT note, version FROM orders").fetchone() == ("改时间: 下午", 2)


def test_a_waybill_may_belong_to_one_order_only(desk, db_path, import_rows):
    report = import_rows([feed_row(1, waybill_no="550000000001"), feed_row(2, waybill_no="550000000001")])
    assert report.imported == 1 and report.rejected[0].field == "waybill_no"


def test_out_of_area_orders_are_flagged_with_the_right_station(desk, db_path, import_rows):
    import_rows([feed_row(1, sender_district="浦东新区"), feed_row(2, sender_district="火星区")])
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT out_of_area, suggested_station FROM orders ORDER BY id").fetchall() == [
        (1, "SH001"), (1, "DC000")]


def test_a_failed_batch_leaves_earlier_batches_and_nothing_of_itself(desk, db_path, tmp_path, monkeypatch):
    from dataclasses import replace

    import stationdesk.services.feed_import as fi

    desk.config = replace(desk.config, import_=replace(desk.config.import_, batch_size=3))
    calls = {"n": 0}
    real = fi._Inserter.insert

    def crash_on_second_batch(self, conn, *args, **kwargs):
        calls["n"] += 1
        real(self, conn, *args, **kwargs)
        if calls["n"] == 2:
            raise OSError("power cut")  # after the rows were written, before commit

    monkeypatch.setattr(fi._Inserter, "insert", crash_on_second_batch)
    with pytest.raises(OSError):
        import_feed(desk, write_csv(tmp_path / "f.csv", [feed_row(i) for i in range(7)]))
    assert count(db_path) == 3
    assert check(desk.db).ok
    monkeypatch.setattr(fi._Inserter, "insert", real)
    rerun = import_feed(desk, tmp_path / "f.csv")
    assert (rerun.imported, rerun.unchanged) == (4, 3)
