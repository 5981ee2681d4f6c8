"""The matters API: guides for everyone, applications with the services' rules."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yingshang.licences.tests.conftest import sign_in
from yingshang.matters.models import Application

from .conftest import PDF, matter_with_materials, sign_application

pytestmark = pytest.mark.django_db


def test_the_guides_are_public(client: Client):
    listing = client.get("/api/v1/matters").json()
    codes = {item["code"] for item in listing}
    assert {"enterprise-establishment", "enterprise-change"} <= codes
    guide = client.get("/api/v1/matters/enterprise-establishment").json()
    assert guide["legal_basis"] and guide["situations"] and guide["steps"]
    missing = client.get("/api/v1/matters/no-such-matter")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


def test_an_applicant_drafts_uploads_and_submits_then_an_officer_decides(
    client: Client, applicant, officer
):
    matter, situation = matter_with_materials()
    body = {"matter": matter.code, "situation": situation.code, "data": {"k": "v"}}
    assert client.post("/api/v1/applications", body, "application/json").status_code == 401
    client.force_login(applicant)
    created = client.post("/api/v1/applications", body, "application/json")
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    upload = client.post(
        f"/api/v1/applications/{number}/materials",
        {
            "material_code": situation.materials[0].code,
            "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/octet-stream"),
        },
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["content_type"] == "application/pdf"
    sign_application(Application.objects.get(number=number))
    submit = {"idempotency_key": "api-key-0001"}
    url = f"/api/v1/applications/{number}/actions/submit"
    first = client.post(url, submit, "application/json").json()
    again = client.post(url, submit, "application/json").json()
    assert first["state"] == "submitted" and again["version"] == first["version"]
    assert client.post(
        f"/api/v1/applications/{number}/actions/accept", {}, "application/json"
    ).status_code == 403  # fmt: skip
    officer_client = sign_in(Client(), officer)
    accepted = officer_client.post(
        f"/api/v1/applications/{number}/actions/accept",
        {"expected_version": first["version"]},
        "application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["deadline"]
    stale = officer_client.post(
        f"/api/v1/applications/{number}/actions/review",
        {"expected_version": first["version"]},
        "application/json",
    )
    assert stale.status_code == 409
    unknown = officer_client.post(
        f"/api/v1/applications/{number}/actions/teleport", {}, "application/json"
    )
    assert unknown.status_code == 404
    history = client.get(f"/api/v1/applications/{number}").json()["transitions"]
    assert [t["action"] for t in history] == ["submit", "accept"]
    other = Client()
    assert other.get(f"/api/v1/applications/{number}").status_code == 401
