"""Pages of 一业一证 (one industry, one licence) and 承诺即入 (access on commitment).

* ``/industry/`` and ``/industry/<code>/`` (public): the catalogue, each industry's permits,
  their conditions with the legal basis, the evidence, whether 告知承诺 is allowed, sources.
* ``/industry/<code>/apply/`` (an enterprise user for its own entity, or a licensing officer
  at the counter): ONE form. Step 1 asks the industry's questions; step 2 (the same page,
  re-rendered by a POST, or by htmx when an answer changes) lists the conditions of the
  permits those answers require, each met by a signed commitment or by ticked materials.
* ``/industry/applications/<number>/``: the application, its parallel reviews, the licence.
* ``/industry/reviews/`` (licensing officers, leaders): the department's pending reviews.
* ``/industry/post-checks/`` (inspectors, licensing officers): post-checks by due date.
* ``/industry/licences/<licence_id>/`` (public): the printable integrated industry licence.
* ``/industry/inbox/`` (enterprise users): the enterprise's messages (站内消息).

Every action calls one service of :mod:`.industry`; a :class:`DomainError` becomes its
Chinese message beside the field it names, with what the user typed kept, never a 500.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yingshang.accounts.jurisdiction import covers, jurisdiction_prefix
from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import official_required
from yingshang.accounts.services import inbox_open
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.registry.models import MarketEntity

from . import industry as services
from .catalogue import Catalogue, Industry, Permit, catalogue_load
from .industry_api import industry_detail
from .models import (
    ApplicationState,
    IndustryApplication,
    Licence,
    LicenceKind,
    LicenceState,
    PermitReview,
    PostCheck,
    PostCheckState,
    ReviewState,
)
from .views import date_text, licence_qr_html, subject_text

INBOX_LIMIT = 100  # the newest messages shown (and marked read) at once
QUEUE_LIMIT = 200  # rows of a work queue shown at once, oldest (or most urgent) first
IDENTITY_MAX_CHARS = 64 * 1024  # a pasted e-ID credential is a few kilobytes
FORM_PREFIX = "form-"
HOW_PREFIX = "how-"
MATERIAL_PREFIX = "material-"
ALL = "__all__"  # the error slot above the form


def _signed_in_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _is_verified_official(user: User) -> bool:
    # OTPMiddleware gives every user is_verified(): true after the second factor.
    return user.is_official and bool(user.is_verified())  # type: ignore[attr-defined]


def _industry_or_404(code: str) -> Industry:
    try:
        return catalogue_load().industry(code)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def _department_name(catalogue: Catalogue, code: str) -> str:
    try:
        return catalogue.department(code).name
    except DomainError:
        return code


def _answer_text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return str(value)


def _answers(item: Industry | None, form: Mapping[str, object]) -> list[dict[str, str]]:
    """The form's answers as label and text, in the order of the industry's form."""
    if item is None:
        return [{"label": key, "text": _answer_text(value)} for key, value in form.items()]
    return [{"label": f.label, "text": _answer_text(form.get(f.name))} for f in item.form]


def _industry_of(code: str) -> Industry | None:
    try:
        return catalogue_load().industry(code)
    except DomainError:  # an application of an industry since dropped from the catalogue
        return None


def _permit_of(item: Industry | None, code: str) -> Permit | None:
    if item is None:
        return None
    try:
        return item.permit(code)
    except DomainError:
        return None


# --- 一业一证行业目录 --------------------


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The industries under 一业一证, their permits and lead departments."""
    loaded = catalogue_load()
    return render(
        request,
        "licences/industry/catalogue.html",
        {
            "version": loaded.version,
            "industries": [industry_detail(item) for item in loaded.industries],
        },
    )


@require_GET
def industry_page(request: HttpRequest, code: str) -> HttpResponse:
    """One industry: its permits, each condition with its legal basis and evidence, sources."""
    item = _industry_or_404(code)
    detail = industry_detail(item)
    fields = {f.name: f.label for f in item.form}
    for permit in detail["permit_details"]:
        when = permit["applies_when"]
        permit["applies_when_text"] = (
            _("当“%(label)s”为“%(value)s”时需要")
            % {
                "label": fields.get(when["field"], when["field"]),
                "value": _answer_text(when["equals"]),
            }
            if when
            else _("均需要")
        )
    return render(
        request,
        "licences/industry/industry.html",
        {"industry": detail, "code": item.code, "can_apply": _may_apply(request)},
    )


