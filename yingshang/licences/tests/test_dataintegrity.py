"""Known-answer tests for Data Integrity proofs against the published W3C vectors.

The vectors and the W3C examples context are read in place from the shared reference data;
the examples context is served to pyld by a test-only loader extension, never bundled.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    VerifyReason,
    canonicalize_jcs,
    canonicalize_rdfc,
    proof_configuration,
    proof_create,
    proof_verify,
    undefined_terms,
)
from yingshang.licences.documents import (
    BUNDLED_CONTEXTS,
    CREDENTIALS_V2,
    ContextRefused,
    offline_loader,
)
from yingshang.licences.multibase import (
    did_key_resolve,
    multikey_decode_ed25519_secret,
    multikey_encode_ed25519_public,
)

W3C = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "w3c-vc"
VECTORS = W3C / "vectors"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
CREATED = "2023-02-24T23:36:38Z"
ED_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
ED_METHOD = f"did:key:{ED_KEY}#{ED_KEY}"

pytestmark = pytest.mark.skipif(not VECTORS.is_dir(), reason="W3C reference data not present")


def _json(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def _text(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8")


@pytest.fixture
def loader():
    """The offline loader extended with the W3C examples context (tests only)."""
    examples = json.loads((W3C / "contexts" / "examples-v2.jsonld").read_text(encoding="utf-8"))
    return offline_loader({EXAMPLES_V2: examples})


@pytest.fixture
def secret_key() -> Ed25519PrivateKey:
    return multikey_decode_ed25519_secret(_json("eddsa_keyPair.json")["privateKeyMultibase"])


def _verify(document: dict[str, Any], loader) -> Any:
    return proof_verify(
        document=document, public_key_resolver=did_key_resolve, document_loader=loader
    )


# --- byte-for-byte known answers ------------------------------------------------------------


def test_rdfc_canonical_document_matches_vector(loader):
    canonical = canonicalize_rdfc(_json("tv_unsigned.json"), loader=loader)
    assert canonical == _text("tv_eddsa-rdfc-2022_canonDocDataInt.txt")


def test_jcs_canonical_document_matches_vector():
    canonical = canonicalize_jcs(_json("tv_unsigned.json"))
    assert canonical == (VECTORS / "tv_eddsa-jcs-2022_canonDocJCS.txt").read_bytes()


@pytest.mark.parametrize(
    ("suite", "config_file", "signature_file"),
    [
        (
            EDDSA_RDFC_2022,
            "tv_eddsa-rdfc-2022_proofConfigDataInt.json",
            "tv_eddsa-rdfc-2022_sigBTC58DataInt.txt",
        ),
        (
            EDDSA_JCS_2022,
            "tv_eddsa-jcs-2022_proofConfigJCS.json",
            "tv_eddsa-jcs-2022_sigBTC58JCS.txt",
        ),
    ],
)
def test_proof_create_reproduces_published_proof(
    loader, secret_key, suite, config_file, signature_file
):
    unsigned = _json("tv_unsigned.json")
    secured = proof_create(
        document=unsigned,
        key=secret_key,
        verification_method=ED_METHOD,
        cryptosuite=suite,
        created=CREATED,
        document_loader=loader,
    )
    proof = secured["proof"]
    # Ed25519 is deterministic: the very same signature as published.
    assert proof["proofValue"] == _text(signature_file).strip()
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    assert proof_configuration(document=unsigned, proof_options=options) == _json(config_file)
    assert "proof" not in unsigned  # the input is not mutated


@pytest.mark.parametrize(
    ("suite", "signed_file"),
    [
        (EDDSA_RDFC_2022, "eddsa_eddsa-rdfc-2022_signedDataInt.json"),
        (EDDSA_JCS_2022, "eddsa_eddsa-jcs-2022_signedJCS.json"),
    ],
)
def test_proof_create_reproduces_signed_vector(loader, secret_key, suite, signed_file):
    secured = proof_create(
        document=_json("tv_unsigned.json"),
        key=secret_key,
        verification_method=ED_METHOD,
        cryptosuite=suite,
        created=CREATED,
        document_loader=loader,
    )
    assert secured == _json(signed_file)


# --- verification of the published signed credentials ---------------------------------------

SIGNED = [
    "eddsa_eddsa-rdfc-2022_signedDataInt.json",
    "eddsa_eddsa-jcs-2022_signedJCS.json",
    "ecdsa_ecdsa-rdfc-2019-p256_signedECDSAP256.json",
    "ecdsa_ecdsa-rdfc-2019-p384_signedECDSAP384.json",
    "ecdsa_ecdsa-jcs-2019-p256_signedJCSECDSAP256.json",
    "ecdsa_ecdsa-jcs-2019-p384_signedJCSECDSAP384.json",
]


@pytest.mark.parametrize("name", SIGNED)
def test_published_signed_credential_verifies(loader, name):
    document = _json(name)
    result = _verify(document, loader)
    assert result.verified, result.failures
    assert result.reasons == ()
    assert result.cryptosuite == document["proof"]["cryptosuite"]


@pytest.mark.parametrize("name", SIGNED)
def test_tampered_subject_fails(loader, name):
    document = _json(name)
    document["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    result = _verify(document, loader)
    assert not result.verified
    assert result.reasons == (VerifyReason.SIGNATURE_INVALID,)


@pytest.mark.parametrize("name", SIGNED)
def test_tampered_created_fails(loader, name):
    document = _json(name)
    document["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert _verify(document, loader).reasons == (VerifyReason.SIGNATURE_INVALID,)


@pytest.mark.parametrize("name", SIGNED)
def test_flipped_proof_value_character_fails(loader, name):
    document = _json(name)
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:-1] + ("2" if value[-1] != "2" else "3")
    assert _verify(document, loader).reasons == (VerifyReason.SIGNATURE_INVALID,)


def test_proof_value_not_base58_fails(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    document["proof"]["proofValue"] = document["proof"]["proofValue"][:-1] + "0"
    assert _verify(document, loader).reasons == (VerifyReason.INVALID_PROOF_VALUE,)


def test_proof_value_wrong_length_fails(loader):
    document = _json("eddsa_eddsa-jcs-2022_signedJCS.json")
    document["proof"]["proofValue"] = document["proof"]["proofValue"][:-4]
    assert _verify(document, loader).reasons == (VerifyReason.INVALID_PROOF_VALUE,)


def test_created_not_a_datetime_fails(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    document["proof"]["created"] = "yesterday"
    assert _verify(document, loader).reasons == (VerifyReason.INVALID_CREATED,)


def test_jcs_proof_context_must_prefix_document_context(loader):
    document = _json("eddsa_eddsa-jcs-2022_signedJCS.json")
    document["@context"] = [CREDENTIALS_V2]
    assert _verify(document, loader).reasons == (VerifyReason.CONTEXT_MISMATCH,)


def test_key_of_wrong_type_fails(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    result = proof_verify(
        document=document, public_key_resolver=lambda _m: p256, document_loader=loader
    )
    assert result.reasons == (VerifyReason.KEY_TYPE_MISMATCH,)


def test_other_key_fails(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    other = Ed25519PrivateKey.generate().public_key()
    result = proof_verify(
        document=document, public_key_resolver=lambda _m: other, document_loader=loader
    )
    assert result.reasons == (VerifyReason.SIGNATURE_INVALID,)


def test_unresolvable_method_fails(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    document["proof"]["verificationMethod"] = "did:web:example.com#key-1"
    assert _verify(document, loader).reasons == (VerifyReason.KEY_UNRESOLVED,)


def test_unknown_cryptosuite_and_missing_proof(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    unsupported = copy.deepcopy(document)
    unsupported["proof"]["cryptosuite"] = "bbs-2023"
    assert _verify(unsupported, loader).reasons == (VerifyReason.UNSUPPORTED_CRYPTOSUITE,)
    del document["proof"]
    assert _verify(document, loader).reasons == (VerifyReason.PROOF_MISSING,)


def test_expected_proof_purpose(loader):
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    result = proof_verify(
        document=document,
        public_key_resolver=did_key_resolve,
        expected_proof_purpose="authentication",
        document_loader=loader,
    )
    assert result.reasons == (VerifyReason.PROOF_PURPOSE_MISMATCH,)
    assert result.failures[0].message


def test_round_trip_with_fresh_key(loader):
    key = Ed25519PrivateKey.generate()
    for suite in (EDDSA_RDFC_2022, EDDSA_JCS_2022):
        secured = proof_create(
            document=_json("tv_unsigned.json"),
            key=key,
            verification_method="urn:example:key",
            cryptosuite=suite,
            created="2026-01-01T00:00:00Z",
            document_loader=loader,
        )
        result = proof_verify(
            document=secured,
            public_key_resolver=lambda _m: key.public_key(),
            document_loader=loader,
        )
        assert result.verified, result.failures


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, ErrorCode.INVALID_INPUT),
        ({"created": "2023-02-24"}, ErrorCode.INVALID_DATE),
    ],
)
def test_proof_create_refuses_bad_options(loader, secret_key, overrides, code):
    kwargs: dict[str, Any] = {
        "document": _json("tv_unsigned.json"),
        "key": secret_key,
        "verification_method": ED_METHOD,
        "cryptosuite": EDDSA_RDFC_2022,
        "created": CREATED,
        "document_loader": loader,
    }
    with pytest.raises(DomainError) as raised:
        proof_create(**(kwargs | overrides))
    assert raised.value.code == code


def test_proof_create_refuses_already_signed(loader, secret_key):
    with pytest.raises(DomainError):
        proof_create(
            document=_json("eddsa_eddsa-rdfc-2022_signedDataInt.json"),
            key=secret_key,
            verification_method=ED_METHOD,
            cryptosuite=EDDSA_RDFC_2022,
            created=CREATED,
            document_loader=loader,
        )


# --- the offline loader -------------------------------------------------------------------------


def _no_network_loader(url: str, options: Any = None) -> Any:
    raise AssertionError(f"pyld's global loader was used for {url}")


@pytest.fixture
def pyld_global_loader_forbidden():
    """Make pyld's *global* loader fail loudly, proving our per-call loader is what runs."""
    saved = jsonld.get_document_loader()
    jsonld.set_document_loader(_no_network_loader)
    try:
        yield
    finally:
        jsonld.set_document_loader(saved)


