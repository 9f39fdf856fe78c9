"""The unaccepted-order alert on the screen, with the real AsyncIOScheduler on the app's loop:
it fires at start, shows the counts until Esc, never stacks, F3 lands on the most urgent order,
and nothing is raised once every order is answered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from stationdesk.bootstrap import open_desk
from stationdesk.domain import sla
from stationdesk.services.accept import accept
from stationdesk.services.transfer import transfer
from stationdesk.tui.app import StationDeskApp, build_app
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.pickup import PickupScreen
from stationdesk.tui.widgets.alert_bar import AlertBar
from stationdesk.tui.widgets.key_bar import KeyBar
from stationdesk.tui.widgets.order_list import OrderList
from stationdesk.tui.widgets.status_bar import StatusBar
from tests.conftest import ManualClock
from tui_support import NOW, OPERATOR, db_rows, settle

SIZE = (120, 40)
ACK = ("Esc", "确认提醒", True)


@pytest.fixture
def alert_app(db_path: Path, tmp_path: Path):
    """The desk as it runs (the alert scheduler on) over the seeded database at NOW (14:20)."""
    desks = []

    def make(config: str = "", clock: ManualClock | None = None) -> StationDeskApp:
        path = tmp_path / "config.toml"
        path.write_text(config, encoding="utf-8")
        desk = open_desk(Path("station.db"), config_path=path, clock=clock or ManualClock(NOW))
        desks.append(desk)
        return build_app(desk, operator=OPERATOR, alerts=True)

    yield make
    for desk in desks:
        desk.db.dispose()


def waiting_by_deadline(path: Path) -> list[tuple[datetime, int]]:
    """(accept deadline, id) of every waiting order, earliest first: the rule worked out here."""
    out = []
    for r in db_rows(path, "SELECT id, order_time, dispatch_time, dispatch_operator FROM orders WHERE status = 'waiting'"):
        dispatch = datetime.fromisoformat(r["dispatch_time"]) if r["dispatch_time"] else None
        start = sla.accept_clock_start(datetime.fromisoformat(r["order_time"]), dispatch, r["dispatch_operator"])
        out.append((start + sla.ACCEPT_LIMIT, r["id"]))
    return sorted(out)


def expected_counts(path: Path, now: datetime) -> tuple[int, int, int]:
    deadlines = [d for d, _ in waiting_by_deadline(path)]
    soon = now + timedelta(minutes=10)
    return len(deadlines), sum(d < now for d in deadlines), sum(now <= d < soon for d in deadlines)


def toasts(app: StationDeskApp) -> list[str]:
    return [t.render().plain for t in app.screen.query("Toast")]


def shown(app: StationDeskApp) -> list[str]:
    """The warning area's alerts as drawn on the screen in view (the keys line aside)."""
    area = app.screen.query_one(AlertBar)
    if not area.display:
        return []
    return area.render().plain.split("\n")[:-1]


async def until(pilot, cond: Callable[[], bool]) -> None:  # noqa: ANN001
    """Wait (bounded) for a scheduled check to finish, then for what it started."""
    for _ in range(500):
        if cond():
            await settle(pilot)
            return
        await pilot.pause(0.01)
    raise AssertionError("the scheduled check did not run")


