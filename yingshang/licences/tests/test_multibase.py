"""base58btc and Multikey encodings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from yingshang.core.errors import DomainError
from yingshang.licences.multibase import (
    base58btc_decode,
    base58btc_encode,
    did_key_resolve,
    multibase_decode,
    multikey_decode_ed25519_secret,
    multikey_decode_public,
    multikey_encode_ed25519_public,
    multikey_encode_ed25519_secret,
)

KEY_PAIR = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "w3c-vc"
    / "vectors"
    / "eddsa_keyPair.json"
)


@given(st.binary(max_size=80))
def test_base58btc_round_trip(data):
    assert base58btc_decode(base58btc_encode(data)) == data


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"\x00", "1"), (b"\x00\x00\x01", "112"), (b"hello world", "StV1DL6CwTryKyV")],
)
def test_base58btc_known_answers(data, text):
    assert base58btc_encode(data) == text
    assert base58btc_decode(text) == data


@pytest.mark.parametrize("text", ["z0OIl", "mAAAA", ""])
def test_bad_multibase_refused(text):
    with pytest.raises(DomainError):
        multibase_decode(text)


@pytest.mark.skipif(not KEY_PAIR.is_file(), reason="W3C reference data not present")
def test_published_ed25519_key_pair():
    pair = json.loads(KEY_PAIR.read_text(encoding="utf-8"))
    secret = multikey_decode_ed25519_secret(pair["privateKeyMultibase"])
    assert multikey_encode_ed25519_secret(secret) == pair["privateKeyMultibase"]
    assert multikey_encode_ed25519_public(secret.public_key()) == pair["publicKeyMultibase"]
    assert isinstance(multikey_decode_public(pair["publicKeyMultibase"]), Ed25519PublicKey)


@pytest.mark.parametrize(
    ("method", "curve"),
    [
        ("did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP", "secp256r1"),
        (
            "did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ",
            "secp384r1",
        ),
    ],
)
def test_ecdsa_did_keys(method, curve):
    key = did_key_resolve(method)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == curve


@pytest.mark.parametrize(
    "method",
    [
        "did:web:example.com#key-1",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other",
        "did:key:z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",  # a secret key
    ],
)
def test_did_key_resolve_refuses(method):
    with pytest.raises(DomainError):
        did_key_resolve(method)
