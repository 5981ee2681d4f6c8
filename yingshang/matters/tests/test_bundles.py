"""一件事 bundles: one form, one signature, one atomic and idempotent submission; each
department's queue shows its own part."""

from __future__ import annotations

import pytest
from django.test import Client

from yingshang.accounts.models import Role
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger.models import LedgerEvent
from yingshang.licences.tests.conftest import sign_in
from yingshang.matters.bundles import (
    bundle_create,
    bundle_digest,
    bundle_sign,
    bundle_status,
    bundle_submit,
)
from yingshang.matters.catalogue import matters_load
from yingshang.matters.handlers import MatterHandler, handler_for, handler_register
from yingshang.matters.models import Application, Bundle, BundleState, State
from yingshang.matters.selectors import application_queue
from yingshang.matters.services import Action, application_act, application_data_save

from .conftest import PASSWORD, totp_now

FORM: dict[str, object] = {
    "name": "上海鑫达贸易有限公司",
    "parts": {"seal-filing": {"seals": ["公章", "财务专用章"]}},
}


@pytest.fixture
def establishment_checked_elsewhere():
    """The registration module checks an establishment form (a reserved name, investors
    ...); these tests are about the bundle, so the establishment's own checks are left to
    the registration tests and its handler is the default one while they run."""
    original = handler_for("enterprise-establishment")
    handler_register("enterprise-establishment", MatterHandler())
    yield
    handler_register("enterprise-establishment", original)


