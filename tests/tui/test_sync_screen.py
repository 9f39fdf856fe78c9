"""Head office sync on the screen: the conflicts screen (F9) lists open conflicts and resolves them
with a note, the status bar shows the sync state, the sync key runs a real sync against the test
PostgreSQL and shows what it did, or says why it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from stationdesk.bootstrap import open_desk
from stationdesk.services.accept import accept
from stationdesk.services.feed_import import import_feed
from stationdesk.sync import hq
from stationdesk.tui.app import build_app
from stationdesk.tui.dialogs.resolve import ResolveDialog
from stationdesk.tui.screens.conflicts import ConflictsScreen
from stationdesk.tui.screens.detail import DetailScreen
from stationdesk.tui.widgets.status_bar import StatusBar
from tests.conftest import ManualClock, feed_row, write_csv
from tests.sync.conftest import hq_engine, hq_service, office, pg_server  # noqa: F401  the real head office of the sync tests
from tui_support import NOW, OPERATOR, db_exec, db_rows, message, settle

SIZE = (120, 40)
STAMP = "2026-11-23T05:40:00.000000Z"  # 13:40 at the station


def add_conflict(path: Path, n: int, *, kind: str = "rejected", action: str = "accept", number: str | None = None,
                 message_text: str | None = None, order_id: int | None = None) -> None:
    """A conflict row as the sync service records one."""
    number = number or f"LP9{n:07d}"
    db_exec(path, "INSERT INTO sync_conflict (op_id, seq, order_id, source, logistics_no, kind, action, hq_status, "
                  "hq_station, message, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            f"op-{n}", n, order_id, "淘宝", number, kind, action, "cancelled", "HZ001",
            message_text or f"订单 {number}: 网点 HZ001 的「接单」(序号 {n}) 被拒绝: 总部状态「已撤单」 (rejected)",
            STAMP)


def table_rows(app) -> list[list[str]]:  # noqa: ANN001
    table = app.screen.query_one("#conflicts", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def bar_text(app) -> str:  # noqa: ANN001
    bar = app.screen.query_one(StatusBar)
    return "  ".join(f"{label} {value}".strip() for label, value, _ in bar.pieces(bar.size.width))


async def test_the_conflicts_screen_lists_open_conflicts(make_app, db_path):
    first = db_rows(db_path, "SELECT id, logistics_no FROM orders ORDER BY id LIMIT 1")[0]
    add_conflict(db_path, 1, number=first["logistics_no"], order_id=first["id"])
    add_conflict(db_path, 2, kind="fact_kept", message_text="订单 X: 揽收扫描 与总部状态冲突; 事实已记录, 待人工复核")
    add_conflict(db_path, 3)
    db_exec(db_path, "UPDATE sync_conflict SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE op_id = 'op-3'",
            STAMP, "李四", "已转单")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        rows = table_rows(app)
        assert [r[1] for r in rows] == [first["logistics_no"], "LP90000002"]  # the resolved one is not listed
        assert rows[0][2:6] == ["驳回", "网点接单", "已撤单 HZ001", "11-23 13:40"]
        assert rows[1][2] == "事实保留"
        assert "被拒绝" in app.screen.query_one("#conflict-message").render().plain  # the whole message
        await pilot.press("enter")  # the order is in this station's database: its 详细数据
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.order_id == first["id"]
        await pilot.press("escape")
        await pilot.press("down", "enter")  # no such order here: a word, no screen
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert "不在本网点数据库" in message(app)


async def test_resolving_a_conflict_writes_the_note_and_it_leaves_the_list(make_app, db_path):
    add_conflict(db_path, 1)
    add_conflict(db_path, 2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "冲突 2" in bar_text(app)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ResolveDialog)
        await pilot.press("enter")  # no note: refused in place
        assert "请写明处理结果" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#resolution", Input).value = "已做撤单处理, 已联系客户\x1b[31m"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert [r[1] for r in table_rows(app)] == ["LP90000002"]
        assert "冲突 1" in message(app) and "已处理" in message(app)
        assert "冲突 1" in bar_text(app)
    row = db_rows(db_path, "SELECT * FROM sync_conflict WHERE op_id = 'op-1'")[0]
    assert (row["resolved_by"], row["resolution"]) == (OPERATOR, "已做撤单处理, 已联系客户")  # escape removed
    assert row["resolved_at"] == "2026-11-23T06:20:00.000000Z" and row["reported_at"] is None  # NOW


async def test_text_from_the_database_is_cleaned_on_the_screen(make_app, db_path):
    add_conflict(db_path, 1, number="LP\x1b]0;pwned\x07001", message_text="\u202e坏\x1b[2J消息")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        (row,) = table_rows(app)
        assert row[1] == "LP001" and row[6] == "坏消息"


async def test_the_status_bar_shows_pending_ops_and_the_last_sync(make_app, db_path):
    pending = db_rows(db_path, "SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL")[0]["n"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = bar_text(app)
        assert "未同步" in text and f"待上传 {pending}" in text and "冲突" not in text
    db_exec(db_path, "INSERT INTO meta (key, value) VALUES ('sync.last_sync_at', ?)", "2026-11-23T06:05:00.000000Z")
    add_conflict(db_path, 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "同步 14:05" in bar_text(app) and "冲突 1" in bar_text(app)
        kinds = {value: kind for _label, value, kind in app.screen.query_one(StatusBar).pieces(120)}
        assert kinds["1"] == "alert"  # open conflicts stand out


async def test_the_sync_key_without_a_head_office_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert message(app).startswith("同步未配置") and "[sync] url" in message(app)
        assert not app.sync.running and app.sync.schedule(None) is False


async def test_head_office_unreachable_is_shown_and_the_desk_works_on(make_app, monkeypatch):
    monkeypatch.setenv("STATIONDESK_HQ_TOKEN", "sdt_unused")
    app = make_app('[sync]\nurl = "http://127.0.0.1:1"\n')
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert message(app).startswith("同步失败") and "无法连接" in message(app)
        assert app.message[1] == "error" and app.sync.failures == 1 and not app.sync.running
        await pilot.press("f4")  # the desk carries on
        await settle(pilot)
        assert app.current_mode == "pickup"


@pytest.fixture
def small_station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A station with two orders of its own, opened by the factory on a fixed clock."""
    monkeypatch.chdir(tmp_path)
    from stationdesk.services.setup import init_database

    init_database(tmp_path / "s.db", "HZ001")
    clock = ManualClock(NOW)
    desks = []

    def make(config: str):
        path = tmp_path / "config.toml"
        path.write_text(config, encoding="utf-8")
        desk = open_desk(Path("s.db"), config_path=path, clock=clock)
        desks.append(desk)
        return desk

    yield make, clock
    for d in desks:
        d.db.dispose()


