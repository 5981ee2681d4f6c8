"""The home page, the health check and the error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and ``make run`` checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not healthy"
        return JsonResponse(
            {"status": "error", "database": connection.vendor, "detail": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _error_page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = {404: "NOT_FOUND", 403: "PERMISSION_DENIED", 400: "INVALID_INPUT"}.get(
            status, "INTERNAL_ERROR"
        )
        return JsonResponse(
            {"error": {"code": code, "message": text, "details": {}}}, status=status
        )
    return render(request, "portal/error.html", {"title": title, "text": text}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, _("请求有误"), _("请求格式不正确，请返回上一页重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, _("无权访问"), _("您没有访问此页面的权限。"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, _("页面不存在"), _("您访问的页面不存在或已被移除。"))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500, _("系统繁忙"), _("服务暂时出现问题，请稍后再试。"))