def _official(code: str, function: str, username: str, role: Role = Role.REGISTRATION_OFFICER):
    department_create(actor="test", code=code, name=code, region_code="310115", function=function)
    user = user_create(
        actor="test",
        new=NewUser(
            username=username,
            password=PASSWORD,
            role=role,
            department_code=code,
            jurisdiction="310115",
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


def _signed(bundle, user):
    return bundle_sign(
        by=user, number=bundle.number, password=PASSWORD, expected_digest=bundle_digest(bundle)
    )


def test_one_form_opens_one_draft_per_member(applicant):
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    assert bundle.number.startswith("YJS") and bundle.state == BundleState.DRAFT
    spec = matters_load().bundle("enterprise-opening")
    members = {a.matter_code: a for a in Application.objects.filter(bundle=bundle)}
    assert set(members) == {m.code for m in spec.members}
    assert all(a.state == State.DRAFT and a.applicant == applicant for a in members.values())
    assert members["enterprise-establishment"].data == {"name": "上海鑫达贸易有限公司"}
    assert members["seal-filing"].data == {"seals": ["公章", "财务专用章"]}
    assert members["new-taxpayer-package"].data == {}
    status = bundle_status(bundle)
    assert status.state == "draft" and len(status.members) == len(spec.members)
    assert {m.department for m in status.members} >= {"SCJG", "GAJ", "SW"}
    with pytest.raises(DomainError) as exc:
        bundle_create(by=applicant, bundle_code="enterprise-opening", data={"parts": {"x": {}}})
    assert exc.value.details["field"] == "data.parts"
    with pytest.raises(DomainError) as exc:
        bundle_create(by=applicant, bundle_code="no-such-bundle", data={})
    assert exc.value.code == ErrorCode.NOT_FOUND


def test_one_signature_and_one_submission_submit_every_member_idempotently(
    applicant, establishment_checked_elsewhere
):
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    with pytest.raises(DomainError) as exc:
        bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-1")
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED
    # nothing was submitted: all or none
    assert set(Application.objects.filter(bundle=bundle).values_list("state", flat=True)) == {
        State.DRAFT
    }
    signature = _signed(bundle, applicant)
    assert signature.purpose == "bundle" and signature.subject == f"bundle:{bundle.number}"
    done = bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-1")
    assert done.state == BundleState.SUBMITTED and done.digest == signature.digest
    states = set(Application.objects.filter(bundle=bundle).values_list("state", flat=True))
    assert State.DRAFT not in states
    events = LedgerEvent.objects.filter(event_type="matters.bundle.submitted").count()
    again = bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-1")
    assert again.pk == done.pk
    assert LedgerEvent.objects.filter(event_type="matters.bundle.submitted").count() == events
    with pytest.raises(DomainError) as exc:
        bundle_submit(by=applicant, number=bundle.number, idempotency_key="other-key-2")
    assert exc.value.code == ErrorCode.INVALID_STATE
    assert bundle_status(Bundle.objects.get(pk=bundle.pk)).state == "in_progress"


def test_a_change_after_signing_makes_the_bundle_signature_stale(applicant):
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    _signed(bundle, applicant)
    seal = Application.objects.get(bundle=bundle, matter_code="seal-filing")
    application_data_save(by=applicant, number=seal.number, data={"seals": ["公章"]})
    with pytest.raises(DomainError) as exc:
        bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-3")
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED
    assert Bundle.objects.get(pk=bundle.pk).state == BundleState.DRAFT
    with pytest.raises(DomainError) as exc:  # signing what was seen before the change
        bundle_sign(
            by=applicant,
            number=bundle.number,
            password=PASSWORD,
            expected_digest=Bundle.objects.get(pk=bundle.pk).signatures.get().digest,
        )
    assert exc.value.code == ErrorCode.STALE_VERSION


def test_a_failing_member_rolls_every_member_back(applicant, establishment_checked_elsewhere):
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    bank = Application.objects.get(bundle=bundle, matter_code="bank-account-appointment")
    application_act(by=applicant, number=bank.number, action=Action.WITHDRAW)
    _signed(bundle, applicant)
    with pytest.raises(DomainError) as exc:  # the last member cannot be submitted
        bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-4")
    assert exc.value.code == ErrorCode.INVALID_STATE
    assert not Application.objects.filter(bundle=bundle, state=State.SUBMITTED).exists()
    assert Bundle.objects.get(pk=bundle.pk).state == BundleState.DRAFT


def test_the_establishment_is_checked_by_its_own_module_within_the_bundle(applicant):
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    _signed(bundle, applicant)
    with pytest.raises(DomainError) as exc:  # no reserved name in the form
        bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-7")
    assert exc.value.code != ErrorCode.SIGNATURE_REQUIRED
    assert not Application.objects.filter(bundle=bundle, state=State.SUBMITTED).exists()


def test_only_the_applicant_signs_and_submits(applicant, officer, db):
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    stranger = user_create(
        actor="test", new=NewUser(username="stranger", password=PASSWORD, role=Role.PUBLIC)
    )
    for user in (stranger,):
        with pytest.raises(DomainError) as exc:
            bundle_submit(by=user, number=bundle.number, idempotency_key="bundle-key-5")
        assert exc.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as exc:
        bundle_sign(
            by=officer,
            number=bundle.number,
            password=PASSWORD,
            otp_token=totp_now(officer),
            expected_digest=bundle_digest(bundle),
        )
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as exc:
        bundle_submit(by=officer, number=bundle.number, idempotency_key="bundle-key-5")
    assert exc.value.code == ErrorCode.PERMISSION_DENIED


def test_each_department_sees_its_own_part_and_a_leader_sees_all(
    applicant, officer, establishment_checked_elsewhere
):
    police = _official("PD-GAJ", "GAJ", "police")
    leader = _official("PD-LEAD", "", "leader", Role.LEADER)
    bundle = bundle_create(by=applicant, bundle_code="enterprise-opening", data=FORM)
    _signed(bundle, applicant)
    bundle_submit(by=applicant, number=bundle.number, idempotency_key="bundle-key-6")
    scjg = {a.matter_code for a in application_queue(officer)}
    gaj = {a.matter_code for a in application_queue(police)}
    assert scjg == {"name-declaration", "enterprise-establishment"}
    assert gaj == {"seal-filing"}
    assert len(application_queue(leader)) == len(
        matters_load().bundle("enterprise-opening").members
    )

    police_client = sign_in(Client(), police)
    listed = police_client.get("/api/v1/applications").json()
    assert [row["matter_code"] for row in listed] == ["seal-filing"]
    assert listed[0]["bundle"] == bundle.number
    page = police_client.get("/matters/applications/").content.decode()
    seal = Application.objects.get(bundle=bundle, matter_code="seal-filing")
    establishment = Application.objects.get(bundle=bundle, matter_code="enterprise-establishment")
    assert seal.number in page and establishment.number not in page


def test_the_bundle_api_and_its_permissions(
    client: Client, applicant, officer, establishment_checked_elsewhere
):
    body = {"bundle_code": "enterprise-opening", "data": FORM}
    assert client.post("/api/v1/bundles", body, "application/json").status_code == 401
    client.force_login(applicant)
    created = client.post("/api/v1/bundles", body, "application/json")
    assert created.status_code == 201, created.content
    bundle = created.json()
    number, digest = bundle["number"], bundle["digest"]
    assert bundle["state"] == "draft" and len(bundle["members"]) == 7
    submit_url = f"/api/v1/bundles/{number}/submit"
    refused = client.post(submit_url, {"idempotency_key": "api-bundle-1"}, "application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "SIGNATURE_REQUIRED"
    sign_url = f"/api/v1/bundles/{number}/signatures"
    wrong = client.post(sign_url, {"password": "nope", "digest": digest}, "application/json")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "AUTH_FAILED"
    bad = client.post(sign_url, {"password": PASSWORD, "digest": "xyz"}, "application/json")
    assert bad.status_code == 400 and bad.json()["error"]["details"]["field"] == "expected_digest"
    signed = client.post(sign_url, {"password": PASSWORD, "digest": digest}, "application/json")
    assert signed.status_code == 201 and signed.json()["verified"] is True
    first = client.post(submit_url, {"idempotency_key": "api-bundle-1"}, "application/json")
    again = client.post(submit_url, {"idempotency_key": "api-bundle-1"}, "application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["state"] == "in_progress" == again.json()["state"]
    assert client.get(f"/api/v1/bundles/{number}").json()["digest"] == digest
    # an officer sees it (read-only); a stranger does not; nobody signs for the applicant
    officer_client = sign_in(Client(), officer)
    assert officer_client.get(f"/api/v1/bundles/{number}").status_code == 200
    stranger = user_create(
        actor="test", new=NewUser(username="stranger", password=PASSWORD, role=Role.PUBLIC)
    )
    other = Client()
    other.force_login(stranger)
    assert other.get(f"/api/v1/bundles/{number}").status_code == 404
    assert Client().get(f"/api/v1/bundles/{number}").status_code == 401
    assert other.get("/api/v1/bundles/YJS-no-such").status_code == 404


def test_the_bundle_pages(client: Client, applicant, establishment_checked_elsewhere):
    client.force_login(applicant)
    guide = client.get("/matters/enterprise-establishment/").content.decode()
    assert 'data-testid="bundle-start"' in guide
    started = client.post(
        "/matters/bundles/", {"bundle_code": "enterprise-opening", "name": "上海鑫达贸易有限公司"}
    )
    assert started.status_code == 302
    bundle = Bundle.objects.get()
    url = f"/matters/bundles/{bundle.number}/"
    page = client.get(url).content.decode()
    assert "公章刻制备案" in page or "公章" in page
    assert 'data-testid="bundle-sign-form"' in page
    refused = client.post(url, {"action": "submit", "idempotency_key": "page-bundle-1"})
    assert refused.status_code == 422 and "签名" in refused.content.decode()
    wrong = client.post(
        url, {"action": "sign", "password": "nope", "digest": bundle_digest(bundle)}
    )
    assert wrong.status_code == 401
    signed = client.post(
        url, {"action": "sign", "password": PASSWORD, "digest": bundle_digest(bundle)}
    )
    assert signed.status_code == 302
    assert "签名有效" in client.get(url).content.decode()
    submitted = client.post(url, {"action": "submit", "idempotency_key": "page-bundle-1"})
    assert submitted.status_code == 302
    assert Bundle.objects.get().state == BundleState.SUBMITTED
    assert client.get("/matters/bundles/YJS0/").status_code == 404
