"""Self-contained credential QR payloads: base45 known answers, round trips, refusals."""

from __future__ import annotations

import hashlib
import json
import random
import string
import zlib
from typing import Any

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.dataintegrity import EDDSA_JCS_2022, proof_create, proof_verify
from yingshang.licences.multibase import did_key_resolve, multikey_encode_ed25519_public
from yingshang.licences.qr import (
    BASE45_ALPHABET,
    MAX_JSON_BYTES,
    MAX_QR_VERSION,
    QR_PREFIX,
    QR_ZDICT_V1,
    base45_decode,
    base45_encode,
    qr_error_level,
    qr_payload_decode,
    qr_payload_encode,
    qr_png,
    qr_svg,
    qr_version,
)

LICENCE_CONTEXT = "https://yingshang.example/ns/licence/v1"
BUSINESS_SCOPE = (
    "一般项目：国内贸易代理；销售代理；五金产品批发；五金产品零售；电子产品销售；"
    "机械设备销售；金属材料销售；建筑材料销售；日用百货销售；办公用品销售；"
    "针纺织品及原料销售；化工产品销售（不含许可类化工产品）；技术服务、技术开发、"
    "技术咨询、技术交流、技术转让、技术推广；信息咨询服务（不含许可类信息咨询服务）；"
    "货物进出口；技术进出口。"
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
)


def _deflate(data: bytes, *, zdict: bytes = QR_ZDICT_V1) -> bytes:
    compressor = zlib.compressobj(level=9, wbits=zlib.MAX_WBITS, zdict=zdict)
    return compressor.compress(data) + compressor.flush()


def _payload_of(data: bytes) -> str:
    """A payload carrying ``data`` (any bytes) through the real compression and base45."""
    return QR_PREFIX + base45_encode(_deflate(data))


def _refused(payload: Any, fragment: str = "") -> DomainError:
    with pytest.raises(DomainError) as info:
        qr_payload_decode(payload)
    assert info.value.code == ErrorCode.INVALID_INPUT
    assert fragment in info.value.message, info.value.message
    return info.value


# --- base45 (RFC 9285) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"AB", "BB8"),  # RFC 9285 section 4.3
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),  # section 4.4 (decoding example)
        (b"", ""),
    ],
)
def test_base45_known_answers(raw, encoded):
    assert base45_encode(raw) == encoded
    assert base45_decode(encoded) == raw


def test_base45_decodes_rfc_example():
    assert base45_decode("QED8WEX0") == b"ietf!"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("QED8WEX0AB", "长度"),  # 3n+1 characters
        ("qED8WEX0", "字符集"),  # lower case is not base45
        ("GGW", "两个字节"),  # 16 + 16*45 + 32*2025 = 65536
        (":::", "两个字节"),
        ("::", "一个字节"),  # 44 + 44*45 > 255
    ],
)
def test_base45_refuses_invalid_text(text, fragment):
    with pytest.raises(DomainError) as info:
        base45_decode(text)
    assert info.value.code == ErrorCode.INVALID_INPUT
    assert fragment in info.value.message


@given(st.binary(max_size=300))
def test_base45_round_trip(data):
    encoded = base45_encode(data)
    assert set(encoded) <= set(BASE45_ALPHABET)
    assert base45_decode(encoded) == data


# --- the realistic credential ----------------------------------------------------------------


def _licence_credential(method: str, issuer: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", LICENCE_CONTEXT],
        "id": "urn:uuid:6f1c2a4e-8b3d-4e5f-9a7b-0c1d2e3f4a5b",
        "type": ["VerifiableCredential", "BusinessLicenceCredential"],
        "issuer": issuer,
        "name": "营业执照（电子）",
        "validFrom": "2026-03-15T00:00:00Z",
        "validUntil": "2046-03-14T23:59:59Z",
        "credentialSubject": {
            "id": "did:web:yingshang.example:entity:91310115MA1K4ABC7X",
            "unifiedSocialCreditCode": "91310115MA1K4ABC7X",
            "name": "上海鑫达贸易有限公司",
            "entityType": "有限责任公司（自然人投资或控股）",
            "legalRepresentative": "王建国",
            "registeredCapital": {"amount": "500", "unit": "万元", "currency": "人民币"},
            "establishedOn": "2018-06-21",
            "operatingPeriod": {"from": "2018-06-21", "to": "2048-06-20"},
            "domicile": "上海市浦东新区张江路 665 号 3 层 302 室",
            "businessScope": BUSINESS_SCOPE,
            "registrationAuthority": "上海市浦东新区市场监督管理局",
            "issuedOn": "2026-03-15",
        },
        "credentialStatus": {
            "id": "https://yingshang.example/credentials/status/3#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://yingshang.example/credentials/status/3",
        },
    }


@pytest.fixture
def signed_licence() -> dict[str, Any]:
    key = Ed25519PrivateKey.generate()
    multikey = multikey_encode_ed25519_public(key.public_key())
    issuer = f"did:key:{multikey}"
    return proof_create(
        document=_licence_credential(f"{issuer}#{multikey}", issuer),
        key=key,
        verification_method=f"{issuer}#{multikey}",
        cryptosuite=EDDSA_JCS_2022,
        created="2026-03-15T08:30:00Z",
    )


