"""Log-in hours by province, time with no one signed in, and the end-of-shift reminder.

Network-wide the working day is 08:00-20:00; in 新疆 (Xinjiang) it is 10:00-21:00 (DOMAIN.md).
The station directory's province chooses the default; ``[hours]`` in config.toml overrides it.
Pure rules: every function takes the time it judges as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_HOURS = (time(8, 0), time(20, 0))
XINJIANG_HOURS = (time(10, 0), time(21, 0))
SHIFT_END_WINDOW = timedelta(minutes=30)  # the last half hour: run 网点未揽收查询 before leaving


def hours_for(province: str, start: time | None = None, end: time | None = None) -> tuple[time, time]:
    """The station's log-in hours: ``start``/``end`` when configured, else by its province."""
    default = XINJIANG_HOURS if "新疆" in (province or "") or "xinjiang" in (province or "").lower() else DEFAULT_HOURS
    return (start or default[0], end or default[1])


def in_hours(now: datetime, hours: tuple[time, time], tz: tzinfo) -> bool:
    """Whether ``now`` falls in [start, end) in the station's time zone."""
    start, end = hours
    return start <= now.astimezone(tz).time() < end


def day_window(day: date, hours: tuple[time, time], tz: tzinfo) -> tuple[datetime, datetime]:
    """The working hours of ``day`` as aware datetimes."""
    return (datetime.combine(day, hours[0], tzinfo=tz), datetime.combine(day, hours[1], tzinfo=tz))


def in_shift_end(now: datetime, hours: tuple[time, time], tz: tzinfo) -> bool:
    """Within the last 30 minutes of the working day (the end itself is outside)."""
    local = now.astimezone(tz)
    _, end = day_window(local.date(), hours, tz)
    return end - SHIFT_END_WINDOW <= local < end


def shift_end_reminder_due(now: datetime, hours: tuple[time, time], tz: tzinfo, unscanned: int,
                           reminded_on: date | None) -> bool:
    """Remind to run 网点未揽收查询: in the last half hour, while unscanned orders exist, once a day."""
    return unscanned > 0 and in_shift_end(now, hours, tz) and reminded_on != now.astimezone(tz).date()


def unattended_minutes(day: date, hours: tuple[time, time], tz: tzinfo,
                       sessions: Iterable[tuple[datetime, datetime]], now: datetime | None = None) -> float:
    """Minutes of ``day``'s working hours covered by no signed-in session (ended or running to ``now``).

    A day not yet begun counts nothing; today counts only up to ``now``."""
    start, end = day_window(day, hours, tz)
    if now is not None:
        end = min(end, now)
    if end <= start:
        return 0.0
    covered = sorted((max(a, start), min(b, end)) for a, b in sessions if b > start and a < end)
    gap = timedelta()
    cursor = start
    for a, b in covered:
        if a > cursor:
            gap += a - cursor
        cursor = max(cursor, b)
    if cursor < end:
        gap += end - cursor
    return gap.total_seconds() / 60
