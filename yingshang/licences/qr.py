"""Self-contained credential QR codes (自包含电子证照二维码), verifiable offline.

The QR code carries the whole signed credential, not a link to it, so a verifier needs no
network: it decodes the payload, resolves the issuer's ``did:key`` and checks the Data
Integrity proof (:func:`yingshang.licences.dataintegrity.proof_verify`).

Payload format, version 1
-------------------------
::

    payload = "YSVC1:" + base45(zlib(json_bytes, level=9, zdict=QR_ZDICT_V1))

1. ``json_bytes``: the credential serialised as UTF-8 JSON with keys sorted (by code
   point), no whitespace (separators ``,`` and ``:``), non-ASCII characters written as
   themselves (not ``\\uXXXX``), and no ``NaN``/``Infinity``. This is the shape of RFC 8785
   (JCS), but numbers are written as Python's :mod:`json` writes them (``1.0`` stays ``1.0``)
   rather than in JCS form (``1``), so that the decoder reproduces the exact JSON object, number
   types included: an ``eddsa-rdfc-2022`` proof distinguishes ``1`` from ``1.0``. The encoder
   refuses an object that would not come back equal (non-string keys, tuples, lone
   surrogates, ...).
2. ``zlib(...)``: DEFLATE at level 9 in the **zlib wrapper** (RFC 1950), with the preset
   dictionary :data:`QR_ZDICT_V1`. The wrapper costs 10 bytes (2 header bytes, the 4-byte
   dictionary id ``adler32(QR_ZDICT_V1)`` and a 4-byte Adler-32 of the JSON) but lets the
   decoder detect a wrong dictionary and a corrupted payload before it parses anything. The
   dictionary holds strings that nearly every platform credential contains (see
   :data:`QR_DICTIONARY_V1`); it is part of the format: changing it requires a new prefix
   (``YSVC2:``).
3. ``base45``: RFC 9285. Its alphabet is the QR alphanumeric alphabet (``0-9 A-Z``, space and
   ``$%*+-./:``), and so is the prefix, so the whole payload is encoded in QR alphanumeric mode
   (5.5 bits a character: 2 bytes -> 3 characters -> 16.5 bits), denser than byte mode for the
   same text.

The decoder refuses any payload that is not exactly this (wrong prefix, a character outside the
base45 alphabet, a length of ``3n+1``, a triple above 65535, corrupted or truncated DEFLATE
data, trailing data, more than :data:`MAX_JSON_BYTES` of JSON (zip-bomb guard), invalid UTF-8,
invalid JSON, duplicate keys, a top level that is not an object) with
``DomainError(INVALID_INPUT)`` and a Chinese message; it raises nothing else.

QR symbols
----------
:func:`qr_svg` and :func:`qr_png` draw the payload with segno in alphanumeric mode at error
correction level M; only if that does not fit version :data:`MAX_QR_VERSION` (25, 117x117
modules) is level L used. A payload that fits neither is refused with a ``DomainError``.
"""

from __future__ import annotations

import io
import json
import zlib
from typing import Any

import segno
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

QR_PREFIX = "YSVC1:"
MAX_JSON_BYTES = 64 * 1024
MAX_QR_VERSION = 25
# Error correction levels tried in order: M (15 % of codewords recoverable), then L (7 %).
QR_ERROR_LEVELS = ("M", "L")

