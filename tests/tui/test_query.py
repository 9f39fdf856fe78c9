"""电商订单查询 both ways, and 详细数据: every field, the masked phone and its reveal key,
the order's full history."""

from __future__ import annotations

from textual.widgets import Input, Select

from stationdesk.tui.screens.detail import DetailScreen
from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_rows, events, message, order, settle

SIZE = (120, 40)


async def open_query(pilot) -> QueryScreen:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, QueryScreen)
    return screen


async def test_query_opens_on_the_last_seven_days(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_query(pilot)
        lst = screen.query_one(OrderList)
        # order_time is stored as sortable UTC text; 2026-11-17 00:00 in Shanghai is 11-16 16:00 UTC
        first = db_rows(db_path, "SELECT id FROM orders WHERE order_time >= '2026-11-16T16:00:00' "
                                 "ORDER BY order_time, id LIMIT 1")[0]["id"]
        assert lst.views[0].id == first
        total = db_rows(db_path, "SELECT count(*) FROM orders WHERE order_time >= '2026-11-16T16:00:00'")[0][0]
        assert lst.total == total
        assert screen.query_one("#q-number", Input).has_focus  # ready for a scanner


async def test_query_by_logistics_number_then_details(make_app, db_path):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'picked_up' LIMIT 1")[0]["id"]
    row = order(db_path, target)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_query(pilot)
        await pilot.press(*row["logistics_no"], "enter")
        await settle(pilot)
        lst = screen.query_one(OrderList)
        assert [v.id for v in lst.views] == [target]
        assert lst.has_focus
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        fields = dict(detail.fields())
        assert fields["物流号"] == row["logistics_no"]
        assert fields["运单号"] == row["waybill_no"]
        assert fields["电话"] == f"{row['sender_phone'][:3]}****{row['sender_phone'][-4:]}"
        assert fields["状态"] == "揽件成功"
        history = detail.history()
        assert [h[1] for h in history][:2] == ["订单推送", "网点接单"]
        assert len(history) == len(events(db_path, target))
        await pilot.press("v")
        await settle(pilot)  # the reveal is written to the access log first
        assert dict(detail.fields())["电话"] == row["sender_phone"]
        await pilot.press("v")
        assert "****" in dict(detail.fields())["电话"]
        await pilot.press("escape")
        assert app.screen is screen


async def test_query_by_waybill_number(make_app, db_path):
    row = db_rows(db_path, "SELECT id, waybill_no FROM orders WHERE waybill_no IS NOT NULL LIMIT 1")[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_query(pilot)
        screen.query_one("#q-number", Input).value = row["waybill_no"]
        await pilot.press("enter")
        await settle(pilot)
        assert [v.id for v in screen.query_one(OrderList).views] == [row["id"]]
        assert "按物流号/运单号查询" in str(screen.query_one("#heading").render())


async def test_query_by_date_with_the_cancellation_filter_then_mark_handled(make_app, db_path):
    unhandled = [r["id"] for r in db_rows(
        db_path, "SELECT id FROM orders WHERE cancelled AND NOT cancel_handled AND order_time >= '2026-11-16T16:00:00' "
                 "ORDER BY order_time, id")]
    assert unhandled
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_query(pilot)
        select = screen.query_one("#q-cancel", Select)
        select.focus()
        await pilot.press("enter", "down", "enter")  # 全部 -> 未做撤单处理
        await settle(pilot)
        assert select.value == "unhandled"
        lst = screen.query_one(OrderList)
        assert [v.id for v in lst.views] == unhandled[: lst.page_size]
        lst.focus()
        await pilot.press("h")
        await settle(pilot)
        assert order(db_path, unhandled[0])["cancel_handled"] == 1
        assert "已做撤单处理" in message(app)
        assert unhandled[0] not in [v.id for v in lst.views]


async def test_query_filters_narrow_the_list(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_query(pilot)
        screen.query_one("#q-status", Select).value = "accept_failed"
        screen.query_one("#q-business", Select).value = "send_parcel"
        await settle(pilot)
        lst = screen.query_one(OrderList)
        expected = db_rows(db_path, "SELECT count(*) FROM orders WHERE status = 'accept_failed' AND "
                                    "business_type = 'send_parcel' AND order_time >= '2026-11-16T16:00:00'")[0][0]
        assert lst.total == expected
        assert all(v.row["status"] == "accept_failed" and v.row["business_type"] == "send_parcel" for v in lst.views)


async def test_a_bad_date_is_refused_and_the_list_kept(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_query(pilot)
        lst = screen.query_one(OrderList)
        before = lst.filter
        start = screen.query_one("#q-start", Input)
        start.value = "2026-13-40"
        start.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert lst.filter == before
        assert "2026-13-40" in message(app) and app.message[1] == "warning"


async def test_the_phone_is_masked_in_lists(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:  # wide enough for the phone column
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        for y in range(1, len(lst.views) + 1):
            phone = lst.views[y - 1].row["sender_phone"]
            text = lst.render_line(y).text
            assert phone not in text and "****" in text
