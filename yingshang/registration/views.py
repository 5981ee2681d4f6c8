"""Registration pages (登记注册): name self-declaration, the establishment wizard, the change
and simplified deregistration pages, the public deregistration notices with their objection
form, the registrar's objections page and the counter (窗口) channel.

* ``/registration/`` — where to start; an applicant's registration applications and entities.
* ``/registration/names/`` — 名称自主申报: type a name, htmx checks it live (verdict, rule,
  conflicting names), reserve it; a similar name needs the signed commitment (password).
* ``/registration/establish/`` — 企业开办: choose the kind of company, then the wizard at
  ``/registration/applications/<number>/<step>/`` (name → type, domicile, capital → scope →
  investors → officers → materials → review, sign, submit). Each step saves the draft
  (optimistic version), so a draft is resumed where it was left.
* ``/registration/entities/`` — the entities the user may act for, with change and
  deregistration; ``/registration/applications/<number>/`` is the change or deregistration
  page of such a draft, and the outcome of any submitted registration application.
* ``/registration/notices/`` and ``/registration/notices/<number>/`` (public) — the
  simplified deregistration notices; anyone may file an objection during the notice.
* ``/registration/objections/`` (registration officers) — decide objections with reasons.
* ``/registration/counter/`` (registration officers) — start any of the three applications
  for a named applicant; the same pages follow, and the applicant signs with their password.

Every action calls one service; a :class:`DomainError` becomes its Chinese message beside the
field it names (``details["field"]``), or above the form, never a 500.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingshang.accounts.jurisdiction import jurisdiction_prefix
from yingshang.accounts.models import Role, User
from yingshang.accounts.selectors import applicant_find
from yingshang.core import industries, regions
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.matters.catalogue import MaterialSource, matters_load
from yingshang.matters.models import Application, State
from yingshang.matters.selectors import application_signing
from yingshang.matters.services import (
    Action,
    application_act,
    application_data_save,
    application_digest,
    material_add,
)
from yingshang.matters.signatures import application_sign
from yingshang.registry.members import members_of
from yingshang.registry.models import (
    Currency,
    EntityType,
    InvestorKind,
    MarketEntity,
    OfficerPost,
)

from . import forms, selectors, services
from .models import (
    OPEN_DEREGISTRATION_STATES,
    Commitment,
    Deregistration,
    DeregistrationState,
    NameReservation,
    Objection,
    ObjectionState,
    RegistrationCase,
)
from .nameindex import NameCheck, name_check
from .reservations import COMMITMENT_TEXT as NAME_COMMITMENT_TEXT
from .reservations import name_reserve, reservation_get

ALL = "all"  # the error slot above the form
OFFICER_ROLES = frozenset({Role.REGISTRATION_OFFICER, Role.LEADER})
COUNTER_ROLES = frozenset({Role.REGISTRATION_OFFICER})
SEARCH_LIMIT = 30
ROWS_MAX = 50
_ROW_FIELD = re.compile(r"^(investors|officers)\[(\d+)\]\.(\w+)$")

KIND_MATTERS = {
    "establishment": services.MATTER_ESTABLISH,
    "change": services.MATTER_CHANGE,
    "deregistration": services.MATTER_DEREGISTER,
}
SITUATIONS = (
    ("llc", _("有限责任公司")),
    ("sole-proprietorship", _("个人独资企业")),
    ("partnership", _("合伙企业")),
)

# The wizard of 企业开办: each step, its title, and the form fields it shows.
STEPS: tuple[tuple[str, str], ...] = (
    ("name", _("企业名称")),
    ("basics", _("类型、住所和注册资本")),
    ("scope", _("经营范围")),
    ("investors", _("投资人及出资")),
    ("officers", _("法定代表人和主要人员")),
    ("materials", _("申请材料")),
    ("review", _("核验、签名和提交")),
)
STEP_CODES = tuple(code for code, _title in STEPS)
STEP_FIELDS: dict[str, frozenset[str]] = {
    "name": frozenset({"reservation"}),
    "basics": frozenset(
        {
            "entity_type",
            "region_code",
            "address",
            "registered_capital",
            "capital_currency",
            "business_term_end",
        }
    ),
    "scope": frozenset({"scope"}),
    "investors": frozenset({"investors"}),
    "officers": frozenset({"officers", "legal_representative", "legal_representative_id_number"}),
    "materials": frozenset({"materials", "file", "material_code"}),
    "review": frozenset({"password", "otp_token", "expected_digest", "digest"}),
}
INVESTOR_FIELDS = ("name", "kind", "identifier", "subscribed_capital", "contribution_due_on")
OFFICER_FIELDS = ("name", "post", "id_number")
CHANGE_ITEMS = (
    ("domicile", _("住所（经营场所）")),
    ("capital", _("注册资本（同时填写变更后的出资）")),
    ("representative", _("法定代表人")),
    ("scope", _("经营范围")),
    ("name", _("名称（须先申报保留新名称）")),
    ("members", _("投资人（股东）和主要人员")),
    ("term", _("营业期限")),
)


# --- Helpers --------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _signed_in(request: HttpRequest) -> User | HttpResponse:
    """The user, or a redirect to sign in (officials only after the second factor)."""
    user = _user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    if user.is_official and not user.is_verified():  # type: ignore[attr-defined]
        return redirect_to_login(request.get_full_path())
    return user


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "registration/refused.html", {"error": message}, status=status)


def _errors_of(exc: DomainError, shown: frozenset[str] | set[str]) -> dict[str, str]:
    """The error beside its field when the page shows that field, else above the form."""
    field = str(exc.details.get("field", ""))
    if not field and exc.code in (ErrorCode.AUTH_FAILED, ErrorCode.RATE_LIMITED):
        field = "password"
    base = field.split("[", 1)[0].split(".", 1)[0]
    if field and (field in shown or base in shown):
        errors = {field: exc.message}
        if field != base:
            errors.setdefault(base, exc.message)
        return errors
    return {ALL: exc.message}


def _text(request: HttpRequest, key: str, maximum: int = 500) -> str:
    return request.POST.get(key, "").strip()[:maximum]


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _rows(request: HttpRequest, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Table rows posted as ``<prefix>-<i>-<field>``; rows left entirely blank are dropped."""
    rows: list[dict[str, str]] = []
    for index in range(ROWS_MAX):
        row = {f: _text(request, f"{prefix}-{index}-{f}", 200) for f in fields}
        if not any(f"{prefix}-{index}-{f}" in request.POST for f in fields):
            break
        if any(value for key, value in row.items() if key not in ("kind", "post")):
            rows.append(row)
    return rows


