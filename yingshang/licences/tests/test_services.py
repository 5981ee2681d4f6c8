"""Licence services: issuing, re-issuing, revoking, suspending, reinstating, status lists."""

from __future__ import annotations

import secrets

import pytest
from django.conf import settings

from yingshang.accounts.models import Role
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.licence_id import licence_id_parse
from yingshang.ledger.models import LedgerEvent
from yingshang.licences import services
from yingshang.licences.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022, proof_verify
from yingshang.licences.keys import public_multikey
from yingshang.licences.models import IssuerKey, KeyAlgorithm, Licence, LicenceState, StatusList
from yingshang.licences.multibase import multikey_decode_public
from yingshang.licences.sm2sig import sm2_signature_verify
from yingshang.licences.statuslist import MIN_ENTRIES, StatusBitstring
from yingshang.licences.verification import Reason, credential_verify
from yingshang.registry.services import entity_set_status

from .conftest import events

pytestmark = pytest.mark.django_db

REVOKED = LicenceState.REVOKED
SUSPENDED = LicenceState.SUSPENDED
ACTIVE = LicenceState.ACTIVE


def _published_bit(status_list: StatusList, index: int) -> int:
    """The bit at ``index`` in the list's signed credential, after checking its proof."""
    status_list.refresh_from_db()
    published = status_list.published
    assert published is not None
    key = IssuerKey.objects.get(key_id=published["proof"]["verificationMethod"].partition("#")[2])
    result = proof_verify(
        document=published,
        public_key_resolver=lambda _m: multikey_decode_public(public_multikey(key)),
    )
    assert result.verified, result.failures
    encoded = published["credentialSubject"]["encodedList"]
    return StatusBitstring.decode(encoded).get(index)


def _set(licence: Licence, state: LicenceState, by, reason: str = "依法处理") -> Licence:
    return services.licence_state_set(
        by=by, licence_id=licence.licence_id, state=state, reason=reason
    )


# --- Issuing ---------------------------------------------------------------------------------


