"""The SM2/SM3 additional signature (国密附加签名) on a licence.

For systems that must check national cryptography, each licence also carries a detached
SM2 signature (GB/T 32918.2 with SM3, distinguishing identifier ``1234567812345678``) over
the RFC 8785 canonical JSON of the signed credential, Data Integrity proof included. It is
published beside the credential (never inside it, so the credential, its QR code and its
W3C proof stay exactly as W3C verifiers expect) and checks with any SM2 implementation::

    openssl pkeyutl -verify -rawin -digest sm3 -pubin -inkey sm2.pem \\
        -pkeyopt distid:1234567812345678 -in credential.jcs -sigfile signature.der
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import rfc8785

from yingshang.core.sm2 import DEFAULT_USER_ID, sm2_sign, sm2_verify

ALGORITHM = "SM2-with-SM3"
CANONICALIZATION = "RFC8785"


def signed_bytes(credential: dict[str, Any]) -> bytes:
    """What the SM2 signature covers: the credential's RFC 8785 canonical JSON."""
    return rfc8785.dumps(credential)


def sm2_signature_create(
    *, credential: dict[str, Any], private_key: int, verification_method: str
) -> dict[str, str]:
    """The detached signature record published beside ``credential``."""
    signature = sm2_sign(private_key=private_key, message=signed_bytes(credential))
    return {
        "algorithm": ALGORITHM,
        "canonicalization": CANONICALIZATION,
        "verificationMethod": verification_method,
        "userId": DEFAULT_USER_ID.decode("ascii"),
        "signatureValue": base64.b64encode(signature).decode("ascii"),
    }


def sm2_signature_verify(
    *, credential: dict[str, Any], signature: dict[str, Any], public_key: bytes
) -> bool:
    """Whether ``signature`` (a record from :func:`sm2_signature_create`) is valid.

    A record of another algorithm or with undecodable fields is simply not valid.
    """
    if (
        not isinstance(signature, dict)
        or signature.get("algorithm") != ALGORITHM
        or signature.get("canonicalization") != CANONICALIZATION
        or not isinstance(signature.get("userId"), str)
        or not isinstance(signature.get("signatureValue"), str)
    ):
        return False
    try:
        der = base64.b64decode(signature["signatureValue"], validate=True)
        user_id = signature["userId"].encode("ascii")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return sm2_verify(
        public_key=public_key, message=signed_bytes(credential), signature=der, user_id=user_id
    )