def _may_apply(request: HttpRequest) -> bool:
    user = _signed_in_user(request)
    if user is None:
        return True  # the apply page asks them to sign in
    if user.role == Role.ENTERPRISE:
        return bool(user.entity_credit_code)
    return user.role == Role.LICENSING_OFFICER and _is_verified_official(user)


# --- 一表申请 --------------------


@dataclasses.dataclass
class _ConditionRow:
    key: str
    text: str
    legal_basis: str
    commitment_allowed: bool
    evidence: list[dict[str, Any]]
    how: str
    error: str


@dataclasses.dataclass
class _PermitRow:
    code: str
    name: str
    department: str
    is_lead: bool
    conditions: list[_ConditionRow]


@dataclasses.dataclass
class _ApplyForm:
    """One application form as posted: raw texts (kept for redisplay) and errors by slot."""

    item: Industry
    post: QueryDict | None
    answers: dict[str, str]
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    permits: tuple[Permit, ...] | None = None

    @classmethod
    def read(cls, item: Industry, post: QueryDict | None) -> _ApplyForm:
        answers = {
            f.name: (post.get(FORM_PREFIX + f.name, "") if post is not None else "")
            for f in item.form
        }
        return cls(item=item, post=post, answers=answers)

    def raw_form(self) -> dict[str, object]:
        return {name: (text if text.strip() else None) for name, text in self.answers.items()}

    def how(self, key: str) -> str:
        return self.post.get(HOW_PREFIX + key, "") if self.post is not None else ""

    def materials(self, key: str) -> list[str]:
        return self.post.getlist(MATERIAL_PREFIX + key) if self.post is not None else []

    def fail(self, exc: DomainError) -> None:
        self.errors.setdefault(self.slot(exc), exc.message)

    def slot(self, exc: DomainError) -> str:
        """Where on the page an error goes: beside the answer, condition or box it names."""
        field = str(exc.details.get("field", ""))
        condition = exc.details.get("condition")
        if isinstance(condition, str) and condition:
            return f"condition:{condition}"
        if field.startswith("materials."):
            return f"condition:{field.removeprefix('materials.')}"
        if field in self.answers:
            return f"form:{field}"
        if field in ("identity", "identity_credential"):
            return "identity"
        if field == "confirm":
            return "confirm"
        if field == "credit_code" or "credit_code" in exc.details:
            return "credit_code"
        return ALL


def _applicant(request: HttpRequest) -> User | HttpResponse:
    """An enterprise user bound to an entity, or a licensing officer (second factor passed)."""
    user = _signed_in_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if user.role == Role.ENTERPRISE and user.entity_credit_code:
        return user
    if user.role == Role.LICENSING_OFFICER and _is_verified_official(user):
        return user
    raise PermissionDenied


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field})


def _identity_credential(text: str) -> dict[str, Any] | None:
    text = text.strip()
    if not text:
        return None
    if len(text) > IDENTITY_MAX_CHARS:
        raise _invalid(
            _("电子身份证凭证过长（超过 %(n)d 个字符），请核对粘贴的内容。")
            % {"n": IDENTITY_MAX_CHARS},
            "identity_credential",
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(
            _("电子身份证凭证不是有效的 JSON（第 %(line)d 行第 %(col)d 列）。")
            % {"line": exc.lineno, "col": exc.colno},
            "identity_credential",
        ) from exc
    if not isinstance(value, dict):
        raise _invalid(_("电子身份证凭证应为 JSON 对象。"), "identity_credential")
    return value


def _raw_application(form: _ApplyForm, permits: tuple[Permit, ...]) -> dict[str, Any]:
    """The application exactly as :func:`.industry.application_input_parse` expects it.

    Only the conditions of the permits the answers require are sent, so a condition left on
    the page from earlier answers is never a stray key.
    """
    commitments: list[str] = []
    materials: dict[str, list[str]] = {}
    for permit in permits:
        for condition in permit.conditions:
            key = services.condition_key(permit, condition.code)
            how = form.how(key)
            if condition.commitment_allowed and how == services.COMMITMENT:
                commitments.append(key)
            elif condition.commitment_allowed and how != services.EVIDENCE:
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    _("请为“%(permit)s”的条件“%(condition)s”选择“签署告知承诺”或“提交材料”。")
                    % {"permit": permit.name, "condition": condition.text},
                    {"field": "commitments", "condition": key},
                )
            else:
                materials[key] = form.materials(key)
    post = form.post
    assert post is not None  # noqa: S101 - only a POST submits
    if commitments and post.get("confirm_commitment") != "yes":
        raise _invalid(
            _("您选择了告知承诺：请勾选“本人承诺以上内容真实，知悉承诺不实将被撤销许可”。"),
            "confirm",
        )
    return {
        "industry": form.item.code,
        "form": form.raw_form(),
        "commitments": commitments,
        "materials": materials,
        "identity_credential": _identity_credential(post.get("identity_credential", "")),
    }


