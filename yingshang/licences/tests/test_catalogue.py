"""The 一业一证 catalogue: the shipped data, the loader's refusals, the form parser."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.industries import IndustryLevel, industry_get
from yingshang.licences.catalogue import (
    CATALOGUE_PATH,
    Catalogue,
    Industry,
    catalogue_load,
)

# ------------------------------------------------------------------ the shipped catalogue


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return catalogue_load()


def test_shipped_catalogue_loads_and_is_cached(shipped: Catalogue) -> None:
    assert catalogue_load() is shipped
    assert catalogue_load(CATALOGUE_PATH) is not shipped  # an explicit path is read afresh
    assert catalogue_load(CATALOGUE_PATH) == shipped
    assert re.fullmatch(r"\d{4}-\d{2}", shipped.version)


def test_shipped_file_is_utf8_with_two_space_indent() -> None:
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_at_least_the_five_named_industries(shipped: Catalogue) -> None:
    codes = {i.code for i in shipped.industries}
    assert len(codes) >= 5
    assert {"convenience-store", "restaurant", "pharmacy", "gym", "hotel"} <= codes
    assert shipped.industry("convenience-store").name == "便利店"
    assert shipped.industry("pharmacy").name == "药店"


@pytest.mark.parametrize(
    ("code", "gbt4754"),
    [
        ("convenience-store", "5213"),  # 便利店零售
        ("restaurant", "6210"),  # 正餐服务
        ("pharmacy", "5251"),  # 西药零售
        ("gym", "8930"),  # 健身休闲活动
        ("hotel", "6129"),  # 其他一般旅馆
    ],
)
def test_industry_classes_are_real_gbt4754_classes(
    shipped: Catalogue, code: str, gbt4754: str
) -> None:
    industry = shipped.industry(code)
    assert industry.gbt4754 == gbt4754
    entry = industry_get(gbt4754)
    assert entry is not None and entry.level == IndustryLevel.CLASS


def test_every_condition_has_a_legal_basis_naming_a_law_and_an_article(
    shipped: Catalogue,
) -> None:
    for industry in shipped.industries:
        for permit in industry.permits:
            for condition in permit.conditions:
                basis = condition.legal_basis
                assert re.search(r"《[^《》]+》", basis), (industry.code, condition.code)
                assert re.search(r"第[一二三四五六七八九十百零0-9]+[条项]", basis), basis


def test_every_industry_mixes_commitment_and_evidence_conditions(shipped: Catalogue) -> None:
    for industry in shipped.industries:
        assert len(industry.permits) >= 2, industry.code
        assert all(len(p.conditions) >= 2 for p in industry.permits), industry.code
        commitment = industry.commitment_conditions()
        evidence = industry.evidence_conditions()
        assert commitment and evidence, industry.code
        assert all(c.commitment_allowed for _, c in commitment)
        assert not any(c.commitment_allowed for _, c in evidence)
        assert all(c.evidence for _, c in evidence)  # evidence-only means evidence listed
        total = sum(len(p.conditions) for p in industry.permits)
        assert len(commitment) + len(evidence) == total


def test_shipped_references_are_consistent(shipped: Catalogue) -> None:
    departments = {d.code for d in shipped.departments}
    type_codes = [i.licence_type_code for i in shipped.industries]
    assert len(set(type_codes)) == len(type_codes)
    for industry in shipped.industries:
        assert industry.lead_department in departments
        assert industry.sources
        assert 1 <= industry.post_check_working_days <= 120
        names = {f.name for f in industry.form}
        for permit in industry.permits:
            assert permit.department in departments
            if permit.applies_when is not None:
                assert permit.applies_when.field in names


def test_departments_of_the_bundles(shipped: Catalogue) -> None:
    """The bundles described in the sources: who owns which permit."""
    store = shipped.industry("convenience-store")
    assert store.permit("tobacco-retail").department == "YCZM"
    assert shipped.department("YCZM").name == "烟草专卖局"
    hotel = shipped.industry("hotel")
    assert hotel.lead_department == "WLJ"  # 区文旅局牵头
    assert hotel.permit("special-trade").department == "GAJ"
    assert hotel.permit("public-hygiene").department == "WJW"
    assert hotel.permit("fire-safety").department == "XFJY"
    assert shipped.industry("gym").permit("high-risk-sports").department == "TYJ"
    assert shipped.industry("pharmacy").permit("drug-retail").department == "YJJ"


def test_unknown_industry_is_not_found(shipped: Catalogue) -> None:
    with pytest.raises(DomainError) as info:
        shipped.industry("bakery")
    assert info.value.code == ErrorCode.NOT_FOUND
    assert "bakery" in info.value.message and "convenience-store" in info.value.message
    with pytest.raises(DomainError) as info:
        shipped.industry("gym").permit("food-business")
    assert info.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as info:
        shipped.department("XYZ")
    assert info.value.code == ErrorCode.NOT_FOUND


# ------------------------------------------------------------------------- form_parse

GOOD_STORE_FORM: dict[str, object] = {
    "business_area_m2": "85.50",
    "premises_address": "  上海市浦东新区世纪大道 100 号  ",
    "responsible_person": "张三",
    "chain_type": "连锁门店",
    "sells_alcohol": True,
    "sells_tobacco": "false",
    "nearest_school_distance_m": "320",
    "planned_opening_date": "2026-12-01",
}


@pytest.fixture(scope="module")
def store(shipped: Catalogue) -> Industry:
    return shipped.industry("convenience-store")


def test_form_parse_types_every_answer(store: Industry) -> None:
    parsed = store.form_parse(GOOD_STORE_FORM)
    assert parsed == {
        "business_area_m2": Decimal("85.50"),
        "premises_address": "上海市浦东新区世纪大道 100 号",
        "responsible_person": "张三",
        "chain_type": "连锁门店",
        "sells_alcohol": True,
        "sells_tobacco": False,
        "nearest_school_distance_m": 320,
        "planned_opening_date": dt.date(2026, 12, 1),
    }
    assert type(parsed["business_area_m2"]) is Decimal
    assert type(parsed["nearest_school_distance_m"]) is int
    assert store.form_parse(parsed) == parsed  # idempotent


def test_form_parse_accepts_native_values_and_blank_optionals(store: Industry) -> None:
    data = dict(GOOD_STORE_FORM)
    data.update(
        business_area_m2=12.5,
        nearest_school_distance_m=None,
        planned_opening_date=dt.date(2027, 1, 2),
    )
    parsed = store.form_parse(data)
    assert parsed["business_area_m2"] == Decimal("12.5")
    assert parsed["nearest_school_distance_m"] is None
    assert parsed["planned_opening_date"] == dt.date(2027, 1, 2)
    del data["planned_opening_date"]
    assert store.form_parse(data)["planned_opening_date"] is None


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("business_area_m2", "八十", "应为数字"),
        ("business_area_m2", "NaN", "应为数字"),
        ("business_area_m2", True, "不能填是/否"),
        ("business_area_m2", "-3", "不能为负数"),
        ("nearest_school_distance_m", "3.5", "应为整数"),
        ("nearest_school_distance_m", -1, "不能为负数"),
        ("nearest_school_distance_m", False, "不能填是/否"),
        ("sells_alcohol", "是的", "应选择“是”或“否”"),
        ("sells_alcohol", 1, "应选择“是”或“否”"),
        ("planned_opening_date", "2026-02-30", "应为有效日期"),
        ("planned_opening_date", "2026/12/01", "应为有效日期"),
        ("planned_opening_date", "20261201", "应为有效日期"),
        ("planned_opening_date", dt.datetime(2026, 12, 1, 9, 0), "不带时间"),
        ("chain_type", "加盟店", "只能选择以下之一：连锁门店、单体门店"),
        ("premises_address", "路" * 201, "最多 200 个字符，现有 201 个"),
        ("premises_address", 42, "应为文本"),
    ],
)
def test_form_parse_rejects_bad_values(
    store: Industry, field: str, value: object, fragment: str
) -> None:
    data = dict(GOOD_STORE_FORM, **{field: value})
    with pytest.raises(DomainError) as info:
        store.form_parse(data)
    assert info.value.code == ErrorCode.INVALID_INPUT
    assert info.value.details == {"field": field}
    assert fragment in info.value.message
    label = store.form_field(field)
    assert label is not None and label.label in info.value.message


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_form_parse_requires_required_answers(store: Industry, blank: object) -> None:
    data = dict(GOOD_STORE_FORM, sells_tobacco=blank)
    with pytest.raises(DomainError) as info:
        store.form_parse(data)
    assert info.value.details == {"field": "sells_tobacco"}
    assert info.value.message == "请填写“是否销售烟草制品”（sells_tobacco）。"
    del data["sells_tobacco"]
    with pytest.raises(DomainError) as info:
        store.form_parse(data)
    assert info.value.details == {"field": "sells_tobacco"}


def test_form_parse_refuses_unknown_fields_and_non_mappings(store: Industry) -> None:
    with pytest.raises(DomainError) as info:
        store.form_parse(dict(GOOD_STORE_FORM, sells_lottery=True))
    assert info.value.details == {"field": "sells_lottery"}
    assert "没有“sells_lottery”这一项" in info.value.message
    with pytest.raises(DomainError) as info:
        store.form_parse([("sells_alcohol", True)])  # type: ignore[arg-type]
    assert info.value.details == {"field": "form"}


# -------------------------------------------------------------------- permits_required


def test_permits_required_honours_applies_when(store: Industry) -> None:
    both = store.permits_required(dict(GOOD_STORE_FORM, sells_tobacco=True))
    assert [p.code for p in both] == ["food-business", "alcohol-retail", "tobacco-retail"]
    food_only = store.permits_required(dict(GOOD_STORE_FORM, sells_alcohol="false"))
    assert [p.code for p in food_only] == ["food-business"]
    alcohol = store.permits_required(GOOD_STORE_FORM)  # raw "false" for tobacco
    assert [p.code for p in alcohol] == ["food-business", "alcohol-retail"]
    with pytest.raises(DomainError):
        store.permits_required({"sells_alcohol": True})  # the form must be complete


def test_gym_without_pool_needs_only_the_fire_check(shipped: Catalogue) -> None:
    gym = shipped.industry("gym")
    form = {
        "business_area_m2": "600",
        "premises_address": "上海市浦东新区张杨路 1 号",
        "responsible_person": "李四",
        "has_swimming_pool": False,
    }
    assert [p.code for p in gym.permits_required(form)] == ["fire-safety"]
    with_pool = gym.permits_required(dict(form, has_swimming_pool=True))
    assert [p.code for p in with_pool] == ["fire-safety", "high-risk-sports", "public-hygiene"]


def test_commitment_conditions_of_one_application(store: Industry) -> None:
    permits = store.permits_required(dict(GOOD_STORE_FORM, sells_alcohol=False))
    pairs = store.commitment_conditions(permits)
    assert {p.code for p, _ in pairs} == {"food-business"}
    assert [c.code for _, c in pairs] == [
        "premises",
        "equipment",
        "safety-management",
        "layout",
        "staff-health",
    ]
    assert store.evidence_conditions(permits) == ()
    everything = store.permits_required(dict(GOOD_STORE_FORM, sells_tobacco=True))
    evidence = {(p.code, c.code) for p, c in store.evidence_conditions(everything)}
    assert ("tobacco-retail", "layout") in evidence
    assert ("alcohol-retail", "not-near-school") in evidence


def test_conditions_refuse_a_permit_of_another_industry(shipped: Catalogue) -> None:
    gym_permit = shipped.industry("gym").permits[0]
    with pytest.raises(DomainError) as info:
        shipped.industry("restaurant").commitment_conditions([gym_permit])
    assert info.value.details == {"field": "permits"}


# ------------------------------------------------------------------ the loader's refusals


def _minimal() -> dict[str, Any]:
    """A small valid catalogue to break one way at a time."""
    return {
        "version": "2026-11",
        "departments": [
            {"code": "SCJG", "name": "市场监督管理局"},
            {"code": "YCZM", "name": "烟草专卖局"},
        ],
        "industries": [
            {
                "code": "convenience-store",
                "name": "便利店",
                "gbt4754": "5213",
                "licence_type_code": "YYYZ01",
                "lead_department": "SCJG",
                "post_check_working_days": 20,
                "sources": [
                    {"title": "测试来源", "issued_by": "测试", "date": "2024", "note": "test"}
                ],
                "form": [
                    {
                        "name": "business_area_m2",
                        "label": "经营面积",
                        "type": "decimal",
                        "required": True,
                    },
                    {
                        "name": "sells_tobacco",
                        "label": "是否销售烟草",
                        "type": "boolean",
                        "required": True,
                    },
                    {
                        "name": "kind",
                        "label": "类型",
                        "type": "choice",
                        "required": False,
                        "choices": ["连锁", "单体"],
                    },
                ],
                "permits": [
                    {
                        "code": "food-business",
                        "name": "食品经营许可证",
                        "department": "SCJG",
                        "applies_when": None,
                        "conditions": [
                            {
                                "code": "premises",
                                "text": "场所",
                                "evidence": ["平面图"],
                                "commitment_allowed": True,
                                "legal_basis": "《中华人民共和国食品安全法》第三十三条",
                            },
                            {
                                "code": "health",
                                "text": "健康",
                                "evidence": ["健康证明"],
                                "commitment_allowed": False,
                                "legal_basis": "《中华人民共和国食品安全法》第四十五条",
                            },
                        ],
                    },
                    {
                        "code": "tobacco-retail",
                        "name": "烟草专卖零售许可证",
                        "department": "YCZM",
                        "applies_when": {"field": "sells_tobacco", "equals": True},
                        "conditions": [
                            {
                                "code": "funds",
                                "text": "资金",
                                "evidence": [],
                                "commitment_allowed": True,
                                "legal_basis": "《中华人民共和国烟草专卖法实施条例》第九条",
                            },
                            {
                                "code": "layout",
                                "text": "布局",
                                "evidence": ["方位图"],
                                "commitment_allowed": False,
                                "legal_basis": "《中华人民共和国烟草专卖法实施条例》第九条",
                            },
                        ],
                    },
                ],
            }
        ],
    }


def _load(tmp_path: Path, data: object) -> Catalogue:
    path = tmp_path / "industries.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return catalogue_load(path)


def _refused(tmp_path: Path, data: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        _load(tmp_path, data)
    assert info.value.code == ErrorCode.INVALID_INPUT
    return info.value


def test_minimal_catalogue_loads(tmp_path: Path) -> None:
    catalogue = _load(tmp_path, _minimal())
    industry = catalogue.industry("convenience-store")
    tobacco = industry.permit("tobacco-retail")
    assert tobacco.applies_when is not None and tobacco.applies_when.equals is True
    assert industry.form[2].choices == ("连锁", "单体")


def _industry(data: dict[str, Any]) -> dict[str, Any]:
    return data["industries"][0]


def _permit(data: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return data["industries"][0]["permits"][index]


def _condition(data: dict[str, Any], permit: int = 0, index: int = 0) -> dict[str, Any]:
    return data["industries"][0]["permits"][permit]["conditions"][index]


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    _condition(data)["severity"] = "high"
    error = _refused(tmp_path, data)
    assert "未知字段“severity”" in error.message
    assert "行业“convenience-store” 许可“food-business” 条件第 1 项" in error.message
    assert error.details == {
        "field": "industries.convenience-store.permits.food-business.conditions.0.severity"
    }


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    data["comment"] = "x"
    assert _refused(tmp_path, data).details == {"field": "comment"}


def test_missing_key_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    del _condition(data, 1, 1)["legal_basis"]
    error = _refused(tmp_path, data)
    assert "缺少字段“legal_basis”" in error.message
    assert "许可“tobacco-retail”" in error.message
    assert error.details["field"].endswith("tobacco-retail.conditions.1.legal_basis")


@pytest.mark.parametrize(
    ("mutate", "field", "fragment"),
    [
        (
            lambda d: _condition(d).update(commitment_allowed="yes"),
            "commitment_allowed",
            "应为 true 或 false",
        ),
        (lambda d: _condition(d).update(evidence="平面图"), "evidence", "应为 JSON 数组"),
        (lambda d: _condition(d).update(evidence=["平面图", ""]), "evidence", "非空文本"),
        (lambda d: _condition(d).update(text=""), "text", "应为非空文本"),
        (
            lambda d: _industry(d).update(post_check_working_days="20"),
            "post_check_working_days",
            "应为整数",
        ),
        (
            lambda d: _industry(d).update(post_check_working_days=True),
            "post_check_working_days",
            "应为整数",
        ),
        (
            lambda d: _industry(d).update(post_check_working_days=0),
            "post_check_working_days",
            "应在 1 到 120 之间",
        ),
        (lambda d: _industry(d).update(name=None), "name", "应为非空文本"),
        (lambda d: _industry(d).update(code="Convenience Store"), "code", "格式不正确"),
        (
            lambda d: _industry(d)["form"][0].update(required="true"),
            "required",
            "应为 true 或 false",
        ),
        (lambda d: _industry(d)["form"][0].update(type="money"), "type", "不支持"),
        (lambda d: _industry(d)["form"][0].update(max_length=20), "max_length", "只有 text 类型"),
        (lambda d: _industry(d)["form"][2].pop("choices"), "choices", "必须列出 choices"),
        (lambda d: _industry(d)["form"][2].update(choices=["连锁", "连锁"]), "choices", "选项重复"),
        (lambda d: _industry(d)["sources"][0].update(date="2024-13-01"), "date", "不是有效日期"),
        (lambda d: _industry(d)["sources"][0].update(url="www.example.cn"), "url", "http://"),
        (lambda d: d.update(version="2026"), "version", "格式不正确"),
    ],
)
def test_wrong_types_and_formats_are_refused(
    tmp_path: Path, mutate: Any, field: str, fragment: str
) -> None:
    data = _minimal()
    mutate(data)
    error = _refused(tmp_path, data)
    assert error.details["field"].endswith(field), error.details
    assert fragment in error.message


def test_non_object_entries_are_refused(tmp_path: Path) -> None:
    data = _minimal()
    data["industries"][0]["permits"][1] = "tobacco"
    error = _refused(tmp_path, data)
    assert "应为 JSON 对象" in error.message
    assert error.details == {"field": "industries.convenience-store.permits.1"}
    assert _refused(tmp_path, ["not", "an", "object"]).details == {"field": "catalogue"}


@pytest.mark.parametrize(
    ("mutate", "fragment", "field"),
    [
        (
            lambda d: d["departments"].append({"code": "SCJG", "name": "重复"}),
            "部门代码“SCJG”重复",
            "departments.2.code",
        ),
        (
            lambda d: d["industries"].append(copy.deepcopy(_industry(d))),
            "行业代码“convenience-store”重复",
            "industries.convenience-store.code",
        ),
        (
            lambda d: _industry(d)["permits"][1].update(code="food-business"),
            "许可事项代码“food-business”重复",
            "industries.convenience-store.permits.food-business",
        ),
        (
            lambda d: _condition(d, 0, 1).update(code="premises"),
            "条件代码“premises”重复",
            "industries.convenience-store.permits.food-business.conditions.premises",
        ),
        (
            lambda d: _industry(d)["form"][1].update(name="business_area_m2"),
            "表单字段“business_area_m2”重复",
            "industries.convenience-store.form.business_area_m2",
        ),
    ],
)
def test_duplicate_codes_are_refused(
    tmp_path: Path, mutate: Any, fragment: str, field: str
) -> None:
    data = _minimal()
    mutate(data)
    error = _refused(tmp_path, data)
    assert fragment in error.message
    assert error.details == {"field": field}


def test_duplicate_licence_type_code_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    other = copy.deepcopy(_industry(data))
    other.update(code="small-supermarket", name="小型超市", gbt4754="5212")
    data["industries"].append(other)
    error = _refused(tmp_path, data)
    assert "证照类型代码“YYYZ01”重复" in error.message
    assert error.details == {"field": "industries.small-supermarket.licence_type_code"}
    other["licence_type_code"] = "YYYZ06"
    assert len(_load(tmp_path, data).industries) == 2


def test_duplicate_json_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "industries.json"
    text = json.dumps(_minimal(), ensure_ascii=False)
    path.write_text(text.replace('"version": "2026-11"', '"version": "2026-11", "version": "x"'))
    with pytest.raises(DomainError) as info:
        catalogue_load(path)
    assert "字段“version”重复" in info.value.message


def test_unknown_department_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    _permit(data, 1)["department"] = "TOBACCO"
    error = _refused(tmp_path, data)
    assert "部门“TOBACCO”不在部门列表中" in error.message
    assert error.details == {
        "field": "industries.convenience-store.permits.tobacco-retail.department"
    }
    data = _minimal()
    _industry(data)["lead_department"] = "WJW"
    error = _refused(tmp_path, data)
    assert "牵头部门“WJW”不在部门列表中" in error.message


@pytest.mark.parametrize("bad", ["yyyz01", "YYYZ-01", "", "A" * 33, 12])
def test_bad_licence_type_code_is_refused(tmp_path: Path, bad: object) -> None:
    data = _minimal()
    _industry(data)["licence_type_code"] = bad
    error = _refused(tmp_path, data)
    assert "证照类型代码" in error.message and "1-32 位数字或大写字母" in error.message
    assert error.details == {"field": "industries.convenience-store.licence_type_code"}


def test_unknown_applies_when_field_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    _permit(data, 1)["applies_when"] = {"field": "sells_cigarettes", "equals": True}
    error = _refused(tmp_path, data)
    assert "表单中没有字段“sells_cigarettes”" in error.message
    assert "许可“tobacco-retail”" in error.message
    assert error.details == {
        "field": "industries.convenience-store.permits.tobacco-retail.applies_when.field"
    }


def test_applies_when_value_must_suit_the_field(tmp_path: Path) -> None:
    data = _minimal()
    _permit(data, 1)["applies_when"] = {"field": "sells_tobacco", "equals": "yes"}
    error = _refused(tmp_path, data)
    assert "值不适合字段“sells_tobacco”" in error.message
    assert error.details["field"].endswith("applies_when.equals")
    data = _minimal()
    _permit(data, 1)["applies_when"] = {"field": "kind", "equals": "加盟"}
    assert "只能选择以下之一" in _refused(tmp_path, data).message
    data = _minimal()
    _permit(data, 1)["applies_when"] = {"field": "sells_tobacco"}
    assert "缺少字段“equals”" in _refused(tmp_path, data).message


def test_non_commitment_condition_without_evidence_is_refused(tmp_path: Path) -> None:
    data = _minimal()
    _condition(data, 1, 1)["evidence"] = []
    error = _refused(tmp_path, data)
    assert "不能以承诺代替的条件必须列出证明材料" in error.message
    assert "条件“layout”" in error.message
    assert error.details == {
        "field": "industries.convenience-store.permits.tobacco-retail.conditions.layout.evidence"
    }


@pytest.mark.parametrize("bad", ["食品安全法第三十五条", "《中华人民共和国食品安全法》"])
def test_legal_basis_needs_law_name_and_article(tmp_path: Path, bad: str) -> None:
    data = _minimal()
    _condition(data)["legal_basis"] = bad
    error = _refused(tmp_path, data)
    assert "法律依据应写明书名号内的法律法规名称及条款" in error.message
    assert error.details["field"].endswith("conditions.premises.legal_basis")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("5214", "not in the 2017 table"),
        ("521", "a group, not a class"),
        ("F5213", "section-prefixed"),
        ("52130", "five digits"),
        (5213, "a number"),
    ],
)
def test_gbt4754_must_be_a_real_class(tmp_path: Path, value: object, why: str) -> None:
    data = _minimal()
    _industry(data)["gbt4754"] = value
    error = _refused(tmp_path, data)
    assert "不是《国民经济行业分类》（GB/T 4754-2017）的小类代码" in error.message, why
    assert error.details == {"field": "industries.convenience-store.gbt4754"}


def test_too_few_permits_or_conditions_are_refused(tmp_path: Path) -> None:
    data = _minimal()
    _industry(data)["permits"].pop()
    error = _refused(tmp_path, data)
    assert "至少需要 2 项" in error.message
    assert error.details == {"field": "industries.convenience-store.permits"}
    data = _minimal()
    _permit(data)["conditions"].pop()
    error = _refused(tmp_path, data)
    assert error.details == {
        "field": "industries.convenience-store.permits.food-business.conditions"
    }


def test_industry_needs_both_kinds_of_condition(tmp_path: Path) -> None:
    data = _minimal()
    for permit in _industry(data)["permits"]:
        for condition in permit["conditions"]:
            condition["commitment_allowed"] = True
    assert "至少要有一项必须提交材料的条件" in _refused(tmp_path, data).message
    data = _minimal()
    for permit in _industry(data)["permits"]:
        for condition in permit["conditions"]:
            condition["commitment_allowed"] = False
            condition["evidence"] = condition["evidence"] or ["材料"]
    assert "至少要有一项可以告知承诺的条件" in _refused(tmp_path, data).message


def test_unreadable_and_malformed_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as info:
        catalogue_load(tmp_path / "missing.json")
    assert "无法读取目录文件" in info.value.message
    path = tmp_path / "broken.json"
    path.write_text('{"version": "2026-11",\n  "departments": [', encoding="utf-8")
    with pytest.raises(DomainError) as info:
        catalogue_load(path)
    assert "不是有效的 JSON（第 2 行" in info.value.message