def test_realistic_licence_round_trips_verifies_and_fits(signed_licence):
    assert len(BUSINESS_SCOPE) >= 150
    assert proof_verify(document=signed_licence, public_key_resolver=did_key_resolve).verified

    payload = qr_payload_encode(signed_licence)
    decoded = qr_payload_decode(payload)

    assert decoded == signed_licence
    result = proof_verify(
        document=decoded,
        public_key_resolver=did_key_resolve,
        expected_proof_purpose="assertionMethod",
    )
    assert result.verified, result.failures
    json_size = len(json.dumps(signed_licence, ensure_ascii=False, separators=(",", ":")).encode())
    version = qr_version(payload)
    report = (
        f"realistic licence: JSON {json_size} bytes -> payload {len(payload)} characters, "
        f"QR version {version}, level {qr_error_level(payload)}"
    )
    print(report)
    assert version <= MAX_QR_VERSION, report
    assert qr_error_level(payload) == "M", report


def test_tampered_decoded_credential_no_longer_verifies(signed_licence):
    decoded = qr_payload_decode(qr_payload_encode(signed_licence))
    decoded["credentialSubject"]["registeredCapital"]["amount"] = "5000"
    assert not proof_verify(document=decoded, public_key_resolver=did_key_resolve).verified


def test_payload_is_qr_alphanumeric_and_drawn_in_alphanumeric_mode(signed_licence):
    payload = qr_payload_encode(signed_licence)
    assert payload.startswith(QR_PREFIX)
    assert set(payload) <= set(BASE45_ALPHABET)
    qr = segno.make_qr(payload, error="M", boost_error=False)
    assert qr.mode == "alphanumeric"
    assert qr.version == qr_version(payload)


def test_dictionary_helps(signed_licence):
    data = json.dumps(
        signed_licence, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    compressor = zlib.compressobj(level=9)
    without = len(compressor.compress(data) + compressor.flush())
    assert len(_deflate(data)) < without


def test_dictionary_is_pinned():
    # The dictionary is part of payload format 1: a change here needs a new prefix (YSVC2:).
    assert hashlib.sha256(QR_ZDICT_V1).hexdigest() == (
        "64c0ead6b2128f396b38479372e9b053e0039956d65c27f2a0c5265da21e2020"
    )


def test_qr_svg_and_png(signed_licence):
    payload = qr_payload_encode(signed_licence)
    svg = qr_svg(payload)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    png = qr_png(payload)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    size = (17 + 4 * qr_version(payload) + 2 * 4) * 4  # modules + border, scale 4
    assert int.from_bytes(png[16:20], "big") == size  # IHDR width


# --- exact round trips -----------------------------------------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=200)
@given(st.dictionaries(st.text(), _json_values, max_size=8))
def test_arbitrary_json_objects_round_trip(obj):
    payload = qr_payload_encode(obj)
    decoded = qr_payload_decode(payload)
    assert decoded == obj
    # Number types survive too (1.0 stays a float): a JSON-LD proof would notice.
    assert json.dumps(decoded, sort_keys=True) == json.dumps(obj, sort_keys=True)


def test_float_and_negative_zero_keep_their_type():
    decoded = qr_payload_decode(qr_payload_encode({"a": 1.0, "b": -0.0, "c": 1, "d": 1e300}))
    assert [type(decoded[k]) for k in "abcd"] == [float, float, int, float]
    assert str(decoded["b"]) == "-0.0"


@pytest.mark.parametrize(
    "credential",
    [
        {"a": float("nan")},
        {"a": float("inf")},
        {1: "non-string key"},
        {"a": (1, 2)},
        {"a": {1, 2}},
        {"a": "\ud800"},
        {"a": b"bytes"},
        ["not", "an", "object"],
    ],
)
def test_encode_refuses_what_json_cannot_carry(credential):
    with pytest.raises(DomainError) as info:
        qr_payload_encode(credential)
    assert info.value.code == ErrorCode.INVALID_INPUT


def test_encode_refuses_oversized_credential():
    with pytest.raises(DomainError, match="过大"):
        qr_payload_encode({"a": "x" * MAX_JSON_BYTES})


# --- refusals --------------------------------------------------------------------------------


def test_decode_refuses_wrong_prefix(signed_licence):
    payload = qr_payload_encode(signed_licence)
    _refused("YSVC2:" + payload[len(QR_PREFIX) :], QR_PREFIX)
    _refused(payload[len(QR_PREFIX) :], QR_PREFIX)
    _refused("ysvc1:" + payload[len(QR_PREFIX) :], QR_PREFIX)
    _refused("", QR_PREFIX)
    _refused(None, QR_PREFIX)
    _refused(b"YSVC1:BB8", QR_PREFIX)


def test_decode_refuses_invalid_base45(signed_licence):
    body = qr_payload_encode(signed_licence)[len(QR_PREFIX) :]
    _refused(QR_PREFIX + body[:10] + "a" + body[11:], "字符集")
    _refused(QR_PREFIX + body + "0" * ((1 - len(body)) % 3), "长度")
    _refused(QR_PREFIX + ":::", "两个字节")


def test_decode_refuses_corrupted_deflate():
    _refused(QR_PREFIX + base45_encode(b"\x00" * 20), "损坏")
    compressed = bytearray(_deflate(b'{"a":"' + b"hello " * 50 + b'"}'))
    compressed[-1] ^= 0xFF  # the Adler-32 no longer matches
    _refused(QR_PREFIX + base45_encode(bytes(compressed)), "损坏")


def test_decode_refuses_wrong_dictionary():
    compressed = _deflate(b'{"a":1}', zdict=b"another dictionary")
    _refused(QR_PREFIX + base45_encode(compressed), "损坏")


def test_decode_refuses_truncated_and_trailing_data():
    compressed = _deflate(b'{"a":"' + "上海鑫达贸易有限公司".encode() * 20 + b'"}')
    _refused(QR_PREFIX + base45_encode(compressed[:-6]), "截断")
    _refused(QR_PREFIX + base45_encode(compressed + b"\x00"), "多余")


def test_decode_refuses_zip_bomb():
    bomb = b'{"a":"' + b" " * (10 * MAX_JSON_BYTES) + b'"}'
    payload = _payload_of(bomb)
    assert len(payload) < 2000
    _refused(payload, "解压后超过")
    # Exactly at the limit is still accepted.
    at_limit = b'{"a":"' + b" " * (MAX_JSON_BYTES - 8) + b'"}'
    assert len(at_limit) == MAX_JSON_BYTES
    assert qr_payload_decode(_payload_of(at_limit)) == json.loads(at_limit)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"not json", "JSON"),
        (b'{"a":1', "JSON"),
        (b"\xff\xfe{}", "JSON"),  # invalid UTF-8
        (b'{"a":NaN}', "JSON"),
        (b'{"a":1,"a":2}', "JSON"),  # duplicate keys are ambiguous
        (b"[" * 100_000 + b"]" * 100_000, ""),  # too big or too deep: refused either way
        (b"[" * 30_000 + b"]" * 30_000, "JSON"),
        (b'["an","array"]', "对象"),
        (b'"a string"', "对象"),
        (b"42", "对象"),
        (b"null", "对象"),
    ],
)
def test_decode_refuses_content_that_is_not_a_json_object(data, fragment):
    _refused(_payload_of(data), fragment)


