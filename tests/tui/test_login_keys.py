"""The log-in screen as a person types it: Tab goes name -> password -> log in, and the
password is never drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input

from stationdesk.bootstrap import open_desk
from stationdesk.domain.roles import Operator, Role
from stationdesk.services import operators
from stationdesk.tui.screens.login import LoginScreen
from tui_support import NOW, settle
from tests.conftest import cheap_hasher

SIZE = (100, 30)


@pytest.fixture
def staffed(db_path: Path) -> Path:
    desk = open_desk(db_path, config_path=db_path.with_name("none.toml"), clock=lambda: NOW, hasher=cheap_hasher())
    try:
        operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("王芳"))
    finally:
        desk.db.dispose()
    return db_path


async def test_tab_goes_name_password_log_in_and_the_password_never_shows(staffed, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert app.focused is screen.query_one("#login-name", Input)
        await pilot.press(*"王芳")
        await pilot.press("tab")
        assert app.focused is screen.query_one("#login-password", Input)
        await pilot.press(*"admin-pass-1")
        assert screen.query_one("#login-name", Input).value == "王芳"
        drawn = app.export_screenshot()
        assert "admin-pass-1" not in drawn and "王芳" in drawn
        shown = str(screen.query_one("#login-password", Input).render_line(0).text)
        assert "admin" not in shown and "•" in shown
        await pilot.press("tab")
        assert app.focused is screen.query_one("#login-button", Button)
        await pilot.press("shift+tab")
        assert app.focused is screen.query_one("#login-password", Input)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert app.signed_in is not None and app.signed_in.name == "王芳"
