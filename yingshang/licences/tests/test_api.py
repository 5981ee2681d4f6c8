"""The licences API: public verification and reads, and the officials' endpoints."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from yingshang.accounts.models import Role
from yingshang.core.sm2 import sm2_public_key_from_pem
from yingshang.licences.models import Licence, LicenceState, TrustedIssuer
from yingshang.licences.qr import qr_payload_encode
from yingshang.licences.sm2sig import sm2_signature_verify
from yingshang.licences.statuslist import StatusBitstring
from yingshang.licences.verification import credential_verify

from .conftest import ZJ_DID, foreign_licence, sign_in, zj_entry

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/credentials/verify"


def _post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(
        url, data=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


def _error(response) -> dict[str, Any]:
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error


# --- Verify ------------------------------------------------------------------------------------


def test_verify_a_raw_credential(client, licence):
    response = _post_json(client, VERIFY, licence.credential)
    assert response.status_code == 200
    verdict = response.json()
    assert verdict["valid"] is True and verdict["reasons"] == []
    assert [check["check"] for check in verdict["checks"]] == [
        "format",
        "issuer",
        "signature",
        "validity",
        "status",
    ]
    assert verdict["issuer"]["did"] == settings.LICENCE_ISSUER_DID
    assert verdict["credential"]["subject"]["creditCode"] == licence.credit_code
    assert verdict["source"] == "json"


def test_verify_a_wrapped_credential(client, licence):
    response = _post_json(client, VERIFY, {"credential": licence.credential})
    assert response.status_code == 200 and response.json()["valid"] is True


def test_verify_a_wrapped_tampered_credential(client, licence):
    tampered = copy.deepcopy(licence.credential)
    tampered["credentialSubject"]["entityName"] = "上海假冒贸易有限公司"
    response = _post_json(client, VERIFY, {"credential": tampered})
    assert response.status_code == 200
    assert response.json()["valid"] is False and response.json()["reasons"] == ["TAMPERED"]


def test_verify_a_wrapped_qr_payload(client, licence):
    response = _post_json(client, VERIFY, {"qr": qr_payload_encode(licence.credential)})
    assert response.status_code == 200
    assert response.json()["valid"] is True and response.json()["source"] == "qr"


def test_verify_qr_as_plain_text(client, licence):
    response = client.post(
        VERIFY, data=qr_payload_encode(licence.credential), content_type="text/plain"
    )
    assert response.status_code == 200
    assert response.json()["valid"] is True and response.json()["source"] == "qr"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"a": 1, "a": 2}', "application/json"),
        (b"[1,2]", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe\xfd", "application/octet-stream"),
        (b"YSVC1:garbage", "text/plain"),
        (b'{"credential": "not an object"}', "application/json"),
        (b'{"credential": [1]}', "application/json"),
        (b'{"qr": 42}', "application/json"),
        (b'{"validFrom": NaN}', "application/json"),
    ],
)
def test_malformed_bodies_get_a_malformed_verdict(client, body, content_type):
    response = client.post(VERIFY, data=body, content_type=content_type)
    assert response.status_code == 200
    verdict = response.json()
    assert verdict["valid"] is False
    assert verdict["reasons"] in (["MALFORMED"], ["UNKNOWN_CONTEXT"])


def test_malformed_json_is_malformed_not_a_500(client):
    response = client.post(VERIFY, data=b"{not json", content_type="application/json")
    assert response.status_code == 200
    assert response.json()["reasons"] == ["MALFORMED"]
    assert response.json()["checks"][0]["message"]


def test_too_large_body_is_413_with_a_verdict(client):
    body = json.dumps({"credential": {"x": "y" * (64 * 1024)}})
    response = client.post(VERIFY, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["valid"] is False
    assert response.json()["reasons"] == ["TOO_LARGE"]


def test_verify_needs_no_sign_in_and_no_csrf(licence):
    client = Client(enforce_csrf_checks=True)
    response = _post_json(client, VERIFY, licence.credential)
    assert response.status_code == 200 and response.json()["valid"] is True


# --- Public reads ------------------------------------------------------------------------------


def test_entity_licence(client, licence):
    response = client.get(f"/api/v1/entities/{licence.credit_code}/licence")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json() == licence.credential
    assert credential_verify(response.json()).valid


def test_entity_licence_is_the_latest_one(client, licence, officer):
    sign_in(client, officer)
    response = client.post(
        f"/api/v1/entities/{licence.credit_code}/licence", data="", content_type="application/json"
    )
    assert response.status_code == 201
    second = response.json()["licence_id"]
    response = client.get(f"/api/v1/entities/{licence.credit_code}/licence")
    assert response.json()["credentialSubject"]["licenceId"] == second != licence.licence_id


def test_entity_without_licence_is_404(client, entity):
    response = client.get(f"/api/v1/entities/{entity.credit_code}/licence")
    assert response.status_code == 404
    error = _error(response)
    assert error["code"] == "NOT_FOUND"
    assert entity.credit_code in error["message"]


@pytest.mark.parametrize("code", ["NOTACODE", "91310115MA1FL5XK0Q", "%E8%90%A5"])
@pytest.mark.parametrize("suffix", ["", "/sm2", "/qr"])
def test_bad_codes_are_404_in_the_error_shape(client, db, code, suffix):
    response = client.get(f"/api/v1/entities/{code}/licence{suffix}")
    assert response.status_code == 404
    assert _error(response)["code"] == "NOT_FOUND"


def test_entity_licence_sm2(client, licence):
    response = client.get(f"/api/v1/entities/{licence.credit_code}/licence/sm2")
    assert response.status_code == 200
    body = response.json()
    assert body["licence_id"] == licence.licence_id
    public = sm2_public_key_from_pem(body["public_key_pem"])
    assert sm2_signature_verify(
        credential=licence.credential, signature=body["signature"], public_key=public
    )
    other = {**licence.credential, "name": "假"}
    assert not sm2_signature_verify(
        credential=other, signature=body["signature"], public_key=public
    )


def test_entity_licence_qr(client, licence):
    response = client.get(f"/api/v1/entities/{licence.credit_code}/licence/qr")
    assert response.status_code == 200
    body = response.json()
    assert body["licence_id"] == licence.licence_id
    assert body["payload"].startswith("YSVC1:")
    verified = client.post(VERIFY, data=body["payload"], content_type="text/plain").json()
    assert verified["valid"] is True and verified["source"] == "qr"


def test_status_list(client, licence):
    response = client.get("/api/v1/status-lists/revocation-1")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    published = response.json()
    assert published["id"] == f"{settings.PUBLIC_BASE_URL}/api/v1/status-lists/revocation-1"
    assert published["credentialSubject"]["statusPurpose"] == "revocation"
    assert "proof" in published
    bits = StatusBitstring.decode(published["credentialSubject"]["encodedList"])
    assert bits.get(licence.status_index) == 0


def test_unknown_status_list_is_404(client, db):
    response = client.get("/api/v1/status-lists/revocation-99")
    assert response.status_code == 404
    assert _error(response)["code"] == "NOT_FOUND"


def test_revoke_via_the_api_is_visible_in_the_status_list_right_after(client, licence, officer):
    sign_in(client, officer)
    response = _post_json(
        client, f"/api/v1/licences/{licence.licence_id}/revoke", {"reason": "以欺骗手段取得"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "revoked"
    published = Client().get("/api/v1/status-lists/revocation-1").json()
    bits = StatusBitstring.decode(published["credentialSubject"]["encodedList"])
    assert bits.get(licence.status_index) == 1
    verdict = _post_json(Client(), VERIFY, licence.credential).json()
    assert verdict["reasons"] == ["REVOKED"]


def test_did_document(client, licence):
    response = client.get("/api/v1/issuer/did.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+json")
    document = response.json()
    assert document["id"] == settings.LICENCE_ISSUER_DID
    ids = [method["id"] for method in document["verificationMethod"]]
    assert licence.credential["proof"]["verificationMethod"] in ids


def test_trust_bundle_endpoint(client, licence):
    from yingshang.licences.trust import BundleTrust

    response = client.get("/api/v1/trust-bundle")
    assert response.status_code == 200
    bundle = response.json()
    assert credential_verify(licence.credential, trust=BundleTrust(bundle)).valid


def test_trust_list_endpoint(client, zj_trusted):
    response = client.get("/api/v1/trust-list")
    assert response.status_code == 200
    [entry] = response.json()
    assert entry["did"] == ZJ_DID and entry["active"] is True
    assert entry["region_code"] == "330000"
    assert entry["did_document"]["id"] == ZJ_DID


# --- Officials: who may call -------------------------------------------------------------------


def _official_calls(licence: Licence, zj_issuer) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"/api/v1/entities/{licence.credit_code}/licence", {}),
        (f"/api/v1/licences/{licence.licence_id}/suspend", {"reason": "调查"}),
        ("/api/v1/trust-list", zj_entry(zj_issuer)),
    ]


def test_anonymous_is_401(client, licence, zj_issuer):
    for url, body in _official_calls(licence, zj_issuer):
        response = _post_json(client, url, body)
        assert response.status_code == 401, url
        assert _error(response)["code"] == "NOT_AUTHENTICATED"
    assert Licence.objects.count() == 1


def test_password_only_session_is_401(client, licence, officer, zj_issuer):
    client.force_login(officer)  # no second factor
    for url, body in _official_calls(licence, zj_issuer):
        response = _post_json(client, url, body)
        assert response.status_code == 401, url
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE


def test_public_user_is_401(client, licence, enterprise_user, zj_issuer):
    client.force_login(enterprise_user)
    for url, body in _official_calls(licence, zj_issuer):
        response = _post_json(client, url, body)
        assert response.status_code == 401, url
    assert not TrustedIssuer.objects.exists()


def test_wrong_role_is_403(client, licence, make_official, zj_issuer):
    sign_in(client, make_official(role=Role.INSPECTOR, username="inspector"))
    for url, body in _official_calls(licence, zj_issuer):
        response = _post_json(client, url, body)
        assert response.status_code == 403, url
        assert _error(response)["code"] == "PERMISSION_DENIED"
    assert Licence.objects.count() == 1
    assert not TrustedIssuer.objects.exists()


def test_licensing_officer_issues(client, entity, officer):
    sign_in(client, officer)
    response = _post_json(
        client, f"/api/v1/entities/{entity.credit_code}/licence", {"cryptosuite": "eddsa-jcs-2022"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == entity.credit_code and body["state"] == "active"
    assert body["cryptosuite"] == "eddsa-jcs-2022"
    assert credential_verify(body["credential"]).valid


def test_issue_without_a_body_uses_the_default_suite(client, entity, officer):
    sign_in(client, officer)
    # an empty body, as `curl -X POST` sends it
    response = client.post(
        f"/api/v1/entities/{entity.credit_code}/licence", data="", content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["cryptosuite"] == "eddsa-rdfc-2022"


def test_issue_errors_are_in_the_error_shape(client, entity, officer):
    sign_in(client, officer)
    bad_suite = _post_json(
        client, f"/api/v1/entities/{entity.credit_code}/licence", {"cryptosuite": "rsa"}
    )
    assert bad_suite.status_code == 400
    assert _error(bad_suite)["details"] == {"field": "cryptosuite"}
    unknown = _post_json(client, "/api/v1/entities/91310115MA1FL5XK0Q/licence", {})
    assert unknown.status_code == 404 and _error(unknown)["code"] == "NOT_FOUND"


def test_suspend_reinstate_revoke(client, licence, officer):
    sign_in(client, officer)
    base = f"/api/v1/licences/{licence.licence_id}"
    suspended = _post_json(client, f"{base}/suspend", {"reason": "调查"})
    assert suspended.status_code == 200 and suspended.json()["state"] == "suspended"
    assert suspended.json()["state_reason"] == "调查"
    assert _post_json(Client(), VERIFY, licence.credential).json()["reasons"] == ["SUSPENDED"]

    reinstated = _post_json(client, f"{base}/reinstate", {"reason": "整改完毕"})
    assert reinstated.status_code == 200 and reinstated.json()["state"] == "active"
    assert _post_json(Client(), VERIFY, licence.credential).json()["valid"] is True

    revoked = _post_json(client, f"{base}/revoke", {"reason": "吊销"})
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = _post_json(client, f"{base}/reinstate", {"reason": "恢复"})
    assert again.status_code == 409 and _error(again)["code"] == "INVALID_STATE"


def test_unknown_action_is_404(client, licence, officer):
    sign_in(client, officer)
    response = _post_json(client, f"/api/v1/licences/{licence.licence_id}/destroy", {"reason": "x"})
    assert response.status_code == 404
    assert _error(response)["code"] == "NOT_FOUND"
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE


def test_unknown_licence_is_404(client, db, officer):
    sign_in(client, officer)
    response = _post_json(client, "/api/v1/licences/nope/revoke", {"reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": 5}, {"why": "x"}])
def test_state_change_needs_a_reason(client, licence, officer, body):
    sign_in(client, officer)
    response = _post_json(client, f"/api/v1/licences/{licence.licence_id}/revoke", body)
    assert response.status_code == 400
    assert _error(response)["code"] == "INVALID_INPUT"


def test_trust_list_add_via_the_api_then_the_verifier_accepts(client, officer, zj_issuer, entity):
    credential = foreign_licence(zj_issuer, entity)
    assert _post_json(Client(), VERIFY, credential).json()["reasons"] == ["UNKNOWN_ISSUER"]

    sign_in(client, officer)
    response = _post_json(client, "/api/v1/trust-list", zj_entry(zj_issuer))
    assert response.status_code == 200, response.content
    assert response.json()["did"] == ZJ_DID

    verdict = _post_json(Client(), VERIFY, credential).json()
    assert verdict["valid"] is True
    assert verdict["issuer"]["did"] == ZJ_DID
    assert verdict["issuer"]["region_name"] == "浙江省"

    response = _post_json(
        client, f"/api/v1/trust-list/{ZJ_DID}/active", {"active": False, "reason": "停用"}
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert _post_json(Client(), VERIFY, credential).json()["reasons"] == ["UNKNOWN_ISSUER"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"did": "nope"}, "INVALID_INPUT", "did"),
        ({"region_code": "999999"}, "INVALID_REGION", "region_code"),
        ({"kind": "bank"}, "INVALID_INPUT", "kind"),
        ({"did_document": {"id": "did:web:other.example"}}, "INVALID_INPUT", "did_document"),
    ],
)
def test_trust_list_bad_entries_are_400(client, officer, zj_issuer, change, code, field):
    sign_in(client, officer)
    response = _post_json(client, "/api/v1/trust-list", {**zj_entry(zj_issuer), **change})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == code and error["details"]["field"] == field
    assert not TrustedIssuer.objects.exists()


def test_trust_list_missing_fields_are_400(client, officer):
    sign_in(client, officer)
    response = _post_json(client, "/api/v1/trust-list", {"did": ZJ_DID})
    assert response.status_code == 400
    assert _error(response)["code"] == "INVALID_INPUT"
