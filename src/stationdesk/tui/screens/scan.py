"""揽收扫描 (F7): one input that always has focus, fed by a USB barcode scanner or the keyboard.

Every scan is taken off the input the moment its Enter is read (before the next scan's digits),
queued, and recorded one at a time, in order, in a worker: none is lost or recorded twice,
however fast they come. Each result goes into the running list with its own look.
Opened from 网点未揽收查询, it also shows the orders still to scan, shrinking as they are scanned.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, RichLog, Static

from stationdesk.domain.text import clean_text
from stationdesk.domain.words import speak
from stationdesk.services.pickup import ScanResult, record_scan
from stationdesk.services.unscanned import UnscannedQuery
from stationdesk.tui.i18n import tr
from stationdesk.tui.keys import bind
from stationdesk.tui.screens.base import DeskScreen
from stationdesk.tui.screens.unscanned import UnscannedList


def word(key: str, lang: str, **values: object) -> str:
    """The words of this screen, from the desk's one catalogue (stationdesk.tui.i18n)."""
    return tr(f"scan.{key}", lang, **values)


@dataclass(frozen=True)
class ScanEntry:
    """One line of the running list."""

    seq: int
    waybill: str
    kind: str  # picked_up / supplementary / refused / failed
    message: str


class ScanInput(Input):
    """The scanner's input. Enter is handled here, in the input's own queue of keys, so the
    number is taken off before the next scan's digits (already queued behind it) are typed in;
    a binding would run later, on the app, after those digits had landed in the field."""

    class Scanned(Message):
        def __init__(self, value: str) -> None:
            self.value = value
            super().__init__()

    def _take(self, value: str) -> None:
        if value.strip():
            self.post_message(self.Scanned(value))

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()  # Input's own handler (and the submit binding) never see it
            value, self.value = self.value, ""
            self._take(value)

    async def _on_paste(self, event: events.Paste) -> None:
        # Several numbers pasted at once (one a line) are several scans; the last part stays typed.
        if "\n" not in event.text and "\r" not in event.text:
            return
        event.stop()
        event.prevent_default()
        *lines, rest = event.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines[0] = self.value + lines[0]
        self.value = rest
        for line in lines:
            self._take(line)


class ScanTargets(UnscannedList, can_focus=False):
    """The orders still to scan: drawn, never focused (the scanner's input keeps the focus)."""


class ScanScreen(DeskScreen):
    CONTEXT: ClassVar[str] = "scan"
    TITLE_KEY: ClassVar[str] = "app.title"
    BINDINGS = [bind("scan.close")]
    AUTO_FOCUS = "#scan-input"

    def __init__(self, target: UnscannedQuery | None = None) -> None:
        super().__init__()
        self.target = target
        self.entries: list[ScanEntry] = []
        self.queue: deque[str] = deque()
        self.busy = False
        self.seq = 0

    def compose_body(self) -> ComposeResult:
        yield Static(id="scan-counts")
        yield ScanInput(placeholder=word("prompt", self.lang), id="scan-input")
        yield RichLog(id="scan-log", max_lines=2000, wrap=False, auto_scroll=True)
        if self.target is not None:
            yield Static(word("targets", self.lang), id="scan-targets-title")
            yield ScanTargets(pages=self.host.pages, id="scan-targets")

    def heading_parts(self) -> list[str]:
        title = "揽收扫描" if self.lang != "en" else "Pickup scan"
        return [title + (" · 补扫描" if self.target is not None and self.lang != "en" else "")]

    def on_mount(self) -> None:
        self.query_one("#scan-input").focus()
        if self.target is not None:
            self.query_one(ScanTargets).set_filter(self.target)
        self._show_counts()

    def on_screen_resume(self) -> None:
        self.query_one("#scan-input").focus()

    def on_descendant_blur(self) -> None:
        # A click elsewhere must not leave the scanner typing into nothing.
        self.call_after_refresh(self._refocus)

    def _refocus(self) -> None:
        if self.is_current:
            self.query_one("#scan-input").focus()

    # -- the queue -------------------------------------------------------------------------

    @on(ScanInput.Scanned)
    def _scanned(self, event: ScanInput.Scanned) -> None:
        self.queue.append(event.value)
        self._show_counts()
        self._pump()

    def _pump(self) -> None:
        if self.busy or not self.queue:
            return
        self.busy = True
        raw = self.queue[0]
        host = self.host
        self.run_job(record_scan, host.desk, raw, host.operator, done=self._recorded,
                     failed=lambda text: self._failed(raw, text), group="scan")

    def _recorded(self, result: ScanResult) -> None:
        self.queue.popleft()
        if result.accepted:
            kind = "supplementary" if result.supplementary else "picked_up"
        else:
            kind = "refused"
        self._add(ScanEntry(self.seq + 1, result.waybill, kind, clean_text(speak(result.message, self.lang))))
        if result.accepted and self.target is not None:
            self.query_one(ScanTargets).reload()
        self.busy = False
        self._pump()

    def _failed(self, raw: str, text: str) -> None:
        self.queue.popleft()
        self._add(ScanEntry(self.seq + 1, clean_text(raw)[:40], "failed", f"{word('failed', self.lang)}: {text}"))
        self.busy = False
        self._pump()

    def _add(self, entry: ScanEntry) -> None:
        self.seq = entry.seq
        self.entries.append(entry)
        style = {"picked_up": "bold green", "supplementary": "bold cyan", "refused": "bold red",
                 "failed": "bold white on red"}[entry.kind]
        mark = {"picked_up": "✓", "supplementary": word("mark_supplementary", self.lang), "refused": "✗",
                "failed": "!"}[entry.kind]
        line = Text(f"{entry.seq:>4} ", style="dim")
        line.append(f"{mark} ", style=style)
        line.append(entry.message, style=style if entry.kind in ("refused", "failed") else "")
        self.query_one("#scan-log", RichLog).write(line)
        if entry.kind in ("refused", "failed") and self.host.desk.config.scan.bell:
            self.app.bell()
        self._show_counts()

    def _show_counts(self) -> None:
        kinds = [e.kind for e in self.entries]
        text = word("counts", self.lang, n=len(kinds), ok=kinds.count("picked_up"), sup=kinds.count("supplementary"),
                    bad=kinds.count("refused") + kinds.count("failed"))
        if self.queue:
            text += word("queued", self.lang, n=len(self.queue))
        if self.target is not None:
            targets = self.query(ScanTargets)
            if targets and targets.first().total is not None:
                text += word("left", self.lang, n=targets.first().total)
        self.query_one("#scan-counts", Static).update(Text(text))

    def on_order_list_loaded(self, _event: object) -> None:
        self._show_counts()

    def unsaved(self) -> list[str]:
        return [word("unsaved", self.lang, n=len(self.queue))] if self.queue else []

    def action_close(self) -> None:
        if self.target is not None:
            self.dismiss(None)
        else:
            self.app.switch_mode("unscanned")