@settings(max_examples=300)
@given(st.text())
def test_random_text_raises_only_domain_error(text):
    for candidate in (text, QR_PREFIX + text):
        try:
            qr_payload_decode(candidate)
        except DomainError as exc:
            assert exc.code == ErrorCode.INVALID_INPUT


@settings(max_examples=300)
@given(st.text(alphabet=BASE45_ALPHABET))
def test_random_base45_raises_only_domain_error(body):
    try:
        qr_payload_decode(QR_PREFIX + body)
    except DomainError as exc:
        assert exc.code == ErrorCode.INVALID_INPUT


def test_every_truncation_and_flip_is_refused_or_harmless(signed_licence):
    payload = qr_payload_encode(signed_licence)
    rng = random.Random(9285)
    candidates = [payload[:cut] for cut in range(len(payload))]
    for position in range(len(payload)):
        replacement = rng.choice([c for c in BASE45_ALPHABET if c != payload[position]])
        candidates.append(payload[:position] + replacement + payload[position + 1 :])
    refused = 0
    for candidate in candidates:
        try:
            decoded = qr_payload_decode(candidate)
        except DomainError as exc:
            assert exc.code == ErrorCode.INVALID_INPUT
            refused += 1
            continue
        if decoded == signed_licence:
            # DEFLATE has bits that do not matter (padding, equivalent back-references): such
            # a flip still carries exactly the signed credential, which is harmless.
            continue
        # A change that decodes to anything else must not pass for the signed original.
        assert not proof_verify(document=decoded, public_key_resolver=did_key_resolve).verified
    assert refused >= len(candidates) * 0.99  # zlib's Adler-32 catches nearly every change


# --- QR size limits --------------------------------------------------------------------------


def _random_payload(length: int, seed: int = 45) -> str:
    rng = random.Random(seed)
    return qr_payload_encode(
        {"a": "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))}
    )


def test_falls_back_to_level_l_only_when_m_does_not_fit():
    payload = _random_payload(1300)
    assert 1451 < len(payload) <= 1853, len(payload)  # over M's capacity, within L's
    assert qr_version(payload) <= MAX_QR_VERSION
    assert qr_error_level(payload) == "L"
    small = _random_payload(100)
    assert qr_error_level(small) == "M"


@pytest.mark.parametrize("length", [2000, 5000])
def test_payload_too_big_for_version_25_is_refused(length):
    payload = _random_payload(length)
    for draw in (qr_version, qr_svg, qr_png):
        with pytest.raises(DomainError, match="25 版") as info:
            draw(payload)
        assert info.value.code == ErrorCode.INVALID_INPUT


def test_drawing_refuses_an_invalid_payload():
    for draw in (qr_version, qr_svg, qr_png):
        with pytest.raises(DomainError):
            draw("HELLO WORLD")
