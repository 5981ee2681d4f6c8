"""Tests for the W3C Bitstring Status List v1.0 engine (位串状态列表)."""

from __future__ import annotations

import base64
import copy
import gzip
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.dataintegrity import EDDSA_RDFC_2022, proof_create, proof_verify
from yingshang.licences.multibase import did_key_resolve, multikey_encode_ed25519_public
from yingshang.licences.statuslist import (
    MAX_DECOMPRESSED_BYTES,
    MIN_ENTRIES,
    StatusBitstring,
    StatusResult,
    status_check,
    status_entry,
    status_list_credential,
)

# The spec's example encodedList (section 2.2, Example 3): an all-zero 16 KB list.
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://licences.example.gov.cn/status/3"
VALID_FROM = "2026-01-01T00:00:00Z"


def _encode_raw(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw, mtime=0)).rstrip(b"=").decode()


def _credential(bits: StatusBitstring, purpose: str = "revocation") -> dict[str, Any]:
    return status_list_credential(
        list_id=LIST_URL,
        issuer="did:example:issuer",
        purpose=purpose,
        encoded_list=bits.encode(),
        valid_from=VALID_FROM,
    )


# --- the bitstring ---------------------------------------------------------------------------


def test_new_list_is_minimum_size_and_all_zero():
    bits = StatusBitstring()
    assert len(bits) == MIN_ENTRIES == 131_072
    assert bits.to_bytes() == bytes(16 * 1024)
    assert bits.get(0) == 0
    assert bits.get(MIN_ENTRIES - 1) == 0


def test_known_answer_all_zero_list():
    encoded = StatusBitstring().encode()
    assert encoded.startswith("uH4sI")  # "u" + base64url of the gzip magic 1f 8b 08
    assert encoded == SPEC_EMPTY_LIST  # byte for byte the spec's example
    decoded = StatusBitstring.decode(encoded)
    assert len(decoded) == MIN_ENTRIES
    assert decoded.to_bytes() == bytes(16 * 1024)


def test_spec_example_decodes_to_all_zeros():
    assert StatusBitstring.decode(SPEC_EMPTY_LIST) == StatusBitstring()


def test_bit_order_index_zero_is_most_significant_bit_of_first_byte():
    bits = StatusBitstring()
    bits.set(0, True)
    assert bits.to_bytes()[0] == 0x80
    bits.set(7, 1)
    assert bits.to_bytes()[0] == 0x81
    bits.set(8, 1)
    assert bits.to_bytes()[1] == 0x80
    bits.set(MIN_ENTRIES - 1, 1)
    assert bits.to_bytes()[-1] == 0x01
    decoded = StatusBitstring.decode(bits.encode())
    assert [decoded.get(i) for i in (0, 1, 6, 7, 8, 9, MIN_ENTRIES - 2, MIN_ENTRIES - 1)] == [
        1,
        0,
        0,
        1,
        1,
        0,
        0,
        1,
    ]
    decoded.set(7, 0)
    assert decoded.to_bytes()[0] == 0x80


def test_decode_reads_bits_set_by_hand():
    raw = bytearray(16 * 1024)
    raw[0] = 0b0100_0000  # index 1
    raw[2] = 0b0000_0010  # index 22
    decoded = StatusBitstring.decode(_encode_raw(bytes(raw)))
    assert {i for i in range(64) if decoded.get(i)} == {1, 22}


def test_larger_list_round_trips():
    bits = StatusBitstring(MIN_ENTRIES * 2)
    bits.set(MIN_ENTRIES * 2 - 1, 1)
    decoded = StatusBitstring.decode(bits.encode())
    assert len(decoded) == MIN_ENTRIES * 2
    assert decoded.get(MIN_ENTRIES * 2 - 1) == 1


def test_multi_bit_status_size():
    bits = StatusBitstring(status_size=2)
    bits.set(0, 0b10)
    bits.set(1, 0b11)
    assert bits.to_bytes()[0] == 0b1011_0000
    decoded = StatusBitstring.decode(bits.encode(), status_size=2)
    assert (decoded.get(0), decoded.get(1), decoded.get(2)) == (2, 3, 0)


@pytest.mark.parametrize(
    ("entries", "status_size"),
    [(MIN_ENTRIES - 1, 1), (0, 1), (-1, 1), (MIN_ENTRIES, 0), (MIN_ENTRIES, 9), (True, 1)],
)
def test_constructor_refuses_bad_sizes(entries, status_size):
    with pytest.raises(DomainError) as caught:
        StatusBitstring(entries, status_size=status_size)
    assert caught.value.code == ErrorCode.INVALID_INPUT


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "0", 1.0])
def test_get_and_set_refuse_bad_index(index):
    bits = StatusBitstring()
    for call in (lambda: bits.get(index), lambda: bits.set(index, 1)):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert caught.value.details["field"] == "index"


