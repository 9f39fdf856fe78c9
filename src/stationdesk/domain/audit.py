"""The audit's calendar (考核): weekly reports, the appeal window and the refund schedule.

Pure rules from DOMAIN.md: time comes in as arguments, months are (year, month) pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from stationdesk.domain.sla import Violation

# "A station may appeal a fine within 3 days of the notice; after that appeals are refused."
APPEAL_WINDOW = timedelta(days=3)
# "60% back if month M+1 is clean, and the remaining 40% if M+2 is clean too."
REFUND_SHARES = (60, 40)

Month = tuple[int, int]


def occurred_at(v: Violation) -> datetime:
    """When a violation is on the record: the late (or wrong) action's time, or, while the
    order is still open and overdue, its deadline."""
    return v.at if v.at is not None else v.deadline


def appeal_deadline(v: Violation) -> datetime:
    return occurred_at(v) + APPEAL_WINDOW


def may_appeal(v: Violation, now: datetime) -> bool:
    """Within 3 days of the violation (exactly 3 days is still in time)."""
    return now <= appeal_deadline(v)


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of the week holding ``day`` (the weekly report goes out on Monday)."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of(day: date) -> Month:
    return day.year, day.month


def add_months(month: Month, n: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def month_days(month: Month) -> tuple[date, date]:
    """The first and last day of a month."""
    first = date(month[0], month[1], 1)
    nxt = add_months(month, 1)
    return first, date(nxt[0], nxt[1], 1) - timedelta(days=1)


@dataclass(frozen=True)
class Refund:
    """A part of month ``fined``'s fines paid back once month ``earned`` ended clean."""

    fined: Month
    earned: Month
    percent: int
    amount: float  # yuan
    due: bool  # the earning month is over (else: expected if it stays clean)


def refund_schedule(fines: Mapping[Month, int], through: Month,
                    online: Mapping[Month, int] | None = None) -> list[Refund]:
    """Refunds owed for fines by month, judged with months up to ``through`` known.

    A station fined in M gets 60% back if M+1 has no violation, and the remaining 40% if M+2 is
    clean too; a violation in M+1 ends the refund (and M+1's own fines start their own schedule).
    A month after ``through`` is not over yet: its refund is listed as not yet due. With
    ``online`` (online orders per month), a month with no online orders at all is not clean either.
    """
    out: list[Refund] = []
    for month in sorted(m for m, amount in fines.items() if amount > 0):
        total = fines[month]
        for step, percent in enumerate(REFUND_SHARES, start=1):
            earned = add_months(month, step)
            if earned > through:
                out.append(Refund(month, earned, percent, total * percent / 100, due=False))
                break
            if fines.get(earned, 0) > 0 or (online is not None and online.get(earned, 0) == 0):
                break
            out.append(Refund(month, earned, percent, total * percent / 100, due=True))
    return out
