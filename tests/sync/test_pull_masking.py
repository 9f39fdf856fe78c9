"""A change pulled from head office keeps the audit trail's phones masked, as a local correction does."""

from __future__ import annotations

import sqlite3

from stationdesk.services.feed_import import import_feed
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import to_db
from stationdesk.sync import station
from stationdesk.sync.order_fields import ORDER_FIELDS, TIME_FIELDS
from tests.conftest import feed_row, write_csv


def test_a_pulled_phone_change_is_masked_in_the_event_and_whole_in_the_order(station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    assert import_feed(hz, write_csv(tmp_path / "f.csv", [feed_row(1, sender_phone="13812345678")])).ok
    with hz.db.read() as conn:
        row = conn.execute(ORDERS.select().where(ORDERS.c.logistics_no == "LP00000001")).mappings().one()
    snapshot = {k: (to_db(row[k]) if k in TIME_FIELDS and row[k] is not None else row[k]) for k in ORDER_FIELDS}
    snapshot["sender_phone"] = "13998765432"  # head office corrected the customer's number
    assert station.apply_feed(hz.db, "HZ001", [{"position": 1, "reason": "hq_update", "snapshot": snapshot}],
                              clock()) == 1
    con = sqlite3.connect(hz.db.path)
    try:
        phone = con.execute("SELECT sender_phone FROM orders WHERE logistics_no = 'LP00000001'").fetchone()[0]
        details = [d for (d,) in con.execute("SELECT details FROM order_event")]
    finally:
        con.close()
    assert phone == "13998765432"
    assert any("139****5432" in d for d in details)
    assert all("13998765432" not in d and "13812345678" not in d for d in details)


def test_a_corrected_phone_reaches_head_office_whole_while_the_trail_keeps_it_masked(office, hq_engine,
                                                                                       station_factory, tmp_path):
    from sqlalchemy import select

    from stationdesk.services import correct
    from stationdesk.sync.hq_tables import HQ_ORDERS

    hz = station_factory("HZ001")
    assert import_feed(hz, write_csv(tmp_path / "f.csv", [feed_row(1, sender_phone="13812345678")])).ok
    correct.correct_info(hz, "LP00000001", {"sender_phone": "13998765432"}, "张敏", "客户来电更正")
    with office.link("HZ001") as link:
        report = station.sync(hz.db, "HZ001", link, hz.now)  # the op agrees with its chained event, masked
    assert report.rejected == 0 and report.acknowledged == 2
    with hq_engine.connect() as conn:
        phone = conn.execute(select(HQ_ORDERS.c.sender_phone).where(HQ_ORDERS.c.logistics_no == "LP00000001")).scalar()
    assert phone == "13998765432"
