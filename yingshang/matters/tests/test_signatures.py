"""Signatures: a fresh login, the exact digest, a platform signature anyone can verify."""

from __future__ import annotations

import base64
import hashlib

import pytest
from axes.models import AccessAttempt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger.models import LedgerEvent
from yingshang.licences.tests.conftest import sign_in
from yingshang.matters.catalogue import matters_load
from yingshang.matters.models import Signature, State
from yingshang.matters.services import (
    Action,
    application_act,
    application_create,
    application_digest,
    material_add,
)
from yingshang.matters.signatures import (
    application_sign,
    signature_record,
    signature_verify,
    statement_text,
)

from .conftest import PASSWORD, PDF, matter_with_materials, sign_application, totp_now

DIGEST = hashlib.sha256(b"what the signer saw").hexdigest()


def _record(user, **overrides):
    fields = {
        "signer": user,
        "password": PASSWORD,
        "purpose": "name-commitment",
        "subject": "name:上海鑫达贸易有限公司",
        "digest": DIGEST,
    } | overrides
    return signature_record(**fields)


def test_a_signature_records_the_facts_and_verifies(applicant):
    signature = _record(applicant)
    assert signature.auth_method == "password" and signature.signer_name == "applicant"
    assert signature.statement == statement_text(signature)
    assert f'"digest":"{DIGEST}"' in signature.statement
    assert signature_verify(signature)
    event = LedgerEvent.objects.filter(event_type="matters.signature.recorded").get()
    assert event.payload_data["signature"] == signature.platform_signature
    assert event.subject == "name:上海鑫达贸易有限公司"


def test_anyone_verifies_it_with_the_published_ledger_key(applicant, client: Client):
    signature = _record(applicant)
    keys = {k["key_id"]: k["public_key"] for k in client.get("/api/v1/ledger/keys").json()}
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys[signature.key_id]))
    public.verify(  # raises InvalidSignature if it does not verify
        base64.b64decode(signature.platform_signature), signature.statement.encode("utf-8")
    )


def test_a_tampered_statement_or_fact_does_not_verify(applicant):
    signature = _record(applicant)
    Signature.objects.filter(pk=signature.pk).update(
        statement=signature.statement.replace(DIGEST, "0" * 64)
    )
    assert not signature_verify(Signature.objects.get(pk=signature.pk))
    Signature.objects.filter(pk=signature.pk).update(statement=signature.statement, digest="0" * 64)
    assert not signature_verify(Signature.objects.get(pk=signature.pk))
    Signature.objects.filter(pk=signature.pk).update(digest=DIGEST, platform_signature="AAAA")
    assert not signature_verify(Signature.objects.get(pk=signature.pk))


def test_a_wrong_password_is_refused_counted_and_records_nothing(applicant):
    with pytest.raises(DomainError) as exc:
        _record(applicant, password="wrong-password")
    assert exc.value.code == ErrorCode.AUTH_FAILED
    assert AccessAttempt.objects.get(username="applicant").failures_since_start == 1
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("digest", "ABC"),
        ("digest", DIGEST.upper()),
        ("purpose", ""),
        ("purpose", "x" * 33),
        ("subject", " "),
        ("subject", "x" * 201),
        ("subject", "bad\x00subject"),
    ],
)
def test_bad_input_is_refused_before_the_password_is_checked(applicant, field, value):
    with pytest.raises(DomainError) as exc:
        _record(applicant, password="wrong-password", **{field: value})
    assert exc.value.code == ErrorCode.INVALID_INPUT and exc.value.details["field"] == field
    assert not AccessAttempt.objects.exists()


def test_an_official_signs_with_password_and_totp(officer):
    with pytest.raises(DomainError) as exc:
        _record(officer)
    assert exc.value.code == ErrorCode.AUTH_FAILED
    signature = _record(officer, otp_token=totp_now(officer, offset=0))
    assert signature.auth_method == "password+totp" and signature_verify(signature)


def test_submission_needs_the_applicants_signature_over_the_submitted_digest(draft, applicant):
    assert matters_load().matter(draft.matter_code).signature_required
    with pytest.raises(DomainError) as exc:
        application_act(
            by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="sig-key-01"
        )
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED
    sign_application(draft)
    _matter, situation = matter_with_materials()
    material_add(  # the application changes after signing: the signature is stale
        by=applicant,
        number=draft.number,
        material_code=situation.materials[0].code,
        filename="a.pdf",
        content=PDF,
    )
    with pytest.raises(DomainError) as exc:
        application_act(
            by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="sig-key-01"
        )
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED
    signature = sign_application(draft)
    submitted = application_act(
        by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="sig-key-01"
    )
    assert submitted.state == State.SUBMITTED and submitted.digest == signature.digest


def test_a_tampered_signature_does_not_count_for_submission(draft, applicant):
    signature = sign_application(draft)
    Signature.objects.filter(pk=signature.pk).update(signer_name="someone else")
    with pytest.raises(DomainError) as exc:
        application_act(
            by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="sig-key-02"
        )
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED


