"""The public pages: search, the entity's 公示信息 page, errors shown in the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yingshang.core.uscc import uscc_generate
from yingshang.registry.services import entity_change, entity_set_status

from .conftest import BAD_CODE, ID_NUMBER
from .test_api import ODD_QUERIES

pytestmark = pytest.mark.django_db


def test_search_page_without_query(client, db):
    response = client.get(reverse("registry:search"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="search-input"' in html
    assert "市场主体信息查询" in html
    assert 'data-testid="results"' not in html


def test_search_results_table(client, register):
    first = register()
    register(name="浦东新区张记小吃店", entity_type="individual_business", region_code="310115")
    response = client.get(reverse("registry:search"), {"q": "鑫达"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="result-row"') == 1
    assert first.credit_code in html
    assert "上海鑫达贸易有限公司" in html
    assert "浦东新区" in html and "2020-05-18" in html and "存续" in html
    assert reverse("registry:entity", args=[first.credit_code]) in html


def test_search_pager(client, register):
    for i in range(23):
        register(name=f"上海翻页{chr(0x4E00 + i)}贸易有限公司")
    first = client.get(reverse("registry:search"), {"q": "翻页"}).content.decode()
    assert first.count('data-testid="result-row"') == 20
    assert 'data-testid="pager-next"' in first and 'data-testid="pager-previous"' not in first
    second = client.get(reverse("registry:search"), {"q": "翻页", "page": 2}).content.decode()
    assert second.count('data-testid="result-row"') == 3
    assert 'data-testid="pager-previous"' in second and 'data-testid="pager-next"' not in second


def test_no_results_message(client, entity):
    html = client.get(reverse("registry:search"), {"q": "没有这家"}).content.decode()
    assert 'data-testid="no-results"' in html


@pytest.mark.parametrize(
    ("q", "code", "text"),
    [
        ("鑫", "QUERY_TOO_SHORT", "至少输入2个字"),
        ("", "QUERY_TOO_SHORT", "至少输入2个字"),
        (BAD_CODE, "INVALID_USCC", "第18位校验码"),
        ("x" * 200, "INVALID_INPUT", "不能超过100个字"),
    ],
)
def test_search_errors_are_shown_in_the_page(client, entity, q, code, text):
    response = client.get(reverse("registry:search"), {"q": q})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-error-code="{code}"' in html
    assert text in html
    assert 'data-testid="search-input"' in html


def test_bad_page_number_is_shown(client, entity):
    response = client.get(reverse("registry:search"), {"q": "鑫达", "page": "二"})
    assert response.status_code == 400
    assert "页码" in response.content.decode()


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_never_fail(client, entity, q):
    response = client.get(reverse("registry:search"), {"q": q})
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_entity_page_shows_public_facts_masked_id_and_history(client, entity):
    entity_change(
        actor="user:1",
        credit_code=entity.credit_code,
        changes={"address": "上海市浦东新区世纪大道8号"},
        expected_version=1,
        application_ref="BJ-2026-7",
    )
    entity_set_status(
        actor="user:1",
        credit_code=entity.credit_code,
        status="revoked",
        expected_version=2,
        note="未按规定公示年度报告",
    )
    response = client.get(reverse("registry:entity", args=[entity.credit_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="entity-name"' in html and "上海鑫达贸易有限公司" in html
    masked = ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    assert masked in html
    assert ID_NUMBER not in html
    for fact in (
        "法定代表人",
        "张伟",
        "100万元人民币",
        "2020年5月18日",
        "长期",
        "吊销",
        "上海市浦东新区市场监督管理局",
        "世纪大道8号",
        "其他未列明批发业（5199）",
    ):
        assert fact in html, fact
    assert html.count('data-testid="history-row"') == 3
    assert "设立登记" in html and "变更登记" in html and "状态变更" in html
    assert "住所（经营场所）" in html and "BJ-2026-7" in html and "未按规定公示年度报告" in html


def test_individual_business_titles(client, register):
    shop = register(
        name="浦东新区张记小吃店", entity_type="individual_business", registered_capital="5"
    )
    html = client.get(reverse("registry:entity", args=[shop.credit_code])).content.decode()
    assert "经营者" in html and "资金数额" in html


def test_lower_case_code_redirects_to_canonical(client, entity):
    response = client.get(f"/entities/{entity.credit_code.lower()}/")
    assert response.status_code == 301
    assert response["Location"] == reverse("registry:entity", args=[entity.credit_code])


def test_unknown_entity_is_a_404_page(client, db):
    code = uscc_generate(region="310104", body="MA7Q8R9T").code
    response = client.get(reverse("registry:entity", args=[code]))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="entity-missing"' in html and "未找到" in html


@pytest.mark.parametrize("code", ["123", BAD_CODE, "%00", "😀" * 18])
def test_malformed_code_page_is_400(client, db, code):
    response = client.get(f"/entities/{code}/")
    assert response.status_code == 400
    assert 'data-error-code="INVALID_USCC"' in response.content.decode()


def test_home_page_links_to_search(client, db):
    html = client.get("/").content.decode()
    assert reverse("registry:search") in html