def test_issue_writes_a_signed_licence_with_status_entries(entity, officer):
    licence = services.business_licence_issue(by=officer, credit_code=entity.credit_code)
    licence.refresh_from_db()

    parsed = licence_id_parse(licence.licence_id)
    assert parsed.type_code == services.TYPE_CODE_BUSINESS
    assert parsed.issuer_credit_code == settings.LICENCE_ISSUER_CREDIT_CODE
    assert parsed.version == 1
    assert licence.version == 1 and licence.state == ACTIVE
    assert licence.credit_code == entity.credit_code and licence.entity == entity
    assert licence.issued_by == f"user:{officer.pk}"

    credential = licence.credential
    assert credential["id"] == f"urn:licence:{licence.licence_id}"
    assert credential["issuer"] == settings.LICENCE_ISSUER_DID
    assert credential["credentialSubject"]["creditCode"] == entity.credit_code
    assert credential["credentialSubject"]["licenceId"] == licence.licence_id
    assert credential["proof"]["cryptosuite"] == EDDSA_RDFC_2022
    assert "validUntil" not in credential  # 长期: no business term end

    entries = credential["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    assert licence.revocation_list.list_id == "revocation-1"
    assert licence.suspension_list.list_id == "suspension-1"
    base = f"{settings.PUBLIC_BASE_URL}/api/v1/status-lists/"
    assert entries[0]["statusListCredential"] == base + "revocation-1"
    assert entries[1]["statusListCredential"] == base + "suspension-1"
    assert entries[0]["statusListIndex"] == entries[1]["statusListIndex"]
    assert int(entries[0]["statusListIndex"]) == licence.status_index
    assert 0 <= licence.status_index < MIN_ENTRIES
    assert licence.revocation_list.size >= 131_072

    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    assert licence.sm2_signature is not None
    assert licence.sm2_signature["verificationMethod"].endswith(f"#{sm2.key_id}")
    assert sm2_signature_verify(
        credential=credential, signature=licence.sm2_signature, public_key=bytes(sm2.public_key)
    )
    tampered = {**credential, "name": "假执照"}
    assert not sm2_signature_verify(
        credential=tampered, signature=licence.sm2_signature, public_key=bytes(sm2.public_key)
    )

    issued = events(services.EVENT_ISSUED)
    assert len(issued) == 1
    assert issued[0].subject == f"licence:{licence.licence_id}"
    payload = issued[0].payload_data
    assert payload["status_index"] == licence.status_index
    assert payload["revocation_list"] == "revocation-1"
    assert payload["key_id"] == licence.key.key_id

    verdict = credential_verify(credential)
    assert verdict.valid, verdict.as_dict()


def test_issue_creates_the_list_pair_once_with_events(entity, make_entity, officer):
    services.business_licence_issue(by=officer, credit_code=entity.credit_code)
    other = make_entity(name="上海第二贸易有限公司")
    services.business_licence_issue(by=officer, credit_code=other.credit_code)
    assert sorted(StatusList.objects.values_list("list_id", flat=True)) == [
        "revocation-1",
        "suspension-1",
    ]
    assert [e.subject for e in events(services.EVENT_LIST_CREATED)] == [
        "status-list:revocation-1",
        "status-list:suspension-1",
    ]
    revocation = StatusList.objects.get(list_id="revocation-1")
    assert revocation.allocated == 2
    assert revocation.published is not None
    assert revocation.published["credentialSubject"]["statusPurpose"] == "revocation"


def test_issue_with_jcs_suite(entity, officer):
    licence = services.business_licence_issue(
        by=officer, credit_code=entity.credit_code, cryptosuite=EDDSA_JCS_2022
    )
    assert licence.cryptosuite == EDDSA_JCS_2022
    assert licence.credential["proof"]["cryptosuite"] == EDDSA_JCS_2022
    assert credential_verify(licence.credential).valid


def test_issue_accepts_a_lower_case_credit_code(entity, officer):
    licence = services.business_licence_issue(
        by=officer, credit_code=f"  {entity.credit_code.lower()} "
    )
    assert licence.credit_code == entity.credit_code


def test_entity_with_a_business_term_gets_valid_until(make_entity, officer):
    entity = make_entity(business_term_end="2040-05-17")
    licence = services.business_licence_issue(by=officer, credit_code=entity.credit_code)
    assert licence.valid_until is not None
    assert licence.credential["credentialSubject"]["businessTermEnd"] == "2040-05-17"
    assert licence.credential["validUntil"].startswith("2040-05-17T")  # end of day, Shanghai


def test_reissue_supersedes_the_previous_licence(licence, officer):
    second = services.business_licence_issue(by=officer, credit_code=licence.credit_code)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUPERSEDED
    assert second.version == 2 and second.serial == licence.serial
    assert licence_id_parse(second.licence_id).version == 2
    assert second.status_index != licence.status_index
    assert _published_bit(licence.revocation_list, licence.status_index) == 1
    assert _published_bit(second.revocation_list, second.status_index) == 0

    old = credential_verify(licence.credential)
    assert not old.valid and old.reasons == (Reason.REVOKED,)
    assert credential_verify(second.credential).valid
    changed = events(services.EVENT_STATUS)[-1].payload_data
    assert changed["from"] == "active" and changed["to"] == "superseded"


def test_reissue_of_a_revoked_licence_leaves_it_revoked(licence, officer):
    _set(licence, REVOKED, officer)
    second = services.business_licence_issue(by=officer, credit_code=licence.credit_code)
    licence.refresh_from_db()
    assert licence.state == REVOKED
    assert second.version == 2 and second.state == ACTIVE


def test_reissue_of_a_suspended_licence_supersedes_it(licence, officer):
    _set(licence, SUSPENDED, officer)
    services.business_licence_issue(by=officer, credit_code=licence.credit_code)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUPERSEDED
    verdict = credential_verify(licence.credential)
    assert Reason.REVOKED in verdict.reasons


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.POLICY_OFFICER, Role.AUDITOR])
def test_issue_needs_an_issuing_role(entity, make_official, role):
    user = make_official(role=role, username="other1")
    with pytest.raises(DomainError) as caught:
        services.business_licence_issue(by=user, credit_code=entity.credit_code)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert not Licence.objects.exists()


def test_issue_by_a_public_user_is_refused(entity, enterprise_user):
    with pytest.raises(DomainError) as caught:
        services.business_licence_issue(by=enterprise_user, credit_code=entity.credit_code)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED


@pytest.mark.parametrize("role", [Role.REGISTRATION_OFFICER, Role.LEADER])
def test_other_issuing_roles_may_issue(entity, make_official, role):
    user = make_official(role=role, username="other1")
    licence = services.business_licence_issue(by=user, credit_code=entity.credit_code)
    assert licence.issued_by == f"user:{user.pk}"


