"""Verification: every failure is its own verdict, with its own reason, and bad input never
raises."""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from yingshang.licences import keys
from yingshang.licences.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022, proof_create
from yingshang.licences.eid_test_issuer import TestEidIssuer
from yingshang.licences.multibase import multikey_encode_ed25519_public
from yingshang.licences.qr import QR_PREFIX, qr_payload_encode
from yingshang.licences.services import business_licence_issue
from yingshang.licences.trust import trusted_issuer_set_active
from yingshang.licences.verification import (
    Check,
    Reason,
    Verdict,
    credential_verify,
    credential_verify_text,
)

from .conftest import ZJ_DID, foreign_licence, utc_text

pytestmark = pytest.mark.django_db


def _only(verdict: Verdict, reason: Reason) -> None:
    """``verdict`` fails for ``reason`` and nothing else."""
    assert not verdict.valid
    assert verdict.reasons == (reason,), verdict.as_dict()


def _resigned(credential: dict[str, Any], *, key: Ed25519PrivateKey, method: str) -> dict:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return proof_create(
        document=unsigned,
        key=key,
        verification_method=method,
        cryptosuite=EDDSA_RDFC_2022,
        created=utc_text(dt.datetime.now(dt.UTC)),
    )


def test_a_fresh_licence_is_valid_with_every_check_passed(licence):
    verdict = credential_verify(licence.credential)
    assert verdict.valid and verdict.reasons == ()
    assert [result.ok for result in verdict.checks] == [True] * 5
    assert verdict.issuer is not None and verdict.issuer.own
    assert verdict.issuer.did == settings.LICENCE_ISSUER_DID
    assert verdict.source == "json"
    assert verdict.subject["creditCode"] == licence.credit_code


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
@pytest.mark.parametrize(
    ("field", "value"),
    [("entityName", "上海假冒贸易有限公司"), ("legalRepresentative", "李四")],
)
def test_changing_a_subject_field_is_tampered(entity, officer, suite, field, value):
    licence = business_licence_issue(by=officer, credit_code=entity.credit_code, cryptosuite=suite)
    tampered = copy.deepcopy(licence.credential)
    tampered["credentialSubject"][field] = value
    verdict = credential_verify(tampered)
    _only(verdict, Reason.TAMPERED)
    assert verdict.check(Check.SIGNATURE).ok is False
    assert verdict.check(Check.ISSUER).ok is True  # the issuer is fine; the content is not


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
def test_changing_validity_is_tampered(entity, officer, suite):
    licence = business_licence_issue(by=officer, credit_code=entity.credit_code, cryptosuite=suite)
    tampered = copy.deepcopy(licence.credential)
    tampered["validFrom"] = "2000-01-01T00:00:00Z"
    _only(credential_verify(tampered), Reason.TAMPERED)


def test_a_changed_proof_value_is_tampered(licence):
    tampered = copy.deepcopy(licence.credential)
    value = tampered["proof"]["proofValue"]
    tampered["proof"]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    verdict = credential_verify(tampered)
    assert not verdict.valid
    assert verdict.reasons in ((Reason.TAMPERED,), (Reason.PROOF_INVALID,))


def test_before_valid_from_is_not_yet_valid(licence):
    valid_from = dt.datetime.fromisoformat(licence.credential["validFrom"].replace("Z", "+00:00"))
    verdict = credential_verify(licence.credential, now=valid_from - dt.timedelta(seconds=1))
    _only(verdict, Reason.NOT_YET_VALID)
    assert licence.credential["validFrom"] in verdict.check(Check.VALIDITY).message
    assert credential_verify(licence.credential, now=valid_from).valid


def test_after_valid_until_is_expired(make_entity, officer):
    entity = make_entity(business_term_end="2040-05-17")
    licence = business_licence_issue(by=officer, credit_code=entity.credit_code)
    until = dt.datetime.fromisoformat(licence.credential["validUntil"].replace("Z", "+00:00"))
    assert credential_verify(licence.credential, now=until - dt.timedelta(days=1)).valid
    verdict = credential_verify(licence.credential, now=until + dt.timedelta(seconds=1))
    _only(verdict, Reason.EXPIRED)
    assert "2040" in verdict.check(Check.VALIDITY).message


