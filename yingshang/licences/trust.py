"""Whom the verifier trusts (信任列表): our own issuer and the issuers officials have added.

Mutual recognition across regions (长三角 S10) rests on the trust list: other provinces'
market regulators and the issuers of e-ID cards, e-driving and e-vehicle licences, each with
its DID document (its public keys). Officials manage it through :func:`trusted_issuer_save`
and :func:`trusted_issuer_set_active`; every change is a ledger event.

The verifier asks a :class:`TrustSource` three questions: who is this issuer, what is this
key, and what does this status list say. :class:`DatabaseTrust` answers from this
platform's tables; :class:`BundleTrust` from a trust bundle file (``yingshang licences
trust-bundle``), so that a third party verifies offline without our database.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, role_check
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.reasons import reason_parse
from yingshang.core.regions import region_full_name, region_parse
from yingshang.core.sm2 import sm2_public_key_to_pem
from yingshang.ledger.services import event_append
from yingshang.licences import documents, keys
from yingshang.licences.dataintegrity import proof_verify
from yingshang.licences.documents import LICENCE_V1
from yingshang.licences.multibase import multibase_decode, multikey_decode_public
from yingshang.licences.qr import QR_PREFIX, QR_ZDICT_V1
from yingshang.licences.statuslist import StatusBitstring

from .models import IssuerKey, IssuerKind, KeyAlgorithm, StatusList, TrustedIssuer

EVENT_TRUST_SAVED = "licences.trust.saved"
EVENT_TRUST_ACTIVE = "licences.trust.active_changed"
TRUST_ROLES = frozenset({Role.LICENSING_OFFICER, Role.LEADER})
BUNDLE_FORMAT = "yingshang-trust-bundle/1"
_DID_MAX = 200
_NAME_MAX = 100


@dataclasses.dataclass(frozen=True)
class IssuerInfo:
    """A trusted issuer as the verdict names it: who, which region, what kind."""

    did: str
    name: str
    region_code: str
    region_name: str
    kind: str
    kind_label: str
    own: bool


class KeyState(enum.StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


@dataclasses.dataclass(frozen=True)
class KeyLookup:
    state: KeyState
    public_key: PublicKeyTypes | None = None
    revoked_at: str = ""


@dataclasses.dataclass(frozen=True)
class ListBits:
    """A published status list, already verified: its purpose and its bits."""

    purpose: str
    bits: StatusBitstring


class TrustSource(Protocol):
    def issuer(self, did: str) -> IssuerInfo | None: ...

    def key(self, verification_method: str) -> KeyLookup: ...

    def status_lists(self, urls: list[str]) -> dict[str, ListBits]:
        """The lists published at ``urls`` (their proofs already checked) that it has."""
        ...


def _region_name(code: str) -> str:
    try:
        return region_full_name(code)
    except DomainError:
        return code


def own_issuer() -> IssuerInfo:
    return IssuerInfo(
        did=keys.issuer_did(),
        name=str(settings.LICENCE_ISSUER_NAME),
        region_code=str(settings.LICENCE_ISSUER_REGION),
        region_name=_region_name(str(settings.LICENCE_ISSUER_REGION)),
        kind=IssuerKind.MARKET_REGULATOR.value,
        kind_label=str(IssuerKind.MARKET_REGULATOR.label),
        own=True,
    )


def _info(issuer: TrustedIssuer) -> IssuerInfo:
    return IssuerInfo(
        did=issuer.did,
        name=issuer.name,
        region_code=issuer.region_code,
        region_name=_region_name(issuer.region_code),
        kind=issuer.kind,
        kind_label=str(IssuerKind(issuer.kind).label),
        own=False,
    )


def _document_key(document: Mapping[str, Any], verification_method: str) -> KeyLookup:
    """Look ``verification_method`` up in a DID document that passed :func:`did_document_parse`."""
    did = document.get("id")
    for method in document.get("verificationMethod", []):
        method_id = method.get("id", "")
        if method_id.startswith("#"):
            method_id = f"{did}{method_id}"
        if method_id != verification_method:
            continue
        if method.get("revoked"):
            return KeyLookup(KeyState.REVOKED, revoked_at=str(method["revoked"]))
        try:
            return KeyLookup(KeyState.VALID, multikey_decode_public(method["publicKeyMultibase"]))
        except DomainError:
            return KeyLookup(KeyState.UNKNOWN)
    return KeyLookup(KeyState.UNKNOWN)


class DatabaseTrust:
    """Answers from this platform's tables (the default on the server and the CLI)."""

    def issuer(self, did: str) -> IssuerInfo | None:
        if did == keys.issuer_did():
            return own_issuer()
        issuer = TrustedIssuer.objects.filter(did=did, active=True).first()
        return _info(issuer) if issuer is not None else None

    # The verifier's two hot reads are single-row raw queries (the ORM's query building
    # costs more than the query itself on this path).

    def key(self, verification_method: str) -> KeyLookup:
        did, _sep, key_id = verification_method.partition("#")
        if did == keys.issuer_did():
            row = _one(
                f"SELECT public_key, revoked_at FROM {IssuerKey._meta.db_table} "  # noqa: S608
                "WHERE key_id = %s AND algorithm = %s",
                [key_id, KeyAlgorithm.ED25519.value],
            )
            if row is None:
                return KeyLookup(KeyState.UNKNOWN)
            if row[1] is not None:
                revoked_at = IssuerKey.objects.get(key_id=key_id).revoked_at
                return KeyLookup(
                    KeyState.REVOKED, revoked_at=revoked_at.isoformat() if revoked_at else ""
                )
            return KeyLookup(KeyState.VALID, Ed25519PublicKey.from_public_bytes(bytes(row[0])))
        issuer = TrustedIssuer.objects.filter(did=did, active=True).first()
        if issuer is None:
            return KeyLookup(KeyState.UNKNOWN)
        return _document_key(issuer.did_document, verification_method)

    def status_lists(self, urls: list[str]) -> dict[str, ListBits]:
        prefix = own_status_list_prefix()
        ids = sorted({url.removeprefix(prefix) for url in urls if url.startswith(prefix)})
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT list_id, purpose, bits FROM {StatusList._meta.db_table} "  # noqa: S608
                f"WHERE list_id IN ({marks})",
                ids,
            )
            rows = cursor.fetchall()
        return {
            f"{prefix}{list_id}": ListBits(purpose, StatusBitstring.from_bytes(bytes(bits)))
            for list_id, purpose, bits in rows
        }


