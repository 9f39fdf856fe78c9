"""主管报表 (F8): this week's and last week's violations and fines, the month's total, the refund
schedule, and a chart of the last 14 days (orders, late accepts, late pickups, missed scans)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from stationdesk.domain import audit
from stationdesk.services import violations
from stationdesk.services.context import Desk
from stationdesk.tui.i18n import tr, violation_label
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
    )


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def summary_text(p: Picture, lang: str) -> Text:
    en = lang == "en"
    out = Text()
    heads = (("本周", "This week", p.this_week), ("上周", "Last week", p.last_week), ("本月", "This month", p.month))
    for zh, eng, s in heads:
        # the period and its total on one line, each kind on its own under it: nothing is split at 80 columns
        out.append(_pad(f"{eng if en else zh} {s.first}~{s.last}", 30) + " ", style="bold")
        out.append(tr("sup.total", lang, fine=s.total_fine) + "\n", style="bold")
        for row in s.rows()[:-1]:
            if row["count"]:
                kind = violation_label(row["kind"], lang) or row["kind_label"]
                out.append("  " + tr("sup.kind_line", lang, kind=kind, n=row["count"], fine=row["fine"]) + "\n")
    out.append("\n" + ("Refunds (60% after a clean month, 40% after a second)" if en else "罚款返还 (次月无违规返 60%, 再下月无违规返 40%)")
               + "\n", style="bold")
    if not p.refunds:
        out.append("  -\n")
    for r in p.refunds:
        out.append("  " + tr("sup.refund_line", lang, fined=r["fined_month"], fine=r["fine"], earned=r["earned_month"],
                                 percent=r["percent"], amount=f"{r['amount']:.0f}", status=r["status"]) + "\n")
    return out


def chart_text(days: list[violations.DayFigures], lang: str) -> Text:
    """A bar per day and series, each series scaled to its own largest day."""
    en = lang == "en"
    out = Text()
    out.append(("Last 14 days" if en else "最近 14 天") + "\n", style="bold")
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

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="sup-body"):
            yield Static("正在加载..." if self.lang != "en" else "Loading...", id="sup-summary")
            yield Static(id="sup-chart")

    def heading_parts(self) -> list[str]:
        return ["主管报表: 违规、罚款与返还" if self.lang != "en" else "Supervisor: violations, fines and refunds"]

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.desk_app
        app.jobs.run(load_picture, app.desk, done=self._show, group="supervisor", exclusive=True)

    def _show(self, p: Picture) -> None:
        self.picture = p
        self.query_one("#sup-summary", Static).update(summary_text(p, self.lang))
        self.query_one("#sup-chart", Static).update(chart_text(p.days, self.lang))
