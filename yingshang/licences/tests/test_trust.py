"""The trust list (信任列表) and trust bundles for offline verification."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.conf import settings

from yingshang.accounts.models import Role
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences import keys, trust
from yingshang.licences.eid_test_issuer import TestEidIssuer
from yingshang.licences.models import LicenceState, TrustedIssuer
from yingshang.licences.services import licence_state_set
from yingshang.licences.statuslist import StatusBitstring
from yingshang.licences.trust import (
    BUNDLE_FORMAT,
    BundleTrust,
    issuer_entry_parse,
    trust_bundle,
    trusted_issuer_save,
    trusted_issuer_set_active,
)
from yingshang.licences.verification import Check, Reason, credential_verify

from .conftest import ZJ_DID, events, foreign_licence, zj_entry

pytestmark = pytest.mark.django_db


def _parse_error(entry: dict[str, Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        issuer_entry_parse(entry)
    return caught.value


# --- Saving and (de)activating -----------------------------------------------------------------


def test_adding_an_issuer_writes_it_and_a_ledger_event(zj_issuer, officer):
    saved = trusted_issuer_save(by=officer, entry=issuer_entry_parse(zj_entry(zj_issuer)))
    row = TrustedIssuer.objects.get(did=ZJ_DID)
    assert row.pk == saved.pk and row.active
    assert row.region_code == "330000" and row.kind == "market_regulator"
    assert row.did_document == zj_issuer.did_document()
    assert row.updated_by == f"user:{officer.pk}"
    event = events(trust.EVENT_TRUST_SAVED)[-1]
    assert event.subject == f"trusted-issuer:{ZJ_DID}"
    assert event.actor == f"user:{officer.pk}"
    assert event.payload_data["created"] is True
    assert event.payload_data["keys"] == [zj_issuer.public_multikey]


def test_updating_an_issuer_replaces_its_fields_and_keys(zj_trusted, officer):
    new_key = TestEidIssuer(did=ZJ_DID)
    entry = zj_entry(new_key, name="浙江省市场监管局", region_code="330100")
    trusted_issuer_save(by=officer, entry=issuer_entry_parse(entry))
    assert TrustedIssuer.objects.count() == 1
    row = TrustedIssuer.objects.get(did=ZJ_DID)
    assert row.name == "浙江省市场监管局" and row.region_code == "330100"
    assert row.did_document["verificationMethod"][0]["publicKeyMultibase"] == (
        new_key.public_multikey
    )
    saved = events(trust.EVENT_TRUST_SAVED)
    assert [e.payload_data["created"] for e in saved] == [True, False]


def test_after_a_key_change_old_signatures_fail(zj_trusted, entity, officer):
    credential = foreign_licence(zj_trusted, entity)
    assert credential_verify(credential).valid
    trusted_issuer_save(by=officer, entry=issuer_entry_parse(zj_entry(TestEidIssuer(did=ZJ_DID))))
    verdict = credential_verify(credential)
    assert verdict.reasons == (Reason.TAMPERED,)  # the same method id, another key


def test_set_active_writes_an_event(zj_trusted, officer):
    trusted_issuer_set_active(by=officer, did=ZJ_DID, active=False, reason="停用")
    assert not TrustedIssuer.objects.get(did=ZJ_DID).active
    event = events(trust.EVENT_TRUST_ACTIVE)[-1]
    assert event.payload_data == {"did": ZJ_DID, "active": False, "reason": "停用"}
    trusted_issuer_set_active(by=officer, did=ZJ_DID, active=True, reason="恢复")
    assert TrustedIssuer.objects.get(did=ZJ_DID).active
    assert [e.payload_data["active"] for e in events(trust.EVENT_TRUST_ACTIVE)] == [False, True]


def test_set_active_of_an_unknown_issuer_is_not_found(db, officer):
    with pytest.raises(DomainError) as caught:
        trusted_issuer_set_active(
            by=officer, did="did:web:nobody.example", active=False, reason="x"
        )
    assert caught.value.code == ErrorCode.NOT_FOUND


@pytest.mark.parametrize("reason", ["", "  ", "x" * 501])
def test_set_active_needs_a_reason(zj_trusted, officer, reason):
    with pytest.raises(DomainError) as caught:
        trusted_issuer_set_active(by=officer, did=ZJ_DID, active=False, reason=reason)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details == {"field": "reason"}
    assert TrustedIssuer.objects.get(did=ZJ_DID).active


@pytest.mark.parametrize(
    "role", [Role.INSPECTOR, Role.REGISTRATION_OFFICER, Role.ENFORCEMENT_OFFICER]
)
def test_only_trust_roles_manage_the_list(zj_trusted, make_official, role):
    user = make_official(role=role, username="other1")
    with pytest.raises(DomainError) as caught:
        trusted_issuer_save(by=user, entry=issuer_entry_parse(zj_entry(zj_trusted, name="改")))
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as caught:
        trusted_issuer_set_active(by=user, did=ZJ_DID, active=False, reason="x")
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    row = TrustedIssuer.objects.get(did=ZJ_DID)
    assert row.active and row.name == "浙江省市场监督管理局"


def test_public_users_cannot_manage_the_list(zj_issuer, enterprise_user):
    with pytest.raises(DomainError) as caught:
        trusted_issuer_save(by=enterprise_user, entry=issuer_entry_parse(zj_entry(zj_issuer)))
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert not TrustedIssuer.objects.exists()


def test_a_leader_may_manage_the_list(zj_issuer, make_official):
    leader = make_official(role=Role.LEADER, username="leader")
    trusted_issuer_save(by=leader, entry=issuer_entry_parse(zj_entry(zj_issuer)))
    assert TrustedIssuer.objects.filter(did=ZJ_DID).exists()


# --- Bad entries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "did", ["web:amr.zj.example", "did:", "did:x", None, 42, "did:" + "x" * 200]
)
def test_bad_did_is_invalid_input(zj_issuer, did):
    error = _parse_error(zj_entry(zj_issuer, did=did))
    assert error.code == ErrorCode.INVALID_INPUT
    assert error.details == {"field": "did"}


def test_our_own_did_is_refused(zj_issuer, settings):
    error = _parse_error(zj_entry(zj_issuer, did=settings.LICENCE_ISSUER_DID))
    assert error.code == ErrorCode.INVALID_INPUT
    assert error.details == {"field": "did"}
    assert "本平台" in error.message


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None])
def test_bad_name_is_invalid_input(zj_issuer, name):
    error = _parse_error(zj_entry(zj_issuer, name=name))
    assert error.code == ErrorCode.INVALID_INPUT
    assert error.details == {"field": "name"}


@pytest.mark.parametrize("kind", ["tax_bureau", "", None, "ID_CARD"])
def test_unknown_kind_is_invalid_input(zj_issuer, kind):
    error = _parse_error(zj_entry(zj_issuer, kind=kind))
    assert error.code == ErrorCode.INVALID_INPUT
    assert error.details == {"field": "kind"}


@pytest.mark.parametrize("region", ["999999", "33", "浙江", None, "3300000"])
def test_bad_region_is_invalid_region_naming_the_field(zj_issuer, region):
    error = _parse_error(zj_entry(zj_issuer, region_code=region))
    assert error.code == ErrorCode.INVALID_REGION
    assert error.details["field"] == "region_code"


def test_region_is_stored_as_its_code(zj_issuer):
    assert issuer_entry_parse(zj_entry(zj_issuer, region_code=" 330000 ")).region_code == "330000"


def _document(issuer: TestEidIssuer, change) -> dict[str, Any]:
    document = copy.deepcopy(issuer.did_document())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(id="did:web:other.example"), "不一致"),
        (lambda d: d.pop("verificationMethod"), "至少一个"),
        (lambda d: d.update(verificationMethod=[]), "至少一个"),
        (lambda d: d["verificationMethod"][0].update(type="JsonWebKey2020"), "Multikey"),
        (lambda d: d["verificationMethod"][0].pop("publicKeyMultibase"), "Multikey"),
        (lambda d: d["verificationMethod"][0].update(publicKeyMultibase="z111"), "无法读取"),
        (lambda d: d["verificationMethod"][0].update(publicKeyMultibase="uAAAA"), "无法读取"),
        (lambda d: d["verificationMethod"][0].update(id="did:web:other.example#k"), "id"),
        (lambda d: d["verificationMethod"].append("key"), "对象"),
    ],
)
def test_bad_did_document_is_invalid_input(zj_issuer, change, words):
    error = _parse_error(zj_entry(zj_issuer, did_document=_document(zj_issuer, change)))
    assert error.code == ErrorCode.INVALID_INPUT
    assert error.details["field"] == "did_document"
    assert words in error.message


@pytest.mark.parametrize("document", [None, [], "did.json"])
def test_a_did_document_that_is_not_an_object_is_invalid_input(zj_issuer, document):
    error = _parse_error(zj_entry(zj_issuer, did_document=document))
    assert error.code == ErrorCode.INVALID_INPUT
    assert error.details["field"] == "did_document"


def test_a_relative_method_id_is_accepted(zj_issuer, entity, officer):
    document = _document(zj_issuer, lambda d: d["verificationMethod"][0].update(id="#key-1"))
    trusted_issuer_save(
        by=officer, entry=issuer_entry_parse(zj_entry(zj_issuer, did_document=document))
    )
    assert credential_verify(foreign_licence(zj_issuer, entity)).valid


# --- Trust bundles -----------------------------------------------------------------------------


def test_a_bundle_verifies_a_licence_without_the_database(licence, django_assert_num_queries):
    bundle = json.loads(json.dumps(trust_bundle()))  # as written to a file
    assert bundle["format"] == BUNDLE_FORMAT
    assert bundle["issuers"][0]["did"] == settings.LICENCE_ISSUER_DID
    assert {c["id"].rsplit("/", 1)[1] for c in bundle["status_lists"]} == {
        "revocation-1",
        "suspension-1",
    }
    with django_assert_num_queries(0):
        source = BundleTrust(bundle)
        verdict = credential_verify(licence.credential, trust=source)
    assert verdict.valid, verdict.as_dict()
    assert verdict.issuer is not None and verdict.issuer.did == settings.LICENCE_ISSUER_DID
    assert verdict.issuer.own
    assert verdict.check(Check.STATUS).ok is True


def test_a_bundle_made_after_revocation_says_revoked(licence, officer, django_assert_num_queries):
    before = trust_bundle()
    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.REVOKED, reason="吊销"
    )
    after = trust_bundle()
    with django_assert_num_queries(0):
        stale = credential_verify(licence.credential, trust=BundleTrust(before))
        fresh = credential_verify(licence.credential, trust=BundleTrust(after))
    assert stale.valid  # the bundle is only as fresh as its lists
    assert not fresh.valid and fresh.reasons == (Reason.REVOKED,)


def test_a_bundle_knows_suspension(licence, officer):
    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.SUSPENDED, reason="调查"
    )
    verdict = credential_verify(licence.credential, trust=BundleTrust(trust_bundle()))
    assert verdict.reasons == (Reason.SUSPENDED,)


def test_a_status_list_with_a_tampered_proof_is_ignored(licence):
    bundle = trust_bundle()
    revocation = next(c for c in bundle["status_lists"] if c["id"].endswith("/revocation-1"))
    # an attacker marks the licence revoked in the bundle without the issuer's key
    bits = StatusBitstring.decode(revocation["credentialSubject"]["encodedList"])
    bits.set(licence.status_index, 1)
    revocation["credentialSubject"]["encodedList"] = bits.encode()
    verdict = credential_verify(licence.credential, trust=BundleTrust(bundle))
    assert not verdict.valid
    assert verdict.reasons == (Reason.STATUS_UNAVAILABLE,)
    assert verdict.check(Check.SIGNATURE).ok is True


def test_a_status_list_signed_by_an_untrusted_issuer_is_ignored(licence):
    bundle = trust_bundle()
    for credential in bundle["status_lists"]:
        credential["issuer"] = "did:web:attacker.example"
    verdict = credential_verify(licence.credential, trust=BundleTrust(bundle))
    assert verdict.reasons == (Reason.STATUS_UNAVAILABLE,)


def test_a_bundle_without_status_lists_gives_status_unavailable(licence):
    bundle = {**trust_bundle(), "status_lists": []}
    verdict = credential_verify(licence.credential, trust=BundleTrust(bundle))
    assert verdict.reasons == (Reason.STATUS_UNAVAILABLE,)
    assert "信任包" in verdict.check(Check.STATUS).message


def test_a_bundle_carries_trusted_issuers_and_revoked_keys(licence, zj_trusted, entity, officer):
    keys.issuer_key_rotate(actor="user:admin")
    keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason="泄露")
    trusted_issuer_set_active(by=officer, did=ZJ_DID, active=True, reason="确认")
    bundle = trust_bundle()
    assert [i["did"] for i in bundle["issuers"]] == [settings.LICENCE_ISSUER_DID, ZJ_DID]
    source = BundleTrust(bundle)
    regional = credential_verify(foreign_licence(zj_trusted, entity), trust=source)
    assert regional.valid
    assert regional.issuer is not None and regional.issuer.region_name == "浙江省"
    assert credential_verify(licence.credential, trust=source).reasons == (Reason.KEY_REVOKED,)


def test_inactive_issuers_are_left_out_of_the_bundle(zj_trusted, entity, officer):
    trusted_issuer_set_active(by=officer, did=ZJ_DID, active=False, reason="停用")
    source = BundleTrust(trust_bundle())
    verdict = credential_verify(foreign_licence(zj_trusted, entity), trust=source)
    assert verdict.reasons == (Reason.UNKNOWN_ISSUER,)


@pytest.mark.parametrize(
    "bundle",
    [
        {},
        {"format": "yingshang-trust-bundle/2", "issuers": [], "status_lists": []},
        {"format": BUNDLE_FORMAT, "issuers": "all of them"},
        {"format": BUNDLE_FORMAT, "issuers": [1, 2]},
        {"format": BUNDLE_FORMAT, "issuers": [], "status_lists": 5},
        [],
        "bundle",
    ],
)
def test_a_bundle_of_the_wrong_format_is_a_clear_error(bundle):
    with pytest.raises(DomainError) as caught:
        BundleTrust(bundle)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details == {"field": "bundle"}
    assert BUNDLE_FORMAT in caught.value.message


def test_a_bundle_with_a_bad_did_document_is_a_clear_error(licence):
    bundle = trust_bundle()
    bundle["issuers"][0]["did_document"]["id"] = "did:web:other.example"
    with pytest.raises(DomainError) as caught:
        BundleTrust(bundle)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details["field"] == "did_document"


def test_bundle_files(licence, tmp_path):
    good = tmp_path / "bundle.json"
    good.write_text(json.dumps(trust_bundle()), encoding="utf-8")
    assert credential_verify(licence.credential, trust=BundleTrust.from_file(good)).valid
    for name, content in [("bad.json", "{not json"), ("missing.json", None)]:
        path = tmp_path / name
        if content is not None:
            path.write_text(content, encoding="utf-8")
        with pytest.raises(DomainError) as caught:
            BundleTrust.from_file(path)
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert name in caught.value.message


def test_database_trust_ignores_other_status_list_urls(licence):
    source = trust.DatabaseTrust()
    elsewhere = "https://elsewhere.example/api/v1/status-lists/revocation-1"
    missing = f"{trust.own_status_list_prefix()}revocation-99"
    present = f"{trust.own_status_list_prefix()}revocation-1"
    assert set(source.status_lists([elsewhere, missing, present])) == {present}


def test_a_bundle_made_before_any_key_exists_still_loads(zj_trusted, entity):
    bundle = trust_bundle()
    assert [issuer["did"] for issuer in bundle["issuers"]] == [ZJ_DID]
    verdict = credential_verify(foreign_licence(zj_trusted, entity), trust=BundleTrust(bundle))
    assert verdict.valid