@pytest.mark.usefixtures("pyld_global_loader_forbidden")
def test_unknown_context_is_refused_without_network():
    document = _json("eddsa_eddsa-rdfc-2022_signedDataInt.json")
    started = time.monotonic()
    with pytest.raises(DomainError) as raised:
        proof_verify(document=document, public_key_resolver=did_key_resolve)
    assert time.monotonic() - started < 2
    assert raised.value.code == ErrorCode.INVALID_INPUT
    assert raised.value.details == {"url": EXAMPLES_V2}
    assert raised.value.message == (
        f"不支持的 JSON-LD 上下文：{EXAMPLES_V2}（为安全起见不从网络获取）"
    )


@pytest.mark.usefixtures("pyld_global_loader_forbidden")
def test_unbundled_context_in_published_vector_is_refused(loader):
    # The employment vector uses https://w3id.org/citizenship/v4rc1, which is not bundled.
    with pytest.raises(ContextRefused):
        _verify(_json("eddsa_eddsa-rdfc-2022_employ_signedDataInt.json"), loader)


@pytest.mark.usefixtures("pyld_global_loader_forbidden")
def test_extension_context_does_not_leak_into_default_loader(loader):
    # pyld caches resolved contexts by URL in a module global; ours are per loader.
    assert _verify(_json("eddsa_eddsa-rdfc-2022_signedDataInt.json"), loader).verified
    with pytest.raises(ContextRefused):
        canonicalize_rdfc(_json("tv_unsigned.json"), loader=offline_loader())


