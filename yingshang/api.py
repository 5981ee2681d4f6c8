"""The public API under ``/api/v1/``: one NinjaAPI, one router per module, one error shape.

Every error, whatever raised it, reaches the client as::

    {"error": {"code": "INVALID_USCC", "message": "第18位校验码应为…", "details": {...}}}
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yingshang.core.errors import DomainError, ErrorCode

api = NinjaAPI(
    title="营商 Yingshang API",
    version="1",
    description=(
        "Public and service API of the Yingshang platform. Errors share one shape: "
        '`{"error": {"code", "message", "details"}}`; `code` is a stable error code, '
        "`message` a Chinese sentence that says what to fix."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, {"error": error.as_dict()}, status=error.code.http_status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc), "problem": item.get("type", "invalid")})
    names = "、".join(f["field"] for f in fields if f["field"]) or _("请求")
    return error_response(
        request,
        DomainError(
            ErrorCode.INVALID_INPUT,
            _("参数“%(fields)s”格式不正确，请按接口文档填写。") % {"fields": names},
            {"fields": fields},
        ),
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。")))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {404: ErrorCode.NOT_FOUND, 403: ErrorCode.PERMISSION_DENIED}.get(
        exc.status_code, ErrorCode.INVALID_INPUT
    )
    return error_response(request, DomainError(code, str(exc)))


def _register_routers() -> None:
    from yingshang.ledger.api import router as ledger_router
    from yingshang.licences.api import router as licences_router
    from yingshang.licences.industry_api import router as industry_router
    from yingshang.matters.api import router as matters_router
    from yingshang.registration.api import router as registration_router
    from yingshang.registration.name_api import router as names_router
    from yingshang.registry.api import router as registry_router

    api.add_router("/ledger", ledger_router)
    api.add_router("/entities", registry_router)
    api.add_router("", licences_router)
    api.add_router("", industry_router)
    api.add_router("", matters_router)
    api.add_router("", names_router)
    api.add_router("", registration_router)


_register_routers()
