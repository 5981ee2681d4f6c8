"""The registration API: start and save registration applications, their check results,
investors' commitments, the deregistration notices and objections (public), the registrar's
decisions, restrictions, and the notices other departments pull.

Submission, signatures, materials and the officers' lifecycle steps are the matters API's
(``/api/v1/applications/{number}/...``): the registration checks and effects run inside
them, whichever channel calls.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yingshang.accounts.api_auth import official_session, request_user, user_session
from yingshang.accounts.models import User
from yingshang.accounts.selectors import applicant_find
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.schemas import ErrorOut
from yingshang.matters.api import ApplicationOut, application_out
from yingshang.matters.models import Application
from yingshang.matters.selectors import application_visible
from yingshang.matters.services import application_data_save
from yingshang.registry import restrictions

from . import selectors, services
from .models import Deregistration, Objection, OutboundNotice, RegistrationCase

router = Router(tags=["registration"])

_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    410: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
_KINDS = {
    "establishment": services.MATTER_ESTABLISH,
    "change": services.MATTER_CHANGE,
    "deregistration": services.MATTER_DEREGISTER,
}


def _own(user: User, number: str) -> Application:
    return application_visible(user=user, number=number, matter_codes=_KINDS.values())


class StartIn(Schema):
    kind: str = Field(description="establishment, change or deregistration")
    situation: str = Field(
        default="", description="establishment: llc, sole-proprietorship, partnership"
    )
    credit_code: str = Field(default="", description="change and deregistration: the entity")
    data: dict[str, Any] = Field(default_factory=dict, description="the form (may be partial)")
    applicant: str | None = Field(
        default=None, description="Counter channel: the applicant's username"
    )


@router.post(
    "/registration/applications",
    auth=user_session,
    response={201: ApplicationOut, **_ERRORS},
    summary="Start a registration application (a draft of the wizard)",
)
def start(request: HttpRequest, payload: StartIn) -> Status:
    matter = _KINDS.get(payload.kind)
    if matter is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("登记类型应为 establishment（设立）、change（变更）或 deregistration（简易注销）。"),
            {"field": "kind"},
        )
    application = services.registration_start(
        by=request_user(request),
        matter_code=matter,
        situation_code=payload.situation,
        credit_code=payload.credit_code,
        data=payload.data,
        applicant=applicant_find(payload.applicant) if payload.applicant is not None else None,
    )
    return Status(201, application_out(application))


class DataIn(Schema):
    data: dict[str, Any]
    expected_version: int | None = None


@router.put(
    "/registration/applications/{number}/data",
    auth=user_session,
    response={200: ApplicationOut, **_ERRORS},
    summary="Save the wizard's form on a draft (save and resume)",
)
def save(request: HttpRequest, number: str, payload: DataIn) -> dict[str, Any]:
    user = request_user(request)
    _own(user, number)
    application = application_data_save(
        by=user, number=number, data=payload.data, expected_version=payload.expected_version
    )
    return application_out(application)


class FindingOut(Schema):
    code: str
    severity: str = Field(description="warning: an officer reviews; info: shown only")
    field: str
    message: str


class CaseOut(Schema):
    number: str
    state: str
    kind: str | None
    automatic: bool
    credit_code: str
    findings: list[FindingOut]
    commitments_missing: list[str]


@router.get(
    "/registration/applications/{number}/checks",
    auth=user_session,
    response={200: CaseOut, **_ERRORS},
    summary="The automatic checks' result (after submission) and what is still missing",
)
def checks(request: HttpRequest, number: str) -> dict[str, Any]:
    application = _own(request_user(request), number)
    case = RegistrationCase.objects.filter(application=application).first()
    missing = (
        services.commitments_missing(application)
        if application.matter_code == services.MATTER_DEREGISTER
        else []
    )
    return {
        "number": application.number,
        "state": application.state,
        "kind": case.kind if case else None,
        "automatic": case.automatic if case else False,
        "credit_code": application.credit_code,
        "findings": case.findings if case else [],
        "commitments_missing": missing,
    }


class SignIn(Schema):
    password: str
    otp_token: str = ""


class CommitmentOut(Schema):
    investor_name: str
    signed_at: str
    signature: int


@router.post(
    "/registration/applications/{number}/commitments",
    auth=user_session,
    response={201: CommitmentOut, **_ERRORS},
    summary="An investor signs the debts-settled commitment (fresh login: password)",
)
def commitment(request: HttpRequest, number: str, payload: SignIn) -> Status:
    made = services.commitment_sign(
        by=request_user(request),
        number=number,
        password=payload.password,
        otp_token=payload.otp_token,
    )
    return Status(
        201,
        {
            "investor_name": made.investor_name,
            "signed_at": made.signed_at.isoformat(),
            "signature": made.signature_id,
        },
    )


class NoticeOut(Schema):
    number: str
    entity_name: str
    credit_code: str
    registration_authority: str
    state: str
    notice_starts_on: str | None
    notice_ends_on: str | None
    objections: int


def _notice_out(deregistration: Deregistration) -> dict[str, Any]:
    return {
        "number": deregistration.number,
        "entity_name": deregistration.entity_name,
        "credit_code": deregistration.credit_code,
        "registration_authority": deregistration.registration_authority,
        "state": deregistration.state,
        "notice_starts_on": deregistration.notice_starts_on.isoformat()
        if deregistration.notice_starts_on
        else None,
        "notice_ends_on": deregistration.notice_ends_on.isoformat()
        if deregistration.notice_ends_on
        else None,
        "objections": deregistration.objections.count(),
    }


class NoticeQuery(Schema):
    q: str = Field(default="", description="part of the name or the credit code")
    page: int = Field(default=1, ge=1, le=10_000)


@router.get(
    "/registration/deregistrations",
    response={200: list[NoticeOut], **_ERRORS},
    summary="Public: the simplified deregistration notices now running (简易注销公告)",
)
def notices(request: HttpRequest, query: Query[NoticeQuery]) -> list[dict[str, Any]]:
    return [_notice_out(d) for d in selectors.notices_current(q=query.q, page=query.page)]


@router.get(
    "/registration/deregistrations/{number}",
    response={200: NoticeOut, **_ERRORS},
    summary="Public: one deregistration notice",
)
def notice(request: HttpRequest, number: str) -> dict[str, Any]:
    return _notice_out(selectors.notice_get(number=number))


class ObjectionIn(Schema):
    objector: str = Field(description="name of the person or organisation objecting")
    contact: str
    grounds: str


class ObjectionOut(Schema):
    number: str
    deregistration: str
    state: str
    filed_at: str
    decision_reason: str


def _objection_out(objection: Objection) -> dict[str, Any]:
    return {
        "number": objection.number,
        "deregistration": objection.deregistration.number,
        "state": objection.state,
        "filed_at": objection.filed_at.isoformat(),
        "decision_reason": objection.decision_reason,
    }


@router.post(
    "/registration/deregistrations/{number}/objections",
    response={201: ObjectionOut, **_ERRORS},
    summary="Public: file an objection during the notice (异议)",
)
def objection_file(request: HttpRequest, number: str, payload: ObjectionIn) -> Status:
    objection = services.objection_file(
        deregistration_number=number,
        objector=payload.objector,
        contact=payload.contact,
        grounds=payload.grounds,
    )
    return Status(201, _objection_out(objection))


class DecisionIn(Schema):
    upheld: bool
    reason: str


@router.post(
    "/registration/objections/{number}/decision",
    auth=official_session,
    response={200: ObjectionOut, **_ERRORS},
    summary="The registrar decides an objection (an upheld one ends the procedure)",
)
def objection_decide(request: HttpRequest, number: str, payload: DecisionIn) -> dict[str, Any]:
    objection = services.objection_decide(
        by=request_user(request), number=number, upheld=payload.upheld, reason=payload.reason
    )
    return _objection_out(objection)


class PushOut(Schema):
    id: int
    department: str
    event: str
    credit_code: str
    entity_version: int
    application_number: str
    payload: dict[str, Any]
    created_at: str


class PullQuery(Schema):
    after: int = Field(default=0, ge=0, description="the last id already received")
    limit: int = Field(default=100, ge=1, le=1000)


@router.get(
    "/registration/outbound",
    auth=official_session,
    response={200: list[PushOut], **_ERRORS},
    summary="Departments pull the registration facts sent to them, after the last id seen",
)
def outbound(request: HttpRequest, query: Query[PullQuery]) -> list[dict[str, Any]]:
    rows: list[OutboundNotice] = services.notices_pull(
        by=request_user(request), after=query.after, limit=query.limit
    )
    return [
        {
            "id": row.pk,
            "department": row.department,
            "event": row.event,
            "credit_code": row.credit_code,
            "entity_version": row.entity_version,
            "application_number": row.application_number,
            "payload": row.payload,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


class RestrictionIn(Schema):
    credit_code: str
    kind: str = Field(
        description="abnormal_operation, enforcement_pending, equity_frozen, equity_pledged"
    )
    authority: str
    reference: str
    since: str = Field(description="YYYY-MM-DD")
    note: str = ""


class RestrictionOut(Schema):
    id: int
    credit_code: str
    kind: str
    authority: str
    reference: str
    since: str
    lifted_on: str | None


def _restriction_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "credit_code": row.entity.credit_code,
        "kind": row.kind,
        "authority": row.authority,
        "reference": row.reference,
        "since": row.since.isoformat(),
        "lifted_on": row.lifted_on.isoformat() if row.lifted_on else None,
    }


@router.post(
    "/registration/restrictions",
    auth=official_session,
    response={201: RestrictionOut, **_ERRORS},
    summary="Record a restriction (abnormal list, pending case, frozen or pledged equity)",
)
def restriction_record(request: HttpRequest, payload: RestrictionIn) -> Status:
    row = restrictions.restriction_record(
        by=request_user(request),
        credit_code=payload.credit_code,
        kind=payload.kind,
        authority=payload.authority,
        reference=payload.reference,
        since=payload.since,
        note=payload.note,
    )
    return Status(201, _restriction_out(row))


class LiftIn(Schema):
    reason: str


@router.post(
    "/registration/restrictions/{restriction_id}/lift",
    auth=official_session,
    response={200: RestrictionOut, **_ERRORS},
    summary="Lift a restriction",
)
def restriction_lift(request: HttpRequest, restriction_id: int, payload: LiftIn) -> dict[str, Any]:
    row = restrictions.restriction_lift(
        by=request_user(request), restriction_id=restriction_id, reason=payload.reason
    )
    return _restriction_out(row)
