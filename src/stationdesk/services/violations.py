"""The supervisor's reports (考核): violations per order and kind with their fines, the weekly
report (Monday to Sunday), the month's total, the refund schedule, and a 14-day picture.

They read the audit ledger (services/ledger.py): violations recorded when they happened, never
re-derived from an order's fields today. A violation belongs to the day (and so the week and the
month) its deadline passed, in the station's time zone, whenever the late action came; a withdrawn
fine is listed but not counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stationdesk.domain import audit, ledger as rules, sla
from stationdesk.domain.fields import day_range
from stationdesk.domain.words import Words
from stationdesk.services.context import Desk
from stationdesk.services.unscanned import UNSCANNED_SQL
from stationdesk.services.violation_report import APPEALED as _APPEALED
from stationdesk.services.violation_report import REPORT_COLUMNS as REPORT_COLUMNS  # re-exported: 违规明细 lives there
from stationdesk.services.violation_report import violation_rows as violation_rows  # (the light report runs it alone)
from stationdesk.store import reads
from stationdesk.store.values import to_db


@dataclass
class Summary:
    """Violations and fines per kind over a period."""

    first: date
    last: date
    counts: dict[str, int] = field(default_factory=dict)
    fines: dict[str, int] = field(default_factory=dict)
    appealed: int = 0  # appealed, upheld or withdrawn

    @property
    def total_fine(self) -> int:
        return sum(self.fines.values())

    def rows(self) -> list[dict[str, Any]]:
        """One row per kind (every kind listed, zero or not), then the total."""
        out = [{"period": f"{self.first}~{self.last}", "kind": k.value, "kind_label": k.label,
                "count": self.counts.get(k.value, 0), "fine": self.fines.get(k.value, 0)} for k in sla.ViolationKind]
        out.append({"period": f"{self.first}~{self.last}", "kind": "total", "kind_label": "合计",
                    "count": sum(self.counts.values()), "fine": self.total_fine})
        return out


SUMMARY_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("period", "期间", 22), ("kind_label", "违规类型", 22), ("count", "单数", 6), ("fine", "罚款(元)", 8), ("kind", "kind", 20),
)


# The period's totals, counted by SQLite over the ledger's covering index (station, deadline, kind,
# state, fine): no row leaves the database. A withdrawn fine is not counted, only noted as appealed.
SUMMARY_SQL = (
    "SELECT kind, state, count(*), sum(fine) FROM violation WHERE station_code = ? AND deadline >= ? AND deadline < ?"
    " GROUP BY kind, state"
)
_WITHDRAWN = rules.State.WITHDRAWN.value


def period_summary(desk: Desk, first: date, last: date) -> Summary:
    """Violations and fines per kind whose deadline passed from ``first`` to ``last`` (inclusive)."""
    start, end = (to_db(t) for t in day_range(first, last, desk.config.tz))
    s = Summary(first, last)
    with desk.db.read() as conn:
        rows = reads.driver(conn).execute(SUMMARY_SQL, (desk.station.code, start, end)).fetchall()
    for kind, state, n, fine in rows:
        if state != _WITHDRAWN:
            s.counts[kind] = s.counts.get(kind, 0) + n
            s.fines[kind] = s.fines.get(kind, 0) + fine
        if state in _APPEALED:
            s.appealed += n
    return s


# A period's fines alone (the refund schedule's months): one sum over the same index range.
FINES_SQL = ("SELECT sum(fine) FROM violation WHERE station_code = ? AND deadline >= ? AND deadline < ?"
             " AND state != 'withdrawn'")


def period_fines(desk: Desk, first: date, last: date) -> int:
    """The fines counted for deadlines from ``first`` to ``last`` (inclusive): ``period_summary(...).total_fine``."""
    start, end = (to_db(t) for t in day_range(first, last, desk.config.tz))
    with desk.db.read() as conn:
        total = reads.driver(conn).execute(FINES_SQL, (desk.station.code, start, end)).fetchone()[0]
    return int(total or 0)


def weekly(desk: Desk, day: date) -> Summary:
    """The weekly report for the Monday-to-Sunday week holding ``day``."""
    monday, sunday = audit.week_of(day)
    return period_summary(desk, monday, sunday)


def monthly(desk: Desk, month: audit.Month) -> Summary:
    first, last = audit.month_days(month)
    return period_summary(desk, first, last)


REFUND_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("fined_month", "罚款月份", 8), ("fine", "当月罚款(元)", 12), ("earned_month", "清零月份", 8),
    ("percent", "返还比例%", 9), ("amount", "返还(元)", 9), ("status", "状态", 10),
)


def refunds(desk: Desk, first: audit.Month, through: audit.Month) -> list[dict[str, Any]]:
    """Fines per month from ``first`` and the refunds they earn, judged by the ledger up to the last
    month that is over (the current month never counts as clean yet). A clean month had online
    orders and no violation."""
    tz = desk.config.tz
    today = desk.now().astimezone(tz).date()
    last_over = audit.add_months(audit.month_of(today), -1)
    end_month = audit.add_months(through, 2)  # a month's refund depends on the two after it
    start_day = audit.month_days(first)[0]
    end_day = audit.month_days(min(end_month, audit.month_of(today)))[1]
    fines: dict[audit.Month, int] = defaultdict(int)
    month = audit.month_of(start_day)
    while audit.month_days(month)[0] <= end_day:
        fines[month] = period_fines(desk, *audit.month_days(month))
        month = audit.add_months(month, 1)
    online = _online_orders(desk, start_day, end_day)
    out = []
    for refund in audit.refund_schedule(fines, last_over, online):
        if not first <= refund.fined <= through:
            continue
        out.append({
            "fined_month": f"{refund.fined[0]}-{refund.fined[1]:02d}", "fine": fines[refund.fined],
            "earned_month": f"{refund.earned[0]}-{refund.earned[1]:02d}", "percent": refund.percent,
            "amount": refund.amount, "status": Words("refund.paid" if refund.due else "refund.waiting"),
        })
    return out


def _online_orders(desk: Desk, first: date, last: date) -> dict[audit.Month, int]:
    """Whether each month had online orders (1) or none (0), by order time in the station's time
    zone: a clean month needs one, so the first found is enough."""
    tz = desk.config.tz
    out: dict[audit.Month, int] = {}
    month = audit.month_of(first)
    with desk.db.read() as conn:
        driver = reads.driver(conn)
        while audit.month_days(month)[0] <= last:
            start, end = (to_db(t) for t in day_range(*audit.month_days(month), tz))
            out[month] = len(driver.execute("SELECT id FROM orders WHERE order_time >= ? AND order_time < ?"
                                            " AND channel = 'online' LIMIT 1", (start, end)).fetchall())
            month = audit.add_months(month, 1)
    return out


@dataclass(frozen=True)
class DayFigures:
    day: date
    orders: int = 0
    late_accepts: int = 0
    late_pickups: int = 0
    missed_scans: int = 0  # handled in the menus (accepted or picked up) and still not scanned


def daily_figures(desk: Desk, days: int = 14) -> list[DayFigures]:
    """The last ``days`` days up to today, oldest first: the supervisor screen's chart. Orders by
    order day counted over the time index, missed scans over the unscanned index, late accepts and
    pickups from the ledger by the day their deadline passed.

    Each figure of a day is one aggregate over one index range: SQLite counts, nothing is sorted,
    no row leaves the database (a million orders over two weeks is a fifth of a second)."""
    tz = desk.config.tz
    today = desk.now().astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    out = []
    with desk.db.read() as conn:
        driver = reads.driver(conn)
        for day in (first + timedelta(days=i) for i in range(days)):
            lo, hi = (to_db(t) for t in day_range(day, day, tz))
            orders = driver.execute("SELECT count(*) FROM orders WHERE order_time >= ? AND order_time < ?",
                                    (lo, hi)).fetchone()[0]
            missed = driver.execute(f"SELECT count(*) FROM orders INDEXED BY ix_orders_unscanned WHERE {UNSCANNED_SQL}"
                                    " AND order_time >= ? AND order_time < ?", (lo, hi)).fetchone()[0]
            late = dict(driver.execute(
                "SELECT kind, count(*) FROM violation WHERE station_code = ? AND deadline >= ? AND deadline < ?"
                " AND state != 'withdrawn' GROUP BY kind", (desk.station.code, lo, hi)).fetchall())
            out.append(DayFigures(day, orders, late.get("late_accept", 0), late.get("late_pickup", 0), missed))
    return out
