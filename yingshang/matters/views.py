"""Service guide pages (办事指南): the catalogue and one matter's complete guide."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yingshang.core.errors import DomainError

from .catalogue import matters_load


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
