"""W3C Bitstring Status List v1.0 (位串状态列表): revocation (撤销) and suspension (暂停).

https://www.w3.org/TR/vc-bitstring-status-list/

A status list is a bitstring of at least 131,072 entries (the spec's minimum, so that one
credential hides in a herd: 16 KB when each entry is one bit). Entry ``i`` occupies bits
``i * status_size`` to ``(i + 1) * status_size - 1``; bit 0 is the left-most (most
significant) bit of the first byte. The published form, ``encodedList``, is::

    "u" + base64url_no_padding(gzip(bitstring))

A credential points at its entry with a ``BitstringStatusListEntry`` (``credentialStatus``);
the issuer publishes a ``BitstringStatusListCredential`` whose subject carries the
``encodedList``. This module builds both documents (unsigned: sign them with
:func:`yingshang.licences.dataintegrity.proof_create`) and reads a status back. Fetching the
list credential, verifying its proof and checking its validity period are the caller's job.

Decoding refuses anything malformed with :class:`DomainError` (``INVALID_INPUT``) and never
inflates more than :data:`MAX_DECOMPRESSED_BYTES` (a gzip bomb is refused, not expanded).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.dataintegrity import is_xsd_datetime

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
ENTRY_TYPE = "BitstringStatusListEntry"

REVOCATION = "revocation"
SUSPENSION = "suspension"
# Purposes whose status is one bit (set = revoked / suspended). "refresh" and "message"
# are not used by this platform.
PURPOSES = frozenset({REVOCATION, SUSPENSION})

MULTIBASE_BASE64URL = "u"
# Herd privacy: at least 131,072 entries (16 KB of one-bit statuses), spec section 6.1.
MIN_ENTRIES = 131_072
# The most a decoded list may inflate to: 16 MiB is over a thousand minimum-size lists.
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
# Base64url of the largest gzip that could still be sensible (gzip never grows data much).
_MAX_ENCODED_CHARS = (MAX_DECOMPRESSED_BYTES * 4) // 3 + 1024
_MAX_STATUS_SIZE = 8

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*", re.ASCII)
_INDEX = re.compile(r"0|[1-9][0-9]{0,17}", re.ASCII)  # bounded: int() of huge strings is slow


def _invalid(message: str, **details: object) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, details)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_status_size(status_size: object) -> int:
    if not isinstance(status_size, int) or not _is_index(status_size):
        status_size = 0
    if not 1 <= status_size <= _MAX_STATUS_SIZE:
        raise _invalid(
            _("状态位宽必须是 1 到 %(max)d 之间的整数。") % {"max": _MAX_STATUS_SIZE},
            field="status_size",
        )
    return status_size


class StatusBitstring:
    """A mutable status list (状态位串) of ``entries`` statuses of ``status_size`` bits each."""

    def __init__(self, entries: int = MIN_ENTRIES, *, status_size: int = 1) -> None:
        _check_status_size(status_size)
        if not _is_index(entries) or entries < MIN_ENTRIES:
            raise _invalid(
                _("状态列表至少要有 %(min)d 个条目（群体隐私要求）。") % {"min": MIN_ENTRIES},
                field="entries",
                minimum=MIN_ENTRIES,
            )
        if entries * status_size > MAX_DECOMPRESSED_BYTES * 8:
            raise _invalid(
                _("状态列表过大：不得超过 %(max)d 字节。") % {"max": MAX_DECOMPRESSED_BYTES},
                field="entries",
            )
        self.status_size = status_size
        self.entries = entries
        self._bits = bytearray(-(-entries * status_size // 8))

    def __len__(self) -> int:
        return self.entries

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusBitstring):
            return NotImplemented
        return (self.status_size, self.entries, self._bits) == (
            other.status_size,
            other.entries,
            other._bits,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def _check_index(self, index: int) -> None:
        if not _is_index(index) or index >= self.entries:
            raise _invalid(
                _("状态索引超出范围：应为 0 到 %(last)d 之间的整数。") % {"last": self.entries - 1},
                field="index",
                index=index if _is_index(index) else None,
                entries=self.entries,
            )

    def get(self, index: int) -> int:
        """The status at ``index``: 0 or 1 when ``status_size`` is 1."""
        self._check_index(index)
        value = 0
        start = index * self.status_size
        for position in range(start, start + self.status_size):
            bit = (self._bits[position >> 3] >> (7 - (position & 7))) & 1
            value = (value << 1) | bit
        return value

    def set(self, index: int, value: int | bool) -> None:
        """Set the status at ``index`` (``True``/``1`` = revoked or suspended)."""
        self._check_index(index)
        limit = 1 << self.status_size
        if not isinstance(value, int) or not 0 <= value < limit:
            raise _invalid(
                _("状态值必须是 0 到 %(max)d 之间的整数。") % {"max": limit - 1},
                field="value",
            )
        start = index * self.status_size
        for offset in range(self.status_size):
            position = start + offset
            mask = 0x80 >> (position & 7)
            if (int(value) >> (self.status_size - 1 - offset)) & 1:
                self._bits[position >> 3] |= mask
            else:
                self._bits[position >> 3] &= ~mask & 0xFF

    def encode(self) -> str:
        """The ``encodedList``: multibase base64url (no padding) of the gzip-compressed bits.

        ``mtime=0`` makes the output deterministic; an all-zero minimum list gives exactly the
        spec's example ``uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA``.
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=6, mtime=0)
        return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> StatusBitstring:
        """A one-bit-per-entry list from its uncompressed bytes (as :meth:`to_bytes` gave)."""
        bitstring = cls(len(raw) * 8)
        bitstring._bits[:] = raw
        return bitstring

    @classmethod
    def decode(cls, encoded_list: str, *, status_size: int = 1) -> StatusBitstring:
        """Read an ``encodedList``; refuse a bad prefix, base64, gzip, a short list or a bomb."""
        _check_status_size(status_size)
        if not isinstance(encoded_list, str) or not encoded_list.startswith(MULTIBASE_BASE64URL):
            raise _invalid(
                _("状态列表编码必须以多重编码前缀 u（base64url）开头。"), field="encodedList"
            )
        if len(encoded_list) > _MAX_ENCODED_CHARS:
            raise _invalid(_("状态列表编码过长。"), field="encodedList")
        body = encoded_list[1:]
        if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
            raise _invalid(_("状态列表编码不是有效的 base64url（无填充）。"), field="encodedList")
        try:
            compressed = base64.b64decode(
                body + "=" * (-len(body) % 4), altchars=b"-_", validate=True
            )
        except (binascii.Error, ValueError) as exc:
            raise _invalid(
                _("状态列表编码不是有效的 base64url（无填充）。"), field="encodedList"
            ) from exc
        raw = _gunzip_bounded(compressed)
        entries = len(raw) * 8 // status_size
        if entries < MIN_ENTRIES:
            raise _invalid(
                _("状态列表过短：至少要有 %(min)d 个条目（16 KB），实际为 %(actual)d 个。")
                % {"min": MIN_ENTRIES, "actual": entries},
                field="encodedList",
                minimum=MIN_ENTRIES,
                actual=entries,
            )
        bitstring = cls(entries, status_size=status_size)
        bitstring._bits[:] = raw
        return bitstring


