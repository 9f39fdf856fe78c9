"""The alert check's gaps: drawn in [min_minutes, max_minutes), never on a beat."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationdesk.alerts.trigger import GapTrigger

START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def gaps(trigger: GapTrigger, n: int) -> list[timedelta]:
    """``n`` consecutive gaps, each fire time computed from the previous one as the scheduler does."""
    out, previous = [], START
    for _ in range(n):
        nxt = trigger.get_next_fire_time(previous, previous)
        out.append(nxt - previous)
        previous = nxt
    return out


def test_ten_thousand_gaps_fall_in_min_inclusive_max_exclusive():
    drawn = gaps(GapTrigger(10, 20, random.Random(1)), 10_000)
    lo, hi = timedelta(minutes=10), timedelta(minutes=20)
    assert all(lo <= g < hi for g in drawn)
    # and they spread over the range rather than sitting on one value
    assert min(drawn) < timedelta(minutes=10, seconds=30) and max(drawn) > timedelta(minutes=19, seconds=30)
    assert len(set(drawn)) > 9_900


class TopOfRange(random.Random):
    """The largest draw randrange can make: the gap nearest max."""

    def randrange(self, stop: int, *_args, **_kw) -> int:  # noqa: ANN002, ANN003
        return stop - 1


def test_the_largest_possible_draw_is_still_below_max():
    (gap,) = gaps(GapTrigger(10, 20, TopOfRange()), 1)
    assert gap == timedelta(minutes=20) - timedelta(microseconds=1)


@settings(max_examples=200, deadline=None)
@given(lo=st.floats(min_value=0.01, max_value=120), extra=st.floats(min_value=0.001, max_value=120),
       seed=st.integers(min_value=0, max_value=2**32))
def test_gaps_in_range_for_any_setting(lo, extra, seed):
    hi = lo + extra
    trigger = GapTrigger(lo, hi, random.Random(seed))
    for g in gaps(trigger, 50):
        us = g // timedelta(microseconds=1)
        assert trigger.low_us <= us < trigger.high_us


def test_equal_min_and_max_give_a_fixed_gap():
    assert set(gaps(GapTrigger(0.25, 0.25, random.Random(3)), 20)) == {timedelta(seconds=15)}


def test_first_fire_without_a_previous_one_is_a_gap_after_now():
    nxt = GapTrigger(1, 2, random.Random(5)).get_next_fire_time(None, START)
    assert timedelta(minutes=1) <= nxt - START < timedelta(minutes=2)


@pytest.mark.parametrize(("lo", "hi"), [(0, 5), (5, 4), (-1, 2)])
def test_a_bad_range_is_refused(lo, hi):
    with pytest.raises(ValueError, match="min_minutes"):
        GapTrigger(lo, hi)