def test_an_expired_credential_built_and_signed_with_the_platform_key(licence, entity):
    import dataclasses

    from yingshang.licences.credential import business_licence_credential
    from yingshang.registry.selectors import entity_get_public

    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    unsigned = business_licence_credential(
        entity=dataclasses.asdict(entity_get_public(credit_code=entity.credit_code)),
        issuer=keys.issuer_did(),
        licence_id=licence.licence_id,
        issued_on=start.date(),
        valid_from=start,
        valid_until=start + dt.timedelta(days=365),
        status=None,
    )
    signed = proof_create(
        document=unsigned,
        key=keys.ed25519_private_key(licence.key),
        verification_method=keys.verification_method_id(licence.key),
        cryptosuite=EDDSA_RDFC_2022,
        created=utc_text(start),
    )
    verdict = credential_verify(signed)
    _only(verdict, Reason.EXPIRED)
    assert verdict.check(Check.STATUS).ok is None  # no status declared: not needed
    assert credential_verify(signed, now=start + dt.timedelta(days=30)).valid


def test_revoked_and_suspended_are_their_own_reasons(licence, officer):
    from yingshang.licences.models import LicenceState
    from yingshang.licences.services import licence_state_set

    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.SUSPENDED, reason="调查"
    )
    verdict = credential_verify(licence.credential)
    _only(verdict, Reason.SUSPENDED)
    assert verdict.check(Check.SIGNATURE).ok is True
    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.REVOKED, reason="吊销"
    )
    _only(credential_verify(licence.credential), Reason.REVOKED)


def test_expired_and_revoked_are_both_named(make_entity, officer):
    from yingshang.licences.models import LicenceState
    from yingshang.licences.services import licence_state_set

    entity = make_entity(business_term_end="2040-05-17")
    licence = business_licence_issue(by=officer, credit_code=entity.credit_code)
    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.REVOKED, reason="吊销"
    )
    verdict = credential_verify(licence.credential, now=dt.datetime(2041, 1, 1, tzinfo=dt.UTC))
    assert set(verdict.reasons) == {Reason.EXPIRED, Reason.REVOKED}


def test_a_did_key_issuer_is_unknown(licence):
    private = Ed25519PrivateKey.generate()
    multikey = multikey_encode_ed25519_public(private.public_key())
    did = f"did:key:{multikey}"
    credential = {**licence.credential, "issuer": did}
    signed = _resigned(credential, key=private, method=f"{did}#{multikey}")
    verdict = credential_verify(signed)
    _only(verdict, Reason.UNKNOWN_ISSUER)
    assert did in verdict.check(Check.ISSUER).message
    assert verdict.issuer is None
    assert verdict.check(Check.SIGNATURE).ok is None


def test_another_did_web_not_on_the_trust_list_is_unknown(zj_issuer, entity):
    verdict = credential_verify(foreign_licence(zj_issuer, entity))
    _only(verdict, Reason.UNKNOWN_ISSUER)


def test_an_unpublished_key_of_our_did_is_unknown_key(licence):
    private = Ed25519PrivateKey.generate()
    signed = _resigned(
        licence.credential,
        key=private,
        method=f"{settings.LICENCE_ISSUER_DID}#ed25519-feedface0000",
    )
    verdict = credential_verify(signed)
    _only(verdict, Reason.UNKNOWN_KEY)
    assert "ed25519-feedface0000" in verdict.check(Check.ISSUER).message


def test_our_sm2_key_does_not_sign_data_integrity_proofs(licence):
    from yingshang.licences.models import IssuerKey, KeyAlgorithm

    sm2 = IssuerKey.objects.get(algorithm=KeyAlgorithm.SM2)
    tampered = copy.deepcopy(licence.credential)
    tampered["proof"]["verificationMethod"] = keys.verification_method_id(sm2)
    _only(credential_verify(tampered), Reason.UNKNOWN_KEY)


def test_a_key_of_another_did_is_unknown_key(licence, zj_trusted):
    # signed with the (trusted) regional regulator's key, but claiming to be our licence
    signed = _resigned(licence.credential, key=zj_trusted.key, method=zj_trusted.key_url)
    verdict = credential_verify(signed)
    _only(verdict, Reason.UNKNOWN_KEY)
    assert ZJ_DID in verdict.check(Check.ISSUER).message


def test_an_unpublished_fragment_of_a_trusted_issuer_is_unknown_key(zj_trusted, entity):
    other = TestEidIssuer(did=ZJ_DID)
    other.key_url = f"{ZJ_DID}#key-2"
    _only(credential_verify(foreign_licence(other, entity)), Reason.UNKNOWN_KEY)


def test_a_revoked_key_is_key_revoked(licence):
    keys.issuer_key_revoke(actor="user:admin", key_id=licence.key.key_id, reason="泄露")
    _only(credential_verify(licence.credential), Reason.KEY_REVOKED)


