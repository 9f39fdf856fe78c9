"""The station reads head office's order snapshots by its own order columns before anything of them
reaches its database: one that does not read as an order stops the pull just before it."""

from __future__ import annotations

from datetime import datetime

import pytest

from stationdesk.services.feed_import import import_feed
from stationdesk.store.plumbing import read_meta
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import to_db
from stationdesk.sync import station
from stationdesk.sync.order_fields import ORDER_FIELDS, TIME_FIELDS
from tests.conftest import feed_row, write_csv


def _snapshot(desk, number: str) -> dict:
    with desk.db.read() as conn:
        row = conn.execute(ORDERS.select().where(ORDERS.c.logistics_no == number)).mappings().one()
    return {k: (to_db(row[k]) if k in TIME_FIELDS and row[k] is not None else row[k]) for k in ORDER_FIELDS}


def _order(desk, number: str) -> dict:
    with desk.db.read() as conn:
        return dict(conn.execute(ORDERS.select().where(ORDERS.c.logistics_no == number)).mappings().one())


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "teleported"}, "snapshot.status"),
    ({"order_time": "last tuesday"}, "snapshot.order_time"),
    ({"out_of_area": "maybe"}, "snapshot.out_of_area"),
    ({"sender_name": None}, "snapshot.sender_name"),
])
def test_a_snapshot_that_is_not_an_order_stops_the_pull_naming_its_position_and_field(station_factory, tmp_path,
                                                                                     clock, change, field):
    hz = station_factory("HZ001")
    assert import_feed(hz, write_csv(tmp_path / "f.csv", [feed_row(1), feed_row(2)])).ok
    good = {**_snapshot(hz, "LP00000001"), "sender_address": "文三路200号", "hq_version": 2}
    bad = {**_snapshot(hz, "LP00000002"), "sender_address": "文三路300号", **change}
    rows = [{"position": 1, "reason": "hq_update", "snapshot": good},
            {"position": 2, "reason": "hq_update", "snapshot": bad},
            {"position": 3, "reason": "hq_update", "snapshot": {**good, "sender_address": "文三路400号"}}]
    with pytest.raises(station.HQError) as stopped:
        station.apply_feed(hz.db, "HZ001", rows, clock())
    assert "位置 2" in str(stopped.value) and field in str(stopped.value)
    assert "position 2" in stopped.value.words.say("en")
    assert _order(hz, "LP00000001")["sender_address"] == "文三路200号"  # what came before it was applied
    assert _order(hz, "LP00000002")["sender_address"] != "文三路300号"
    with hz.db.read() as conn:
        assert read_meta(conn, station.FEED_POSITION) == "1"


def test_a_snapshot_is_read_as_the_orders_values(station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    assert import_feed(hz, write_csv(tmp_path / "f.csv", [feed_row(1)])).ok
    snap = {**_snapshot(hz, "LP00000001"), "status": "accepted", "accepted_at": "2026-11-23T02:00:00.000000Z"}
    assert station.apply_feed(hz.db, "HZ001", [{"position": 1, "reason": "hq_update", "snapshot": snap}], clock()) == 1
    got = _order(hz, "LP00000001")
    assert got["status"] == "accepted" and isinstance(got["accepted_at"], datetime)
    assert to_db(got["accepted_at"]) == "2026-11-23T02:00:00.000000Z"