def _row_view(
    rows: list[Any], fields: tuple[str, ...], errors: Mapping[str, str], prefix: str, blank: int
) -> list[dict[str, Any]]:
    """Rows for a table of inputs, each with its errors, plus ``blank`` empty rows."""
    shown: list[dict[str, Any]] = []
    for index, raw in enumerate([*rows, *({} for _blank in range(blank))]):
        values = raw if isinstance(raw, Mapping) else {}
        row_errors: dict[str, str] = {}
        for key, message in errors.items():
            match = _ROW_FIELD.match(key)
            if match and match.group(1) == prefix and int(match.group(2)) == index:
                row_errors[match.group(3)] = message
            elif key == f"{prefix}[{index}]":
                row_errors["row"] = message
        shown.append(
            {
                "index": index,
                "values": {f: "" if values.get(f) is None else str(values.get(f)) for f in fields},
                "errors": row_errors,
                "error": next(iter(row_errors.values()), ""),
            }
        )
    return shown


def _scope_codes(request: HttpRequest) -> list[str]:
    codes: list[str] = []
    for value in request.POST.getlist("scope"):
        code = value.strip()[:8]
        if code and code not in codes:
            codes.append(code)
    return codes


def _scope_items(codes: object) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for code in codes if isinstance(codes, list | tuple) else []:
        entry = industries.industry_get(str(code))
        items.append({"code": str(code), "name": entry.name if entry else _("（未知代码）")})
    return items


def industry_matches(q: str) -> list[industries.IndustryEntry]:
    """GB/T 4754 classes (小类) whose code starts with, or whose name contains, ``q``."""
    text = q.strip()
    if not text:
        return []
    rows = industries.all_industries(industries.IndustryLevel.CLASS)
    if text.isdigit():
        return [e for e in rows if e.code.startswith(text)][:SEARCH_LIMIT]
    return [e for e in rows if text in e.name][:SEARCH_LIMIT]


def _reservations_of(applicant: User) -> list[NameReservation]:
    return list(
        NameReservation.objects.filter(
            declarant=applicant, state="reserved", expires_at__gt=timezone.now()
        ).order_by("-reserved_at")[:50]
    )


def _entities_for(user: User) -> list[MarketEntity]:
    if user.role == Role.ENTERPRISE:
        rows = MarketEntity.objects.filter(credit_code=user.entity_credit_code)
    elif user.id_number:
        rows = MarketEntity.objects.filter(legal_representative_id_number=user.id_number)
    else:
        return []
    return list(rows.order_by("name")[:100])


# A draft, or an application the officer sent back for corrections (补正), is edited in the
# same pages; the corrected one is signed again and resubmitted.
_EDITABLE = (State.DRAFT, State.CORRECTIONS)


def _may_edit(user: User, application: Application) -> bool:
    if application.applicant_id == user.pk:
        return True
    return (
        user.is_official
        and application.channel == "counter"
        and Role(user.role) in OFFICER_ROLES
        and user.is_verified()  # type: ignore[attr-defined]
    )


def _application(request: HttpRequest, number: str) -> tuple[User, Application] | HttpResponse:
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    application = Application.objects.filter(
        number=number, matter_code__in=services.MATTER_KINDS
    ).first()
    if application is None or not _may_edit(user, application):
        return _refused(request, _("没有编号为 %(number)s 的登记申请。") % {"number": number}, 404)
    return user, application


