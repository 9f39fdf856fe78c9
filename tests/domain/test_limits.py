"""The limits table and the sanitiser: what the desk can hold and draw, checked by category."""

import sys
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationdesk.domain.errors import InvalidInput
from stationdesk.domain.fields import parse_time
from stationdesk.domain.limits import FIELD_LIMITS, check_length, check_raw, check_time_window, limit_of
from stationdesk.domain.text import clean_text

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
VS = set(map(chr, range(0xFE00, 0xFE10))) | set(map(chr, range(0xE0100, 0xE01F0)))


def undrawable(out: str) -> list[str]:
    """Characters a terminal would act on or hide, and variation selectors beyond the first."""
    bad = [repr(ch) for ch in out if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    bad += [f"VS run at {i}" for i in range(1, len(out)) if out[i] in VS and out[i - 1] in VS]
    return bad


# every code point, surrogates included, with the hostile ones drawn often
any_char = st.one_of(
    st.integers(0, sys.maxunicode).map(chr),
    st.sampled_from(["\u2060", "\u00ad", "\U000e0041", "\U000e007f", "\u2028", "\u2029", "\ufe0f", "\ufe0e",
                     "\U000e0100", "\u200d", "\u180e", "\x1b", "\x9b", "\n"]),
)


@settings(max_examples=400)
@given(st.lists(any_char, max_size=40).map("".join), st.booleans())
def test_the_sanitiser_leaves_nothing_a_terminal_acts_on_over_the_whole_code_space(text, multiline):
    out = clean_text(text, multiline=multiline)
    assert undrawable(out) == []
    if not multiline:
        assert "\n" not in out
    assert clean_text(out, multiline=multiline) == out  # cleaning twice changes nothing


def test_named_format_characters_go_and_text_around_them_stays():
    assert clean_text("张\u2060三\u00ad四\U000e0041\U000e007f") == "张三四"
    assert clean_text("一\u2028二\u2029三") == "一 二 三"
    assert clean_text("一\u2028二", multiline=True) == "一\n二"
    assert clean_text("\u2764\ufe0f\ufe0f\ufe0f好") == "\u2764\ufe0f好"
    assert clean_text("中\u3000文\u00a0字") == "中\u3000文\u00a0字"  # spaces of other widths are drawn


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+14:00",
                                  "1999-12-31T23:59:59+00:00", "2037-01-01T00:00:00+08:00"])
def test_a_time_outside_the_window_is_refused_without_overflow(text):
    with pytest.raises(InvalidInput, match="超出范围"):
        parse_time(text, NOW)


def test_times_inside_the_window_are_kept():
    assert parse_time("2000-01-01T00:00:00+00:00", NOW) == datetime(2000, 1, 1, tzinfo=UTC)
    assert parse_time("2036-11-01T00:00:00+08:00", NOW).year == 2036
    with pytest.raises(InvalidInput):
        check_time_window(datetime.max.replace(tzinfo=UTC), NOW)


@pytest.mark.parametrize(("value", "word"), [(True, "布尔"), (12, "整数"), (1e400, "数字"), ({"a": 1}, "对象"),
                                             ([1], "数组")])
def test_a_text_field_that_is_not_text_is_refused_naming_its_type(value, word):
    with pytest.raises(InvalidInput, match=word):
        check_raw("sender_name", value)


def test_lengths_come_from_one_table():
    assert check_raw("cancelled", True) is True and check_raw("note", None) == ""
    assert check_length("sender_name", "张" * FIELD_LIMITS["sender_name"])
    with pytest.raises(InvalidInput, match="最多 50"):
        check_length("sender_name", "张" * 51)
    with pytest.raises(InvalidInput, match="过长"):
        check_raw("goods", "x" * 300_000)
    assert limit_of("unknown_field") == 64


def test_a_snapshot_from_elsewhere_is_checked_field_by_field():
    from stationdesk.domain.limits import order_value_problems

    good = {"sender_name": "张三", "order_time": NOW, "out_of_area": False}
    assert order_value_problems(good, NOW) == []
    bad = {**good, "note": "x" * 501, "order_time": datetime(9999, 12, 31, tzinfo=UTC)}
    assert [f for f, _ in order_value_problems(bad, NOW)] == ["order_time", "note"]
