"""Every endpoint against every role: public reads are open to all and never leak the
full ID number; the full record needs an official's verified second factor (tested in
registry/tests/test_official_view.py); the admin needs staff with a second factor."""

from __future__ import annotations

import pytest
from django.test import Client

from yingshang.accounts.models import Role
from yingshang.accounts.services import NewUser, department_create, user_create
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import ID_NUMBER, raw_data

pytestmark = pytest.mark.django_db

PUBLIC_ENDPOINTS = [
    "/",
    "/healthz",
    "/entities/?q=鑫达",
    "/entities/{code}/",
    "/api/v1/entities?q=鑫达",
    "/api/v1/entities/{code}",
    "/api/v1/entities/{code}/versions",
    "/api/v1/ledger/head",
    "/api/v1/ledger/keys",
    "/api/v1/ledger/proof/inclusion?index=0",
    "/api/v1/ledger/proof/consistency?first=1",
    "/api/v1/ledger/events/0",
    "/api/v1/openapi.json",
]
ROLES = [None, *Role]


@pytest.fixture
def code(db) -> str:
    department_create(actor="test", code="SAMR", name="市场监督管理局", region_code="310000")
    entity = entity_register(actor="user:test", data=entity_data_parse(raw_data()))
    return entity.credit_code


def _client(role: Role | None, code: str) -> Client:
    client = Client()
    if role is None:
        return client
    user = user_create(
        actor="test",
        new=NewUser(
            username=f"u-{role.value}",
            password="Correct-horse-42",
            role=role,
            department_code="SAMR" if role.is_official else "",
            jurisdiction="310000" if role.is_official else "",
            entity_credit_code=code if role is Role.ENTERPRISE else "",
        ),
    )
    client.force_login(user)  # password only: no second factor
    return client


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_public_endpoints_for_every_role(role: Role | None, code: str) -> None:
    client = _client(role, code)
    for template in PUBLIC_ENDPOINTS:
        response = client.get(template.format(code=code))
        assert response.status_code == 200, (template, response.status_code)
        body = response.content.decode()
        assert ID_NUMBER not in body, template


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_admin_is_closed_without_staff_and_second_factor(role: Role | None, code: str) -> None:
    response = _client(role, code).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
