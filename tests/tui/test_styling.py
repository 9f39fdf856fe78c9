"""A screen shown for the first time is styled once, as its widgets mount, and in the width's
class from the start; a screen shown again is restyled, so a change of theme made while it was
away reaches it too."""

from __future__ import annotations

from textual.app import App
from textual.css.stylesheet import Stylesheet

from stationdesk.tui.screens.query import QueryScreen
from stationdesk.tui.widgets.query_form import QueryForm
from stationdesk.tui.widgets.status_bar import StatusBar
from tui_support import settle


async def press(pilot, *keys: str) -> None:  # noqa: ANN001
    """Each key in turn, each handled to the end (its workers and what they caused) before the next."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def flip_theme(pilot) -> None:  # noqa: ANN001
    """Light for dark or dark for light, and every screen on show restyled."""
    app = pilot.app
    app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
    await settle(pilot)


async def test_a_screen_first_shown_is_styled_once_in_the_width_s_class(make_app, monkeypatch):
    reparsed: list[object] = []
    restyled: list[tuple[object, int]] = []  # each node restyled, and how many widgets it held then
    reparse, update_styles = Stylesheet.reparse, App.update_styles

    def counted_reparse(self):  # noqa: ANN001, ANN202
        reparsed.append(self)
        return reparse(self)

    def counted_update_styles(self, node=None, animate=True):  # noqa: ANN001, ANN202
        restyled.append((node, len(node.walk_children()) if node is not None else -1))
        return update_styles(self, node, animate)

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Stylesheet, "reparse", counted_reparse)
        monkeypatch.setattr(App, "update_styles", counted_update_styles)
        await press(pilot, "f2")
        query = app.screen
        assert isinstance(query, QueryScreen)
        assert reparsed == []  # nothing in the stylesheet changed
        # focus restyles the fields it touches, and the width's class the screen before its widgets
        # are in it; never the screen with its widgets, nor the app
        assert all(held == 0 for node, held in restyled if node is query), restyled
        assert all(node is not app for node, _ in restyled)
        assert query.has_class("-wide") and query.query_one(QueryForm).styles.grid_size_columns == 4


async def test_a_narrow_terminal_gets_the_narrow_form_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f2")
        assert app.screen.has_class("-narrow") and not app.screen.has_class("-wide")
        assert app.screen.query_one(QueryForm).styles.grid_size_columns == 2


async def test_a_theme_changed_while_a_screen_was_away_reaches_it_when_it_is_shown_again(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f2")
        query = app.screen
        old = query.query_one(StatusBar).styles.background
        await press(pilot, "f3")
        await flip_theme(pilot)
        new = app.screen.query_one(StatusBar).styles.background
        assert new != old  # the screen on show took the new theme
        await press(pilot, "f2")
        assert app.screen is query
        assert query.query_one(StatusBar).styles.background == new


async def test_the_key_bar_is_as_tall_as_its_keys_as_the_focus_moves(make_app):
    from stationdesk.tui.widgets.key_bar import KeyBar

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:  # wide enough for the form's keys on two lines, not the list's
        await settle(pilot)
        await press(pilot, "f2")
        heights = []
        for key in ("enter", "tab", "escape", "f3"):  # the form, the list, back, another screen
            bar = app.screen.query_one(KeyBar)
            assert bar.size.height == len(bar.lines(bar.size.width)), key
            heights.append(bar.size.height)
            await press(pilot, key)
        assert len(set(heights)) > 1  # the focus did change how many lines the keys need


async def test_a_screen_under_another_takes_a_theme_changed_while_its_mode_was_away(make_app):
    from stationdesk.tui.screens.accept import AcceptScreen
    from stationdesk.tui.screens.detail import DetailScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # 详细数据 over 网点接单
        assert isinstance(app.screen, DetailScreen)
        accept = app.screen_stack[0]
        assert isinstance(accept, AcceptScreen)
        old = accept.query_one(StatusBar).styles.background
        await press(pilot, "f2")
        await flip_theme(pilot)
        new = app.screen.query_one(StatusBar).styles.background
        assert new != old
        await press(pilot, "f3")  # back to 网点接单's mode: the details on top, the list under them
        assert isinstance(app.screen, DetailScreen) and app.screen_stack[0] is accept
        await press(pilot, "escape")
        assert app.screen is accept
        assert accept.query_one(StatusBar).styles.background == new