def _signer(user: User, application: Application) -> User:
    """Who signs: the applicant; at the counter the applicant enters their own password."""
    return application.applicant if user.is_official else user


def _save(user: User, application: Application, data: dict[str, Any], version: int | None) -> None:
    saved = application_data_save(
        by=user, number=application.number, data=data, expected_version=version
    )
    application.data, application.version = saved.data, saved.version


def _sign_and_submit(request: HttpRequest, user: User, application: Application) -> None:
    """The applicant signs the digest they saw (unless already signed), then it is submitted."""
    if not application_signing(user, application).signed:
        application_sign(
            by=_signer(user, application),
            number=application.number,
            password=request.POST.get("password", ""),
            otp_token=request.POST.get("otp_token", ""),
            expected_digest=request.POST.get("digest", ""),
            request=request,
        )
    if application.state == State.CORRECTIONS:  # corrected as the officer asked
        application_act(
            by=user,
            number=application.number,
            action=Action.RESUBMIT,
            expected_version=_version(request),
        )
        return
    application_act(
        by=user,
        number=application.number,
        action=Action.SUBMIT,
        expected_version=_version(request),
        idempotency_key=request.POST.get("idempotency_key") or secrets.token_hex(8),
    )


def _common(user: User, application: Application) -> dict[str, Any]:
    signing = application_signing(user, application)
    return {
        "application": application,
        "matter": matters_load().matter(application.matter_code),
        "at_counter": user.is_official,
        "signer": _signer(user, application),
        "signing": signing,
        "digest": application_digest(application),
        "idempotency_key": secrets.token_hex(8),
    }


def _dry_run(
    check: Any, findings: Any, application: Application
) -> tuple[DomainError | None, list[dict[str, str]]]:
    """What submitting would say now: the first refusal, or the automatic checks' findings."""
    try:
        check(application)
        return None, [f.as_dict() for f in findings(application)]
    except DomainError as exc:
        return exc, []


# --- Index, entities, starting --------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    mine: list[Application] = []
    entities: list[MarketEntity] = []
    if user is not None and not user.is_official:
        mine = list(
            Application.objects.filter(
                applicant=user, matter_code__in=services.MATTER_KINDS
            ).order_by("-created_at")[:50]
        )
        entities = _entities_for(user)
    names = {m.code: m.name for m in matters_load().matters}
    return render(
        request,
        "registration/index.html",
        {
            "applications": [(a, names.get(a.matter_code, a.matter_code)) for a in mine],
            "entities": entities,
            "official": user is not None and user.is_official,
        },
    )


