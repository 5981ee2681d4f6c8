"""SM2 digital signatures with SM3 (GB/T 32918.1-5-2016/2017, GB/T 32905-2016).

Pure Python over the recommended curve sm2p256v1 (GB/T 32918.5) in Jacobian coordinates:
k·G from a fixed-base table of signed 6-bit windows built on first use (additions only),
k·P by a width-5 wNAF, one modular inverse per result. A signature costs well under a
millisecond, a verification about a millisecond (``bench/sm2.py``). SM3 comes from
``hashlib.new("sm3")`` (OpenSSL); without it the functions raise :class:`Sm3Unavailable`.
Keys and nonces come only from :mod:`secrets`.

Signatures are DER ``SEQUENCE { INTEGER r, INTEGER s }`` and keys PEM
(``PUBLIC KEY``: SubjectPublicKeyInfo; ``PRIVATE KEY``: PKCS#8 wrapping an RFC 5915
ECPrivateKey), both with algorithm id-ecPublicKey and curve OID 1.2.156.10197.1.301 -- the
forms ``openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2`` reads and writes.

Not constant-time, and it cannot be made so in pure Python: big integers, table lookups by
secret window digits and skipped additions all leak timing. Fine for signing licences on a
server the private key never leaves, which does nothing else observable per signature; not
for a shared host or a smart card.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import secrets
from typing import NamedTuple

from django.utils.translation import gettext as _

from .errors import DomainError, ErrorCode

# --- The curve (GB/T 32918.5-2017, sm2p256v1) --------------------------------------------

P = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFF_00000000_FFFFFFFF_FFFFFFFF
A = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFF_00000000_FFFFFFFF_FFFFFFFC
B = 0x28E9FA9E_9D9F5E34_4D5A9E4B_CF6509A7_F39789F5_15AB8F92_DDBCBD41_4D940E93
N = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
GX = 0x32C4AE2C_1F198119_5F990446_6A39C994_8FE30BBF_F2660BE1_715A4589_334C74C7
GY = 0xBC3736A2_F4F6779C_59BDCEE3_6B692153_D0A9877C_C62A4740_02DF32E5_2139F0A0

DEFAULT_USER_ID = b"1234567812345678"  # GB/T 35276-2017 default distinguishing identifier


class Point(NamedTuple):
    x: int
    y: int


MaybePoint = Point | None  # None is the point at infinity
G = Point(GX, GY)


def _on_curve(point: Point) -> bool:
    x, y = point
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


# --- Point arithmetic --------------------------------------------------------------------
# Jacobian coordinates (X, Y, Z) stand for the affine point (X/Z², Y/Z³); any Z = 0 is the
# point at infinity. Additions and doublings need no inverse: one ``pow(z, -1, p)`` turns
# the result back into affine coordinates (and one per batch of table points, by
# Montgomery's trick). The curve has a = -3 (mod p), so doubling uses the a = -3 formula
# ("dbl-2001-b"); additions of an affine point use "madd" and of two Jacobian points "add"
# (Bernstein-Lange, Explicit-Formulas Database, hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3).
#
# Not constant-time (see the module docstring): the window digits of a secret scalar pick
# table entries and skip additions, and Python's integers take data-dependent time anyway.
# The private key never leaves the server, which signs nothing on an attacker's timing.

_Affine = tuple[int, int]
_Jacobian = tuple[int, int, int]
_INFINITY: _Jacobian = (1, 1, 0)

_G_WINDOW = 6  # bits per window of the fixed-base table for G: 43 windows of 32 points
_WNAF_WIDTH = 5  # variable base: odd multiples P, 3P, ..., 15P


def _double(point: _Jacobian) -> _Jacobian:
    """2·point with a = -3; infinity (Z = 0) stays infinity (the curve has no y = 0 point)."""
    x1, y1, z1 = point
    delta = z1 * z1 % P
    gamma = y1 * y1 % P
    beta = x1 * gamma % P
    alpha = 3 * (x1 - delta) * (x1 + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    return x3, (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P, 2 * y1 * z1 % P


def _add_affine(point: _Jacobian, x2: int, y2: int) -> _Jacobian:
    """point + (x2, y2), the second point affine and finite."""
    x1, y1, z1 = point
    if not z1:
        return x2, y2, 1
    z1z1 = z1 * z1 % P
    h = (x2 * z1z1 - x1) % P
    r = (y2 * z1 * z1z1 - y1) % P
    if not h:
        return _double(point) if not r else _INFINITY
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - y1 * hhh) % P, z1 * h % P


def _add_jacobian(first: _Jacobian, second: _Jacobian) -> _Jacobian:
    x1, y1, z1 = first
    x2, y2, z2 = second
    if not z1:
        return second
    if not z2:
        return first
    z1z1 = z1 * z1 % P
    z2z2 = z2 * z2 % P
    u1 = x1 * z2z2 % P
    s1 = y1 * z2 * z2z2 % P
    h = (x2 * z1z1 - u1) % P
    r = (y2 * z1 * z1z1 - s1) % P
    if not h:
        return _double(first) if not r else _INFINITY
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, z1 * z2 * h % P


def _to_affine(point: _Jacobian) -> MaybePoint:
    x, y, z = point
    if not z:
        return None
    z_inverse = pow(z, -1, P)
    zz = z_inverse * z_inverse % P
    return Point(x * zz % P, y * zz * z_inverse % P)


def _batch_to_affine(points: list[_Jacobian]) -> list[_Affine]:
    """Many finite points to affine with a single inverse (Montgomery's trick)."""
    prefix = [1]
    for _x, _y, z in points:
        prefix.append(prefix[-1] * z % P)
    inverse = pow(prefix[-1], -1, P)
    affine: list[_Affine] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        z_inverse = inverse * prefix[i] % P
        inverse = inverse * z % P
        zz = z_inverse * z_inverse % P
        affine[i] = (x * zz % P, y * zz * z_inverse % P)
    return affine


@functools.cache
def _g_table() -> tuple[tuple[_Affine, ...], ...]:
    """table[i][j - 1] = j · 2^(w·i) · G for j = 1 .. 2^(w-1): built once, on first use.

    Enough windows for a 257-bit signed recoding of any scalar below n (< 2^256).
    """
    half = 1 << (_G_WINDOW - 1)
    windows = -(-257 // _G_WINDOW)
    table = []
    base: _Affine = (GX, GY)
    for _window in range(windows):
        multiples: list[_Jacobian] = [(*base, 1)]
        for _j in range(half - 1):
            multiples.append(_add_affine(multiples[-1], *base))
        multiples.append(_double(multiples[-1]))  # 2^w · base, the next window's base
        affine = _batch_to_affine(multiples)
        table.append(tuple(affine[:half]))
        base = affine[half]
    return tuple(table)


def _signed_digits(k: int, width: int) -> list[int]:
    """k = Σ d_i · 2^(width·i), every d_i in [-2^(width-1), 2^(width-1))."""
    size, half = 1 << width, 1 << (width - 1)
    digits = []
    while k:
        digit = k & (size - 1)
        k >>= width
        if digit >= half:
            digit -= size
            k += 1
        digits.append(digit)
    return digits


def _multiply_g_jacobian(k: int) -> _Jacobian:
    """k·G for 0 <= k < n from the fixed-base table: additions only, no doublings."""
    result = _INFINITY
    for window, digit in zip(_g_table(), _signed_digits(k, _G_WINDOW), strict=False):
        if digit > 0:
            x, y = window[digit - 1]
            result = _add_affine(result, x, y)
        elif digit < 0:
            x, y = window[-digit - 1]
            result = _add_affine(result, x, P - y)
    return result


def _wnaf(k: int, width: int) -> list[int]:
    """Width-w NAF of k > 0, least significant first: odd digits below 2^(w-1) in size."""
    size, half = 1 << width, 1 << (width - 1)
    digits = []
    while k:
        if k & 1:
            digit = k & (size - 1)
            if digit >= half:
                digit -= size
            k -= digit
        else:
            digit = 0
        digits.append(digit)
        k >>= 1
    return digits


@functools.lru_cache(maxsize=16)
def _odd_multiples(point: Point) -> tuple[_Affine, ...]:
    """point, 3·point, ..., (2^(w-1) - 1)·point in affine coordinates (cached per public key)."""
    multiples: list[_Jacobian] = [(point.x, point.y, 1)]
    twice = _to_affine(_double(multiples[0]))
    if twice is None:  # order 2: impossible on this curve, whose points all have order n
        raise ArithmeticError("point of order 2")
    for _j in range((1 << (_WNAF_WIDTH - 2)) - 1):
        multiples.append(_add_affine(multiples[-1], *twice))
    return tuple(_batch_to_affine(multiples))


def _multiply_jacobian(k: int, point: Point) -> _Jacobian:
    """k·point (point of order n, as every point on the curve) by a width-5 wNAF."""
    k %= N
    if not k:
        return _INFINITY
    table = _odd_multiples(point)
    digits = _wnaf(k, _WNAF_WIDTH)
    x, y = table[digits[-1] >> 1]  # the top digit is positive
    result: _Jacobian = (x, y, 1)
    for digit in reversed(digits[:-1]):
        result = _double(result)
        if digit > 0:
            x, y = table[digit >> 1]
            result = _add_affine(result, x, y)
        elif digit < 0:
            x, y = table[-digit >> 1]
            result = _add_affine(result, x, P - y)
    return result


def _multiply(k: int, point: MaybePoint) -> MaybePoint:
    """k·point for a point on the curve (None = infinity); k is taken modulo n."""
    if point is None:
        return None
    return _to_affine(_multiply_jacobian(k, point))


def _multiply_g(k: int) -> Point:
    """kG for 1 <= k < n, which is never the point at infinity (n is G's order)."""
    point = _to_affine(_multiply_g_jacobian(k % N))
    if point is None:
        raise ArithmeticError("k is a multiple of the curve order")
    return point


# --- SM3 ---------------------------------------------------------------------------------


class Sm3Unavailable(RuntimeError):
    """This Python's OpenSSL has no SM3: a deployment problem, not bad input."""


def sm3(data: bytes) -> bytes:
    try:
        digest = hashlib.new("sm3")
    except ValueError as error:
        raise Sm3Unavailable(
            "SM3 is not available: hashlib.new('sm3') needs Python linked against "
            "OpenSSL 1.1.1 or later built with SM3 (check `openssl list -digest-algorithms`)."
        ) from error
    digest.update(data)
    return digest.digest()


def _int32(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _za(user_id: bytes, public: Point) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), ENTL = ID's length in bits."""
    bits = len(user_id) * 8
    if bits > 0xFFFF:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("SM2 用户标识过长：最多8191字节。"),
            {"field": "user_id", "length": len(user_id)},
        )
    return sm3(
        bits.to_bytes(2, "big")
        + user_id
        + b"".join(_int32(v) for v in (A, B, GX, GY, public.x, public.y))
    )


def _digest(message: bytes, user_id: bytes, public: Point) -> int:
    return int.from_bytes(sm3(_za(user_id, public) + message), "big")


# --- Keys --------------------------------------------------------------------------------


def _key_error(message: str, **details: object) -> DomainError:
    return DomainError(ErrorCode.INVALID_KEY, message, details)


def _check_private(private_key: int) -> None:
    # d must be in [1, n-2] so that 1 + d is invertible mod n (GB/T 32918.1, 6.1).
    if isinstance(private_key, bool) or not 1 <= private_key <= N - 2:
        raise _key_error(_("SM2 私钥应为1至n-2之间的整数。"), rule="range")


def _public_point(public_key: bytes) -> Point:
    if len(public_key) != 65 or public_key[0] != 0x04:
        raise _key_error(
            _("SM2 公钥应为65字节的未压缩点（04 || x || y）。"),
            rule="format",
            length=len(public_key),
        )
    point = Point(int.from_bytes(public_key[1:33], "big"), int.from_bytes(public_key[33:], "big"))
    if not _on_curve(point):
        raise _key_error(_("SM2 公钥不是 sm2p256v1 曲线上的点。"), rule="curve")
    return point


def _encode_point(point: Point) -> bytes:
    return b"\x04" + _int32(point.x) + _int32(point.y)


@functools.lru_cache(maxsize=16)
def _signing_key(private_key: int) -> tuple[Point, int]:
    """(d·G, (1 + d)^-1 mod n) for a checked private key d, remembered for the few keys a
    server signs with so that each signature costs one scalar multiplication, not two."""
    return _multiply_g(private_key), pow(1 + private_key, -1, N)


def sm2_public_key(private_key: int) -> bytes:
    """The uncompressed public key (65 bytes, ``04 || x || y``) for a private key."""
    _check_private(private_key)
    return _encode_point(_signing_key(private_key)[0])


def sm2_keypair() -> tuple[int, bytes]:
    """A new key pair from :mod:`secrets`: (private integer, uncompressed public key)."""
    private_key = 1 + secrets.randbelow(N - 2)  # [1, n-2]
    return private_key, sm2_public_key(private_key)


# --- Signatures --------------------------------------------------------------------------


def sm2_sign(*, private_key: int, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Sign ``message`` (GB/T 32918.2, 6.1); the DER-encoded (r, s), as OpenSSL writes it."""
    _check_private(private_key)
    public, inverse = _signing_key(private_key)
    e = _digest(message, user_id, public)
    while True:
        k = 1 + secrets.randbelow(N - 1)  # [1, n-1]
        point = _multiply_g(k)
        r = (e + point.x) % N
        if r == 0 or r + k == N:
            continue
        s = inverse * (k - r * private_key) % N
        if s:
            return _der_signature(r, s)


def sm2_verify(
    *, public_key: bytes, message: bytes, signature: bytes, user_id: bytes = DEFAULT_USER_ID
) -> bool:
    """Whether ``signature`` (DER) is valid for ``message`` (GB/T 32918.2, 7.1).

    A malformed signature is simply not valid; a malformed public key raises INVALID_KEY.
    """
    public = _public_point(public_key)
    try:
        r, s = _parse_der_signature(signature)
    except ValueError:
        return False
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    point = _to_affine(_add_jacobian(_multiply_g_jacobian(s), _multiply_jacobian(t, public)))
    if point is None:
        return False
    return (_digest(message, user_id, public) + point.x) % N == r


# --- Minimal DER -------------------------------------------------------------------------
# Only what the four structures need: SEQUENCE, INTEGER, OCTET STRING, BIT STRING, OBJECT
# IDENTIFIER and the [1] context tag, definite lengths, strict (minimal) encodings.

_SEQUENCE, _INTEGER, _BIT_STRING, _OCTET_STRING, _OID = 0x30, 0x02, 0x03, 0x04, 0x06
_CONTEXT_0, _CONTEXT_1 = 0xA0, 0xA1
# 1.2.840.10045.2.1 id-ecPublicKey, 1.2.156.10197.1.301 sm2p256v1, pre-encoded.
_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")
_SM2_CURVE = bytes.fromhex("06082a811ccf5501822d")
_ALGORITHM = bytes([_SEQUENCE, len(_EC_PUBLIC_KEY + _SM2_CURVE)]) + _EC_PUBLIC_KEY + _SM2_CURVE


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def _der_int(value: int) -> bytes:
    return _tlv(_INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _read(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """Split ``data`` into the content of its first element (which must be ``tag``) and the rest."""
    if len(data) < 2 or data[0] != tag:
        raise ValueError("unexpected tag")
    first = data[1]
    if first < 0x80:
        length, start = first, 2
    else:
        size = first & 0x7F
        if not 1 <= size <= 4 or len(data) < 2 + size:
            raise ValueError("bad length")
        length, start = int.from_bytes(data[2 : 2 + size], "big"), 2 + size
        if length < 0x80 or data[2] == 0:
            raise ValueError("non-minimal length")
    if len(data) < start + length:
        raise ValueError("truncated")
    return data[start : start + length], data[start + length :]


def _read_only(data: bytes, tag: int) -> bytes:
    content, rest = _read(data, tag)
    if rest:
        raise ValueError("trailing data")
    return content


def _read_int(data: bytes) -> tuple[int, bytes]:
    content, rest = _read(data, _INTEGER)
    if not content or (len(content) > 1 and content[0] == 0 and content[1] < 0x80):
        raise ValueError("non-minimal integer")
    if content[0] >= 0x80:
        raise ValueError("negative integer")
    return int.from_bytes(content, "big"), rest


def _der_signature(r: int, s: int) -> bytes:
    return _tlv(_SEQUENCE, _der_int(r) + _der_int(s))


def _parse_der_signature(signature: bytes) -> tuple[int, int]:
    body = _read_only(signature, _SEQUENCE)
    r, rest = _read_int(body)
    s, rest = _read_int(rest)
    if rest:
        raise ValueError("trailing data")
    return r, s


# --- PEM ---------------------------------------------------------------------------------

_PEM_RE = re.compile(r"-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")


def _pem(label: str, der: bytes) -> str:
    text = base64.b64encode(der).decode("ascii")
    lines = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _unpem(pem: str | bytes, label: str) -> bytes:
    text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
    for match in _PEM_RE.finditer(text):
        if match.group(1) == label:
            try:
                return base64.b64decode("".join(match.group(2).split()), validate=True)
            except ValueError:
                break
    raise _key_error(
        _("未找到有效的 PEM 块“%(label)s”。") % {"label": label}, rule="pem", label=label
    )


def sm2_public_key_to_pem(public_key: bytes) -> str:
    """``-----BEGIN PUBLIC KEY-----``: SubjectPublicKeyInfo, id-ecPublicKey + SM2 curve."""
    _public_point(public_key)
    return _pem("PUBLIC KEY", _tlv(_SEQUENCE, _ALGORITHM + _tlv(_BIT_STRING, b"\x00" + public_key)))


def sm2_public_key_from_pem(pem: str | bytes) -> bytes:
    """The uncompressed public key from a PEM ``PUBLIC KEY`` on the SM2 curve."""
    der = _unpem(pem, "PUBLIC KEY")
    try:
        body = _read_only(der, _SEQUENCE)
        algorithm, rest = _read(body, _SEQUENCE)
        bits = _read_only(rest, _BIT_STRING)
    except ValueError as error:
        raise _key_error(_("SM2 公钥的 DER 结构无效。"), rule="der") from error
    if algorithm != _EC_PUBLIC_KEY + _SM2_CURVE:
        raise _key_error(
            _("公钥不是 SM2 公钥（算法应为 id-ecPublicKey，曲线 1.2.156.10197.1.301）。"),
            rule="algorithm",
        )
    if not bits or bits[0] != 0:
        raise _key_error(_("SM2 公钥的 DER 结构无效。"), rule="der")
    key = bits[1:]
    _public_point(key)
    return key


def sm2_private_key_to_pem(private_key: int) -> str:
    """``-----BEGIN PRIVATE KEY-----``: PKCS#8 wrapping ECPrivateKey (with its public key)."""
    public = sm2_public_key(private_key)
    ec_private_key = _tlv(
        _SEQUENCE,
        _der_int(1)
        + _tlv(_OCTET_STRING, _int32(private_key))
        + _tlv(_CONTEXT_1, _tlv(_BIT_STRING, b"\x00" + public)),
    )
    return _pem(
        "PRIVATE KEY",
        _tlv(_SEQUENCE, _der_int(0) + _ALGORITHM + _tlv(_OCTET_STRING, ec_private_key)),
    )


def sm2_private_key_from_pem(pem: str | bytes) -> int:
    """The private integer from a PEM ``PRIVATE KEY`` (unencrypted PKCS#8) on the SM2 curve.

    An embedded public key, if present, must match the private key.
    """
    der = _unpem(pem, "PRIVATE KEY")
    try:
        body = _read_only(der, _SEQUENCE)
        version, rest = _read_int(body)
        algorithm, rest = _read(rest, _SEQUENCE)
        inner, rest = _read(rest, _OCTET_STRING)  # trailing [0] attributes are ignored
        ec_body = _read_only(inner, _SEQUENCE)
        ec_version, ec_rest = _read_int(ec_body)
        secret, ec_rest = _read(ec_rest, _OCTET_STRING)
        if ec_rest[:1] == bytes([_CONTEXT_0]):  # optional curve parameters
            parameters, ec_rest = _read(ec_rest, _CONTEXT_0)
            if parameters != _SM2_CURVE:
                raise ValueError("not the SM2 curve")
        embedded = None
        if ec_rest:
            tagged = _read_only(ec_rest, _CONTEXT_1)
            embedded = _read_only(tagged, _BIT_STRING)
    except ValueError as error:
        raise _key_error(_("SM2 私钥的 DER 结构无效。"), rule="der") from error
    if algorithm != _EC_PUBLIC_KEY + _SM2_CURVE:
        raise _key_error(
            _("私钥不是 SM2 私钥（算法应为 id-ecPublicKey，曲线 1.2.156.10197.1.301）。"),
            rule="algorithm",
        )
    if version != 0 or ec_version != 1 or len(secret) != 32:
        raise _key_error(_("SM2 私钥的 DER 结构无效。"), rule="der")
    private_key = int.from_bytes(secret, "big")
    public = sm2_public_key(private_key)
    if embedded is not None and embedded != b"\x00" + public:
        raise _key_error(_("SM2 私钥中的公钥与私钥不匹配。"), rule="mismatch")
    return private_key
