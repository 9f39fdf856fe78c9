"""揽收扫描 fed faster than a person types, and 网点未揽收查询 shrinking as orders are scanned."""

from __future__ import annotations

from textual import events
from textual.widgets import RichLog

from stationdesk.tui.screens.scan import ScanScreen, ScanTargets
from stationdesk.tui.screens.unscanned import UnscannedScreen
from stationdesk.tui.widgets.order_list import OrderList
from tui_support import db_rows, settle

SIZE = (120, 40)


def queue_keys(app, text: str) -> None:
    """Put every key of ``text`` ('\\n' is Enter) on the app's queue at once, as a USB scanner
    does: nothing is processed until all of them are queued."""
    for ch in text:
        key = "enter" if ch == "\n" else ch
        app.post_message(events.Key(key, None if ch == "\n" else ch))


async def wait_for_entries(pilot, screen: ScanScreen, n: int) -> None:
    for _ in range(2000):
        if len(screen.entries) >= n and not screen.queue:
            await settle(pilot)
            return
        await pilot.pause()
    raise AssertionError(f"{len(screen.entries)} of {n} scans shown")


async def test_scans_queued_at_once_are_each_recorded_once_in_order(make_app, db_path):
    accepted = [r["waybill_no"] for r in db_rows(
        db_path, "SELECT waybill_no FROM orders WHERE status = 'accepted' AND waybill_no IS NOT NULL ORDER BY id LIMIT 12")]
    confirmed = [r["waybill_no"] for r in db_rows(
        db_path, "SELECT waybill_no FROM orders WHERE status = 'picked_up' AND scanned_at IS NULL ORDER BY id LIMIT 5")]
    cancelled = db_rows(db_path, "SELECT waybill_no FROM orders WHERE status = 'cancelled' AND waybill_no IS NOT NULL")
    assert len(accepted) == 12 and len(confirmed) == 5
    scans = [*accepted[:6], "12AB", *confirmed, "999999999999", accepted[0], *accepted[6:]]
    expected = ["picked_up"] * 6 + ["refused"] + ["supplementary"] * 5 + ["refused", "refused"] + ["picked_up"] * 6
    if cancelled:
        scans.append(cancelled[0]["waybill_no"])
        expected.append("refused")
    before = db_rows(db_path, "SELECT max(id) AS m FROM scan")[0]["m"] or 0
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScanScreen) and screen.query_one("#scan-input").has_focus
        queue_keys(app, "".join(f"{s}\n" for s in scans))
        await wait_for_entries(pilot, screen, len(scans))
        assert [e.waybill for e in screen.entries] == scans
        assert [e.kind for e in screen.entries] == expected
        assert [e.seq for e in screen.entries] == list(range(1, len(scans) + 1))
        assert "格式不对" in screen.entries[6].message and screen.entries[13].message.endswith(" 已扫描")
        assert screen.entries[12].message.endswith(": 没有该运单号的订单") and "补扫描" in screen.entries[7].message
        assert len(screen.query_one("#scan-log", RichLog).lines) == len(scans)
        counts = str(screen.query_one("#scan-counts").render())
        assert f"本次扫描 {len(scans)}" in counts and "补扫描 5" in counts
        assert screen.query_one("#scan-input").value == "" and screen.query_one("#scan-input").has_focus
    recorded = db_rows(db_path, "SELECT waybill_no, result, supplementary FROM scan WHERE id > ? ORDER BY id", before)
    assert [r["waybill_no"] for r in recorded] == scans  # every scan logged once, in order
    assert [r["result"] for r in recorded][:7] == ["picked_up"] * 6 + ["refused"]
    assert sum(r["supplementary"] for r in recorded) == 5
    for number in accepted + confirmed:
        row = db_rows(db_path, "SELECT status, scanned_at FROM orders WHERE waybill_no = ?", number)[0]
        assert row["status"] == "picked_up" and row["scanned_at"] is not None


async def test_the_bell_rings_on_a_refusal_unless_turned_off(make_app):
    for config, rings in (("", 1), ("[scan]\nbell = false\n", 0)):
        app = make_app(config)
        bells = []
        app.bell = lambda: bells.append(1)  # the terminal bell itself cannot be heard in a test
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f7")
            queue_keys(app, "12AB\n")
            await wait_for_entries(pilot, app.screen, 1)
        assert len(bells) == rings


async def test_the_unscanned_list_shrinks_as_its_orders_are_scanned(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UnscannedScreen)
        lst = screen.query_one(OrderList)
        total = lst.total
        views = [v for v in lst.views if v.row["waybill_no"]]
        assert total and len(views) >= 3
        oldest = [v.row["order_time"] for v in lst.views]
        assert oldest == sorted(oldest)  # oldest first
        await pilot.press("s")
        await settle(pilot)
        scan = app.screen
        assert isinstance(scan, ScanScreen) and scan.query_one(ScanTargets).total == total
        queue_keys(app, "".join(f"{v.row['waybill_no']}\n" for v in views[:3]))
        await wait_for_entries(pilot, scan, 3)
        assert [e.kind for e in scan.entries] == ["supplementary" if v.row["status"] == "picked_up" else "picked_up"
                                                  for v in views[:3]]
        targets = scan.query_one(ScanTargets)
        assert targets.total == total - 3 and views[0].id not in [v.id for v in targets.views]
        assert f"待扫 {total - 3} 单" in str(scan.query_one("#scan-counts").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and lst.total == total - 3
        assert {v.id for v in views[:3]}.isdisjoint(v.id for v in lst.views)
