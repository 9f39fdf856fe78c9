"""Log-in once the station has accounts: no way past the log-in screen, refusals and the lockout
shown on it, a clerk refused the supervisor's screen, and every phone reveal in the access log."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from stationdesk.bootstrap import open_desk
from stationdesk.domain.roles import Operator, Role
from stationdesk.services import operators
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.base import DeskScreen
from stationdesk.tui.screens.detail import DetailScreen
from stationdesk.tui.screens.login import LoginScreen
from stationdesk.tui.screens.supervisor import SupervisorScreen
from stationdesk.tui.widgets.status_bar import StatusBar
from tui_support import NOW, OPERATOR, db_rows, message, settle
from tests.conftest import cheap_hasher

SIZE = (120, 40)
PASSWORDS = {"王芳": "admin-pass-1", "李强": "super-pass-1", "张敏": "clerk-pass-1"}


@pytest.fixture
def staffed(db_path: Path) -> Path:
    desk = open_desk(db_path, config_path=db_path.with_name("none.toml"), clock=lambda: NOW, hasher=cheap_hasher())
    try:
        admin = operators.add_user(desk, "王芳", Role.ADMIN, PASSWORDS["王芳"], by=Operator("王芳")).operator
        operators.add_user(desk, "李强", Role.SUPERVISOR, PASSWORDS["李强"], by=admin)
        operators.add_user(desk, "张敏", Role.CLERK, PASSWORDS["张敏"], by=admin)
    finally:
        desk.db.dispose()
    return db_path


async def sign_in(pilot, name: str, password: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen)
    screen.query_one("#login-name", Input).value = name
    field = screen.query_one("#login-password", Input)
    field.value = password
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


def login_message(app) -> str:
    return str(app.screen.query_one("#login-message", Static).render())


async def test_the_desk_opens_on_the_log_in_screen_and_no_key_leads_past_it(staffed, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.signed_in is None
        for key in ("f2", "f3", "f4", "f6", "f7", "f8", "f9", "ctrl+p", "escape", "f1"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen), key
        # no desk screen (and so no customer data) was ever mounted
        assert not [s for s in app.screen_stack if isinstance(s, DeskScreen)]
        assert app.current_mode == "login"


async def test_a_wrong_password_is_refused_on_the_screen_like_an_unknown_name(staffed, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, "张敏", "wrong-password")
        wrong = login_message(app)
        assert "用户名或密码错误" in wrong and isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login-password", Input).value == ""  # the typed password is gone
        await sign_in(pilot, "没有这个人", "wrong-password")
        assert login_message(app) == wrong
        assert app.signed_in is None


async def test_five_failures_show_the_lockout_and_the_right_password_waits(staffed, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(5):
            await sign_in(pilot, "张敏", "wrong-password")
        wrong = login_message(app)
        assert "锁定 15 分钟" in wrong  # locked or wrong: one answer, which says both
        await sign_in(pilot, "张敏", PASSWORDS["张敏"])
        assert login_message(app) == wrong
        assert isinstance(app.screen, LoginScreen) and app.signed_in is None


async def test_a_clerk_signs_in_and_is_refused_the_supervisor_screen(staffed, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, "张敏", PASSWORDS["张敏"])
        assert isinstance(app.screen, AcceptScreen)
        assert app.signed_in == Operator("张敏", Role.CLERK) and app.operator == "张敏"
        assert "张敏 (网点员工)" in app.screen.query_one(StatusBar).render().plain
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen)
        assert "权限不足: 网点员工不能使用「违规与罚款报表」, 需要主管" in message(app)
        assert not [s for s in app.screen_stack if isinstance(s, SupervisorScreen)]
        assert app.current_mode != "supervisor"


async def test_a_supervisor_signs_in_and_opens_the_supervisor_screen(staffed, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, "李强", PASSWORDS["李强"])
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        assert "李强 (主管)" in app.screen.query_one(StatusBar).render().plain


async def test_every_phone_reveal_writes_the_access_log_with_the_signed_in_name(staffed, make_app):
    order_id = db_rows(staffed, "SELECT id FROM orders ORDER BY id LIMIT 1")[0]["id"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, "张敏", PASSWORDS["张敏"])
        await app.push_screen(DetailScreen(order_id))
        await settle(pilot)
        assert "****" in dict(app.screen.fields())["电话"]
        for _ in range(2):  # show, hide, show again: two reveals
            await pilot.press("v")
            await settle(pilot)
            assert "****" not in dict(app.screen.fields())["电话"]
            await pilot.press("v")
            await settle(pilot)
            assert "****" in dict(app.screen.fields())["电话"]
    logged = db_rows(staffed, "SELECT operator, order_id, what, at FROM access_log ORDER BY id")
    assert [(r["operator"], r["order_id"], r["what"]) for r in logged] == [("张敏", order_id, "phone")] * 2
    assert logged[0]["at"].startswith("2026-11-23T06:20")


async def test_open_mode_reveals_are_logged_too_and_the_desk_needs_no_log_in(make_app, db_path):
    order_id = db_rows(db_path, "SELECT id FROM orders ORDER BY id LIMIT 1")[0]["id"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AcceptScreen) and app.operator == OPERATOR
        await app.push_screen(DetailScreen(order_id))
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
    assert [tuple(r) for r in db_rows(db_path, "SELECT operator, order_id, what FROM access_log")] == [
        (OPERATOR, order_id, "phone")]


async def test_no_alert_or_scheduled_sync_before_someone_signs_in(staffed):
    from stationdesk.tui.app import build_app

    desk = open_desk(staffed, config_path=staffed.with_name("none.toml"), clock=lambda: NOW, hasher=cheap_hasher())
    app = build_app(desk, operator="", alerts=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert app.alerts.schedule is None and not app._notifications  # nothing shown on the log-in screen
            await sign_in(pilot, "张敏", PASSWORDS["张敏"])
            assert isinstance(app.screen, AcceptScreen)
            assert app.alerts.schedule is not None  # the alert runs from the moment someone is at the desk
    finally:
        desk.db.dispose()
