"""Admin views of the registry: read-only, because every change goes through the services
(versioned, ledgered); the admin is for looking things up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingshang.core.errors import DomainError
from yingshang.core.regions import shanghai_districts
from yingshang.core.uscc import uscc_parse

from . import search
from .models import EntityVersion, MarketEntity


class DistrictFilter(admin.SimpleListFilter):
    """The 16 Shanghai districts (a fixed list: no DISTINCT over millions of rows)."""

    title = _("所在区")
    parameter_name = "district"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(r.code, r.name) for r in shanghai_districts()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(region_code=value) if value else queryset


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MarketEntity)
class MarketEntityAdmin(_ReadOnly):
    list_display = (
        "credit_code",
        "name",
        "entity_type",
        "status",
        "region_code",
        "established_on",
        "version",
    )
    list_filter = ("status", "entity_type", DistrictFilter)
    search_fields = ("credit_code", "name")
    search_help_text = _("输入18位统一社会信用代码，或名称中任意2个及以上连续文字。")
    show_full_result_count = False
    list_per_page = 50
    ordering = ("id",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Use the registry's index instead of ``LIKE '%…%'`` over millions of rows."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            code = uscc_parse(term).code
        except DomainError:
            code = None
        if code is not None:
            return queryset.filter(credit_code=code), False
        if len(term) < 2:
            return queryset.none(), False
        ids = search.search_ids(fragment=term, offset=0, limit=1000)
        return queryset.filter(id__in=ids), False


@admin.register(EntityVersion)
class EntityVersionAdmin(_ReadOnly):
    list_display = ("entity", "version", "kind", "actor", "application_ref", "created_at")
    list_filter = ("kind",)
    list_select_related = ("entity",)
    search_fields = ("=entity__credit_code", "=application_ref")
    raw_id_fields = ("entity",)
    ordering = ("-id",)
