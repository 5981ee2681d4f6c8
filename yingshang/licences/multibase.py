"""Multibase (base58btc) and Multikey encodings (多重编码密钥) used by Data Integrity proofs.

Only the base58btc alphabet (multibase prefix ``z``) is supported; it is the one the W3C
cryptosuites use for ``proofValue`` and ``publicKeyMultibase``. A Multikey is a multicodec
varint header followed by the raw key bytes:

=================  =========  ====================================================
key                header     body
=================  =========  ====================================================
Ed25519 public     ``ed01``   32 bytes
Ed25519 secret     ``8026``   32 bytes (the RFC 8032 seed)
P-256 public       ``8024``   33 bytes (SEC 1 compressed point)
P-384 public       ``8124``   49 bytes (SEC 1 compressed point)
=================  =========  ====================================================
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: index for index, char in enumerate(BASE58_ALPHABET)}

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"
P256_PUB_HEADER = b"\x80\x24"
P384_PUB_HEADER = b"\x81\x24"

_EC_HEADERS: dict[bytes, tuple[ec.EllipticCurve, int]] = {
    P256_PUB_HEADER: (ec.SECP256R1(), 33),
    P384_PUB_HEADER: (ec.SECP384R1(), 49),
}

PublicMultikey = Ed25519PublicKey | ec.EllipticCurvePublicKey


def _invalid(message: str, **details: object) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, details)


def base58btc_encode(data: bytes) -> str:
    """Bitcoin base58: each leading zero byte becomes ``1``, the rest is a big number."""
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for position, char in enumerate(text):
        value = _BASE58_INDEX.get(char)
        if value is None:
            raise _invalid(
                _("base58btc 编码中有非法字符：%(char)r") % {"char": char}, position=position
            )
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` followed by base58btc."""
    return "z" + base58btc_encode(data)


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise _invalid(_("只支持以 z 开头的 base58btc 多重编码值。"))
    return base58btc_decode(text[1:])


def multikey_encode_ed25519_public(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase_encode(ED25519_PUB_HEADER + raw)


def multikey_encode_ed25519_secret(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_encode(ED25519_PRIV_HEADER + raw)


def multikey_decode_ed25519_secret(text: str) -> Ed25519PrivateKey:
    data = multibase_decode(text)
    if not data.startswith(ED25519_PRIV_HEADER) or len(data) != 34:
        raise _invalid(_("不是 Ed25519 私钥的 Multikey 编码（应为 0x8026 开头的 32 字节）。"))
    return Ed25519PrivateKey.from_private_bytes(data[2:])


def multikey_decode_public(text: str) -> PublicMultikey:
    """Decode a ``publicKeyMultibase`` (Ed25519, P-256 or P-384) into a cryptography key."""
    data = multibase_decode(text)
    header, body = data[:2], data[2:]
    if header == ED25519_PUB_HEADER:
        if len(body) != 32:
            raise _invalid(_("Ed25519 公钥应为 32 字节。"), length=len(body))
        return Ed25519PublicKey.from_public_bytes(body)
    if header in _EC_HEADERS:
        curve, size = _EC_HEADERS[header]
        if len(body) != size:
            raise _invalid(_("椭圆曲线公钥长度不对。"), length=len(body), expected=size)
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, body)
        except ValueError as exc:
            raise _invalid(_("椭圆曲线公钥不是曲线上的点。")) from exc
    raise _invalid(_("不支持的 Multikey 类型：%(header)s") % {"header": header.hex()})


def did_key_resolve(verification_method: str) -> PublicMultikey:
    """Resolve a ``did:key:<multikey>#<multikey>`` verification method without any network.

    did:key carries the public key in the identifier itself, so no lookup is needed.
    """
    did, _sep, fragment = verification_method.partition("#")
    if not did.startswith("did:key:"):
        raise _invalid(_("只能离线解析 did:key 验证方法：%(vm)s") % {"vm": verification_method})
    multikey = did.removeprefix("did:key:")
    if fragment and fragment != multikey:
        raise _invalid(_("did:key 的片段与公钥不一致。"))
    return multikey_decode_public(multikey)
