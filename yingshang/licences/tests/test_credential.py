"""The business-licence credential: builds, conforms, signs, fits a QR code."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.licence_id import licence_id_build
from yingshang.licences.credential import business_licence_credential
from yingshang.licences.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    VerifyReason,
    proof_create,
    proof_verify,
    undefined_terms,
)
from yingshang.licences.datamodel import credential_validate
from yingshang.licences.documents import (
    BUNDLED_CONTEXTS,
    CONTEXTS_DIR,
    CREDENTIALS_V2,
    LICENCE_V1,
    jsonld_options,
    offline_loader,
)
from yingshang.licences.multibase import did_key_resolve, multikey_encode_ed25519_public
from yingshang.licences.qr import MAX_QR_VERSION, qr_error_level, qr_payload_encode, qr_version
from yingshang.licences.statuslist import REVOCATION, status_entry

NS = "https://yingshang.example/ns/licence#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CREDIT_CODE = "91310115MA1FL5XK4C"  # valid (see core/tests/test_uscc.py)
BUSINESS_SCOPE = (
    "一般项目：国内贸易代理；销售代理；五金产品批发；五金产品零售；电子产品销售；"
    "机械设备销售；金属材料销售；建筑材料销售；日用百货销售；办公用品销售；"
    "针纺织品及原料销售；化工产品销售（不含许可类化工产品）；技术服务、技术开发、"
    "技术咨询、技术交流、技术转让、技术推广；信息咨询服务（不含许可类信息咨询服务）；"
    "货物进出口；技术进出口。"
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
)
LIST_URL = "https://yingshang.example/credentials/status/3"


def _entity(**changes: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "credit_code": CREDIT_CODE,
        "name": "上海鑫达贸易有限公司",
        "entity_type_label": "有限责任公司（自然人投资或控股）",
        "legal_representative": "王建国",
        "registered_capital": Decimal("500"),
        "capital_currency": "CNY",
        "established_on": dt.date(2018, 6, 21),
        "business_term_start": dt.date(2018, 6, 21),
        "business_term_end": dt.date(2048, 6, 20),
        "address": "上海市浦东新区张江路 665 号 3 层 302 室",
        "business_scope": BUSINESS_SCOPE,
        "registration_authority": "上海市浦东新区市场监督管理局",
    }
    entity.update(changes)
    return entity


def _build(issuer: str = "did:web:yingshang.example", **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "entity": _entity(),
        "issuer": issuer,
        "licence_id": licence_id_build(type_code="YYZZ", issuer_credit_code=CREDIT_CODE, serial=1),
        "issued_on": dt.date(2026, 3, 15),
        "valid_from": dt.datetime(2026, 3, 15, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "valid_until": dt.datetime(2048, 6, 20, 23, 59, 59, tzinfo=dt.UTC),
        "status": status_entry(list_credential_url=LIST_URL, index=94567, purpose=REVOCATION),
    }
    arguments.update(changes)
    return business_licence_credential(**arguments)


class _Signer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        multikey = multikey_encode_ed25519_public(self.key.public_key())
        self.issuer = f"did:key:{multikey}"
        self.method = f"{self.issuer}#{multikey}"

    def sign(self, document: dict[str, Any], cryptosuite: str) -> dict[str, Any]:
        return proof_create(
            document=document,
            key=self.key,
            verification_method=self.method,
            cryptosuite=cryptosuite,
            created="2026-03-15T08:30:00Z",
        )


@pytest.fixture
def signer() -> _Signer:
    return _Signer()


def test_shape():
    vc = _build()
    assert vc["@context"] == [CREDENTIALS_V2, LICENCE_V1]
    assert vc["type"] == ["VerifiableCredential", "BusinessLicenceCredential"]
    assert vc["id"].startswith("urn:licence:1.2.156.3005.2.YYZZ.")
    assert vc["name"] == "营业执照（电子）"
    assert vc["validFrom"] == "2026-03-15T00:00:00Z"  # +08:00 written in UTC
    assert vc["validUntil"] == "2048-06-20T23:59:59Z"
    subject = vc["credentialSubject"]
    assert subject["id"] == f"urn:uscc:{CREDIT_CODE}"
    assert subject["type"] == "BusinessLicence"
    assert subject["creditCode"] == CREDIT_CODE
    assert subject["registeredCapitalAmount"] == "5000000"
    assert subject["registeredCapitalCurrency"] == "CNY"
    assert subject["establishedOn"] == "2018-06-21"
    assert subject["businessTermEnd"] == "2048-06-20"
    assert subject["issuedOn"] == "2026-03-15"
    assert vc["credentialStatus"]["statusListIndex"] == "94567"


def test_conforms_and_defines_every_term():
    vc = _build()
    assert credential_validate(vc) == []
    assert undefined_terms(vc, loader=offline_loader()) == []


def test_optional_fields_omitted():
    vc = _build(
        entity=_entity(registered_capital=None, business_term_end=None),
        valid_until=None,
        status=None,
    )
    assert "validUntil" not in vc and "credentialStatus" not in vc
    assert "registeredCapitalAmount" not in vc["credentialSubject"]
    assert "businessTermEnd" not in vc["credentialSubject"]  # 长期
    assert credential_validate(vc) == []
    assert undefined_terms(vc, loader=offline_loader()) == []


@pytest.mark.parametrize("cryptosuite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
def test_signs_verifies_and_detects_tampering(signer, cryptosuite):
    secured = signer.sign(_build(issuer=signer.issuer), cryptosuite)
    result = proof_verify(
        document=secured,
        public_key_resolver=did_key_resolve,
        expected_proof_purpose="assertionMethod",
    )
    assert result.verified, result.failures

    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["creditCode"] = "91310115MA1FL5XK4D"
    result = proof_verify(document=tampered, public_key_resolver=did_key_resolve)
    assert not result.verified
    assert result.reasons == (VerifyReason.SIGNATURE_INVALID,)


def test_rdfc_signed_licence_fits_qr(signer, capsys):
    assert len(BUSINESS_SCOPE) >= 150
    secured = signer.sign(_build(issuer=signer.issuer), EDDSA_RDFC_2022)
    payload = qr_payload_encode(secured)
    version = qr_version(payload)
    with capsys.disabled():
        print(f"\nlicence QR: {len(payload)} characters, version {version}, ", end="")
        print(f"level {qr_error_level(payload)}")
    assert version <= MAX_QR_VERSION


def test_context_is_valid_jsonld():
    assert BUNDLED_CONTEXTS[LICENCE_V1] == "licence-v1.json"
    raw = json.loads((CONTEXTS_DIR / "licence-v1.json").read_text(encoding="utf-8"))
    assert raw["@context"]["@protected"] is True
    vc = _build()
    [expanded] = jsonld.expand(vc, jsonld_options(offline_loader(), base=None))
    assert f"{NS}BusinessLicenceCredential" in expanded["@type"]
    [subject] = expanded["https://www.w3.org/2018/credentials#credentialSubject"]
    assert subject["@type"] == [f"{NS}BusinessLicence"]
    assert subject[f"{NS}creditCode"] == [{"@value": CREDIT_CODE}]
    assert subject[f"{NS}establishedOn"] == [{"@type": f"{XSD}date", "@value": "2018-06-21"}]
    commitment = jsonld.expand(
        {"@context": [CREDENTIALS_V2, LICENCE_V1], "issuedOnCommitment": True},
        jsonld_options(offline_loader(), base=None),
    )
    assert commitment[0][f"{NS}issuedOnCommitment"] == [{"@type": f"{XSD}boolean", "@value": True}]


def test_context_cannot_redefine_credentials_terms():
    """Every term is new: loading after the protected v2 context raises no redefinition."""
    raw = json.loads((CONTEXTS_DIR / "licence-v1.json").read_text(encoding="utf-8"))
    v2 = json.loads((CONTEXTS_DIR / "credentials-v2.json").read_text(encoding="utf-8"))
    assert not (set(raw["@context"]) - {"@protected"}) & set(v2["@context"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"entity": _entity(credit_code="")}, "credit_code"),
        ({"entity": _entity(credit_code="91310115MA1FL5XK4D")}, "credit_code"),
        ({"entity": _entity(name=None)}, "name"),
        ({"entity": _entity(business_scope="  ")}, "business_scope"),
        ({"entity": _entity(established_on="2018-06-21")}, "established_on"),
        ({"entity": _entity(business_term_end=dt.datetime(2048, 1, 1))}, "business_term_end"),
        ({"entity": _entity(registered_capital=Decimal("-1"))}, "registered_capital"),
        ({"entity": _entity(capital_currency="人民币")}, "capital_currency"),
        ({"entity": "not a mapping"}, "entity"),
        ({"issuer": "not a url"}, "issuer"),
        ({"licence_id": "1.2.156.3005.2.YYZZ.bad"}, "licence_id"),
        ({"issued_on": None}, "issued_on"),
        ({"valid_from": dt.datetime(2026, 3, 15)}, "valid_from"),
        ({"valid_until": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "valid_until"),
        ({"status": []}, "status"),
        ({"status": [{"id": "x"}]}, "status"),
    ],
)
def test_invalid_input(changes, field):
    with pytest.raises(DomainError) as info:
        _build(**changes)
    assert info.value.code == ErrorCode.INVALID_INPUT
    assert info.value.details["field"] == field
    assert any("\u4e00" <= char <= "\u9fff" for char in info.value.message)
