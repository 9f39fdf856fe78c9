"""Head office's audit end to end on a real PostgreSQL: two stations, a week of actions, the Monday
close, notices at both stations, appeals on the third and the fourth day, a decision coming back,
and refunds and rewards over the three months after."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from stationdesk.cli import app
from stationdesk.domain.errors import DomainError
from stationdesk.domain.wire import AppealOp
from stationdesk.services.accept import accept
from stationdesk.services.appeal import appeal
from stationdesk.services.check import check
from stationdesk.services.feed_import import import_feed
from stationdesk.services.notices import notice_list
from stationdesk.services.pickup import confirm_pickup
from stationdesk.services.transfer import transfer
from stationdesk.store.tables import APPEALS, ORDERS, VIOLATIONS
from stationdesk.sync import hq, hq_audit, station
from stationdesk.sync.hq_tables import HQ_STATIONS, HQ_VIOLATIONS
from tests.conftest import feed_row, write_csv

MON = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing, week 2026-W48
CLOSE = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # the next Monday, 09:00 in Beijing
_files = iter(range(1_000_000))


def load(desk, tmp_path: Path, rows) -> None:
    report = import_feed(desk, write_csv(tmp_path / f"feed{next(_files)}.csv", rows))
    assert report.ok, report.rejected


def sync(desk, office):
    with office.link(desk.station.code) as link:
        return station.sync(desk.db, desk.station.code, link, desk.now)


def ledger_of(desk):
    with desk.db.read() as c:
        rows = c.execute(select(ORDERS.c.logistics_no, VIOLATIONS.c.kind, VIOLATIONS.c.state)
                         .join(ORDERS, ORDERS.c.id == VIOLATIONS.c.order_id)
                         .where(VIOLATIONS.c.station_code == desk.station.code)).all()
    return sorted(tuple(r) for r in rows)


def hq_ledger(engine, code):
    return sorted((r["logistics_no"], r["kind"], r["state"]) for r in hq_audit.violations_of(engine, code))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Beijing time on a day of November/December 2026 (day > 30 rolls into December)."""
    return datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=day - 1, hours=hour - 8, minutes=minute)


