"""A broken audit chain is on every operator's status bar until an admin acknowledges it."""

from __future__ import annotations

from stationdesk.domain.roles import Operator, Role
from stationdesk.services.damage import acknowledge, record_audit_damage
from stationdesk.tui.widgets.status_bar import StatusBar
from tui_support import NOW, settle


async def test_the_status_bar_shows_the_damage_until_an_admin_acts(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(StatusBar)
        assert not any("审计链断开" in value for _, value, _ in bar.pieces(80))
        record_audit_damage(app.desk.db, "事件 7 被改动", NOW)
        app.refresh_counts()
        await settle(pilot)
        for width in (200, 80, 40):  # never dropped for width
            assert any("审计链断开" in value for _, value, _ in bar.pieces(width))
        acknowledge(app.desk.db, Operator("王芳", Role.ADMIN), NOW)
        app.refresh_counts()
        await settle(pilot)
        assert not any("审计链断开" in value for _, value, _ in bar.pieces(80))
