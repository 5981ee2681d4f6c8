"""The matters API: the service guides (public) and applications (signed-in users).

Every lifecycle step the services offer is one endpoint; roles, states and versions are
checked by :mod:`yingshang.matters.services`, so the API, the pages and the counter share
one set of rules.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from yingshang.accounts.api_auth import request_user, user_session
from yingshang.accounts.selectors import applicant_find
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.schemas import ErrorOut

from . import bundles, selectors, services, signatures
from .catalogue import matters_load
from .models import Application, Bundle, Signature, State

router = Router(tags=["matters"])

_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class MatterSummary(Schema):
    code: str
    name: str
    type: str
    department: str
    promised_days: int
    statutory_days: int | None


@router.get("/matters", response=list[MatterSummary], summary="The catalogue of service matters")
def matters(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": matter.code,
            "name": matter.name,
            "type": matter.type.value,
            "department": matter.department,
            "promised_days": matter.promised_days,
            "statutory_days": matter.statutory_days,
        }
        for matter in matters_load().matters
    ]


@router.get(
    "/matters/{code}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="One matter's complete service guide (办事指南)",
)
def matter_guide(request: HttpRequest, code: str) -> dict[str, Any]:
    return dataclasses.asdict(matters_load().matter(code))


class ApplicationIn(Schema):
    matter: str
    situation: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    credit_code: str = ""
    applicant: str | None = Field(
        default=None, description="Counter channel: the applicant's username"
    )


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    reason: str
    at: str


class MaterialOut(Schema):
    material_code: str
    filename: str
    content_type: str
    size: int
    sha256: str


class ApplicationOut(Schema):
    number: str
    matter_code: str
    situation_code: str
    channel: str
    state: str
    version: int
    digest: str
    deadline: str | None
    deadline_estimated: bool = Field(
        description="counted Monday to Friday: the year's holidays are not yet in the calendar"
    )
    data: dict[str, Any]
    materials: list[MaterialOut]
    transitions: list[TransitionOut]


def application_out(application: Application) -> dict[str, Any]:
    return {
        "number": application.number,
        "matter_code": application.matter_code,
        "situation_code": application.situation_code,
        "channel": application.channel,
        "state": application.state,
        "version": application.version,
        # Before (re)submission, what the applicant would sign now; after, what was submitted.
        "digest": services.application_digest(application)
        if application.state in (State.DRAFT, State.CORRECTIONS)
        else application.digest,
        "deadline": application.deadline.isoformat() if application.deadline else None,
        "deadline_estimated": application.deadline_estimated,
        "data": application.data,
        "materials": list(application.materials.all()),
        "transitions": [
            {
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "reason": t.reason,
                "at": t.at.isoformat(),
            }
            for t in application.transitions.all()
        ],
    }


@router.post(
    "/applications",
    auth=user_session,
    response={201: ApplicationOut, **_ERRORS},
    summary="Start an application (a draft); officials at the counter name the applicant",
)
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status:
    by = request_user(request)
    applicant = applicant_find(payload.applicant) if payload.applicant is not None else None
    application = services.application_create(
        by=by,
        matter_code=payload.matter,
        situation_code=payload.situation,
        data=payload.data,
        credit_code=payload.credit_code,
        applicant=applicant,
    )
    return Status(201, application_out(application))


@router.get(
    "/applications/{number}",
    auth=user_session,
    response={200: ApplicationOut, **_ERRORS},
    summary="An application, its materials and its history",
)
def application_get(request: HttpRequest, number: str) -> dict[str, Any]:
    return application_out(selectors.application_visible(user=request_user(request), number=number))


@router.post(
    "/applications/{number}/materials",
    auth=user_session,
    response={201: MaterialOut, **_ERRORS},
    summary="Upload a material (PDF, OFD, PNG or JPEG; at most 10 MB)",
)
def material_upload(
    request: HttpRequest,
    number: str,
    material_code: Form[str],
    file: File[UploadedFile],
) -> Status:
    if file.size is not None and file.size > services.MATERIAL_MAX_BYTES:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("文件过大：单个材料不得超过 %(max)d MB。")
            % {"max": services.MATERIAL_MAX_BYTES // (1024 * 1024)},
            {"field": "file"},
        )
    material = services.material_add(
        by=request_user(request),
        number=number,
        material_code=material_code,
        filename=file.name or "",
        content=file.read(),
    )
    return Status(201, material)


class ActionIn(Schema):
    reason: str = ""
    expected_version: int | None = None
    idempotency_key: str | None = Field(
        default=None, description="Required for submit: repeat it when retrying"
    )


@router.post(
    "/applications/{number}/actions/{action}",
    auth=user_session,
    response={200: ApplicationOut, **_ERRORS, 422: ErrorOut},
    summary=(
        "Move an application one step: submit, withdraw, accept, refuse, review, "
        "request_corrections, resubmit, approve, reject, complete"
    ),
)
def application_action(
    request: HttpRequest, number: str, action: str, payload: ActionIn
) -> dict[str, Any]:
    try:
        step = services.Action(action)
    except ValueError as exc:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("不支持的操作：%(action)s。") % {"action": action},
            {"field": "action"},
        ) from exc
    application = services.application_act(
        by=request_user(request),
        number=number,
        action=step,
        reason=payload.reason,
        expected_version=payload.expected_version,
        idempotency_key=payload.idempotency_key,
    )
    return application_out(application)


# --- Signatures, the queue, 一件事 bundles ------------------------------------------------------

_SIGN_ERRORS = {**_ERRORS, 422: ErrorOut, 429: ErrorOut}


class ApplicationSummary(Schema):
    number: str
    matter_code: str
    channel: str
    state: str
    version: int
    deadline: str | None
    bundle: str | None = Field(description="The 一件事 bundle's number, if any")


@router.get(
    "/applications",
    auth=user_session,
    response={200: list[ApplicationSummary], **_ERRORS},
    summary=(
        "My applications; for officials, the open applications of their department's "
        "matters (leaders: all), by deadline"
    ),
)
def application_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = selectors.applications_visible(request_user(request)).select_related("bundle")
    return [
        {
            "number": a.number,
            "matter_code": a.matter_code,
            "channel": a.channel,
            "state": a.state,
            "version": a.version,
            "deadline": a.deadline.isoformat() if a.deadline else None,
            "bundle": a.bundle.number if a.bundle else None,
        }
        for a in rows[:200]
    ]


class SignIn(Schema):
    password: str = Field(description="The signer's login password (a fresh login)")
    otp_token: str = Field(default="", description="Officials: the current TOTP code")
    digest: str = Field(description="The SHA-256 (64 lowercase hex) the signer saw and signs")


class SignatureOut(Schema):
    id: int
    signer_name: str
    purpose: str
    subject: str
    digest: str
    signed_at: str
    auth_method: str
    statement: str = Field(description="The canonical JSON statement the platform signed")
    key_id: str = Field(description="The ledger key that signed it, see /api/v1/ledger/keys")
    platform_signature: str = Field(description="Ed25519 over the statement's UTF-8, base64")
    verified: bool


def signature_out(signature: Signature) -> dict[str, Any]:
    return {
        "id": signature.pk,
        "signer_name": signature.signer_name,
        "purpose": signature.purpose,
        "subject": signature.subject,
        "digest": signature.digest,
        "signed_at": signature.signed_at.isoformat(),
        "auth_method": signature.auth_method,
        "statement": signature.statement,
        "key_id": signature.key_id,
        "platform_signature": signature.platform_signature,
        "verified": signatures.signature_verify(signature),
    }


@router.post(
    "/applications/{number}/signatures",
    auth=user_session,
    response={201: SignatureOut, **_SIGN_ERRORS},
    summary=(
        "Sign an application (签名确认): re-authenticate and sign the digest you saw "
        "(STALE_VERSION if it changed)"
    ),
)
def application_signature_create(request: HttpRequest, number: str, payload: SignIn) -> Status:
    signature = signatures.application_sign(
        by=request_user(request),
        number=number,
        password=payload.password,
        otp_token=payload.otp_token,
        expected_digest=payload.digest,
        request=request,
    )
    return Status(201, signature_out(signature))


@router.get(
    "/applications/{number}/signatures",
    auth=user_session,
    response={200: list[SignatureOut], **_ERRORS},
    summary="An application's signatures, each with whether it verifies",
)
def application_signature_list(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    application = selectors.application_visible(user=request_user(request), number=number)
    return [signature_out(s) for s in application.signatures.order_by("signed_at", "id")]


class BundleIn(Schema):
    bundle_code: str = Field(description="The catalogue's bundle, e.g. enterprise-opening")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description='The one form; per-matter sections under "parts": {<matter code>: {...}}',
    )
    situations: dict[str, str] = Field(
        default_factory=dict, description="A member matter's situation, by matter code"
    )
    applicant: str | None = Field(
        default=None, description="Counter channel: the applicant's username"
    )


class BundleMemberOut(Schema):
    number: str
    matter_code: str
    matter_name: str
    department: str
    department_name: str
    state: str
    lead: bool


class BundleOut(Schema):
    number: str
    bundle_code: str
    name: str
    channel: str
    state: str = Field(description="draft, in_progress, completed or closed")
    digest: str = Field(description="What the applicant signs: the bundle's SHA-256 now")
    members: list[BundleMemberOut]


class BundleSubmitIn(Schema):
    idempotency_key: str = Field(description="Repeat it when retrying the submission")


def bundle_out(bundle: Bundle) -> dict[str, Any]:
    status = bundles.bundle_status(bundle)
    return {
        "number": bundle.number,
        "bundle_code": bundle.bundle_code,
        "name": status.name,
        "channel": bundle.channel,
        "state": status.state,
        "digest": bundles.bundle_digest(bundle) if status.state == "draft" else bundle.digest,
        "members": [dataclasses.asdict(m) for m in status.members],
    }


@router.post(
    "/bundles",
    auth=user_session,
    response={201: BundleOut, **_ERRORS},
    summary="Start a 一件事 bundle: one draft application per member matter, from one form",
)
def bundle_create(request: HttpRequest, payload: BundleIn) -> Status:
    bundle = bundles.bundle_create(
        by=request_user(request),
        bundle_code=payload.bundle_code,
        data=payload.data,
        applicant=applicant_find(payload.applicant) if payload.applicant is not None else None,
        situations=payload.situations,
    )
    return Status(201, bundle_out(bundle))


@router.get(
    "/bundles/{number}",
    auth=user_session,
    response={200: BundleOut, **_ERRORS},
    summary="A bundle and the state of each member (each department's part)",
)
def bundle_get(request: HttpRequest, number: str) -> dict[str, Any]:
    return bundle_out(bundles.bundle_get(by=request_user(request), number=number))


@router.post(
    "/bundles/{number}/signatures",
    auth=user_session,
    response={201: SignatureOut, **_SIGN_ERRORS},
    summary="Sign a bundle once over its digest (covers every member)",
)
def bundle_signature_create(request: HttpRequest, number: str, payload: SignIn) -> Status:
    signature = bundles.bundle_sign(
        by=request_user(request),
        number=number,
        password=payload.password,
        otp_token=payload.otp_token,
        expected_digest=payload.digest,
        request=request,
    )
    return Status(201, signature_out(signature))


@router.post(
    "/bundles/{number}/submit",
    auth=user_session,
    response={200: BundleOut, **_SIGN_ERRORS},
    summary="Submit every member in one transaction (idempotent with the key)",
)
def bundle_submit(request: HttpRequest, number: str, payload: BundleSubmitIn) -> dict[str, Any]:
    bundle = bundles.bundle_submit(
        by=request_user(request), number=number, idempotency_key=payload.idempotency_key
    )
    return bundle_out(bundle)
