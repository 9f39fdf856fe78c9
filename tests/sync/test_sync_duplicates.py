"""重复下单 on sync: orders pulled from head office are checked like an import's."""

from __future__ import annotations

from datetime import timedelta

from stationdesk.domain.fields import parse_time
from stationdesk.services.check import check
from stationdesk.services.duplicates import list_duplicates
from stationdesk.sync import hq, station
from tests.conftest import feed_row


def _values(n: int, minutes: float) -> dict:
    row = feed_row(n)
    return {**row, "order_time": parse_time(row["order_time"]) + timedelta(minutes=minutes), "cancelled": False,
            "waybill_no": None, "dispatch_time": None, "dispatch_operator": None, "business_type": "send_parcel",
            "channel": "online"}


def test_a_pulled_second_submission_is_flagged(office, hq_engine, station_factory, clock):
    hq.import_orders(hq_engine, [(1, _values(1, 0)), (2, _values(2, 1)), (3, _values(3, 45))], clock())
    hz = station_factory("HZ001")
    with office.link(hz.station.code) as link:
        report = station.sync(hz.db, hz.station.code, link, hz.now,
                              duplicate_window=timedelta(minutes=hz.config.duplicates.window_minutes))
    assert report.pulled == 3
    flagged = list_duplicates(hz)
    assert [(f["logistics_no"], f["earlier_no"]) for f in flagged] == [("LP00000002", "LP00000001")]
    assert check(hz.db).ok
