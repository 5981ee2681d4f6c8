"""Verifying a credential (证照核验): one verdict, with a reason for everything that failed.

:func:`credential_verify_text` takes what a person or system hands over (credential JSON or
a ``YSVC1:`` QR payload); :func:`credential_verify` a parsed credential. Both return a
:class:`Verdict` and never raise for bad input: malformed JSON, oversized payloads, unknown
contexts (never fetched), duplicated proofs and garbage QR data each become a verdict with
its own reason. The checks are independent, so a verdict can name several reasons
(expired *and* revoked):

=========== =====================================================================
check       reasons when it fails
=========== =====================================================================
format      MALFORMED, TOO_LARGE, UNKNOWN_CONTEXT, INVALID_CREDENTIAL
issuer      UNKNOWN_ISSUER, UNKNOWN_KEY, KEY_REVOKED
signature   TAMPERED, NO_PROOF, DUPLICATE_PROOF, PROOF_INVALID
validity    EXPIRED, NOT_YET_VALID
status      REVOKED, SUSPENDED, STATUS_UNAVAILABLE
=========== =====================================================================

Whom to trust, which keys and what the status lists say come from a
:class:`~yingshang.licences.trust.TrustSource`: the database on the server, a trust bundle
file offline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingshang.core.errors import DomainError
from yingshang.licences.dataintegrity import (
    Expansion,
    VerifyReason,
    expansion_from,
    proof_verify,
)
from yingshang.licences.datamodel import ProblemCode, credential_validate
from yingshang.licences.documents import ContextRefused
from yingshang.licences.qr import QR_PREFIX, qr_payload_decode
from yingshang.licences.statuslist import ENTRY_TYPE, REVOCATION, SUSPENSION
from yingshang.licences.trust import DatabaseTrust, IssuerInfo, KeyState, TrustSource


class Check(enum.StrEnum):
    FORMAT = "format"
    ISSUER = "issuer"
    SIGNATURE = "signature"
    VALIDITY = "validity"
    STATUS = "status"


class Reason(enum.StrEnum):
    MALFORMED = "MALFORMED"
    TOO_LARGE = "TOO_LARGE"
    UNKNOWN_CONTEXT = "UNKNOWN_CONTEXT"
    INVALID_CREDENTIAL = "INVALID_CREDENTIAL"
    UNKNOWN_ISSUER = "UNKNOWN_ISSUER"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    KEY_REVOKED = "KEY_REVOKED"
    NO_PROOF = "NO_PROOF"
    DUPLICATE_PROOF = "DUPLICATE_PROOF"
    PROOF_INVALID = "PROOF_INVALID"
    TAMPERED = "TAMPERED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    STATUS_UNAVAILABLE = "STATUS_UNAVAILABLE"


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """One check: ``ok`` True (passed), False (failed, with ``reason``) or None (not run)."""

    check: Check
    ok: bool | None
    message: str
    reason: Reason | None = None


@dataclasses.dataclass(frozen=True)
class Verdict:
    """核验结论. ``valid`` only when every check ran and passed (status may be absent)."""

    valid: bool
    checks: tuple[CheckResult, ...]
    issuer: IssuerInfo | None
    credential: dict[str, Any] | None
    source: str  # "json" or "qr"
    checked_at: dt.datetime

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(check.reason for check in self.checks if check.reason is not None)

    def check(self, check: Check) -> CheckResult:
        return next(result for result in self.checks if result.check == check)

    @property
    def subject(self) -> dict[str, Any]:
        subject = (self.credential or {}).get("credentialSubject")
        if isinstance(subject, list):
            subject = subject[0] if subject else {}
        return subject if isinstance(subject, dict) else {}

    def as_dict(self) -> dict[str, Any]:
        credential = self.credential or {}
        return {
            "valid": self.valid,
            "reasons": [reason.value for reason in self.reasons],
            "checks": [
                {
                    "check": result.check.value,
                    "ok": result.ok,
                    "reason": result.reason.value if result.reason else None,
                    "message": result.message,
                }
                for result in self.checks
            ],
            "issuer": dataclasses.asdict(self.issuer) if self.issuer else None,
            "credential": (
                {
                    "id": credential.get("id"),
                    "type": credential.get("type"),
                    "name": credential.get("name"),
                    "valid_from": credential.get("validFrom"),
                    "valid_until": credential.get("validUntil"),
                    "subject": self.subject,
                }
                if self.credential is not None
                else None
            ),
            "source": self.source,
            "checked_at": self.checked_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        }


_NOT_RUN = {
    Check.ISSUER: gettext_lazy("未核验签发方（凭证格式不正确）。"),
    Check.SIGNATURE: gettext_lazy("未核验签名（凭证格式不正确）。"),
    Check.VALIDITY: gettext_lazy("未核验有效期（凭证格式不正确）。"),
    Check.STATUS: gettext_lazy("未核验状态（凭证格式不正确）。"),
}


def verdict_unreadable(
    reason: Reason, message: str, *, source: str = "json", now: dt.datetime | None = None
) -> Verdict:
    """The verdict for input that is not a credential at all (every other check not run)."""
    return Verdict(
        valid=False,
        checks=(
            CheckResult(Check.FORMAT, False, message, reason),
            *(CheckResult(check, None, str(text)) for check, text in _NOT_RUN.items()),
        ),
        issuer=None,
        credential=None,
        source=source,
        checked_at=now or timezone.now(),
    )


def verdict_too_large(size: int) -> Verdict:
    limit = settings.LICENCE_VERIFY_MAX_BYTES
    return verdict_unreadable(
        Reason.TOO_LARGE,
        _("内容过大（%(size)d 字节）：凭证或二维码内容不得超过 %(limit)d 字节。")
        % {"size": size, "limit": limit},
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("JSON 中有重复的键：%(key)s") % {"key": key})
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(_("JSON 中不允许 %(name)s。") % {"name": name})


def credential_verify_text(
    text: str | bytes,
    *,
    trust: TrustSource | None = None,
    now: dt.datetime | None = None,
) -> Verdict:
    """Verify what was pasted, uploaded or scanned: credential JSON or a QR payload."""
    now = now or timezone.now()
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > settings.LICENCE_VERIFY_MAX_BYTES:
        return verdict_too_large(size)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return verdict_unreadable(
                Reason.MALFORMED, _("内容不是 UTF-8 文本。"), source="json", now=now
            )
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        return verdict_unreadable(
            Reason.MALFORMED, _("没有内容：请粘贴凭证 JSON 或二维码内容。"), source="json", now=now
        )
    if stripped.upper().startswith(QR_PREFIX):
        try:
            credential = qr_payload_decode(stripped)
        except DomainError as exc:
            return verdict_unreadable(
                Reason.MALFORMED,
                _("二维码内容无法解读：%(error)s") % {"error": exc.message},
                source="qr",
                now=now,
            )
        return credential_verify(credential, trust=trust, now=now, source="qr")
    try:
        parsed = json.loads(
            stripped, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant
        )
    except (ValueError, RecursionError) as exc:
        return verdict_unreadable(
            Reason.MALFORMED,
            _("既不是凭证 JSON，也不是以 %(prefix)s 开头的二维码内容：%(error)s")
            % {"prefix": QR_PREFIX, "error": exc},
            source="json",
            now=now,
        )
    return credential_verify(parsed, trust=trust, now=now, source="json")


def credential_verify(
    credential: object,
    *,
    trust: TrustSource | None = None,
    now: dt.datetime | None = None,
    source: str = "json",
) -> Verdict:
    """Verify a parsed credential against ``trust`` (default: this platform's database)."""
    now = now or timezone.now()
    trust = trust or DatabaseTrust()
    if not isinstance(credential, dict):
        return verdict_unreadable(
            Reason.MALFORMED, _("凭证必须是 JSON 对象。"), source=source, now=now
        )
    # An RDFC proof canonicalizes from the data-model check's expansion; other proofs do not
    # need it, and the check may then answer from findings remembered for the same shape.
    expansion: list[tuple[Any, set[str]]] | None = [] if _rdfc(credential) else None
    format_result = _format_check(credential, expansion)
    if format_result.ok is False:
        verdict = verdict_unreadable(
            format_result.reason or Reason.INVALID_CREDENTIAL,
            format_result.message,
            source=source,
            now=now,
        )
        return dataclasses.replace(verdict, credential=credential)

    issuer_result, issuer, public_key = _issuer_check(credential, trust)
    signature_result = _signature_check(
        credential,
        public_key,
        expansion_from(*expansion[0]) if expansion is not None and len(expansion) == 1 else None,
    )
    checks = (
        format_result,
        issuer_result,
        signature_result,
        _validity_check(credential, now),
        _status_check(credential, trust),
    )
    return Verdict(
        valid=all(result.ok is not False for result in checks)
        and signature_result.ok is True
        and issuer_result.ok is True,
        checks=checks,
        issuer=issuer,
        credential=credential,
        source=source,
        checked_at=now,
    )


def _rdfc(credential: dict[str, Any]) -> bool:
    proof = credential.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    suite = proof.get("cryptosuite") if isinstance(proof, dict) else None
    return isinstance(suite, str) and "-rdfc-" in suite


def _format_check(
    credential: dict[str, Any], expansion: list[tuple[Any, set[str]]] | None
) -> CheckResult:
    try:
        problems = credential_validate(credential, expansion=expansion)
    except ContextRefused as exc:
        return CheckResult(Check.FORMAT, False, exc.message, Reason.UNKNOWN_CONTEXT)
    if not problems:
        return CheckResult(Check.FORMAT, True, _("凭证格式符合 W3C 可验证凭证 2.0。"))
    context = [problem for problem in problems if problem.code == ProblemCode.CONTEXT]
    if context:
        return CheckResult(Check.FORMAT, False, context[0].message, Reason.UNKNOWN_CONTEXT)
    listed = "；".join(problem.message for problem in problems[:3])
    more = len(problems) - 3
    if more > 0:
        listed += _("；另有 %(n)d 处问题") % {"n": more}
    return CheckResult(
        Check.FORMAT,
        False,
        _("凭证不符合 W3C 可验证凭证 2.0：%(problems)s") % {"problems": listed},
        Reason.INVALID_CREDENTIAL,
    )


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def _proof(credential: dict[str, Any]) -> dict[str, Any] | CheckResult:
    proof = credential.get("proof")
    if proof is None:
        return CheckResult(Check.SIGNATURE, False, _("凭证没有签名（proof）。"), Reason.NO_PROOF)
    if isinstance(proof, list):
        if len(proof) == 1:
            proof = proof[0]
        elif any(item == proof[0] for item in proof[1:]):
            return CheckResult(
                Check.SIGNATURE, False, _("凭证含有重复的证明（proof）。"), Reason.DUPLICATE_PROOF
            )
        else:
            return CheckResult(
                Check.SIGNATURE,
                False,
                _("凭证含有 %(n)d 个证明；本平台的证照只有一个 Data Integrity 证明。")
                % {"n": len(proof)},
                Reason.DUPLICATE_PROOF,
            )
    if not isinstance(proof, dict):
        return CheckResult(
            Check.SIGNATURE, False, _("证明（proof）必须是对象。"), Reason.PROOF_INVALID
        )
    return proof


def _issuer_check(
    credential: dict[str, Any], trust: TrustSource
) -> tuple[CheckResult, IssuerInfo | None, PublicKeyTypes | None]:
    did = _issuer_id(credential)
    issuer = trust.issuer(did)
    if issuer is None:
        return (
            CheckResult(
                Check.ISSUER,
                False,
                _("签发方 %(did)s 不在信任列表中。") % {"did": did},
                Reason.UNKNOWN_ISSUER,
            ),
            None,
            None,
        )
    proof = _proof(credential)
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    trusted = _("签发方：%(name)s（%(region)s）。") % {
        "name": issuer.name,
        "region": issuer.region_name,
    }
    if not isinstance(method, str):
        return CheckResult(Check.ISSUER, True, trusted), issuer, None
    if not method.startswith(f"{did}#"):
        return (
            CheckResult(
                Check.ISSUER,
                False,
                _("签名密钥 %(method)s 不属于签发方 %(did)s。") % {"method": method, "did": did},
                Reason.UNKNOWN_KEY,
            ),
            issuer,
            None,
        )
    lookup = trust.key(method)
    if lookup.state == KeyState.UNKNOWN:
        return (
            CheckResult(
                Check.ISSUER,
                False,
                _("%(name)s 没有公布签名密钥 %(method)s。")
                % {"name": issuer.name, "method": method},
                Reason.UNKNOWN_KEY,
            ),
            issuer,
            None,
        )
    if lookup.state == KeyState.REVOKED:
        return (
            CheckResult(
                Check.ISSUER,
                False,
                _("签名密钥 %(method)s 已于 %(when)s 被吊销，其签发的凭证不再可信。")
                % {"method": method, "when": lookup.revoked_at},
                Reason.KEY_REVOKED,
            ),
            issuer,
            None,
        )
    return CheckResult(Check.ISSUER, True, trusted), issuer, lookup.public_key


_TAMPERING = frozenset(
    {
        VerifyReason.SIGNATURE_INVALID,
        VerifyReason.CONTEXT_MISMATCH,
        VerifyReason.INVALID_PROOF_VALUE,
    }
)


def _signature_check(
    credential: dict[str, Any], public_key: PublicKeyTypes | None, expansion: Expansion | None
) -> CheckResult:
    proof = _proof(credential)
    if isinstance(proof, CheckResult):
        return proof
    if public_key is None:
        return CheckResult(Check.SIGNATURE, None, _("未核验签名：签发方或其密钥不可信。"))
    document = {**credential, "proof": proof}
    try:
        result = proof_verify(
            document=document, public_key_resolver=lambda _method: public_key, expansion=expansion
        )
    except DomainError as exc:
        return CheckResult(Check.SIGNATURE, False, exc.message, Reason.PROOF_INVALID)
    if result.verified:
        return CheckResult(
            Check.SIGNATURE,
            True,
            _("签名有效（%(suite)s），内容未被改动。") % {"suite": result.cryptosuite},
        )
    failure = result.failures[0]
    if failure.reason in _TAMPERING:
        return CheckResult(
            Check.SIGNATURE,
            False,
            _("签名与内容不符：凭证在签发后被改动过。"),
            Reason.TAMPERED,
        )
    if failure.reason == VerifyReason.KEY_TYPE_MISMATCH:
        return CheckResult(Check.SIGNATURE, False, failure.message, Reason.UNKNOWN_KEY)
    return CheckResult(Check.SIGNATURE, False, failure.message, Reason.PROOF_INVALID)


def _instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=dt.UTC)