@require_GET
def entities(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    if user.is_official:
        return redirect("registration:counter")
    rows = _entities_for(user)
    notices = {
        d.credit_code: d
        for d in Deregistration.objects.filter(
            credit_code__in=[e.credit_code for e in rows], state__in=OPEN_DEREGISTRATION_STATES
        )
    }
    return render(
        request,
        "registration/entities.html",
        {"entities": [(entity, notices.get(entity.credit_code)) for entity in rows]},
    )


@require_http_methods(["GET", "POST"])
def establish_start(request: HttpRequest) -> HttpResponse:
    """企业开办: choose the kind of enterprise (the matter's situation), then the wizard."""
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    if user.is_official:
        return redirect("registration:counter")
    errors: dict[str, str] = {}
    status = 200
    reservation = request.GET.get("reservation", "") or _text(request, "reservation", 32)
    if request.method == "POST":
        situation = _text(request, "situation", 32)
        try:
            if situation not in dict(SITUATIONS):
                raise DomainError(
                    ErrorCode.INVALID_INPUT, _("请选择企业类型。"), {"field": "situation"}
                )
            application = services.registration_start(
                by=user,
                matter_code=services.MATTER_ESTABLISH,
                situation_code=situation,
                data={"reservation": reservation} if reservation else {},
            )
            return redirect("registration:step", number=application.number, step="name")
        except DomainError as exc:
            errors, status = _errors_of(exc, {"situation"}), exc.code.http_status
    return render(
        request,
        "registration/establish_start.html",
        {"situations": SITUATIONS, "reservation": reservation, "errors": errors},
        status=status,
    )


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """A change or deregistration draft for an entity the user may act for."""
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    kind = _text(request, "kind", 32)
    try:
        if kind not in ("change", "deregistration"):
            raise DomainError(ErrorCode.INVALID_INPUT, _("请选择变更登记或简易注销。"))
        application = services.registration_start(
            by=user, matter_code=KIND_MATTERS[kind], credit_code=_text(request, "credit_code", 18)
        )
    except DomainError as exc:
        return render(
            request,
            "registration/entities.html",
            {"entities": _entities_for(user), "error": exc.message},
            status=exc.code.http_status,
        )
    return redirect("registration:application", number=application.number)


@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    """窗口代办: a registration officer starts an application for a named applicant."""
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    if not user.is_official or Role(user.role) not in COUNTER_ROLES:
        return _refused(request, _("只有登记注册人员可以在窗口代为办理登记。"))
    errors: dict[str, str] = {}
    status = 200
    values = {k: _text(request, k, 40) for k in ("applicant", "kind", "situation", "credit_code")}
    if request.method == "POST":
        try:
            applicant = applicant_find(values["applicant"])
            if values["kind"] not in KIND_MATTERS:
                raise DomainError(ErrorCode.INVALID_INPUT, _("请选择登记事项。"), {"field": "kind"})
            establishing = values["kind"] == "establishment"
            if establishing and values["situation"] not in dict(SITUATIONS):
                raise DomainError(
                    ErrorCode.INVALID_INPUT, _("请选择企业类型。"), {"field": "situation"}
                )
            application = services.registration_start(
                by=user,
                matter_code=KIND_MATTERS[values["kind"]],
                situation_code=values["situation"] if establishing else "",
                credit_code="" if establishing else values["credit_code"],
                applicant=applicant,
            )
            if establishing:
                return redirect("registration:step", number=application.number, step="name")
            return redirect("registration:application", number=application.number)
        except DomainError as exc:
            errors = _errors_of(exc, {"applicant", "kind", "situation", "credit_code"})
            if "credit_code" in exc.details and ALL in errors:
                errors = {"credit_code": exc.message}
            status = exc.code.http_status
    return render(
        request,
        "registration/counter.html",
        {"values": values, "errors": errors, "situations": SITUATIONS},
        status=status,
    )


# --- Name self-declaration (名称自主申报) -------------------------------------------------


def _name_values(source: Mapping[str, str]) -> dict[str, str]:
    return {
        "name": str(source.get("name", "")).strip()[:200],
        "region_code": str(source.get("region_code", "")).strip()[:6],
        "industry_code": str(source.get("industry_code", "")).strip()[:4],
        "entity_type": str(source.get("entity_type", "")).strip()[:32],
        "declarant": str(source.get("declarant", "")).strip()[:40],
    }


def _name_check(values: Mapping[str, str]) -> NameCheck | None:
    if not values["name"]:
        return None
    return name_check(
        name=values["name"],
        region_code=values["region_code"],
        industry_code=values["industry_code"] or None,
        entity_type=values["entity_type"] or None,
    )


def _name_context(values: Mapping[str, str], check: NameCheck | None) -> dict[str, Any]:
    return {
        "values": values,
        "check": check,
        "commitment_text": NAME_COMMITMENT_TEXT,
        "districts": regions.shanghai_districts(),
        "entity_types": [
            t
            for t in EntityType
            if t in forms.SITUATION_TYPES["llc"]
            or t in forms.SITUATION_TYPES["sole-proprietorship"]
            or t in forms.SITUATION_TYPES["partnership"]
        ],
    }


@require_POST
def name_check_fragment(request: HttpRequest) -> HttpResponse:
    """htmx: the live check of the name being typed (public: it reveals only public names)."""
    values = _name_values(request.POST)
    return render(
        request,
        "registration/_name_check.html",
        {**_name_context(values, _name_check(values)), "user": request.user},
    )


@sensitive_post_parameters("password", "otp_token")
@require_http_methods(["GET", "POST"])
def names(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    if user.is_official and Role(user.role) not in COUNTER_ROLES:
        return _refused(request, _("只有登记注册人员可以在窗口代为申报名称。"))
    values = _name_values(request.POST if request.method == "POST" else request.GET)
    errors: dict[str, str] = {}
    status = 200
    reserved: NameReservation | None = None
    number = request.GET.get("reserved", "")
    if number:
        try:
            reserved = reservation_get(by=user, number=number)
        except DomainError as exc:
            errors = {ALL: exc.message}
    if request.method == "POST" and request.POST.get("action") == "reserve":
        try:
            declarant = applicant_find(values["declarant"]) if user.is_official else None
            reservation = name_reserve(
                by=user,
                name=values["name"],
                region_code=values["region_code"],
                industry_code=values["industry_code"],
                entity_type=values["entity_type"],
                accept_similar=request.POST.get("accept_similar") == "yes",
                password=request.POST.get("password", ""),
                otp_token=request.POST.get("otp_token", ""),
                for_user=declarant,
                request=request,
            )
            return redirect(f"{reverse('registration:names')}?reserved={reservation.number}")
        except DomainError as exc:
            shown = {"name", "region_code", "industry_code", "entity_type", "declarant"}
            shown |= {"password", "otp_token", "accept_similar"}
            errors, status = _errors_of(exc, shown), exc.code.http_status
            if exc.code in (ErrorCode.AUTH_FAILED, ErrorCode.RATE_LIMITED) and ALL in errors:
                errors = {"password": exc.message}
            if exc.code == ErrorCode.NAME_SIMILAR:
                errors = {"accept_similar": exc.message}
    check = _name_check(values) if request.method == "POST" else None
    return render(
        request,
        "registration/names.html",
        {**_name_context(values, check), "errors": errors, "reserved": reserved},
        status=status,
    )


@require_GET
def industry_search(request: HttpRequest) -> HttpResponse:
    """htmx: the GB/T 4754 classes matching the search, as checkboxes of the scope field."""
    q = request.GET.get("q", "")[:40]
    chosen = set(request.GET.getlist("scope"))
    return render(
        request,
        "registration/_industry_results.html",
        {"results": [e for e in industry_matches(q) if e.code not in chosen], "q": q},
    )


# --- One registration application: the wizard, change, deregistration, outcome ----------


@sensitive_post_parameters("password", "otp_token")
@require_http_methods(["GET", "POST"])
def application_page(request: HttpRequest, number: str) -> HttpResponse:
    found = _application(request, number)
    if isinstance(found, HttpResponse):
        return found
    user, application = found
    if application.state not in _EDITABLE:
        return _outcome(request, user, application)
    if application.matter_code == services.MATTER_ESTABLISH:
        step = "review" if application.data.get("reservation") else "name"
        return redirect("registration:step", number=number, step=step)
    if application.matter_code == services.MATTER_CHANGE:
        return _change_page(request, user, application)
    return _deregistration_page(request, user, application)


@sensitive_post_parameters("password", "otp_token")
@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    found = _application(request, number)
    if isinstance(found, HttpResponse):
        return found
    user, application = found
    if application.matter_code != services.MATTER_ESTABLISH or step not in STEP_CODES:
        return redirect("registration:application", number=number)
    if application.state not in _EDITABLE:
        return redirect("registration:application", number=number)
    errors: dict[str, str] = {}
    status = 200
    extra_investors = extra_officers = 0
    if request.method == "POST":
        action = request.POST.get("action", "next")
        try:
            if step == "review":
                _sign_and_submit(request, user, application)
                return redirect("registration:application", number=number)
            if step == "materials":
                upload = request.FILES.get("file")
                if upload is not None:
                    material_add(
                        by=user,
                        number=number,
                        material_code=_text(request, "material_code", 64),
                        filename=upload.name or "",
                        content=upload.read(),
                    )
                elif action == "upload":
                    raise DomainError(
                        ErrorCode.INVALID_INPUT, _("请选择要上传的文件。"), {"field": "file"}
                    )
            else:
                _save(user, application, _step_data(request, step, application), _version(request))
            if action == "upload":
                return redirect("registration:step", number=number, step=step)
            if action not in ("add_investor", "add_officer", "search"):
                index = STEP_CODES.index(step)
                target = (
                    STEP_CODES[max(index - 1, 0)] if action == "back" else STEP_CODES[index + 1]
                )
                return redirect("registration:step", number=number, step=target)
            extra_investors = int(action == "add_investor")
            extra_officers = int(action == "add_officer")
        except DomainError as exc:
            errors, status = _errors_of(exc, STEP_FIELDS[step]), exc.code.http_status
            application.refresh_from_db()
    return render(
        request,
        "registration/wizard.html",
        {
            **_common(user, application),
            **_step_context(request, step, application, errors, extra_investors, extra_officers),
            "steps": STEPS,
            "step": step,
            "step_title": dict(STEPS)[step],
            "step_index": STEP_CODES.index(step) + 1,
            "errors": errors,
        },
        status=status,
    )


def _step_data(request: HttpRequest, step: str, application: Application) -> dict[str, Any]:
    """The draft's data with this step's fields replaced by what was posted."""
    data: dict[str, Any] = dict(application.data) if isinstance(application.data, dict) else {}
    if step == "name":
        data["reservation"] = _text(request, "reservation", 32)
        reservation = NameReservation.objects.filter(number=data["reservation"]).first()
        if reservation is not None and reservation.entity_type and not data.get("entity_type"):
            data["entity_type"] = reservation.entity_type
    elif step == "basics":
        for key in STEP_FIELDS["basics"]:
            data[key] = _text(request, key, 200)
        data["capital_currency"] = data["capital_currency"] or Currency.CNY.value
        if not data["business_term_end"]:
            data.pop("business_term_end")  # 长期
    elif step == "scope":
        data["scope"] = _scope_codes(request)
    elif step == "investors":
        data["investors"] = _rows(request, "investors", INVESTOR_FIELDS)
    elif step == "officers":
        data["legal_representative"] = _text(request, "legal_representative", 50)
        data["legal_representative_id_number"] = _text(
            request, "legal_representative_id_number", 18
        ).upper()
        data["officers"] = _rows(request, "officers", OFFICER_FIELDS)
    return data


def _step_context(
    request: HttpRequest,
    step: str,
    application: Application,
    errors: Mapping[str, str],
    extra_investors: int,
    extra_officers: int,
) -> dict[str, Any]:
    data = application.data if isinstance(application.data, dict) else {}
    situation = application.situation_code
    context: dict[str, Any] = {"data": data}
    if step == "name":
        context["reservations"] = _reservations_of(application.applicant)
    elif step == "basics":
        context["entity_types"] = [t for t in EntityType if t in forms.SITUATION_TYPES[situation]]
        context["districts"] = regions.shanghai_districts()
        context["currencies"] = Currency.choices
        reservation = NameReservation.objects.filter(number=data.get("reservation", "")).first()
        context["reservation"] = reservation
    elif step == "scope":
        context["scope_items"] = _scope_items(data.get("scope", []))
        context["q"] = request.POST.get("q", "")[:40]
        chosen = set(data.get("scope", []))
        context["results"] = [e for e in industry_matches(context["q"]) if e.code not in chosen]
    elif step == "investors":
        rows = data.get("investors") if isinstance(data.get("investors"), list) else []
        blank = 1 + extra_investors if rows else 1
        context["investor_rows"] = _row_view(
            rows or [], INVESTOR_FIELDS, errors, "investors", blank
        )
        context["investor_kinds"] = InvestorKind.choices
    elif step == "officers":
        rows = data.get("officers") if isinstance(data.get("officers"), list) else []
        blank = 1 + extra_officers if rows else 2
        context["officer_rows"] = _row_view(rows or [], OFFICER_FIELDS, errors, "officers", blank)
        context["posts"] = OfficerPost.choices
    elif step == "materials":
        matter = matters_load().matter(application.matter_code)
        have = {m.material_code: m for m in application.materials.all()}
        context["materials"] = [
            {
                "code": m.code,
                "name": m.name,
                "upload": m.source in (MaterialSource.APPLICANT, MaterialSource.THIRD_PARTY),
                "source": m.source,
                "have": have.get(m.code),
            }
            for m in matter.required_materials_for(situation)
        ]
    elif step == "review":
        problem, findings = _dry_run(
            services.establishment_check, services.establishment_findings, application
        )
        context.update(_review_context(problem, findings))
        context["scope_items"] = _scope_items(data.get("scope", []))
        context["reservation"] = NameReservation.objects.filter(
            number=data.get("reservation", "")
        ).first()
    return context


def _field_step(field: str) -> str:
    base = field.split("[", 1)[0].split(".", 1)[0]
    for code, fields in STEP_FIELDS.items():
        if base in fields:
            return code
    return "review"


def _review_context(problem: DomainError | None, findings: list[dict[str, str]]) -> dict[str, Any]:
    field = str(problem.details.get("field", "")) if problem else ""
    return {
        "problem": problem.message if problem else "",
        "problem_step": _field_step(field) if problem else "",
        "warnings": [f for f in findings if f.get("severity") == "warning"],
        "infos": [f for f in findings if f.get("severity") != "warning"],
    }


# --- Change (变更登记) ------------------------------------------------------------------------


def _change_values(data: Mapping[str, Any], entity: MarketEntity) -> dict[str, Any]:
    """What the change form shows: the draft's new values, else the entity's current ones."""
    changes = data.get("changes") if isinstance(data.get("changes"), Mapping) else {}
    assert isinstance(changes, Mapping)  # noqa: S101
    current = {
        "region_code": entity.region_code,
        "address": entity.address,
        "registered_capital": entity.registered_capital.normalize()
        if entity.registered_capital is not None
        else "",
        "legal_representative": entity.legal_representative,
        "legal_representative_id_number": entity.legal_representative_id_number,
        "business_term_end": entity.business_term_end.isoformat()
        if entity.business_term_end
        else "",
    }
    values = {k: str(changes[k] if changes.get(k) is not None else v) for k, v in current.items()}
    ticked = {
        "domicile": "address" in changes or "region_code" in changes,
        "capital": "registered_capital" in changes,
        "representative": "legal_representative" in changes,
        "scope": "scope" in changes,
        "name": "name" in changes,
        "members": "investors" in data and "registered_capital" not in changes,
        "term": "business_term_end" in changes,
    }
    return {"values": values, "ticked": [k for k, on in ticked.items() if on], "changes": changes}


def _change_data(
    request: HttpRequest, application: Application, entity: MarketEntity
) -> dict[str, Any]:
    ticked = set(request.POST.getlist("items"))
    data: dict[str, Any] = {"base_version": application.data.get("base_version", entity.version)}
    changes: dict[str, Any] = {}
    if "domicile" in ticked:
        changes["region_code"] = _text(request, "region_code", 6)
        changes["address"] = _text(request, "address", 200)
    if "capital" in ticked:
        changes["registered_capital"] = _text(request, "registered_capital", 30)
    if "representative" in ticked:
        changes["legal_representative"] = _text(request, "legal_representative", 50)
        changes["legal_representative_id_number"] = _text(
            request, "legal_representative_id_number", 18
        ).upper()
    if "scope" in ticked:
        changes["scope"] = _scope_codes(request)
    if "name" in ticked:
        number = _text(request, "reservation", 32)
        reservation = NameReservation.objects.filter(
            number=number, declarant=application.applicant
        ).first()
        if reservation is None:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("请选择已申报保留的新名称（先办理名称自主申报）。"),
                {"field": "reservation"},
            )
        changes["name"] = reservation.name
        data["reservation"] = number
    if "term" in ticked:
        changes["business_term_end"] = _text(request, "business_term_end", 10) or None
    data["changes"] = changes
    if "capital" in ticked or "members" in ticked:
        data["investors"] = _rows(request, "investors", INVESTOR_FIELDS)
        data["officers"] = _rows(request, "officers", OFFICER_FIELDS)
    return data


def _members_rows(data: Mapping[str, Any], entity: MarketEntity) -> tuple[list[Any], list[Any]]:
    if isinstance(data.get("investors"), list) and isinstance(data.get("officers"), list):
        return list(data["investors"]), list(data["officers"])
    members = members_of(entity)
    investors = [
        {
            "name": i.name,
            "kind": i.kind.value,
            "identifier": i.identifier,
            "subscribed_capital": str(i.subscribed_capital.normalize()),
            "contribution_due_on": i.contribution_due_on.isoformat()
            if i.contribution_due_on
            else "",
        }
        for i in members.investors
    ]
    officers = [
        {"name": o.name, "post": o.post.value, "id_number": o.id_number} for o in members.officers
    ]
    return investors, officers


CHANGE_FIELDS_SHOWN = frozenset(
    {
        "changes",
        "region_code",
        "address",
        "registered_capital",
        "legal_representative",
        "legal_representative_id_number",
        "scope",
        "reservation",
        "name",
        "business_term_end",
        "investors",
        "officers",
        "file",
        "materials",
        "password",
        "otp_token",
        "expected_digest",
    }
)


def _change_page(request: HttpRequest, user: User, application: Application) -> HttpResponse:
    entity = MarketEntity.objects.filter(credit_code=application.credit_code).first()
    if entity is None:
        return _refused(request, _("未找到该市场主体。"), 404)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit":
                _sign_and_submit(request, user, application)
                return redirect("registration:application", number=application.number)
            data = _change_data(request, application, entity)
            _save(user, application, data, _version(request))
            upload = request.FILES.get("file")
            if upload is not None:
                material_add(
                    by=user,
                    number=application.number,
                    material_code="domicile-proof",
                    filename=upload.name or "",
                    content=upload.read(),
                )
            return redirect("registration:application", number=application.number)
        except DomainError as exc:
            errors, status = _errors_of(exc, CHANGE_FIELDS_SHOWN), exc.code.http_status
            if exc.code == ErrorCode.STALE_VERSION and "current_version" in exc.details:
                errors = {ALL: exc.message}
            application.refresh_from_db()
    data = application.data if isinstance(application.data, dict) else {}
    shown = _change_values(data, entity)
    investors, officers = _members_rows(data, entity)
    problem: DomainError | None = None
    findings: list[dict[str, str]] = []
    has_changes = bool(shown["changes"]) or "investors" in data
    if has_changes:
        problem, findings = _dry_run(services.change_check, services.change_findings, application)
    changes = shown["changes"]
    scope_codes = changes.get("scope", []) if isinstance(changes, Mapping) else []
    return render(
        request,
        "registration/change.html",
        {
            **_common(user, application),
            **shown,
            **_review_context(problem, findings),
            "entity": entity,
            "members": members_of(entity),
            "base_version": data.get("base_version"),
            "items": CHANGE_ITEMS,
            "has_changes": has_changes,
            "districts": regions.shanghai_districts(),
            "scope_items": _scope_items(scope_codes),
            "reservations": _reservations_of(application.applicant),
            "investor_rows": _row_view(investors, INVESTOR_FIELDS, errors, "investors", 1),
            "officer_rows": _row_view(officers, OFFICER_FIELDS, errors, "officers", 1),
            "investor_kinds": InvestorKind.choices,
            "posts": OfficerPost.choices,
            "uploaded": list(application.materials.all()),
            "errors": errors,
        },
        status=status,
    )


# --- Simplified deregistration (简易注销) ----------------------------------------------------


def _deregistration_page(
    request: HttpRequest, user: User, application: Application
) -> HttpResponse:
    entity = MarketEntity.objects.filter(credit_code=application.credit_code).first()
    if entity is None:
        return _refused(request, _("未找到该市场主体。"), 404)
    errors: dict[str, str] = {}
    status = 200
    message = ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "commit":
                signer = (
                    applicant_find(_text(request, "investor", 40)) if user.is_official else user
                )
                services.commitment_sign(
                    by=signer,
                    number=application.number,
                    password=request.POST.get("commit_password", ""),
                )
                return redirect("registration:application", number=application.number)
            if action == "submit":
                _sign_and_submit(request, user, application)
                return redirect("registration:application", number=application.number)
            data = dict(application.data) if isinstance(application.data, dict) else {}
            data["reason"] = _text(request, "reason", 500)
            _save(user, application, data, _version(request))
            return redirect("registration:application", number=application.number)
        except DomainError as exc:
            shown = {"reason", "password", "otp_token", "commitments"}
            errors, status = _errors_of(exc, shown), exc.code.http_status
            if action == "commit":
                errors = {"commit": exc.message}
            application.refresh_from_db()
    eligibility = ""
    try:
        services.deregistration_eligibility(entity)
    except DomainError as exc:
        eligibility = exc.message
    signed = {c.investor_identifier: c for c in Commitment.objects.filter(application=application)}
    investors = [
        {"name": i.name, "kind": i.kind, "commitment": signed.get(i.identifier)}
        for i in members_of(entity).investors
    ]
    problem, _findings = _dry_run(services.deregistration_check, lambda a: [], application)
    return render(
        request,
        "registration/deregistration.html",
        {
            **_common(user, application),
            "entity": entity,
            "eligibility": eligibility,
            "investors": investors,
            "commitment_text": services.COMMITMENT_TEXT,
            "reason": application.data.get("reason", "")
            if isinstance(application.data, dict)
            else "",
            "problem": problem.message if problem else "",
            "errors": errors,
            "message": message,
        },
        status=status,
    )


# --- The outcome of a submitted application -------------------------------------------------


def _outcome(request: HttpRequest, user: User, application: Application) -> HttpResponse:
    case = RegistrationCase.objects.filter(application=application).first()
    entity = (
        MarketEntity.objects.filter(credit_code=application.credit_code).first()
        if application.credit_code
        else None
    )
    deregistration = Deregistration.objects.filter(application=application).first()
    done = application.state in (State.APPROVED, State.COMPLETED)
    return render(
        request,
        "registration/outcome.html",
        {
            "application": application,
            "matter": matters_load().matter(application.matter_code),
            "case": case,
            "entity": entity,
            "deregistration": deregistration,
            "done": done,
            "establishment": application.matter_code == services.MATTER_ESTABLISH,
            "change": application.matter_code == services.MATTER_CHANGE,
        },
    )


# --- Public notices and objections ----------------------------------------------------------


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    page_raw = request.GET.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and 0 < len(page_raw) < 6 else 1
    rows = selectors.notices_current(q=q, page=page)
    return render(
        request,
        "registration/notices.html",
        {
            "notices": rows,
            "q": q,
            "page": page,
            "more": len(rows) == selectors.NOTICES_PER_PAGE,
        },
    )


@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest, number: str) -> HttpResponse:
    try:
        deregistration = selectors.notice_get(number=number[:32])
    except DomainError as exc:
        return _refused(request, exc.message, 404)
    errors: dict[str, str] = {}
    values = {k: _text(request, k, 2000) for k in ("objector", "contact", "grounds")}
    status = 200
    filed: Objection | None = None
    if request.method == "POST":
        try:
            filed = services.objection_file(
                deregistration_number=deregistration.number,
                objector=values["objector"],
                contact=values["contact"],
                grounds=values["grounds"],
            )
            values = dict.fromkeys(values, "")
        except DomainError as exc:
            errors, status = (
                _errors_of(exc, {"objector", "contact", "grounds"}),
                (exc.code.http_status),
            )
    today = timezone.localdate()
    is_open = (
        deregistration.state == DeregistrationState.NOTICE
        and deregistration.notice_ends_on is not None
        and today <= deregistration.notice_ends_on
    )
    return render(
        request,
        "registration/notice.html",
        {
            "notice": deregistration,
            "open": is_open,
            "values": values,
            "errors": errors,
            "filed": filed,
        },
        status=status,
    )