def test_a_week_of_actions_the_close_notices_appeals_decisions_refunds_and_rewards(office, 
        hq_engine, station_factory, tmp_path, clock):
    hz1, hz2 = station_factory("HZ001"), station_factory("HZ002")
    clock.now = MON
    order_time = (MON - timedelta(minutes=5)).isoformat()
    # HZ001: LP1 accepted 40 min late, LP2 on time, LP3 from 拱墅区 (HZ002's) transferred 40 min late
    load(hz1, tmp_path, [feed_row(1, order_time=order_time), feed_row(2, order_time=order_time),
                         feed_row(3, order_time=order_time, sender_district="拱墅区")])
    # HZ002: LP11 never answered; head office's import sends LP12 (西湖区) to HZ001 and dispatches it to HZ002
    load(hz2, tmp_path, [feed_row(11, order_time=order_time, sender_district="拱墅区")])
    accept(hz1, ["LP00000002"], "张敏")
    sync(hz1, office)
    sync(hz2, office)
    clock.advance(minutes=40)
    accept(hz1, ["LP00000001"], "张敏")
    transfer(hz1, "LP00000003", "HZ002", "张敏")
    hq.import_orders(hq_engine, [(1, _values(12, "西湖区", clock.now - timedelta(minutes=10)))], clock.now)
    hq.dispatch(hq_engine, "LP00000012", "HZ002", clock.now, operator="电商小李")
    sync(hz1, office)
    assert sync(hz2, office).pulled >= 2
    clock.advance(minutes=30)  # exactly 30:00 after the dispatch (40 after LP12's order), and after LP3 arrived
    accept(hz2, ["LP00000012", "LP00000003"], "李强")  # a dispatched order outside the directory is HZ002's
    for number in ("LP00000001", "LP00000002"):
        confirm_pickup(hz1, number, f"5500000000{number[-2:]}", "张敏")
    for number in ("LP00000012", "LP00000003"):
        confirm_pickup(hz2, number, f"5500000000{number[-2:]}", "李强")
    sync(hz1, office)
    sync(hz2, office)
    assert ledger_of(hz1) == [("LP00000001", "late_accept", "provisional"), ("LP00000003", "late_transfer", "provisional")]
    assert ledger_of(hz2) == []
    # head office recorded the same from its own copy of the orders
    assert hq_ledger(hq_engine, "HZ001") == [("LP00000001", "late_accept", "provisional"),
                                            ("LP00000003", "late_transfer", "provisional")]

    # ---- Monday: the week is closed
    clock.now = CLOSE
    with pytest.raises(hq_audit.AuditError, match="还没有结束"):
        hq_audit.close_week(hq_engine, "2026-W49", CLOSE)
    report = hq_audit.close_week(hq_engine, "2026-W48", CLOSE)
    assert report.recorded_at_close == 1  # LP11: still waiting at HZ002, its 30 minutes long gone
    assert {n["station"]: n["total_fine"] for n in report.notices} == {"HZ001": 200, "HZ002": 100}
    assert report.by_province == [{"province": "浙江省", "count": 3, "fine": 300}]
    assert {r["kind"]: r["count"] for r in report.by_kind} == {"late_accept": 2, "late_transfer": 1}
    notice = next(n for n in report.notices if n["station"] == "HZ001")
    assert set(notice) == {"id", "week", "station", "issued_at", "appeal_deadline", "total_fine", "violations"}
    assert notice["violations"] == [{"logistics_no": "LP00000001", "kind": "late_accept", "fine": 100},
                                    {"logistics_no": "LP00000003", "kind": "late_transfer", "fine": 100}]
    with pytest.raises(hq_audit.AuditError, match="已结周"):
        hq_audit.close_week(hq_engine, "2026-W48", CLOSE)

    # ---- the notices reach both stations at their next sync
    clock.advance(hours=1)
    assert sync(hz1, office).audit_messages == 1
    assert sync(hz2, office).audit_messages == 1
    n1, n2 = notice_list(hz1), notice_list(hz2)
    assert [(n["week"], n["total_fine"]) for n in n1] == [("2026-W48", 200)]
    assert n2[0]["violations"] == [{"logistics_no": "LP00000011", "kind": "late_accept", "fine": 100, "state": "notified"}]
    assert n1[0]["time_left"] == "71时00分" and n1[0]["appeal_open"]
    assert ledger_of(hz1) == [("LP00000001", "late_accept", "notified"), ("LP00000003", "late_transfer", "notified")]
    assert ledger_of(hz2) == [("LP00000011", "late_accept", "notified")]

    # ---- appeals: HZ001 on the third day (Thursday 08:00) is taken; HZ002 on the fourth is refused
    clock.now = at(33, 8)
    appeal(hz1, "LP00000001", "late_accept", "系统故障, 已报总部", "主管王")
    sync(hz1, office)
    assert hq_audit.appeals(hq_engine, "open") == [{
        "id": 1, "station": "HZ001", "logistics_no": "LP00000001", "kind": "late_accept", "state": "open",
        "note": "系统故障, 已报总部", "decision": None}]
    clock.now = at(34, 10)
    with pytest.raises(DomainError, match="申诉期 3 天已于 2026-12-03 09:00 结束"):
        appeal(hz2, "LP00000011", "late_accept", "太晚了", "主管赵")
    # a station whose clock says day 3 while it is day 4 at head office: head office judges by the notice too
    _file_stale_appeal(hz2, hq_engine)
    refused = hq_audit.appeals(hq_engine, "refused")
    assert [(a["station"], a["logistics_no"]) for a in refused] == [("HZ002", "LP00000011")]

    # ---- the decision comes back
    decided = hq_audit.decide(hq_engine, 1, False, "核实系统故障", at(35, 9))
    assert (decided["state"], decided["decision"]) == ("withdrawn", "核实系统故障")
    with pytest.raises(hq_audit.AuditError, match="已是「withdrawn」"):
        hq_audit.decide(hq_engine, 1, True, "改判", at(35, 9))
    clock.now = at(35, 10)
    sync(hz1, office)
    sync(hz2, office)
    assert ledger_of(hz1) == [("LP00000001", "late_accept", "withdrawn"), ("LP00000003", "late_transfer", "notified")]
    with hz1.db.read() as c:
        assert c.execute(select(APPEALS.c.decision, APPEALS.c.decision_note)).one() == ("withdrawn", "核实系统故障")
    assert check(hz1.db).ok and check(hz2.db).ok

    # ---- December: HZ001 works clean with online orders; HZ002 has no online orders at all
    clock.now = at(40, 10)
    load(hz1, tmp_path, [feed_row(40 + i, order_time=(clock.now - timedelta(minutes=5)).isoformat()) for i in range(3)])
    accept(hz1, [f"LP000000{40 + i}" for i in range(3)], "张敏")
    sync(hz1, office)
    load(hz2, tmp_path, [feed_row(50, order_time=(clock.now - timedelta(minutes=5)).isoformat(), channel="线下",
                                  sender_district="拱墅区")])
    accept(hz2, ["LP00000050"], "李强")
    sync(hz2, office)
    # January: HZ001 clean again
    clock.now = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    load(hz1, tmp_path, [feed_row(60, order_time=(clock.now - timedelta(minutes=5)).isoformat())])
    accept(hz1, ["LP00000060"], "张敏")
    sync(hz1, office)

    # mid-January: December is over and clean for HZ001 (60%), January is not judged yet
    early = hq_audit.refunds(hq_engine, (2026, 11), datetime(2027, 1, 15, tzinfo=UTC))
    assert [(r["station"], r["fine"], r["refund_60"], r["refund_60_status"], r["refund_40_status"]) for r in early] == [
        ("HZ001", 100, 60, "paid", "pending"), ("HZ002", 100, 0, "ended", "ended")]
    rows = hq_audit.refunds(hq_engine, (2026, 11), datetime(2027, 2, 2, tzinfo=UTC))
    assert [(r["station"], r["refund_60"], r["refund_40"], r["refunded"]) for r in rows] == [
        ("HZ001", 60, 40, 100), ("HZ002", 0, 0, 0)]
    clock.now = datetime(2027, 2, 2, 2, 0, tzinfo=UTC)
    sync(hz1, office)
    assert ledger_of(hz1) == [("LP00000001", "late_accept", "withdrawn"), ("LP00000003", "late_transfer", "refund_100")]
    assert check(hz1.db).ok

    # rewards for December: 浙江省's share of 200 places, to stations with 我要寄快递 orders and no violation
    with hq_engine.connect() as c:
        total = c.execute(select(HQ_STATIONS.c.code).where(HQ_STATIONS.c.kind == "station")).all()
        zj = c.execute(select(HQ_STATIONS.c.code).where(HQ_STATIONS.c.kind == "station",
                                                        HQ_STATIONS.c.province == "浙江省")).all()
    prizes = hq_audit.rewards(hq_engine, (2026, 12))
    assert [(p["province"], p["station"], p["rank"], p["send_parcel_orders"], p["amount"]) for p in prizes] == [
        ("浙江省", "HZ001", 1, 3, 200), ("浙江省", "HZ002", 2, 1, 200)]
    assert prizes[0]["places"] == round(200 * len(zj) / len(total))
    with hq_engine.begin() as c:  # a station that is not first-level shares in nothing
        c.execute(update(HQ_STATIONS).where(HQ_STATIONS.c.code == "HZ002").values(first_level=False))
    assert [p["station"] for p in hq_audit.rewards(hq_engine, (2026, 12))] == ["HZ001"]


