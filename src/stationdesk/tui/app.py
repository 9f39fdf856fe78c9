"""The desk's Textual app: the screens of the station menus, the keys, the status line.

``build_app`` makes the app over an open desk (the tests use it); stationdesk.tui.start makes it
over a glance, with the store opened in a thread from the moment the first screen is drawn
(stationdesk.tui.store_opening). Either way nothing this module imports at its top loads
SQLAlchemy: the other screens load when first opened.
"""

from __future__ import annotations

import gc
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
from stationdesk.store.values import WaitingCounts
from stationdesk.tui.alerting import DeskAlerts
from stationdesk.tui.backups import DeskBackups
from stationdesk.tui.data import load_damage, load_waiting_counts
from stationdesk.tui.said import MessageBoard
from stationdesk.tui.sessions import DeskSessions
from stationdesk.tui.i18n import tr
from stationdesk.tui.jobs import Jobs
from stationdesk.tui.key_hold import KeyHold
from stationdesk.tui.keys import bind
from stationdesk.tui import messages
from stationdesk.tui.pages import EarlyReads, PageSource, StartPages, StorePages
from stationdesk.tui.screens.accept import AcceptScreen
from stationdesk.tui.screens.base import DeskScreen
from stationdesk.tui.store_opening import Courtesy, StoreOpened, acts_without_store, open_store
from stationdesk.tui.syncing import DeskSync
from stationdesk.tui.ticks import DeskTicks

if TYPE_CHECKING:
    from stationdesk.domain.routing import Station
    from stationdesk.services.context import Desk
    from stationdesk.tui.data import Reading


