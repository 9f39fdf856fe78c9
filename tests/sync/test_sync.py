"""Sync against a real PostgreSQL: every op once, acks survive a dropped connection, conflicts surface."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stationdesk.services.accept import accept
from stationdesk.services.check import check
from stationdesk.services.feed_import import import_feed
from stationdesk.services.pickup import record_scan
from stationdesk.services.transfer import transfer
from stationdesk.store.tables import ORDERS, OUTBOX
from stationdesk.sync import hq, station
from stationdesk.sync.client import HQRefused
from stationdesk.sync.protocol import PushBatch
from stationdesk.sync.hq_tables import HQ_CONFLICTS, HQ_EVENTS, HQ_FEED, HQ_OPS, HQ_ORDERS
from tests.conftest import feed_row, write_csv

_files = iter(range(1_000_000))


def load(desk, tmp_path: Path, rows) -> None:
    report = import_feed(desk, write_csv(tmp_path / f"feed{next(_files)}.csv", rows))
    assert report.ok, report.rejected


def run_sync(desk, office, **kw):
    with office.link(desk.station.code) as link:
        return station.sync(desk.db, desk.station.code, link, desk.now, **kw)


def hq_order(engine, number: str) -> dict:
    with engine.connect() as c:
        return dict(c.execute(select(HQ_ORDERS).where(HQ_ORDERS.c.logistics_no == number)).mappings().one())


def local_order(desk, number: str) -> dict:
    with desk.db.read() as c:
        return dict(c.execute(select(ORDERS).where(ORDERS.c.logistics_no == number)).mappings().one())


def count(engine, table, *where) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def outbox_state(desk) -> tuple[int, int]:
    """(ops of this station, of them still unacknowledged)."""
    with desk.db.read() as c:
        mine = OUTBOX.c.station_code == desk.station.code
        total = c.execute(select(func.count()).select_from(OUTBOX).where(mine)).scalar_one()
        pending = c.execute(select(func.count()).select_from(OUTBOX).where(mine, OUTBOX.c.acked_at.is_(None))).scalar_one()
    return total, pending


def test_migrations_build_exactly_the_hq_model_schema(hq_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from stationdesk.sync.hq_migrations import HQ_SCHEMA_HEAD, HQ_VERSION_TABLE
    from stationdesk.sync.hq_tables import HQ_METADATA

    with hq_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": HQ_VERSION_TABLE})
        assert ctx.get_current_revision() == HQ_SCHEMA_HEAD
        assert compare_metadata(ctx, HQ_METADATA) == []
        assert conn.exec_driver_sql("SELECT data_type FROM information_schema.columns "
                                    "WHERE table_name='hq_order' AND column_name='order_time'").scalar() == \
            "timestamp with time zone"


def test_push_applies_every_op_once_and_a_second_sync_sends_nothing(office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(i) for i in range(1, 6)])
    accept(hz, ["LP00000001", "LP00000002"], "张敏")
    total, pending = outbox_state(hz)
    assert (total, pending) == (7, 7)

    report = run_sync(hz, office, push_batch=3)
    assert (report.pushed, report.acknowledged, report.rejected, report.conflicts) == (7, 7, 0, 0)
    assert outbox_state(hz) == (7, 0)
    assert count(hq_engine, HQ_OPS) == 7
    assert hq_order(hq_engine, "LP00000001")["status"] == "accepted"
    assert hq_order(hq_engine, "LP00000003")["status"] == "waiting"
    assert hq_order(hq_engine, "LP00000003")["station_code"] == "HZ001"
    assert hq_order(hq_engine, "LP00000001")["order_time"] == local_order(hz, "LP00000001")["order_time"]

    again = run_sync(hz, office)
    assert (again.pushed, again.acknowledged, again.pulled) == (0, 0, 0)
    assert count(hq_engine, HQ_OPS) == 7 and count(hq_engine, HQ_EVENTS) == 7
    assert check(hz.db).ok


def test_connection_dropped_after_hq_committed_before_the_ack_was_recorded(office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(i) for i in range(1, 5)])
    accept(hz, ["LP00000001"], "张敏")

    def drop(results):
        raise ConnectionError("connection to head office lost")

    with pytest.raises(ConnectionError):
        run_sync(hz, office, push_batch=2, after_hq_commit=drop)
    # head office committed the first batch, the station never heard
    assert count(hq_engine, HQ_OPS) == 2 and outbox_state(hz) == (5, 5)

    report = run_sync(hz, office, push_batch=2)
    assert report.acknowledged == 5 and report.pushed == 3  # two came back as stored results
    assert outbox_state(hz) == (5, 0)
    assert count(hq_engine, HQ_OPS) == 5
    assert count(hq_engine, HQ_EVENTS) == 5  # 4 imports + 1 accept: nothing applied twice
    assert hq_order(hq_engine, "LP00000001")["version"] == 2


def batch(desk, limit: int = 100) -> PushBatch:
    with desk.db.read() as conn:
        ops = station.pending_ops(conn, desk.station.code, limit)
        links = station.chain_links(conn, 0, ops[-1].event_id)
    return PushBatch(station=desk.station.code, links=links, ops=ops)


def test_the_same_batch_sent_twice_returns_the_stored_results(office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1), feed_row(2)])
    accept(hz, ["LP00000001"], "张敏")
    with office.link("HZ001") as link:
        first = link.push(batch(hz)).results
        second = link.push(batch(hz)).results
    assert [(r.op_id, r.result, r.message) for r in first] == [(r.op_id, r.result, r.message) for r in second]
    assert not any(r.repeated for r in first) and all(r.repeated for r in second)
    assert count(hq_engine, HQ_OPS) == 3 and hq_order(hq_engine, "LP00000001")["version"] == 2


def test_a_gap_is_refused_with_the_seq_expected(office, hq_engine, station_factory, tmp_path):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1), feed_row(2), feed_row(3)])
    whole = batch(hz)
    with office.link("HZ001") as link, pytest.raises(HQRefused, match="期望序号 1, 收到 2") as refused:
        link.push(whole.model_copy(update={"ops": whole.ops[1:]}))
    assert (refused.value.refusal.error, refused.value.refusal.expected_seq) == ("gap", 1)
    assert count(hq_engine, HQ_OPS) == 0


def test_two_stations_and_one_station_twice_syncing_at_once(office, hq_engine, station_factory, tmp_path):
    hz1, hz2 = station_factory("HZ001"), station_factory("HZ002")
    load(hz1, tmp_path, [feed_row(i) for i in range(1, 301)])
    load(hz2, tmp_path, [feed_row(i, sender_district="拱墅区", logistics_no=f"KD{i:08d}", source="快递100")
                         for i in range(1, 301)])
    accept(hz1, [f"LP{i:08d}" for i in range(1, 151)], "张敏")
    accept(hz2, [f"KD{i:08d}" for i in range(1, 151)], "李强")
    errors = []

    def go(desk):
        try:
            run_sync(desk, office, push_batch=50)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(d,)) for d in (hz1, hz2, hz1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert outbox_state(hz1) == (450, 0) and outbox_state(hz2) == (450, 0)
    assert count(hq_engine, HQ_OPS, HQ_OPS.c.station_code == "HZ001") == 450
    assert count(hq_engine, HQ_OPS, HQ_OPS.c.station_code == "HZ002") == 450
    assert count(hq_engine, HQ_EVENTS) == 900
    assert count(hq_engine, HQ_ORDERS, HQ_ORDERS.c.status == "accepted") == 300


def test_accepting_an_order_head_office_cancelled_is_rejected_and_shown(office, hq_engine, station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1), feed_row(2)])
    run_sync(hz, office)
    hq.cancel(hq_engine, "LP00000001", clock())  # the channel cancels while the station is offline
    accept(hz, ["LP00000001"], "张敏")

    report = run_sync(hz, office)
    assert (report.rejected, report.conflicts, report.pulled) == (1, 1, 2)  # the cancel, then the clash
    assert hq_order(hq_engine, "LP00000001")["status"] == "cancelled"
    conflicts = station.list_conflicts(hz.db)
    assert len(conflicts) == 1
    c = conflicts[0]
    assert (c["kind"], c["action"], c["hq_status"], c["logistics_no"]) == ("rejected", "accept", "cancelled", "LP00000001")
    assert "LP00000001" in c["message"] and "序号" in c["message"]
    # the station now shows head office's state, with the clash on the conflicts list, not silently
    assert local_order(hz, "LP00000001")["status"] == "cancelled"
    assert check(hz.db).ok

    station.resolve_conflict(hz.db, c["id"], "已联系客户, 订单已撤 (marked handled)", "张敏", clock())
    assert station.list_conflicts(hz.db) == []
    assert run_sync(hz, office).resolutions_sent == 1
    with hq_engine.connect() as conn:
        assert conn.execute(select(HQ_CONFLICTS.c.resolved_by)).scalar_one() == "张敏"


def test_accepting_an_order_head_office_moved_is_rejected(office, hq_engine, station_factory, tmp_path, clock):
    hz1, hz2 = station_factory("HZ001"), station_factory("HZ002")
    load(hz1, tmp_path, [feed_row(1)])
    run_sync(hz1, office)
    hq.dispatch(hq_engine, "LP00000001", "HZ002", clock())
    accept(hz1, ["LP00000001"], "张敏")

    report = run_sync(hz1, office)
    assert report.rejected == 1
    (c,) = station.list_conflicts(hz1.db)
    assert (c["kind"], c["hq_station"]) == ("rejected", "HZ002") and "HZ002" in c["message"]
    assert local_order(hz1, "LP00000001")["station_code"] == "HZ002"
    run_sync(hz2, office)
    got = local_order(hz2, "LP00000001")
    assert (got["status"], got["station_code"], got["dispatch_operator"]) == ("waiting", "HZ002", "电商总部")


def test_a_pickup_scan_after_a_cancel_is_kept_and_flagged(office, hq_engine, station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1, business_type="在线下单", waybill_no="550000000001")])
    accept(hz, ["LP00000001"], "张敏")
    run_sync(hz, office)
    hq.cancel(hq_engine, "LP00000001", clock())
    clock.advance(minutes=20)
    assert record_scan(hz, "550000000001", "王五").accepted  # the courier has the parcel in hand

    report = run_sync(hz, office)
    assert (report.rejected, report.conflicts) == (0, 1)
    got = hq_order(hq_engine, "LP00000001")
    assert got["status"] == "cancelled" and got["scanned_at"] == clock()  # the fact is kept
    with hq_engine.connect() as conn:
        assert conn.execute(select(HQ_OPS.c.result).where(HQ_OPS.c.action == "pickup_scan")).scalar_one() == "flagged"
    (c,) = station.list_conflicts(hz.db)
    assert c["kind"] == "fact_kept" and "复核" in c["message"]


def test_a_transfer_reaches_the_other_station(office, hq_engine, station_factory, tmp_path):
    hz1, hz2 = station_factory("HZ001"), station_factory("HZ002")
    load(hz1, tmp_path, [feed_row(1, sender_district="拱墅区"), feed_row(2)])
    transfer(hz1, "LP00000001", "HZ002", "张敏")
    run_sync(hz1, office)
    assert run_sync(hz2, office).pulled == 1
    got = local_order(hz2, "LP00000001")
    assert (got["status"], got["station_code"], got["out_of_area"]) == ("waiting", "HZ002", False)
    assert local_order(hz1, "LP00000001")["status"] == "transferred"
    accept(hz2, ["LP00000001"], "李强")
    assert run_sync(hz2, office).rejected == 0
    assert hq_order(hq_engine, "LP00000001")["status"] == "accepted"
    assert check(hz2.db).ok and check(hz1.db).ok


def test_head_office_import_routes_by_district_and_stations_receive_their_orders(office, hq_engine, station_factory, clock):
    rows = [(1, _values(1, "西湖区")), (2, _values(2, "拱墅区")), (3, _values(3, "无人区"))]
    report = hq.import_orders(hq_engine, rows, clock())
    assert report.imported == 3 and report.routed["HZ001"] == 1 and report.routed["HZ002"] == 1
    dc = hq_order(hq_engine, "LP00000003")["station_code"]
    assert dc not in ("HZ001", "HZ002")
    hz1 = station_factory("HZ001")
    assert run_sync(hz1, office).pulled == 1
    assert local_order(hz1, "LP00000001")["status"] == "waiting"
    # pulled orders are not pushed back
    assert outbox_state(hz1) == (0, 0)
    with hq_engine.connect() as conn:
        assert conn.execute(select(func.max(HQ_FEED.c.position))).scalar_one() == 3


def _values(n: int, district: str) -> dict:
    from stationdesk.domain.fields import parse_time

    row = feed_row(n, sender_district=district)
    return {**row, "order_time": parse_time(row["order_time"]), "cancelled": False, "waybill_no": None,
            "dispatch_time": None, "dispatch_operator": None, "business_type": "send_parcel", "channel": "online"}


def test_pending_ops_stay_on_top_of_what_is_pulled(office, hq_engine, station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1)])
    run_sync(hz, office)
    accept(hz, ["LP00000001"], "张敏")  # not pushed yet
    snap = hq.snapshot({**hq_order(hq_engine, "LP00000001"), "sender_address": "文三路200号"})
    station.apply_feed(hz.db, "HZ001", [{"position": 1, "reason": "correct", "snapshot": snap}], clock())
    got = local_order(hz, "LP00000001")
    assert (got["status"], got["sender_address"]) == ("accepted", "文三路200号")
    assert outbox_state(hz)[1] == 1  # the accept still waits to be pushed
    assert check(hz.db).ok


def test_feed_positions_follow_commit_order_so_a_reader_never_skips(office, hq_engine, station_factory, tmp_path, clock):
    import time

    from sqlalchemy import text

    hz = station_factory("HZ001")
    load(hz, tmp_path, [feed_row(1), feed_row(2)])
    run_sync(hz, office)
    first = hq_engine.connect()
    tx = first.begin()
    feed = hq._Feed()
    feed.add("HZ001", hq_order(hq_engine, "LP00000001")["id"], "test")
    feed.write(first, clock())  # position 1 taken, not committed
    later = threading.Thread(target=hq.cancel, args=(hq_engine, "LP00000002", clock()))
    later.start()
    deadline = time.monotonic() + 10
    with hq_engine.connect() as c:  # wait until the second writer queues on the counter row
        while not c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).scalar():
            assert time.monotonic() < deadline, "the second feed writer never waited for the first"
            c.rollback()
    assert hq.read_feed(hq_engine, "HZ001", 0, 10) == []  # nothing visible past an uncommitted position
    tx.commit()
    first.close()
    later.join()
    assert [r["position"] for r in hq.read_feed(hq_engine, "HZ001", 0, 10)] == [1, 2]