def _validity_check(credential: dict[str, Any], now: dt.datetime) -> CheckResult:
    valid_from = _instant(credential.get("validFrom"))
    valid_until = _instant(credential.get("validUntil"))
    if valid_from is not None and now < valid_from:
        return CheckResult(
            Check.VALIDITY,
            False,
            _("凭证尚未生效：生效时间为 %(when)s。") % {"when": credential["validFrom"]},
            Reason.NOT_YET_VALID,
        )
    if valid_until is not None and now > valid_until:
        return CheckResult(
            Check.VALIDITY,
            False,
            _("凭证已过有效期：截止时间为 %(when)s。") % {"when": credential["validUntil"]},
            Reason.EXPIRED,
        )
    if valid_until is None:
        return CheckResult(Check.VALIDITY, True, _("在有效期内（长期有效）。"))
    return CheckResult(
        Check.VALIDITY,
        True,
        _("在有效期内（至 %(when)s）。") % {"when": credential["validUntil"]},
    )


def _status_check(credential: dict[str, Any], trust: TrustSource) -> CheckResult:
    entries = credential.get("credentialStatus")
    if entries is None:
        return CheckResult(Check.STATUS, None, _("凭证未声明状态列表，无需核验撤销状态。"))
    entries = entries if isinstance(entries, list) else [entries]
    urls = [
        entry["statusListCredential"]
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("statusListCredential"), str)
    ]
    lists = trust.status_lists(urls) if urls else {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != ENTRY_TYPE:
            return CheckResult(
                Check.STATUS,
                False,
                _("不支持的凭证状态类型（应为 %(type)s）。") % {"type": ENTRY_TYPE},
                Reason.STATUS_UNAVAILABLE,
            )
        url = entry.get("statusListCredential")
        index_text = entry.get("statusListIndex")
        purpose = entry.get("statusPurpose")
        published = lists.get(url) if isinstance(url, str) else None
        if published is None:
            return CheckResult(
                Check.STATUS,
                False,
                _("无法取得状态列表 %(url)s（离线核验请使用包含该列表的信任包）。") % {"url": url},
                Reason.STATUS_UNAVAILABLE,
            )
        if (
            not isinstance(index_text, str)
            or not index_text.isascii()
            or not index_text.isdigit()
            or int(index_text) >= len(published.bits)
            or purpose != published.purpose
        ):
            return CheckResult(
                Check.STATUS,
                False,
                _("凭证状态条目与状态列表不一致（索引或用途不对）。"),
                Reason.STATUS_UNAVAILABLE,
            )
        if published.bits.get(int(index_text)):
            if purpose == REVOCATION:
                return CheckResult(Check.STATUS, False, _("凭证已被签发方撤销。"), Reason.REVOKED)
            if purpose == SUSPENSION:
                return CheckResult(
                    Check.STATUS, False, _("凭证已被签发方暂停使用。"), Reason.SUSPENDED
                )
            return CheckResult(
                Check.STATUS,
                False,
                _("状态列表将该凭证标记为“%(purpose)s”。") % {"purpose": purpose},
                Reason.STATUS_UNAVAILABLE,
            )
    return CheckResult(Check.STATUS, True, _("未被撤销，也未被暂停。"))
