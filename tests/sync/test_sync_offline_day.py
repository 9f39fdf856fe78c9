"""A station offline for a day: thousands of ops, a sync cut off halfway, resumed, nothing lost or doubled."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from stationdesk.services.accept import accept
from stationdesk.services.check import check
from stationdesk.services.feed_import import import_feed
from stationdesk.services.pickup import confirm_pickup
from stationdesk.store.tables import ORDERS, OUTBOX
from stationdesk.sync import station
from stationdesk.sync.hq_tables import HQ_EVENTS, HQ_OPS, HQ_ORDERS
from tests.conftest import feed_row, write_csv

N = 3000


@pytest.mark.slow
def test_a_day_offline_with_thousands_of_ops_survives_an_interrupted_sync(office, hq_engine, station_factory, tmp_path, clock):
    hz = station_factory("HZ001")
    assert import_feed(hz, write_csv(tmp_path / "day.csv", [feed_row(i) for i in range(1, N + 1)])).ok
    accept(hz, [f"LP{i:08d}" for i in range(1, 2001)], "张敏")
    for i in range(1, 301):
        clock.advance(seconds=30)
        confirm_pickup(hz, f"LP{i:08d}", f"55{i:010d}", "王五")
    with hz.db.read() as c:
        total = c.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
    assert total == N + 2000 + 300

    batches = []

    def cut_on_the_fourth(results):
        batches.append(len(results))
        if len(batches) == 4:
            raise ConnectionError("line dropped")

    with pytest.raises(ConnectionError), office.link("HZ001") as link:
        station.sync(hz.db, "HZ001", link, clock, push_batch=500, after_hq_commit=cut_on_the_fourth)
    seen = []
    with office.link("HZ001") as link:
        report = station.sync(hz.db, "HZ001", link, clock, push_batch=500, progress=seen.append)
    assert report.acknowledged == total - 1500 and report.pushed == total - 2000  # 500 came back stored
    assert seen and seen[-1].done == seen[-1].total
    with hq_engine.connect() as c:
        assert c.execute(select(func.count()).select_from(HQ_OPS)).scalar_one() == total
        assert c.execute(select(func.count()).select_from(HQ_EVENTS)).scalar_one() == total
        hq_status = dict(c.execute(select(HQ_ORDERS.c.logistics_no, HQ_ORDERS.c.status)).all())
    with hz.db.read() as c:
        assert c.execute(select(func.count()).select_from(OUTBOX).where(OUTBOX.c.acked_at.is_(None))).scalar_one() == 0
        local_status = dict(c.execute(select(ORDERS.c.logistics_no, ORDERS.c.status)).all())
    assert hq_status == local_status
    assert check(hz.db).ok