@pytest.mark.parametrize("value", [2, -1, "1", None])
def test_set_refuses_bad_value(value):
    with pytest.raises(DomainError) as caught:
        StatusBitstring().set(0, value)
    assert caught.value.details["field"] == "value"


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=64))
def test_random_index_sets_round_trip(indices):
    bits = StatusBitstring()
    for index in indices:
        bits.set(index, 1)
    decoded = StatusBitstring.decode(bits.encode())
    assert decoded == bits
    raw = decoded.to_bytes()
    assert sum(bin(byte).count("1") for byte in raw) == len(indices)
    assert all(decoded.get(index) == 1 for index in indices)
    for index in indices:
        assert raw[index // 8] & (0x80 >> (index % 8))


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=200))
def test_decode_never_fails_other_than_with_a_domain_error(data):
    for candidate in ("u" + base64.urlsafe_b64encode(data).decode().rstrip("="), "u" + data.hex()):
        with pytest.raises(DomainError) as caught:
            StatusBitstring.decode(candidate)  # too short even when it is valid gzip
        assert caught.value.code == ErrorCode.INVALID_INPUT


# --- bad encodings ---------------------------------------------------------------------------


def _bomb() -> str:
    return _encode_raw(bytes(MAX_DECOMPRESSED_BYTES + 1))


def _raw_b64(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("encoded", "fragment"),
    [
        ("", "前缀"),
        (SPEC_EMPTY_LIST[1:], "前缀"),  # no multibase prefix
        ("z" + SPEC_EMPTY_LIST[1:], "前缀"),  # base58btc prefix
        ("u" + "H4sI+AAA", "base64url"),  # standard-alphabet character
        ("u" + "H4sI/AAA", "base64url"),
        (SPEC_EMPTY_LIST + "=", "base64url"),  # padding
        ("uH4sIA", "base64url"),  # impossible length (1 mod 4 after the first char)
        ("uH4 sI", "base64url"),
        (_raw_b64(bytes(16 * 1024)), "GZIP"),  # not compressed at all
        (_raw_b64(gzip.compress(bytes(16 * 1024))[:-8]), "GZIP"),  # truncated
        (_raw_b64(gzip.compress(bytes(16 * 1024)) + b"junk"), "GZIP"),  # trailing bytes
        (_encode_raw(bytes(16 * 1024 - 1)), "过短"),  # 131,064 bits
        (_encode_raw(b""), "过短"),
        (_bomb(), "压缩炸弹"),
    ],
)
def test_decode_refuses_bad_encodings(encoded, fragment):
    with pytest.raises(DomainError) as caught:
        StatusBitstring.decode(encoded)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert fragment in caught.value.message
    assert caught.value.details["field"] == "encodedList"


def test_bomb_is_small_when_compressed():
    # The guard is about inflation: the refused input is itself tiny.
    assert len(_bomb()) < 40_000


def test_decode_refuses_non_string():
    with pytest.raises(DomainError):
        StatusBitstring.decode(None)  # type: ignore[arg-type]


# --- documents -------------------------------------------------------------------------------


def test_status_list_credential_shape():
    bits = StatusBitstring()
    credential = _credential(bits, "suspension")
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:issuer",
        "validFrom": VALID_FROM,
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "suspension",
            "encodedList": SPEC_EMPTY_LIST,
        },
    }


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"purpose": "refresh"}, ErrorCode.INVALID_INPUT, "purpose"),
        ({"purpose": "Revocation"}, ErrorCode.INVALID_INPUT, "purpose"),
        ({"list_id": ""}, ErrorCode.INVALID_INPUT, "list_id"),
        ({"issuer": " "}, ErrorCode.INVALID_INPUT, "issuer"),
        ({"valid_from": "2026-01-01"}, ErrorCode.INVALID_DATE, "valid_from"),
        ({"valid_from": "2026-02-30T00:00:00Z"}, ErrorCode.INVALID_DATE, "valid_from"),
        ({"encoded_list": "uAAAA"}, ErrorCode.INVALID_INPUT, "encodedList"),
    ],
)
def test_status_list_credential_refuses_bad_input(overrides, code, field):
    kwargs: dict[str, Any] = {
        "list_id": LIST_URL,
        "issuer": "did:example:issuer",
        "purpose": "revocation",
        "encoded_list": SPEC_EMPTY_LIST,
        "valid_from": VALID_FROM,
    }
    with pytest.raises(DomainError) as caught:
        status_list_credential(**(kwargs | overrides))
    assert caught.value.code == code
    assert caught.value.details["field"] == field


def test_status_entry_shape():
    assert status_entry(list_credential_url=LIST_URL, index=94567, purpose="revocation") == {
        "id": LIST_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"index": -1},
        {"index": True},
        {"index": "5"},
        {"purpose": "message"},
        {"list_credential_url": ""},
    ],
)
def test_status_entry_refuses_bad_input(overrides):
    kwargs: dict[str, Any] = {"list_credential_url": LIST_URL, "index": 5, "purpose": "revocation"}
    with pytest.raises(DomainError) as caught:
        status_entry(**(kwargs | overrides))
    assert caught.value.code == ErrorCode.INVALID_INPUT