def _permit_rows(form: _ApplyForm, permits: tuple[Permit, ...]) -> list[_PermitRow]:
    loaded = catalogue_load()
    lead_marked = False
    rows = []
    for permit in permits:
        is_lead = not lead_marked and permit.department == form.item.lead_department
        lead_marked = lead_marked or is_lead
        conditions = []
        for condition in permit.conditions:
            key = services.condition_key(permit, condition.code)
            ticked = set(form.materials(key))
            how = form.how(key) if condition.commitment_allowed else services.EVIDENCE
            conditions.append(
                _ConditionRow(
                    key=key,
                    text=condition.text,
                    legal_basis=condition.legal_basis,
                    commitment_allowed=condition.commitment_allowed,
                    evidence=[
                        {"name": name, "checked": name in ticked, "index": n}
                        for n, name in enumerate(condition.evidence)
                    ],
                    how=how,
                    error=form.errors.get(f"condition:{key}", ""),
                )
            )
        rows.append(
            _PermitRow(
                code=permit.code,
                name=permit.name,
                department=_department_name(loaded, permit.department),
                is_lead=is_lead,
                conditions=conditions,
            )
        )
    return rows


def _field_rows(form: _ApplyForm) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "input_name": FORM_PREFIX + f.name,
            "id": f"id-form-{f.name}",
            "label": f.label,
            "type": f.type,
            "required": f.required,
            "max_length": f.max_length,
            "choices": list(f.choices),
            "value": form.answers[f.name],
            "error": form.errors.get(f"form:{f.name}", ""),
        }
        for f in form.item.form
    ]


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """一表申请: step 1 the answers, step 2 the conditions of the permits they require."""
    item = _industry_or_404(code)
    applicant = _applicant(request)
    if isinstance(applicant, HttpResponse):
        return applicant
    at_counter = applicant.role == Role.LICENSING_OFFICER
    post = request.POST if request.method == "POST" else None
    form = _ApplyForm.read(item, post)
    action = post.get("action", "") if post is not None else ""
    if post is not None:
        try:
            form.permits = item.permits_required(item.form_parse(form.raw_form()))
        except DomainError as exc:
            form.fail(exc)
    if form.permits is not None and action == "submit":
        credit_code = (
            (post.get("credit_code", "") if post is not None else "").strip().upper()
            if at_counter
            else applicant.entity_credit_code
        )
        try:
            if not credit_code:
                raise _invalid(_("请填写申请人的统一社会信用代码（18位）。"), "credit_code")
            data = services.application_input_parse(_raw_application(form, form.permits))
            application = services.industry_application_submit(
                by=applicant, credit_code=credit_code, data=data
            )
        except DomainError as exc:
            form.fail(exc)
        else:
            if application.state == ApplicationState.APPROVED:
                messages.success(request, _("申请已提交，行业综合许可证已核发。"))
            else:
                messages.success(request, _("申请已提交，已推送相关部门并联审查。"))
            return redirect("industry:application", number=application.number)
    context = {
        "industry": item,
        "lead_department": _department_name(catalogue_load(), item.lead_department),
        "fields": _field_rows(form),
        "permits": _permit_rows(form, form.permits) if form.permits is not None else None,
        "errors": form.errors,
        "error_all": form.errors.get(ALL, ""),
        "step1_errors": [
            message for slot, message in form.errors.items() if slot.startswith("form:")
        ],
        "at_counter": at_counter,
        "credit_code": (
            (post.get("credit_code", "") if post is not None else "")
            if at_counter
            else applicant.entity_credit_code
        ),
        "entity_name": _entity_name(applicant.entity_credit_code) if not at_counter else "",
        "identity_text": post.get("identity_credential", "") if post is not None else "",
        "confirmed": post is not None and post.get("confirm_commitment") == "yes",
        "commitment_text": _("本人承诺以上内容真实，知悉承诺不实将被撤销许可"),
        "commitment": services.COMMITMENT,
        "evidence": services.EVIDENCE,
    }
    status = 200
    if form.errors and not request.headers.get("HX-Request"):
        status = 400  # htmx swaps only successful responses; a plain POST says what failed
    return render(request, "licences/industry/apply.html", context, status=status)


