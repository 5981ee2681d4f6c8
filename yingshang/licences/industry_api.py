"""The 一业一证 API: the industry catalogue (public), applications, reviews, post-checks.

Applications are submitted by an enterprise user for its own entity (online) or by a
licensing officer (at the counter); reviews and post-checks by officials after the second
factor. Roles and departments are checked by :mod:`yingshang.licences.industry`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from yingshang.accounts.api_auth import request_user, user_session
from yingshang.accounts.models import Role
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.schemas import ErrorOut

from . import industry
from .catalogue import Industry, catalogue_load
from .models import IndustryApplication

router = Router(tags=["一业一证"])


def _industry_summary(item: Industry) -> dict[str, Any]:
    catalogue = catalogue_load()
    return {
        "code": item.code,
        "name": item.name,
        "gbt4754": item.gbt4754,
        "lead_department": catalogue.department(item.lead_department).name,
        "post_check_working_days": item.post_check_working_days,
        "permits": [permit.name for permit in item.permits],
    }


def industry_detail(item: Industry) -> dict[str, Any]:
    """The industry as applicants see it: the one form, each permit and its conditions."""
    catalogue = catalogue_load()
    return {
        **_industry_summary(item),
        "form": [
            {
                "name": field.name,
                "label": field.label,
                "type": field.type,
                "required": field.required,
                "max_length": field.max_length,
                "choices": list(field.choices),
            }
            for field in item.form
        ],
        "permit_details": [
            {
                "code": permit.code,
                "name": permit.name,
                "department": catalogue.department(permit.department).name,
                "applies_when": (
                    {"field": permit.applies_when.field, "equals": permit.applies_when.equals}
                    if permit.applies_when
                    else None
                ),
                "conditions": [
                    {
                        "key": industry.condition_key(permit, condition.code),
                        "text": condition.text,
                        "evidence": list(condition.evidence),
                        "commitment_allowed": condition.commitment_allowed,
                        "legal_basis": condition.legal_basis,
                    }
                    for condition in permit.conditions
                ],
            }
            for permit in item.permits
        ],
        "sources": [
            {
                "title": source.title,
                "issued_by": source.issued_by,
                "date": source.date,
                "url": source.url,
            }
            for source in item.sources
        ],
    }


@router.get("/industries", response=list[dict[str, Any]], summary="The 一业一证 catalogue")
def industries(request: HttpRequest) -> list[dict[str, Any]]:
    return [_industry_summary(item) for item in catalogue_load().industries]


@router.get(
    "/industries/{code}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="One industry: its form, permits, conditions and their legal basis",
)
def industry_get(request: HttpRequest, code: str) -> dict[str, Any]:
    return industry_detail(catalogue_load().industry(code))


class ApplicationIn(Schema):
    credit_code: str
    industry: str
    form: dict[str, Any]
    commitments: list[str] = Field(
        default_factory=list, description="Condition keys met by a signed commitment"
    )
    materials: dict[str, list[str]] = Field(
        default_factory=dict, description="Condition key -> names of the materials submitted"
    )
    identity_credential: dict[str, Any] | None = Field(
        default=None, description="The legal representative's e-ID credential (optional)"
    )


class ReviewOut(Schema):
    permit_code: str
    department_code: str
    is_lead: bool
    state: str
    opinion: str


class ApplicationOut(Schema):
    number: str
    credit_code: str
    industry_code: str
    state: str
    permits: list[str]
    conditions: dict[str, Any]
    lead_department: str
    identity: dict[str, Any] | None
    reviews: list[ReviewOut]
    licence_id: str | None
    on_commitment: bool
    post_check_due_on: str | None


def application_out(application: IndustryApplication) -> dict[str, Any]:
    check = getattr(application, "post_check", None)
    return {
        "number": application.number,
        "credit_code": application.credit_code,
        "industry_code": application.industry_code,
        "state": application.state,
        "permits": application.permits,
        "conditions": application.conditions,
        "lead_department": application.lead_department,
        "identity": application.identity,
        "reviews": list(application.reviews.all()),
        "licence_id": application.licence.licence_id if application.licence else None,
        "on_commitment": application.licence.on_commitment if application.licence else False,
        "post_check_due_on": check.due_on.isoformat() if check is not None else None,
    }


_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post(
    "/industry-applications",
    auth=user_session,
    response={201: ApplicationOut, **_ERRORS},
    summary="Apply for an integrated industry licence (one form)",
    description=(
        "For every condition of every permit the form requires: list its key in "
        "`commitments` (where the catalogue allows a commitment) or name the submitted "
        "materials in `materials`. Permits met by commitment alone need no review; if none "
        "needs review the licence is issued at once, marked as issued on commitment."
    ),
)
def application_submit(request: HttpRequest, payload: ApplicationIn) -> Status:
    raw = payload.dict()
    credit_code = raw.pop("credit_code")
    data = industry.application_input_parse(raw)
    application = industry.industry_application_submit(
        by=request_user(request), credit_code=credit_code, data=data
    )
    return Status(201, application_out(application))


@router.get(
    "/industry-applications/{number}",
    auth=user_session,
    response={200: ApplicationOut, **_ERRORS},
    summary="An application and its parallel reviews",
)
def application_get(request: HttpRequest, number: str) -> dict[str, Any]:
    user = request_user(request)
    application = IndustryApplication.objects.filter(number=number).first()
    visible = application is not None and (
        user.is_official
        or (user.role == Role.ENTERPRISE and user.entity_credit_code == application.credit_code)
    )
    if application is None or not visible:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有编号为 %(number)s 的行业综合许可申请。") % {"number": number},
        )
    return application_out(application)


class ReviewIn(Schema):
    approve: bool
    opinion: str = ""


@router.post(
    "/industry-applications/{number}/reviews/{permit_code}",
    auth=user_session,
    response={200: ApplicationOut, **_ERRORS},
    summary="A department approves or rejects its permit (parallel review)",
)
def review_decide(
    request: HttpRequest, number: str, permit_code: str, payload: ReviewIn
) -> dict[str, Any]:
    application = industry.permit_review_decide(
        by=request_user(request),
        number=number,
        permit_code=permit_code,
        approve=payload.approve,
        opinion=payload.opinion,
    )
    return application_out(application)


class PostCheckIn(Schema):
    passed: bool
    findings: str = ""


@router.post(
    "/industry-applications/{number}/post-check",
    auth=user_session,
    response={200: ApplicationOut, **_ERRORS},
    summary="Record the post-check of a licence issued on commitment",
)
def post_check(request: HttpRequest, number: str, payload: PostCheckIn) -> dict[str, Any]:
    check = industry.post_check_record(
        by=request_user(request), number=number, passed=payload.passed, findings=payload.findings
    )
    return application_out(check.application)
