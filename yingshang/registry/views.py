"""Public pages: the entity search (企业信息查询) and each entity's 公示信息 page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yingshang.accounts.models import User
from yingshang.core.errors import DomainError, ErrorCode

from . import selectors

PAGE_SIZE = 20


def _page_number(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise DomainError(ErrorCode.INVALID_INPUT, _("页码应为正整数。"), {"field": "page"})
    return int(text)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The search page: a form, and when ``q`` is given, one page of results."""
    q = request.GET.get("q")
    context: dict[str, object] = {"q": q or "", "result": None, "error": None}
    status = 200
    if q is not None:
        try:
            page = _page_number(request.GET.get("page", "1"))
            result = selectors.entity_search(q=q, page=page, page_size=PAGE_SIZE)
        except DomainError as exc:
            context["error"] = exc.message
            context["error_code"] = exc.code.value
            status = exc.code.http_status
        else:
            context["result"] = result
            base = reverse("registry:search")
            if result.page > 1:
                context["previous_url"] = base + "?" + urlencode({"q": q, "page": result.page - 1})
            if result.has_next:
                context["next_url"] = base + "?" + urlencode({"q": q, "page": result.page + 1})
    return render(request, "registry/search.html", context, status=status)


@require_GET
def entity(request: HttpRequest, credit_code: str) -> HttpResponse:
    """An entity's public record (公示信息) and the history of its registrations."""
    try:
        record = selectors.entity_get_public(credit_code=credit_code)
    except DomainError as exc:
        return render(
            request,
            "registry/entity_missing.html",
            {"error": exc.message, "error_code": exc.code.value},
            status=exc.code.http_status,
        )
    if record.credit_code != credit_code:
        return redirect("registry:entity", credit_code=record.credit_code, permanent=True)
    history = selectors.entity_history_public(credit_code=record.credit_code)
    context = {"entity": record, "history": history} | _official_view(request, record.credit_code)
    return render(request, "registry/entity.html", context)


def _official_view(request: HttpRequest, credit_code: str) -> dict[str, object]:
    """What a verified official sees beyond the public record: the full ID number, but only
    for entities inside their jurisdiction."""
    user = request.user
    if not (isinstance(user, User) and user.is_official and user.is_verified()):  # type: ignore[attr-defined]
        return {}
    try:
        entity = selectors.entity_get(credit_code=credit_code, jurisdiction=user.jurisdiction)
    except DomainError as exc:
        return {"official_notice": exc.message}
    return {"official_id_number": entity.legal_representative_id_number}
