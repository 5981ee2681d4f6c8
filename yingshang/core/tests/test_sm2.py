"""SM2/SM3 signatures: curve sanity, OpenSSL interoperability both ways, tampering, keys.

OpenSSL 3.0 commands used (with the GB/T 35276 default ID made explicit)::

    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out key.pem
    openssl pkey -in key.pem -pubout -out pub.pem
    openssl pkeyutl -sign -rawin -digest sm3 -inkey key.pem -in msg -out sig \\
        -pkeyopt distid:1234567812345678
    openssl pkeyutl -verify -rawin -digest sm3 -pubin -inkey pub.pem -in msg -sigfile sig \\
        -pkeyopt distid:1234567812345678
"""

from __future__ import annotations

import ast
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang.core import sm2
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.sm2 import (
    DEFAULT_USER_ID,
    sm2_keypair,
    sm2_private_key_from_pem,
    sm2_private_key_to_pem,
    sm2_public_key,
    sm2_public_key_from_pem,
    sm2_public_key_to_pem,
    sm2_sign,
    sm2_verify,
    sm3,
)

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl command not installed")
DISTID = "distid:" + DEFAULT_USER_ID.decode()


def _openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    # Fixed arguments and files under tmp_path: no untrusted input reaches the command.
    return subprocess.run([OPENSSL, *map(str, args)], capture_output=True, check=False)  # noqa: S603


def _openssl_key(tmp_path: Path) -> tuple[Path, Path]:
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    done = _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", key)
    assert done.returncode == 0, done.stderr
    done = _openssl("pkey", "-in", key, "-pubout", "-out", pub)
    assert done.returncode == 0, done.stderr
    return key, pub


# --- Known answers -----------------------------------------------------------------------