def test_refused_context_raises_from_proof_create(secret_key):
    with pytest.raises(ContextRefused):
        proof_create(
            document=_json("tv_unsigned.json"),
            key=secret_key,
            verification_method=ED_METHOD,
            cryptosuite=EDDSA_RDFC_2022,
            created=CREATED,
        )


def test_bundled_contexts_load_and_are_copies():
    load = offline_loader()
    for url in BUNDLED_CONTEXTS:
        first = load(url, {})
        assert first["documentUrl"] == url
        assert "@context" in first["document"]
        first["document"]["@context"] = "mutated"
        assert load(url, {})["document"]["@context"] != "mutated"


def test_bundled_credentials_context_is_the_w3c_file():
    bundled = offline_loader()(CREDENTIALS_V2, {})["document"]
    published = json.loads((W3C / "contexts" / "credentials-v2.jsonld").read_text(encoding="utf-8"))
    assert bundled == published


def test_rdfc_refuses_terms_no_context_defines() -> None:
    """RDFC would drop an undefined term from the signed data: refuse to sign or verify it."""
    key = Ed25519PrivateKey.generate()
    multikey = multikey_encode_ed25519_public(key.public_key())
    did = f"did:key:{multikey}"
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": "urn:uuid:1", "name": "上海鑫达贸易有限公司"},
    }
    assert undefined_terms(credential, loader=offline_loader()) == []
    smuggled = credential | {"credentialSubject": {"id": "urn:uuid:1", "企业类型": "有限"}}
    assert undefined_terms(smuggled, loader=offline_loader()) == ["企业类型"]

    def sign(document: dict[str, Any]) -> dict[str, Any]:
        return proof_create(
            document=document,
            key=key,
            verification_method=f"{did}#{multikey}",
            cryptosuite="eddsa-rdfc-2022",
            created="2026-01-01T00:00:00Z",
        )

    with pytest.raises(DomainError):
        sign(smuggled)
    signed = sign(credential)
    signed["credentialSubject"]["企业类型"] = "有限"  # slipped in after signing
    result = proof_verify(document=signed, public_key_resolver=did_key_resolve)
    assert not result.verified and VerifyReason.CANONICALIZATION_FAILED in result.reasons


def test_a_relative_id_is_refused_by_rdfc_safe_mode() -> None:
    # RDF drops a triple whose subject or object is a relative IRI: an RDFC signature would
    # not cover it, so signing (and verifying) refuses the document.
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "relative/path",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    assert undefined_terms(document, loader=offline_loader()) == ["relative/path"]
