"""F8: head office's penalty notices with the time left to appeal, and an appeal filed from the screen."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Static

from stationdesk.store.engine import Database
from stationdesk.tui.dialogs.appeal import AppealDialog
from stationdesk.tui.screens.supervisor import SupervisorScreen
from tests.services.test_violations import deliver_notice
from tui_support import NOW, OPERATOR, db_rows, settle

SIZE = (120, 40)


async def test_the_notice_shows_on_f8_and_a_fine_is_appealed_from_it(make_app, db_path):
    db = Database(db_path)
    notice = deliver_notice(db, NOW - timedelta(hours=1), appeal_hours=72)
    db.dispose()
    first = sorted(notice["violations"], key=lambda v: v["deadline"])[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        text = str(app.screen.query_one("#sup-summary", Static).render())
        assert "处罚通知" in text and "2026-W48" in text and "71时00分" in text
        choices = app.screen.picture.appealable()
        assert len(choices) == len(notice["violations"])
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppealDialog)
        pick = next(i for i, c in enumerate(choices, start=1)
                    if (c["logistics_no"], c["kind"]) == (first["logistics_no"], first["kind"]))
        dialog.query_one("#pick", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "1 到" in str(dialog.query_one("#error", Static).render())  # a bad number keeps the dialog
        dialog.query_one("#pick", Input).value = str(pick)
        dialog.query_one("#note", Input).value = "客户改约, 有通话记录"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
    rows = db_rows(db_path, "SELECT a.note, a.operator, o.logistics_no, v.state FROM appeal a JOIN orders o "
                            "ON o.id = a.order_id JOIN violation v ON v.id = a.violation_id")
    assert [tuple(r) for r in rows] == [("客户改约, 有通话记录", OPERATOR, first["logistics_no"], "appealed")]
