import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationdesk.domain.errors import InvalidInput, InvalidWaybill, ReasonRefused, UnknownStation
from stationdesk.domain.fields import parse_bool, parse_phone, parse_time
from stationdesk.domain.masking import mask_phone
from stationdesk.domain.reasons import Reason, check_reason, parse_reason
from stationdesk.domain.routing import Directory, Station, StationKind, check_area
from stationdesk.domain.text import clean_text
from stationdesk.domain.waybill import WaybillRule

HOME = Station("HZ001", "西湖", "浙江省", frozenset({"西湖区", "上城区"}))
OTHER = Station("HZ002", "拱墅", "浙江省", frozenset({"拱墅区"}))
DC = Station("DC000", "数据中心", "-", frozenset(), StationKind.DATACENTER)
DIRECTORY = Directory([HOME, OTHER, DC])


@pytest.mark.parametrize("note", ["不够人手", "今天人员不足", "地址太远了", "人手不够", "short-staffed today", "Too far"])
def test_capacity_excuses_are_refused_with_the_reason(note):
    with pytest.raises(ReasonRefused, match="运力"):
        check_reason(Reason.OTHER, note)


@pytest.mark.parametrize("note", ["客户电话关机, 打了三次", "没人接电话", "客户要求改天"])
def test_truthful_notes_pass(note):
    assert check_reason(Reason.CUSTOMER_UNREACHABLE, note) == note


def test_other_needs_a_note_and_unknown_codes_list_the_valid_ones():
    with pytest.raises(ReasonRefused, match="其他"):
        check_reason(Reason.OTHER, "  ")
    with pytest.raises(ReasonRefused, match="customer_unreachable"):
        parse_reason("staff")
    assert parse_reason("违禁品") is Reason.PROHIBITED_GOODS


def test_out_of_area_is_flagged_and_the_right_station_suggested():
    assert check_area(HOME, DIRECTORY, "西湖区").out_of_area is False
    result = check_area(HOME, DIRECTORY, "拱墅区")
    assert result.out_of_area and result.suggested is OTHER


def test_unknown_district_goes_to_the_data_center():
    result = check_area(HOME, DIRECTORY, "火星区")
    assert result.out_of_area and result.suggested is DC


def test_directory_lookup_and_search():
    with pytest.raises(UnknownStation, match="XX9"):
        DIRECTORY.get("XX9")
    assert [s.code for s in DIRECTORY.search("hz")] == ["HZ001", "HZ002"]
    assert DIRECTORY.search("数据")[0] is DC


@pytest.mark.parametrize(("raw", "masked"), [
    ("13812345678", "138****5678"), ("+86 138-1234-5678", "138****5678"), ("0571-8888999", "057****8999"), ("021-6888999", "02****8999"), ("", ""),
])
def test_phone_masking(raw, masked):
    assert mask_phone(raw) == masked


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_masked_mobile_never_shows_the_middle_four(phone):
    masked = mask_phone(phone)
    assert masked[3:7] == "****" and masked[:3] == phone[:3] and masked[-4:] == phone[-4:]


def test_waybill_format_is_checked_and_normalised():
    rule = WaybillRule()
    assert rule.check(" 5500-0000-12345 ") == "550000001234 5".replace(" ", "")
    with pytest.raises(InvalidWaybill, match="12-15"):
        rule.check("ABC123", order_ref="LP1")
    custom = WaybillRule(r"BS[0-9]{10}", "BS + 10 位数字")
    assert custom.check("bs0123456789") == "BS0123456789"


def test_escape_sequences_and_controls_never_survive():
    hostile = "张\x1b[31m三\x1b[0m\x1b]0;pwned\x07\u202e\x00\x07 \x9b2J"
    assert clean_text(hostile) == "张三"


@given(st.text())
def test_clean_text_output_has_no_controls_or_escapes(text):
    out = clean_text(text)
    assert "\x1b" not in out and "\x9b" not in out
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in out)
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_field_parsers_say_what_was_expected():
    with pytest.raises(InvalidInput, match="时区"):
        parse_time("2026-11-23 10:00")
    assert parse_time("2026-11-23T10:00:00+08:00").utcoffset().total_seconds() == 8 * 3600
    with pytest.raises(InvalidInput, match="位数字"):
        parse_phone("12-3456")
    assert parse_phone("+86 138-1234-5678") == "+8613812345678"
    assert parse_bool("是") is True and parse_bool("") is False


def test_changes_are_written_down_with_phones_masked_once():
    from stationdesk.domain.masking import mask_changes

    changes = {"sender_phone": ["13812345678", "13998765432"], "sender_address": ["文三路1号", "文三路2号"]}
    kept = mask_changes(changes)
    assert kept == {"sender_phone": ["138****5678", "139****5432"], "sender_address": ["文三路1号", "文三路2号"]}
    assert mask_changes(kept) == kept  # already masked: unchanged, so an op and its event compare alike
    assert mask_changes(changes, keep_new=True)["sender_phone"] == ["138****5678", "13998765432"]
    assert changes["sender_phone"] == ["13812345678", "13998765432"]  # the caller's dict is left as it was
