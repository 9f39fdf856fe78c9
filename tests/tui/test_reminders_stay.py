"""The end-of-shift and complaint reminders stay up while other messages come and go, until Esc."""

from __future__ import annotations

from tui_support import settle

SIZE = (120, 40)


def _texts(app) -> list[str]:
    return [n.message for n in app._notifications]  # what the toast rack holds now


async def test_a_reminder_outlives_later_messages_and_goes_with_esc(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.alerts.remind_shift_end(3)
        await settle(pilot)
        reminder = next(t for t in _texts(app) if "3" in t)
        app.say("订单 LP00000001 接单成功")  # an ordinary message replaces the toasts ...
        app.say("订单 LP00000002 不在本网点", "error")
        await settle(pilot)
        assert reminder in _texts(app)  # ... but not the reminder
        await pilot.press("escape")
        await settle(pilot)
        assert reminder not in _texts(app) and app.alerts.reminders == []
