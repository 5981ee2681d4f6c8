"""Proof of identity from a trusted e-ID credential (电子身份证凭证).

Registration and the licensing services accept a legal representative's e-ID credential,
issued by an e-ID issuer on the trust list, instead of a scanned ID card: the credential
must verify (signature, trusted issuer of kind ``id_card``, validity, status) and name the
person the application names.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.idcard import id_number_parse

from .models import IssuerKind
from .trust import IssuerInfo, TrustSource
from .verification import credential_verify

IDENTITY_CREDENTIAL_TYPE = "IdentityCardCredential"


@dataclasses.dataclass(frozen=True)
class VerifiedIdentity:
    full_name: str
    id_number: str
    issuer: IssuerInfo
    credential_id: str


def _refused(message: str, **details: object) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_INPUT, message, {"field": "identity_credential", **details}
    )


def identity_verify(
    *, credential: object, full_name: str, id_number: str, trust: TrustSource | None = None
) -> VerifiedIdentity:
    """Check that ``credential`` is a valid, trusted e-ID of ``full_name`` / ``id_number``.

    Raises INVALID_INPUT naming what failed: the verdict's first reason, an issuer that does
    not issue e-IDs, a credential of another type, or another person's name or number.
    """
    number = id_number_parse(id_number).value
    verdict = credential_verify(credential, trust=trust)
    if not verdict.valid:
        failed = next(check for check in verdict.checks if check.ok is False)
        raise _refused(
            _("电子身份证凭证未通过核验：%(message)s") % {"message": failed.message},
            reason=failed.reason.value if failed.reason else None,
        )
    issuer = verdict.issuer
    if issuer is None or issuer.kind != IssuerKind.ID_CARD:
        raise _refused(
            _("%(name)s 不是信任列表中的电子身份证签发方。")
            % {"name": issuer.name if issuer else _("签发方")}
        )
    types = (verdict.credential or {}).get("type")
    if not isinstance(types, list) or IDENTITY_CREDENTIAL_TYPE not in types:
        raise _refused(_("该凭证不是电子身份证凭证（IdentityCardCredential）。"))
    subject = verdict.subject
    if subject.get("fullName") != full_name.strip():
        raise _refused(_("电子身份证上的姓名与所填法定代表人姓名不一致。"))
    if str(subject.get("idNumber", "")).upper() != number:
        raise _refused(_("电子身份证上的证件号码与所填号码不一致。"))
    return VerifiedIdentity(
        full_name=full_name.strip(),
        id_number=number,
        issuer=issuer,
        credential_id=str((verdict.credential or {}).get("id", "")),
    )
