"""How every screen looks at 120x40 (and the work list at 80x24), with a fixed clock and seed.

The SVG renderer draws CJK characters one cell wide (a known rich limitation): the column
alignment of Chinese text is checked in a real terminal, not here.
"""

from __future__ import annotations

from textual.widgets import Input

from tui_support import db_rows, order, settle

SIZE = (120, 40)


def steps(*keys: str, then=None):  # noqa: ANN001, ANN201
    """A run_before that waits for the first page, presses ``keys`` and waits again."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):  # a blinking cursor is drawn or not by the clock: hold it
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def test_accept_screen(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("space", "down", "space"))


def test_accept_screen_80x24(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=steps())


def test_accept_screen_in_english(make_app, snap_compare):
    app = make_app('[station]\nlanguage = "en"\n')
    assert snap_compare(app, terminal_size=SIZE, run_before=steps())


def test_accept_filter_bar(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("slash"))


def test_pickup_screen(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f4"))


def test_query_screen(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f2"))


def test_query_screen_80x24(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=steps("f2"))


def test_detail_screen(make_app, db_path, snap_compare):
    row = db_rows(db_path, "SELECT logistics_no FROM orders WHERE status = 'picked_up' AND scanned_at IS NOT NULL "
                           "ORDER BY id LIMIT 1")[0]

    async def find(pilot) -> None:  # noqa: ANN001
        pilot.app.screen.query_one("#q-number", Input).value = row["logistics_no"]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f2", then=find))


def test_help_screen(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f1"))


def test_unscanned_screen(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f6"))


def test_scan_screen_with_results(make_app, db_path, snap_compare):
    number = db_rows(db_path, "SELECT waybill_no FROM orders WHERE status = 'accepted' AND waybill_no IS NOT NULL "
                              "ORDER BY id LIMIT 1")[0]["waybill_no"]

    async def scan(pilot) -> None:  # noqa: ANN001
        await pilot.press(*number, "enter", *"12AB", "enter", *number, "enter")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f7", then=scan))


def test_scan_screen_from_the_unscanned_list(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f6", "s"))


def test_supervisor_screen(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f8"))


def test_reason_dialog(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f"))


def test_transfer_dialog(make_app, db_path, snap_compare):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'waiting' AND out_of_area "
                              "ORDER BY order_time, id LIMIT 1")[0]["id"]

    async def open_transfer(pilot) -> None:  # noqa: ANN001
        lst = pilot.app.screen.query_one("#orders")
        while lst.highlighted.id != target:
            await pilot.press("down")
        await pilot.press("t")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps(then=open_transfer))


def test_waybill_dialog_with_the_reminder(make_app, db_path, snap_compare):
    target = db_rows(db_path, "SELECT id FROM orders WHERE status = 'accepted' AND business_type = 'online_order' "
                              "AND waybill_no IS NULL ORDER BY order_time, id LIMIT 1")[0]["id"]

    async def open_waybill(pilot) -> None:  # noqa: ANN001
        screen = pilot.app.screen
        await pilot.press("slash")
        number = screen.query_one("#f-number", Input)
        number.focus()
        number.value = order(db_path, target)["logistics_no"]
        await pilot.press("enter", "escape")
        await settle(pilot)
        await pilot.press("p")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f4", then=open_waybill))


def test_conflicts_screen(make_app, db_path, snap_compare):
    from test_sync_screen import add_conflict

    first = db_rows(db_path, "SELECT id, logistics_no FROM orders ORDER BY id LIMIT 1")[0]
    add_conflict(db_path, 1, number=first["logistics_no"], order_id=first["id"])
    add_conflict(db_path, 2, kind="fact_kept", action="pickup_scan",
                 message_text="订单 LP90000002: 网点 HZ001 的「揽收扫描」(序号 2) 与总部状态「已撤单」冲突; 事实已记录, 待人工复核 "
                              "(kept, flagged for review)")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps("f9"))


def test_accept_screen_in_english_80x24(make_app, snap_compare):
    app = make_app('[station]\nlanguage = "en"\n')
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps())


def test_query_screen_in_english_120x40(make_app, snap_compare):
    app = make_app('[station]\nlanguage = "en"\n')
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("f2"))


def test_help_screen_80x24(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=steps("f1"))


def test_the_warning_area_at_80x24(make_app, snap_compare):
    async def alert(pilot) -> None:  # noqa: ANN001
        from stationdesk.alerts.rule import Alert

        app = pilot.app
        c = app.counts
        app.alerts.raise_alert(Alert(c.waiting, c.overdue, c.due_soon, 10))

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=steps(then=alert))