def test_entity_not_active_is_invalid_state(entity, officer):
    entity_set_status(
        actor="user:clerk",
        credit_code=entity.credit_code,
        status="cancelled",
        expected_version=entity.version,
    )
    with pytest.raises(DomainError) as caught:
        services.business_licence_issue(by=officer, credit_code=entity.credit_code)
    assert caught.value.code == ErrorCode.INVALID_STATE
    assert caught.value.details["status"] == "cancelled"
    assert not Licence.objects.exists()


@pytest.mark.parametrize("code", ["91310115MA1FL5XK0Q", "", "not a code", None])
def test_unknown_credit_code_is_not_found(db, officer, code):
    with pytest.raises(DomainError) as caught:
        services.business_licence_issue(by=officer, credit_code=code)
    assert caught.value.code == ErrorCode.NOT_FOUND


@pytest.mark.parametrize("suite", ["ecdsa-rdfc-2019", "", "EDDSA-RDFC-2022", None, 1])
def test_bad_cryptosuite_is_invalid_input(entity, officer, suite):
    with pytest.raises(DomainError) as caught:
        services.business_licence_issue(
            by=officer, credit_code=entity.credit_code, cryptosuite=suite
        )
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details == {"field": "cryptosuite"}
    assert not StatusList.objects.exists()


