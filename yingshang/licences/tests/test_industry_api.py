"""The 一业一证 API: catalogue, one-form application, parallel review, post-check."""

from __future__ import annotations

import pytest
from django.test import Client

from yingshang.accounts.models import Role
from yingshang.licences.models import ApplicationState

from .conftest import (
    FOOD,
    FOOD_CONDITIONS,
    TOBACCO_COMMITMENTS,
    TOBACCO_MATERIALS,
    commit_all,
    sign_in,
)

pytestmark = pytest.mark.django_db


def test_catalogue_lists_five_real_industries_with_legal_basis(client: Client):
    response = client.get("/api/v1/industries")
    assert response.status_code == 200
    codes = {item["code"] for item in response.json()}
    assert {"convenience-store", "restaurant", "pharmacy", "gym", "hotel"} <= codes
    detail = client.get("/api/v1/industries/restaurant").json()
    conditions = [c for p in detail["permit_details"] for c in p["conditions"]]
    assert all("《" in c["legal_basis"] for c in conditions)
    assert {c["commitment_allowed"] for c in conditions} == {True, False}
    missing = client.get("/api/v1/industries/casino")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


def test_enterprise_applies_online_and_gets_the_licence_at_once(
    client: Client, applicant, entity, store_form
):
    body = {
        "credit_code": entity.credit_code,
        "industry": "convenience-store",
        "form": store_form,
        "commitments": commit_all(FOOD, FOOD_CONDITIONS),
    }
    assert client.post("/api/v1/industry-applications", body, "application/json").status_code == 401
    client.force_login(applicant)  # enterprises sign in with a password
    response = client.post("/api/v1/industry-applications", body, "application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == ApplicationState.APPROVED and data["on_commitment"]
    assert data["post_check_due_on"]
    again = client.get(f"/api/v1/industry-applications/{data['number']}")
    assert again.status_code == 200 and again.json()["licence_id"] == data["licence_id"]
    bad = client.post(
        "/api/v1/industry-applications",
        {**body, "form": {**store_form, "business_area_m2": "很大"}},
        "application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["details"]["field"] == "business_area_m2"


def test_department_reviews_and_inspector_post_checks_through_the_api(
    client: Client, applicant, entity, store_form, reviewer
):
    store_form.update(sells_tobacco=True)
    client.force_login(applicant)
    number = client.post(
        "/api/v1/industry-applications",
        {
            "credit_code": entity.credit_code,
            "industry": "convenience-store",
            "form": store_form,
            "commitments": [*commit_all(FOOD, FOOD_CONDITIONS), *TOBACCO_COMMITMENTS],
            "materials": TOBACCO_MATERIALS,
        },
        "application/json",
    ).json()["number"]
    officer = Client()
    sign_in(officer, reviewer("YCZM"))
    url = f"/api/v1/industry-applications/{number}/reviews/tobacco-retail"
    response = officer.post(url, {"approve": True}, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ApplicationState.APPROVED
    inspector = Client()
    sign_in(inspector, reviewer("SCJG", Role.INSPECTOR))
    response = inspector.post(
        f"/api/v1/industry-applications/{number}/post-check",
        {"passed": False, "findings": "未设置禁止向未成年人售烟标志"},
        "application/json",
    )
    assert response.status_code == 200, response.content
    licence_id = response.json()["licence_id"]
    verdict = (
        Client()
        .post(
            "/api/v1/credentials/verify",
            {"credential": applicant_licence(licence_id)},
            "application/json",
        )
        .json()
    )
    assert verdict["reasons"] == ["REVOKED"]


def applicant_licence(licence_id: str) -> dict:
    from yingshang.licences.models import Licence

    return Licence.objects.get(licence_id=licence_id).credential