def _one(sql: str, params: list[str]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


def own_status_list_prefix() -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/v1/status-lists/"


# --- DID documents -----------------------------------------------------------------------------


def _bad_document(message: str, **details: object) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": "did_document", **details})


def _multikey_check(text: str) -> None:
    """Raise unless ``text`` is a readable public Multikey: Ed25519, P-256, P-384, or SM2
    (our own DID document lists the SM2 key of the additional signature)."""
    data = multibase_decode(text)
    if data[:2] == keys.SM2_PUB_HEADER:
        sm2_public_key_to_pem(data[2:])  # raises INVALID_KEY unless a point on the curve
        return
    multikey_decode_public(text)


def did_document_parse(document: object, *, did: str) -> dict[str, Any]:
    """Check a trusted issuer's DID document: its ``id`` is ``did`` and every verification
    method is a Multikey (Ed25519, P-256, P-384 or SM2) of that DID with a readable key."""
    if not isinstance(document, dict):
        raise _bad_document(_("DID 文档必须是 JSON 对象。"))
    if document.get("id") != did:
        raise _bad_document(
            _("DID 文档的 id（%(id)s）与签发方 DID（%(did)s）不一致。")
            % {"id": document.get("id"), "did": did}
        )
    methods = document.get("verificationMethod")
    if not isinstance(methods, list) or not methods:
        raise _bad_document(_("DID 文档必须列出至少一个验证方法（verificationMethod）。"))
    for position, method in enumerate(methods):
        if not isinstance(method, dict):
            raise _bad_document(_("第 %(n)d 个验证方法必须是对象。") % {"n": position + 1})
        method_id = method.get("id")
        if not isinstance(method_id, str) or not (
            method_id.startswith(f"{did}#") or method_id.startswith("#")
        ):
            raise _bad_document(
                _("第 %(n)d 个验证方法的 id 必须是“%(did)s#…”。") % {"n": position + 1, "did": did}
            )
        if method.get("type") != "Multikey" or not isinstance(
            method.get("publicKeyMultibase"), str
        ):
            raise _bad_document(
                _("第 %(n)d 个验证方法必须是带 publicKeyMultibase 的 Multikey。")
                % {"n": position + 1}
            )
        try:
            _multikey_check(method["publicKeyMultibase"])
        except DomainError as exc:
            raise _bad_document(
                _("第 %(n)d 个验证方法的公钥无法读取：%(error)s")
                % {"n": position + 1, "error": exc.message}
            ) from exc
    return document


# --- Managing the trust list -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssuerEntry:
    """A trust list entry as submitted, validated by :func:`issuer_entry_parse`."""

    did: str
    name: str
    region_code: str
    kind: IssuerKind
    did_document: dict[str, Any]


def issuer_entry_parse(raw: Mapping[str, object]) -> IssuerEntry:
    did = raw.get("did")
    if not isinstance(did, str) or not did.startswith("did:") or not 5 < len(did) <= _DID_MAX:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("签发方 DID 必须以 did: 开头，不超过 %(max)d 个字符。") % {"max": _DID_MAX},
            {"field": "did"},
        )
    if did == keys.issuer_did():
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("本平台自己的签发方无需加入信任列表。"),
            {"field": "did"},
        )
    name = raw.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= _NAME_MAX:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("请填写签发方名称（1-%(max)d个字符）。") % {"max": _NAME_MAX},
            {"field": "name"},
        )
    try:
        region = region_parse(raw.get("region_code")).code
    except DomainError as exc:  # INVALID_REGION naming the bad code; add the field
        raise DomainError(exc.code, exc.message, {**exc.details, "field": "region_code"}) from exc
    kind = raw.get("kind")
    if kind not in IssuerKind.values:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("签发方类别必须是：%(kinds)s。") % {"kinds": "、".join(IssuerKind.values)},
            {"field": "kind"},
        )
    return IssuerEntry(
        did=did,
        name=name.strip(),
        region_code=region,
        kind=IssuerKind(kind),
        did_document=did_document_parse(raw.get("did_document"), did=did),
    )


