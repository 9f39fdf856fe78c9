"""The frame around the screens: status bar, help, key remapping, language, quitting, the
command palette, the one error handler, paging, and text from the feed shown safely."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from stationdesk.domain.errors import DomainError
from stationdesk.store.errors import StoreBusy
from stationdesk.tui.dialogs.confirm import ConfirmDialog
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.detail import DetailScreen
from stationdesk.tui.screens.help import HelpScreen
from stationdesk.tui.screens.pickup import PickupScreen
from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.screens.unscanned import UnscannedScreen
from stationdesk.tui.widgets.key_bar import KeyBar
from stationdesk.tui.widgets.order_list import OrderList
from stationdesk.tui.widgets.status_bar import StatusBar
from tui_support import OPERATOR, db_exec, db_rows, message, order, settle

SIZE = (120, 40)


async def test_status_bar_shows_station_operator_time_counts_and_database(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = app.screen.query_one(StatusBar).render().plain
        waiting = db_rows(db_path, "SELECT count(*) FROM orders WHERE status = 'waiting'")[0][0]
        assert app.counts is not None and app.counts.waiting == waiting and app.counts.overdue > 0
        for part in ("HZ001", "杭州西湖网点", OPERATOR, "2026-11-23 14:20", f"等待接单 {waiting}",
                     f"超时 {app.counts.overdue}", "station.db"):
            assert part in text


async def test_function_keys_open_every_screen(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from stationdesk.tui.screens.scan import ScanScreen
        from stationdesk.tui.screens.supervisor import SupervisorScreen

        for key, screen in (("f2", QueryScreen), ("f4", PickupScreen), ("f6", UnscannedScreen), ("f7", ScanScreen),
                            ("f8", SupervisorScreen), ("f3", AcceptScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen)
        await pilot.press("f7")
        await settle(pilot)
        assert app.screen.query_one("#scan-input").has_focus


async def test_help_lists_the_keys_of_the_screen_and_of_the_app(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        here, everything = app.screen.screen_rows(), app.screen.all_rows()
        assert len(here) < len(everything)
        assert ("Ctrl+A", "全选等待接单", "网点接单列表", "accept.select_all") in here
        assert not [r for r in here if r[3].startswith("pickup.")]
        assert [r for r in everything if r[3] == "pickup.confirm"]
        await pilot.press("f1")  # F1 again closes it
        assert isinstance(app.screen, AcceptScreen)


async def test_keys_are_remapped_from_config(make_app, db_path):
    app = make_app('[keys]\n"accept.accept" = "y"\n"app.query" = "F12"\n')
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = lst.highlighted.id
        await pilot.press("a")
        await settle(pilot)
        assert order(db_path, target)["status"] == "waiting"
        await pilot.press("y")
        await settle(pilot)
        assert order(db_path, target)["status"] == "accepted"
        entries = app.screen.query_one(KeyBar).entries()
        assert ("y", "接单", True) in entries and ("F12", "电商订单查询", True) in entries
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, QueryScreen)


async def test_english_labels_from_config(make_app):
    app = make_app('[station]\nlanguage = "en"\n')
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Accept orders" in str(app.screen.query_one("#heading").render())
        assert ("a", "Accept", True) in app.screen.query_one(KeyBar).entries()
        assert "Waiting" in app.screen.query_one(StatusBar).render().plain
        assert "Logistics no." in app.screen.query_one(OrderList).render_line(0).text


async def test_quit_at_once_when_nothing_is_unsaved(make_app, monkeypatch):
    app = make_app()
    exits: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "exit", lambda *a, **k: exits.append(True))
        await pilot.press("f10")
        assert exits == [True]


async def test_quit_asks_first_when_a_selection_is_pending(make_app, monkeypatch):
    app = make_app()
    exits: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "exit", lambda *a, **k: exits.append(True))
        await pilot.press("space", "f10")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog) and not exits
        await pilot.press("escape")
        assert isinstance(app.screen, AcceptScreen) and not exits
        await pilot.press("f10", "f10")  # the quit key again confirms
        assert exits == [True]


async def test_quit_asks_first_when_a_dialog_holds_input(make_app, monkeypatch):
    app = make_app()
    exits: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "exit", lambda *a, **k: exits.append(True))
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#waybill", Input).value = "1234"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog) and not exits
        await pilot.press("enter")
        assert exits == [True]


async def test_the_command_palette_offers_the_screen_actions(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"接单 (a)", "批量接单 (b)", "详细数据 (Enter)", "网点揽件 (F4)"} <= set(commands)
        assert "揽件确认 (p)" not in commands
        assert commands["接单 (a)"].help == "本屏幕" and commands["网点揽件 (F4)"].help == "任何屏幕"
        target = app.screen.query_one(OrderList).highlighted.id
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"接单 (a)")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert order(db_path, target)["status"] == "accepted"


async def test_worker_errors_reach_the_one_handler(make_app):
    app = make_app()

    def broken() -> None:
        raise ZeroDivisionError("boom")

    def refused() -> None:
        raise DomainError("订单 X: 不行")

    def busy() -> None:
        raise StoreBusy("station.db: 数据库正被另一个终端写入")

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.jobs.run(refused)
        await settle(pilot)
        assert message(app) == "订单 X: 不行" and app.message[1] == "error"
        app.jobs.run(busy)
        await settle(pilot)
        assert message(app) == "station.db: 数据库正被另一个终端写入"
        app.jobs.run(broken)
        await settle(pilot)
        assert "内部错误" in message(app) and "ZeroDivisionError: boom" in message(app)
        assert app.is_running


async def test_feed_text_is_shown_as_plain_text(make_app, db_path):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' ORDER BY order_time, id LIMIT 1")[0]["id"]
    # Written past the import (which cleans too), as a synced or older row could be.
    db_exec(db_path, "UPDATE orders SET sender_name = ?, note = ?, sender_address = ? WHERE id = ?",
            "[b]x[/]", "\x1b]0;pwned\x07请\x1b[31m下午\u202e来取", "文三路[link=http://e.vil]1号[/link]", target)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        line = lst.render_line(1).text
        assert "[b]x[/]" in line and "文三路[li" in line and "\x1b" not in line
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        fields = dict(app.screen.fields())
        assert fields["寄件人"] == "[b]x[/]"
        assert fields["需求描述"] == "请下午来取"
        shot = app.export_screenshot()
        assert "[b]x[/]" in shot and "pwned" not in shot


async def test_paging_moves_by_keyset_pages(make_app, db_path):
    ids = [r["id"] for r in db_rows(db_path, "SELECT id FROM orders WHERE status = 'accepted' ORDER BY order_time, id")]
    app = make_app()
    async with app.run_test(size=(120, 14)) as pilot:  # a short page keeps the key presses few
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        n = lst.page_size
        assert 3 <= n < 10
        assert [v.id for v in lst.views] == ids[:n]
        await pilot.press("pagedown")
        await settle(pilot)
        assert [v.id for v in lst.views] == ids[n: 2 * n]
        await pilot.press("pageup")
        await settle(pilot)
        assert [v.id for v in lst.views] == ids[:n]
        await pilot.press("pageup")
        await settle(pilot)
        assert "第一页" in message(app)
        await pilot.press("end")
        await settle(pilot)
        assert [v.id for v in lst.views] == ids[-n:] and lst.cursor == n - 1
        await pilot.press("down")  # past the last row: nothing more
        await settle(pilot)
        assert "最后一页" in message(app)
        await pilot.press("home")
        await settle(pilot)
        for _ in range(n):
            await pilot.press("down")
        await settle(pilot)
        assert [v.id for v in lst.views] == ids[1: n + 1] and lst.highlighted.id == ids[n]
        await pilot.press(*["up"] * n)
        await settle(pilot)
        assert lst.highlighted.id == ids[0]


async def test_a_smaller_terminal_gets_a_smaller_page(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        big = len(lst.views)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert len(lst.views) == lst.page_size < big
        header = lst.render_line(0).text
        assert "剩余" in header and "物流号" in header


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_list_rows_fit_the_width(make_app, size):
    from rich.cells import cell_len

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        for y in range(len(lst.views) + 1):
            assert cell_len(lst.render_line(y).text) == lst.size.width


async def test_at_80_columns_help_and_quit_stay_on_the_key_bar(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(KeyBar)
        lines = bar.lines(80)
        shown = [key for line in lines for key, _desc, _on in line]
        assert len(lines) <= 3 and "F1" in shown and "F10" in shown
        assert "a" in shown and "b" in shown  # the list's own keys come first
        assert len(shown) == len(bar.entries())  # in their short words, every key still shows
        assert {"F8", "F9", "Ctrl+R", "Ctrl+P"} <= set(shown)
