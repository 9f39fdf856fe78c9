"""Keys typed before the desk can act: held while the hold is closed, then handled one at a time
in order, each after what it set off; clicks meanwhile do nothing. A real Textual app with two
fields, driven by Pilot."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from stationdesk.tui.key_hold import KeyHold

SIZE = (60, 10)


class TwoFields(App[None]):
    """Enter in the first field moves the focus to the second, as the log-in screen does."""

    def __init__(self, *, closed: bool, passes=None) -> None:  # noqa: ANN001
        super().__init__()
        self.busy: list[bool] = []
        self.hold = KeyHold(self, super().on_event, closed=closed, passes=passes, busy=self.busy.append)

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")

    def on_mount(self) -> None:
        self.query_one("#one", Input).focus()

    async def on_event(self, event: events.Event) -> None:
        if not self.hold.take(event):
            await super().on_event(event)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "one":
            self.query_one("#two", Input).focus()

    def values(self) -> tuple[str, str]:
        return self.query_one("#one", Input).value, self.query_one("#two", Input).value


async def _release(app: TwoFields, pilot: Pilot) -> None:
    """Open the hold from the app's own loop, as the desk does once its store is open, and wait
    until every held key has been handled."""
    app.call_later(app.hold.release)
    for _ in range(200):
        await pilot.pause()
        if not app.hold.holding:
            return
    raise AssertionError("the held keys were never all handled")


async def test_keys_typed_while_closed_wait_and_then_arrive_in_order() -> None:
    app = TwoFields(closed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "b", "c")
        assert app.values() == ("", "") and app.hold.held == 3  # nothing reached the field yet
        await _release(app, pilot)
        assert app.values() == ("abc", "") and app.hold.held == 0


async def test_a_key_after_enter_waits_for_the_focus_the_enter_moved() -> None:
    app = TwoFields(closed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "enter", "y", "z")
        assert app.values() == ("", "") and app.hold.held == 4
        await _release(app, pilot)
        # handled back to back, "y" would land in the first field before the focus moved
        assert app.values() == ("x", "yz")


async def test_keys_typed_while_the_held_ones_replay_queue_behind_them() -> None:
    app = TwoFields(closed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "b", "c")
        assert app.hold.held == 3 and app.values() == ("", "")
        app.call_later(app.hold.release)
        await pilot.press("d", "e")  # arrive while a, b and c are still being handled
        assert app.hold.holding or app.values() == ("abcde", "")
        await _release(app, pilot)
        assert app.values() == ("abcde", "")


def _click_from_terminal(app: TwoFields, x: int, y: int) -> None:
    """A click as the terminal driver posts it to the app (Pilot's own clicks skip the app)."""
    for kind in (events.MouseDown, events.MouseUp, events.Click):
        app.post_message(kind(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y))


async def test_a_click_while_closed_does_nothing_and_is_not_kept() -> None:
    app = TwoFields(closed=True)
    async with app.run_test(size=SIZE) as pilot:
        two = app.query_one("#two").region
        _click_from_terminal(app, two.x + 1, two.y)
        await pilot.pause()
        assert app.focused is app.query_one("#one") and app.hold.held == 0
        await pilot.press("q")
        assert app.hold.held == 1 and app.values() == ("", "")
        await _release(app, pilot)
        assert app.focused is app.query_one("#one") and app.values() == ("q", "")


async def test_let_through_keys_act_until_one_needs_what_is_not_there_and_the_rest_queue_behind_it() -> None:
    app = TwoFields(closed=True, passes=lambda key: key.character != "x")  # "x" stands for a key that needs the store
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert app.hold.held == 1 and app.values() == ("", "")  # before let_through: every key waits
        await app.hold.let_through()
        for _ in range(100):
            if not app.hold.holding or app.hold.held == 0:
                break
            await pilot.pause()
        await pilot.press("b")
        for _ in range(100):
            if app.values() == ("ab", ""):
                break
            await pilot.pause()
        assert app.values() == ("ab", "") and app.hold.held == 0  # they passed, in order
        await pilot.press("x", "c")
        await pilot.pause()
        assert app.values() == ("ab", "") and app.hold.held == 2  # x waits, and c behind it
        assert app.busy[-1] is False  # the replay stopped at x: nothing is being handled
        await _release(app, pilot)
        assert app.values() == ("abxc", "") and app.hold.held == 0