def trusted_issuer_save(*, by: User, entry: IssuerEntry) -> TrustedIssuer:
    """Add an issuer to the trust list, or replace its name, region, kind and keys."""
    role_check(by, TRUST_ROLES, action=_("管理信任列表"))
    now = timezone.now()
    with transaction.atomic():
        issuer, created = TrustedIssuer.objects.select_for_update().get_or_create(
            did=entry.did,
            defaults={
                "name": entry.name,
                "region_code": entry.region_code,
                "kind": entry.kind,
                "did_document": entry.did_document,
                "created_at": now,
                "updated_at": now,
                "updated_by": actor_of(by),
            },
        )
        if not created:
            issuer.name = entry.name
            issuer.region_code = entry.region_code
            issuer.kind = entry.kind
            issuer.did_document = entry.did_document
            issuer.updated_at = now
            issuer.updated_by = actor_of(by)
            issuer.save()
        event_append(
            event_type=EVENT_TRUST_SAVED,
            actor=actor_of(by),
            subject=f"trusted-issuer:{entry.did}",
            payload={
                "did": entry.did,
                "name": entry.name,
                "region_code": entry.region_code,
                "kind": entry.kind.value,
                "created": created,
                "keys": [
                    method["publicKeyMultibase"]
                    for method in entry.did_document["verificationMethod"]
                ],
            },
        )
    return issuer


def trusted_issuer_set_active(*, by: User, did: str, active: bool, reason: str) -> TrustedIssuer:
    """Suspend (or restore) trust in an issuer; the verifier then calls it unknown."""
    role_check(by, TRUST_ROLES, action=_("管理信任列表"))
    text = reason_parse(reason, label=_("原因"))
    with transaction.atomic():
        issuer = TrustedIssuer.objects.select_for_update().filter(did=did).first()
        if issuer is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("信任列表中没有 %(did)s。") % {"did": did},
                {"did": did},
            )
        issuer.active = bool(active)
        issuer.updated_at = timezone.now()
        issuer.updated_by = actor_of(by)
        issuer.save(update_fields=["active", "updated_at", "updated_by"])
        event_append(
            event_type=EVENT_TRUST_ACTIVE,
            actor=actor_of(by),
            subject=f"trusted-issuer:{did}",
            payload={"did": did, "active": issuer.active, "reason": text},
        )
    return issuer


# --- Trust bundles (offline verification) ------------------------------------------------------


