"""The electronic business licence as an unsigned VC 2.0 credential (电子营业执照凭证).

:func:`business_licence_credential` turns an entity's public fields (公示信息, the fields of
:class:`yingshang.registry.selectors.PublicEntity`, passed as a mapping) into an unsigned
Verifiable Credential using our own vocabulary ``https://yingshang.example/ns/licence/v1``
(``contexts/licence-v1.json``). Sign it with
:func:`yingshang.licences.dataintegrity.proof_create`.

Registered capital is written as ``registeredCapitalAmount`` in whole units of the currency
(the registry keeps 万; 500 万元 becomes ``"5000000"``) and ``registeredCapitalCurrency`` as
the ISO 4217 code (``CNY``). A business term without an end (长期) has no ``businessTermEnd``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.licence_id import licence_id_is_valid
from yingshang.core.uscc import uscc_is_valid
from yingshang.licences.datamodel import VERIFIABLE_CREDENTIAL, is_url
from yingshang.licences.documents import CREDENTIALS_V2, LICENCE_V1

CREDENTIAL_TYPE = "BusinessLicenceCredential"
SUBJECT_TYPE = "BusinessLicence"
CREDENTIAL_NAME = "营业执照（电子）"
CAPITAL_UNIT = Decimal(10_000)  # the registry keeps capital in 万

# Entity field -> (credential term, label for messages); all must be non-empty text.
_REQUIRED_TEXT = (
    ("credit_code", "creditCode", "统一社会信用代码"),
    ("name", "entityName", "名称"),
    ("entity_type_label", "entityType", "类型"),
    ("legal_representative", "legalRepresentative", "法定代表人"),
    ("address", "domicile", "住所"),
    ("business_scope", "businessScope", "经营范围"),
    ("registration_authority", "registrationAuthority", "登记机关"),
)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field})


def _text(entity: Mapping[str, Any], field: str, label: str) -> str:
    value = entity.get(field)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(_("缺少%(label)s（%(field)s）。") % {"label": label, "field": field}, field)
    return value.strip()


def _date(value: object, field: str, label: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _invalid(
            _("%(label)s（%(field)s）必须是日期。") % {"label": label, "field": field}, field
        )
    return value.isoformat()


def _timestamp(value: object, field: str, label: str) -> str:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise _invalid(
            _("%(label)s（%(field)s）必须是带时区的日期时间。") % {"label": label, "field": field},
            field,
        )
    utc = value.astimezone(dt.UTC).replace(microsecond=0)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _capital(entity: Mapping[str, Any]) -> tuple[str, str] | None:
    amount = entity.get("registered_capital")
    if amount is None:
        return None
    try:
        value = Decimal(amount) if isinstance(amount, (Decimal, int, str)) else None
    except InvalidOperation:
        value = None
    if isinstance(amount, bool) or value is None or not value.is_finite() or value < 0:
        raise _invalid(_("注册资本必须是非负数（单位：万）。"), "registered_capital")
    currency = entity.get("capital_currency")
    if (
        not isinstance(currency, str)
        or len(currency) != 3
        or not (currency.isascii() and currency.isalpha())
    ):
        raise _invalid(
            _("注册资本币种必须是 ISO 4217 三位字母代码（如 CNY）。"), "capital_currency"
        )
    whole = (value * CAPITAL_UNIT).normalize()
    return format(whole, "f"), currency.upper()


def _status(status: list[dict[str, Any]] | dict[str, Any] | None) -> Any:
    entries = status if isinstance(status, list) else [status]
    if isinstance(status, list) and not status:
        raise _invalid(_("凭证状态列表不能为空；没有状态请传 None。"), "status")
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("type"):
            raise _invalid(_("凭证状态条目必须是带 type 的对象。"), "status")
    return copy.deepcopy(status)


def business_licence_credential(
    *,
    entity: Mapping[str, Any],
    issuer: str,
    licence_id: str,
    issued_on: dt.date,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None,
    status: list[dict[str, Any]] | dict[str, Any] | None,
) -> dict[str, Any]:
    """The unsigned business-licence credential for ``entity`` (public fields by name).

    ``issuer`` is the issuer's URL (e.g. a ``did:key``), ``licence_id`` a valid licence
    identifier (:func:`yingshang.core.licence_id.licence_id_build`), ``valid_from`` and
    ``valid_until`` timezone-aware datetimes (written in UTC with ``Z``), ``status`` one
    ``credentialStatus`` entry, several, or ``None``. Raises :class:`DomainError`
    (``INVALID_INPUT``) for missing or malformed input.
    """
    if not isinstance(entity, Mapping):
        raise _invalid(_("主体信息必须是字段映射。"), "entity")
    subject_fields = {term: _text(entity, field, label) for field, term, label in _REQUIRED_TEXT}
    credit_code = subject_fields["creditCode"].upper()
    if not uscc_is_valid(credit_code):
        raise _invalid(_("统一社会信用代码无效：%(code)s") % {"code": credit_code}, "credit_code")
    subject_fields["creditCode"] = credit_code
    if not is_url(issuer):
        raise _invalid(_("签发者必须是 URL（如 did:key:…）。"), "issuer")
    if not isinstance(licence_id, str) or not licence_id_is_valid(licence_id):
        raise _invalid(_("证照标识无效：%(id)s") % {"id": licence_id}, "licence_id")

    valid_from_text = _timestamp(valid_from, "valid_from", "有效期起")
    valid_until_text = None
    if valid_until is not None:
        valid_until_text = _timestamp(valid_until, "valid_until", "有效期止")
        if valid_until <= valid_from:
            raise _invalid(_("有效期止必须晚于有效期起。"), "valid_until")

    established_on = _date(
        entity.get("established_on"), "established_on", "成立日期", required=True
    )
    term_start = _date(
        entity.get("business_term_start"), "business_term_start", "营业期限自", required=False
    )
    term_end = _date(
        entity.get("business_term_end"), "business_term_end", "营业期限至", required=False
    )
    issued_on_text = _date(issued_on, "issued_on", "发照日期", required=True)

    subject: dict[str, Any] = {"id": f"urn:uscc:{credit_code}", "type": SUBJECT_TYPE}
    subject.update(subject_fields)
    capital = _capital(entity)
    if capital is not None:
        subject["registeredCapitalAmount"], subject["registeredCapitalCurrency"] = capital
    subject["establishedOn"] = established_on
    if term_start is not None:
        subject["businessTermStart"] = term_start
    if term_end is not None:
        subject["businessTermEnd"] = term_end
    subject["issuedOn"] = issued_on_text
    subject["licenceId"] = licence_id

    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, LICENCE_V1],
        "id": f"urn:licence:{licence_id}",
        "type": [VERIFIABLE_CREDENTIAL, CREDENTIAL_TYPE],
        "name": CREDENTIAL_NAME,
        "issuer": issuer,
        "validFrom": valid_from_text,
        "credentialSubject": subject,
    }
    if valid_until_text is not None:
        credential["validUntil"] = valid_until_text
    if status is not None:
        credential["credentialStatus"] = _status(status)
    return credential


INDUSTRY_CREDENTIAL_TYPE = "IndustryLicenceCredential"
INDUSTRY_SUBJECT_TYPE = "IndustryLicence"


def industry_licence_credential(
    *,
    credit_code: str,
    entity_name: str,
    industry: Mapping[str, str],
    permits: list[Mapping[str, str]],
    premises_address: str | None,
    on_commitment: bool,
    issuer: str,
    licence_id: str,
    issued_on: dt.date,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None,
    status: list[dict[str, Any]] | dict[str, Any] | None,
) -> dict[str, Any]:
    """The unsigned integrated industry licence (行业综合许可证) credential.

    ``industry`` has ``code``, ``name`` and ``gbt4754``; each of ``permits`` (the permits
    the licence replaces) has ``code``, ``name`` and ``department`` (the department's name).
    """
    code = credit_code.strip().upper()
    if not uscc_is_valid(code):
        raise _invalid(_("统一社会信用代码无效：%(code)s") % {"code": code}, "credit_code")
    if not entity_name.strip():
        raise _invalid(_("缺少名称（entity_name）。"), "entity_name")
    if not permits:
        raise _invalid(_("行业综合许可证至少要列出一项许可。"), "permits")
    if not is_url(issuer):
        raise _invalid(_("签发者必须是 URL（如 did:key:…）。"), "issuer")
    if not licence_id_is_valid(licence_id):
        raise _invalid(_("证照标识无效：%(id)s") % {"id": licence_id}, "licence_id")
    subject: dict[str, Any] = {
        "id": f"urn:uscc:{code}",
        "type": INDUSTRY_SUBJECT_TYPE,
        "creditCode": code,
        "entityName": entity_name.strip(),
        "industryCode": industry["code"],
        "industryName": industry["name"],
        "gbt4754": industry["gbt4754"],
    }
    if premises_address:
        subject["premisesAddress"] = premises_address
    subject["replacesPermits"] = [
        {
            "type": "Permit",
            "permitCode": permit["code"],
            "permitName": permit["name"],
            "department": permit["department"],
        }
        for permit in permits
    ]
    subject["issuedOnCommitment"] = bool(on_commitment)
    subject["issuedOn"] = _date(issued_on, "issued_on", "发证日期", required=True)
    subject["licenceId"] = licence_id
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, LICENCE_V1],
        "id": f"urn:licence:{licence_id}",
        "type": [VERIFIABLE_CREDENTIAL, INDUSTRY_CREDENTIAL_TYPE],
        "name": f"行业综合许可证（{industry['name']}）",
        "issuer": issuer,
        "validFrom": _timestamp(valid_from, "valid_from", "有效期起"),
        "credentialSubject": subject,
    }
    if valid_until is not None:
        credential["validUntil"] = _timestamp(valid_until, "valid_until", "有效期止")
    if status is not None:
        credential["credentialStatus"] = _status(status)
    return credential