def test_failure_mid_transaction_leaves_nothing(entity, officer, monkeypatch):
    before = LedgerEvent.objects.count()

    def broken(**kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(services, "event_append", broken)
    with pytest.raises(RuntimeError):
        services.business_licence_issue(by=officer, credit_code=entity.credit_code)
    assert not Licence.objects.exists()
    assert not StatusList.objects.exists()
    assert not IssuerKey.objects.exists()
    assert LedgerEvent.objects.count() == before


def test_failure_mid_revoke_leaves_the_licence_and_list_unchanged(licence, officer, monkeypatch):
    revocation = licence.revocation_list
    revocation.refresh_from_db()
    revision = revocation.revision

    def broken(**kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(services, "event_append", broken)
    with pytest.raises(RuntimeError):
        _set(licence, REVOKED, officer)
    licence.refresh_from_db()
    assert licence.state == ACTIVE
    assert _published_bit(revocation, licence.status_index) == 0
    assert revocation.revision == revision
    assert StatusBitstring.from_bytes(bytes(revocation.bits)).get(licence.status_index) == 0


def test_many_issuances_never_reuse_an_index(licence, officer):
    for _ in range(12):
        services.business_licence_issue(by=officer, credit_code=licence.credit_code)
    indexes = list(Licence.objects.values_list("status_index", flat=True))
    assert len(indexes) == 13
    assert len(set(indexes)) == 13
    assert StatusList.objects.get(list_id="revocation-1").allocated == 13


def test_a_drawn_index_that_is_taken_is_drawn_again(licence, make_entity, officer, monkeypatch):
    draws = iter([licence.status_index, licence.status_index, 4242])
    real = secrets.randbelow

    def randbelow(n: int) -> int:  # only the status-slot draws are scripted (not SM2 nonces)
        return next(draws) if n == MIN_ENTRIES else real(n)

    monkeypatch.setattr(services.secrets, "randbelow", randbelow)
    other = make_entity(name="上海第二贸易有限公司")
    second = services.business_licence_issue(by=officer, credit_code=other.credit_code)
    assert second.status_index == 4242 != licence.status_index


def test_a_full_pair_starts_a_new_one(licence, make_entity, officer):
    StatusList.objects.filter(list_id="revocation-1").update(allocated=MIN_ENTRIES // 2)
    other = make_entity(name="上海第二贸易有限公司")
    second = services.business_licence_issue(by=officer, credit_code=other.credit_code)
    assert second.revocation_list.list_id == "revocation-2"
    assert second.suspension_list.list_id == "suspension-2"
    assert credential_verify(second.credential).valid


# --- Status ----------------------------------------------------------------------------------


def test_revoke_sets_the_revocation_bit_and_republishes(licence, officer):
    revocation = licence.revocation_list
    suspension = licence.suspension_list
    revocation.refresh_from_db()
    suspension.refresh_from_db()
    revision, suspension_revision = revocation.revision, suspension.revision

    changed = _set(licence, REVOKED, officer, reason="以欺骗手段取得登记")
    assert changed.state == REVOKED and changed.state_reason == "以欺骗手段取得登记"
    assert changed.state_changed_at is not None
    assert _published_bit(revocation, licence.status_index) == 1
    assert revocation.revision == revision + 1
    assert _published_bit(suspension, licence.status_index) == 0
    assert suspension.revision == suspension_revision  # nothing changed there

    event = events(services.EVENT_STATUS)[-1]
    assert event.subject == f"licence:{licence.licence_id}"
    assert event.payload_data["from"] == "active" and event.payload_data["to"] == "revoked"
    assert event.payload_data["reason"] == "以欺骗手段取得登记"
    verdict = credential_verify(licence.credential)
    assert verdict.reasons == (Reason.REVOKED,)


def test_suspend_then_reinstate_flip_the_suspension_bit(licence, officer):
    suspension = licence.suspension_list
    suspension.refresh_from_db()
    revision = suspension.revision

    _set(licence, SUSPENDED, officer)
    assert _published_bit(suspension, licence.status_index) == 1
    assert suspension.revision == revision + 1
    assert _published_bit(licence.revocation_list, licence.status_index) == 0
    assert credential_verify(licence.credential).reasons == (Reason.SUSPENDED,)

    reinstated = _set(licence, ACTIVE, officer, reason="整改完毕")
    assert reinstated.state == ACTIVE
    assert _published_bit(suspension, licence.status_index) == 0
    assert suspension.revision == revision + 2
    assert credential_verify(licence.credential).valid
    transitions = [
        (e.payload_data["from"], e.payload_data["to"]) for e in events(services.EVENT_STATUS)
    ]
    assert transitions == [("active", "suspended"), ("suspended", "active")]


def test_revoke_a_suspended_licence_clears_suspension(licence, officer):
    _set(licence, SUSPENDED, officer)
    _set(licence, REVOKED, officer)
    assert _published_bit(licence.revocation_list, licence.status_index) == 1
    assert _published_bit(licence.suspension_list, licence.status_index) == 0


def test_status_change_leaves_other_licences_alone(licence, make_entity, officer):
    other = make_entity(name="上海第二贸易有限公司")
    second = services.business_licence_issue(by=officer, credit_code=other.credit_code)
    _set(licence, REVOKED, officer)
    assert _published_bit(second.revocation_list, second.status_index) == 0
    assert credential_verify(second.credential).valid


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (None, ACTIVE),  # reinstate an active licence
        (REVOKED, ACTIVE),  # nothing after revoke
        (REVOKED, SUSPENDED),
        (REVOKED, REVOKED),
        (SUSPENDED, SUSPENDED),
    ],
)
def test_invalid_transitions_are_invalid_state(licence, officer, first, then):
    if first is not None:
        _set(licence, first, officer)
    count = LedgerEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        _set(licence, then, officer)
    assert caught.value.code == ErrorCode.INVALID_STATE
    assert caught.value.details["licence_id"] == licence.licence_id
    assert LedgerEvent.objects.count() == count


def test_superseding_through_state_set_is_refused(licence, officer):
    with pytest.raises(DomainError) as caught:
        _set(licence, LicenceState.SUPERSEDED, officer)
    assert caught.value.code == ErrorCode.INVALID_INPUT


def test_superseded_licence_cannot_be_reinstated(licence, officer):
    services.business_licence_issue(by=officer, credit_code=licence.credit_code)
    with pytest.raises(DomainError) as caught:
        _set(licence, ACTIVE, officer)
    assert caught.value.code == ErrorCode.INVALID_STATE


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.POLICY_OFFICER, Role.AUDITOR])
def test_status_change_needs_a_status_role(licence, make_official, role):
    user = make_official(role=role, username="other1")
    with pytest.raises(DomainError) as caught:
        _set(licence, REVOKED, user)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    licence.refresh_from_db()
    assert licence.state == ACTIVE


def test_enforcement_officer_may_suspend(licence, make_official):
    user = make_official(role=Role.ENFORCEMENT_OFFICER, username="enforcer")
    assert _set(licence, SUSPENDED, user).state == SUSPENDED


@pytest.mark.parametrize("reason", ["", "  ", "x" * 501])
def test_status_change_needs_a_reason(licence, officer, reason):
    with pytest.raises(DomainError) as caught:
        _set(licence, REVOKED, officer, reason=reason)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details == {"field": "reason"}


def test_status_change_of_an_unknown_licence_is_not_found(db, officer):
    with pytest.raises(DomainError) as caught:
        services.licence_state_set(
            by=officer, licence_id="1.2.156.3005.2.YYZZ.X.1.001.0", state=REVOKED, reason="x"
        )
    assert caught.value.code == ErrorCode.NOT_FOUND
