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
from yingshang.accounts.models import User
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.schemas import ErrorOut

from . import services
from .catalogue import matters_load
from .models import Application

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
        "digest": application.digest,
        "deadline": application.deadline.isoformat() if application.deadline else None,
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


def _visible(user: User, number: str) -> Application:
    application = Application.objects.filter(number=number).first()
    if application is None or not (user.is_official or application.applicant_id == user.pk):
        raise DomainError(
            ErrorCode.NOT_FOUND, _("没有编号为 %(number)s 的办件。") % {"number": number}
        )
    return application


@router.post(
    "/applications",
    auth=user_session,
    response={201: ApplicationOut, **_ERRORS},
    summary="Start an application (a draft); officials at the counter name the applicant",
)
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status:
    by = request_user(request)
    applicant = None
    if payload.applicant is not None:
        applicant = User.objects.filter(username=payload.applicant).first()
        if applicant is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("没有用户名为 %(name)s 的申请人。") % {"name": payload.applicant},
                {"field": "applicant"},
            )
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
    return application_out(_visible(request_user(request), number))


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
    response={200: ApplicationOut, **_ERRORS},
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
