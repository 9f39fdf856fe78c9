"""The desk's order exceptions: correcting an address, flagging and failing a duplicate."""

from __future__ import annotations

import json
from datetime import timedelta

from textual.widgets import Input

from stationdesk.store.duplicates import flag_duplicates
from stationdesk.store.queries import order_by_id
from stationdesk.store.values import from_db, to_db
from stationdesk.tui.dialogs.correct import CorrectDialog
from stationdesk.tui.dialogs.duplicate import DuplicateDialog
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_exec, db_rows, events, message, order, settle

SIZE = (120, 40)


async def open_on(pilot, path, order_id: int, key: str) -> OrderList:  # noqa: ANN001
    """Open a list screen and find the order by typing its number into the filter bar."""
    app = pilot.app
    await pilot.press(key)
    await settle(pilot)
    await pilot.press("slash")
    number = app.screen.query_one("#f-number", Input)
    number.focus()
    number.value = order(path, order_id)["logistics_no"]
    await pilot.press("enter", "escape")
    await settle(pilot)
    lst = app.screen.query_one(OrderList)
    assert [v.id for v in lst.views] == [order_id] and lst.has_focus
    return lst


async def test_correcting_an_address_in_the_desk(make_app, db_path):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'accepted' ORDER BY order_time, id")[0]["id"]
    before_phone = order(db_path, target)["sender_phone"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_on(pilot, db_path, target, "f4")
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CorrectDialog)
        assert dialog.query_one("#c-sender_phone", Input).value == ""  # never shown without the reveal
        dialog.query_one("#c-sender_address", Input).value = "文一西路 998 号"
        dialog.query_one("#c-reason", Input).focus()
        await pilot.press("enter")  # no reason yet
        await settle(pilot)
        assert isinstance(app.screen, CorrectDialog) and order(db_path, target)["sender_address"] != "文一西路 998 号"
        dialog.query_one("#c-reason", Input).value = "客户来电更正地址"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CorrectDialog)
        row = order(db_path, target)
        assert row["sender_address"] == "文一西路 998 号" and row["sender_phone"] == before_phone
        assert "已更正" in message(app)
        # the courier's list shows the new address
        assert app.screen.query_one(OrderList).views[0].cells["address"] == "文一西路 998 号"
        last = events(db_path, target)[-1]
        details = json.loads(last["details"])
        assert last["action"] == "correct_info" and details["reason_text"] == "客户来电更正地址"
        assert before_phone not in last["details"]


async def test_flagging_and_failing_a_duplicate_in_the_desk(make_app, db_path):
    first, second = [r["id"] for r in db_rows(
        db_path, "SELECT id FROM orders WHERE status = 'waiting' AND out_of_area = 0 ORDER BY id")[:2]]
    a = order(db_path, first)
    later = to_db(from_db(a["order_time"]) + timedelta(minutes=1))  # the same customer one minute later
    db_exec(db_path, "UPDATE orders SET sender_phone = ?, sender_district = ?, sender_address = ?, goods = ?, "
            "order_time = ? WHERE id = ?", a["sender_phone"], a["sender_district"], a["sender_address"], a["goods"],
            later, second)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk = app.desk
        with desk.db.write() as conn:  # as if it had just arrived: what the import and the pull do
            flagged = flag_duplicates(conn, [order_by_id(conn, second)], timedelta(minutes=30), desk.now())
        assert flagged == {second: first}
        lst = await open_on(pilot, db_path, second, "f3")
        assert isinstance(app.screen, AcceptScreen)
        assert lst.views[0].duplicate_of == a["logistics_no"] and "重复下单?" in lst.views[0].cells["area"]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateDialog)
        await pilot.press("enter")  # the first choice: fail it as a duplicate
        await settle(pilot)
        assert not isinstance(app.screen, DuplicateDialog)
        row = order(db_path, second)
        assert row["status"] == "accept_failed" and row["fail_reason"] == "duplicate_order"
        assert order(db_path, first)["status"] == "waiting"


async def test_an_unflagged_order_has_no_duplicate_action(make_app, db_path):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' ORDER BY order_time, id")[0]["id"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_on(pilot, db_path, target, "f3")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen) and "没有重复下单标记" in message(app)


async def test_the_desk_records_its_signed_in_session(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [row] = db_rows(db_path, "SELECT operator, ended_at FROM desk_session")
        assert row["ended_at"] is None
    [row] = db_rows(db_path, "SELECT operator, started_at, ended_at FROM desk_session")
    assert row["ended_at"] is not None and row["operator"] == app.operator


async def test_recording_a_logistics_exception_and_its_follow_up_in_the_desk(make_app, db_path):
    from stationdesk.tui.dialogs.follow_up import FollowUpDialog
    from stationdesk.tui.screens.exceptions import ExceptionsScreen

    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'picked_up' ORDER BY order_time, id")[0]["id"]
    ref = order(db_path, target)["logistics_no"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        number = app.screen.query_one("#q-number", Input)
        number.focus()
        number.value = ref
        await pilot.press("enter")
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        assert [v.id for v in lst.views] == [target]
        lst.focus()
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FollowUpDialog)
        await pilot.press("down", "enter")  # 破损 (damaged), then to the cause
        await settle(pilot)
        assert dialog.query_one("#note", Input).has_focus
        await pilot.press("enter")  # no cause: refused in place
        await settle(pilot)
        assert isinstance(app.screen, FollowUpDialog) and str(dialog.query_one("#error").render()) == "原因 不能为空"
        dialog.query_one("#note", Input).value = "外包装破损"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FollowUpDialog)
        [x] = db_rows(db_path, "SELECT kind, note, contacted_at FROM logistics_exception WHERE order_id = ?", target)
        assert (x["kind"], x["note"], x["contacted_at"]) == ("damaged", "外包装破损", None)

        await pilot.press("ctrl+o")  # the open exceptions, with age and contacted yes/no
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExceptionsScreen)
        [open_] = screen.picture.exceptions
        assert open_["order_id"] == target and open_["contacted"] is False
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#note", Input).value = "已电话告知客户"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.picture.exceptions[0]["contacted"] is True
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#note", Input).value = "已赔付"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.picture.exceptions == []
        actions = [e["action"] for e in events(db_path, target)][-3:]
        assert actions == ["logistics_exception", "exception_contacted", "exception_resolved"]


async def test_a_complaint_counted_down_and_closed_in_the_desk(make_app, db_path):
    from stationdesk.services.complaints import record_complaint
    from stationdesk.domain.exceptions import ComplaintCategory, ComplaintChannel
    from stationdesk.tui.screens.exceptions import ExceptionsScreen

    target = db_rows(db_path, "SELECT id FROM orders ORDER BY order_time, id")[0]["id"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        record_complaint(app.desk, target, ComplaintChannel.PHONE, ComplaintCategory.QUALITY, "物品受损", "张敏")
        await pilot.press("ctrl+o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExceptionsScreen)
        [c] = screen.picture.complaints
        assert c["left"] == timedelta(hours=48) and c["state"] == "open"
        table = screen.query_one("#complaints")
        assert "48时00分" in str(table.get_row_at(0)[4])
        table.focus()
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#note", Input).value = "客户确认满意"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.picture.complaints == []
        [row] = db_rows(db_path, "SELECT confirmation, closed_at FROM complaint")
        assert row["confirmation"] == "客户确认满意" and row["closed_at"] is not None
