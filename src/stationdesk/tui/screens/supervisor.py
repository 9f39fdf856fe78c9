"""主管报表 (F8): this week's and last week's violations and fines, the month's total, the refund
schedule, and a chart of the last 14 days (orders, late accepts, late pickups, missed scans)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from stationdesk.domain import audit, ledger
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import speak, word
from stationdesk.services import violations
from stationdesk.services.context import Desk
from stationdesk.services.notices import notice_list
from stationdesk.services.outcome import Outcome
from stationdesk.tui.i18n import tr, violation_label
from stationdesk.tui.keys import bind
from stationdesk.tui.messages import ShowOutcome, post_up
from stationdesk.tui.screens.base import DeskScreen

SERIES = (("orders", "订单", "Orders", "blue"), ("late_accepts", "接单超时", "Late accepts", "yellow"),
          ("late_pickups", "揽收超时", "Late pickups", "red"), ("missed_scans", "漏扫", "Missed scans", "magenta"))
BAR = 24  # cells for the longest bar of a series


@dataclass
class Picture:
    this_week: violations.Summary
    last_week: violations.Summary
    month: violations.Summary
    refunds: list[dict[str, Any]]
    days: list[violations.DayFigures]
    notices: list[dict[str, Any]] = field(default_factory=list)  # 处罚通知, newest first

    def appealable(self) -> list[dict[str, Any]]:
        """The fines of notices whose 3 days are still running and that are not appealed yet."""
        return [{**v, "time_left": n["time_left"]} for n in self.notices if n["appeal_open"]
                for v in n["violations"] if v["state"] == "notified"]


def load_picture(desk: Desk) -> Picture:
    """Everything the screen shows, read in one worker."""
    today = desk.now().astimezone(desk.config.tz).date()
    month = audit.month_of(today)
    return Picture(
        this_week=violations.weekly(desk, today),
        last_week=violations.weekly(desk, today - timedelta(days=7)),
        month=violations.monthly(desk, month),
        refunds=violations.refunds(desk, audit.add_months(month, -3), audit.add_months(month, -1)),
        days=violations.daily_figures(desk, 14),
        notices=notice_list(desk),
    )


def _state_word(value: str, lang: str) -> str:
    """A violation's state (notified, appealed, ...) in ``lang``."""
    try:
        return word(ledger.State(value), lang)
    except ValueError:
        return value


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def summary_text(p: Picture, lang: str) -> Text:
    out = Text()
    heads = (("sup.this_week", p.this_week), ("sup.last_week", p.last_week), ("sup.this_month", p.month))
    for head, s in heads:
        # the period and its total on one line, each kind on its own under it: nothing is split at 80 columns
        out.append(_pad(f"{tr(head, lang)} {s.first}~{s.last}", 30) + " ", style="bold")
        out.append(tr("sup.total", lang, fine=s.total_fine) + "\n", style="bold")
        for row in s.rows()[:-1]:
            if row["count"]:
                kind = violation_label(row["kind"], lang) or row["kind_label"]
                out.append("  " + tr("sup.kind_line", lang, kind=kind, n=row["count"], fine=row["fine"]) + "\n")
    out.append("\n" + tr("sup.refunds", lang) + "\n", style="bold")
    if not p.refunds:
        out.append("  -\n")
    for r in p.refunds:
        out.append("  " + tr("sup.refund_line", lang, fined=r["fined_month"], fine=r["fine"], earned=r["earned_month"],
                                 percent=r["percent"], amount=f"{r['amount']:.0f}", status=speak(r["status"], lang)) + "\n")
    out.append("\n" + tr("sup.notices", lang) + "\n", style="bold")
    if not p.notices:
        out.append("  -\n")
    for n in p.notices[:6]:
        left = n["time_left"] if n["appeal_open"] else tr("sup.appeal_closed", lang)
        out.append("  " + tr("sup.notice_line", lang, week=n["week"], fine=n["total_fine"],
                             until=n["appeal_deadline"][:16].replace("T", " "), left=left) + "\n")
        for v in n["violations"][:10]:
            state = _state_word(v["state"], lang)
            out.append(f"    {clean_text(v['logistics_no'])} {violation_label(v['kind'], lang) or v['kind']} {v['fine']} {state}\n")
    return out


def chart_text(days: list[violations.DayFigures], lang: str) -> Text:
    """A bar per day and series, each series scaled to its own largest day."""
    en = lang == "en"
    out = Text()
    out.append(tr("sup.last_14_days", lang) + "\n", style="bold")
    for key, zh, eng, colour in SERIES:
        top = max((getattr(d, key) for d in days), default=0) or 1
        out.append(tr("sup.series", lang, name=eng if en else zh, top=top) + "\n", style=f"bold {colour}")
        for d in days:
            value = getattr(d, key)
            bar = "█" * max(1 if value else 0, round(value / top * BAR))
            out.append(f"  {d.day:%m-%d} ")
            out.append(_pad(bar, BAR), style=colour)
            out.append(f" {value}\n")
    return out


class SupervisorScreen(DeskScreen):
    CONTEXT: ClassVar[str] = "supervisor"
    TITLE_KEY: ClassVar[str] = "app.title"
    BINDINGS = [bind("supervisor.appeal")]
    picture: Picture | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="sup-body"):
            yield Static("正在加载..." if self.lang != "en" else "Loading...", id="sup-summary")
            yield Static(id="sup-chart")

    def heading_parts(self) -> list[str]:
        return ["主管报表: 违规、罚款与返还" if self.lang != "en" else "Supervisor: violations, fines and refunds"]

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        host = self.host
        self.run_job(load_picture, host.desk, done=self._show, group="supervisor", exclusive=True)

    def _show(self, p: Picture) -> None:
        self.picture = p
        self.query_one("#sup-summary", Static).update(summary_text(p, self.lang))
        self.query_one("#sup-chart", Static).update(chart_text(p.days, self.lang))

    def action_appeal(self) -> None:
        """违规申诉: a fine of a notice still open to appeal, chosen and explained in a dialog."""
        from stationdesk.tui.dialogs.appeal import AppealDialog  # opened on demand

        if self.picture is not None:
            self.app.push_screen(AppealDialog(self.picture.appealable()), self._after_appeal)

    def _after_appeal(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            post_up(self, ShowOutcome(outcome))
            self.reload()
