"""Pages of the e-licences (电子证照).

* ``/licences/verify/`` (核验电子证照, public): paste credential JSON or QR text, upload a
  ``.json`` credential, or scan the QR code (an image or the camera, decoded in the browser
  by the vendored jsQR; ``static/licences/verify.js``). The server gives the verdict.
* ``/licences/entity/<credit_code>/`` (营业执照（电子）, public): the current e-business
  licence laid out for one A4 page, with its QR code.
* ``/licences/manage/<credit_code>/`` (officials): issue, re-issue, suspend, reinstate, revoke.
* ``/licences/trust/`` (信任列表, officials): add, update, suspend and restore trusted issuers.
* ``/.well-known/did.json``: the issuer's DID document (did:web resolution).

Every action calls one service; a :class:`DomainError` becomes its Chinese message on the
page, never a 500.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import official_required
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.regions import region_full_name
from yingshang.registry.models import Currency
from yingshang.registry.selectors import entity_get_public

from . import documents, keys, selectors, services, trust
from .models import IssuerKind, Licence, LicenceState, TrustedIssuer
from .qr import qr_payload_encode, qr_svg
from .verification import Check, Reason, Verdict, credential_verify_text

DID_JSON = "application/did+json"

CHECK_LABELS = {
    Check.FORMAT: gettext_lazy("凭证格式"),
    Check.ISSUER: gettext_lazy("签发方"),
    Check.SIGNATURE: gettext_lazy("数字签名"),
    Check.VALIDITY: gettext_lazy("有效期"),
    Check.STATUS: gettext_lazy("证照状态"),
}

# Files that are pictures (of a QR code): the browser decodes them, the server cannot.
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


# --- Showing a licence --------------------


@dataclasses.dataclass(frozen=True)
class LicenceFields:
    """The fields of a business licence as printed: all text, empty when absent."""

    credit_code: str
    name: str
    entity_type: str
    legal_representative: str
    capital: str
    established_on: str
    business_term: str
    domicile: str
    business_scope: str
    registration_authority: str
    issued_on: str
    licence_id: str


def subject_text(subject: Mapping[str, Any], key: str) -> str:
    value = subject.get(key)
    return value.strip() if isinstance(value, str) else ""


def date_text(value: str) -> str:
    """``2024-03-01`` as 2024年3月1日; anything else as given."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def licence_qr_html(credential: dict[str, Any]) -> SafeString:
    """The credential's QR code as scalable inline SVG, or a notice when it cannot fit."""
    try:
        svg = qr_svg(qr_payload_encode(credential))
    except DomainError as exc:
        return format_html('<p class="qr-too-large" role="note">{}</p>', exc.message)
    return mark_safe(_scalable_svg(svg))  # noqa: S308  # segno's own SVG, no user markup


def _capital_text(amount: str, currency: str) -> str:
    """Whole units (``"5000000"``, ``"CNY"``) in the registry's words: 500万元人民币."""
    if not amount:
        return ""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return f"{amount} {currency}".strip()
    if not value.is_finite():
        return f"{amount} {currency}".strip()
    wan = format((value / Decimal(10_000)).normalize(), "f")
    if currency == Currency.CNY:
        return _("%(amount)s万元人民币") % {"amount": wan}
    label = Currency(currency).label if currency in Currency.values else currency
    return _("%(amount)s万%(currency)s") % {"amount": wan, "currency": label}


