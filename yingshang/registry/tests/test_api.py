"""The public API: shapes, error codes, masking, and no 500 for any input."""

from __future__ import annotations

import pytest

from yingshang.core.uscc import uscc_generate

from .conftest import BAD_CODE, CODE, ID_NUMBER

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    "a",
    "x" * 5000,
    "'",
    '"',
    '""',
    "' OR 1=1 --",
    "鑫达' OR '1'='1",
    "*",
    "**",
    "鑫*",
    "(鑫达)",
    ")(",
    "NEAR",
    "NEAR(鑫 达)",
    "鑫 AND 达",
    "鑫 OR 达",
    "NOT 鑫达",
    "-鑫达",
    "鑫-达",
    "^鑫",
    "鑫达:",
    "name:鑫达",
    "{鑫达}",
    "%",
    "%%",
    "_%_",
    "\\",
    "😀😀",
    "鑫\x00达",
    "\x00\x00",
    "\u202e鑫达",
    "鑫达\n贸易",
    "<script>alert(1)</script>",
    "9131011",
    "91310115MA1FL5XK0",
    "91310115ma1fl5xk0q",
    "IOSVZ1234567890123",
]


def test_search_shape(client, entity):
    response = client.get("/api/v1/entities", {"q": "鑫达", "page": 1, "page_size": 20})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "page", "page_size", "has_next"}
    assert body["page"] == 1 and body["page_size"] == 20 and body["has_next"] is False
    (item,) = body["items"]
    assert item["credit_code"] == entity.credit_code
    assert item["name"] == "上海鑫达贸易有限公司"
    assert item["region_name"] == "浦东新区"
    assert item["established_on"] == "2020-05-18"
    assert item["status"] == "active" and item["status_label"] == "存续"


def test_search_by_code_lower_case(client, register):
    entity = register(credit_code=CODE)
    body = client.get("/api/v1/entities", {"q": CODE.lower()}).json()
    assert [i["credit_code"] for i in body["items"]] == [entity.credit_code]


def test_search_errors(client, entity):
    response = client.get("/api/v1/entities", {"q": "鑫"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "QUERY_TOO_SHORT"
    assert client.get("/api/v1/entities").json()["error"]["code"] == "QUERY_TOO_SHORT"
    bad = client.get("/api/v1/entities", {"q": BAD_CODE}).json()["error"]
    assert bad["code"] == "INVALID_USCC" and bad["details"]["position"] == 18
    for params in (
        {"q": "鑫达", "page": "x"},
        {"q": "鑫达", "page": 0},
        {"q": "鑫达", "page_size": 1000},
    ):
        response = client.get("/api/v1/entities", params)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_odd_queries_never_fail(client, entity, q):
    response = client.get("/api/v1/entities", {"q": q})
    assert response.status_code in (200, 400), response.content[:300]
    body = response.json()
    if response.status_code == 400:
        assert body["error"]["code"] in ("QUERY_TOO_SHORT", "INVALID_INPUT", "INVALID_USCC")
        assert body["error"]["message"]
    else:
        assert isinstance(body["items"], list)


def test_public_record_is_masked(client, entity):
    response = client.get(f"/api/v1/entities/{entity.credit_code}")
    assert response.status_code == 200
    body = response.json()
    assert body["legal_representative"] == "张伟"
    assert (
        body["legal_representative_id_number_masked"] == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    )
    assert ID_NUMBER not in response.content.decode()
    assert "legal_representative_id_number" not in body
    assert "employees" not in body and "annual_revenue" not in body
    assert body["registered_capital"] in ("100.0000", "100", 100)
    assert body["business_term_end"] is None
    assert body["region_name"] == "上海市浦东新区"
    assert body["industry_name"] == "其他未列明批发业"
    assert body["version"] == 1


def test_public_record_lower_case_code(client, entity):
    response = client.get(f"/api/v1/entities/{entity.credit_code.lower()}")
    assert response.status_code == 200
    assert response.json()["credit_code"] == entity.credit_code


@pytest.mark.parametrize(
    "code",
    [
        "123",
        BAD_CODE,
        "91310115MA1FL5XKOQ",
        "%00",
        "鑫达贸易有限公司鑫达贸易有限公司鑫达",
        "x" * 300,
    ],
)
def test_malformed_code_is_400_with_position(client, db, code):
    response = client.get(f"/api/v1/entities/{code}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_USCC"
    assert "rule" in error["details"]
    assert error["message"]


def test_unknown_code_is_404(client, db):
    code = uscc_generate(region="310104", body="MA7Q8R9T").code
    response = client.get(f"/api/v1/entities/{code}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_versions(client, entity):
    from yingshang.registry.services import entity_change

    entity_change(
        actor="user:1",
        credit_code=entity.credit_code,
        changes={"legal_representative": "李娜"},
        expected_version=1,
        application_ref="BJ-1",
    )
    response = client.get(f"/api/v1/entities/{entity.credit_code}/versions")
    assert response.status_code == 200
    versions = response.json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["kind"] == "registered" and versions[0]["changed_fields"] == []
    assert versions[1]["changed_fields"] == ["legal_representative"]
    assert versions[1]["changed_field_labels"] == ["法定代表人（负责人、经营者）"]
    assert versions[1]["application_ref"] == "BJ-1"
    assert ID_NUMBER not in response.content.decode()
    assert client.get("/api/v1/entities/123/versions").status_code == 400


def test_openapi_documents_the_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/entities" in spec["paths"]
    assert "/api/v1/entities/{credit_code}" in spec["paths"]
