"""The traps a clerk met in a working day, each held shut by a test: where the focus goes on F2
and in the filter bars, how numbers are matched, what a refresh shows."""

from __future__ import annotations

from textual.widgets import Input

from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_rows, order, settle

SIZE = (120, 40)


def waiting_ids(path):  # noqa: ANN001, ANN201
    return [r["id"] for r in db_rows(path, "SELECT id FROM orders WHERE status = 'waiting' AND out_of_area = 0 "
                                           "ORDER BY order_time, id")]


async def test_a_number_typed_on_any_visit_to_the_query_searches_by_number(make_app, db_path):
    first, second = db_rows(db_path, "SELECT id, logistics_no FROM orders ORDER BY id LIMIT 2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueryScreen)
        await pilot.press(*first["logistics_no"], "enter")
        await settle(pilot)
        lst = screen.query_one(OrderList)
        assert [v.id for v in lst.views] == [first["id"]]
        assert lst.has_focus  # Enter handed the focus to the list
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f2")  # the tenth visit: the focus was on the list
        await settle(pilot)
        await pilot.press(*second["logistics_no"], "enter")
        await settle(pilot)
        assert [v.id for v in lst.views] == [second["id"]]
        assert screen.query_one("#q-number", Input).value == second["logistics_no"]  # replaced, not appended


async def test_the_filter_key_in_the_number_field_types_nothing(make_app, db_path):
    row = db_rows(db_path, "SELECT id, logistics_no FROM orders ORDER BY id LIMIT 1")[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("slash", *row["logistics_no"], "enter")
        await settle(pilot)
        assert app.screen.query_one("#q-number", Input).value == row["logistics_no"]
        assert [v.id for v in app.screen.query_one(OrderList).views] == [row["id"]]
        await pilot.press("slash")  # from the list: one key back to the number field
        assert app.screen.query_one("#q-number", Input).has_focus
        app.screen.query_one("#q-source").focus()
        await pilot.press("f2")  # from a pick list of the form: F2 again
        await settle(pilot)
        assert app.screen.query_one("#q-number", Input).has_focus


async def test_numbers_match_in_any_case_and_by_their_first_characters(make_app, db_path):
    row = db_rows(db_path, "SELECT logistics_no, waybill_no FROM orders WHERE logistics_no LIKE 'KD%' "
                           "AND waybill_no IS NOT NULL LIMIT 1")[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        await pilot.press(*row["logistics_no"].lower(), "enter")
        await settle(pilot)
        assert [v.row["logistics_no"] for v in lst.views] == [row["logistics_no"]]
        prefix = row["logistics_no"][:8].lower()
        await pilot.press("slash", *prefix, "enter")
        await settle(pilot)
        expected = db_rows(db_path, "SELECT count(*) FROM orders WHERE logistics_no LIKE ? OR waybill_no LIKE ?",
                           prefix + "%", prefix + "%")[0][0]
        assert expected > 1
        assert lst.total == expected
        assert all(v.row["logistics_no"].lower().startswith(prefix) for v in lst.views)
        await pilot.press("slash", *row["waybill_no"][:9], "enter")
        await settle(pilot)
        assert lst.views and all(v.row["waybill_no"].startswith(row["waybill_no"][:9]) for v in lst.views)


async def test_the_filter_bar_opens_on_the_number_and_enter_returns_to_the_list(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = waiting_ids(db_path)[2]
        logistics = order(db_path, target)["logistics_no"]
        await pilot.press("slash")  # one key to the number field of 网点接单's filter bar
        assert app.screen.query_one("#f-number", Input).has_focus
        await pilot.press(*logistics, "enter")
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        assert [v.id for v in lst.views] == [target]
        assert lst.has_focus
        await pilot.press("a")  # the next key is an action, not a letter in the field
        await settle(pilot)
        assert order(db_path, target)["status"] == "accepted"
        assert app.screen.query_one("#f-number", Input).value == logistics
        assert isinstance(app.screen, AcceptScreen)


async def test_a_transfer_the_directory_does_not_support_asks_first_naming_the_fine(make_app, db_path):
    from stationdesk.tui.dialogs.confirm import ConfirmDialog
    from stationdesk.tui.dialogs.transfer import TransferDialog

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = lst.highlighted.id
        assert not order(db_path, target)["out_of_area"]  # the station's own order
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"HZ002", "enter")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        words = " ".join([question.question, *question.details])
        assert "HZ002" in words and "100 元" in words and "HZ001" in words
        assert order(db_path, target)["status"] == "waiting"
        await pilot.press("escape")  # no: back to the transfer dialog, nothing done
        await settle(pilot)
        assert isinstance(app.screen, TransferDialog)
        assert order(db_path, target)["status"] == "waiting"
        await pilot.press("enter", "enter")  # yes
        await settle(pilot)
        assert order(db_path, target)["transferred_to"] == "HZ002"
        assert isinstance(app.screen, AcceptScreen)


async def test_quit_with_actions_not_yet_sent_to_head_office_asks_first(make_app, db_path, monkeypatch):
    from stationdesk.tui.dialogs.confirm import ConfirmDialog

    app = make_app()
    exits: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "exit", lambda *a, **k: exits.append(True))
        await pilot.press("a")  # one accept: one op waits for the next sync
        await settle(pilot)
        pending = db_rows(db_path, "SELECT count(*) FROM outbox WHERE acked_at IS NULL")[0][0]
        assert pending >= 1
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog) and not exits
        assert any(str(pending) in line for line in app.screen.details)
        await pilot.press("enter")
        assert exits == [True]


async def test_f5_brings_the_most_urgent_rows_into_view_and_the_row_number_shows(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(120, 16)) as pilot:  # a page of a few rows
        await settle(pilot)
        screen = app.screen
        lst = screen.query_one(OrderList)
        ids = [r["id"] for r in db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' ORDER BY order_time, id")]
        assert len(ids) >= 5 + lst.page_size
        target = ids[5]
        from datetime import UTC, datetime

        at = datetime.fromisoformat(order(db_path, target)["order_time"])
        screen.show_order(target, at if at.tzinfo else at.replace(tzinfo=UTC))  # as the alert's jump does
        await settle(pilot)
        assert lst.views[0].id == target  # five more urgent rows are above the page
        await pilot.press("f5")
        await settle(pilot)
        assert lst.views[0].id == ids[0] and lst.highlighted.id == target
        assert lst.position == 6
        assert "第 6 行" in str(screen.query_one("#heading").render())
        await pilot.press("down")
        assert "第 7 行" in str(screen.query_one("#heading").render())


async def test_time_left_of_an_order_overdue_for_days_is_never_cut(make_app, db_path):
    from datetime import timedelta

    from tui_support import NOW, line_text

    app = make_app(now=NOW + timedelta(days=20))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("f3", "f4"):
            await pilot.press(key)
            await settle(pilot)
            lst = app.screen.query_one(OrderList)
            first = line_text(lst, 1)
            assert "~" not in first[:12], first
            assert "天" in first[:12] and "时" in first[:12], first


async def test_columns_give_way_by_priority_and_no_header_is_cut(make_app, db_path):
    from tui_support import line_text

    for width, config in ((80, ""), (120, ""), (160, ""), (80, '[station]\nlanguage = "en"\n'),
                          (160, '[station]\nlanguage = "en"\n')):
        app = make_app(config)
        async with app.run_test(size=(width, 30)) as pilot:
            await settle(pilot)
            for key in ("f3", "f4", "f2"):
                await pilot.press(key)
                await settle(pilot)
                lst = app.screen.query_one(OrderList)
                header = line_text(lst, 0)
                assert "~" not in header, (width, key, header)
                shown = {c.key for c, _w in lst._layout(lst.size.width)}
                dropped = [c for c in lst.columns if c.key not in shown]
                assert all(c.priority > 2 for c in dropped), (width, key, dropped)  # the first ones always stay
                if width >= 160:
                    assert not dropped, (key, [c.key for c in dropped])
                if width >= 160 and key == "f3" and not config:
                    assert "线上/线下" in header and "数据来源" in header
                if key == "f2":  # the status column holds every status in full
                    status_width = dict((c.key, w) for c, w in lst._layout(lst.size.width))["status"]
                    cells = [line_text(lst, y)[:status_width] for y in range(1, len(lst.views) + 1)]
                    assert cells and not any("~" in cell for cell in cells), cells
                if width == 80 and key == "f3":
                    assert {"left", "logistics_no", "area", "business_type"} <= shown


async def test_the_wheel_scrolls_a_list_a_click_highlights_and_the_key_bar_answers_clicks(make_app, db_path):
    from textual import events as ev

    from stationdesk.tui.screens.pickup import PickupScreen
    from stationdesk.tui.widgets.key_bar import KeyBar

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        await pilot._post_mouse_events([ev.MouseScrollDown], widget=lst, offset=(5, 5))
        await pilot._post_mouse_events([ev.MouseScrollDown], widget=lst, offset=(5, 5))
        assert lst.cursor == 2
        await pilot._post_mouse_events([ev.MouseScrollUp], widget=lst, offset=(5, 5))
        assert lst.cursor == 1
        await pilot.click(lst, offset=(20, 5))  # row 5 under the header line
        assert lst.cursor == 4
        bar = app.screen.query_one(KeyBar)
        bar.render()
        hit = next(h for h in bar._hits if h[3] == "F4")
        await pilot.click(bar, offset=(hit[1] + 1, hit[0]))
        await settle(pilot)
        assert isinstance(app.screen, PickupScreen)


def _alert(app, db_path):  # noqa: ANN001, ANN202
    """Raise 您还有未接订单 as the scheduled check does, with the counts of the moment."""
    from stationdesk.alerts.rule import Alert

    c = app.counts
    app.alerts.raise_alert(Alert(c.waiting, c.overdue, c.due_soon, 10))


def _escalate(app, db_path, ids):  # noqa: ANN001, ANN202
    from datetime import UTC, datetime, timedelta

    from stationdesk.alerts.rule import Escalation, UrgentOrder

    urgent = []
    for i in ids:
        row = order(db_path, i)
        at = datetime.fromisoformat(row["order_time"])
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        urgent.append(UrgentOrder(i, row["logistics_no"], at, at + timedelta(minutes=30)))
    app.alerts.raise_escalation(Escalation(tuple(urgent)), app.now())


def _area(app):  # noqa: ANN001, ANN202
    from stationdesk.tui.widgets.alert_bar import AlertBar

    bar = app.screen.query_one(AlertBar)
    return bar.render().plain if bar.display else ""


def _toasts(app):  # noqa: ANN001, ANN202
    return [t.render().plain for t in app.screen.query("Toast")]


async def test_the_alert_counts_update_in_place_and_answered_orders_leave_the_area(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        waiting = app.counts.waiting
        _alert(app, db_path)
        lst = app.screen.query_one(OrderList)
        first, second = lst.views[0].id, lst.views[1].id
        _escalate(app, db_path, [first])
        _escalate(app, db_path, [second])  # a minute later, another order: the same area, one line
        await settle(pilot)
        area = _area(app)
        assert f"等待接单 {waiting} 单" in area
        assert area.count("订单即将接单超时") == 1
        assert order(db_path, first)["logistics_no"] in area and order(db_path, second)["logistics_no"] in area
        assert _toasts(app) == []
        await pilot.press("a")  # accept the highlighted (first) order
        await settle(pilot)
        area = _area(app)
        assert f"等待接单 {waiting - 1} 单" in area  # the same area, its counts as they are now
        assert order(db_path, first)["logistics_no"] not in area
        assert order(db_path, second)["logistics_no"] in area


async def test_esc_acknowledges_the_alert_before_it_leaves_scan_mode(make_app, db_path):
    from stationdesk.tui.screens.scan import ScanScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        _alert(app, db_path)
        await settle(pilot)
        assert "您还有未接订单" in _area(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ScanScreen) and app.alerts.alert is None and _area(app) == ""
        await pilot.press("escape")  # then Esc leaves as before
        await settle(pilot)
        assert not isinstance(app.screen, ScanScreen)


async def test_one_toast_at_a_time_and_the_message_line_stays_with_its_screen(make_app, db_path):
    from tui_support import message

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.say("第一个错误", severity="error")
        app.say("第二个警告" * 10, severity="warning")  # a long one: read whole, over two lines
        await settle(pilot)
        assert len(_toasts(app)) == 1
        line = app.screen.query_one("MessageLine")
        assert line.size.height >= 2 and "~" not in line.render().plain and "…" not in line.render().plain
        await pilot.press("f4")
        await settle(pilot)
        assert message(app) == "" and _toasts(app) == []


async def _find(pilot, number):  # noqa: ANN001, ANN202
    await pilot.press("f2")
    await settle(pilot)
    await pilot.press(*number, "enter")
    await settle(pilot)


async def test_accept_pickup_transfer_and_fail_from_the_query_and_from_details(make_app, db_path):
    from stationdesk.tui.dialogs.reason import ReasonDialog
    from stationdesk.tui.dialogs.transfer import TransferDialog
    from stationdesk.tui.dialogs.waybill import WaybillDialog
    from stationdesk.tui.screens.detail import DetailScreen

    waiting = waiting_ids(db_path)
    out = db_rows(db_path, "SELECT id, logistics_no, suggested_station FROM orders WHERE status = 'waiting' "
                           "AND out_of_area = 1 AND suggested_station IS NOT NULL LIMIT 1")[0]
    accepted = db_rows(db_path, "SELECT id, logistics_no FROM orders WHERE status = 'accepted' "
                                "AND waybill_no IS NOT NULL LIMIT 1")[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # from the query's results: a (accept)
        await _find(pilot, order(db_path, waiting[0])["logistics_no"])
        await pilot.press("a")
        await settle(pilot)
        assert order(db_path, waiting[0])["status"] == "accepted"
        assert isinstance(app.screen, QueryScreen)
        assert app.screen.query_one(OrderList).views[0].cells["status"] == "接单成功"  # the row as it is now
        # f on an accepted order: 揽收失败, the reason dialog
        await _find(pilot, accepted["logistics_no"])
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog) and "揽收失败" in app.screen.title_text
        await pilot.press("escape")
        await settle(pilot)
        # from 详细数据: p (揽件确认 with the waybill the order has), then t on another order
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, WaybillDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert order(db_path, accepted["id"])["status"] == "picked_up"
        assert dict(app.screen.fields())["状态"] == "揽件成功"  # 详细数据 shows the order as it is now
        await pilot.press("escape")
        await settle(pilot)
        await _find(pilot, out["logistics_no"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferDialog) and app.screen.chosen() == out["suggested_station"]
        await pilot.press("enter")
        await settle(pilot)
        assert order(db_path, out["id"])["transferred_to"] == out["suggested_station"]
        assert isinstance(app.screen, DetailScreen)


async def test_f1_shows_this_screens_keys_then_the_rules_within_80x24(make_app):
    from stationdesk.tui.screens.help import HelpScreen

    for config in ("", '[station]\nlanguage = "en"\n'):
        app = make_app(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            keys = app.screen.query_one("#help-screen")
            rules = app.screen.query_one("#help-rules")
            text = keys.render()
            assert "accept.select_all" not in str(text)  # no internal action ids
            # both parts are wholly on the 80x24 screen, one line per rule
            assert rules.region.y + rules.region.height <= 23 and keys.region.y < rules.region.y
            assert rules.region.height == len(app.screen.rules()) + 1
            words = " ".join(app.screen.rules())
            for must in (("30", "16", "100", "500") if config else ("30 分钟", "16 小时", "100", "500", "转")):
                assert must in words
