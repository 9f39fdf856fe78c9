"""When the alert check runs: gaps drawn at random between ``[alerts] min_minutes`` and
``max_minutes``, like the old system's 10-20 minute refresh, so the check is never on a beat.

APScheduler's IntervalTrigger with jitter gives gaps in [min, max] (the float draw can land on
max itself); this trigger draws whole microseconds, so every gap is in [min, max).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

_US_PER_MINUTE = 60_000_000


class GapTrigger(BaseTrigger):
    """Fires ``min_minutes`` <= gap < ``max_minutes`` after the previous fire time (a fixed gap
    when the two are equal)."""

    def __init__(self, min_minutes: float, max_minutes: float, rng: random.Random | None = None) -> None:
        lo, hi = round(min_minutes * _US_PER_MINUTE), round(max_minutes * _US_PER_MINUTE)
        if not 0 < lo <= hi:
            raise ValueError(f"need 0 < min_minutes <= max_minutes, got {min_minutes} and {max_minutes}")
        self.low_us, self.high_us = lo, hi
        self.rng = rng or random.Random()

    def gap(self) -> timedelta:
        """One gap: a whole number of microseconds in [min, max)."""
        span = self.high_us - self.low_us
        return timedelta(microseconds=self.low_us + (self.rng.randrange(span) if span else 0))

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        return (previous_fire_time or now) + self.gap()

    def __str__(self) -> str:
        return f"gap[{self.low_us / _US_PER_MINUTE:g}, {self.high_us / _US_PER_MINUTE:g}) min"
