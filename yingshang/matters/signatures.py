"""Signatures (签名确认): a signer confirms with a fresh login, and the platform records a
signature over the exact digest they saw.

A :class:`~yingshang.matters.models.Signature` holds the facts (who, their name, for what
purpose, over which subject and SHA-256 digest, when, how they re-authenticated), the
*statement* (the canonical JSON of exactly those facts, see :func:`statement_text`) and
the platform's Ed25519 signature over the statement's UTF-8 bytes, made with the ledger's
active key: anyone can check it against the public key that ``/api/v1/ledger/keys`` lists
under ``key_id``. The ledger event ``matters.signature.recorded`` carries the statement's
SHA-256 and the signature, so a signature cannot later be removed or rewritten unnoticed.

The statement (keys sorted, no whitespace, UTF-8)::

    {"auth":"password","digest":"<64 hex>","purpose":"application",
     "signed_at":"2025-03-01T02:03:04.123456Z","signer":"user:12","signer_name":"张三",
     "subject":"application:BJ20250301ABCDEF12","type":"yingshang.signature/1"}

For applications, :func:`application_sign` recomputes the application's digest at the
moment of signing and refuses (STALE_VERSION) if it is not what the signer saw; submitting
a matter whose guide says ``signature_required`` needs the applicant's valid signature over
the digest being submitted (:func:`submission_signature_check`), or, for a member of a
一件事 bundle, the applicant's signature over the bundle's digest, which covers every
member's digest.
"""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of
from yingshang.accounts.services import reauthenticate
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger.encoding import canonical_json, sha256_hex, utc_time
from yingshang.ledger.models import SigningKey
from yingshang.ledger.services import event_append, statement_sign

from .models import Application, Bundle, Channel, Signature, State

EVENT_RECORDED = "matters.signature.recorded"
STATEMENT_TYPE = "yingshang.signature/1"

PURPOSE_APPLICATION = "application"  # the applicant signs their application
PURPOSE_COUNTER_OFFICER = "counter-officer"  # the counter officer who took it in co-signs
PURPOSE_BUNDLE = "bundle"  # the applicant signs a 一件事 bundle (all its members)

SIGNABLE_STATES = frozenset({State.DRAFT, State.CORRECTIONS})
_COUNTER_ROLES = frozenset({Role.REGISTRATION_OFFICER, Role.LICENSING_OFFICER, Role.LEADER})

_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
_PURPOSE_RE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_PURPOSE_MAX = 32
_SUBJECT_MAX = 200
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field})


def digest_parse(value: object, *, field: str = "digest") -> str:
    """A SHA-256 digest as 64 lowercase hex digits; INVALID_INPUT otherwise."""
    if not isinstance(value, str) or not _DIGEST_RE.fullmatch(value):
        raise _invalid(_("摘要应为 64 位小写十六进制数字（SHA-256）。"), field)
    return value


def _purpose_parse(value: object) -> str:
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= _PURPOSE_MAX
        or not _PURPOSE_RE.fullmatch(value)
    ):
        raise _invalid(
            _("签名用途应为 1-%(max)d 个小写字母、数字或连字符。") % {"max": _PURPOSE_MAX},
            "purpose",
        )
    return value


def _subject_parse(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or value != value.strip()
        or len(value) > _SUBJECT_MAX
        or _CONTROL_RE.search(value)
    ):
        raise _invalid(
            _("签名对象不能为空，不超过 %(max)d 个字符，且不含控制字符。") % {"max": _SUBJECT_MAX},
            "subject",
        )
    return value


def statement_text(signature: Signature) -> str:
    """The canonical JSON statement of a signature's facts (what the platform signs)."""
    return canonical_json(
        {
            "auth": signature.auth_method,
            "digest": signature.digest,
            "purpose": signature.purpose,
            "signed_at": utc_time(signature.signed_at),
            "signer": f"user:{signature.signer_id}",
            "signer_name": signature.signer_name,
            "subject": signature.subject,
            "type": STATEMENT_TYPE,
        }
    )


def _store(
    *,
    signer: User,
    method: str,
    purpose: str,
    subject: str,
    digest: str,
    application: Application | None,
    bundle: Bundle | None,
) -> Signature:
    """Write the signature and its ledger event (in the caller's transaction)."""
    now = timezone.now()
    signature = Signature(
        signer=signer,
        signer_name=(signer.display_name or signer.get_full_name() or signer.username)[:150],
        purpose=purpose,
        subject=subject,
        digest=digest,
        signed_at=now,
        auth_method=method,
        application=application,
        bundle=bundle,
    )
    signature.statement = statement_text(signature)
    key_id, raw = statement_sign(signature.statement.encode("utf-8"))
    signature.key_id = key_id
    signature.platform_signature = base64.b64encode(raw).decode("ascii")
    signature.save()
    event_append(
        event_type=EVENT_RECORDED,
        actor=actor_of(signer),
        subject=subject,
        payload={
            "purpose": purpose,
            "digest": digest,
            "auth": method,
            "statement_sha256": sha256_hex(signature.statement),
            "key_id": key_id,
            "signature": signature.platform_signature,
        },
    )
    return signature


