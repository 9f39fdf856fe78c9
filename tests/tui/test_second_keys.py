"""Second keys for help and quit, for terminals that take F1/F10 for themselves: Ctrl+Q quits
through the same confirmation as F10, and `?` opens help except where an input has the focus
(a scanner typing into the scan input never opens help)."""

from __future__ import annotations

from textual.widgets import Input

from stationdesk.tui.dialogs.confirm import ConfirmDialog
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.help import HelpScreen
from tui_support import settle

SIZE = (120, 40)


async def test_ctrl_q_asks_first_when_a_selection_is_pending(make_app, monkeypatch):
    app = make_app()
    exits: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "exit", lambda *a, **k: exits.append(True))
        await pilot.press("space", "ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog) and not exits
        await pilot.press("escape")
        assert isinstance(app.screen, AcceptScreen) and not exits
        await pilot.press("ctrl+q", "ctrl+q")  # the quit key again confirms
        assert exits == [True]


async def test_question_mark_opens_help_but_types_into_an_input(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f7")  # 揽收扫描: the input keeps the focus for the scanner
        await settle(pilot)
        await pilot.press("1", "question_mark")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        assert isinstance(app.focused, Input) and app.focused.value.endswith("?")


async def test_a_refusal_on_the_desk_is_one_line_in_the_log(make_app, caplog):
    import logging

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with caplog.at_level(logging.INFO, logger="stationdesk"):
            await pilot.press("f8")  # the supervisor's reports: refused to whoever may not see them, or opened
            await settle(pilot)
            app.say("订单 LP00000001 已接单 (refused)", severity="error")
    lines = [r.getMessage() for r in caplog.records if r.name == "stationdesk.desk" and r.levelno == logging.WARNING]
    assert any("LP00000001" in line and line.startswith("refused on the desk") for line in lines)