def licence_fields(subject: Mapping[str, Any]) -> LicenceFields:
    start = subject_text(subject, "businessTermStart") or subject_text(subject, "establishedOn")
    end = subject_text(subject, "businessTermEnd")
    term = ""
    if start:
        term = _("%(start)s 至 %(end)s") % {
            "start": date_text(start),
            "end": date_text(end) if end else _("长期"),
        }
    return LicenceFields(
        credit_code=subject_text(subject, "creditCode"),
        name=subject_text(subject, "entityName"),
        entity_type=subject_text(subject, "entityType"),
        legal_representative=subject_text(subject, "legalRepresentative"),
        capital=_capital_text(
            subject_text(subject, "registeredCapitalAmount"),
            subject_text(subject, "registeredCapitalCurrency"),
        ),
        established_on=date_text(subject_text(subject, "establishedOn")),
        business_term=term,
        domicile=subject_text(subject, "domicile"),
        business_scope=subject_text(subject, "businessScope"),
        registration_authority=subject_text(subject, "registrationAuthority"),
        issued_on=date_text(subject_text(subject, "issuedOn")),
        licence_id=subject_text(subject, "licenceId"),
    )


def _other_claims(subject: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Claims of a credential that is not a business licence (an e-ID, a driving licence)."""
    return [
        (str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in subject.items()
        if key not in ("id", "type")
    ][:30]


_SVG_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="(\d+)"\s+height="(\d+)"')


def _scalable_svg(svg: str) -> str:
    """Give segno's SVG a viewBox so that CSS can size it (millimetres on paper)."""
    if "viewBox" in svg:
        return svg
    return _SVG_SIZE.sub(
        lambda m: (
            f'<svg{m.group(1)} width="{m.group(2)}" height="{m.group(3)}" '
            f'viewBox="0 0 {m.group(2)} {m.group(3)}"'
        ),
        svg,
        count=1,
    )


# --- 核验电子证照 --------------------


def _upload_text(upload: UploadedFile) -> tuple[bytes | None, str]:
    """The uploaded credential's bytes, or None and why it was refused."""
    limit = settings.LICENCE_VERIFY_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        return None, _(
            "上传的文件过大（%(size)d 字节）：凭证文件不得超过 %(limit)d 字节（%(kib)d KB）。"
        ) % {"size": size, "limit": limit, "kib": limit // 1024}
    data = upload.read(limit + 1)
    if len(data) > limit:  # a client that under-declared the size
        return None, _("上传的文件过大：凭证文件不得超过 %(limit)d 字节。") % {"limit": limit}
    if data.startswith(_IMAGE_MAGIC) or data[8:12] == b"WEBP":
        return None, _(
            "这是一张图片：图片中的二维码需要在浏览器中识别，请启用 JavaScript 后重新选择图片，"
            "或把二维码下方的文字、凭证 JSON 粘贴到文本框。"
        )
    return data, ""


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """核验电子证照: a form; on POST, the verdict for what was pasted or uploaded."""
    limit = settings.LICENCE_VERIFY_MAX_BYTES
    context: dict[str, Any] = {
        "text": "",
        "verdict": None,
        "error": None,
        "max_bytes": limit,
        "max_kib": limit // 1024,
    }
    if request.method != "POST":
        return render(request, "licences/verify.html", context)

    upload = request.FILES.get("file")
    text = request.POST.get("text", "")
    status = 200
    if upload is not None:
        data, refusal = _upload_text(upload)
        if data is None:
            context["error"] = refusal
            return render(request, "licences/verify.html", context, status=413)
        verdict = credential_verify_text(data)
    else:
        verdict = credential_verify_text(text)
        if len(text) <= limit:
            context["text"] = text
    if Reason.TOO_LARGE in verdict.reasons:
        status = 413
    context.update(_verdict_context(verdict))
    return render(request, "licences/verify.html", context, status=status)


def _verdict_context(verdict: Verdict) -> dict[str, Any]:
    subject = verdict.subject
    is_licence = bool(subject.get("creditCode") or subject.get("entityName"))
    credential = verdict.credential or {}
    return {
        "verdict": verdict,
        "checks": [
            {
                "label": CHECK_LABELS[result.check],
                "check": result.check.value,
                "ok": result.ok,
                "message": result.message,
                "reason": result.reason.value if result.reason else "",
            }
            for result in verdict.checks
        ],
        "fields": licence_fields(subject) if is_licence else None,
        "claims": _other_claims(subject) if subject and not is_licence else [],
        "credential_name": credential.get("name") if isinstance(credential, dict) else None,
    }


# --- 营业执照（电子） --------------------


@require_GET
def licence_print(request: HttpRequest, credit_code: str) -> HttpResponse:
    """The current e-business licence, printable on one A4 page, with its QR code."""
    try:
        licence = selectors.licence_current(credit_code=credit_code)
    except DomainError as exc:
        return render(
            request,
            "licences/missing.html",
            {"error": exc.message, "error_code": exc.code.value},
            status=exc.code.http_status,
        )
    if licence.credit_code != credit_code:
        return redirect("licences:print", credit_code=licence.credit_code, permanent=True)
    subject = licence.credential.get("credentialSubject", {})
    state = LicenceState(licence.state)
    fields = licence_fields(subject if isinstance(subject, dict) else {})
    context = {
        "licence": licence,
        "fields": fields,
        "scope_size": _scope_size(fields.business_scope),
        "qr": licence_qr_html(licence.credential),
        "state": state,
        "state_label": state.label,
        "active": state == LicenceState.ACTIVE,
        "issuer_name": settings.LICENCE_ISSUER_NAME,
        "verify_url": request.build_absolute_uri(reverse("licences:verify")),
    }
    return render(request, "licences/print.html", context)


def _scope_size(scope: str) -> str:
    """How small to print the business scope (up to 4,000 characters) so that the licence
    stays on one A4 page."""
    length = len(scope)
    for size, limit in (("normal", 300), ("small", 800), ("smaller", 1600), ("smallest", 2600)):
        if length <= limit:
            return size
    return "tiny"


# --- 证照管理（工作人员） --------------------

MANAGE_ROLES = (
    Role.REGISTRATION_OFFICER,
    Role.LICENSING_OFFICER,
    Role.ENFORCEMENT_OFFICER,
    Role.LEADER,
)
_STATE_ACTIONS = {
    "suspend": (LicenceState.SUSPENDED, gettext_lazy("电子营业执照已暂停。")),
    "reinstate": (LicenceState.ACTIVE, gettext_lazy("电子营业执照已恢复有效。")),
    "revoke": (LicenceState.REVOKED, gettext_lazy("电子营业执照已撤销。")),
}


def _official(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # official_required lets only officials in
        raise PermissionDenied
    return user


@official_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, credit_code: str) -> HttpResponse:
    """证照管理: the entity's licences, and the forms to issue, suspend, reinstate, revoke."""
    try:
        entity = entity_get_public(credit_code=credit_code)
    except DomainError as exc:
        return render(
            request,
            "licences/missing.html",
            {"error": exc.message, "error_code": exc.code.value},
            status=exc.code.http_status,
        )
    user = _official(request)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            notice = _manage_action(request, user, entity.credit_code)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, notice)
            return redirect("licences:manage", credit_code=entity.credit_code)
    licences = selectors.licences_of(credit_code=entity.credit_code)
    context = {
        "entity": entity,
        "licences": [_licence_row(licence) for licence in licences],
        "has_current": any(
            licence.state in (LicenceState.ACTIVE, LicenceState.SUSPENDED) for licence in licences
        ),
        "can_issue": Role(user.role) in services.ISSUING_ROLES,
        "error": error.message if error else None,
        "form": request.POST if error else {},
    }
    status = error.code.http_status if error else 200
    return render(request, "licences/manage.html", context, status=status)


def _manage_action(request: HttpRequest, user: User, credit_code: str) -> str:
    action = request.POST.get("action", "")
    if action == "issue":
        licence = services.business_licence_issue(by=user, credit_code=credit_code)
        return _("已签发电子营业执照 %(id)s。") % {"id": licence.licence_id}
    if action in _STATE_ACTIONS:
        state, notice = _STATE_ACTIONS[action]
        licence_id = request.POST.get("licence_id", "")
        if licence_id not in {
            licence.licence_id for licence in selectors.licences_of(credit_code=credit_code)
        }:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("该市场主体没有标识为 %(id)s 的证照。") % {"id": licence_id},
                {"licence_id": licence_id},
            )
        services.licence_state_set(
            by=user, licence_id=licence_id, state=state, reason=request.POST.get("reason", "")
        )
        return str(notice)
    raise DomainError(ErrorCode.INVALID_INPUT, _("不支持的操作。"), {"field": "action"})