def test_the_signer_signs_exactly_what_they_saw(draft, applicant):
    seen = application_digest(draft)
    _matter, situation = matter_with_materials()
    material_add(
        by=applicant,
        number=draft.number,
        material_code=situation.materials[0].code,
        filename="a.pdf",
        content=PDF,
    )
    with pytest.raises(DomainError) as exc:
        application_sign(by=applicant, number=draft.number, password=PASSWORD, expected_digest=seen)
    assert exc.value.code == ErrorCode.STALE_VERSION
    assert exc.value.details["digest"] == application_digest(draft)
    assert not Signature.objects.exists()


def test_only_the_applicant_signs_and_the_officer_only_co_signs(applicant, officer, db):
    matter, situation = matter_with_materials()
    counter = application_create(
        by=officer, matter_code=matter.code, situation_code=situation.code, applicant=applicant
    )
    own = sign_application(counter, officer)
    assert own.purpose == "counter-officer" and own.auth_method == "password+totp"
    with pytest.raises(DomainError) as exc:  # the officer's signature is not the applicant's
        application_act(
            by=officer, number=counter.number, action=Action.SUBMIT, idempotency_key="counter-02"
        )
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED
    assert sign_application(counter).purpose == "application"
    application_act(
        by=officer, number=counter.number, action=Action.SUBMIT, idempotency_key="counter-02"
    )
    online = application_create(by=applicant, matter_code=matter.code)
    with pytest.raises(DomainError) as exc:
        sign_application(online, officer)
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as exc:  # submitted: nothing left to sign
        sign_application(counter)
    assert exc.value.code == ErrorCode.INVALID_STATE


def test_matters_that_do_not_require_signing_submit_without(applicant):
    matter = next(m for m in matters_load().matters if not m.signature_required)
    draft = application_create(by=applicant, matter_code=matter.code)
    submitted = application_act(
        by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="no-sig-01"
    )
    assert submitted.state == State.SUBMITTED


def test_the_catalogue_marks_the_registration_matters():
    required = {m.code for m in matters_load().matters if m.signature_required}
    assert required == {
        "enterprise-establishment",
        "enterprise-change",
        "enterprise-simple-deregistration",
        "name-declaration",
    }


def test_the_signature_api_and_its_permissions(client: Client, draft, applicant, officer):
    url = f"/api/v1/applications/{draft.number}/signatures"
    digest = application_digest(draft)
    body = {"password": PASSWORD, "digest": digest}
    assert client.post(url, body, "application/json").status_code == 401
    client.force_login(applicant)
    wrong = client.post(url, {"password": "nope", "digest": digest}, "application/json")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "AUTH_FAILED"
    stale = client.post(url, {"password": PASSWORD, "digest": "0" * 64}, "application/json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "STALE_VERSION"
    missing = client.post(url, {"digest": digest}, "application/json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "INVALID_INPUT"
    created = client.post(url, body, "application/json")
    assert created.status_code == 201 and created.json()["verified"] is True
    listed = client.get(url).json()
    assert [s["digest"] for s in listed] == [digest]
    officer_client = sign_in(Client(), officer)  # an online application: not the officer's
    denied = officer_client.post(url, body | {"otp_token": totp_now(officer)}, "application/json")
    assert denied.status_code == 403
    assert len(officer_client.get(url).json()) == 1
    submit = client.post(
        f"/api/v1/applications/{draft.number}/actions/submit",
        {"idempotency_key": "api-sig-01"},
        "application/json",
    )
    assert submit.status_code == 200 and submit.json()["digest"] == digest


def test_submitting_unsigned_through_the_api_is_a_422(client: Client, draft, applicant):
    client.force_login(applicant)
    response = client.post(
        f"/api/v1/applications/{draft.number}/actions/submit",
        {"idempotency_key": "api-sig-02"},
        "application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "SIGNATURE_REQUIRED"


def test_the_case_view_signs_and_shows_signatures(client: Client, draft, applicant):
    client.force_login(applicant)
    url = f"/matters/applications/{draft.number}/"
    page = client.get(url).content.decode()
    assert 'data-testid="sign-form"' in page and "尚无签名" in page
    unsigned = client.post(
        url, {"action": "submit", "version": "1", "idempotency_key": "page-sig-01"}
    )
    assert unsigned.status_code == 422 and "签名" in unsigned.content.decode()
    digest = application_digest(draft)
    wrong = client.post(url, {"action": "sign", "password": "nope", "digest": digest})
    assert wrong.status_code == 401 and "密码" in wrong.content.decode()
    signed = client.post(url, {"action": "sign", "password": PASSWORD, "digest": digest})
    assert signed.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="signature-verified"' in page and digest[:16] in page
    submitted = client.post(
        url, {"action": "submit", "version": "1", "idempotency_key": "page-sig-01"}
    )
    assert submitted.status_code == 302
    assert 'data-testid="sign-form"' not in client.get(url).content.decode()