# --- checking --------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_status_check_reads_set_and_clear_bits(purpose):
    bits = StatusBitstring()
    for index in (0, 7, 8, MIN_ENTRIES - 1):
        bits.set(index, 1)
    credential = _credential(bits, purpose)
    expectations = {0: True, 1: False, 7: True, 8: True, 9: False}
    expectations |= {MIN_ENTRIES - 1: True, MIN_ENTRIES - 2: False}
    for index, expected in expectations.items():
        entry = status_entry(list_credential_url=LIST_URL, index=index, purpose=purpose)
        assert status_check(entry=entry, status_list_credential=credential) == StatusResult(
            purpose=purpose, index=index, status=expected
        )


def test_status_check_accepts_a_list_of_purposes():
    credential = _credential(StatusBitstring())
    credential["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    entry = status_entry(list_credential_url=LIST_URL, index=3, purpose="suspension")
    assert status_check(entry=entry, status_list_credential=credential).status is False


def _entry(**changes: Any) -> dict[str, Any]:
    entry = status_entry(list_credential_url=LIST_URL, index=3, purpose="revocation")
    for key, value in changes.items():
        if value is None:
            del entry[key]
        else:
            entry[key] = value
    return entry


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (_entry(type="StatusList2021Entry"), "type"),
        (_entry(type=None), "type"),
        (_entry(statusPurpose="suspension"), "statusPurpose"),  # the list is for revocation
        (_entry(statusPurpose="message"), "statusPurpose"),
        (_entry(statusListIndex=3), "statusListIndex"),  # must be a string
        (_entry(statusListIndex="-3"), "statusListIndex"),
        (_entry(statusListIndex="03"), "statusListIndex"),
        (_entry(statusListIndex="3.0"), "statusListIndex"),
        (_entry(statusListIndex="9" * 5000), "statusListIndex"),
        (_entry(statusListIndex=str(MIN_ENTRIES)), "statusListIndex"),  # out of range
        (_entry(statusListIndex=None), "statusListIndex"),
        (_entry(statusListCredential="https://elsewhere.example/status/3"), "statusListCredential"),
        (_entry(statusListCredential=None), "statusListCredential"),
        (_entry(statusSize=2), "statusSize"),
    ],
)
def test_status_check_refuses_bad_entries(entry, field):
    credential = _credential(StatusBitstring())
    with pytest.raises(DomainError) as caught:
        status_check(entry=entry, status_list_credential=credential)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.details["field"] == field
    assert caught.value.message


def test_status_check_refuses_bad_credentials():
    entry = _entry()
    good = _credential(StatusBitstring())
    broken: list[tuple[dict[str, Any], str]] = []

    def variant(field: str, change) -> None:
        credential = copy.deepcopy(good)
        change(credential)
        broken.append((credential, field))

    variant("type", lambda c: c.update(type=["VerifiableCredential"]))
    variant("type", lambda c: c.update(type="BitstringStatusListCredential"))
    variant("credentialSubject", lambda c: c.pop("credentialSubject"))
    variant("credentialSubject", lambda c: c["credentialSubject"].update(type="StatusList2021"))
    variant("statusPurpose", lambda c: c["credentialSubject"].update(statusPurpose="suspension"))
    variant("statusPurpose", lambda c: c["credentialSubject"].pop("statusPurpose"))
    variant("encodedList", lambda c: c["credentialSubject"].pop("encodedList"))
    variant("encodedList", lambda c: c["credentialSubject"].update(encodedList="uH4sIAAAA"))
    variant(
        "encodedList",
        lambda c: c["credentialSubject"].update(encodedList=_encode_raw(bytes(1024))),
    )
    for credential, field in broken:
        with pytest.raises(DomainError) as caught:
            status_check(entry=entry, status_list_credential=credential)
        assert caught.value.details["field"] == field, credential


# --- signing the list credential -------------------------------------------------------------


def test_signed_status_list_credential_verifies_and_detects_tampering():
    key = Ed25519PrivateKey.generate()
    multikey = multikey_encode_ed25519_public(key.public_key())
    bits = StatusBitstring()
    bits.set(42, 1)
    secured = proof_create(
        document=_credential(bits),
        key=key,
        verification_method=f"did:key:{multikey}#{multikey}",
        cryptosuite=EDDSA_RDFC_2022,
        created=VALID_FROM,
    )
    result = proof_verify(document=secured, public_key_resolver=did_key_resolve)
    assert result.verified, result.failures
    entry = status_entry(list_credential_url=LIST_URL, index=42, purpose="revocation")
    assert status_check(entry=entry, status_list_credential=secured).status is True

    # Un-revoking index 42 without re-signing breaks the proof.
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["encodedList"] = SPEC_EMPTY_LIST
    assert not proof_verify(document=tampered, public_key_resolver=did_key_resolve).verified
