"""The desk's Textual app: the screens of the station menus, the keys, the status line.

``build_app`` makes the app over an open desk (the tests use it); stationdesk.tui.start makes it
over a glance, with the store opened right after the first screen is drawn. Either way nothing
this module imports at its top loads SQLAlchemy: the other screens load when first opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

from textual import events
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker

from stationdesk import keymap
from stationdesk.config import Config
from stationdesk.domain.errors import DomainError
from stationdesk.domain.roles import Operator, Permission
from stationdesk.domain.words import speak
from stationdesk.services.context import Clock, system_clock
from stationdesk.services.outcome import Outcome
from stationdesk.store.glance import Glance
from stationdesk.store.values import OrderFilter, WaitingCounts
from stationdesk.tui.alerting import DeskAlerts
from stationdesk.tui.backups import DeskBackups
from stationdesk.tui.data import PageRequest, PageResult, glance_page, load_damage, load_waiting_counts
from stationdesk.tui.sessions import DeskSessions
from stationdesk.tui.i18n import tr
from stationdesk.tui.jobs import Jobs
from stationdesk.tui.keys import ACTION_CALLS, bind, key_display
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.base import DeskScreen
from stationdesk.tui.syncing import DeskSync
from stationdesk.tui.widgets.order_list import OrderList

if TYPE_CHECKING:
    from stationdesk.domain.routing import Station
    from stationdesk.services.context import Desk

COUNTS_EVERY = 30.0  # seconds between refreshes of the waiting/overdue counts
LIST_EVERY = 60.0  # seconds between refreshes of the list in view (new orders, time left)
SESSION_EVERY = 60.0  # seconds between the signed-in session's signs of life
COUNTDOWN_EVERY = 15.0  # seconds between redraws of the time left (剩余) from the clock: no database read


def _opened_later(module: str, name: str) -> Callable[[], Screen]:
    """A mode's screen whose module loads when it is first opened (F2, F4, ...), with the store
    open: only the first screen is imported with the app."""

    def make() -> Screen:
        return getattr(importlib.import_module(f"stationdesk.tui.screens.{module}"), name)()

    return make


@dataclass(frozen=True)
class Opening:
    """A desk drawn before its store is open: what a glance read, and how to open the store."""

    glance: Glance
    config: Config
    path: Path
    open: Callable[[], Desk]  # gives the desk on ``path`` with this ``clock``
    clock: Clock = system_clock


def _no_match_provider() -> Any:
    from stationdesk.tui.palette import NoMatchProvider  # with the palette, not at start

    return NoMatchProvider


class StationDeskApp(App[None], inherit_bindings=False):
    CSS_PATH = "app.tcss"
    MODES = {"accept": AcceptScreen, "pickup": _opened_later("pickup", "PickupScreen"),
             "query": _opened_later("query", "QueryScreen"), "unscanned": _opened_later("unscanned", "UnscannedScreen"),
             "scan": _opened_later("scan", "ScanScreen"), "supervisor": _opened_later("supervisor", "SupervisorScreen"),
             "conflicts": _opened_later("conflicts", "ConflictsScreen"),
             "exceptions": _opened_later("exceptions", "ExceptionsScreen")}
    DEFAULT_MODE = "accept"
    COMMANDS = App.COMMANDS | {_no_match_provider}  # the palette's 'no match' in the screen's language
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        bind("app.help"), bind("app.query"), bind("app.accept"), bind("app.pickup"), bind("app.refresh"),
        bind("app.unscanned"), bind("app.scan"), bind("app.supervisor"), bind("app.quit", priority=True), bind("app.palette", priority=True),
        bind("app.quit_also", priority=True), bind("app.help_also"),
        bind("app.ack_alert", priority=True), bind("app.conflicts"), bind("app.sync"), bind("app.exceptions"),
    ]

    def __init__(self, desk: Desk | None, operator: str, *, alerts: bool = False, login: bool = False,
                 opening: Opening | None = None) -> None:
        """Over an open ``desk``, or (``desk`` None) over an ``opening``: drawn from its glance,
        the store opened right after the first paint."""
        if (desk is None) == (opening is None):
            raise ValueError("an app is made over an open desk or over an opening, not both")
        if login:
            self.DEFAULT_MODE = "login"  # the desk's screens mount only after a person signs in
        super().__init__()
        # who acts: None until signed in; in open mode (no accounts) the name given, with no role
        self.signed_in: Operator | None = None if login else Operator(operator)
        if login:
            from stationdesk.tui.screens.login import LoginScreen

            self.add_mode("login", LoginScreen)
            operator = ""
        self._desk = desk
        self._opening = opening
        self.open_error: Exception | None = None  # the store did not open: the app exits, start.run raises it
        self._held: list[events.Key | events.Paste] = []  # keys typed while the store opens, in order
        self._replaying = False  # held keys are being handled, one at a time: new ones queue behind them
        self._replay_task: asyncio.Task[None] | None = None
        self._when_open: list[Callable[[], None]] = []
        # what the screens draw before and after the store is open
        self.config: Config = desk.config if desk is not None else opening.config  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self.station: Station = desk.station if desk is not None else opening.glance.station  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self.db_path: Path = desk.db.path if desk is not None else opening.path  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self._clock: Clock = desk.clock if desk is not None else opening.clock  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self.operator = operator
        self.alerts = DeskAlerts(self)
        self.sync = DeskSync(self)
        self._alerts_on = alerts
        self.lang = self.config.station.language
        self.jobs = Jobs(self)
        self.backups = DeskBackups(self)
        self.sessions = DeskSessions(self)
        self.counts: WaitingCounts | None = None  # read with the store: they look at every waiting row
        self.damage: str | None = None  # a broken audit chain not yet acknowledged by an admin (services/damage.py)
        self.message: tuple[str, SeverityLevel] = ("", "information")
        self._said = 0  # words said so far: only the last one gets a toast
        self.forms: WeakSet[Any] = WeakSet()  # screens and dialogs that may hold unsaved input
        self.title = tr("app.title", self.lang)
        self.key_overrides: dict[str, str] = {}
        self._key_problems = keymap.check_overrides(self.config.keys)
        if not self._key_problems:
            normal = keymap.keys_of(self.config.keys)
            self.key_overrides = {k: normal[k] for k in self.config.keys}
            self.set_keymap(self.key_overrides)

    # -- the store: open from the start, or opened just after the first paint --------------

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            raise RuntimeError("the station database is not open yet")  # keys wait for it: a bug if seen
        return self._desk

    @property
    def store_open(self) -> bool:
        return self._desk is not None

    def now(self) -> datetime:
        return self._clock()

    def on_mount(self) -> None:
        if self._key_problems:
            self.say(tr("error.keys", self.lang, why="; ".join(self._key_problems)), severity="warning")
        if self._desk is None:
            self.call_after_refresh(self._open_store)  # once the first screen is on the terminal
        else:
            self._store_opened()

    async def _open_store(self) -> None:
        """Open the store (SQLAlchemy loads here), then handle the keys typed meanwhile, in order.

        It runs on the UI thread: the screen shows what the glance read and nothing on it can
        change until the store is open, so there is nothing to draw meanwhile; keys that arrive
        during the open queue behind the held ones."""
        assert self._opening is not None
        try:
            self._desk = self._opening.open()
        except Exception as exc:  # noqa: BLE001 - a refusal is said by the command, anything else raised by it
            self.open_error = exc
            self.exit(return_code=1)
            return
        finally:
            self._opening.glance.close()  # after the store's own connections: never the last one to close
        self._store_opened()
        waiting, self._when_open = self._when_open, []
        for call in waiting:
            call()
        self._replaying = True
        await self._replay_next()

    async def _replay_next(self) -> None:
        """Handle the next held key; the one after it only once everything this one set off is
        done (an Enter that moves the focus to the password, a key that opens a screen), as if
        typed at a person's pace."""
        if not self._held:
            self._replaying = False
            return
        await super().on_event(self._held.pop(0))
        self._replay_task = asyncio.get_running_loop().create_task(self._replay_after_settling())

    async def _replay_after_settling(self) -> None:
        for _ in range(3):  # a key's message may post another, and that one a third (Enter -> Submitted -> focus)
            await self._handled_so_far()
        self.call_later(self._replay_next)

    async def _handled_so_far(self) -> None:
        """Until the app, its screen and the screen's widgets have handled what was posted to them."""
        try:
            nodes = [self, *self.screen.walk_children(with_self=True)]
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
                await asyncio.wait_for(done.wait(), 2.0)  # a widget removed meanwhile never answers

    def _store_opened(self) -> None:
        logging.getLogger("stationdesk.desk").info("desk open on %s", self.desk.db.path.name)
        self.refresh_counts()
        self.set_interval(COUNTS_EVERY, self.refresh_counts)
        self.set_interval(LIST_EVERY, self._tick_list)
        self.set_interval(COUNTDOWN_EVERY, self.tick_countdown)
        self.set_interval(SESSION_EVERY, self.sessions.touch)
        if self.signed_in is not None:
            self.sessions.start(self.operator)
            self._start_schedules()

    def when_open(self, call: Callable[[], None]) -> None:
        """Run ``call`` once the store is open (at once if it is)."""
        if self._desk is not None:
            call()
        else:
            self._when_open.append(call)

    def early_page(self, f: OrderFilter, req: PageRequest, limit: int) -> PageResult | None:
        """Before the store is open: the page from the glance, when it holds it."""
        if self._opening is None or self._desk is not None:
            return None
        return glance_page(self._opening.glance, f, req, limit, self.config.tz, self.lang)

    def early_count(self, f: OrderFilter) -> int | None:
        if self._opening is None or self._desk is not None:
            return None
        return self._opening.glance.count(f)

    async def on_event(self, event: events.Event) -> None:
        holding = self._desk is None or self._replaying
        if holding and isinstance(event, (events.InputEvent, events.Paste)) and not event.is_forwarded:
            if isinstance(event, (events.Key, events.Paste)):
                self._held.append(event)  # handled once the store is open, after those held before it
            return  # a click or a wheel turn meanwhile does nothing
        await super().on_event(event)

    def _start_schedules(self) -> None:
        """The alert and the scheduled sync: from the moment someone is at the desk, never on the
        log-in screen (an alert there would tell a passer-by what is waiting)."""
        if self._alerts_on:
            self.alerts.start()  # the scheduler runs on this app's loop, from here to on_unmount
            self.sync.schedule(self.alerts.schedule)  # [sync] every_minutes, on the same scheduler
            self.backups.schedule(self.alerts.schedule)  # today's backup, checked every hour

    def on_unmount(self) -> None:
        self.alerts.stop()
        self.sessions.end()

    # -- the one handler for database work ---------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.jobs.settle(event)

    def show_outcome(self, outcome: Outcome) -> None:
        """What a use case did on the message line, with its warnings after it."""
        self.say(" | ".join(speak(said, self.lang) for said in [outcome.message, *outcome.warnings]),
                 severity="warning" if outcome.warnings else "information")

    def say(self, text: str, severity: SeverityLevel = "information") -> None:
        """Put ``text`` on the message line (and in a notification when it is not good news)."""
        self.message = (text, severity)
        if severity == "error":  # a refusal or a failure on the desk: one line in the admin's log
            logging.getLogger("stationdesk.desk").warning("refused on the desk (%s): %s", self.operator or "-", text)
        self._said += 1
        self.call_later(self._toast, self._said, text, severity)
        for screen in self.screen_stack:
            for line in screen.query("MessageLine"):
                line.refresh(layout=True)  # a long word takes a second line

    def _toast(self, said: int, text: str, severity: SeverityLevel) -> None:
        """The toast of the last word said: it replaces the one before, so there is never a pile
        of them nor a stale one (a 登录失败 once the log-in went through)."""
        if said != self._said:
            return  # something newer was said meanwhile
        self.clear_notifications()
        for note in self.alerts.reminders:  # the end-of-shift and complaint reminders stay until Esc
            self.notify(**note)
        if severity != "information":
            self.notify(text, severity=severity, timeout=8 if severity == "warning" else 12, markup=False)

    def refresh_counts(self) -> None:
        self.jobs.run(load_waiting_counts, self.desk, done=self.show_counts, group="counts", exclusive=True)
        self.jobs.run(load_damage, self.desk, done=self.show_damage, group="damage", exclusive=True)
        self.sync.refresh_status()

    def show_damage(self, damage: str | None) -> None:
        self.damage = damage
        self.show_counts(self.counts)

    def show_counts(self, counts: WaitingCounts | None) -> None:
        self.counts = counts
        for screen in self.screen_stack:
            for bar in screen.query("StatusBar"):
                bar.refresh()
            for area in screen.query("AlertBar"):
                area.refresh(layout=True)  # the alert's counts, in place
        if counts is not None:
            self.alerts.counts_changed(counts)

    def _tick_list(self) -> None:
        if (screen := self.base_screen) is not None and screen.is_active:
            screen.reload()

    def tick_countdown(self) -> None:
        """Redraw the time left of the list in view: its rows hold their deadlines, the clock does the rest."""
        if (screen := self.base_screen) is not None and screen.is_active:
            for lst in screen.query(OrderList):
                if lst.deadline is not None:
                    lst.refresh()

    # -- screens and keys ------------------------------------------------------------------

    def switch_mode(self, mode: str) -> Any:
        """Another screen: the message line starts empty there (the last word was about the last screen)."""
        if mode != self.current_mode and self.message[0]:
            self.message = ("", "information")
            self._said += 1
            self.clear_notifications()
        return super().switch_mode(mode)

    @property
    def base_screen(self) -> DeskScreen | None:
        """The desk screen under any dialog or help."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, DeskScreen):
                return screen
        return None

    def action_help(self) -> None:
        from stationdesk.tui.screens.help import HelpScreen  # opened on demand

        base = self.base_screen
        self.push_screen(HelpScreen(base.CONTEXT if base else "app", self.key_overrides, self.lang))

    def action_open_accept(self) -> None:
        """F3: 网点接单; while an alert shows, acknowledge it and highlight the most urgent order."""
        self.switch_mode("accept")
        self.alerts.jump_to_most_urgent()

    async def action_open_query(self) -> None:
        """F2: 电商订单查询 with the focus in the number field, on the first visit or the tenth."""
        await self.switch_mode("query")
        screen = self.screen
        if hasattr(screen, "number_first"):
            screen.number_first()

    def action_sync_now(self) -> None:
        self.sync.start(manual=True)

    def action_ack_alert(self) -> None:
        self.alerts.acknowledge()

    @property
    def operator_label(self) -> str:
        """The status bar's operator: name and role once signed in, the name alone in open mode."""
        return "-" if self.signed_in is None else self.signed_in.label

    def sign_in(self, who: Operator) -> None:
        """The log-in screen accepted ``who``: open the desk as them."""
        self.signed_in, self.operator = who, who.name
        logging.getLogger("stationdesk.desk").info("signed in: %s", who.label)
        self.switch_mode("accept")
        self.remove_mode("login")
        self.say(tr("login.welcome", self.lang, who=who.label))
        self.sessions.start(who.name)
        self._start_schedules()

    def action_open_supervisor(self) -> None:
        """F8: the supervisor's reports, refused to a clerk with the rule's own words."""
        try:
            if self.signed_in is not None:
                self.signed_in.require(Permission.VIOLATIONS)
        except DomainError as refused:
            self.say(str(refused), severity="error")
            return
        self.switch_mode("supervisor")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.signed_in is None:
            # the log-in screen: quitting and moving between its fields, nothing else until signed in
            return action in ("request_quit", "quit", "focus_next", "focus_previous")
        if action == "ack_alert":
            return self.alerts.showing or bool(self.alerts.reminders)  # Esc is the alert's only while one shows
        return True

    def action_refresh(self) -> None:
        if (screen := self.base_screen) is not None:
            screen.refresh_by_key()
        self.refresh_counts()

    def unsaved(self) -> list[str]:
        return [line for form in list(self.forms) for line in form.unsaved()]

    def action_request_quit(self) -> None:
        from stationdesk.tui.dialogs.confirm import ConfirmDialog  # opened on demand

        top = self.screen
        if isinstance(top, ConfirmDialog) and top.purpose == "quit":
            self.exit()  # the quit key again confirms
            return
        reasons = self.unsaved()
        status = self.sync.status
        if status is not None and status.pending:
            reasons.append(tr("quit.unsynced", self.lang, n=status.pending))
        if not reasons:
            self.exit()
            return
        self.push_screen(ConfirmDialog(tr("quit.confirm", self.lang), reasons, purpose="quit"),
                         lambda yes: self.exit() if yes else None)

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette, asking in the screen's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=tr("palette.placeholder", self.lang), id="--command-palette"))

    async def action_quit(self) -> None:
        # Textual's own quit (command palette, ctrl+q) goes through the same check.
        self.action_request_quit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every registry action live on ``screen``, under its own words and key."""
        keys = keymap.keys_of(self.key_overrides)
        if not isinstance(screen, DeskScreen):  # a dialog or help: finish or leave it first
            quit_ = keymap.BY_ID["app.quit"]
            yield SystemCommand(f"{quit_.description(self.lang)} ({key_display(keys[quit_.id])})",
                                tr("palette.anywhere", self.lang), self.action_request_quit)
            return
        base = screen
        for action in keymap.in_scopes(keymap.SCREEN_CONTEXTS.get(base.CONTEXT, ("app",))):
            if action.id == "app.palette" or action.id in ("filter.close", "list.up", "list.down"):
                continue
            if action.id == "app.ack_alert" and not self.alerts.showing:
                continue
            call = ACTION_CALLS[action.id]
            target: Any = self if action.scope == "app" else base.action_target(action.scope)
            if target is None:
                continue
            if call.startswith("screen."):
                target, call = base, call.removeprefix("screen.")
            title = f"{action.description(self.lang)} ({key_display(keys[action.id])})"
            where = tr("palette.anywhere" if action.scope == "app" else "palette.this_screen", self.lang)
            yield SystemCommand(title, where, partial(self.run_action, call, target))


def build_app(desk: Desk, *, operator: str, alerts: bool = False) -> StationDeskApp:
    # Once the station has accounts the desk opens on its log-in screen and ``operator`` is unused.
    """The app over an open desk; ``operator`` is recorded on every action. ``alerts`` starts the
    您还有未接订单 scheduler with the app: the desk always runs with it; a screen test leaves it off
    unless it is about the alert, so no real-time job races the test's fixed clock."""
    from stationdesk.services.operators import accounts_exist

    return StationDeskApp(desk, operator, alerts=alerts, login=accounts_exist(desk))
