"""Unified Social Credit Code: known answers, every rule, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.regions import all_regions
from yingshang.core.uscc import (
    ALPHABET,
    DEPARTMENTS,
    SERIAL_LIMIT,
    Uscc,
    check_character,
    organisation_check_digit,
    uscc_from_serial,
    uscc_generate,
    uscc_is_valid,
    uscc_parse,
)

REAL_CODES = (
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "uscc" / "real-valid-codes.txt"
)
MAINLAND = sorted(r.code for r in all_regions() if r.code < "710000")
VALID = "91310115MA1FL5XK4C"  # built by uscc_generate below; asserted in test_known_layout


def _rejects(value: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        uscc_parse(value)
    assert info.value.code is ErrorCode.INVALID_USCC
    return info.value


# --- Known answers -----------------------------------------------------------------------


def test_real_codes_are_all_valid() -> None:
    codes = [line.strip() for line in REAL_CODES.read_text().splitlines() if line.strip()]
    assert len(codes) == 200
    for code in codes:
        assert uscc_parse(code).code == code
        assert stdnum_uscc.is_valid(code)


def test_known_layout() -> None:
    code = uscc_generate(region="310115", body="MA1FL5XK")
    assert code == Uscc(VALID)
    assert (code.department_code, code.category_code) == ("9", "1")
    assert code.department == "市场监督管理（工商）"
    assert code.category == "企业"
    assert code.region_code == "310115"
    assert code.organisation_code == "MA1FL5XK4"
    assert str(code) == VALID


def test_national_level_region_is_accepted() -> None:
    # 清华大学: a 事业单位 registered by the central authority (region 100000).
    code = uscc_parse("12100000400000624D")
    assert code.category == "事业单位"
    assert code.region_code == "100000"


def test_normalisation() -> None:
    assert uscc_parse(" 91310115ma1fl5xk4c ").code == VALID
    assert uscc_parse("９１３１０１１５ＭＡ１ＦＬ５ＸＫ４Ｃ").code == VALID  # full-width


def test_organisation_check_digit_known_answers() -> None:
    # D2143569-X: the example of GB 11714; 400000624: 清华大学 (12100000400000624D).
    assert organisation_check_digit("D2143569") == "X"
    assert organisation_check_digit("40000062") == "4"
    assert organisation_check_digit("00000000") == "0"


@pytest.mark.parametrize("department", ["A", "N", "Y"])
def test_letter_departments_that_stdnum_rejects_are_valid(department: str) -> None:
    for category in DEPARTMENTS[department].categories:
        for region in ("110000", "310115", "100000"):
            code = uscc_generate(
                region=region, department=department, category=category, body="MA1FL5XK"
            ).code
            assert uscc_is_valid(code)
            assert not stdnum_uscc.is_valid(code)  # the reason we wrap it
            assert stdnum_uscc.calc_check_digit(code[:17]) == code[17]  # same check character


def test_y_has_only_category_1() -> None:
    first17 = "Y2310115MA1FL5XK0"
    error = _rejects(first17 + check_character(first17))
    assert error.details == {"rule": "category", "position": 2}


# --- Each rule: its code, its details, a Chinese message naming the position --------------


@pytest.mark.parametrize(
    ("value", "rule", "position", "words"),
    [
        ("9131011", "length", None, "18位"),
        (None, "length", None, "收到0位"),
        ("91310115MA1FL5XKOC", "alphabet", 17, "第17位字符“O”"),
        ("91310115MA1FL5XK4-", "alphabet", 18, "第18位"),
        ("B1310115MA1FL5XK4C", "department", 1, "第1位登记管理部门代码“B”"),
        ("94310115MA1FL5XK4C", "category", 2, "第2位机构类别代码“4”"),
        ("91990000MA1FL5XK4C", "region", 3, "第3-8位"),
        ("9131A115MA1FL5XK4C", "region", 3, "第3-8位"),
        ("91710000MA1FL5XK4C", "region", 3, "内地省级"),
        ("91310115MA1FL5XK1C", "organisation_check", 17, "第17位组织机构代码校验码应为“4”"),
        ("91310115MA1FL5XK4R", "check", 18, "第18位校验码应为“C”"),
    ],
)
def test_each_rule(value: str | None, rule: str, position: int | None, words: str) -> None:
    error = _rejects(value)
    assert error.details["rule"] == rule
    assert error.details.get("position") == position
    assert words in error.message


def test_generate_rejects_bad_arguments() -> None:
    with pytest.raises(DomainError) as info:
        uscc_generate(region="999999")
    assert info.value.code is ErrorCode.INVALID_REGION
    with pytest.raises(DomainError) as info:
        uscc_generate(region="810000")  # Hong Kong has no mainland registration authority
    assert info.value.code is ErrorCode.INVALID_REGION
    with pytest.raises(DomainError) as info:
        uscc_generate(region="310115", department="9", category="4")
    assert info.value.details["rule"] == "category"
    with pytest.raises(DomainError) as info:
        uscc_generate(region="310115", department="B")
    assert info.value.details["rule"] == "department"
    with pytest.raises(DomainError) as info:
        uscc_generate(region="310115", body="MA1FL5XO")
    assert info.value.details["rule"] == "alphabet"


# --- Properties ----------------------------------------------------------------------------

departments = st.sampled_from([(d, c) for d, dept in DEPARTMENTS.items() for c in dept.categories])
regions = st.sampled_from([*MAINLAND, "100000"])
bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    department, category = draw(departments)
    return uscc_generate(
        region=draw(regions), department=department, category=category, body=draw(bodies)
    ).code


@given(valid_codes())
def test_generated_codes_are_valid(code: str) -> None:
    assert uscc_parse(code).code == code


def test_random_generation_is_valid_and_in_ma_range() -> None:
    for _ in range(200):
        code = uscc_generate(region="310115", category="2").code
        assert uscc_is_valid(code)
        assert code.startswith("92310115MA")


# Where a single substitution at a position is caught: the rule and the position reported.
def _expected(position: int) -> set[tuple[str, int]]:
    if position == 1:
        return {("department", 1), ("category", 2), ("region", 3), ("check", 18)}
    if position == 2:
        return {("category", 2), ("check", 18)}
    if position <= 8:
        return {("region", 3), ("check", 18)}
    if position <= 16:  # GB 11714 misses a change by 11 or 22; the check character does not
        return {("organisation_check", 17), ("check", 18)}
    if position == 17:
        return {("organisation_check", 17)}
    return {("check", 18)}


@given(valid_codes(), st.integers(min_value=1, max_value=18), st.sampled_from(ALPHABET))
def test_every_single_substitution_is_rejected(code: str, position: int, char: str) -> None:
    if code[position - 1] == char:
        char = ALPHABET[(ALPHABET.index(char) + 1) % 31]
    changed = code[: position - 1] + char + code[position:]
    assert check_character(changed[:17]) != changed[17]  # MOD 31-3 alone catches it
    error = _rejects(changed)
    assert (error.details["rule"], error.details["position"]) in _expected(position)
    assert f"第{error.details['position']}" in error.message


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_check_character_agrees_with_stdnum(first17: str) -> None:
    assert check_character(first17) == stdnum_uscc.calc_check_digit(first17)


@given(
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
    st.text(alphabet=ALPHABET, min_size=10, max_size=10),
)
def test_agreement_with_stdnum_for_numeric_departments(first: str, digits: str, rest: str) -> None:
    # Near-valid input: fix the check character half the time so both checks get exercised.
    code = first + digits + rest
    for candidate in (code, code[:17] + check_character(code[:17])):
        ours, theirs = uscc_is_valid(candidate), stdnum_uscc.is_valid(candidate)
        if ours:
            assert theirs
        if theirs and not ours:  # only the rules stdnum does not check
            error = _rejects(candidate)
            assert error.details["rule"] in {
                "department",
                "category",
                "region",
                "organisation_check",
            }


@given(valid_codes())
def test_numeric_department_codes_agree_with_stdnum(code: str) -> None:
    assert stdnum_uscc.is_valid(code) == code[0].isdigit()


# --- The fast serial generator -------------------------------------------------------------


@settings(deadline=None)  # the first example builds the tables
@given(
    st.integers(min_value=0, max_value=SERIAL_LIMIT - 1),
    departments,
    st.sampled_from([*MAINLAND[:50], "310115", "100000"]),
)
def test_serial_codes_are_valid(serial: int, department: tuple[str, str], region: str) -> None:
    code = uscc_from_serial(
        region=region, serial=serial, department=department[0], category=department[1]
    )
    assert uscc_parse(code).code == code
    assert code[:10] == department[0] + department[1] + region + "MA"
    digits = "".join(ALPHABET[serial // 31**k % 31] for k in range(5, -1, -1))
    assert code[10:16] == digits  # base-31: injective by construction
    assert (
        uscc_from_serial(
            region=region, serial=serial, department=department[0], category=department[1]
        )
        == code
    )  # deterministic


def test_serial_codes_are_injective_and_match_generate() -> None:
    codes = {uscc_from_serial(region="310115", serial=s) for s in range(40_000)}
    assert len(codes) == 40_000
    last = uscc_from_serial(region="310115", serial=SERIAL_LIMIT - 1)
    assert last == uscc_generate(region="310115", body="MAYYYYYY").code
    assert (
        uscc_from_serial(region="310115", serial=0)
        == uscc_generate(region="310115", body="MA000000").code
    )


def test_serial_out_of_range_and_bad_region() -> None:
    for serial in (-1, SERIAL_LIMIT):
        with pytest.raises(DomainError) as info:
            uscc_from_serial(region="310115", serial=serial)
        assert info.value.code is ErrorCode.INVALID_INPUT
    with pytest.raises(DomainError) as info:
        uscc_from_serial(region="310199", serial=1)
    assert info.value.code is ErrorCode.INVALID_REGION


@settings(max_examples=50)
@given(valid_codes())
def test_lower_case_is_normalised(code: str) -> None:
    assert uscc_parse(code.lower()).code == code
