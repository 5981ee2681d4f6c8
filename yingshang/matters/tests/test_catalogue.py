"""The matter catalogue: the shipped guides, the bundle, and the loader's refusals."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.matters.catalogue import (
    CATALOGUE_PATH,
    ChannelKind,
    ContactKind,
    MatterCatalogue,
    MatterType,
    matters_load,
)

NAMED = {
    "name-declaration",
    "enterprise-establishment",
    "enterprise-change",
    "enterprise-simple-deregistration",
    "seal-filing",
    "new-taxpayer-package",
    "social-insurance-registration",
    "housing-fund-registration",
    "bank-account-appointment",
}
REGISTRATION = ("enterprise-establishment", "enterprise-change", "enterprise-simple-deregistration")


@pytest.fixture(scope="module")
def shipped() -> MatterCatalogue:
    return matters_load()


def test_shipped_catalogue_loads_and_is_cached(shipped: MatterCatalogue) -> None:
    assert matters_load() is shipped
    assert matters_load(CATALOGUE_PATH) == shipped


def test_shipped_file_is_utf8_with_two_space_indent() -> None:
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_data_folder_is_not_a_package() -> None:
    assert not (CATALOGUE_PATH.parent / "__init__.py").exists()


def test_the_named_matters_are_there(shipped: MatterCatalogue) -> None:
    assert {m.code for m in shipped.matters} >= NAMED
    assert shipped.matter("enterprise-establishment").name == "企业设立登记"
    assert shipped.matter("enterprise-establishment").type is MatterType.ADMINISTRATIVE_LICENCE
    assert shipped.matter("seal-filing").department == "GAJ"
    assert shipped.matter("new-taxpayer-package").department == "SW"
    assert shipped.matter("bank-account-appointment").type is MatterType.PUBLIC_SERVICE


def test_every_matter_has_the_elements_of_the_guide_standard(shipped: MatterCatalogue) -> None:
    for matter in shipped.matters:
        assert matter.name and matter.code and matter.implementing_body
        assert shipped.department(matter.department)
        assert matter.legal_basis and all(b.document.startswith("《") for b in matter.legal_basis)
        assert all(b.article.startswith("第") for b in matter.legal_basis)
        assert matter.conditions
        assert matter.situations
        assert all(matter.materials_for(s.code) for s in matter.situations), matter.code
        assert len(matter.steps) >= 2
        assert matter.promised_days >= 0
        if matter.statutory_days is not None:
            assert matter.promised_days <= matter.statutory_days
        assert matter.fees.basis and matter.fees.free
        assert matter.outcome
        assert any(c.kind is ChannelKind.ONLINE for c in matter.channels)
        kinds = {c.kind for c in matter.contacts}
        assert kinds == {ContactKind.CONSULTATION, ContactKind.COMPLAINT}
        assert any(c.channel == "12345" for c in matter.contacts)
        assert matter.sources


@pytest.mark.parametrize("code", REGISTRATION)
def test_registration_matters_have_the_five_standard_steps_and_the_window(
    shipped: MatterCatalogue, code: str
) -> None:
    matter = shipped.matter(code)
    assert {"申请", "受理", "审查", "决定", "送达"} <= set(matter.step_names)
    assert matter.statutory_days == 3  # 条例第十九条
    assert any(c.name == "所在区市场监督管理局登记窗口" for c in matter.contacts)
    assert any("第十九条" in str(b) or "第三十三条" in str(b) for b in matter.legal_basis)


def test_establishment_situations_and_materials(shipped: MatterCatalogue) -> None:
    matter = shipped.matter("enterprise-establishment")
    assert {s.code for s in matter.situations} == {"llc", "sole-proprietorship", "partnership"}
    llc = [m.code for m in matter.materials_for("llc")]
    assert llc[: len(matter.common_materials)] == [m.code for m in matter.common_materials]
    assert "articles" in llc and "partnership-agreement" not in llc
    assert "partnership-agreement" in [m.code for m in matter.materials_for("partnership")]
    required = {m.code for m in matter.required_materials_for("llc")}
    assert "articles" in required and "shareholder-entity" not in required
    for material in matter.materials_for("llc"):
        assert (material.condition is None) is material.required


def test_unknown_situation_is_not_found(shipped: MatterCatalogue) -> None:
    with pytest.raises(DomainError) as info:
        shipped.matter("enterprise-establishment").materials_for("joint-stock")
    assert info.value.code is ErrorCode.NOT_FOUND
    assert "joint-stock" in info.value.message and "情形" in info.value.message


def test_change_has_a_situation_per_change_type(shipped: MatterCatalogue) -> None:
    situations = {s.code for s in shipped.matter("enterprise-change").situations}
    assert situations == {
        "name",
        "domicile",
        "legal-representative",
        "registered-capital",
        "business-scope",
        "entity-type",
        "shareholders",
        "officers",
        "business-term",
    }


def test_simple_deregistration_has_the_20_day_notice(shipped: MatterCatalogue) -> None:
    matter = shipped.matter("enterprise-simple-deregistration")
    assert matter.notice_days == 20
    assert matter.step_names[0] == "公示"
    assert any("经营异常名录" in c for c in matter.conditions)
    assert "investor-commitment" in {m.code for m in matter.materials_for("llc")}


def test_enterprise_opening_bundle(shipped: MatterCatalogue) -> None:
    bundle = shipped.bundle("enterprise-opening")
    assert bundle.name == "企业开办一件事"
    assert bundle.lead.code == "enterprise-establishment"
    assert {m.code for m in bundle.members} == NAMED - {
        "enterprise-change",
        "enterprise-simple-deregistration",
    }
    assert set(bundle.departments) == {"SCJG", "GAJ", "SW", "RSJ", "GJJ", "YH"}
    assert shipped.bundles_with("seal-filing") == (bundle,)


def test_unknown_codes_are_not_found(shipped: MatterCatalogue) -> None:
    for call in (
        lambda: shipped.matter("nope"),
        lambda: shipped.bundle("nope"),
        lambda: shipped.department("NOPE"),
    ):
        with pytest.raises(DomainError) as info:
            call()
        assert info.value.code is ErrorCode.NOT_FOUND
        assert "没有代码为“nope”" in info.value.message.lower()


# ------------------------------------------------------------------------- bad files


def _raw() -> dict[str, Any]:
    return copy.deepcopy(json.loads(CATALOGUE_PATH.read_text(encoding="utf-8")))


def _matter(raw: dict[str, Any], code: str = "enterprise-establishment") -> dict[str, Any]:
    return next(m for m in raw["matters"] if m["code"] == code)


def _material(raw: dict[str, Any], code: str) -> dict[str, Any]:
    llc = _matter(raw)["situations"][0]
    return next(m for m in llc["materials"] if m["code"] == code)


def _refused(tmp_path: Path, raw: Any) -> DomainError:
    path = tmp_path / "matters.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DomainError) as info:
        matters_load(path)
    assert info.value.code is ErrorCode.INVALID_INPUT
    return info.value


def _edit_unknown_key(raw: dict[str, Any]) -> None:
    _matter(raw)["colour"] = "red"


def _edit_missing_key(raw: dict[str, Any]) -> None:
    del _matter(raw)["outcome"]


def _edit_copies_type(raw: dict[str, Any]) -> None:
    _material(raw, "articles")["copies"] = "1"


def _edit_duplicate_matter(raw: dict[str, Any]) -> None:
    raw["matters"].append(copy.deepcopy(_matter(raw)))


def _edit_duplicate_situation(raw: dict[str, Any]) -> None:
    situations = _matter(raw)["situations"]
    situations.append(copy.deepcopy(situations[0]))


def _edit_material_shadows_common(raw: dict[str, Any]) -> None:
    _material(raw, "articles")["code"] = "application-form"


def _edit_unknown_member(raw: dict[str, Any]) -> None:
    raw["bundles"][0]["members"].append("water-account")


def _edit_lead_not_member(raw: dict[str, Any]) -> None:
    raw["bundles"][0]["lead"] = "enterprise-change"


def _edit_duplicate_member(raw: dict[str, Any]) -> None:
    raw["bundles"][0]["members"].append("seal-filing")


def _edit_promised_over_statutory(raw: dict[str, Any]) -> None:
    _matter(raw)["promised_days"] = 5


def _edit_basis_without_document(raw: dict[str, Any]) -> None:
    _matter(raw)["legal_basis"][0]["document"] = "公司法"


def _edit_basis_without_article(raw: dict[str, Any]) -> None:
    _matter(raw)["legal_basis"][0]["article"] = "有关规定"


def _edit_no_legal_basis(raw: dict[str, Any]) -> None:
    _matter(raw)["legal_basis"] = []


def _edit_conditional_without_condition(raw: dict[str, Any]) -> None:
    _material(raw, "shareholder-entity")["condition"] = None


def _edit_required_with_condition(raw: dict[str, Any]) -> None:
    _material(raw, "articles")["condition"] = "有时"


def _edit_unknown_department(raw: dict[str, Any]) -> None:
    _matter(raw)["department"] = "XYZ"


def _edit_unknown_type(raw: dict[str, Any]) -> None:
    _matter(raw)["type"] = "行政许可"


def _edit_bad_fee(raw: dict[str, Any]) -> None:
    _matter(raw)["fees"]["amount"] = "免费"


def _edit_invented_phone(raw: dict[str, Any]) -> None:
    _matter(raw)["contacts"][1]["channel"] = "021-12345678"


def _edit_no_complaint(raw: dict[str, Any]) -> None:
    matter = _matter(raw)
    matter["contacts"] = [c for c in matter["contacts"] if c["kind"] != "complaint"]


def _edit_no_online_channel(raw: dict[str, Any]) -> None:
    matter = _matter(raw)
    matter["channels"] = [c for c in matter["channels"] if c["kind"] != "online"]


def _edit_one_step(raw: dict[str, Any]) -> None:
    _matter(raw)["steps"] = _matter(raw)["steps"][:1]


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (_edit_unknown_key, "matters.0.colour", "未知字段“colour”"),
        (_edit_missing_key, "matters.0.outcome", "缺少字段“outcome”"),
        (
            _edit_copies_type,
            "matters.enterprise-establishment.situations.llc.materials.articles.copies",
            "应为整数",
        ),
        (_edit_duplicate_matter, "matters.enterprise-establishment.code", "事项代码"),
        (
            _edit_duplicate_situation,
            "matters.enterprise-establishment.situations.llc.code",
            "情形代码",
        ),
        (
            _edit_material_shadows_common,
            "matters.enterprise-establishment.situations.llc.materials.application-form.code",
            "通用材料",
        ),
        (_edit_unknown_member, "bundles.enterprise-opening.members.7", "不在事项目录中"),
        (_edit_lead_not_member, "bundles.enterprise-opening.lead", "必须是成员事项之一"),
        (_edit_duplicate_member, "bundles.enterprise-opening.members.7", "重复"),
        (
            _edit_promised_over_statutory,
            "matters.enterprise-establishment.promised_days",
            "不能长于法定时限",
        ),
        (
            _edit_basis_without_document,
            "matters.enterprise-establishment.legal_basis.0.document",
            "书名号",
        ),
        (
            _edit_basis_without_article,
            "matters.enterprise-establishment.legal_basis.0.article",
            "条款",
        ),
        (_edit_no_legal_basis, "matters.enterprise-establishment.legal_basis", "至少需要 1 项"),
        (
            _edit_conditional_without_condition,
            "matters.enterprise-establishment.situations.llc.materials.shareholder-entity.condition",
            "非必交材料必须写明",
        ),
        (
            _edit_required_with_condition,
            "matters.enterprise-establishment.situations.llc.materials.articles.condition",
            "必交材料不应写适用条件",
        ),
        (_edit_unknown_department, "matters.enterprise-establishment.department", "不在部门列表"),
        (_edit_unknown_type, "matters.enterprise-establishment.type", "不是可选值"),
        (_edit_bad_fee, "matters.enterprise-establishment.fees.amount", "金额"),
        (
            _edit_invented_phone,
            "matters.enterprise-establishment.contacts.1.channel",
            "不能写入电话号码",
        ),
        (_edit_no_complaint, "matters.enterprise-establishment.contacts", "监督投诉"),
        (_edit_no_online_channel, "matters.enterprise-establishment.channels", "网上办理渠道"),
        (_edit_one_step, "matters.enterprise-establishment.steps", "至少需要 2 项"),
    ],
)
def test_bad_catalogue_is_refused_naming_the_field(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], field: str, words: str
) -> None:
    raw = _raw()
    if edit is _edit_unknown_key or edit is _edit_missing_key:
        raw["matters"].insert(0, raw["matters"].pop(1))  # establishment first: index 0
    edit(raw)
    error = _refused(tmp_path, raw)
    assert error.details["field"] == field, error.message
    assert words in error.message


def test_messages_name_the_matter(tmp_path: Path) -> None:
    raw = _raw()
    _edit_promised_over_statutory(raw)
    assert "企业设立登记" in _refused(tmp_path, raw).message


def test_invalid_json_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "matters.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(DomainError, match="不是有效的 JSON"):
        matters_load(path)
    path.write_text('{"version": "2026-11", "version": "2026-12"}', encoding="utf-8")
    with pytest.raises(DomainError, match="字段“version”重复"):
        matters_load(path)
    with pytest.raises(DomainError, match="无法读取"):
        matters_load(tmp_path / "missing.json")


def test_promised_days_may_equal_statutory_and_statutory_may_be_null(tmp_path: Path) -> None:
    raw = _raw()
    _matter(raw)["promised_days"] = 3
    _matter(raw, "seal-filing")["promised_days"] = 30
    path = tmp_path / "matters.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    catalogue = matters_load(path)
    assert catalogue.matter("enterprise-establishment").promised_days == 3
    assert catalogue.matter("seal-filing").statutory_days is None