def _licence_row(licence: Licence) -> dict[str, Any]:
    state = LicenceState(licence.state)
    return {
        "licence": licence,
        "state": state.value,
        "state_label": state.label,
        "can_suspend": state == LicenceState.ACTIVE,
        "can_reinstate": state == LicenceState.SUSPENDED,
        "can_revoke": state in (LicenceState.ACTIVE, LicenceState.SUSPENDED),
    }


# --- 信任列表 --------------------


@official_required(Role.LICENSING_OFFICER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def trust_list(request: HttpRequest) -> HttpResponse:
    """信任列表: the issuers whose credentials the verifier accepts, and the forms to change it."""
    user = _official(request)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            notice = _trust_action(request, user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, notice)
            return redirect("licences:trust")
    context = {
        "own": trust.own_issuer(),
        "issuers": [
            {
                "issuer": issuer,
                "region_name": _region_name(issuer.region_code),
                "kind_label": IssuerKind(issuer.kind).label
                if issuer.kind in IssuerKind.values
                else issuer.kind,
            }
            for issuer in TrustedIssuer.objects.order_by("region_code", "name")
        ],
        "kinds": IssuerKind.choices,
        "error": error.message if error else None,
        "form": request.POST if error else {},
    }
    status = error.code.http_status if error else 200
    return render(request, "licences/trust.html", context, status=status)


def _region_name(code: str) -> str:
    try:
        return region_full_name(code)
    except DomainError:
        return code


def _trust_action(request: HttpRequest, user: User) -> str:
    action = request.POST.get("action", "")
    if action == "save":
        raw_document = request.POST.get("did_document", "")
        try:
            document = json.loads(raw_document)
        except ValueError as exc:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("DID 文档不是合法的 JSON：%(error)s") % {"error": exc},
                {"field": "did_document"},
            ) from exc
        entry = trust.issuer_entry_parse(
            {
                "did": request.POST.get("did", "").strip(),
                "name": request.POST.get("name", ""),
                "region_code": request.POST.get("region_code", "").strip(),
                "kind": request.POST.get("kind", ""),
                "did_document": document,
            }
        )
        issuer = trust.trusted_issuer_save(by=user, entry=entry)
        return _("已保存可信签发方：%(name)s。") % {"name": issuer.name}
    if action in ("suspend", "restore"):
        issuer = trust.trusted_issuer_set_active(
            by=user,
            did=request.POST.get("did", ""),
            active=action == "restore",
            reason=request.POST.get("reason", ""),
        )
        if issuer.active:
            return _("已恢复信任：%(name)s。") % {"name": issuer.name}
        return _("已暂停信任：%(name)s。") % {"name": issuer.name}
    raise DomainError(ErrorCode.INVALID_INPUT, _("不支持的操作。"), {"field": "action"})


# --- did:web --------------------


@require_GET
def did_document(request: HttpRequest) -> HttpResponse:
    """``/.well-known/did.json``: where did:web resolves the issuer's DID document."""
    response = JsonResponse(
        keys.did_document(), json_dumps_params={"ensure_ascii": False}, safe=False
    )
    response["Content-Type"] = f"{DID_JSON}; charset=utf-8"
    return response


@require_GET
def licence_context(request: HttpRequest) -> HttpResponse:
    """``/ns/licence/v1``: the licence vocabulary at its own URL (``LICENCE_V1`` names
    ``https://yingshang.example/ns/licence/v1``). Verifiers should use the copy shipped in
    the package or the trust bundle; this is for people and tools that follow the link."""
    response = HttpResponse(
        documents.bundled_text(documents.LICENCE_V1),
        content_type="application/ld+json; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
