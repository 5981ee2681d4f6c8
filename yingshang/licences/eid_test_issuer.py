"""A test e-ID issuer of our own (测试用电子身份证签发方), for the demo and the tests.

Real e-ID credentials come from the national e-ID issuers, whose DID documents officials put
on the trust list. This issuer stands in for one: it has its own ``did:web`` and Ed25519
key, publishes a DID document, and issues ``IdentityCardCredential`` (full name, ID number,
birth date) signed with ``eddsa-rdfc-2022``. Nothing here is used to issue real documents.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yingshang.core.idcard import id_number_parse
from yingshang.licences.dataintegrity import EDDSA_RDFC_2022, proof_create
from yingshang.licences.documents import CREDENTIALS_V2, LICENCE_V1, MULTIKEY_V1
from yingshang.licences.multibase import (
    multikey_decode_ed25519_secret,
    multikey_encode_ed25519_public,
    multikey_encode_ed25519_secret,
)

TEST_EID_DID = "did:web:eid.test.yingshang.example"
TEST_EID_NAME = "电子身份证测试签发方"
TEST_EID_REGION = "310000"


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TestEidIssuer:
    """An e-ID issuer with its own key (``secret`` multikey, or a new key)."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, did: str = TEST_EID_DID, secret: str | None = None) -> None:
        self.did = did
        self.key = (
            multikey_decode_ed25519_secret(secret) if secret else Ed25519PrivateKey.generate()
        )
        self.public_multikey = multikey_encode_ed25519_public(self.key.public_key())
        self.key_url = f"{did}#key-1"

    @property
    def secret(self) -> str:
        return multikey_encode_ed25519_secret(self.key)

    def did_document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/did/v1", MULTIKEY_V1],
            "id": self.did,
            "verificationMethod": [
                {
                    "id": self.key_url,
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": self.public_multikey,
                }
            ],
            "assertionMethod": [self.key_url],
        }

    def trust_entry(self) -> dict[str, Any]:
        """What an official submits to put this issuer on the trust list."""
        return {
            "did": self.did,
            "name": TEST_EID_NAME,
            "region_code": TEST_EID_REGION,
            "kind": "id_card",
            "did_document": self.did_document(),
        }

    def issue(
        self,
        *,
        full_name: str,
        id_number: str,
        valid_from: dt.datetime | None = None,
        valid_until: dt.datetime | None = None,
    ) -> dict[str, Any]:
        number = id_number_parse(id_number)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        valid_from = valid_from or now
        valid_until = valid_until or valid_from + dt.timedelta(days=365 * 10)
        credential = {
            "@context": [CREDENTIALS_V2, LICENCE_V1],
            "id": f"urn:uuid:{secrets.token_hex(16)}",
            "type": ["VerifiableCredential", "IdentityCardCredential"],
            "issuer": self.did,
            "validFrom": _utc(valid_from),
            "validUntil": _utc(valid_until),
            "credentialSubject": {
                "type": "IdentityCard",
                "fullName": full_name,
                "idNumber": number.value,
                "birthDate": number.birth_date.isoformat(),
            },
        }
        return proof_create(
            document=credential,
            key=self.key,
            verification_method=self.key_url,
            cryptosuite=EDDSA_RDFC_2022,
            created=_utc(now),
        )
