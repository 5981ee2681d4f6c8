"""The registry admin is read-only and searches through the registry's index."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory

from yingshang.registry.admin import DistrictFilter, EntityVersionAdmin, MarketEntityAdmin
from yingshang.registry.models import EntityVersion, MarketEntity

pytestmark = pytest.mark.django_db


def test_models_are_registered_read_only(rf: RequestFactory):
    request = rf.get("/admin/")
    for model, admin_class in (
        (MarketEntity, MarketEntityAdmin),
        (EntityVersion, EntityVersionAdmin),
    ):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, admin_class)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_admin_search_by_code_and_name_fragment(register, rf: RequestFactory):
    first = register()
    second = register(name="浦东新区张记小吃店", entity_type="individual_business")
    model_admin = MarketEntityAdmin(MarketEntity, admin.site)
    request = rf.get("/admin/registry/marketentity/")
    queryset = MarketEntity.objects.all()
    found, duplicates = model_admin.get_search_results(request, queryset, first.credit_code.lower())
    assert list(found) == [first] and not duplicates
    found, _ = model_admin.get_search_results(request, queryset, "张记")
    assert list(found) == [second]
    found, _ = model_admin.get_search_results(request, queryset, "张")
    assert list(found) == []
    found, _ = model_admin.get_search_results(request, queryset, "")
    assert found.count() == 2


def test_district_filter_lists_the_sixteen_districts(register, rf: RequestFactory):
    register(region_code="310104", name="上海徐汇测试有限公司")
    request = rf.get("/admin/registry/marketentity/", {"district": "310104"})
    model_admin = MarketEntityAdmin(MarketEntity, admin.site)
    district = DistrictFilter(request, {"district": ["310104"]}, MarketEntity, model_admin)
    assert len(district.lookups(request, model_admin)) == 16
    assert district.queryset(request, MarketEntity.objects.all()).count() == 1


def test_reindex_command(register):
    register()
    call_command("registry_reindex", verbosity=0)
    from yingshang.registry.selectors import entity_search

    assert len(entity_search(q="鑫达").items) == 1