# --- The registrar's objections page --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def objections(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if isinstance(user, HttpResponse):
        return user
    if not user.is_official or Role(user.role) not in OFFICER_ROLES:
        return _refused(request, _("只有登记注册人员或分管领导可以处理简易注销异议。"))
    errors: dict[str, dict[str, str]] = {}
    status = 200
    decided = ""
    if request.method == "POST":
        number = _text(request, "number", 32)
        choice = request.POST.get("upheld", "")
        try:
            if choice not in ("yes", "no"):
                raise DomainError(
                    ErrorCode.INVALID_INPUT, _("请选择异议是否成立。"), {"field": "upheld"}
                )
            services.objection_decide(
                by=user,
                number=number,
                upheld=choice == "yes",
                reason=_text(request, "reason", 1000),
            )
            decided = number
        except DomainError as exc:
            errors[number] = _errors_of(exc, {"upheld", "reason"})
            status = exc.code.http_status
    prefix = jurisdiction_prefix(user.jurisdiction) if user.jurisdiction else ""
    rows = Objection.objects.select_related("deregistration").filter(state=ObjectionState.PENDING)
    if Role(user.role) != Role.LEADER and prefix:
        rows = rows.filter(deregistration__region_code__startswith=prefix)
    recent = Objection.objects.select_related("deregistration").exclude(
        state=ObjectionState.PENDING
    )
    if Role(user.role) != Role.LEADER and prefix:
        recent = recent.filter(deregistration__region_code__startswith=prefix)
    return render(
        request,
        "registration/objections.html",
        {
            "pending": [(o, errors.get(o.number, {})) for o in rows.order_by("filed_at")[:200]],
            "recent": list(recent.order_by("-decided_at")[:20]),
            "decided": decided,
            "errors": errors,
        },
        status=status,
    )
