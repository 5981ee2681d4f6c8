"""GB/T 4754-2017 industries: the shipped table, lookups, parsing and the database copy."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.industries import (
    CSV_PATH,
    CSV_SHA256,
    IndustryEntry,
    IndustryLevel,
    all_industries,
    industry_children,
    industry_get,
    industry_parse,
    industry_path,
    industry_rows,
    industry_section,
)
from yingshang.core.models import Industry


def test_shipped_csv_is_the_pinned_edition() -> None:
    digest = hashlib.sha256(CSV_PATH.read_bytes()).hexdigest()
    assert (
        digest == CSV_SHA256 == "d454108c01afb5d6645030ea8b144feb5f9e2979f01c1945aa380a2fb1829788"
    )


def test_counts_per_level() -> None:
    counts = Counter(e.level for e in all_industries())
    assert counts == {
        IndustryLevel.SECTION: 20,
        IndustryLevel.DIVISION: 97,
        IndustryLevel.GROUP: 473,
        IndustryLevel.CLASS: 1381,
    }
    assert len(all_industries(IndustryLevel.CLASS)) == 1381


@pytest.mark.parametrize(
    ("code", "name", "level", "parent", "section"),
    [
        ("A", "农、林、牧、渔业", IndustryLevel.SECTION, None, "A"),
        ("0111", "稻谷种植", IndustryLevel.CLASS, "011", "A"),
        ("52", "零售业", IndustryLevel.DIVISION, "F", "F"),
        ("526", "汽车、摩托车、零配件和燃料及其他动力销售", IndustryLevel.GROUP, "52", "F"),
        ("5261", "汽车新车零售", IndustryLevel.CLASS, "526", "F"),
        ("I", "信息传输、软件和信息技术服务业", IndustryLevel.SECTION, None, "I"),
        ("6513", "应用软件开发", IndustryLevel.CLASS, "651", "I"),
        ("0220", "造林和更新", IndustryLevel.CLASS, "022", "A"),  # single-class group
        ("9231", "人民法院", IndustryLevel.CLASS, "923", "S"),  # 2017 edition, no XG1-2019
    ],
)
def test_known_entries(
    code: str, name: str, level: IndustryLevel, parent: str | None, section: str
) -> None:
    assert industry_get(code) == IndustryEntry(code, name, level, parent, section)


def test_path_and_section() -> None:
    assert [e.code for e in industry_path("6513")] == ["I", "65", "651", "6513"]
    assert [e.code for e in industry_path("F5261")] == ["F", "52", "526", "5261"]
    assert [e.code for e in industry_path("A")] == ["A"]
    assert industry_section("6513").name == "信息传输、软件和信息技术服务业"
    assert industry_section("I").code == "I"
    assert [e.code for e in industry_children("526")][:2] == ["5261", "5262"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5261", "5261"),
        ("F5261", "5261"),
        ("f5261", "5261"),
        (" F5261 ", "5261"),
        ("Ｆ５２６１", "5261"),  # full-width
        ("F52", "52"),
        ("526", "526"),
        ("i", "I"),
    ],
)
def test_accepted_forms(value: str, code: str) -> None:
    assert industry_parse(value).code == code


@pytest.mark.parametrize(
    ("value", "reason", "words"),
    [
        ("", "format", "格式不正确"),
        (None, "format", "格式不正确"),
        ("52611", "format", "格式不正确"),
        ("F-5261", "format", "格式不正确"),
        ("5", "format", "格式不正确"),
        ("FF", "format", "格式不正确"),
        ("汽车", "format", "格式不正确"),
        ("9999", "unknown", "不在《国民经济行业分类》"),
        ("Z", "unknown", "不在《国民经济行业分类》"),
        ("9233", "unknown", "9233"),  # only in amendment No. 1 (2019)
        ("G5261", "section_mismatch", "门类字母应为“F”"),
    ],
)
def test_rejected(value: str | None, reason: str, words: str) -> None:
    with pytest.raises(DomainError) as info:
        industry_parse(value)
    assert info.value.code is ErrorCode.INVALID_INDUSTRY
    assert info.value.details["reason"] == reason
    assert words in info.value.message


def test_level_can_be_demanded() -> None:
    assert industry_parse("F5261", level=IndustryLevel.CLASS).code == "5261"
    with pytest.raises(DomainError) as info:
        industry_parse("52", level=IndustryLevel.CLASS)
    assert info.value.details["reason"] == "level"
    assert "大类" in info.value.message and "小类" in info.value.message


@given(st.sampled_from(all_industries()))
def test_every_entry_parses_plain_and_prefixed(entry: IndustryEntry) -> None:
    assert industry_parse(entry.code) is entry
    if entry.level is not IndustryLevel.SECTION:
        assert industry_parse(entry.section + entry.code) is entry
        assert industry_path(entry.code)[-2].code == entry.parent
    assert len(industry_path(entry.code)) == len(entry.code) if entry.code.isdigit() else 1


@pytest.mark.django_db
def test_database_table_matches_the_csv() -> None:
    rows = industry_rows()
    stored = list(
        Industry.objects.order_by("position").values_list("code", "name", "level", "parent")
    )
    assert stored == [(r["code"], r["name"], r["level"], r["parent"] or None) for r in rows]
    assert list(Industry.objects.values_list("code", "section")) == [
        (e.code, e.section) for e in all_industries()
    ]
    assert Industry.objects.filter(level=IndustryLevel.CLASS).count() == 1381


@pytest.mark.django_db
def test_database_relations() -> None:
    cls = Industry.objects.select_related("parent__parent__parent").get(pk="6513")
    assert str(cls) == "6513 应用软件开发"
    assert cls.get_level_display() == "小类"
    assert cls.parent is not None and cls.parent.parent is not None
    assert cls.parent.parent.parent is not None
    assert cls.parent.parent.parent.code == "I"
    assert set(Industry.objects.get(pk="526").children.values_list("code", flat=True)) == {
        "5261",
        "5262",
        "5263",
        "5264",
        "5265",
        "5266",
        "5267",
    }
