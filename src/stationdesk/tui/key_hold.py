"""Keys typed before the desk can act on them, held and then handled in order.

At the fast start the first screen is drawn before the store is open. A clerk who types at
once must lose no key and see none of them land out of order: while the hold is closed every
key and paste is kept, clicks and wheel turns are dropped (they would act on a screen that
cannot change yet). Once released, the held keys are handled one at a time, each only after
everything it set off has been handled (an Enter that moves the focus to the password field,
a key that opens a screen), as if typed at a person's pace; keys that arrive meanwhile queue
behind them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App

SETTLING_ROUNDS = 3  # a key's message may post another, and that one a third (Enter -> Submitted -> focus)
NODE_TIMEOUT = 2.0  # seconds to wait for one node: a widget removed meanwhile never answers


class KeyHold:
    """The hold of one app. ``handle`` is the app's own handling of an event (``App.on_event``)."""

    def __init__(self, app: App[object], handle: Callable[[events.Event], Awaitable[None]], *, closed: bool) -> None:
        self._app = app
        self._handle = handle
        self._closed = closed
        self._replaying = False
        self._held: list[events.Key | events.Paste] = []
        self._task: asyncio.Task[None] | None = None  # kept, so the loop holds it to its end

    @property
    def holding(self) -> bool:
        """Keys wait: the hold is closed, or the held keys are still being handled."""
        return self._closed or self._replaying

    @property
    def held(self) -> int:
        return len(self._held)

    def take(self, event: events.Event) -> bool:
        """True when the hold took ``event`` (kept for later, or dropped): the app does not handle it now."""
        if not self.holding or not isinstance(event, (events.InputEvent, events.Paste)) or event.is_forwarded:
            return False
        if isinstance(event, (events.Key, events.Paste)):
            self._held.append(event)  # handled after those held before it
        return True  # a click or a wheel turn meanwhile does nothing

    async def release(self) -> None:
        """Open the hold: handle the held keys, one at a time, in order."""
        self._closed = False
        self._replaying = True
        await self._next()

    async def _next(self) -> None:
        if not self._held:
            self._replaying = False
            return
        await self._handle(self._held.pop(0))
        self._task = asyncio.get_running_loop().create_task(self._after_settling())

    async def _after_settling(self) -> None:
        for _ in range(SETTLING_ROUNDS):
            await self._handled_so_far()
        self._app.call_later(self._next)

    async def _handled_so_far(self) -> None:
        """Until the app, its screen and the screen's widgets have handled what was posted to them."""
        try:
            nodes = [self._app, *self._app.screen.walk_children(with_self=True)]
        except Exception:  # noqa: BLE001 - no screen (the app is closing): nothing to wait for
            return
        left = 0
        done = asyncio.Event()

        def one() -> None:
            nonlocal left
            left -= 1
            if left == 0:
                done.set()

        for node in nodes:
            if node.call_later(one):
                left += 1
        if left:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), NODE_TIMEOUT)
