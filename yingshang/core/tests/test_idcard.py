"""Citizen identity numbers (GB 11643-1999)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.idcard import (
    IdNumber,
    Sex,
    id_number_check_character,
    id_number_is_valid,
    id_number_mask,
    id_number_parse,
)
from yingshang.core.regions import RegionLevel, all_regions

# The example printed in GB 11643-1999 (appendix): 11010519491231002X, a woman born
# 1949-12-31 in 北京市朝阳区.
STANDARD_EXAMPLE = "11010519491231002X"
COUNTIES = sorted(r.code for r in all_regions() if r.level is RegionLevel.COUNTY)


def _with_check(first17: str) -> str:
    return first17 + id_number_check_character(first17)


def _rejects(value: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        id_number_parse(value)
    assert info.value.code is ErrorCode.INVALID_ID_NUMBER
    return info.value


def test_standard_example() -> None:
    number = id_number_parse(STANDARD_EXAMPLE)
    assert number.value == STANDARD_EXAMPLE
    assert number.birth_date == datetime.date(1949, 12, 31)
    assert number.sex is Sex.FEMALE
    assert number.sex.label == "女"
    assert number.region_code == "110105"


def test_lower_case_x_and_blanks() -> None:
    assert id_number_parse(" 11010519491231002x ").value == STANDARD_EXAMPLE
    assert id_number_is_valid("11010519491231002x")


def test_male() -> None:
    number = id_number_parse(_with_check("31011519900307123"))
    assert number.sex is Sex.MALE
    assert number.sex.label == "男"
    assert number.birth_date == datetime.date(1990, 3, 7)


def test_the_number_prints_masked() -> None:
    number = id_number_parse(STANDARD_EXAMPLE)
    assert str(number) == "110***********002X"
    assert STANDARD_EXAMPLE not in repr(number)
    assert STANDARD_EXAMPLE not in f"{number}"


def test_mask() -> None:
    assert id_number_mask("310115199003071234") == "310***********1234"
    assert id_number_mask(id_number_parse(STANDARD_EXAMPLE)) == "110***********002X"
    assert id_number_mask("11010519491231002x") == "110***********002X"
    assert id_number_mask("310115900307123") == "310********7123"  # old 15-digit number
    assert id_number_mask("12345") == "*****"
    assert id_number_mask("") == ""
    assert id_number_mask(None) == ""


def test_taiwan_residence_permit_prefix() -> None:
    assert id_number_is_valid(_with_check("83000019900307002"))


@pytest.mark.parametrize(
    ("value", "rule", "position", "words"),
    [
        ("1101051949123100", "length", None, "18位，收到16位"),
        (None, "length", None, "收到0位"),
        ("1101051949123100X2", "character", 17, "第17位字符“X”"),
        ("11010519491231002Y", "character", 18, "第18位字符“Y”"),
        ("A1010519491231002X", "character", 1, "第1位"),
        (_with_check("99010519491231002"), "region", 1, "“99”不是省级"),
        (_with_check("11010519490231002"), "birth_date", 7, "19490231"),
        (_with_check("11010518991231002"), "birth_date", 7, "1899-12-31"),
        ("11010519491231002" + "1", "check", 18, "第18位校验码应为“X”"),
    ],
)
def test_each_check(value: str | None, rule: str, position: int | None, words: str) -> None:
    error = _rejects(value)
    assert error.details["rule"] == rule
    assert error.details.get("position") == position
    assert words in error.message


def test_birth_date_in_the_future_is_rejected() -> None:
    today = timezone.localdate()
    assert id_number_is_valid(_with_check(f"310115{today:%Y%m%d}001"))
    tomorrow = today + datetime.timedelta(days=1)
    error = _rejects(_with_check(f"310115{tomorrow:%Y%m%d}001"))
    assert error.details["rule"] == "birth_date"
    assert id_number_is_valid(_with_check("31011519000101001"))  # the earliest accepted


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[str, datetime.date, int]:
    region = draw(st.sampled_from(COUNTIES))
    born = draw(st.dates(datetime.date(1900, 1, 1), timezone.localdate()))
    sequence = draw(st.integers(0, 999))
    return _with_check(f"{region}{born:%Y%m%d}{sequence:03d}"), born, sequence


@given(valid_numbers())
def test_valid_numbers_parse(case: tuple[str, datetime.date, int]) -> None:
    value, born, sequence = case
    number = id_number_parse(value)
    assert number == IdNumber(value)
    assert number.birth_date == born
    assert number.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)
    masked = id_number_mask(value)
    assert masked == value[:3] + "*" * 11 + value[-4:]


@given(valid_numbers(), st.integers(0, 16), st.sampled_from("0123456789"))
def test_any_single_digit_change_is_rejected(
    case: tuple[str, datetime.date, int], index: int, digit: str
) -> None:
    value = case[0]
    if value[index] == digit:
        digit = str((int(digit) + 1) % 10)
    assert not id_number_is_valid(value[:index] + digit + value[index + 1 :])


@given(valid_numbers(), st.integers(0, 16))
def test_any_adjacent_transposition_is_rejected(
    case: tuple[str, datetime.date, int], index: int
) -> None:
    value = case[0]
    swapped = value[:index] + value[index + 1] + value[index] + value[index + 2 :]
    if swapped != value:
        assert not id_number_is_valid(swapped)