def test_no_proof(licence):
    credential = {k: v for k, v in licence.credential.items() if k != "proof"}
    verdict = credential_verify(credential)
    _only(verdict, Reason.NO_PROOF)
    assert verdict.check(Check.ISSUER).ok is True


def test_two_identical_proofs_are_duplicate(licence):
    credential = {**licence.credential, "proof": [licence.credential["proof"]] * 2}
    _only(credential_verify(credential), Reason.DUPLICATE_PROOF)


def test_two_different_proofs_are_refused_too(licence):
    other = {**licence.credential["proof"], "created": "2020-01-01T00:00:00Z"}
    credential = {**licence.credential, "proof": [licence.credential["proof"], other]}
    _only(credential_verify(credential), Reason.DUPLICATE_PROOF)


def test_a_one_element_proof_list_verifies(licence):
    credential = {**licence.credential, "proof": [licence.credential["proof"]]}
    assert credential_verify(credential).valid


@pytest.mark.parametrize(
    "change",
    [
        {"cryptosuite": "eddsa-2099"},
        {"created": "yesterday"},
    ],
)
def test_an_unusable_proof_is_proof_invalid(licence, change):
    credential = {**licence.credential, "proof": {**licence.credential["proof"], **change}}
    verdict = credential_verify(credential)
    _only(verdict, Reason.PROOF_INVALID)
    assert verdict.check(Check.SIGNATURE).message


def test_a_changed_proof_purpose_is_tampered(licence):
    # the proof options are signed too
    proof = {**licence.credential["proof"], "proofPurpose": "authentication"}
    _only(credential_verify({**licence.credential, "proof": proof}), Reason.TAMPERED)


@pytest.mark.parametrize("proof", ["signed", {"type": "Ed25519Signature2020"}])
def test_a_proof_the_data_model_refuses_is_invalid_credential(licence, proof):
    _only(credential_verify({**licence.credential, "proof": proof}), Reason.INVALID_CREDENTIAL)


def test_an_unknown_context_is_never_fetched(licence, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the verifier tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    credential = copy.deepcopy(licence.credential)
    credential["@context"] = [*credential["@context"], "https://contexts.example.org/evil/v1"]
    verdict = credential_verify(credential)
    _only(verdict, Reason.UNKNOWN_CONTEXT)
    assert verdict.check(Check.FORMAT).ok is False
    assert verdict.check(Check.SIGNATURE).ok is None


@pytest.mark.parametrize(
    "change",
    [
        {"type": ["BusinessLicenceCredential"]},  # no VerifiableCredential
        {"credentialSubject": None},
        {"issuer": 42},
        {"validFrom": "not a date"},
    ],
)
def test_not_a_vc_is_invalid_credential(licence, change):
    credential = {**licence.credential, **change}
    credential = {k: v for k, v in credential.items() if v is not None}
    verdict = credential_verify(credential)
    _only(verdict, Reason.INVALID_CREDENTIAL)
    assert verdict.credential is not None


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"a": 1, "a": 2}',
        '{"validFrom": NaN}',
        '{"x": Infinity}',
        "[1, 2, 3]",
        '"a string"',
        "42",
        "YSVC1:%%%garbage%%%",
        "ysvc1:",
        f"{QR_PREFIX}ABCDEFGHIJ",
        "",
        "   \n",
        "\ufeff",
    ],
)
def test_malformed_text(text):
    verdict = credential_verify_text(text)
    _only(verdict, Reason.MALFORMED)
    assert verdict.check(Check.FORMAT).message
    assert all(result.ok is None for result in verdict.checks[1:])


def test_duplicate_keys_are_named(licence):
    text = json.dumps(licence.credential, ensure_ascii=False)
    text = text.replace('"name":', '"name": "x", "name":', 1)
    verdict = credential_verify_text(text)
    _only(verdict, Reason.MALFORMED)
    assert "name" in verdict.check(Check.FORMAT).message


def test_non_utf8_bytes_are_malformed():
    _only(credential_verify_text(b"\xff\xfe{\x00"), Reason.MALFORMED)


def test_qr_garbage_has_source_qr():
    verdict = credential_verify_text("YSVC1:NOT-BASE45-AT-ALL-!!")
    _only(verdict, Reason.MALFORMED)
    assert verdict.source == "qr"


@pytest.mark.parametrize("as_bytes", [False, True])
def test_too_large(settings, as_bytes):
    text = '{"a": "' + "x" * settings.LICENCE_VERIFY_MAX_BYTES + '"}'
    verdict = credential_verify_text(text.encode() if as_bytes else text)
    _only(verdict, Reason.TOO_LARGE)
    assert str(settings.LICENCE_VERIFY_MAX_BYTES) in verdict.check(Check.FORMAT).message


