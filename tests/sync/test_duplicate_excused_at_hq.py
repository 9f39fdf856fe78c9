"""Head office checks a 重复下单 failure against its own copy before excusing the late answer."""

from __future__ import annotations

from datetime import timedelta

from stationdesk.domain.reasons import Reason
from stationdesk.services import accept, duplicates
from stationdesk.services.feed_import import import_feed
from stationdesk.sync import hq_audit, station
from tests.conftest import T0, feed_row, write_csv


def test_head_office_excuses_a_late_answer_only_for_a_second_submission_it_can_see(office, hq_engine,
                                                                                      station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    t = T0 - timedelta(minutes=5)
    assert import_feed(hz, write_csv(tmp_path / "f.csv", [
        feed_row(1, order_time=t.isoformat()),
        feed_row(2, order_time=(t + timedelta(minutes=1)).isoformat()),  # the same order again: flagged
        feed_row(3, order_time=t.isoformat(), sender_phone="13900000003"),  # another customer
    ])).ok
    clock.advance(minutes=45)
    duplicates.fail_as_duplicate(hz, "LP00000002", "张敏")
    accept.fail_accept(hz, "LP00000003", Reason.DUPLICATE_ORDER, None, "张敏")  # called a duplicate, with no twin
    with office.link("HZ001") as link:
        station.sync(hz.db, "HZ001", link, hz.now)
    ledger = sorted((v["logistics_no"], v["kind"]) for v in hq_audit.violations_of(hq_engine, "HZ001"))
    assert ledger == [("LP00000003", "late_accept")]
