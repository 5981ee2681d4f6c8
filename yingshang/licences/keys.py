"""The issuer's keys (签发密钥) and its DID document.

The platform signs as ``settings.LICENCE_ISSUER_DID`` (a ``did:web``). Each key is a
verification method ``<did>#<key_id>`` in the DID document this module builds, which the
API serves at ``/.well-known/did.json`` and ``/api/v1/issuer/did.json`` and which
``yingshang licences trust-bundle`` writes for offline verifiers.

* One active Ed25519 key signs credentials; :func:`issuer_key_rotate` retires it and makes a
  new one. Retired keys stay in the document (``assertionMethod``), so everything they
  signed keeps verifying.
* :func:`issuer_key_revoke` marks a compromised key: it leaves ``assertionMethod`` and
  carries ``revoked`` (the time) in the document, and the verifier rejects whatever it
  signed with its own reason (``KEY_REVOKED``). Licences signed with it must be re-issued.
* One active SM2 key adds the national-cryptography signature (:mod:`.sm2sig`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core import keyfiles
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.reasons import reason_parse
from yingshang.core.sm2 import (
    sm2_keypair,
    sm2_private_key_from_pem,
    sm2_private_key_to_pem,
    sm2_public_key,
)
from yingshang.ledger.services import event_append
from yingshang.licences.documents import MULTIKEY_V1
from yingshang.licences.multibase import multibase_encode, multikey_encode_ed25519_public

from .models import IssuerKey, KeyAlgorithm

DID_V1 = "https://www.w3.org/ns/did/v1"
SM2_PUB_HEADER = bytes([0x86, 0x24])  # multicodec sm2-pub (0x1206) as a varint

EVENT_KEY_CREATED = "licences.key.created"
EVENT_KEY_ROTATED = "licences.key.rotated"
EVENT_KEY_REVOKED = "licences.key.revoked"


def issuer_did() -> str:
    return str(settings.LICENCE_ISSUER_DID)


def verification_method_id(key: IssuerKey) -> str:
    return f"{issuer_did()}#{key.key_id}"


def _key_id(algorithm: str, public: bytes) -> str:
    return f"{algorithm}-{hashlib.sha256(public).hexdigest()[:12]}"


def public_multikey(key: IssuerKey) -> str:
    public = bytes(key.public_key)
    if key.algorithm == KeyAlgorithm.ED25519:
        return multikey_encode_ed25519_public(Ed25519PublicKey.from_public_bytes(public))
    return multibase_encode(SM2_PUB_HEADER + public)


def _remedy() -> str:
    return _("运行“yingshang licences rotate-key”换用新密钥")


def _key_create(algorithm: KeyAlgorithm, now: dt.datetime) -> IssuerKey:
    pem: bytes
    if algorithm == KeyAlgorithm.ED25519:
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    else:
        sm2_private, public = sm2_keypair()
        pem = sm2_private_key_to_pem(sm2_private).encode("ascii")
    key_id = _key_id(algorithm.value, public)
    keyfiles.private_pem_write(settings.LICENCE_KEY_DIR, key_id, pem)
    return IssuerKey.objects.create(
        key_id=key_id, algorithm=algorithm, public_key=public, created_at=now
    )


def _mismatch(key_id: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_STATE,
        _("签发密钥 %(key_id)s 的私钥文件与登记的公钥不符。") % {"key_id": key_id},
        {"key_id": key_id},
    )


def _file_version(key: IssuerKey) -> tuple[str, int, int]:
    """The key file's path, modification time and size (INVALID_STATE if it is gone)."""
    path = keyfiles.key_path(settings.LICENCE_KEY_DIR, key.key_id)
    try:
        stat = path.stat()
    except OSError as exc:
        raise keyfiles.key_file_unusable(key.key_id, remedy=_remedy()) from exc
    return str(path), stat.st_mtime_ns, stat.st_size


# Loading a key parses PEM and (for SM2) recomputes the public point to check it: done once
# per process for each file version, not for every licence.
@functools.lru_cache(maxsize=32)
def _load_ed25519(
    path: str, _mtime: int, _size: int, key_id: str, public: bytes
) -> Ed25519PrivateKey:
    pem = keyfiles.private_pem_read(Path(path).parent, key_id, remedy=_remedy())
    try:
        private = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise keyfiles.key_file_unusable(key_id, remedy=_remedy()) from exc
    if (
        not isinstance(private, Ed25519PrivateKey)
        or private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) != public
    ):
        raise _mismatch(key_id)
    return private


