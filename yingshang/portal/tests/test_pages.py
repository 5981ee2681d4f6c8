from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_chinese_and_shows_every_kind_of_user(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for audience in ("社会公众", "企业", "政府工作人员", "其他系统与地区"):
        assert audience in html
    assert 'action="/entities/"' in html  # the search box goes to the public search


def test_static_files_are_served_locally(client):
    response = client.get("/static/portal/site.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"--brand" in body
    html = client.get("/").content.decode()
    assert "cdn" not in html.lower() and "https://" not in html


def test_healthz_reports_the_database(client, django_db_setup):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unknown_api_path_uses_the_api_error_shape(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NOT_FOUND" and error["message"]


def test_openapi_document_lists_the_public_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/ledger/head",
        "/api/v1/ledger/proof/inclusion",
        "/api/v1/ledger/proof/consistency",
        "/api/v1/ledger/events/{index}",
        "/api/v1/entities",
        "/api/v1/entities/{credit_code}",
    ):
        assert path in paths, path


def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_api_docs_load_nothing_from_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "swagger-ui-bundle.js" in html


def test_an_english_browser_still_gets_chinese_messages(client):
    response = client.post("/accounts/login/", {"username": ""}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "这个字段是必填项" in html and "This field is required" not in html