def _entity_name(credit_code: str) -> str:
    entity = MarketEntity.objects.filter(credit_code=credit_code).only("name").first()
    return entity.name if entity is not None else ""


# --- 申请详情 --------------------


def _visible_application(request: HttpRequest, number: str) -> IndustryApplication:
    user = _signed_in_user(request)
    assert user is not None  # noqa: S101 - the caller redirected anonymous visitors
    application = (
        IndustryApplication.objects.select_related("entity", "licence")
        .filter(number=number)
        .first()
    )
    visible = application is not None and (
        _is_verified_official(user)
        or (user.role == Role.ENTERPRISE and user.entity_credit_code == application.credit_code)
    )
    if application is None or not visible:
        raise Http404(_("没有编号为 %(number)s 的行业综合许可申请。") % {"number": number})
    return application


def _condition_rows(
    application: IndustryApplication, item: Industry | None, permit_code: str
) -> list[dict[str, Any]]:
    permit = _permit_of(item, permit_code)
    if permit is None:
        return [
            {"key": key, "text": key, "how": how}
            for key, how in application.conditions.items()
            if key.startswith(f"{permit_code}.")
        ]
    rows = []
    for condition in permit.conditions:
        key = services.condition_key(permit, condition.code)
        how = application.conditions.get(key, {})
        rows.append(
            {
                "key": key,
                "text": condition.text,
                "legal_basis": condition.legal_basis,
                "by_commitment": how.get("by") == services.COMMITMENT,
                "materials": how.get("materials", []),
            }
        )
    return rows


@require_GET
def application_page(request: HttpRequest, number: str) -> HttpResponse:
    """An application: answers, parallel reviews, how each condition was met, the licence."""
    if _signed_in_user(request) is None:
        return redirect_to_login(request.get_full_path())
    application = _visible_application(request, number)
    item = _industry_of(application.industry_code)
    loaded = catalogue_load()
    reviews = {review.permit_code: review for review in application.reviews.all()}
    permits = []
    for code in application.permits:
        permit = _permit_of(item, code)
        review = reviews.get(code)
        permits.append(
            {
                "code": code,
                "name": permit.name if permit else code,
                "department": _department_name(
                    loaded,
                    review.department_code if review else (permit.department if permit else ""),
                ),
                "review": review,
                "review_state": ReviewState(review.state).label if review else "",
                "conditions": _condition_rows(application, item, code),
            }
        )
    check = PostCheck.objects.filter(application=application).first()
    licence = application.licence
    context = {
        "application": application,
        "industry_name": item.name if item else application.industry_code,
        "state_label": ApplicationState(application.state).label,
        "lead_department": _department_name(loaded, application.lead_department),
        "answers": _answers(item, application.form),
        "permits": permits,
        "licence": licence,
        "licence_state": LicenceState(licence.state).label if licence else "",
        "check": check,
        "check_state": PostCheckState(check.state).label if check else "",
        "commitment_count": sum(
            1 for how in application.conditions.values() if how.get("by") == services.COMMITMENT
        ),
    }
    return render(request, "licences/industry/application.html", context)


# --- 并联审查 --------------------


