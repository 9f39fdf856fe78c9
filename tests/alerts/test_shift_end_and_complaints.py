"""The minute job's other reminders, on a real database with the clock passed in: run 网点未揽收查询
in the last half hour of the station's working day (新疆 hours for a 新疆 station), and complaints
escalated once when their 48-hour deadline is near."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from stationdesk.alerts.job import AlertWatch
from stationdesk.bootstrap import open_desk
from stationdesk.domain.exceptions import ComplaintCategory, ComplaintChannel
from stationdesk.services import accept, complaints
from stationdesk.services.feed_import import import_feed
from stationdesk.services.setup import init_database
from tests.conftest import ManualClock, feed_row, write_csv


class Sink:
    def __init__(self) -> None:
        self.reminders: list[int] = []
        self.complaints: list[list[int]] = []
        self.failures: list[str] = []

    def alert_pending(self) -> bool:
        return True  # the waiting-order alert is not what these tests look at

    def show_waiting(self, waiting) -> None:  # noqa: ANN001
        pass

    def raise_alert(self, alert) -> None:  # noqa: ANN001
        pass

    def raise_escalation(self, escalation, now) -> None:  # noqa: ANN001
        pass

    def show_failure(self, message: str) -> None:
        self.failures.append(message)

    def remind_shift_end(self, unscanned: int) -> None:
        self.reminders.append(unscanned)

    def escalate_complaints(self, near, now) -> None:  # noqa: ANN001
        self.complaints.append([c[0] for c in near])


def _station(tmp_path, code: str, clock: ManualClock):
    path = tmp_path / f"{code}.db"
    init_database(path, code)
    desk = open_desk(path, tmp_path / "none.toml", clock=clock)
    district = "天山区" if code == "UR001" else "西湖区"
    rows = [feed_row(1, sender_district=district, order_time=(clock.now - timedelta(hours=1)).isoformat())]
    import_feed(desk, write_csv(tmp_path / f"{code}.csv", rows))
    accept.accept(desk, ["LP00000001"], "张敏")  # accepted, not scanned
    return desk


def local(hh: int, mm: int, ss: int = 0) -> datetime:
    # 2026-11-23 in Asia/Shanghai (UTC+8)
    return datetime(2026, 11, 23, hh - 8, mm, ss, tzinfo=UTC) if hh >= 8 else datetime(2026, 11, 22, hh + 16, mm, ss, tzinfo=UTC)


def test_the_end_of_shift_reminder_follows_the_stations_province(tmp_path):
    clock = ManualClock(local(19, 29, 59))
    desk = _station(tmp_path, "UR001", clock)  # 新疆: the day ends at 21:00
    sink = Sink()
    watch = AlertWatch(desk.db, desk.config, clock, sink, desk.station.province)
    try:
        for at in (local(19, 29, 59), local(19, 45), local(20, 29, 59)):
            clock.now = at
            asyncio.run(watch.check_escalations())
        assert sink.reminders == []  # 19:30-20:00 is not the end of a 新疆 day
        clock.now = local(20, 30)
        asyncio.run(watch.check_escalations())
        clock.now = local(20, 45)
        asyncio.run(watch.check_escalations())
        assert sink.reminders == [1]  # once, with the unscanned count
        assert not sink.failures
    finally:
        desk.db.dispose()


def test_a_complaint_near_its_deadline_is_escalated_once(tmp_path):
    clock = ManualClock(local(12, 0))
    desk = _station(tmp_path, "HZ001", clock)
    sink = Sink()
    watch = AlertWatch(desk.db, desk.config, clock, sink, desk.station.province)
    try:
        complaints.record_complaint(desk, "LP00000001", ComplaintChannel.PHONE, ComplaintCategory.SERVICE, "态度差", "张敏")
        clock.advance(hours=41, minutes=59)  # 6 h 1 min left (05:59 two days on: outside the hours)
        asyncio.run(watch.check_escalations())
        assert sink.complaints == []  # no one is at the desk: nothing to tell yet
        clock.advance(hours=2)  # 07:59: still outside; 08:00 with 4 h left: told
        asyncio.run(watch.check_escalations())
        assert sink.complaints == []
        clock.advance(minutes=1)
        asyncio.run(watch.check_escalations())
        assert len(sink.complaints) == 1
        clock.advance(minutes=1)
        asyncio.run(watch.check_escalations())
        assert len(sink.complaints) == 1 and not sink.failures
        clock.advance(hours=11, minutes=59)  # 20:00
        complaints.record_complaint(desk, "LP00000001", ComplaintChannel.PHONE, ComplaintCategory.QUALITY, "破损", "张敏")
        clock.advance(hours=41, minutes=59)  # 13:59 two days on: 6 h 1 min left
        asyncio.run(watch.check_escalations())
        assert len(sink.complaints) == 1
        clock.advance(minutes=1)  # 6 h left: escalated
        asyncio.run(watch.check_escalations())
        assert len(sink.complaints) == 2 and not sink.failures
    finally:
        desk.db.dispose()
