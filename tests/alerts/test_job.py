"""The alert job on a real station database and a real AsyncIOScheduler: what it reads, what it
tells the screen, and that a failing check is logged, shown once, and does not stop the schedule."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from stationdesk.alerts.job import ALERT_JOB, AlertSchedule, AlertWatch
from stationdesk.alerts.reading import load_most_urgent, load_waiting
from stationdesk.alerts.rule import Alert, Escalation, Waiting
from tests.conftest import T0, feed_row

MIN = timedelta(minutes=1)


def local(t: datetime) -> str:
    return t.astimezone().isoformat()


@pytest.fixture
def orders(import_rows):
    """Four waiting orders at T0 (10:00 station time) and one accepted long ago."""
    rows = [
        feed_row(1, order_time=local(T0 - 40 * MIN)),  # overdue by 10 min
        feed_row(2, order_time=local(T0 - 25 * MIN)),  # due in 5 min
        # ordered an hour ago, but HQ dispatched it 22 min ago: its clock restarted, due in 8 min
        feed_row(3, order_time=local(T0 - 60 * MIN), dispatch_time=local(T0 - 22 * MIN), dispatch_operator="电商小李"),
        feed_row(4, order_time=local(T0 - 5 * MIN)),  # due in 25 min
        feed_row(5, order_time=local(T0 - 90 * MIN)),
    ]
    report = import_rows(rows)
    assert report.imported == 5
    return rows


def accept(desk, number: str) -> None:  # noqa: ANN001
    from stationdesk.services.accept import accept as accept_orders

    accept_orders(desk, [number], "测试员")


class Screen:
    """Records what the job tells the screen (the sink), as the desk app would show it."""

    def __init__(self) -> None:
        self.pending: Alert | None = None
        self.alerts: list[Alert] = []
        self.escalations: list[Escalation] = []
        self.failures: list[str] = []
        self.counts: list[Waiting] = []

    def alert_pending(self) -> bool:
        return self.pending is not None

    def show_waiting(self, waiting: Waiting) -> None:
        self.counts.append(waiting)

    def raise_alert(self, alert: Alert) -> None:
        self.pending = alert
        self.alerts.append(alert)

    def raise_escalation(self, escalation: Escalation, now: datetime) -> None:
        self.escalations.append(escalation)

    def show_failure(self, message: str) -> None:
        self.failures.append(message)


async def until(cond: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.01)):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the scheduled check did not run")


def test_reading_counts_deadlines_with_the_hq_dispatch_clock(desk, orders):
    accept(desk, "LP00000005")
    w = load_waiting(desk.db, T0, 10 * MIN)
    assert (w.waiting, w.overdue, w.due_soon) == (4, 1, 2)
    assert w.most_urgent is not None and (w.most_urgent.ref, w.most_urgent.deadline) == ("LP00000001", T0 - 10 * MIN)
    assert [(o.ref, o.deadline) for o in w.soon] == [("LP00000002", T0 + 5 * MIN), ("LP00000003", T0 + 8 * MIN)]
    assert load_most_urgent(desk.db) == w.most_urgent


def test_reading_nothing_waiting(desk):
    assert load_waiting(desk.db, T0, 10 * MIN) == Waiting(0, 0, 0)
    assert load_most_urgent(desk.db) is None


def test_watch_alerts_once_until_acknowledged_and_escalates_each_order_once(desk, orders, clock):
    screen = Screen()
    watch = AlertWatch(desk.db, desk.config, desk.now, screen)

    async def run() -> None:
        await watch.check()
        assert len(screen.alerts) == 1 and screen.alerts[0].counts_text("zh") == "等待接单 5 单, 已超时 2 单, 10 分钟内到期 2 单"
        assert [o.ref for o in screen.escalations[0].orders] == ["LP00000002", "LP00000003"]
        await watch.check()  # not acknowledged: no second alert, no second escalation
        assert (len(screen.alerts), len(screen.escalations)) == (1, 1)
        screen.pending = None  # the clerk acknowledges
        clock.advance(minutes=1)
        await watch.check_escalations()  # the minute job never raises the alert itself
        assert len(screen.alerts) == 1
        await watch.check()
        assert len(screen.alerts) == 2
        assert screen.counts[-1].waiting == 5 and watch.runs == 4

    asyncio.run(run())


def test_no_alert_outside_hours_and_none_when_nothing_waits(desk, orders, clock):
    screen = Screen()
    watch = AlertWatch(desk.db, desk.config, desk.now, screen)
    clock.now = T0 - timedelta(hours=2, minutes=1)  # 07:59 at the station
    asyncio.run(watch.check())
    assert screen.alerts == [] and screen.escalations == [] and screen.counts[-1].waiting > 0
    clock.now = T0
    for n in range(1, 5):
        accept(desk, f"LP{n:08d}")
    accept(desk, "LP00000005")
    asyncio.run(watch.check())
    assert screen.alerts == [] and screen.counts[-1] == Waiting(0, 0, 0)


def test_the_scheduler_runs_the_check_at_start_and_survives_a_failing_check(desk, db_path, orders, caplog):
    screen = Screen()
    watch = AlertWatch(desk.db, desk.config, desk.now, screen)
    broken = sqlite3.connect(db_path)
    broken.execute("ALTER TABLE orders RENAME TO orders_away")  # the check's read now fails
    broken.commit()

    async def run() -> None:
        schedule = AlertSchedule(watch, 10, 20)
        schedule.start()  # inside the running loop, as the app's on_mount does
        try:
            await until(lambda: watch.runs >= 1)  # the run at start
            schedule.run_now()
            await until(lambda: watch.runs >= 2)
            assert watch.failures == 2 and len(screen.failures) == 1  # logged each time, shown once
            assert "未接订单提醒检查失败" in screen.failures[0] and "orders" in screen.failures[0]
            job = schedule.scheduler.get_job(ALERT_JOB)
            assert schedule.running and job is not None and job.next_run_time is not None
            gap = job.next_run_time - datetime.now(job.next_run_time.tzinfo)
            assert timedelta(minutes=9) < gap < timedelta(minutes=20)
            broken.execute("ALTER TABLE orders_away RENAME TO orders")
            broken.commit()
            schedule.run_now()
            await until(lambda: watch.runs >= 3)
            assert watch.failures == 0 and len(screen.alerts) == 1 and len(screen.failures) == 1
        finally:
            schedule.shutdown()
        await asyncio.sleep(0)  # the shutdown runs on the loop
        assert not schedule.scheduler.running

    with caplog.at_level(logging.ERROR, logger="stationdesk.alerts.job"):
        asyncio.run(run())
    broken.close()
    assert len([r for r in caplog.records if r.name == "stationdesk.alerts.job"]) == 2
