"""The supervisor's reports (考核): violations per order and kind with their fines, the weekly
report (Monday to Sunday), the month's total, the refund schedule, and a 14-day picture.

Violations are the ones domain/sla.py finds on each order, so the reports, the lists and the
detail screen can never disagree. A violation belongs to the day its order was placed (the
order's 下单时间, in the station's time zone), which is how an order's audit is filed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from stationdesk.domain import audit, sla
from stationdesk.domain.fields import day_range
from stationdesk.domain.text import clean_text
from stationdesk.services.context import Desk
from stationdesk.store.values import order_times
from stationdesk.store.tables import APPEALS, ORDERS

_COLUMNS = (
    "id", "logistics_no", "waybill_no", "source", "status", "order_time", "out_of_area", "dispatch_time",
    "dispatch_operator", "accepted_at", "accept_failed_at", "picked_up_at", "pickup_failed_at", "transferred_at",
    "cancelled_at", "scanned_at",
)

REPORT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("order_day", "下单日期", 10), ("logistics_no", "物流号", 18), ("waybill_no", "运单号", 15),
    ("kind_label", "违规类型", 22), ("fine", "罚款(元)", 8), ("deadline", "时限", 16), ("at", "操作时间", 16),
    ("pending", "未处理", 6), ("appeal_until", "申诉截止", 16), ("appealed", "已申诉", 6), ("appeal_note", "申诉说明", 20),
    ("source", "数据来源", 10), ("kind", "kind", 20),
)


def _orders(conn: Connection, start: datetime, end: datetime) -> Iterator[Mapping[str, Any]]:
    c = ORDERS.c
    stmt = (select(*(c[name] for name in _COLUMNS))
            .where(c.order_time >= start, c.order_time < end).order_by(c.order_time, c.id))
    yield from conn.execution_options(yield_per=2000).execute(stmt).mappings()


def _appeals(conn: Connection, start: datetime, end: datetime) -> dict[tuple[int, str], Mapping[str, Any]]:
    stmt = (select(APPEALS).join(ORDERS, ORDERS.c.id == APPEALS.c.order_id)
            .where(ORDERS.c.order_time >= start, ORDERS.c.order_time < end))
    return {(r["order_id"], r["kind"]): r for r in conn.execute(stmt).mappings()}


def violation_rows(desk: Desk, first: date, last: date) -> list[dict[str, Any]]:
    """Every violation of orders placed from ``first`` to ``last`` (inclusive), one row per order
    and kind, oldest order first, with its fine and appeal."""
    tz, now = desk.config.tz, desk.now()
    start, end = day_range(first, last, tz)
    out: list[dict[str, Any]] = []
    with desk.db.read() as conn:
        appeals = _appeals(conn, start, end)
        for row in _orders(conn, start, end):
            for v in sla.violations(order_times(row), now):
                appeal = appeals.get((row["id"], v.kind.value))
                out.append({
                    "order_day": row["order_time"].astimezone(tz).date(),
                    "logistics_no": clean_text(row["logistics_no"]),
                    "waybill_no": clean_text(row["waybill_no"]),
                    "source": clean_text(row["source"]),
                    "kind": v.kind.value,
                    "kind_label": v.kind.label,
                    "fine": v.fine,
                    "deadline": v.deadline.astimezone(tz),
                    "at": v.at.astimezone(tz) if v.at else None,
                    "pending": v.pending,
                    "appeal_until": audit.appeal_deadline(v).astimezone(tz),
                    "appealed": appeal is not None,
                    "appeal_note": clean_text(appeal["note"]) if appeal else "",
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


def summarise(rows: list[dict[str, Any]], first: date, last: date) -> Summary:
    s = Summary(first, last)
    counts: Counter[str] = Counter()
    fines: Counter[str] = Counter()
    orders: set[str] = set()
    for r in rows:
        counts[r["kind"]] += 1
        fines[r["kind"]] += r["fine"]
        orders.add(r["logistics_no"])
        s.appealed += r["appealed"]
    s.counts, s.fines, s.orders = dict(counts), dict(fines), len(orders)
    return s


def weekly(desk: Desk, day: date) -> Summary:
    """The weekly report for the Monday-to-Sunday week holding ``day``."""
    monday, sunday = audit.week_of(day)
    return summarise(violation_rows(desk, monday, sunday), monday, sunday)


def monthly(desk: Desk, month: audit.Month) -> Summary:
    first, last = audit.month_days(month)
    return summarise(violation_rows(desk, first, last), first, last)


REFUND_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("fined_month", "罚款月份", 8), ("fine", "当月罚款(元)", 12), ("earned_month", "清零月份", 8),
    ("percent", "返还比例%", 9), ("amount", "返还(元)", 9), ("status", "状态", 10),
)


def refunds(desk: Desk, first: audit.Month, through: audit.Month) -> list[dict[str, Any]]:
    """Fines per month from ``first`` and the refunds they earn, judged by the violation history
    up to the last month that is over (the current month never counts as clean yet)."""
    today = desk.now().astimezone(desk.config.tz).date()
    last_over = audit.add_months(audit.month_of(today), -1)
    end_month = audit.add_months(through, 2)  # a month's refund depends on the two after it
    start_day = audit.month_days(first)[0]
    end_day = audit.month_days(min(end_month, audit.month_of(today)))[1]
    fines: dict[audit.Month, int] = defaultdict(int)
    for r in violation_rows(desk, start_day, end_day):
        fines[audit.month_of(r["order_day"])] += r["fine"]
    out = []
    for refund in audit.refund_schedule(fines, last_over):
        if not first <= refund.fined <= through:
            continue
        out.append({
            "fined_month": f"{refund.fined[0]}-{refund.fined[1]:02d}", "fine": fines[refund.fined],
            "earned_month": f"{refund.earned[0]}-{refund.earned[1]:02d}", "percent": refund.percent,
            "amount": refund.amount, "status": "已返还" if refund.due else "待下月无违规",
        })
    return out


@dataclass(frozen=True)
class DayFigures:
    day: date
    orders: int = 0
    late_accepts: int = 0
    late_pickups: int = 0
    missed_scans: int = 0  # handled in the menus (accepted or picked up) and still not scanned


def daily_figures(desk: Desk, days: int = 14) -> list[DayFigures]:
    """The last ``days`` days up to today, oldest first: the supervisor screen's chart."""
    tz, now = desk.config.tz, desk.now()
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    start, end = day_range(first, today, tz)
    tally: dict[date, Counter[str]] = {first + timedelta(days=i): Counter() for i in range(days)}
    with desk.db.read() as conn:
        for row in _orders(conn, start, end):
            counter = tally[row["order_time"].astimezone(tz).date()]
            counter["orders"] += 1
            if row["scanned_at"] is None and row["status"] in ("accepted", "picked_up"):
                counter["missed"] += 1
            for v in sla.violations(order_times(row), now):
                if v.kind is sla.ViolationKind.LATE_ACCEPT:
                    counter["late_accept"] += 1
                elif v.kind is sla.ViolationKind.LATE_PICKUP:
                    counter["late_pickup"] += 1
    return [DayFigures(d, c["orders"], c["late_accept"], c["late_pickup"], c["missed"]) for d, c in tally.items()]