def _gunzip_bounded(compressed: bytes) -> bytes:
    """Inflate one gzip member, never producing more than ``MAX_DECOMPRESSED_BYTES``."""
    bad_gzip = _("状态列表不是有效的 GZIP 压缩数据。")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(compressed, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise _invalid(bad_gzip, field="encodedList") from exc
    if len(raw) > MAX_DECOMPRESSED_BYTES or inflater.unconsumed_tail:
        raise _invalid(
            _("状态列表解压后超过 %(max)d 字节，已拒绝（疑似压缩炸弹）。")
            % {"max": MAX_DECOMPRESSED_BYTES},
            field="encodedList",
            maximum=MAX_DECOMPRESSED_BYTES,
        )
    if not inflater.eof or inflater.unused_data:
        # Truncated, or followed by bytes that are not part of the one gzip member.
        raise _invalid(bad_gzip, field="encodedList")
    return raw


# --- documents -------------------------------------------------------------------------------


def _check_purpose(purpose: object, field: str) -> str:
    if not isinstance(purpose, str) or purpose not in PURPOSES:
        raise _invalid(
            _("不支持的状态用途：%(purpose)s（应为 revocation 或 suspension）。")
            % {"purpose": purpose},
            field=field,
        )
    return purpose


def _check_text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(_("%(field)s 必须是非空字符串。") % {"field": field}, field=field)
    return value


def status_list_credential(
    *, list_id: str, issuer: str, purpose: str, encoded_list: str, valid_from: str
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` (状态列表凭证) for ``encoded_list``.

    ``list_id`` is the URL the credential is published at (what entries name as
    ``statusListCredential``); the subject is ``list_id + "#list"``.
    """
    _check_text(list_id, "list_id")
    _check_text(issuer, "issuer")
    _check_purpose(purpose, "purpose")
    if not is_xsd_datetime(valid_from):
        raise DomainError(
            ErrorCode.INVALID_DATE,
            _("validFrom 必须是 XML Schema 日期时间，例如 2026-01-01T00:00:00Z。"),
            {"field": "valid_from"},
        )
    StatusBitstring.decode(encoded_list)  # refuse a list no verifier could read
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_id,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }


def status_entry(*, list_credential_url: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` (凭证状态条目) for a credential's ``credentialStatus``."""
    _check_text(list_credential_url, "list_credential_url")
    _check_purpose(purpose, "purpose")
    if not _is_index(index):
        raise _invalid(_("状态索引必须是非负整数。"), field="index")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


@dataclass(frozen=True)
class StatusResult:
    """A credential's status (凭证状态): ``status`` is ``True`` when revoked / suspended."""

    purpose: str
    index: int
    status: bool


def status_check(*, entry: dict[str, Any], status_list_credential: dict[str, Any]) -> StatusResult:
    """Read the status ``entry`` points at in an (already verified) status list credential."""
    if not isinstance(entry, dict) or entry.get("type") != ENTRY_TYPE:
        raise _invalid(
            _("凭证状态条目的类型必须是 %(type)s。") % {"type": ENTRY_TYPE}, field="type"
        )
    purpose = _check_purpose(entry.get("statusPurpose"), "statusPurpose")
    raw_index = entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not _INDEX.fullmatch(raw_index):
        raise _invalid(
            _('statusListIndex 必须是表示非负整数的字符串，例如 "94567"。'),
            field="statusListIndex",
        )
    index = int(raw_index)
    url = _check_text(entry.get("statusListCredential"), "statusListCredential")
    if entry.get("statusSize", 1) != 1:
        raise _invalid(_("撤销和暂停状态的位宽必须为 1。"), field="statusSize")

    credential = status_list_credential
    types = credential.get("type") if isinstance(credential, dict) else None
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        raise _invalid(
            _("状态列表凭证的类型必须包含 %(type)s。") % {"type": LIST_CREDENTIAL_TYPE},
            field="type",
        )
    if "id" in credential and credential["id"] != url:
        raise _invalid(
            _("状态列表凭证的 id 与条目的 statusListCredential 不一致。"),
            field="statusListCredential",
            expected=url,
            actual=credential["id"],
        )
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != LIST_TYPE:
        raise _invalid(
            _("状态列表凭证的主体类型必须是 %(type)s。") % {"type": LIST_TYPE},
            field="credentialSubject",
        )
    list_purposes = subject.get("statusPurpose")
    if isinstance(list_purposes, str):
        list_purposes = [list_purposes]
    if not isinstance(list_purposes, list) or purpose not in list_purposes:
        raise _invalid(
            _("状态用途不一致：条目为 %(entry)s，状态列表为 %(list)s。")
            % {"entry": purpose, "list": subject.get("statusPurpose")},
            field="statusPurpose",
        )
    encoded_list = subject.get("encodedList")
    if not isinstance(encoded_list, str):
        raise _invalid(_("状态列表凭证缺少 encodedList。"), field="encodedList")
    bitstring = StatusBitstring.decode(encoded_list)
    if index >= len(bitstring):
        raise _invalid(
            _("状态索引 %(index)d 超出状态列表范围（共 %(entries)d 个条目）。")
            % {"index": index, "entries": len(bitstring)},
            field="statusListIndex",
            index=index,
            entries=len(bitstring),
        )
    return StatusResult(purpose=purpose, index=index, status=bitstring.get(index) == 1)