def _official(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # official_required lets only officials in
        raise PermissionDenied
    return user


def _in_jurisdiction(user: User, region_code: str) -> bool:
    return covers(user.jurisdiction, region_code)


def _pending_reviews(user: User) -> list[PermitReview]:
    """Pending reviews of the official's department function, in their jurisdiction."""
    function = user.department.function if user.department is not None else ""
    if not function or not user.jurisdiction:
        return []
    rows = (
        PermitReview.objects.filter(
            state=ReviewState.PENDING,
            department_code=function,
            application__state=ApplicationState.REVIEWING,
            application__entity__region_code__startswith=jurisdiction_prefix(user.jurisdiction),
        )
        .select_related("application", "application__entity")
        .order_by("application__submitted_at", "id")[:QUEUE_LIMIT]
    )
    return [row for row in rows if _in_jurisdiction(user, row.application.entity.region_code)]


@official_required(Role.LICENSING_OFFICER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def reviews(request: HttpRequest) -> HttpResponse:
    """并联审查: approve or reject the permits that the official's department reviews."""
    user = _official(request)
    error: DomainError | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {
            "number": request.POST.get("number", ""),
            "permit_code": request.POST.get("permit_code", ""),
            "opinion": request.POST.get("opinion", ""),
        }
        decision = request.POST.get("decision", "")
        try:
            if decision not in ("approve", "reject"):
                raise _invalid(_("请选择“同意”或“不同意”。"), "decision")
            application = services.permit_review_decide(
                by=user,
                number=posted["number"],
                permit_code=posted["permit_code"],
                approve=decision == "approve",
                opinion=posted["opinion"],
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("已%(decision)s申请 %(number)s 的“%(permit)s”。")
                % {
                    "decision": _("同意") if decision == "approve" else _("不同意"),
                    "number": application.number,
                    "permit": _permit_name(application.industry_code, posted["permit_code"]),
                },
            )
            return redirect("industry:reviews")
    loaded = catalogue_load()
    rows = []
    for review in _pending_reviews(user):
        application = review.application
        item = _industry_of(application.industry_code)
        permit = _permit_of(item, review.permit_code)
        rows.append(
            {
                "review": review,
                "application": application,
                "industry_name": item.name if item else application.industry_code,
                "permit_name": permit.name if permit else review.permit_code,
                "lead_department": _department_name(loaded, application.lead_department),
                "answers": _answers(item, application.form),
                "conditions": _condition_rows(application, item, review.permit_code),
                "error": (
                    error.message
                    if error is not None
                    and posted.get("number") == application.number
                    and posted.get("permit_code") == review.permit_code
                    else ""
                ),
                "opinion": (
                    posted.get("opinion", "")
                    if posted.get("number") == application.number
                    and posted.get("permit_code") == review.permit_code
                    else ""
                ),
            }
        )
    shown_error = error is not None and not any(row["error"] for row in rows)
    function = user.department.function if user.department is not None else ""
    context = {
        "rows": rows,
        "department": user.department,
        "function_name": _department_name(loaded, function) if function else "",
        "error": error.message if shown_error and error is not None else "",
    }
    status = error.code.http_status if error is not None else 200
    return render(request, "licences/industry/reviews.html", context, status=status)


def _permit_name(industry_code: str, permit_code: str) -> str:
    permit = _permit_of(_industry_of(industry_code), permit_code)
    return permit.name if permit else permit_code


# --- 事后核查 --------------------


def _scheduled_checks(user: User) -> list[PostCheck]:
    if not user.jurisdiction:
        return []
    rows = (
        PostCheck.objects.filter(
            state=PostCheckState.SCHEDULED,
            application__entity__region_code__startswith=jurisdiction_prefix(user.jurisdiction),
        )
        .select_related("application", "application__entity", "licence")
        .order_by("due_on", "id")[:QUEUE_LIMIT]
    )
    return [row for row in rows if _in_jurisdiction(user, row.application.entity.region_code)]


def _committed_conditions(item: Industry | None, keys: list[str]) -> list[dict[str, str]]:
    rows = []
    for key in keys:
        permit_code, _dot, condition_code = key.partition(".")
        permit = _permit_of(item, permit_code)
        condition = (
            next((c for c in permit.conditions if c.code == condition_code), None)
            if permit
            else None
        )
        rows.append(
            {
                "key": key,
                "permit": permit.name if permit else permit_code,
                "text": condition.text if condition else condition_code,
                "legal_basis": condition.legal_basis if condition else "",
            }
        )
    return rows


@official_required(Role.INSPECTOR, Role.LICENSING_OFFICER)
@require_http_methods(["GET", "POST"])
def post_checks(request: HttpRequest) -> HttpResponse:
    """事后核查: licences issued on commitment, by due date; record 通过 or 不通过."""
    user = _official(request)
    error: DomainError | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {
            "number": request.POST.get("number", ""),
            "findings": request.POST.get("findings", ""),
        }
        result = request.POST.get("result", "")
        try:
            if result not in ("passed", "failed"):
                raise _invalid(_("请选择核查结果“通过”或“不通过”。"), "result")
            check = services.post_check_record(
                by=user,
                number=posted["number"],
                passed=result == "passed",
                findings=posted["findings"],
            )
        except DomainError as exc:
            error = exc
        else:
            if check.state == PostCheckState.PASSED:
                notice = _("申请 %(number)s 事后核查通过，已换发不带“告知承诺”标记的许可证。")
            else:
                notice = _("申请 %(number)s 事后核查不通过，行业综合许可证已撤销并通知企业。")
            messages.success(request, notice % {"number": posted["number"]})
            return redirect("industry:post-checks")
    today = timezone.localdate()
    rows = []
    for check in _scheduled_checks(user):
        application = check.application
        item = _industry_of(application.industry_code)
        mine = posted.get("number") == application.number
        rows.append(
            {
                "check": check,
                "application": application,
                "industry_name": item.name if item else application.industry_code,
                "overdue": check.due_on < today,
                "conditions": _committed_conditions(item, list(check.conditions)),
                "error": error.message if error is not None and mine else "",
                "findings": posted.get("findings", "") if mine else "",
            }
        )
    shown_error = error is not None and not any(row["error"] for row in rows)
    context = {
        "rows": rows,
        "today": today,
        "error": error.message if shown_error and error is not None else "",
    }
    status = error.code.http_status if error is not None else 200
    return render(request, "licences/industry/post_checks.html", context, status=status)


# --- 行业综合许可证 --------------------


@require_GET
def licence_page(request: HttpRequest, licence_id: str) -> HttpResponse:
    """The integrated industry licence, printable on one A4 page, with its QR code.

    Public, like the printed business licence: a licence is shown to be checked (双公示).
    """
    licence = Licence.objects.filter(licence_id=licence_id, kind=LicenceKind.INDUSTRY).first()
    if licence is None:
        raise Http404(_("没有标识为 %(id)s 的行业综合许可证。") % {"id": licence_id})
    raw_subject = licence.credential.get("credentialSubject", {})
    subject: Mapping[str, Any] = raw_subject if isinstance(raw_subject, dict) else {}
    permits = [
        {
            "name": subject_text(permit, "permitName"),
            "department": subject_text(permit, "department"),
        }
        for permit in subject.get("replacesPermits", [])
        if isinstance(permit, dict)
    ]
    state = LicenceState(licence.state)
    newer = None
    if state == LicenceState.SUPERSEDED:
        application = IndustryApplication.objects.filter(post_check__licence=licence).first()
        if application is not None and application.licence_id not in (None, licence.pk):
            newer = application.licence
    context = {
        "licence": licence,
        "entity_name": subject_text(subject, "entityName"),
        "credit_code": subject_text(subject, "creditCode"),
        "industry_name": subject_text(subject, "industryName"),
        "premises_address": subject_text(subject, "premisesAddress"),
        "issued_on": date_text(subject_text(subject, "issuedOn")),
        "on_commitment": subject.get("issuedOnCommitment") is True,
        "permits": permits,
        "state": state.value,
        "state_label": state.label,
        "active": state == LicenceState.ACTIVE,
        "newer": newer,
        "qr": licence_qr_html(licence.credential),
        "issuer_name": settings.LICENCE_ISSUER_NAME,
        "verify_url": request.build_absolute_uri(reverse("licences:verify")),
    }
    return render(request, "licences/industry/licence.html", context)


# --- 站内消息 --------------------


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """站内消息: the enterprise's notifications, newest first; shown ones are marked read."""
    user = _signed_in_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if user.role != Role.ENTERPRISE or not user.entity_credit_code:
        raise PermissionDenied
    notices, unread = inbox_open(credit_code=user.entity_credit_code, limit=INBOX_LIMIT)
    context = {
        "rows": [
            {"notice": notice, "unread": notice.pk in unread, "link": _local_link(notice.link)}
            for notice in notices
        ],
        "unread_count": len(unread),
        "limit": INBOX_LIMIT,
        "credit_code": user.entity_credit_code,
    }
    return render(request, "licences/industry/inbox.html", context)


def _local_link(link: str) -> str:
    """A notification's link, only if it points inside the platform."""
    return link if link.startswith("/") and not link.startswith("//") else ""