QUIET_AFTER = 0.08  # seconds after the held keys are handled before the store's opening goes on


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
        self._styled_with = self.get_css_variables()  # what the stylesheet was parsed with (refresh_css)
        # who acts: None until signed in; in open mode (no accounts) the name given, with no role
        self.signed_in: Operator | None = None if login else Operator(operator)
        if login:
            from stationdesk.tui.screens.login import LoginScreen

            self.add_mode("login", LoginScreen)
            operator = ""
        self._desk = desk
        self._opening = opening
        self.open_error: Exception | None = None  # the store did not open: the app exits, start.run raises it
        self.freeze_at_start = False  # the desk's own process (start.run): see settle_memory
        self.courtesy = Courtesy()  # the store's opening gives way while a key is handled
        self.key_hold = KeyHold(self, super().on_event, closed=desk is None,  # keys typed while the store opens
                                passes=lambda key: acts_without_store(self, key), busy=self._keys_busy)
        self._busy_generation = 0
        # what the screens draw before and after the store is open
        self.config: Config = desk.config if desk is not None else opening.config  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self.station: Station = desk.station if desk is not None else opening.glance.station  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self.db_path: Path = desk.db.path if desk is not None else opening.path  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        self._clock: Clock = desk.clock if desk is not None else opening.clock  # type: ignore[union-attr]  # the app is built with a desk or an opening, never neither
        store = StorePages(lambda: self.desk)
        # what the lists and the query screen read through until the store is open
        self.early_reads = None if opening is None else EarlyReads(opening.glance, self.config)
        self.pages: PageSource = store if self.early_reads is None else StartPages(
            opening.glance, self.config.tz, store, self.early_reads)  # type: ignore[union-attr]  # built over an opening here
        self.operator = operator
        self.alerts = DeskAlerts(self)
        self.sync = DeskSync(self)
        self._alerts_on = alerts
        self.lang = self.config.station.language
        self.jobs = Jobs(self)
        self.backups = DeskBackups(self)
        self.sessions = DeskSessions(self)
        self.ticks = DeskTicks(self)
        self.counts: WaitingCounts | None = None  # read with the store: they look at every waiting row
        self.damage: str | None = None  # a broken audit chain not yet acknowledged by an admin (services/damage.py)
        self.board = MessageBoard(self)  # the message line and its toasts
        self.forms: WeakSet[Any] = WeakSet()  # screens and dialogs that may hold unsaved input
        self.title = tr("app.title", self.lang)
        self.key_overrides: dict[str, str] = {}
        self._key_problems = keymap.check_overrides(self.config.keys)
        if not self._key_problems:
            normal = keymap.keys_of(self.config.keys)
            self.key_overrides = {k: normal[k] for k in self.config.keys}
            self.set_keymap(self.key_overrides)

    def refresh_css(self, animate: bool = True) -> None:
        """Re-parse the stylesheet and re-style the screens, when something they were styled with changed.

        Textual calls this each time a screen is first shown (its count of style updates is behind
        the app's), and then parses every stylesheet afresh twice and styles every node again with
        nothing changed: on F2, three whole parses and two passes over the widgets. So it is passed
        on only when the theme's variables changed, or a screen of the stack was styled before the
        app's styles last changed (a theme changed while its mode was away, the terminal's colours);
        a screen never styled before is styled as its widgets mount, and only marked current. A
        screen that brings stylesheets of its own has them parsed by Textual on the way in."""
        variables, current = self.get_css_variables(), self._css_update_count
        styled = [screen._css_update_count for screen in self.screen_stack]  # noqa: SLF001 - Textual's own mark of when a screen was styled, kept for this check
        if variables != self._styled_with or any(at not in (-1, current) for at in styled):
            self._styled_with = variables
            super().refresh_css(animate)
            return
        for screen in self.screen_stack:
            screen._css_update_count = current  # noqa: SLF001 - marked styled, as Textual's refresh_css marks it

    # -- the store: open from the start, or opened just after the first paint --------------

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            raise RuntimeError("the station database is not open yet")  # keys wait for it: a bug if seen
        return self._desk

    @property
    def store_open(self) -> bool:
        return self._desk is not None

    @property
    def reading(self) -> Reading:
        """What a read goes through: the open store, or the file read with sqlite3 alone until it is open."""
        if self._desk is not None or self.early_reads is None:
            return self.desk
        return self.early_reads

    def now(self) -> datetime:
        return self._clock()

    def on_mount(self) -> None:
        if self._key_problems:
            self.say(tr("error.keys", self.lang, why="; ".join(self._key_problems)), severity="warning")
        if self._desk is None:
            self.call_after_refresh(self._open_store)  # once the first screen is on the terminal
        else:
            self.call_after_refresh(self.settle_memory)
            self._store_opened()

    async def _open_store(self) -> None:
        """Open the store (SQLAlchemy loads there) in a thread, and let through meanwhile the keys
        that need no store; the others are held, and handled in order once it is open."""
        assert self._opening is not None
        self.settle_memory()
        self.run_worker(partial(open_store, self, self._opening, self.early_reads, self.courtesy), name="open-store",
                        group="open-store", thread=True, exit_on_error=False)
        await self.key_hold.let_through()

    def settle_memory(self) -> None:
        """The first screen is drawn: what the start built lives as long as the desk, so the garbage
        collector need not walk it again (gc.freeze), and it runs again if the start turned it off."""
        if self.freeze_at_start:
            gc.freeze()
            gc.enable()

    def _keys_busy(self, busy: bool) -> None:
        """The held keys are being handled (or done): the store's opening waits meanwhile, and
        until a new screen has had its first paint (Textual shows it 50 ms after the switch)."""
        self._busy_generation += 1
        if busy:
            self.courtesy.busy(True)
            return
        generation = self._busy_generation

        def quiet() -> None:
            if generation == self._busy_generation:
                self.courtesy.busy(False)

        self.set_timer(QUIET_AFTER, quiet)

    async def on_store_opened(self, message: StoreOpened) -> None:
        if message.desk is None:
            self.open_error = message.error
            self.exit(return_code=1)
            return
        self._desk = message.desk
        if self.freeze_at_start:
            gc.freeze()  # the same for what the store loaded
        self._store_opened()
        if isinstance(self.pages, StartPages):
            self.pages.opened()  # every list's request goes to the store from now on
        await self.key_hold.release()

    def _store_opened(self) -> None:
        logging.getLogger("stationdesk.desk").info("desk open on %s", self.desk.db.path.name)
        self.refresh_counts()
        self.ticks.start()
        if self.signed_in is not None:
            self.sessions.start(self.operator)
            self._start_schedules()

    async def on_event(self, event: events.Event) -> None:
        if not self.key_hold.take(event):
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

    # -- what the screens, dialogs and widgets ask for (stationdesk.tui.messages) -----------

    def on_say(self, message: messages.Say) -> None:
        self.say(message.text, message.severity)

    def on_show_outcome(self, message: messages.ShowOutcome) -> None:
        self.show_outcome(message.outcome)

    def on_run_job(self, message: messages.RunJob) -> None:
        self.jobs.run(message.fn, *message.args, done=message.done, failed=message.failed,
                      group=message.group, exclusive=message.exclusive)

    def on_orders_changed(self, message: messages.OrdersChanged) -> None:
        if message.order_ids is not None:
            self.alerts.resolved(message.order_ids)
        self.refresh_counts()

    def on_sync_changed(self, _message: messages.SyncChanged) -> None:
        self.sync.refresh_status()

    def on_signed_in(self, message: messages.SignedIn) -> None:
        self.sign_in(message.who)

    def on_form_opened(self, message: messages.FormOpened) -> None:
        self.forms.add(message.form)

    def on_form_closed(self, message: messages.FormClosed) -> None:
        self.forms.discard(message.form)

    def show_outcome(self, outcome: Outcome) -> None:
        """What a use case did on the message line, with its warnings after it."""
        self.say(" | ".join(speak(said, self.lang) for said in [outcome.message, *outcome.warnings]),
                 severity="warning" if outcome.warnings else "information")

    def say(self, text: str, severity: SeverityLevel = "information") -> None:
        self.board.say(text, severity)

    @property
    def message(self) -> tuple[str, SeverityLevel]:
        return self.board.message

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

    def tick_countdown(self) -> None:
        self.ticks.tick_countdown()

    # -- screens and keys ------------------------------------------------------------------

    def switch_mode(self, mode: str) -> Any:
        """Another screen: the message line starts empty there (the last word was about the last screen)."""
        if mode != self.current_mode:
            self.board.clear()
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

    def action_open_query(self) -> None:
        """F2: 电商订单查询 with the focus in the number field, on the first visit or the tenth (the
        first focuses it as it mounts)."""
        self.switch_mode("query")
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
        from stationdesk.tui.quitting import request_quit  # with the question, on demand

        request_quit(self)

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette, asking in the screen's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=tr("palette.placeholder", self.lang), id="--command-palette"))

    async def action_quit(self) -> None:
        # Textual's own quit (command palette, ctrl+q) goes through the same check.
        self.action_request_quit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from stationdesk.tui.palette import system_commands  # with the palette, not at start

        return system_commands(self, screen)


def build_app(desk: Desk, *, operator: str, alerts: bool = False) -> StationDeskApp:
    # Once the station has accounts the desk opens on its log-in screen and ``operator`` is unused.
    """The app over an open desk; ``operator`` is recorded on every action. ``alerts`` starts the
    您还有未接订单 scheduler with the app: the desk always runs with it; a screen test leaves it off
    unless it is about the alert, so no real-time job races the test's fixed clock."""
    from stationdesk.services.operators import accounts_exist

    return StationDeskApp(desk, operator, alerts=alerts, login=accounts_exist(desk))
