"""Every registration endpoint against every role: who gets through, who is refused, and
that nobody ever gets a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yingshang.accounts.models import Role
from yingshang.accounts.services import NewUser, totp_enrol, user_create
from yingshang.licences.tests.conftest import sign_in

from . import journeys as j

pytestmark = pytest.mark.django_db
JSON = "application/json"

# endpoint -> (method, body); {code} and {notice} are filled in.
ENDPOINTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "/api/v1/registration/applications": ("post", {"kind": "change", "credit_code": "{code}"}),
    "/api/v1/registration/deregistrations": ("get", None),
    "/api/v1/registration/deregistrations/{notice}": ("get", None),
    "/api/v1/registration/deregistrations/{notice}/objections": (
        "post",
        {"objector": "某人", "contact": "13800000000", "grounds": "欠款"},
    ),
    "/api/v1/registration/outbound": ("get", None),
    "/api/v1/registration/restrictions": (
        "post",
        {
            "credit_code": "{code}",
            "kind": "abnormal_operation",
            "authority": "浦东新区市场监督管理局",
            "reference": "沪监管浦异〔2026〕9号",
            "since": "2026-01-05",
        },
    ),
    "/api/v1/names/check": ("post", {"name": "上海鑫达贸易有限公司", "region": "310000"}),
}
PUBLIC = {
    "/api/v1/registration/deregistrations",
    "/api/v1/registration/deregistrations/{notice}",
    "/api/v1/registration/deregistrations/{notice}/objections",
    "/api/v1/names/check",
}
OFFICIAL_ONLY = {"/api/v1/registration/outbound", "/api/v1/registration/restrictions"}
# Who may record an abnormal-operation listing; who may pull (the department must be one
# that receives registration facts: none of the test officials' is, so leaders only).
MAY_RECORD = {Role.INSPECTOR, Role.REGISTRATION_OFFICER, Role.LEADER}


@pytest.fixture
def world() -> dict[str, str]:
    founder = j.person("founder", 121)
    closing = j.establish(founder)
    closing.refresh_from_db()
    notice = j.deregister(founder, closing.credit_code).number
    j.registration_officer()  # creates the department PD-SAMR
    return {"code": closing.credit_code, "notice": notice}


def _client(role: Role | None) -> Client:
    client = Client()
    if role is None:
        return client
    user = user_create(
        actor="test",
        new=NewUser(
            username=f"m-{role.value}",
            password=j.PASSWORD,
            role=role,
            department_code="PD-SAMR" if role.is_official else "",
            jurisdiction=j.REGION if role.is_official else "",
            entity_credit_code="91310000MA1FL8XQ11" if role is Role.ENTERPRISE else "",
        ),
    )
    if role.is_official:
        totp_enrol(actor="test", user=user)
        return sign_in(client, user)
    client.force_login(user)
    return client


def _fill(value: Any, world: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.replace("{code}", world["code"]).replace("{notice}", world["notice"])
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_every_endpoint_for_every_role(world, role):
    client = _client(role)
    for path, (method, body) in ENDPOINTS.items():
        url = _fill(path, world)
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, _fill(body, world), JSON)
        status = response.status_code
        assert status < 500, (path, role, response.content)
        if path in PUBLIC:
            assert status in (200, 201), (path, role, response.content)
        elif role is None:
            assert status == 401, (path, status)
        elif path in OFFICIAL_ONLY and not role.is_official:
            assert status in (401, 403), (path, role, status)
        elif path == "/api/v1/registration/restrictions":
            assert (status == 201) == (role in MAY_RECORD), (path, role, response.content)
        elif path == "/api/v1/registration/outbound":
            assert (status == 200) == (role is Role.LEADER), (path, role, response.content)
        elif path == "/api/v1/registration/applications":
            # Only the entity's own account or legal representative may apply; none of these
            # users is, so every signed-in role is refused (officials need a named applicant).
            assert status in (400, 403), (path, role, response.content)
