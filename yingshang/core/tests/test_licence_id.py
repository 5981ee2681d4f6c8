"""Electronic licence identifier: the check algorithm against python-stdnum, every part."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_36

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.licence_id import (
    ALPHABET,
    PREFIX,
    LicenceId,
    licence_id_build,
    licence_id_is_valid,
    licence_id_parse,
    mod37_36_check,
)
from yingshang.core.uscc import uscc_from_serial

ISSUER = "91310115MA1FL5XK4C"  # a valid credit code (see test_uscc.test_known_layout)
TYPE = "11100000000000000"

alphabet_text = st.text(alphabet=ALPHABET, min_size=0, max_size=60)
type_codes = st.text(alphabet=ALPHABET, min_size=1, max_size=32)
issuers = st.integers(0, 31**6 - 1).map(lambda s: uscc_from_serial(region="310115", serial=s))
serials = st.one_of(
    st.integers(0, 10**20 - 1), st.text(alphabet="0123456789", min_size=1, max_size=20)
)
versions = st.integers(1, 999)


def _rejects(value: object, part: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        licence_id_parse(value)
    assert info.value.code is ErrorCode.INVALID_LICENCE_ID
    assert info.value.details["part"] == part, info.value.details
    return info.value


# --- ISO 7064 MOD 37,36 against python-stdnum --------------------------------------------


@pytest.mark.parametrize(
    ("chars", "check"),
    # The first three worked by hand from the recurrence (e.g. "0": P = 36 -> 72 mod 37 = 35,
    # check = 37 - 35 = 2); the last is python-stdnum's documented example A12425GABC1234002M.
    [("", "1"), ("0", "2"), ("A", "H"), ("A12425GABC1234002", "M")],
)
def test_mod37_36_known_answers(chars: str, check: str) -> None:
    assert mod37_36_check(chars) == check
    assert mod_37_36.calc_check_digit(chars) == check


@given(alphabet_text)
def test_mod37_36_matches_stdnum(chars: str) -> None:
    check = mod37_36_check(chars)
    assert check == mod_37_36.calc_check_digit(chars)
    assert mod_37_36.is_valid(chars + check)
    assert mod_37_36.checksum(chars + check) == 1


@given(alphabet_text.filter(bool), st.data())
def test_mod37_36_detects_every_single_substitution(chars: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(chars) - 1))
    other = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != chars[i]))
    assert mod37_36_check(chars[:i] + other + chars[i + 1 :]) != mod37_36_check(chars)


def test_mod37_36_misses_some_transpositions() -> None:
    """Hybrid systems catch most, not all, adjacent transpositions: know the limit."""
    assert mod37_36_check("IJ") == mod37_36_check("JI") == mod_37_36.calc_check_digit("IJ")


def test_mod37_36_rejects_characters_outside_the_alphabet() -> None:
    with pytest.raises(DomainError) as info:
        mod37_36_check("12.3")
    assert info.value.code is ErrorCode.INVALID_LICENCE_ID
    assert info.value.details["position"] == 3


# --- Build and parse ---------------------------------------------------------------------


def test_known_layout() -> None:
    value = licence_id_build(type_code=TYPE, issuer_credit_code=ISSUER, serial=123)
    covered = "1215630052" + TYPE + ISSUER + "000123" + "001"
    check = mod_37_36.calc_check_digit(covered)
    assert value == f"{PREFIX}.{TYPE}.{ISSUER}.000123.001.{check}"
    parsed = licence_id_parse(value)
    assert parsed == LicenceId(TYPE, ISSUER, "000123", 1, check)
    assert parsed.covered == covered
    assert str(parsed) == value
    assert licence_id_is_valid(value)


def test_string_serial_is_kept_verbatim_and_version_padded() -> None:
    value = licence_id_build(
        type_code="J1", issuer_credit_code=ISSUER, serial="0000000000000000042", version=12
    )
    parsed = licence_id_parse(value)
    assert (parsed.serial, parsed.version) == ("0000000000000000042", 12)
    assert value.split(".")[-2] == "012"


def test_parse_normalises_full_width_lower_case_and_blanks() -> None:
    value = licence_id_build(type_code="ab12", issuer_credit_code=ISSUER.lower(), serial=7)
    messy = "  " + value.lower().replace(".", "．").replace("1", "１") + "\n"
    assert licence_id_parse(messy) == licence_id_parse(value)


@settings(max_examples=200)
@given(type_codes, issuers, serials, versions)
def test_every_built_id_parses(
    type_code: str, issuer: str, serial: str | int, version: int
) -> None:
    value = licence_id_build(
        type_code=type_code, issuer_credit_code=issuer, serial=serial, version=version
    )
    parsed = licence_id_parse(value)
    assert (parsed.type_code, parsed.issuer_credit_code, parsed.version) == (
        type_code,
        issuer,
        version,
    )
    assert parsed.serial == (serial if isinstance(serial, str) else f"{serial:06d}")
    assert mod_37_36.is_valid(parsed.covered + parsed.check)


@settings(max_examples=300)
@given(type_codes, issuers, serials, versions, st.data())
def test_every_single_substitution_is_rejected(
    type_code: str, issuer: str, serial: str | int, version: int, data: st.DataObject
) -> None:
    value = licence_id_build(
        type_code=type_code, issuer_credit_code=issuer, serial=serial, version=version
    )
    # Any character but a dot: the covered content and the check character itself.
    positions = [i for i, ch in enumerate(value) if ch != "."]
    i = data.draw(st.sampled_from(positions))
    other = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != value[i]))
    with pytest.raises(DomainError) as info:
        licence_id_parse(value[:i] + other + value[i + 1 :])
    assert info.value.code is ErrorCode.INVALID_LICENCE_ID


# --- Every malformed part ----------------------------------------------------------------


def _valid() -> list[str]:
    return licence_id_build(type_code=TYPE, issuer_credit_code=ISSUER, serial=5).split(".")


@pytest.mark.parametrize("value", [None, "", "1.2.156", PREFIX + ".1.2.3.4.5.6", "a" * 40])
def test_wrong_number_of_parts(value: object) -> None:
    error = _rejects(value, "structure")
    assert "段" in error.message


def test_wrong_prefix() -> None:
    parts = _valid()
    parts[2] = "840"
    error = _rejects(".".join(parts), "prefix")
    assert "1.2.156.3005.2" in error.message


@pytest.mark.parametrize("bad", ["", "A-1", "1" * 33, "类型"])
def test_bad_type_code(bad: str) -> None:
    parts = _valid()
    parts[5] = bad
    error = _rejects(".".join(parts), "type_code")
    assert "证照类型代码" in error.message


def test_bad_issuer_names_the_part_and_the_uscc_rule() -> None:
    parts = _valid()
    parts[6] = ISSUER[:17] + "0"  # wrong USCC check character
    error = _rejects(".".join(parts), "issuer")
    assert "发证机构" in error.message
    assert error.details["rule"] == "check"
    assert error.details["uscc"]["position"] == 18


@pytest.mark.parametrize("bad", ["", "12A", "1" * 21])
def test_bad_serial(bad: str) -> None:
    parts = _valid()
    parts[7] = bad
    assert "顺序号" in _rejects(".".join(parts), "serial").message


@pytest.mark.parametrize("bad", ["000", "1", "0001", "01A"])
def test_bad_version(bad: str) -> None:
    parts = _valid()
    parts[8] = bad
    assert "版本号" in _rejects(".".join(parts), "version").message


@pytest.mark.parametrize("bad", ["", "AB", "-"])
def test_malformed_check(bad: str) -> None:
    parts = _valid()
    parts[9] = bad
    assert "校验码" in _rejects(".".join(parts), "check").message


def test_wrong_check_names_the_expected_character() -> None:
    parts = _valid()
    right = parts[9]
    parts[9] = "0" if right != "0" else "1"
    error = _rejects(".".join(parts), "check")
    assert error.details == {"part": "check", "rule": "mismatch", "expected": right}
    assert "MOD 37,36" in error.message


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"type_code": "x-1"}, "type_code"),
        ({"issuer_credit_code": "91310115MA1FL5XK4D"}, "issuer"),
        ({"serial": -1}, "serial"),
        ({"serial": "12 3"}, "serial"),
        ({"serial": 10**20}, "serial"),
        ({"version": 0}, "version"),
        ({"version": 1000}, "version"),
    ],
)
def test_build_rejects_bad_parts(kwargs: dict[str, object], part: str) -> None:
    args: dict[str, object] = {"type_code": TYPE, "issuer_credit_code": ISSUER, "serial": 1}
    args.update(kwargs)
    with pytest.raises(DomainError) as info:
        licence_id_build(**args)  # type: ignore[arg-type]
    assert info.value.code is ErrorCode.INVALID_LICENCE_ID
    assert info.value.details["part"] == part
