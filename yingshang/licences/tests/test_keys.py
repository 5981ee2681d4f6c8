"""Issuer keys: creation on first use, rotation, revocation, the DID document, key files."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings

from yingshang.core import keyfiles
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences import keys
from yingshang.licences.models import IssuerKey, KeyAlgorithm
from yingshang.licences.multibase import multikey_decode_public
from yingshang.licences.services import business_licence_issue
from yingshang.licences.verification import Check, Reason, credential_verify

from .conftest import events

pytestmark = pytest.mark.django_db


def _vm(key: IssuerKey) -> str:
    return f"{settings.LICENCE_ISSUER_DID}#{key.key_id}"


def test_first_issue_creates_both_keys_with_ledger_events(licence):
    ed25519 = IssuerKey.objects.get(algorithm=KeyAlgorithm.ED25519)
    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    assert ed25519.is_active and sm2.is_active
    assert ed25519.key_id.startswith("ed25519-") and sm2.key_id.startswith("sm2-")
    assert len(bytes(ed25519.public_key)) == 32
    assert len(bytes(sm2.public_key)) == 65 and bytes(sm2.public_key)[0] == 0x04
    created = events(keys.EVENT_KEY_CREATED)
    assert sorted(event.subject for event in created) == sorted(
        [f"issuer-key:{ed25519.key_id}", f"issuer-key:{sm2.key_id}"]
    )
    payload = next(e for e in created if e.subject.endswith(ed25519.key_id)).payload_data
    assert payload["public_key_multibase"] == keys.public_multikey(ed25519)
    # the private halves are files, not rows
    assert keyfiles.key_path(settings.LICENCE_KEY_DIR, ed25519.key_id).exists()
    assert keyfiles.key_path(settings.LICENCE_KEY_DIR, sm2.key_id).exists()
    assert licence.key == ed25519
    assert licence.credential["proof"]["verificationMethod"] == _vm(ed25519)


def test_second_issue_reuses_the_active_keys(licence, make_entity, officer):
    other = make_entity(name="上海第二贸易有限公司")
    second = business_licence_issue(by=officer, credit_code=other.credit_code)
    assert second.key == licence.key
    assert IssuerKey.objects.count() == 2
    assert len(events(keys.EVENT_KEY_CREATED)) == 2


def test_rotate_retires_old_key_and_new_licences_use_the_new_one(licence, make_entity, officer):
    old = licence.key
    new = keys.issuer_key_rotate(actor="user:admin")
    old.refresh_from_db()
    assert old.retired_at is not None and old.revoked_at is None and not old.is_active
    assert new.is_active and new.key_id != old.key_id
    event = events(keys.EVENT_KEY_ROTATED)[-1].payload_data
    assert event["retired"] == old.key_id and event["key_id"] == new.key_id

    # what the old key signed still verifies
    assert credential_verify(licence.credential).valid

    other = make_entity(name="上海第二贸易有限公司")
    fresh = business_licence_issue(by=officer, credit_code=other.credit_code)
    assert fresh.key == new
    assert fresh.credential["proof"]["verificationMethod"] == _vm(new)
    assert credential_verify(fresh.credential).valid


def test_rotate_without_any_key_starts_one(db):
    key = keys.issuer_key_rotate(actor="user:admin")
    assert key.is_active
    assert events(keys.EVENT_KEY_ROTATED)[-1].payload_data["retired"] is None


def test_rotate_sm2_leaves_the_ed25519_key_alone(licence):
    ed25519 = licence.key
    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    new = keys.issuer_key_rotate(actor="user:admin", algorithm=KeyAlgorithm.SM2)
    ed25519.refresh_from_db()
    sm2.refresh_from_db()
    assert ed25519.is_active
    assert sm2.retired_at is not None and new.algorithm == KeyAlgorithm.SM2


def test_did_document_lists_every_key_and_revoked_ones_leave_assertion_method(licence):
    old = licence.key
    new = keys.issuer_key_rotate(actor="user:admin")
    keys.issuer_key_revoke(actor="user:admin", key_id=old.key_id, reason="私钥泄露")
    document = keys.did_document()
    assert document["id"] == settings.LICENCE_ISSUER_DID
    methods = {method["id"]: method for method in document["verificationMethod"]}
    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    assert set(methods) == {_vm(old), _vm(new), _vm(sm2)}
    assert methods[_vm(old)]["revoked"].endswith("Z")
    assert "revoked" not in methods[_vm(new)]
    assert _vm(old) not in document["assertionMethod"]
    assert _vm(new) in document["assertionMethod"]
    for method in methods.values():
        assert method["type"] == "Multikey"
        assert method["controller"] == settings.LICENCE_ISSUER_DID
    # the published Ed25519 key is the one in the table
    published = multikey_decode_public(methods[_vm(new)]["publicKeyMultibase"])
    assert published.public_bytes_raw() == bytes(new.public_key)  # type: ignore[union-attr]


def test_revoked_key_makes_its_credentials_fail_with_key_revoked(licence):
    assert credential_verify(licence.credential).valid
    revoked = keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason="泄露")
    assert revoked.revoked_at is not None and revoked.revoked_reason == "泄露"
    assert revoked.retired_at is not None
    event = events(keys.EVENT_KEY_REVOKED)[-1]
    assert event.payload_data["reason"] == "泄露" and event.actor == "user:admin"

    verdict = credential_verify(licence.credential)
    assert not verdict.valid
    assert verdict.reasons == (Reason.KEY_REVOKED,)
    assert verdict.check(Check.ISSUER).ok is False
    assert "吊销" in verdict.check(Check.ISSUER).message
    assert verdict.check(Check.SIGNATURE).ok is None  # not run with a revoked key


def test_revoked_key_is_replaced_on_next_issue(licence, make_entity, officer):
    keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason="泄露")
    other = make_entity(name="上海第二贸易有限公司")
    fresh = business_licence_issue(by=officer, credit_code=other.credit_code)
    assert fresh.key != licence.key
    assert credential_verify(fresh.credential).valid


def test_revoking_twice_is_invalid_state(licence):
    keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason="泄露")
    with pytest.raises(DomainError) as caught:
        keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason="再次")
    assert caught.value.code == ErrorCode.INVALID_STATE
    assert licence.key.key_id in caught.value.message
    assert len(events(keys.EVENT_KEY_REVOKED)) == 1


def test_revoking_an_unknown_key_is_not_found(db):
    with pytest.raises(DomainError) as caught:
        keys.issuer_key_revoke(actor="user:admin", key_id="ed25519-000000000000", reason="泄露")
    assert caught.value.code == ErrorCode.NOT_FOUND
    assert caught.value.details == {"key_id": "ed25519-000000000000"}


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, None])
def test_revoking_needs_a_reason(licence, reason):
    with pytest.raises(DomainError) as caught:
        keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason=reason)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details == {"field": "reason"}
    licence.key.refresh_from_db()
    assert licence.key.revoked_at is None


def test_missing_private_key_file_is_invalid_state(licence, make_entity, officer):
    keyfiles.key_path(settings.LICENCE_KEY_DIR, licence.key.key_id).unlink()
    other = make_entity(name="上海第二贸易有限公司")
    with pytest.raises(DomainError) as caught:
        business_licence_issue(by=officer, credit_code=other.credit_code)
    assert caught.value.code == ErrorCode.INVALID_STATE
    assert licence.key.key_id in caught.value.message
    assert "rotate-key" in caught.value.message


def test_mismatched_private_key_file_is_invalid_state(licence):
    path = keyfiles.key_path(settings.LICENCE_KEY_DIR, licence.key.key_id)
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    with pytest.raises(DomainError) as caught:
        keys.ed25519_private_key(licence.key)
    assert caught.value.code == ErrorCode.INVALID_STATE
    assert caught.value.details == {"key_id": licence.key.key_id}


def test_garbage_private_key_file_is_invalid_state(licence):
    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    keyfiles.key_path(settings.LICENCE_KEY_DIR, sm2.key_id).write_bytes(b"not a pem")
    with pytest.raises(DomainError) as caught:
        keys.sm2_private_key(sm2)
    assert caught.value.code == ErrorCode.INVALID_STATE


def test_sm2_key_file_of_another_key_is_invalid_state(licence):
    ed25519 = licence.key
    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    # the SM2 file holds the Ed25519 PEM: unreadable as SM2
    ed_pem = keyfiles.key_path(settings.LICENCE_KEY_DIR, ed25519.key_id).read_bytes()
    keyfiles.key_path(settings.LICENCE_KEY_DIR, sm2.key_id).write_bytes(ed_pem)
    with pytest.raises(DomainError) as caught:
        keys.sm2_private_key(sm2)
    assert caught.value.code == ErrorCode.INVALID_STATE


def test_revoking_the_key_that_signed_the_status_lists_re_signs_them(licence):
    from yingshang.licences.models import StatusList

    old = licence.key
    revisions = dict(StatusList.objects.values_list("list_id", "revision"))
    keys.issuer_key_revoke(actor="user:admin", key_id=old.key_id, reason="泄露")
    active = IssuerKey.objects.get(
        algorithm=KeyAlgorithm.ED25519, retired_at__isnull=True, revoked_at__isnull=True
    )
    assert active != old
    for status_list in StatusList.objects.all():
        assert status_list.published is not None
        assert status_list.published["proof"]["verificationMethod"] == _vm(active)
        assert status_list.revision == revisions[status_list.list_id] + 1


def test_revoking_a_retired_key_that_signed_nothing_current_leaves_lists_alone(licence):
    from yingshang.licences.models import LicenceState, StatusList
    from yingshang.licences.services import licence_state_set_as

    old = licence.key
    new = keys.issuer_key_rotate(actor="user:admin")
    # suspending re-signs the suspension list only, with the new key
    licence_state_set_as(
        actor="user:x", licence_id=licence.licence_id, state=LicenceState.SUSPENDED, reason="x"
    )
    suspension = StatusList.objects.get(list_id="suspension-1")
    assert suspension.published is not None
    assert suspension.published["proof"]["verificationMethod"] == _vm(new)
    revision = suspension.revision
    keys.issuer_key_revoke(actor="user:admin", key_id=old.key_id, reason="泄露")
    suspension.refresh_from_db()
    assert suspension.revision == revision  # signed by the new key: untouched
    revocation = StatusList.objects.get(list_id="revocation-1")
    assert revocation.published is not None
    assert revocation.published["proof"]["verificationMethod"] == _vm(new)