def trust_bundle() -> dict[str, Any]:
    """Everything an offline verifier needs: our DID document, the trusted issuers, and
    every status list credential we publish (signed)."""
    own = own_issuer()
    own_document = keys.did_document()
    return {
        "format": BUNDLE_FORMAT,
        "created": timezone.now().astimezone().isoformat(timespec="seconds"),
        "issuers": [
            *(
                # before the first key exists we have signed nothing (and a DID document
                # without keys is not a valid bundle entry)
                [
                    {
                        "did": own.did,
                        "name": own.name,
                        "region_code": own.region_code,
                        "kind": own.kind,
                        "did_document": own_document,
                    }
                ]
                if own_document["verificationMethod"]
                else []
            ),
            *(
                {
                    "did": issuer.did,
                    "name": issuer.name,
                    "region_code": issuer.region_code,
                    "kind": issuer.kind,
                    "did_document": issuer.did_document,
                }
                for issuer in TrustedIssuer.objects.filter(active=True)
            ),
        ],
        "status_lists": [
            status_list.published
            for status_list in StatusList.objects.order_by("id")
            if status_list.published is not None
        ],
        # What a verifier without this package needs as well: our JSON-LD vocabulary and
        # the preset dictionary that inflates ``YSVC1:`` QR payloads.
        "contexts": {LICENCE_V1: json.loads(documents.bundled_text(LICENCE_V1))},
        "qr_dictionaries": {QR_PREFIX.rstrip(":"): base64.b64encode(QR_ZDICT_V1).decode("ascii")},
    }


class BundleTrust:
    """Answers from a trust bundle (a file a third party keeps), with no database.

    Status list credentials in the bundle are used only when their own proof verifies
    under a bundled issuer key."""

    def __init__(self, bundle: Mapping[str, Any]) -> None:
        if (
            not isinstance(bundle, Mapping)
            or bundle.get("format") != BUNDLE_FORMAT
            or not isinstance(bundle.get("issuers", []), list)
            or not all(isinstance(raw, dict) for raw in bundle.get("issuers", []))
            or not isinstance(bundle.get("status_lists", []), list)
        ):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("信任包格式不对：应为 %(format)s。") % {"format": BUNDLE_FORMAT},
                {"field": "bundle"},
            )
        self._issuers: dict[str, tuple[IssuerInfo, dict[str, Any]]] = {}
        for raw in bundle.get("issuers", []):
            document = did_document_parse(raw.get("did_document"), did=str(raw.get("did")))
            kind = raw.get("kind") if raw.get("kind") in IssuerKind.values else "market_regulator"
            info = IssuerInfo(
                did=str(raw["did"]),
                name=str(raw.get("name", "")),
                region_code=str(raw.get("region_code", "")),
                region_name=_region_name(str(raw.get("region_code", ""))),
                kind=str(kind),
                kind_label=str(IssuerKind(kind).label),
                own=str(raw["did"]) == keys.issuer_did(),
            )
            self._issuers[info.did] = (info, document)
        self._lists: dict[str, dict[str, Any]] = {
            credential["id"]: credential
            for credential in bundle.get("status_lists", [])
            if isinstance(credential, dict) and isinstance(credential.get("id"), str)
        }
        self._verified: dict[str, ListBits | None] = {}

    @classmethod
    def from_file(cls, path: Path) -> BundleTrust:
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("无法读取信任包 %(path)s：%(error)s") % {"path": path, "error": exc},
                {"field": "bundle"},
            ) from exc

    def issuer(self, did: str) -> IssuerInfo | None:
        found = self._issuers.get(did)
        return found[0] if found else None

    def key(self, verification_method: str) -> KeyLookup:
        found = self._issuers.get(verification_method.partition("#")[0])
        if found is None:
            return KeyLookup(KeyState.UNKNOWN)
        return _document_key(found[1], verification_method)

    def status_lists(self, urls: list[str]) -> dict[str, ListBits]:
        for url in urls:
            if url not in self._verified:
                self._verified[url] = self._list_verified(url)
        return {url: bits for url in urls if (bits := self._verified[url]) is not None}

    def _list_verified(self, url: str) -> ListBits | None:
        credential = self._lists.get(url)
        if credential is None or self.issuer(_issuer_id(credential)) is None:
            return None

        def resolve(method: str) -> PublicKeyTypes:
            lookup = self.key(method)
            if lookup.state != KeyState.VALID or lookup.public_key is None:
                raise DomainError(ErrorCode.INVALID_KEY, _("状态列表的签名密钥不可信。"))
            return lookup.public_key

        if not proof_verify(document=credential, public_key_resolver=resolve).verified:
            return None
        subject = credential.get("credentialSubject")
        if not isinstance(subject, dict) or not isinstance(subject.get("statusPurpose"), str):
            return None
        try:
            bits = StatusBitstring.decode(subject.get("encodedList"))  # type: ignore[arg-type]
        except DomainError:
            return None
        return ListBits(purpose=subject["statusPurpose"], bits=bits)


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""