def test_sm3_known_answers() -> None:
    # GB/T 32905-2016, appendix A, examples 1 and 2.
    assert sm3(b"abc").hex() == ("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    assert sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_curve_parameters() -> None:
    assert sm2._on_curve(sm2.G)
    assert sm2._multiply(sm2.N, sm2.G) is None  # G has order n
    assert sm2._multiply(sm2.N - 1, sm2.G) == sm2.Point(sm2.GX, -sm2.GY % sm2.P)


def test_gbt_32918_example_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    # GB/T 32918.5-2017 (GM/T 0003.5-2012) example on sm2p256v1: "message digest",
    # ID "1234567812345678", with the example's nonce k fed through secrets.randbelow.
    d = 0x3945208F_7B2144B1_3F36E38A_C6D39F95_88939369_2860B51A_42FB81EF_4DF7C5B8
    k = 0x59276E27_D506861A_16680F3A_D9C02DCC_EF3CC1FA_3CDBE4CE_6D54B80D_EAC1BC21
    public = bytes.fromhex(
        "04"
        "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
        "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
    )
    r = 0xF5A03B06_48D2C463_0EEAC513_E1BB81A1_5944DA38_27D5B741_43AC7EAC_EEE720B3
    s = 0xB1B6AA29_DF212FD8_763182BC_0D421CA1_BB9038FD_1F7F42D4_840B69C4_85BBC1AA
    assert sm2_public_key(d) == public
    assert sm2._za(DEFAULT_USER_ID, sm2._public_point(public)).hex() == (
        "b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3"
    )
    monkeypatch.setattr(sm2.secrets, "randbelow", lambda _bound: k - 1)  # k = 1 + randbelow
    signature = sm2_sign(private_key=d, message=b"message digest")
    assert signature == sm2._der_signature(r, s)
    assert sm2_verify(public_key=public, message=b"message digest", signature=signature)


# --- Point arithmetic against a plain affine double-and-add ------------------------------


def _reference_add(p1: sm2.MaybePoint, p2: sm2.MaybePoint) -> sm2.MaybePoint:
    """The textbook affine addition, one inverse per step: slow and obviously right."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    p = sm2.P
    if p1.x == p2.x:
        if (p1.y + p2.y) % p == 0:
            return None
        slope = (3 * p1.x * p1.x + sm2.A) * pow(2 * p1.y, -1, p) % p
    else:
        slope = (p2.y - p1.y) * pow(p2.x - p1.x, -1, p) % p
    x3 = (slope * slope - p1.x - p2.x) % p
    return sm2.Point(x3, (slope * (p1.x - x3) - p1.y) % p)


def _reference_multiply(k: int, point: sm2.MaybePoint) -> sm2.MaybePoint:
    result: sm2.MaybePoint = None
    while k:
        if k & 1:
            result = _reference_add(result, point)
        point = _reference_add(point, point)
        k >>= 1
    return result


N = sm2.N
EDGE_SCALARS = [1, 2, 3, 15, 16, 31, 32, 33, 2**255, 2**256 - 1 - N, N - 2, N - 1]
EDGE_SCALARS += [N - 2**w for w in range(1, 12)] + [N // 2, N // 2 + 1, 0x55 * (2**248)]


@pytest.mark.parametrize("k", EDGE_SCALARS)
def test_edge_scalars_match_reference(k: int) -> None:
    expected = _reference_multiply(k, sm2.G)
    assert expected is not None
    assert sm2._multiply_g(k) == expected
    assert sm2._multiply(k, sm2.G) == expected
    other = _reference_multiply(0xC0FFEE, sm2.G)
    assert sm2._multiply(k, other) == _reference_multiply(k, other)


def test_multiples_of_the_order() -> None:
    # _multiply takes k modulo n (every curve point has order n); _multiply_g refuses 0 and n.
    point = sm2._multiply_g(12345)
    for k in (0, N, 2 * N):
        assert sm2._multiply(k, sm2.G) is None
        assert sm2._multiply(k, point) is None
        with pytest.raises(ArithmeticError):
            sm2._multiply_g(k)
    assert sm2._multiply(N + 1, point) == point
    assert sm2._multiply(5, None) is None


def test_additions_of_equal_and_opposite_points() -> None:
    # Branches the multiplications almost never reach: P + P doubles, P + (-P) is infinity,
    # with Z != 1 so the Jacobian formulas really scale.
    point = sm2._multiply_g(99)
    z = 0x1234_5678_9ABC
    scaled = (point.x * z * z % sm2.P, point.y * z * z * z % sm2.P, z)
    twice = _reference_add(point, point)
    assert sm2._to_affine(sm2._add_affine(scaled, point.x, point.y)) == twice
    assert sm2._to_affine(sm2._add_jacobian(scaled, scaled)) == twice
    assert sm2._to_affine(sm2._double(scaled)) == twice
    assert sm2._to_affine(sm2._add_affine(scaled, point.x, sm2.P - point.y)) is None
    negated = (scaled[0], sm2.P - scaled[1], z)
    assert sm2._to_affine(sm2._add_jacobian(scaled, negated)) is None
    assert sm2._add_jacobian(sm2._INFINITY, scaled) == scaled
    assert sm2._add_jacobian(scaled, sm2._INFINITY) == scaled
    assert sm2._to_affine(sm2._add_affine(sm2._INFINITY, point.x, point.y)) == point
    assert sm2._to_affine(sm2._double(sm2._INFINITY)) is None


def test_random_scalars_match_reference() -> None:
    points = [sm2.G, *(_reference_multiply(1 + secrets.randbelow(N - 1), sm2.G) for _ in range(3))]
    for _ in range(12):
        k = 1 + secrets.randbelow(N - 1)
        assert sm2._multiply_g(k) == _reference_multiply(k, sm2.G)
        for point in points:
            assert sm2._multiply(k, point) == _reference_multiply(k, point)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=N - 1), st.integers(min_value=1, max_value=N - 1))
def test_linear_combination_matches_reference(s: int, t: int) -> None:
    # The verification equation's s·G + t·Q, with Q = 7·G so both sides can be checked.
    q = _reference_multiply(7, sm2.G)
    assert q is not None
    combined = sm2._add_jacobian(sm2._multiply_g_jacobian(s), sm2._multiply_jacobian(t, q))
    expected = _reference_multiply((s + 7 * t) % N, sm2.G)
    assert sm2._to_affine(combined) == expected


@needs_openssl
def test_curve_parameters_match_openssl() -> None:
    done = _openssl("ecparam", "-name", "SM2", "-param_enc", "explicit", "-text", "-noout")
    text = "".join(done.stdout.decode().split()).replace(":", "").lower()
    for value in (sm2.P, sm2.A, sm2.B, sm2.N):
        assert f"{value:064x}" in text
    assert f"04{sm2.GX:064x}{sm2.GY:064x}" in text


# --- Sign and verify ---------------------------------------------------------------------


def test_sign_then_verify_and_tampering() -> None:
    private, public = sm2_keypair()
    message = "营业执照 91310115MA1FL5XK4C".encode()
    signature = sm2_sign(private_key=private, message=message)
    assert sm2_verify(public_key=public, message=message, signature=signature)
    assert not sm2_verify(public_key=public, message=message + b"!", signature=signature)
    for i in range(len(signature)):
        tampered = bytearray(signature)
        tampered[i] ^= 0x01
        assert not sm2_verify(public_key=public, message=message, signature=bytes(tampered))
    assert not sm2_verify(
        public_key=public, message=message, signature=signature, user_id=b"ALICE123@YAHOO.COM"
    )
    _other, other_public = sm2_keypair()
    assert not sm2_verify(public_key=other_public, message=message, signature=signature)


def test_signing_twice_gives_different_signatures() -> None:
    private, public = sm2_keypair()
    first = sm2_sign(private_key=private, message=b"m")
    second = sm2_sign(private_key=private, message=b"m")
    assert first != second
    assert all(sm2_verify(public_key=public, message=b"m", signature=s) for s in (first, second))


@settings(max_examples=10, deadline=None)
@given(st.binary(max_size=200), st.binary(min_size=0, max_size=40))
def test_roundtrip_any_message_and_id(message: bytes, user_id: bytes) -> None:
    private, public = sm2_keypair()
    signature = sm2_sign(private_key=private, message=message, user_id=user_id)
    assert sm2_verify(public_key=public, message=message, signature=signature, user_id=user_id)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=N - 2),
    st.binary(max_size=100),
    st.binary(max_size=20),
)
def test_roundtrip_any_key(private: int, message: bytes, user_id: bytes) -> None:
    public = sm2_public_key(private)
    signature = sm2_sign(private_key=private, message=message, user_id=user_id)
    assert sm2_verify(public_key=public, message=message, signature=signature, user_id=user_id)
    assert not sm2_verify(
        public_key=public, message=message + b"\x00", signature=signature, user_id=user_id
    )


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        b"\x30\x00",
        b"\x30\x06\x02\x01\x00\x02\x01\x01",  # r = 0
        b"\x30\x06\x02\x01\x01\x02\x01\x00",  # s = 0
        sm2._der_signature(sm2.N, 1),  # r out of range
        b"\x30\x07\x02\x02\x00\x01\x02\x01\x01",  # non-minimal integer
        b"\x30\x06\x02\x01\x01\x02\x01\x01\x00",  # trailing byte
    ],
)
def test_malformed_signatures_are_invalid(signature: bytes) -> None:
    _private, public = sm2_keypair()
    assert not sm2_verify(public_key=public, message=b"m", signature=signature)


def test_bad_keys_raise_invalid_key() -> None:
    for bad in (0, sm2.N - 1, sm2.N):
        with pytest.raises(DomainError) as info:
            sm2_sign(private_key=bad, message=b"m")
        assert info.value.code is ErrorCode.INVALID_KEY
    _private, public = sm2_keypair()
    off_curve = public[:-1] + bytes([public[-1] ^ 1])
    for bad_public in (public[1:], b"\x02" + public[1:33], off_curve):
        with pytest.raises(DomainError) as info:
            sm2_verify(public_key=bad_public, message=b"m", signature=b"")
        assert info.value.code is ErrorCode.INVALID_KEY


# --- PEM ---------------------------------------------------------------------------------


def test_pem_roundtrip() -> None:
    private, public = sm2_keypair()
    assert sm2_private_key_from_pem(sm2_private_key_to_pem(private)) == private
    assert sm2_public_key_from_pem(sm2_public_key_to_pem(public)) == public
    assert sm2_public_key_from_pem(sm2_public_key_to_pem(public).encode()) == public


def test_pem_rejects_other_keys_and_garbage() -> None:
    p256_public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(DomainError) as info:
        sm2_public_key_from_pem(p256_public)
    assert info.value.details["rule"] == "algorithm"
    for garbage in ("", "not a key", "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----"):
        with pytest.raises(DomainError) as info:
            sm2_public_key_from_pem(garbage)
        assert info.value.code is ErrorCode.INVALID_KEY


# --- OpenSSL interoperability ------------------------------------------------------------


@needs_openssl
def test_openssl_keys_load_and_match(tmp_path: Path) -> None:
    key, pub = _openssl_key(tmp_path)
    private = sm2_private_key_from_pem(key.read_text())
    public = sm2_public_key_from_pem(pub.read_bytes())
    assert sm2_public_key(private) == public
    # And our encodings are byte-for-byte OpenSSL's.
    assert sm2_private_key_to_pem(private) == key.read_text()
    assert sm2_public_key_to_pem(public) == pub.read_text()


@needs_openssl
def test_openssl_signs_we_verify(tmp_path: Path) -> None:
    key, pub = _openssl_key(tmp_path)
    message = "电子证照 1.2.156.3005.2".encode()
    (tmp_path / "msg").write_bytes(message)
    done = _openssl(
        "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", key,
        "-in", tmp_path / "msg", "-out", tmp_path / "sig", "-pkeyopt", DISTID,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    public = sm2_public_key_from_pem(pub.read_text())
    signature = (tmp_path / "sig").read_bytes()
    assert sm2_verify(public_key=public, message=message, signature=signature)
    assert not sm2_verify(public_key=public, message=message + b"x", signature=signature)


@needs_openssl
def test_we_sign_openssl_verifies(tmp_path: Path) -> None:
    private, public = sm2_keypair()
    (tmp_path / "pub.pem").write_text(sm2_public_key_to_pem(public))
    message = b"licence payload \x00\xff"
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(sm2_sign(private_key=private, message=message))

    def openssl_verify() -> subprocess.CompletedProcess[bytes]:
        return _openssl(
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin",
            "-inkey", tmp_path / "pub.pem", "-in", tmp_path / "msg",
            "-sigfile", tmp_path / "sig", "-pkeyopt", DISTID,
        )  # fmt: skip

    done = openssl_verify()
    assert done.returncode == 0, done.stderr
    assert b"Signature Verified Successfully" in done.stdout
    (tmp_path / "msg").write_bytes(message + b"x")
    assert openssl_verify().returncode != 0


@needs_openssl
def test_openssl_reads_our_private_key(tmp_path: Path) -> None:
    private, public = sm2_keypair()
    key = tmp_path / "key.pem"
    key.write_text(sm2_private_key_to_pem(private))
    done = _openssl("pkey", "-in", key, "-pubout")
    assert done.returncode == 0, done.stderr
    assert sm2_public_key_from_pem(done.stdout) == public


# --- Randomness comes from secrets only --------------------------------------------------


def test_module_does_not_import_random() -> None:
    tree = ast.parse(Path(sm2.__file__).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "random" not in imported
    assert "secrets" in imported


@needs_openssl
def test_openssl_30_without_distid_uses_an_empty_id(tmp_path: Path) -> None:
    """A trap: OpenSSL 3.0 signs with an EMPTY ID unless ``-pkeyopt distid:...`` is given."""
    key, pub = _openssl_key(tmp_path)
    (tmp_path / "msg").write_bytes(b"m")
    done = _openssl(
        "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", key,
        "-in", tmp_path / "msg", "-out", tmp_path / "sig",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    public = sm2_public_key_from_pem(pub.read_text())
    signature = (tmp_path / "sig").read_bytes()
    assert sm2_verify(public_key=public, message=b"m", signature=signature, user_id=b"")
    assert not sm2_verify(public_key=public, message=b"m", signature=signature)