def _file_stale_appeal(desk, engine):
    """An appeal op dated the fourth day reaching head office (as its push would hand it over)."""
    from stationdesk.store.journal import new_op_id
    from stationdesk.sync.hq_tables import HQ_ORDERS

    payload = {"action": "appeal", "source": "淘宝", "logistics_no": "LP00000011", "kind": "late_accept",
               "note": "系统延迟", "at": "2026-12-03T10:00:00.000000Z", "operator": "主管赵"}
    with engine.begin() as c:
        row = c.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.logistics_no == "LP00000011")).mappings().one()
        result, message, _ = hq_audit.take_appeal(c, "HZ002", new_op_id(), AppealOp.model_validate(payload), row,
                                                  datetime(2026, 12, 4, 2, 0, tzinfo=UTC))
    assert result == "applied" and "申诉期已于" in message and "appeal window closed" in message.say("en")
    with engine.connect() as c:
        v = c.execute(select(HQ_VIOLATIONS.c.state).where(HQ_VIOLATIONS.c.station_code == "HZ002")).scalar_one()
    assert v == "notified"  # the fine stands


def _values(n: int, district: str, order_time: datetime) -> dict:
    row = feed_row(n, sender_district=district)
    return {**row, "order_time": order_time, "cancelled": False, "waybill_no": None,
            "dispatch_time": None, "dispatch_operator": None, "business_type": "send_parcel", "channel": "online"}


def test_the_audit_commands_on_head_office(hq_engine, tmp_path):
    hq_url = hq_engine.url.render_as_string(hide_password=False)  # head office behind the test's service
    runner = CliRunner()
    out = runner.invoke(app, ["hq", "audit", "close-week", "2026-W40", "--url", hq_url, "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["week"] == "2026-W40" and data["notices"] == [] and data["by_station"] == []
    again = runner.invoke(app, ["hq", "audit", "close-week", "2026-W40", "--url", hq_url])
    assert again.exit_code == 1 and "已结周" in again.output and "Traceback" not in again.output
    bad = runner.invoke(app, ["hq", "audit", "close-week", "last week", "--url", hq_url])
    assert bad.exit_code == 1 and "2026-W48" in bad.output
    xlsx = runner.invoke(app, ["hq", "audit", "week-report", "2026-W40", "--url", hq_url, "--format", "xlsx",
                               "--output", str(tmp_path / "w.xlsx")])
    assert xlsx.exit_code == 0 and (tmp_path / "w.xlsx").exists()
    for args in (["appeals", "--state", "open"], ["refunds", "--month", "2026-09"], ["rewards", "--month", "2026-09"],
                 ["review", "--scan", "2026-W40"], ["violations"]):
        got = runner.invoke(app, ["hq", "audit", *args, "--url", hq_url, "--format", "json"])
        assert got.exit_code == 0 and json.loads(got.stdout) == [], (args, got.output)
    refused = runner.invoke(app, ["hq", "audit", "decide", "7", "--url", hq_url, "--uphold", "--note", "x"])
    assert refused.exit_code == 1 and "申诉 7 不存在" in refused.output
    both = runner.invoke(app, ["hq", "audit", "decide", "7", "--url", hq_url, "--note", "x"])
    assert both.exit_code == 1 and "--uphold 和 --withdraw 须二选一" in both.output