async def test_alert_at_start_acknowledged_never_stacked_and_f3_lands_on_the_most_urgent(alert_app, db_path):
    app = alert_app()
    waiting, overdue, soon = expected_counts(db_path, NOW)
    assert waiting and overdue  # the seeded station has work waiting at 14:20
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        watch = app.alerts.watch
        await until(pilot, lambda: watch.runs >= 1)  # the run at start, by the scheduler
        alert = app.alerts.alert
        assert alert is not None and (alert.waiting, alert.overdue, alert.due_soon) == (waiting, overdue, soon)
        lines = shown(app)
        counts = f"等待接单 {waiting} 单, 已超时 {overdue} 单, 10 分钟内到期 {soon} 单"
        assert any("您还有未接订单,请尽快操作!" in t and counts in t for t in lines), lines
        escalated = 1 if soon else 0
        assert len(lines) == 1 + escalated and app.alerts.bells == 1 + escalated
        assert toasts(app) == []  # the area, not a pile of notifications
        assert f"等待接单 {waiting}!" in app.screen.query_one(StatusBar).render().plain
        assert ACK in app.screen.query_one(KeyBar).entries()

        app.alerts.schedule.run_now()  # unacknowledged: the next check adds nothing
        await until(pilot, lambda: watch.runs >= 2)
        assert len(shown(app)) == 1 + escalated and app.alerts.bells == 1 + escalated

        await pilot.press("escape")
        await settle(pilot)
        assert app.alerts.alert is None and shown(app) == []
        assert ACK not in app.screen.query_one(KeyBar).entries()
        assert f"等待接单 {waiting} " in app.screen.query_one(StatusBar).render().plain + " "

        app.alerts.schedule.run_now()  # acknowledged, orders still wait: alert again (escalations were once)
        await until(pilot, lambda: watch.runs >= 3)
        assert app.alerts.alert is not None and len(shown(app)) == 1 and app.alerts.bells == 2 + escalated

        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, PickupScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen)
        most_urgent = waiting_by_deadline(db_path)[0][1]
        assert app.screen.query_one(OrderList).highlighted.id == most_urgent
        assert app.alerts.alert is None and shown(app) == []
    await asyncio.sleep(0)  # the scheduler's shutdown runs on the loop after the app unmounts
    assert not app.alerts.schedule.scheduler.running


async def test_no_alert_once_every_order_is_answered(alert_app, db_path):
    app = alert_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        watch = app.alerts.watch
        await until(pilot, lambda: watch.runs >= 1)
        await pilot.press("escape")
        desk = app.desk
        rows = db_rows(db_path, "SELECT id, out_of_area, suggested_station FROM orders WHERE status = 'waiting'")
        await asyncio.to_thread(accept, desk, [r["id"] for r in rows if not r["out_of_area"]], OPERATOR)
        for r in rows:
            if r["out_of_area"]:
                await asyncio.to_thread(transfer, desk, r["id"], r["suggested_station"] or "DC000", OPERATOR)
        bells = app.alerts.bells
        app.alerts.schedule.run_now()
        await until(pilot, lambda: watch.runs >= 2)
        assert app.alerts.alert is None and shown(app) == [] and app.alerts.bells == bells
        assert app.counts is not None and app.counts.waiting == 0
        assert "等待接单 0" in app.screen.query_one(StatusBar).render().plain


async def test_no_alert_outside_working_hours_and_no_bell_when_off(alert_app):
    # 14:20 is after a station's hours of 06:00-14:00
    app = alert_app('[hours]\nstart = "06:00"\nend = "14:00"\n')
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: app.alerts.watch.runs >= 1)
        assert app.alerts.alert is None and shown(app) == [] and app.counts.waiting > 0
    quiet = alert_app("[alerts]\nbell = false\n")
    async with quiet.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: quiet.alerts.watch.runs >= 1)
        assert quiet.alerts.alert is not None and quiet.alerts.bells == 0


async def test_time_left_counts_down_with_no_database_read(alert_app):
    clock = ManualClock(NOW)
    app = alert_app(clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: app.alerts.watch.runs >= 1)
        lst = app.screen.query_one(OrderList)
        view = lst.views[0]
        before = lst.render_line(1).text
        assert sla.format_time_left(view.accept_deadline - NOW) in before
        statements: list[str] = []
        for engine in (app.desk.db.reader, app.desk.db.writer):
            event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        generation = lst.generation
        clock.advance(minutes=3)
        app.tick_countdown()
        await pilot.pause()
        after = lst.render_line(1).text
        assert sla.format_time_left(view.accept_deadline - clock.now) in after and after != before
        assert statements == [] and lst.generation == generation
