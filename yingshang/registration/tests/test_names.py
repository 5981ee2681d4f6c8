"""Enterprise name self-declaration: parsing, word lists, comparison keys, comparisons."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.registration.names import (
    NameParts,
    _data,
    name_compare,
    name_keys,
    name_parse,
    trade_name_substrings,
)
from yingshang.registry.models import EntityType

SH = "310000"


def parse(name: str, **kwargs: object) -> NameParts:
    return name_parse(name, region_code=kwargs.pop("region_code", SH), **kwargs)  # type: ignore[arg-type]


def rule_of(name: str, **kwargs: object) -> str:
    with pytest.raises(DomainError) as info:
        parse(name, **kwargs)
    assert info.value.code is ErrorCode.INVALID_INPUT
    assert info.value.message
    return str(info.value.details["rule"])


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("name", "region", "trade", "industry", "form", "placement"),
    [
        ("上海鑫达贸易有限公司", "上海", "鑫达", "贸易", "有限公司", "prefix"),
        ("上海市鑫达贸易有限责任公司", "上海市", "鑫达", "贸易", "有限责任公司", "prefix"),
        ("鑫达（上海）贸易有限公司", "上海", "鑫达", "贸易", "有限公司", "parenthesized"),
        ("鑫达(上海)贸易有限公司", "上海", "鑫达", "贸易", "有限公司", "parenthesized"),
        ("鑫达贸易（上海）有限公司", "上海", "鑫达", "贸易", "有限公司", "parenthesized"),
        ("鑫达上海贸易有限公司", "上海", "鑫达", "贸易", "有限公司", "inline"),
        (
            "上海浦东新区鑫达信息科技有限公司",
            "上海浦东新区",
            "鑫达",
            "信息科技",
            "有限公司",
            "prefix",
        ),
        (
            "上海市浦东新区鑫达网络科技有限公司",
            "上海市浦东新区",
            "鑫达",
            "网络科技",
            "有限公司",
            "prefix",
        ),
        ("上海徐汇蓝湾文化传媒有限公司", "上海徐汇", "蓝湾", "文化传媒", "有限公司", "prefix"),
        ("上海青松餐饮管理股份有限公司", "上海", "青松", "餐饮管理", "股份有限公司", "prefix"),
        (
            "上海启明投资管理合伙企业（有限合伙）",
            "上海",
            "启明",
            "投资管理",
            "合伙企业（有限合伙）",
            "prefix",
        ),
        ("上海远帆贸易发展有限公司", "上海", "远帆", "贸易发展", "有限公司", "prefix"),
        ("上海三叶草信息技术有限公司", "上海", "三叶草", "信息技术", "有限公司", "prefix"),
        ("上海鑫达有限公司", "上海", "鑫达", "", "有限公司", "prefix"),
    ],
)
def test_parse_real_shaped_names(
    name: str, region: str, trade: str, industry: str, form: str, placement: str
) -> None:
    parts = parse(name)
    assert (parts.region_text, parts.trade_name, parts.industry_text, parts.form) == (
        region,
        trade,
        industry,
        form,
    )
    assert parts.region_placement == placement
    assert "(" not in parts.name and ")" not in parts.name


def test_region_codes() -> None:
    assert parse("上海浦东鑫达贸易有限公司").region_code == "310115"
    assert parse("上海鑫达贸易有限公司").region_code == SH
    # a district authority accepts its city and itself
    assert parse("上海鑫达贸易有限公司", region_code="310115").region_code == SH
    # without a region code, any current region
    assert name_parse("江苏省南京市玄武区鑫达贸易有限公司").region_code == "320102"
    assert name_parse("广西鑫达贸易有限公司").region_code == "450000"


def test_registered_names_tolerated() -> None:
    parts = name_parse("华光技术有限公司", registered=True)
    assert (parts.region_text, parts.trade_name, parts.industry_text) == ("", "华光", "技术")
    assert parts.region_placement == "none"


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("上海" + "鑫" * 60 + "有限公司", "too_long"),
        ("上海鑫达ABC贸易有限公司", "characters"),
        ("上海鑫达8贸易有限公司", "characters"),
        ("上海鑫达 贸易有限公司", "characters"),
        ("上海鑫达&贸易有限公司", "characters"),
        ("鑫达（（上海））贸易有限公司", "parentheses"),
        ("鑫达（上海贸易有限公司", "parentheses"),
        ("鑫达（）贸易有限公司", "parentheses"),
        ("上海鑫达（红星）贸易有限公司", "parentheses"),
        ("上海鑫达贸易", "form_missing"),
        ("有限公司", "region_missing"),
        ("鑫达贸易有限公司", "region_missing"),
        ("浦东新区鑫达贸易有限公司", "district_without_city"),
        ("北京鑫达贸易有限公司", "region_outside"),
        ("上海鑫贸易有限公司", "trade_name_too_short"),
        ("上海鑫有限公司", "trade_name_too_short"),
    ],
)
def test_invalid_rules(name: str, rule: str) -> None:
    assert rule_of(name) == rule


def test_error_details_name_the_field() -> None:
    with pytest.raises(DomainError) as info:
        parse("上海鑫达ABC贸易有限公司")
    assert info.value.details == {"rule": "characters", "field": "name", "position": 4}
    assert "第五条" in info.value.message


def test_industry_required() -> None:
    assert rule_of("上海鑫达有限公司", industry_required=True) == "industry_missing"
    flags = parse("上海鑫达有限公司").flags
    assert [f.rule for f in flags] == ["no_industry"]


@pytest.mark.parametrize(
    ("name", "entity_type"),
    [
        ("上海鑫达贸易有限公司", EntityType.LIMITED),
        ("上海鑫达贸易有限责任公司", EntityType.LIMITED_NATURAL_PERSON),
        ("上海鑫达贸易股份有限公司", EntityType.JOINT_STOCK),
        ("上海鑫达投资合伙企业（普通合伙）", EntityType.GENERAL_PARTNERSHIP),
        ("上海鑫达会计师事务所（特殊普通合伙）", EntityType.GENERAL_PARTNERSHIP),
        ("上海鑫达投资合伙企业（有限合伙）", EntityType.LIMITED_PARTNERSHIP),
        ("上海鑫达贸易商行", EntityType.SOLE_PROPRIETORSHIP),
        ("上海鑫达服装厂", EntityType.COLLECTIVE),
        ("上海鑫达贸易公司", EntityType.STATE_OWNED),
        ("上海鑫达蔬菜种植专业合作社", EntityType.FARMERS_COOPERATIVE),
    ],
)
def test_forms_match_entity_type(name: str, entity_type: EntityType) -> None:
    assert parse(name, entity_type=entity_type.value).trade_name.startswith("鑫达")


@pytest.mark.parametrize(
    ("name", "entity_type"),
    [
        ("上海鑫达贸易有限公司", EntityType.JOINT_STOCK),
        ("上海鑫达贸易股份有限公司", EntityType.LIMITED),
        ("上海鑫达投资合伙企业（普通合伙）", EntityType.LIMITED_PARTNERSHIP),
        ("上海鑫达贸易有限公司", EntityType.SOLE_PROPRIETORSHIP),
        ("上海鑫达贸易有限公司", EntityType.GENERAL_PARTNERSHIP),
    ],
)
def test_form_mismatch(name: str, entity_type: EntityType) -> None:
    assert rule_of(name, entity_type=entity_type.value) == "form_mismatch"


def test_entity_type_unknown_or_unsupported() -> None:
    with pytest.raises(DomainError) as info:
        parse("上海鑫达贸易有限公司", entity_type="nonsense")
    assert info.value.details == {"rule": "entity_type", "field": "entity_type"}
    with pytest.raises(DomainError) as info:
        parse("上海鑫达贸易有限公司", entity_type=EntityType.BRANCH.value)
    assert info.value.details["rule"] == "entity_type_unsupported"


def test_every_entity_type_is_mapped() -> None:
    data = _data()
    for entity_type in EntityType:
        assert entity_type.value in data.forms_by_type or entity_type.value in (
            data.unsupported_types
        )


# ------------------------------------------------------------------ words


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("上海美国贸易有限公司", "美国"),
        ("上海鑫达联合国贸易有限公司", "联合国"),
        ("上海解放军贸易有限公司", "解放军"),
        ("上海鑫达赌场管理有限公司", "赌场"),
        ("上海鑫达人民政府服务有限公司", "人民政府"),
    ],
)
def test_prohibited_words(name: str, word: str) -> None:
    with pytest.raises(DomainError) as info:
        parse(name)
    assert info.value.details["rule"] == "prohibited_word"
    assert info.value.details["word"] == word
    assert "第十一条" in info.value.details["article"]


def test_country_inside_guoji_is_not_a_country() -> None:
    parts = parse("上海精英国际贸易有限公司")  # 英国 is not meant here
    assert [f.word for f in parts.flags] == ["国际"]


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("上海中华鑫达贸易有限公司", "中华"),
        ("上海鑫达中国贸易有限公司", "中国"),
        ("上海鑫达银行服务有限公司", "银行"),
        ("上海鑫达国际贸易有限公司", "国际"),
        ("鑫达（中国）贸易有限公司", "中国"),
    ],
)
def test_restricted_words_flag(name: str, word: str) -> None:
    parts = parse(name)
    assert parts.needs_approval
    assert word in [f.word for f in parts.flags if f.rule == "restricted_word"]
    assert all(f.article.startswith("《") or "《" in f.article for f in parts.flags)


def test_central_air_conditioning_is_not_central_government() -> None:
    assert not parse("上海鑫达中央空调工程有限公司").flags


def test_trade_name_region_or_industry_flag() -> None:
    assert [f.rule for f in parse("上海朝阳贸易有限公司").flags] == ["trade_name_is_region"]
    assert "trade_name_is_industry" in [f.rule for f in parse("上海物流贸易有限公司").flags]


def test_plain_name_has_no_flags() -> None:
    parts = parse("上海鑫达贸易有限公司")
    assert not parts.flags and not parts.needs_approval


# ------------------------------------------------------------------ keys


def test_keys() -> None:
    keys = name_keys(parse("上海鑫达贸易有限公司"))
    assert keys.identical_key == "鑫达贸易"
    assert keys.trade_name == "鑫达"
    assert keys.pinyin_key == "xin-da"
    assert keys.industry_group == "trade"
    assert keys.anagram_key == "".join(sorted("鑫达")) + "|trade"


def test_synonymous_industries_share_a_group() -> None:
    groups = {
        name_keys(parse(f"上海鑫达{industry}有限公司")).industry_group
        for industry in ("贸易", "商贸", "经贸", "贸易发展")
    }
    assert groups == {"trade"}
    assert (
        name_keys(parse("上海鑫达科技有限公司")).industry_group
        == name_keys(parse("上海鑫达技术有限公司")).industry_group
    )
    assert (
        name_keys(parse("上海鑫达信息技术有限公司")).industry_group
        == name_keys(parse("上海鑫达信息科技有限公司")).industry_group
    )


def test_identical_key_ignores_region_form_and_placement() -> None:
    names = [
        "上海鑫达贸易有限公司",
        "上海浦东鑫达贸易有限公司",
        "鑫达（上海）贸易有限公司",
        "鑫达贸易（上海）有限公司",
        "鑫达上海贸易有限公司",
        "上海鑫达贸易股份有限公司",
    ]
    assert len({name_keys(parse(n)).identical_key for n in names}) == 1


def test_trade_name_substrings() -> None:
    assert trade_name_substrings("青松达") == {"青松", "松达"}
    assert trade_name_substrings("青松") == frozenset()


def test_name_keys_is_fast() -> None:
    parts = parse("上海鑫达信息科技有限公司")
    name_keys(parts)
    start = time.perf_counter()
    for _ in range(10_000):
        name_keys(parts)
    per_call = (time.perf_counter() - start) / 10_000
    assert per_call < 100e-6  # measured around 4 µs; generous for slow CI machines


# ------------------------------------------------------------------ comparisons


def compare(a: str, b: str) -> tuple[str, str]:
    result = name_compare(parse(a), parse(b))
    assert b in result.reason or result.verdict == "different"
    return result.verdict, result.rule


@pytest.mark.parametrize(
    ("proposed", "existing", "verdict", "rule"),
    [
        ("上海鑫达贸易有限公司", "上海鑫达贸易有限公司", "identical", "identical_text"),
        ("上海鑫达贸易有限公司", "上海浦东鑫达贸易有限公司", "identical", "identical_text"),
        ("鑫达（上海）贸易有限公司", "上海鑫达贸易有限公司", "identical", "identical_text"),
        ("上海鑫达贸易股份有限公司", "上海鑫达贸易有限公司", "identical", "identical_text"),
        ("鑫达上海贸易有限公司", "鑫达贸易（上海）有限公司", "identical", "identical_text"),
        (
            "上海鑫达商贸有限公司",
            "上海鑫达贸易有限公司",
            "identical",
            "same_trade_name_same_industry",
        ),
        (
            "上海鑫达信息科技有限公司",
            "上海鑫达信息技术有限公司",
            "identical",
            "same_trade_name_same_industry",
        ),
        ("上海鑫达有限公司", "上海鑫达贸易有限公司", "identical", "same_trade_name_same_industry"),
        ("上海新达贸易有限公司", "上海鑫达贸易有限公司", "similar", "homophone"),
        ("上海新达商贸有限公司", "上海鑫达贸易有限公司", "similar", "homophone"),
        ("上海青松达贸易有限公司", "上海青松贸易有限公司", "similar", "containment"),
        ("上海青松贸易有限公司", "上海青松达贸易有限公司", "similar", "containment"),
        ("上海达鑫贸易有限公司", "上海鑫达贸易有限公司", "similar", "reordered_trade_name"),
        ("上海鑫达科技有限公司", "上海鑫达贸易有限公司", "different", "other_industry"),
        ("上海新达科技有限公司", "上海鑫达贸易有限公司", "different", "other_industry"),
        ("上海远帆贸易有限公司", "上海鑫达贸易有限公司", "different", "different_trade_name"),
    ],
)
def test_compare(proposed: str, existing: str, verdict: str, rule: str) -> None:
    assert compare(proposed, existing) == (verdict, rule)


def test_compare_reason_is_chinese_and_cites() -> None:
    result = name_compare(parse("上海新达贸易有限公司"), parse("上海鑫达贸易有限公司"))
    assert "读音相同" in result.reason and "133号" in result.article


# ------------------------------------------------------------------ properties

_names = st.text(
    alphabet=st.sampled_from(
        list("上海浦东新区鑫达新贸易科技有限公司股份合伙企业（）()中国美国普通A1 -")
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_names, st.text(max_size=60)))
def test_parse_never_raises_anything_but_domain_error(text: str) -> None:
    for kwargs in ({}, {"region_code": SH}, {"registered": True}):
        try:
            parts = name_parse(text, **kwargs)
        except DomainError as error:
            assert error.code is ErrorCode.INVALID_INPUT
            assert error.details["field"] == "name"
        else:
            assert len(parts.trade_name) >= 2
            assert parts.name.endswith(parts.form)
            name_keys(parts)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("鑫达青松远帆蓝湾启明华光")), min_size=2, max_size=5))
def test_valid_shape_round_trips(trade: str) -> None:
    parts = parse(f"上海{trade}贸易有限公司")
    assert parts.trade_name == trade
    assert name_compare(parts, parse(f"{trade}（上海）贸易有限公司")).verdict == "identical"
