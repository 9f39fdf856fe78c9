"""网点接单 through the keys: accept, select and batch-accept, select all, fail, transfer."""

from __future__ import annotations

from textual.widgets import Input

from stationdesk.tui.dialogs.confirm import ConfirmDialog
from stationdesk.tui.dialogs.reason import ReasonDialog
from stationdesk.tui.dialogs.transfer import TransferDialog
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import OPERATOR, db_rows, events, message, order, settle

SIZE = (120, 40)


def waiting_ids(path, *, in_area: bool | None = None) -> list[int]:  # noqa: ANN001
    sql = "SELECT id FROM orders WHERE status = 'waiting'"
    if in_area is not None:
        sql += f" AND out_of_area = {0 if in_area else 1}"
    return [r["id"] for r in db_rows(path, sql + " ORDER BY order_time, id")]


async def go_to(pilot, lst: OrderList, order_id: int) -> None:  # noqa: ANN001
    """Move the cursor with the arrow keys to the row of ``order_id`` (on the page in view)."""
    target = [v.id for v in lst.views].index(order_id)
    while lst.cursor < target:
        await pilot.press("down")
    while lst.cursor > target:
        await pilot.press("up")


async def test_waiting_orders_oldest_first_with_time_left(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen)
        lst = app.screen.query_one(OrderList)
        assert [v.id for v in lst.views] == waiting_ids(db_path)
        assert lst.total == len(waiting_ids(db_path))
        first = lst.render_line(1).text
        # 20 minutes after seeding, the oldest waiting order is 12.5 minutes overdue: in its 13th minute
        assert "-13分" in first
        # out-of-area orders are marked with the station they belong to
        out = [i for i, v in enumerate(lst.views) if v.out_of_area]
        assert out and "超区>" in lst.render_line(out[0] + 1).text


async def test_accept_highlighted_order(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = waiting_ids(db_path, in_area=True)[0]
        await go_to(pilot, lst, target)
        await pilot.press("a")
        await settle(pilot)
        assert order(db_path, target)["status"] == "accepted"
        last = events(db_path, target)[-1]
        assert (last["action"], last["operator"]) == ("accept", OPERATOR)
        assert "接单成功" in message(app)
        assert target not in [v.id for v in lst.views]


async def test_accepting_an_out_of_area_order_is_refused_and_changes_nothing(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = waiting_ids(db_path, in_area=False)[0]
        before = order(db_path, target)
        await go_to(pilot, lst, target)
        await pilot.press("a")
        await settle(pilot)
        assert dict(order(db_path, target)) == dict(before)
        assert "不在本网点服务范围" in message(app)
        assert app.message[1] == "error"


async def test_batch_accept_of_a_selection(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        chosen = waiting_ids(db_path, in_area=True)[1:3]
        for order_id in chosen:
            await go_to(pilot, lst, order_id)
            await pilot.press("space")
        assert lst.selected == set(chosen)
        assert app.screen.unsaved()  # a selection not yet accepted counts as unsaved work
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert [order(db_path, i)["status"] for i in chosen] == ["accepted", "accepted"]
        assert "批量接单成功: 2 单" in message(app)
        assert not lst.selected


async def test_select_all_waiting_then_batch_accept(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        in_area = waiting_ids(db_path, in_area=True)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert lst.selected == set(in_area)
        await pilot.press("b", "enter")
        await settle(pilot)
        assert waiting_ids(db_path, in_area=True) == []
        assert waiting_ids(db_path, in_area=False)  # out-of-area orders are left to be transferred
        assert [v.id for v in lst.views] == waiting_ids(db_path)
        assert app.counts is not None and app.counts.waiting == len(waiting_ids(db_path))


async def test_batch_without_selection_says_so(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen)
        assert "没有选择订单" in message(app)


async def test_fail_acceptance_with_a_reason(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(OrderList).highlighted.id
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("down", "enter")  # 联系不上客户
        await pilot.press(*"电话无人接听")
        await pilot.press("enter")
        await settle(pilot)
        row = order(db_path, target)
        assert (row["status"], row["fail_reason"], row["fail_note"]) == (
            "accept_failed", "customer_unreachable", "电话无人接听")
        assert isinstance(app.screen, AcceptScreen)


async def test_a_capacity_excuse_is_refused_in_place(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(OrderList).highlighted.id
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*["down"] * 5, "enter")  # 其他(须说明)
        await pilot.press(*"今天人手不够")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog)  # still open, the note kept
        assert dialog.query_one("#note", Input).value == "今天人手不够"
        assert "运力" in str(dialog.query_one("#error").render())
        assert order(db_path, target)["status"] == "waiting"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen)


async def test_transfer_to_the_suggested_station(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = waiting_ids(db_path, in_area=False)[0]
        suggested = order(db_path, target)["suggested_station"]
        await go_to(pilot, lst, target)
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TransferDialog)
        assert dialog.chosen() == suggested  # pre-selected
        await pilot.press("enter")
        await settle(pilot)
        row = order(db_path, target)
        assert (row["status"], row["transferred_to"]) == ("transferred", suggested)
        assert f"已转单至 {suggested}" in message(app)


async def test_transfer_to_the_data_center_found_by_name(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = app.screen.query_one(OrderList).highlighted.id
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"数据中心")
        assert app.screen.chosen() == "DC000"
        await pilot.press("enter")
        await settle(pilot)
        assert order(db_path, target)["transferred_to"] == "DC000"


async def test_letters_typed_into_the_filter_field_never_run_actions(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = waiting_ids(db_path)
        await pilot.press("slash")
        number = app.screen.query_one("#f-number", Input)
        number.focus()
        await pilot.press(*"abtf ", "p")
        await settle(pilot)
        assert number.value == "abtf p"
        assert waiting_ids(db_path) == before
        assert isinstance(app.screen, AcceptScreen)


async def test_filter_by_number_and_by_area(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = waiting_ids(db_path)[3]
        logistics = order(db_path, target)["logistics_no"]
        await pilot.press("slash")
        app.screen.query_one("#f-number", Input).focus()
        await pilot.press(*logistics, "enter")
        await settle(pilot)
        assert [v.id for v in lst.views] == [target]
        await pilot.press("escape")  # back to the list; the bar stays while a filter is set
        await settle(pilot)
        assert lst.has_focus and app.screen.query_one("#filters").display
        app.screen.query_one("#f-number", Input).value = ""
        app.screen.query_one("#f-area").value = "out"
        await settle(pilot)
        assert [v.id for v in lst.views] == waiting_ids(db_path, in_area=False)


async def test_an_order_changed_elsewhere_is_refused_and_the_list_refreshed(make_app, db_path):
    from tui_support import db_exec

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lst = app.screen.query_one(OrderList)
        target = lst.highlighted.id
        # another terminal accepts it first
        db_exec(db_path, "UPDATE orders SET status = 'accepted', version = version + 1 WHERE id = ?", target)
        await pilot.press("a")
        await settle(pilot)
        assert "不能执行" in message(app)
        assert target not in [v.id for v in lst.views]
