"""Service guide pages (办事指南): the catalogue and one matter's complete guide."""

from __future__ import annotations

import secrets

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from yingshang.accounts.models import User
from yingshang.core.errors import DomainError

from .catalogue import matters_load
from .models import State
from .selectors import application_signing, application_visible, applications_visible
from .services import RULES, Action, application_act
from .signatures import application_sign


@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    catalogue = matters_load()
    return render(
        request,
        "matters/list.html",
        {
            "matters": catalogue.matters,
            "bundles": catalogue.bundles,
        },
    )


@require_GET
def matter_guide(request: HttpRequest, code: str) -> HttpResponse:
    catalogue = matters_load()
    try:
        matter = catalogue.matter(code)
    except DomainError as exc:
        return render(request, "matters/missing.html", {"error": exc.message}, status=404)
    departments = {d.code: d.name for d in catalogue.departments}
    return render(
        request,
        "matters/guide.html",
        {
            "matter": matter,
            "department": departments.get(matter.department, matter.department),
            "bundles": catalogue.bundles_with(matter.code),
        },
    )


# --- Applications: "my applications", the officers' queue, the case view ------------------------

_APPLICANT_ACTIONS = (Action.SUBMIT, Action.WITHDRAW, Action.RESUBMIT)
_OFFICER_ACTIONS = (
    Action.ACCEPT,
    Action.REFUSE,
    Action.REVIEW,
    Action.REQUEST_CORRECTIONS,
    Action.APPROVE,
    Action.REJECT,
    Action.COMPLETE,
)


def _signed_in_user(request: HttpRequest) -> User | HttpResponse:
    """The user, or a redirect to sign in (officials only after the second factor)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_official and not user.is_verified():  # type: ignore[attr-defined]
        return redirect_to_login(request.get_full_path())
    return user


@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    """办件: an applicant's own; for officials, the open ones by deadline, overdue marked."""
    user = _signed_in_user(request)
    if isinstance(user, HttpResponse):
        return user
    today = timezone.localdate()
    rows = list(applications_visible(user)[:200])  # an official: their department's queue
    names = {m.code: m.name for m in matters_load().matters}
    return render(
        request,
        "matters/applications.html",
        {
            "rows": [
                (
                    a,
                    names.get(a.matter_code, a.matter_code),
                    a.deadline is not None and a.deadline < today,
                )
                for a in rows
            ],
            "official": user.is_official,
        },
    )


@sensitive_post_parameters("password", "otp_token")
def application_page(request: HttpRequest, number: str) -> HttpResponse:
    """One application: its facts, materials and history, and the actions the user may take."""
    user = _signed_in_user(request)
    if isinstance(user, HttpResponse):
        return user
    try:
        application = application_visible(user=user, number=number)
    except DomainError as exc:
        return render(request, "matters/missing.html", {"error": exc.message}, status=404)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":  # 签名确认: a fresh login, then sign
                application_sign(
                    by=user,
                    number=number,
                    password=request.POST.get("password", ""),
                    otp_token=request.POST.get("otp_token", ""),
                    expected_digest=request.POST.get("digest", ""),
                    request=request,
                )
                return redirect("matters:application", number=number)
            action = Action(request.POST.get("action", ""))
            application_act(
                by=user,
                number=number,
                action=action,
                reason=request.POST.get("reason", ""),
                expected_version=int(request.POST.get("version", "0")) or None,
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
            return redirect("matters:application", number=number)
        except ValueError:
            error, status = str(_("不支持的操作。")), 400
        except DomainError as exc:
            error, status = exc.message, exc.code.http_status
        application.refresh_from_db()
    actions = _OFFICER_ACTIONS if user.is_official else _APPLICANT_ACTIONS
    possible = [a for a in actions if State(application.state) in RULES[a].allowed_from]
    return render(
        request,
        "matters/application.html",
        {
            "application": application,
            "matter": matters_load().matter(application.matter_code),
            "actions": [(a.value, a.label, RULES[a].needs_reason) for a in possible],
            "error": error,
            "idempotency_key": secrets.token_hex(8),
            "signing": application_signing(user, application),
        },
        status=status,
    )