@functools.lru_cache(maxsize=32)
def _load_sm2(path: str, _mtime: int, _size: int, key_id: str, public: bytes) -> int:
    pem = keyfiles.private_pem_read(Path(path).parent, key_id, remedy=_remedy())
    try:
        private = sm2_private_key_from_pem(pem)
    except DomainError as exc:
        raise keyfiles.key_file_unusable(key_id, remedy=_remedy()) from exc
    if sm2_public_key(private) != public:
        raise _mismatch(key_id)
    return private


def ed25519_private_key(key: IssuerKey) -> Ed25519PrivateKey:
    """The private half of an Ed25519 ``key`` from its PEM file, checked against the public."""
    return _load_ed25519(*_file_version(key), key.key_id, bytes(key.public_key))


def sm2_private_key(key: IssuerKey) -> int:
    """The private half of an SM2 ``key`` from its PEM file, checked against the public."""
    return _load_sm2(*_file_version(key), key.key_id, bytes(key.public_key))


def _active(algorithm: KeyAlgorithm) -> IssuerKey | None:
    return (
        IssuerKey.objects.filter(
            algorithm=algorithm, retired_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
    )


def signing_key(algorithm: KeyAlgorithm, *, actor: str) -> IssuerKey:
    """The active key for ``algorithm``; the first use creates it (with its ledger event).

    Call inside the caller's transaction."""
    key = _active(algorithm)
    if key is None:
        key = _key_create(algorithm, timezone.now())
        _key_event(EVENT_KEY_CREATED, key, actor=actor)
    return key


def _key_event(event_type: str, key: IssuerKey, *, actor: str, **details: Any) -> None:
    event_append(
        event_type=event_type,
        actor=actor,
        subject=f"issuer-key:{key.key_id}",
        payload={
            "issuer": issuer_did(),
            "key_id": key.key_id,
            "algorithm": key.algorithm,
            "public_key_multibase": public_multikey(key),
            **details,
        },
    )


def issuer_key_rotate(*, actor: str, algorithm: KeyAlgorithm = KeyAlgorithm.ED25519) -> IssuerKey:
    """Retire the active key of ``algorithm`` (it keeps verifying) and start a new one."""
    now = timezone.now()
    with transaction.atomic():
        retired = _active(algorithm)
        if retired is not None:
            retired.retired_at = now
            retired.save(update_fields=["retired_at"])
        key = _key_create(algorithm, now)
        _key_event(EVENT_KEY_ROTATED, key, actor=actor, retired=retired.key_id if retired else None)
    return key


def issuer_key_revoke(*, actor: str, key_id: str, reason: str) -> IssuerKey:
    """Revoke a compromised key: nothing it signed verifies any more."""
    reason = reason_parse(reason, label=_("吊销原因"))
    now = timezone.now()
    with transaction.atomic():
        key = IssuerKey.objects.select_for_update().filter(key_id=key_id).first()
        if key is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("没有标识为 %(key_id)s 的签发密钥。") % {"key_id": key_id},
                {"key_id": key_id},
            )
        if key.revoked_at is not None:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("签发密钥 %(key_id)s 已于 %(when)s 吊销。")
                % {"key_id": key_id, "when": key.revoked_at.isoformat()},
                {"key_id": key_id},
            )
        key.revoked_at = now
        key.revoked_reason = reason
        key.retired_at = key.retired_at or now
        key.save(update_fields=["revoked_at", "revoked_reason", "retired_at"])
        _key_event(EVENT_KEY_REVOKED, key, actor=actor, reason=reason)
        if key.algorithm == KeyAlgorithm.ED25519:
            # services imports this module: import here. The published status lists this
            # key signed are re-signed with the active key in the same transaction.
            from yingshang.licences.services import status_lists_resign

            status_lists_resign(revoked=key, actor=actor)
    return key


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verification_method(key: IssuerKey, *, with_context: bool = False) -> dict[str, Any]:
    """The key as a Multikey verification method (``revoked`` set once it is revoked)."""
    method: dict[str, Any] = {}
    if with_context:
        method["@context"] = MULTIKEY_V1
    method.update(
        {
            "id": verification_method_id(key),
            "type": "Multikey",
            "controller": issuer_did(),
            "publicKeyMultibase": public_multikey(key),
        }
    )
    if key.revoked_at is not None:
        method["revoked"] = _timestamp(key.revoked_at)
    return method


def did_document() -> dict[str, Any]:
    """The issuer's DID document: every key ever used; revoked ones marked and unlisted
    from ``assertionMethod``."""
    keys = list(IssuerKey.objects.order_by("created_at", "id"))
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": issuer_did(),
        "verificationMethod": [verification_method(key) for key in keys],
        "assertionMethod": [verification_method_id(key) for key in keys if key.revoked_at is None],
    }