def test_the_limit_counts_bytes_not_characters(settings):
    settings.LICENCE_VERIFY_MAX_BYTES = 100
    _only(credential_verify_text("营" * 40), Reason.TOO_LARGE)  # 120 bytes in UTF-8
    _only(credential_verify_text("{" * 40), Reason.MALFORMED)


def test_credential_json_text_verifies(licence):
    text = json.dumps(licence.credential, ensure_ascii=False)
    verdict = credential_verify_text(text)
    assert verdict.valid and verdict.source == "json"
    assert credential_verify_text(text.encode("utf-8")).valid


def test_a_licence_decoded_from_its_qr_payload_is_valid(licence):
    payload = qr_payload_encode(licence.credential)
    verdict = credential_verify_text(payload)
    assert verdict.valid, verdict.as_dict()
    assert verdict.source == "qr"
    assert verdict.credential == licence.credential
    assert credential_verify_text(f"  {payload}\n").valid


def test_a_tampered_credential_in_a_qr_payload_is_tampered(licence):
    tampered = copy.deepcopy(licence.credential)
    tampered["credentialSubject"]["entityName"] = "上海假冒贸易有限公司"
    verdict = credential_verify_text(qr_payload_encode(tampered))
    _only(verdict, Reason.TAMPERED)
    assert verdict.source == "qr"


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
def test_a_trusted_regional_issuer_is_valid_and_named(zj_trusted, entity, suite):
    verdict = credential_verify(foreign_licence(zj_trusted, entity, cryptosuite=suite))
    assert verdict.valid, verdict.as_dict()
    assert verdict.issuer is not None
    assert verdict.issuer.did == ZJ_DID and not verdict.issuer.own
    assert verdict.issuer.name == "浙江省市场监督管理局"
    assert verdict.issuer.region_code == "330000"
    assert verdict.issuer.region_name == "浙江省"
    assert "浙江省市场监督管理局" in verdict.check(Check.ISSUER).message
    assert "浙江省" in verdict.check(Check.ISSUER).message
    assert verdict.check(Check.STATUS).ok is None
    assert verdict.as_dict()["issuer"]["region_name"] == "浙江省"


def test_a_tampered_regional_credential_is_tampered(zj_trusted, entity):
    credential = foreign_licence(zj_trusted, entity)
    credential["credentialSubject"]["domicile"] = "杭州市"
    _only(credential_verify(credential), Reason.TAMPERED)


def test_deactivating_a_regional_issuer_makes_it_unknown(zj_trusted, entity, officer):
    credential = foreign_licence(zj_trusted, entity)
    assert credential_verify(credential).valid
    trusted_issuer_set_active(by=officer, did=ZJ_DID, active=False, reason="密钥更换中")
    _only(credential_verify(credential), Reason.UNKNOWN_ISSUER)
    trusted_issuer_set_active(by=officer, did=ZJ_DID, active=True, reason="已恢复")
    assert credential_verify(credential).valid


def test_status_list_not_ours_is_unavailable(licence):
    credential = copy.deepcopy(licence.credential)
    credential["credentialStatus"][0]["statusListCredential"] = "https://elsewhere.example/s/1"
    verdict = credential_verify(credential)
    assert Reason.STATUS_UNAVAILABLE in verdict.reasons
    assert verdict.check(Check.STATUS).ok is False


@pytest.mark.parametrize("value", [None, [], 1, "text", True, 1.5])
def test_non_objects_are_malformed(value):
    _only(credential_verify(value), Reason.MALFORMED)


def test_an_empty_object_has_no_context():
    _only(credential_verify({}), Reason.UNKNOWN_CONTEXT)


# --- No input raises ------------------------------------------------------------------------

_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=300)
    | st.binary(max_size=300)
    | st.text(max_size=200).map(lambda t: QR_PREFIX + t)
    | _JSONISH.map(json.dumps)
)
def test_arbitrary_input_never_raises_and_is_never_valid(db, text):
    verdict = credential_verify_text(text)
    assert verdict.valid is False
    assert verdict.reasons
    assert verdict.as_dict()["valid"] is False


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(["@context", "type", "issuer", "validFrom", "proof", "credentialStatus"]),
    value=_JSONISH,
)
def test_arbitrary_field_values_never_raise(licence, key, value):
    credential = {**licence.credential, key: value}
    verdict = credential_verify(credential)
    if value != licence.credential.get(key):
        assert verdict.valid is False
