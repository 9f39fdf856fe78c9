"""网点揽件: 揽件确认 with a valid and an invalid waybill, the pre-filled and reminder shapes,
and a failed pickup with its reason."""

from __future__ import annotations

from textual.widgets import Input

from stationdesk.tui.dialogs.reason import ReasonDialog
from stationdesk.tui.dialogs.waybill import WaybillDialog
from stationdesk.tui.screens.pickup import PickupScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_rows, message, order, settle

SIZE = (120, 40)


def accepted(path, where: str) -> int:  # noqa: ANN001
    return db_rows(path, f"SELECT id FROM orders WHERE status = 'accepted' AND {where} ORDER BY order_time, id")[0]["id"]


async def open_pickup_on(pilot, path, order_id: int) -> OrderList:  # noqa: ANN001
    """F4, then find the order by scanning its logistics number into the filter bar."""
    app = pilot.app
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, PickupScreen)
    await pilot.press("slash")
    number = app.screen.query_one("#f-number", Input)
    number.focus()
    number.value = order(path, order_id)["logistics_no"]  # as a scanner would type it (typing is tested on 网点接单)
    await pilot.press("enter", "escape")
    await settle(pilot)
    lst = app.screen.query_one(OrderList)
    assert [v.id for v in lst.views] == [order_id] and lst.has_focus
    return lst


async def test_pickup_list_shows_accepted_orders_with_hours_left(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        ids = [r["id"] for r in db_rows(db_path, "SELECT id FROM orders WHERE status='accepted' ORDER BY order_time, id")]
        assert [v.id for v in lst.views] == ids[: lst.page_size]
        assert "时" in lst.render_line(1).text


async def test_confirm_pickup_with_a_valid_waybill(make_app, db_path):
    target = accepted(db_path, "business_type = 'send_parcel' AND waybill_no IS NULL")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_pickup_on(pilot, db_path, target)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, WaybillDialog)
        app.screen.query_one("#waybill", Input).value = "1234-5678 9012"  # scanners and people add dashes
        await pilot.press("enter")
        await settle(pilot)
        row = order(db_path, target)
        assert (row["status"], row["waybill_no"]) == ("picked_up", "123456789012")
        assert "当前记录揽件成功" in message(app)
        assert isinstance(app.screen, PickupScreen)


async def test_an_invalid_waybill_is_refused_in_place(make_app, db_path):
    target = accepted(db_path, "business_type = 'send_parcel' AND waybill_no IS NULL")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_pickup_on(pilot, db_path, target)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"12AB34", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, WaybillDialog)
        assert "格式不对" in str(dialog.query_one("#error").render())
        assert dialog.query_one("#waybill", Input).value == "12AB34"
        row = order(db_path, target)
        assert (row["status"], row["waybill_no"]) == ("accepted", None)


async def test_a_waybill_already_used_by_another_order_is_refused(make_app, db_path):
    target = accepted(db_path, "business_type = 'send_parcel' AND waybill_no IS NULL")
    taken = db_rows(db_path, "SELECT waybill_no FROM orders WHERE waybill_no IS NOT NULL LIMIT 1")[0][0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_pickup_on(pilot, db_path, target)
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#waybill", Input).value = taken
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WaybillDialog)
        assert "已用于订单" in str(app.screen.query_one("#error").render())
        assert "已用于订单" in message(app)  # the one error handler showed it too
        assert order(db_path, target)["status"] == "accepted"


async def test_an_online_order_with_its_waybill_is_pre_filled(make_app, db_path):
    target = accepted(db_path, "business_type = 'online_order' AND waybill_no IS NOT NULL")
    waybill = order(db_path, target)["waybill_no"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_pickup_on(pilot, db_path, target)
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.query_one("#waybill", Input).value == waybill
        await pilot.press("enter")
        await settle(pilot)
        assert order(db_path, target)["status"] == "picked_up"


async def test_an_online_order_with_only_a_logistics_number_shows_the_reminder(make_app, db_path):
    target = accepted(db_path, "business_type = 'online_order' AND waybill_no IS NULL")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_pickup_on(pilot, db_path, target)
        await pilot.press("p")
        await settle(pilot)
        note = app.screen.query_one("#waybill-note")
        assert note.has_class("dialog-remind") and "提醒客户" in str(note.render())
        await pilot.press("enter")  # nothing typed: 当前记录揽件成功 with the reminder (first way)
        await settle(pilot)
        row = order(db_path, target)
        assert row["status"] == "picked_up" and row["waybill_no"] is None
        assert "提醒客户" in message(app) and app.message[1] == "warning"


async def test_fail_pickup_with_a_reason(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        target = app.screen.query_one(OrderList).highlighted.id
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter", "enter")  # 客户取消, no note
        await settle(pilot)
        row = order(db_path, target)
        assert (row["status"], row["fail_reason"]) == ("pickup_failed", "customer_cancelled")
        assert "揽收失败" in message(app)