async def test_a_real_sync_on_the_key_shows_its_summary_and_the_conflict(small_station, office, hq_engine, tmp_path, monkeypatch):  # noqa: F811
    make, clock = small_station
    monkeypatch.setenv("STATIONDESK_HQ_TOKEN", office.token("HZ001"))
    desk = make(f'[sync]\nurl = "{office.url}"\n')
    assert import_feed(desk, write_csv(tmp_path / "feed.csv", [feed_row(1), feed_row(2)])).ok
    app = build_app(desk, operator=OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "未同步" in bar_text(app) and "待上传 2" in bar_text(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert message(app) == "同步完成: 上传 2, 确认 2, 驳回 0, 冲突 0, 拉取 0"
        assert "同步 14:20" in bar_text(app) and "待上传 0" in bar_text(app)

        hq.cancel(hq_engine, "LP00000001", clock())  # the channel cancels; the clerk accepts meanwhile
        accept(desk, ["LP00000001"], OPERATOR)
        clock.advance(minutes=5)
        await pilot.press("f5", "ctrl+r")
        await settle(pilot)
        assert message(app).startswith("同步完成: 上传 1, 确认 1, 驳回 1, 冲突 1, 拉取 2")
        assert "按 F9 查看" in message(app) and app.message[1] == "warning"
        assert "同步 14:25" in bar_text(app) and "冲突 1" in bar_text(app)

        await pilot.press("f9")
        await settle(pilot)
        (row,) = table_rows(app)
        assert row[1:5] == ["LP00000001", "驳回", "网点接单", "已撤单 HZ001"]
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#resolution", Input).value = "已做撤单处理"
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(app) == [] and "冲突" not in bar_text(app)
        await pilot.press("ctrl+r")  # the resolution reaches head office with the next sync
        await settle(pilot)
        assert message(app) == "同步完成: 上传 0, 确认 0, 驳回 0, 冲突 0, 拉取 0, 报送冲突处理结果 1"
    with hq_engine.connect() as conn:
        from sqlalchemy import select

        from stationdesk.sync.hq_tables import HQ_CONFLICTS

        assert conn.execute(select(HQ_CONFLICTS.c.resolved_by, HQ_CONFLICTS.c.resolution)).one() == (OPERATOR, "已做撤单处理")


async def test_two_syncs_never_run_at_once_and_the_schedule_uses_the_desk_scheduler(small_station, office, monkeypatch):  # noqa: F811
    make, _clock = small_station
    monkeypatch.setenv("STATIONDESK_HQ_TOKEN", office.token("HZ001"))
    desk = make(f'[sync]\nurl = "{office.url}"\nevery_minutes = 7.5\n')
    app = build_app(desk, operator=OPERATOR, alerts=True)
    async with app.run_test(size=SIZE) as pilot:
        job = app.alerts.schedule.scheduler.get_job("sync")
        assert job is not None and job.trigger.interval.total_seconds() == 450
        for _ in range(200):  # the first scheduled sync runs when the desk opens
            await settle(pilot)
            if app.sync.last is not None:
                break
        assert app.sync.last is not None and app.sync.last.error is None and "未同步" not in bar_text(app)
        assert app.sync.start(manual=True) is True
        assert app.sync.start(manual=True) is False and message(app) == "正在同步, 请稍候"
        await settle(pilot)
        assert not app.sync.running and app.sync.last.error is None


async def test_no_schedule_without_a_url_or_with_zero_minutes(small_station):
    make, _clock = small_station
    for config in ("", '[sync]\nurl = "https://hq.example"\nevery_minutes = 0\n'):
        app = build_app(make(config), operator=OPERATOR, alerts=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.alerts.schedule.scheduler.get_job("sync") is None


async def test_head_offices_refusal_of_the_history_is_shown_on_the_conflicts_screen(make_app, db_path):
    db_exec(db_path, "INSERT INTO meta (key, value) VALUES ('sync.chain_problem', ?)",
            "网点 HZ001: 审计链与总部保存的不符; 第一个不同的事件 #5: 订单 LP00000001 \x1b[31m")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        line = app.screen.query_one("#chain-problem")
        assert line.display and "第一个不同的事件 #5" in line.render().plain and "\x1b" not in line.render().plain
    db_exec(db_path, "DELETE FROM meta WHERE key = 'sync.chain_problem'")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert not app.screen.query_one("#chain-problem").display
