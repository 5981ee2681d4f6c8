"""The SM2/SM3 additional signature on a licence, checked by OpenSSL's SM2."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import pytest

from yingshang.core.sm2 import sm2_keypair, sm2_public_key_from_pem, sm2_public_key_to_pem
from yingshang.core.tests.test_sm2 import _openssl, _openssl_key, needs_openssl
from yingshang.licences.models import IssuerKey
from yingshang.licences.sm2sig import signed_bytes, sm2_signature_create, sm2_signature_verify


def _sm2_key(licence) -> IssuerKey:
    key_id = licence.sm2_signature["verificationMethod"].partition("#")[2]
    return IssuerKey.objects.get(key_id=key_id)


@needs_openssl
def test_openssl_verifies_the_licence_signature(licence, tmp_path: Path):
    key = _sm2_key(licence)
    (tmp_path / "pub.pem").write_text(sm2_public_key_to_pem(bytes(key.public_key)))
    (tmp_path / "credential.jcs").write_bytes(signed_bytes(licence.credential))
    signature = base64.b64decode(licence.sm2_signature["signatureValue"])
    (tmp_path / "signature.der").write_bytes(signature)
    args: list[str | Path] = ["pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin"]
    args += ["-inkey", tmp_path / "pub.pem", "-pkeyopt", "distid:1234567812345678"]
    done = _openssl(
        *args, "-in", tmp_path / "credential.jcs", "-sigfile", tmp_path / "signature.der"
    )
    assert done.returncode == 0, done.stderr
    tampered = copy.deepcopy(licence.credential)
    tampered["credentialSubject"]["entityName"] = "另一家公司"
    (tmp_path / "credential.jcs").write_bytes(signed_bytes(tampered))
    done = _openssl(
        *args, "-in", tmp_path / "credential.jcs", "-sigfile", tmp_path / "signature.der"
    )
    assert done.returncode != 0


@needs_openssl
def test_we_verify_a_signature_openssl_made(licence, tmp_path: Path):
    key, pub = _openssl_key(tmp_path)
    (tmp_path / "credential.jcs").write_bytes(signed_bytes(licence.credential))
    done = _openssl(
        "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", key,
        "-pkeyopt", "distid:1234567812345678",
        "-in", tmp_path / "credential.jcs", "-out", tmp_path / "sig",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = {
        "algorithm": "SM2-with-SM3",
        "canonicalization": "RFC8785",
        "verificationMethod": "x",
        "userId": "1234567812345678",
        "signatureValue": base64.b64encode((tmp_path / "sig").read_bytes()).decode(),
    }
    public = sm2_public_key_from_pem(pub.read_text())
    assert sm2_signature_verify(credential=licence.credential, signature=record, public_key=public)


@pytest.mark.parametrize(
    "broken",
    [
        {"algorithm": "ECDSA"},
        {"canonicalization": "URDNA2015"},
        {"signatureValue": "not base64!"},
        {"userId": 42},
    ],
)
def test_malformed_records_are_simply_invalid(broken):
    private, public = sm2_keypair()
    credential = {"id": "urn:x", "name": "测试"}
    record = sm2_signature_create(
        credential=credential, private_key=private, verification_method="v"
    )
    assert sm2_signature_verify(credential=credential, signature=record, public_key=public)
    assert not sm2_signature_verify(
        credential=credential, signature={**record, **broken}, public_key=public
    )