# The preset DEFLATE dictionary of format version 1. DEFLATE prefers matches at short
# distances, so the most frequent strings come last. The strings are JSON fragments as the
# encoder writes them (sorted keys, no whitespace). NEVER change this tuple in place: a payload
# is only decodable with the exact dictionary it was made with; add a QR_DICTIONARY_V2 and a
# new prefix instead (the tests pin the SHA-256 of QR_ZDICT_V1).
QR_DICTIONARY_V1: tuple[str, ...] = (
    # Chinese business-licence wording (营业执照).
    "有限责任公司（自然人投资或控股）",
    "有限责任公司",
    "股份有限公司",
    "个体工商户",
    "人民币",
    "万元",
    "一般项目：",
    "许可项目：",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；",
    "货物进出口；技术进出口；",
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件"
    "或许可证件为准）",
    "市场监督管理局",
    "上海市",
    "有限公司",
    # Credential status (Bitstring Status List).
    '"credentialStatus":{"id":"',
    '"statusListCredential":"',
    '"statusListIndex":"',
    '"statusPurpose":"revocation",',
    '"type":"BitstringStatusListEntry"',
    "BitstringStatusListCredential",
    # Credential envelope.
    '"credentialSubject":{',
    '"validFrom":"',
    '"validUntil":"',
    '"name":"',
    '"issuer":"did:key:z6Mk',
    '"id":"did:key:z6Mk',
    '"id":"urn:uuid:',
    '"type":["VerifiableCredential","',
    "VerifiableCredential",
    # Data Integrity proof (sorted keys of a DataIntegrityProof).
    '"proof":{"@context":["https://www.w3.org/ns/credentials/v2",'
    '"https://yingshang.example/ns/licence/v1"],"created":"',
    '"cryptosuite":"eddsa-rdfc-2022",',
    '"cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod","proofValue":"z',
    '","type":"DataIntegrityProof","verificationMethod":"did:key:z6Mk',
    "DataIntegrityProof",
    "assertionMethod",
    # The contexts every platform credential starts with.
    '{"@context":["https://www.w3.org/ns/credentials/v2",'
    '"https://yingshang.example/ns/licence/v1"],',
    "https://yingshang.example/ns/licence/v1",
    "https://www.w3.org/ns/credentials/v2",
)
QR_ZDICT_V1: bytes = "".join(QR_DICTIONARY_V1).encode("utf-8")

# RFC 9285 section 4: the 45 characters, which are exactly QR's alphanumeric set.
BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUE = {char: value for value, char in enumerate(BASE45_ALPHABET)}


def _invalid(message: str, **details: Any) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, details)


# --- base45 (RFC 9285) -----------------------------------------------------------------------