def signature_record(
    *,
    signer: User,
    password: str,
    otp_token: str = "",
    purpose: str,
    subject: str,
    digest: str,
    application: Application | None = None,
    request: HttpRequest | None = None,
) -> Signature:
    """Re-authenticate ``signer`` now and record their signature over ``digest``.

    ``purpose`` is a short code (``application``, ``name-commitment`` ...), ``subject``
    what is signed (``application:BJ…``), ``digest`` the SHA-256 (64 lowercase hex) of
    exactly what the signer saw. A wrong password or TOTP code raises AUTH_FAILED (and
    counts toward the account's lockout: RATE_LIMITED once locked).
    """
    purpose = _purpose_parse(purpose)
    subject = _subject_parse(subject)
    digest = digest_parse(digest)
    method = reauthenticate(user=signer, password=password, otp_token=otp_token, request=request)
    with transaction.atomic():
        return _store(
            signer=signer,
            method=method,
            purpose=purpose,
            subject=subject,
            digest=digest,
            application=application,
            bundle=None,
        )


def signature_verify(signature: Signature) -> bool:
    """Whether the stored statement is exactly the signature's facts and the platform's
    Ed25519 signature over it verifies with key ``key_id`` (not revoked before signing)."""
    try:
        if signature.statement != statement_text(signature):
            return False
        key = SigningKey.objects.filter(key_id=signature.key_id).first()
        if key is None:
            return False
        if key.revoked_at is not None and key.revoked_at <= signature.signed_at:
            return False
        raw = base64.b64decode(signature.platform_signature, validate=True)
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(
            raw, signature.statement.encode("utf-8")
        )
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


# --- Applications ------------------------------------------------------------------------------


def _application_get(number: str, *, lock: bool) -> Application:
    rows = Application.objects.select_for_update() if lock else Application.objects
    application = rows.filter(number=number).first()
    if application is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有编号为 %(number)s 的办件。") % {"number": number},
            {"number": number},
        )
    return application


def _application_purpose(by: User, application: Application) -> str:
    """What ``by`` may sign on this application: the applicant signs it; the counter officer
    who filed a counter application may co-sign (which never replaces the applicant's)."""
    if by.pk == application.applicant_id:
        return PURPOSE_APPLICATION
    if (
        application.channel == Channel.COUNTER
        and by.is_official
        and Role(by.role) in _COUNTER_ROLES
    ):
        return PURPOSE_COUNTER_OFFICER
    raise DomainError(
        ErrorCode.PERMISSION_DENIED,
        _("只有申请人本人可以签名确认该办件。"),
        {"action": "sign"},
    )


def application_sign(
    *,
    by: User,
    number: str,
    password: str,
    otp_token: str = "",
    expected_digest: str,
    request: HttpRequest | None = None,
) -> Signature:
    """The applicant signs application ``number`` over the digest they saw.

    The digest is recomputed now (:func:`~yingshang.matters.services.application_digest`);
    if the application changed since (``expected_digest`` differs) the signature is
    refused with STALE_VERSION: the signer must sign exactly what they saw. Only a draft or
    an application awaiting corrections can be signed.
    """
    from .services import application_digest  # services imports this module

    expected = digest_parse(expected_digest, field="expected_digest")
    if not isinstance(by, User) or not by.is_active:
        raise DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。"))
    purpose = _application_purpose(by, _application_get(number, lock=False))
    method = reauthenticate(user=by, password=password, otp_token=otp_token, request=request)
    with transaction.atomic():
        application = _application_get(number, lock=True)
        purpose = _application_purpose(by, application)
        if State(application.state) not in SIGNABLE_STATES:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("办件当前状态为“%(state)s”，无需也不能再签名。")
                % {"state": State(application.state).label},
                {"state": application.state},
            )
        digest = application_digest(application)
        if digest != expected:
            raise DomainError(
                ErrorCode.STALE_VERSION,
                _("办件内容在您查看后已有变化，请刷新页面核对后重新签名。"),
                {"digest": digest},
            )
        return _store(
            signer=by,
            method=method,
            purpose=purpose,
            subject=f"application:{application.number}",
            digest=digest,
            application=application,
            bundle=None,
        )


def submission_signature_check(application: Application, digest: str) -> None:
    """SIGNATURE_REQUIRED unless the applicant validly signed ``digest`` (the application's
    digest being submitted), directly or through its bundle's signature.

    Called by the submission (in its transaction) for matters whose guide requires signing.
    """
    from .bundles import bundle_digest  # bundles imports the services, which import this

    own = Signature.objects.filter(
        application=application,
        signer_id=application.applicant_id,
        purpose=PURPOSE_APPLICATION,
        digest=digest,
    ).order_by("-signed_at", "-id")
    if any(signature_verify(signature) for signature in own[:3]):
        return
    if application.bundle_id is not None:
        bundle = Bundle.objects.get(pk=application.bundle_id)
        covering = Signature.objects.filter(
            bundle=bundle,
            signer_id=bundle.applicant_id,
            purpose=PURPOSE_BUNDLE,
            digest=bundle_digest(bundle),
        ).order_by("-signed_at", "-id")
        if any(signature_verify(signature) for signature in covering[:3]):
            return
    raise DomainError(
        ErrorCode.SIGNATURE_REQUIRED,
        _(
            "本事项提交前须由申请人再次验证身份并签名确认当前申请内容（签名后内容如有修改须重新签名）。"
        ),
        {"digest": digest},
    )


def bundle_signature_store(*, by: User, method: str, bundle: Bundle, digest: str) -> Signature:
    """For :mod:`yingshang.matters.bundles`: record the applicant's bundle signature (in the
    caller's transaction, after :func:`reauthenticate`)."""
    return _store(
        signer=by,
        method=method,
        purpose=PURPOSE_BUNDLE,
        subject=f"bundle:{bundle.number}",
        digest=digest,
        application=None,
        bundle=bundle,
    )
