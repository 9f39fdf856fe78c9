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

from sqlalchemy import select

from stationdesk.domain import audit, ledger as rules, sla
from stationdesk.domain.fields import day_range
from stationdesk.domain.text import clean_text
from stationdesk.domain.words import Words
from stationdesk.services import ledger
from stationdesk.services.context import Desk
from stationdesk.services.unscanned import UNSCANNED_SQL
from stationdesk.store.tables import ORDERS
from stationdesk.store.values import from_db, to_db
from stationdesk.store.reads import driver as sqlite_driver

REPORT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("day", "日期", 10), ("logistics_no", "物流号", 18), ("waybill_no", "运单号", 15),
    ("kind_label", "违规类型", 22), ("fine", "罚款(元)", 8), ("state_label", "状态", 8), ("deadline", "时限", 16),
    ("at", "操作时间", 16), ("pending", "未处理", 6), ("appeal_until", "申诉截止", 16), ("appealed", "已申诉", 6),
    ("appeal_note", "申诉说明", 20), ("source", "数据来源", 10), ("kind", "kind", 20), ("state", "state", 12),
    ("station", "网点", 8),
)
_APPEALED = frozenset({rules.State.APPEALED.value, rules.State.UPHELD.value, rules.State.WITHDRAWN.value})
_STATE_LABELS = {s.value: s.label for s in rules.State}
_KINDS = {k.value: k for k in sla.ViolationKind}




def violation_rows(desk: Desk, first: date, last: date) -> list[dict[str, Any]]:
    """This station's recorded violations whose deadline passed from ``first`` to ``last``
    (inclusive), oldest deadline first, with fine, state and appeal."""
    tz = desk.config.tz
    start, end = day_range(first, last, tz)
    with desk.db.read() as conn:
        rows = ledger.rows_between(conn, desk.station.code, start, end)
    out: list[dict[str, Any]] = []
    sources: dict[str, str] = {}  # a handful of data sources: each cleaned once
    for (_id, kind, fine, state, station, deadline, at, until, _notice, _note, number, waybill, source, _ot,
         appeal_note) in rows:
        deadline_local = from_db(deadline).astimezone(tz)
        out.append({
            "day": deadline_local.date(),
            "logistics_no": clean_text(number),
            "waybill_no": clean_text(waybill),
            "source": sources.get(source) or sources.setdefault(source, clean_text(source)),
            "kind": kind,
            "kind_label": _KINDS[kind].label,
            "fine": fine,
            "state": state,
            "state_label": _STATE_LABELS.get(state, state),
            "station": station,
            "deadline": deadline_local,
            "at": from_db(at).astimezone(tz) if at else None,
            "pending": at is None,
            "appeal_until": from_db(until).astimezone(tz) if until else None,
            "appealed": state in _APPEALED or appeal_note is not None,
            "appeal_note": clean_text(appeal_note) if appeal_note else "",
        })
    return out


@dataclass
class Summary:
    """Violations and fines per kind over a period."""

    first: date
    last: date
    counts: dict[str, int] = field(default_factory=dict)
    fines: dict[str, int] = field(default_factory=dict)
    orders: int = 0  # orders with at least one violation
    appealed: int = 0

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


# The period's totals, counted by SQLite over the ledger's deadline index (no row leaves the database).
SUMMARY_SQL = (
    "SELECT kind, count(*), sum(fine), sum(state IN ('appealed', 'upheld')) FROM violation"
    " WHERE deadline >= ? AND deadline < ? AND station_code = ? AND state != 'withdrawn' GROUP BY kind"
)
SUMMARY_ORDERS_SQL = (
    "SELECT count(DISTINCT order_id), sum(state = 'withdrawn') FROM violation"
    " WHERE deadline >= ? AND deadline < ? AND station_code = ?"
)


def period_summary(desk: Desk, first: date, last: date) -> Summary:
    """Violations and fines per kind whose deadline passed from ``first`` to ``last`` (inclusive)."""
    start, end = (to_db(t) for t in day_range(first, last, desk.config.tz))
    args = (start, end, desk.station.code)
    s = Summary(first, last)
    with desk.db.read() as conn:
        driver = sqlite_driver(conn)
        for kind, n, fine, appealed in driver.execute(SUMMARY_SQL, args):
            s.counts[kind], s.fines[kind] = n, fine
            s.appealed += appealed
        orders, withdrawn = driver.execute(SUMMARY_ORDERS_SQL, args).fetchone()
    s.orders = orders
    s.appealed += withdrawn or 0
    return s


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
        fines[month] = period_summary(desk, *audit.month_days(month)).total_fine
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
        while audit.month_days(month)[0] <= last:
            start, end = day_range(*audit.month_days(month), tz)
            out[month] = len(conn.execute(select(ORDERS.c.id).where(
                ORDERS.c.order_time >= start, ORDERS.c.order_time < end, ORDERS.c.channel == "online").limit(1)).all())
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
    order day from the time index, missed scans from the unscanned index (a few per day), late
    accepts and pickups from the ledger by the day their deadline passed."""
    tz = desk.config.tz
    today = desk.now().astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    start, end = (to_db(t) for t in day_range(first, today, tz))
    tally = {first + timedelta(days=i): [0, 0, 0, 0] for i in range(days)}  # orders, late accepts, pickups, missed
    with desk.db.read() as conn:
        driver = sqlite_driver(conn)
        for day in tally:
            lo, hi = (to_db(t) for t in day_range(day, day, tz))
            tally[day][0] = driver.execute("SELECT count(*) FROM orders WHERE order_time >= ? AND order_time < ?",
                                           (lo, hi)).fetchone()[0]
        for (order_time,) in driver.execute(f"SELECT order_time FROM orders INDEXED BY ix_orders_unscanned WHERE {UNSCANNED_SQL}"
                                            " AND order_time >= ? AND order_time < ?",
                                            (start, end)):
            tally[from_db(order_time).astimezone(tz).date()][3] += 1
        for deadline, kind in driver.execute(
                "SELECT deadline, kind FROM violation WHERE station_code = ? AND deadline >= ? AND deadline < ?"
                " AND kind IN ('late_accept', 'late_pickup') AND state != 'withdrawn'", (desk.station.code, start, end)):
            tally[from_db(deadline).astimezone(tz).date()][1 if kind == "late_accept" else 2] += 1
    return [DayFigures(day, *counts) for day, counts in tally.items()]
