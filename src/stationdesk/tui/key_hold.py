"""Keys typed before the desk can act on them, held and then handled in order.

At the fast start the first screen is drawn before the store is open. A clerk who types at
once must lose no key and see none of them land out of order: while the hold is closed every
key and paste is kept, clicks and wheel turns are dropped (they would act on a screen that
cannot change yet). Once the first screen is drawn the hold lets through (``let_through``) the
keys its ``passes`` says need no store (F2 to the query screen, moving in a list, typing a
number), as long as no key is held before them; the first key that needs the store is held, and
every key after it queues behind it. Once released, the held keys are handled one at a time,
each only after everything it set off has been handled (an Enter that moves the focus to the
password field, a key that opens a screen), as if typed at a person's pace; keys that arrive
meanwhile queue behind them.
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

    def __init__(self, app: App[object], handle: Callable[[events.Event], Awaitable[None]], *, closed: bool,
                 passes: Callable[[events.Key], bool] | None = None,
                 busy: Callable[[bool], None] | None = None) -> None:
        self._app = app
        self._handle = handle
        self._closed = closed
        self._passes = passes  # once let through: which keys act while the hold is still closed
        self._letting = False
        self._busy = busy  # told True while held keys are being handled, False once they are (or wait)
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

    def _may_act(self, event: events.Key | events.Paste) -> bool:
        """Whether ``event`` may act now, the hold being closed: let through, and a key that passes."""
        return self._letting and self._passes is not None and isinstance(event, events.Key) and self._passes(event)

    def take(self, event: events.Event) -> bool:
        """True when the hold took ``event`` (kept for later, or dropped): the app does not handle it now."""
        if not self.holding or not isinstance(event, (events.InputEvent, events.Paste)) or event.is_forwarded:
            return False
        if isinstance(event, (events.Key, events.Paste)):
            self._held.append(event)  # handled after those held before it
            if self._letting and not self._replaying:
                # let through: handled at once if it needs no store, judged on the screen the keys
                # before it left (F2 then a digit: the digit goes into the query screen's field)
                self._replaying = True
                self._tell_busy(True)
                self._app.call_later(self._next)
        return True  # a click or a wheel turn meanwhile does nothing

    async def let_through(self) -> None:
        """The first screen is drawn: from now on the keys ``passes`` allows act at once, the held
        ones first, in order, up to the first that needs the store."""
        self._letting = True
        if self._closed and self._held and not self._replaying:
            self._replaying = True
            self._tell_busy(True)
            await self._next()

    async def release(self) -> None:
        """Open the hold: handle the held keys, one at a time, in order."""
        self._closed = False
        if self._replaying:
            return  # the replay under way goes on, now through every key
        self._replaying = True
        await self._next()

    def _tell_busy(self, busy: bool) -> None:
        if self._busy is not None:
            self._busy(busy)

    async def _next(self) -> None:
        if not self._held or (self._closed and not self._may_act(self._held[0])):
            self._replaying = False  # done, or the next key waits for release
            self._tell_busy(False)
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
