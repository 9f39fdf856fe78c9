"""Head office's truthfulness review and its ledger's migration, on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from stationdesk.domain.reasons import Reason
from stationdesk.services.accept import accept, fail_accept
from stationdesk.services.feed_import import import_feed
from stationdesk.services.pickup import confirm_pickup, record_scan
from stationdesk.services.transfer import transfer
from stationdesk.sync import hq_audit, station
from stationdesk.sync.hq_tables import HQ_VIOLATIONS
from tests.conftest import feed_row, write_csv

MON = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing, week 2026-W48
_files = iter(range(1_000_000))


def load(desk, tmp_path: Path, rows) -> None:
    report = import_feed(desk, write_csv(tmp_path / f"review{next(_files)}.csv", rows))
    assert report.ok, report.rejected


def sync(desk, office):
    with office.link(desk.station.code) as link:
        return station.sync(desk.db, desk.station.code, link, desk.now)


def test_suspicions_with_their_evidence_are_confirmed_or_dismissed(office, hq_engine, station_factory, tmp_path, clock):
    hz1, hz3 = station_factory("HZ001"), station_factory("HZ003")
    clock.now = MON
    t = (MON - timedelta(minutes=5)).isoformat()
    load(hz1, tmp_path, [
        feed_row(1, order_time=t, sender_district="拱墅区"),  # HZ002's, sent to HZ003: a wrong transfer
        feed_row(2, order_time=t),  # picked up with a waybill that is never scanned
        feed_row(3, order_time=t, sender_phone="13900000003"),  # failed as unreachable ...
        feed_row(4, order_time=t, sender_phone="13900000003"),  # ... while the same customer's order is picked up
        feed_row(5, order_time=t),  # picked up and scanned: nothing to suspect
    ])
    transfer(hz1, "LP00000001", "HZ003", "张敏")
    accept(hz1, ["LP00000002", "LP00000004", "LP00000005"], "张敏")
    fail_accept(hz1, "LP00000003", Reason.CUSTOMER_UNREACHABLE, None, "张敏")
    confirm_pickup(hz1, "LP00000002", "550000000002", "张敏")
    confirm_pickup(hz1, "LP00000004", "550000000004", "张敏")
    confirm_pickup(hz1, "LP00000005", "550000000005", "张敏")
    record_scan(hz1, "550000000004", "陈刚")
    record_scan(hz1, "550000000005", "陈刚")
    sync(hz1, office)
    sync(hz3, office)  # HZ003 receives LP1 and leaves it waiting

    start, end = hq_audit.week_range("2026-W48")
    assert hq_audit.scan_suspicions(hq_engine, start, end, MON + timedelta(hours=1)) == 2  # no waybill doubt yet
    found = hq_audit.scan_suspicions(hq_engine, start, end, MON + timedelta(days=2))  # 16 h passed with no scan
    assert found == 1
    queue = {(r["logistics_no"], r["kind"]): r for r in hq_audit.reviews(hq_engine)}
    assert set(queue) == {("LP00000001", "wrong_transfer"), ("LP00000002", "false_waybill"),
                          ("LP00000003", "false_reason")}
    assert "HZ003" in queue[("LP00000001", "wrong_transfer")]["evidence"]
    assert "LP00000004" in queue[("LP00000003", "false_reason")]["evidence"]
    assert queue[("LP00000002", "false_waybill")]["fine"] == 500
    assert hq_audit.scan_suspicions(hq_engine, start, end, MON + timedelta(days=2)) == 0  # queued once

    hq_audit.decide_review(hq_engine, queue[("LP00000002", "false_waybill")]["id"], True, MON + timedelta(days=3))
    hq_audit.decide_review(hq_engine, queue[("LP00000003", "false_reason")]["id"], False, MON + timedelta(days=3))
    # the wrong transfer is left to the week close: HZ003 never accepted, so it is confirmed there
    report = hq_audit.close_week(hq_engine, "2026-W48", datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    hz1_notice = next(n for n in report.notices if n["station"] == "HZ001")
    assert sorted((v["logistics_no"], v["kind"], v["fine"]) for v in hz1_notice["violations"]) == [
        ("LP00000001", "wrong_transfer", 100), ("LP00000002", "false_waybill", 500)]
    assert {r["kind"]: r["state"] for r in hq_audit.reviews(hq_engine, None)} == {
        "wrong_transfer": "confirmed", "false_waybill": "confirmed", "false_reason": "dismissed"}
    clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    sync(hz1, office)
    from stationdesk.services.notices import notice_list

    assert notice_list(hz1)[0]["total_fine"] == 600


def test_head_office_builds_its_ledger_from_history_when_it_migrates(office, hq_engine, station_factory, tmp_path, clock):
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from stationdesk.sync import hq_schema

    hz1 = station_factory("HZ001")
    clock.now = MON
    load(hz1, tmp_path, [feed_row(1, order_time=(MON - timedelta(minutes=5)).isoformat()),
                         feed_row(2, order_time=(MON - timedelta(minutes=5)).isoformat())])
    clock.advance(minutes=40)
    accept(hz1, ["LP00000001", "LP00000002"], "张敏")
    sync(hz1, office)
    before = hq_audit.violations_of(hq_engine)
    assert [(v["logistics_no"], v["kind"]) for v in before] == [("LP00000001", "late_accept"),
                                                                ("LP00000002", "late_accept")]
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(hq_schema.MIGRATIONS_DIR))
    with hq_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "hq0001")
    hq_schema.upgrade(hq_engine)
    after = hq_audit.violations_of(hq_engine)
    assert [(v["logistics_no"], v["kind"], v["deadline"], v["at"]) for v in after] == \
        [(v["logistics_no"], v["kind"], v["deadline"], v["at"]) for v in before]
    with hq_engine.connect() as c:
        assert set(c.execute(select(HQ_VIOLATIONS.c.origin)).scalars()) == {"history"}


def test_the_week_close_finds_open_orders_as_the_rules_do(hq_engine):
    """The SQL form of ledger.overdue and the rule itself agree on every kind of open order."""
    from sqlalchemy import insert

    from stationdesk.domain import ledger
    from stationdesk.sync.hq_tables import HQ_ORDERS

    start, end = hq_audit.week_range("2026-W48")
    t = start + timedelta(days=2)
    cases = [
        dict(status="waiting"),  # a directory order never answered
        dict(status="waiting", order_time=end - timedelta(minutes=29)),  # its 30 minutes run past the week
        dict(status="waiting", order_time=start - timedelta(minutes=40)),  # its deadline was last week
        dict(status="waiting", dispatch_time=t + timedelta(hours=2), dispatch_operator="电商小王",
             transferred_at=t + timedelta(hours=2), transferred_to="HZ001"),  # 电商 dispatch: from the dispatch
        dict(status="waiting", dispatch_time=t + timedelta(hours=2), dispatch_operator="总部张三"),  # not 电商
        dict(status="waiting", transferred_at=t + timedelta(hours=3), transferred_to="HZ001"),  # transferred in
        dict(status="waiting", out_of_area=True),  # never transferred
        dict(status="accepted", out_of_area=True, transfer_clock_at=t + timedelta(hours=5)),  # corrected out
        dict(status="accepted", order_time=end - timedelta(hours=10)),  # its 16 hours run past the week
        dict(status="accepted"),  # never picked up
        dict(status="picked_up"),  # done: nothing open
    ]
    rows = []
    for i, over in enumerate(cases):
        base = _values(900 + i, "西湖区", t)
        row = {**{k: base[k] for k in ("source", "logistics_no", "channel", "business_type", "order_time",
                                       "sender_name", "sender_phone", "sender_province", "sender_city",
                                       "sender_district", "sender_address", "note", "goods")},
               "station_code": "HZ001", "out_of_area": False, "cancelled": False, "cancel_handled": False,
               "dispatch_time": None, "dispatch_operator": None, "transferred_at": None, "transferred_to": None,
               "transfer_clock_at": None, "version": 1, "created_at": t, "updated_at": t, **over}
        rows.append(row)
    with hq_engine.begin() as c:
        c.execute(insert(HQ_ORDERS), rows)
        ids = {r["logistics_no"]: r["id"] for r in c.execute(select(HQ_ORDERS.c.id, HQ_ORDERS.c.logistics_no)).mappings()}
        assert hq_audit._find_open(c, start, end) == 8  # noqa: SLF001
        got = sorted((r.order_id, r.kind, r.deadline) for r in c.exec_driver_sql(
            "SELECT order_id, kind, deadline FROM hq_open_found"))
    expected = sorted((ids[r["logistics_no"]], f.kind.value, f.deadline)
                      for r in rows for f in ledger.overdue(ledger.clocks(r), end) if f.deadline >= start)
    assert got == expected and len(expected) == 8


def _values(n: int, district: str, order_time) -> dict:  # noqa: ANN001
    row = feed_row(n, sender_district=district)
    return {**row, "order_time": order_time, "business_type": "send_parcel", "channel": "online"}