def base45_encode(data: bytes) -> str:
    """RFC 9285: each 2 bytes ``[a, b]`` -> ``n = a*256 + b = c + d*45 + e*45**2`` -> ``c d e``;
    a final single byte ``a = c + d*45`` -> ``c d``."""
    chars: list[str] = []
    for start in range(0, len(data) - 1, 2):
        number = data[start] * 256 + data[start + 1]
        number, c = divmod(number, 45)
        e, d = divmod(number, 45)
        chars += (BASE45_ALPHABET[c], BASE45_ALPHABET[d], BASE45_ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        chars += (BASE45_ALPHABET[c], BASE45_ALPHABET[d])
    return "".join(chars)


def base45_decode(text: str) -> bytes:
    """The inverse of :func:`base45_encode`; refuses anything RFC 9285 calls invalid."""
    if len(text) % 3 == 1:
        raise _invalid(
            _("base45 文本长度不合法（%(length)d 个字符，除以 3 余 1）。") % {"length": len(text)},
            length=len(text),
        )
    values: list[int] = []
    for position, char in enumerate(text):
        value = _BASE45_VALUE.get(char)
        if value is None:
            raise _invalid(
                _("base45 文本第 %(position)d 个字符 %(char)r 不在 base45 字符集中。")
                % {"position": position + 1, "char": char},
                position=position,
            )
        values.append(value)
    out = bytearray()
    for start in range(0, len(values), 3):
        group = values[start : start + 3]
        if len(group) == 3:
            number = group[0] + group[1] * 45 + group[2] * 45 * 45
            if number > 0xFFFF:
                raise _invalid(
                    _("base45 文本第 %(position)d 个字符起的三个字符超出两个字节的范围。")
                    % {"position": start + 1},
                    position=start,
                )
            out += number.to_bytes(2, "big")
        else:
            number = group[0] + group[1] * 45
            if number > 0xFF:
                raise _invalid(_("base45 文本末尾的两个字符超出一个字节的范围。"), position=start)
            out.append(number)
    return bytes(out)


# --- payload ---------------------------------------------------------------------------------


def _json_bytes(credential: dict[str, Any]) -> bytes:
    try:
        text = json.dumps(
            credential,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        data = text.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:  # UnicodeEncodeError: ValueError
        raise _invalid(_("凭证无法序列化为 JSON：%(error)s") % {"error": exc}) from exc
    if json.loads(text) != credential:
        raise _invalid(_("凭证含有 JSON 无法原样表示的值（如非字符串的键或元组）。"))
    return data


def qr_payload_encode(credential: dict[str, Any]) -> str:
    """The QR payload (``YSVC1:`` + base45 of the compressed JSON) carrying ``credential``."""
    if not isinstance(credential, dict):
        raise _invalid(_("凭证必须是 JSON 对象。"))
    data = _json_bytes(credential)
    if len(data) > MAX_JSON_BYTES:
        raise _invalid(
            _("凭证 JSON 过大（%(size)d 字节，上限 %(limit)d 字节）。")
            % {"size": len(data), "limit": MAX_JSON_BYTES},
            size=len(data),
        )
    compressor = zlib.compressobj(level=9, wbits=zlib.MAX_WBITS, zdict=QR_ZDICT_V1)
    compressed = compressor.compress(data) + compressor.flush()
    return QR_PREFIX + base45_encode(compressed)


def _inflate(compressed: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=zlib.MAX_WBITS, zdict=QR_ZDICT_V1)
    try:
        data = decompressor.decompress(compressed, MAX_JSON_BYTES + 1)
    except zlib.error as exc:
        raise _invalid(_("二维码数据已损坏，无法解压。"), reason=str(exc)) from exc
    if len(data) > MAX_JSON_BYTES or decompressor.unconsumed_tail:
        raise _invalid(
            _("二维码数据解压后超过 %(limit)d 字节，已拒绝。") % {"limit": MAX_JSON_BYTES},
            limit=MAX_JSON_BYTES,
        )
    if not decompressor.eof:
        raise _invalid(_("二维码数据不完整（压缩数据被截断）。"))
    if decompressor.unused_data:
        raise _invalid(_("二维码数据在压缩数据之后还有多余内容。"))
    return data


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def qr_payload_decode(payload: str) -> dict[str, Any]:
    """The credential carried by a QR payload; any malformed payload raises ``DomainError``."""
    if not isinstance(payload, str) or not payload.startswith(QR_PREFIX):
        raise _invalid(
            _("不是本平台的电子证照二维码（应以 %(prefix)s 开头）。") % {"prefix": QR_PREFIX}
        )
    data = _inflate(base45_decode(payload[len(QR_PREFIX) :]))
    try:
        text = data.decode("utf-8")
        credential = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant
        )
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise _invalid(_("二维码中的内容不是合法的 JSON：%(error)s") % {"error": exc}) from exc
    if not isinstance(credential, dict):
        raise _invalid(_("二维码中的内容不是 JSON 对象。"))
    return credential


# --- QR symbols ------------------------------------------------------------------------------


def _qr_make(payload: str) -> segno.QRCode:
    qr_payload_decode(payload)  # draw only payloads a verifier can read back
    version = 0
    for level in QR_ERROR_LEVELS:
        try:
            qr = segno.make_qr(payload, error=level, mode="alphanumeric", boost_error=False)
        except segno.DataOverflowError:
            continue
        if int(qr.version) <= MAX_QR_VERSION:
            return qr
        version = int(qr.version)
    raise _invalid(
        _("二维码内容过长（%(length)d 个字符），超出 %(max)d 版二维码的容量；请精简凭证内容。")
        % {"length": len(payload), "max": MAX_QR_VERSION},
        length=len(payload),
        version=version or None,
    )


def qr_version(payload: str) -> int:
    """The QR version (1-25) the payload is drawn at (level M, or L if M does not fit)."""
    return int(_qr_make(payload).version)


def qr_error_level(payload: str) -> str:
    """The error correction level (``"M"`` or ``"L"``) the payload is drawn at."""
    return str(_qr_make(payload).error)


def qr_svg(payload: str, *, scale: int = 4, border: int = 4) -> str:
    """The QR symbol as an SVG document (text)."""
    buffer = io.BytesIO()
    _qr_make(payload).save(buffer, kind="svg", scale=scale, border=border, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def qr_png(payload: str, *, scale: int = 4, border: int = 4) -> bytes:
    """The QR symbol as PNG bytes."""
    buffer = io.BytesIO()
    _qr_make(payload).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
