"""The registration API: a whole establishment, change and deregistration over HTTP, the
public notices and objections, the registrar's decisions, the departments' pull."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from yingshang.accounts.models import Department
from yingshang.licences.tests.conftest import sign_in
from yingshang.registration.models import Deregistration

from . import journeys as j

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def _sign_and_submit(client: Client, number: str) -> dict[str, Any]:
    current = _ok(client.get(f"/api/v1/applications/{number}"))
    _ok(
        client.post(
            f"/api/v1/applications/{number}/signatures",
            {"password": j.PASSWORD, "digest": current["digest"]},
            JSON,
        ),
        201,
    )
    return _ok(
        client.post(
            f"/api/v1/applications/{number}/actions/submit",
            {"idempotency_key": secrets.token_hex(8)},
            JSON,
        )
    )


def _upload(client: Client, number: str) -> None:
    _ok(
        client.post(
            f"/api/v1/applications/{number}/materials",
            {
                "material_code": "domicile-proof",
                "file": SimpleUploadedFile("lease.pdf", j.PDF, content_type="application/pdf"),
            },
        ),
        201,
    )


def _establish(client: Client, founder) -> str:
    trade = j.unique_trade_name()
    reservation = _ok(
        client.post(
            "/api/v1/names/reservations",
            {
                "name": f"上海{trade}科技有限公司",
                "region": j.REGION,
                "industry": "6513",
                "entity_type": "limited_np",
            },
            JSON,
        ),
        201,
    )
    form = j.establishment_data(founder, reservation["number"])
    partial = {k: form[k] for k in ("reservation", "entity_type")}
    draft = _ok(
        client.post(
            "/api/v1/registration/applications",
            {"kind": "establishment", "situation": "llc", "data": partial},
            JSON,
        ),
        201,
    )
    number = draft["number"]
    saved = _ok(
        client.put(
            f"/api/v1/registration/applications/{number}/data",
            {"data": form, "expected_version": draft["version"]},
            JSON,
        )
    )
    assert saved["data"]["address"] == form["address"]
    _upload(client, number)
    submitted = _sign_and_submit(client, number)
    assert submitted["state"] == "completed", submitted
    checks = _ok(client.get(f"/api/v1/registration/applications/{number}/checks"))
    assert checks["automatic"] and len(checks["credit_code"]) == 18
    return checks["credit_code"]


def test_establish_change_and_deregister_over_http(client: Client):
    founder = j.person("founder", 111, name="赵敏")
    client.force_login(founder)
    code = _establish(client, founder)

    change = _ok(
        client.post(
            "/api/v1/registration/applications",
            {
                "kind": "change",
                "credit_code": code,
                "data": {"changes": {"address": "上海市浦东新区世纪大道8号"}},
            },
            JSON,
        ),
        201,
    )
    assert change["data"]["base_version"] == 1
    _upload(client, change["number"])
    assert _sign_and_submit(client, change["number"])["state"] == "completed"
    entity = _ok(client.get(f"/api/v1/entities/{code}"))
    assert entity["address"] == "上海市浦东新区世纪大道8号"

    dereg = _ok(
        client.post(
            "/api/v1/registration/applications",
            {"kind": "deregistration", "credit_code": code, "data": {"reason": "不再经营。"}},
            JSON,
        ),
        201,
    )
    number = dereg["number"]
    checks = _ok(client.get(f"/api/v1/registration/applications/{number}/checks"))
    assert checks["commitments_missing"] == ["赵敏"]
    wrong = client.post(
        f"/api/v1/registration/applications/{number}/commitments", {"password": "nope"}, JSON
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "AUTH_FAILED"
    _ok(
        client.post(
            f"/api/v1/registration/applications/{number}/commitments",
            {"password": j.PASSWORD},
            JSON,
        ),
        201,
    )
    assert _sign_and_submit(client, number)["state"] == "under_review"

    public = Client()
    listed = _ok(public.get("/api/v1/registration/deregistrations"))
    assert [n["credit_code"] for n in listed] == [code]
    notice_number = listed[0]["number"]
    objection = _ok(
        public.post(
            f"/api/v1/registration/deregistrations/{notice_number}/objections",
            {"objector": "钱多多", "contact": "13912345678", "grounds": "尚有欠款未付。"},
            JSON,
        ),
        201,
    )
    assert objection["state"] == "pending"
    blank = public.post(
        f"/api/v1/registration/deregistrations/{notice_number}/objections",
        {"objector": "钱多多", "contact": "13912345678", "grounds": "  "},
        JSON,
    )
    assert blank.status_code == 400 and blank.json()["error"]["details"]["field"] == "grounds"

    officer = sign_in(Client(), j.registration_officer())
    assert (
        public.post(
            f"/api/v1/registration/objections/{objection['number']}/decision",
            {"upheld": False, "reason": "已清偿"},
            JSON,
        ).status_code
        == 401
    )
    decided = _ok(
        officer.post(
            f"/api/v1/registration/objections/{objection['number']}/decision",
            {"upheld": False, "reason": "申请人提供了清偿凭证。"},
            JSON,
        )
    )
    assert decided["state"] == "dismissed"
    early = officer.post(f"/api/v1/applications/{number}/actions/approve", {}, JSON)
    assert early.status_code == 409 and "公告期" in early.json()["error"]["message"]
    today = timezone.localdate()
    Deregistration.objects.filter(number=notice_number).update(
        notice_starts_on=today - datetime.timedelta(days=21),
        notice_ends_on=today - datetime.timedelta(days=1),
    )
    late = public.post(
        f"/api/v1/registration/deregistrations/{notice_number}/objections",
        {"objector": "孙", "contact": "1", "grounds": "迟到"},
        JSON,
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "DEADLINE_PASSED"
    approved = _ok(officer.post(f"/api/v1/applications/{number}/actions/approve", {}, JSON))
    assert approved["state"] == "approved"
    assert _ok(public.get(f"/api/v1/entities/{code}"))["status"] == "cancelled"


def test_departments_pull_only_their_notices_in_order(client: Client):
    founder = j.person("founder", 112)
    application = j.establish(founder)
    application.refresh_from_db()
    Department.objects.create(
        code="PD-TAX", name="浦东新区税务局", region_code=j.REGION, function="SW"
    )
    tax = j.official("taxman", role="licensing_officer", department="PD-TAX")
    taxed = sign_in(Client(), tax)
    first = _ok(taxed.get("/api/v1/registration/outbound"))
    assert [(n["department"], n["event"], n["credit_code"]) for n in first] == [
        ("SW", "established", application.credit_code)
    ]
    assert "legal_representative_id_number" not in first[0]["payload"]
    assert _ok(taxed.get(f"/api/v1/registration/outbound?after={first[0]['id']}")) == []
    registrar = sign_in(Client(), j.registration_officer())
    refused = registrar.get("/api/v1/registration/outbound")
    assert refused.status_code == 403
    client.force_login(founder)
    assert client.get("/api/v1/registration/outbound").status_code == 401


def test_restrictions_need_the_right_role_and_block_deregistration(client: Client):
    founder = j.person("founder", 113)
    application = j.establish(founder)
    application.refresh_from_db()
    body = {
        "credit_code": application.credit_code,
        "kind": "equity_frozen",
        "authority": "上海市浦东新区人民法院",
        "reference": "（2026）沪0115执1号",
        "since": timezone.localdate().isoformat(),
    }
    inspector = sign_in(Client(), j.official("inspector", role="inspector"))
    denied = inspector.post("/api/v1/registration/restrictions", body, JSON)
    assert denied.status_code == 403
    registrar = sign_in(Client(), j.registration_officer())
    row = _ok(registrar.post("/api/v1/registration/restrictions", body, JSON), 201)
    client.force_login(founder)
    dereg = _ok(
        client.post(
            "/api/v1/registration/applications",
            {
                "kind": "deregistration",
                "credit_code": application.credit_code,
                "data": {"reason": "歇业"},
            },
            JSON,
        ),
        201,
    )
    _ok(
        client.post(
            f"/api/v1/registration/applications/{dereg['number']}/commitments",
            {"password": j.PASSWORD},
            JSON,
        ),
        201,
    )
    current = _ok(client.get(f"/api/v1/applications/{dereg['number']}"))
    _ok(
        client.post(
            f"/api/v1/applications/{dereg['number']}/signatures",
            {"password": j.PASSWORD, "digest": current["digest"]},
            JSON,
        ),
        201,
    )
    refused = client.post(
        f"/api/v1/applications/{dereg['number']}/actions/submit",
        {"idempotency_key": "dereg-key-01"},
        JSON,
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "NOT_ELIGIBLE"
    lifted = _ok(
        registrar.post(
            f"/api/v1/registration/restrictions/{row['id']}/lift", {"reason": "已解除冻结"}, JSON
        )
    )
    assert lifted["lifted_on"] == timezone.localdate().isoformat()


def test_bad_requests_get_codes_not_500(client: Client):
    founder = j.person("founder", 114)
    client.force_login(founder)
    bad_kind = client.post("/api/v1/registration/applications", {"kind": "merge"}, JSON)
    assert bad_kind.status_code == 400 and bad_kind.json()["error"]["details"]["field"] == "kind"
    unknown = client.post(
        "/api/v1/registration/applications",
        {"kind": "change", "credit_code": "91310000MA1FL8XQ3D"},
        JSON,
    )
    assert unknown.status_code in (400, 404)
    assert client.get("/api/v1/registration/deregistrations/ZX-NOPE").status_code == 404
    missing = client.get("/api/v1/registration/applications/BJ-NOPE/checks")
    assert missing.status_code == 404
