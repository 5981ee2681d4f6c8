"""Proof of identity with a trusted e-ID credential (电子身份证凭证)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.eid_test_issuer import TEST_EID_DID, TestEidIssuer
from yingshang.licences.identity import identity_verify
from yingshang.licences.trust import (
    BundleTrust,
    issuer_entry_parse,
    trust_bundle,
    trusted_issuer_save,
    trusted_issuer_set_active,
)
from yingshang.registry.tests.conftest import ID_NUMBER, id_number

pytestmark = pytest.mark.django_db

NAME = "张伟"


@pytest.fixture
def eid() -> TestEidIssuer:
    return TestEidIssuer()


@pytest.fixture
def trusted_eid(eid, officer) -> TestEidIssuer:
    trusted_issuer_save(by=officer, entry=issuer_entry_parse(eid.trust_entry()))
    return eid


def _refused(credential: object, *, full_name: str = NAME, number: str = ID_NUMBER) -> DomainError:
    with pytest.raises(DomainError) as caught:
        identity_verify(credential=credential, full_name=full_name, id_number=number)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details["field"] == "identity_credential"
    return caught.value


def test_the_right_person_is_accepted(trusted_eid):
    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    identity = identity_verify(credential=credential, full_name=f" {NAME} ", id_number=ID_NUMBER)
    assert identity.full_name == NAME and identity.id_number == ID_NUMBER
    assert identity.issuer.did == TEST_EID_DID and identity.issuer.kind == "id_card"
    assert identity.credential_id == credential["id"]


def test_a_lower_case_x_check_character_is_the_same_number(trusted_eid):
    number = next(n for seq in range(100, 200) if (n := id_number(seq=str(seq))).endswith("X"))
    credential = trusted_eid.issue(full_name=NAME, id_number=number)
    assert (
        identity_verify(credential=credential, full_name=NAME, id_number=number.lower()).id_number
        == number
    )


def test_another_name_is_refused(trusted_eid):
    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    error = _refused(credential, full_name="李娜")
    assert "姓名" in error.message and "不一致" in error.message


def test_another_id_number_is_refused(trusted_eid):
    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    error = _refused(credential, number=id_number(seq="456"))
    assert "证件号码" in error.message and "不一致" in error.message


def test_an_issuer_not_on_the_trust_list_is_refused(eid):
    credential = eid.issue(full_name=NAME, id_number=ID_NUMBER)
    error = _refused(credential)
    assert "未通过核验" in error.message and "信任列表" in error.message
    assert error.details["reason"] == "UNKNOWN_ISSUER"


def test_a_deactivated_e_id_issuer_is_refused(trusted_eid, officer):
    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    trusted_issuer_set_active(by=officer, did=TEST_EID_DID, active=False, reason="停用")
    assert _refused(credential).details["reason"] == "UNKNOWN_ISSUER"


def test_a_trusted_issuer_of_another_kind_is_refused(eid, officer):
    entry = {**eid.trust_entry(), "kind": "market_regulator"}
    trusted_issuer_save(by=officer, entry=issuer_entry_parse(entry))
    error = _refused(eid.issue(full_name=NAME, id_number=ID_NUMBER))
    assert "不是信任列表中的电子身份证签发方" in error.message


def test_an_expired_e_id_is_refused(trusted_eid):
    start = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)
    credential = trusted_eid.issue(
        full_name=NAME,
        id_number=ID_NUMBER,
        valid_from=start,
        valid_until=start + dt.timedelta(days=3650),
    )
    error = _refused(credential)
    assert "过有效期" in error.message
    assert error.details["reason"] == "EXPIRED"


def test_a_tampered_e_id_is_refused(trusted_eid):
    credential = trusted_eid.issue(full_name="李娜", id_number=ID_NUMBER)
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["fullName"] = NAME  # someone else's e-ID, name changed
    error = _refused(forged)
    assert "改动" in error.message
    assert error.details["reason"] == "TAMPERED"


def test_an_e_id_signed_by_another_key_is_refused(trusted_eid):
    impostor = TestEidIssuer()  # same DID, another key
    error = _refused(impostor.issue(full_name=NAME, id_number=ID_NUMBER))
    assert error.details["reason"] == "TAMPERED"


def test_another_credential_type_is_refused(trusted_eid):
    from yingshang.licences.dataintegrity import EDDSA_RDFC_2022, proof_create

    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["type"] = ["VerifiableCredential", "BusinessLicenceCredential"]
    signed = proof_create(
        document=unsigned,
        key=trusted_eid.key,
        verification_method=trusted_eid.key_url,
        cryptosuite=EDDSA_RDFC_2022,
        created=credential["validFrom"],
    )
    error = _refused(signed)
    assert "IdentityCardCredential" in error.message


@pytest.mark.parametrize("credential", [None, "text", [], {"a": 1}])
def test_garbage_is_refused_not_raised(trusted_eid, credential):
    _refused(credential)


def test_an_invalid_id_number_given_is_its_own_error(trusted_eid):
    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    with pytest.raises(DomainError) as caught:
        identity_verify(credential=credential, full_name=NAME, id_number="123")
    assert caught.value.code == ErrorCode.INVALID_ID_NUMBER


def test_offline_with_a_bundle(trusted_eid):
    credential = trusted_eid.issue(full_name=NAME, id_number=ID_NUMBER)
    identity = identity_verify(
        credential=credential,
        full_name=NAME,
        id_number=ID_NUMBER,
        trust=BundleTrust(trust_bundle()),
    )
    assert identity.issuer.did == TEST_EID_DID
