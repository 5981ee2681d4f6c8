"""Electronic licence identifier (电子证照标识, after GB/T 36904-2018).

Layout, ten dot-separated parts::

    1.2.156.3005.2 . 11100000000000000 . 91310115MA1FL5XK4C . 000123 . 001 . K
    |                |                   |                    |        |     +-- check character
    |                |                   |                    |        +-------- version (版本号)
    |                |                   |                    +----------------- serial (顺序号)
    |                |                   +-------------------------------------- issuer's USCC
    |                +---------------------------------------------------------- licence type
    +--------------------------------------------------------------------------- fixed prefix

What this module accepts (our reading of the standard; the lead may tighten it):

* **prefix** ``1.2.156.3005.2`` exactly (the OID arc for 电子证照 under China's ISO member
  body 1.2.156);
* **type code** (证照类型代码): 1 to 32 characters of ``0-9A-Z``, e.g. ``11100000000000000``;
  national type codes are numeric, but local catalogues use letters too, so both pass;
* **issuer** (发证机构): an 18-character Unified Social Credit Code, checked in full by
  :func:`yingshang.core.uscc.uscc_parse` (its error is reported as ours, naming the part);
* **serial** (顺序号): 1 to 20 decimal digits; leading zeros are significant and kept.
  :func:`licence_id_build` writes an integer serial zero-padded to 6 digits;
* **version** (版本号): exactly 3 digits, ``001`` to ``999``;
* **check** (校验码): one character of ``0-9A-Z``, ISO/IEC 7064 MOD 37,36 (hybrid system,
  M = 36) computed over the **covered content: every character before the last dot, with
  the dots removed** -- the fixed prefix included, e.g. ``121563005211100...000123001``.
  Dots are outside the 36-character alphabet, so they cannot be covered; the structure
  (fixed prefix, 18-character issuer, 3-digit version) pins where each part lies instead.

Input is normalised like credit codes: NFKC (full-width digits and ``．`` become ASCII),
surrounding blanks stripped, letters upper-cased.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import DomainError, ErrorCode
from .uscc import uscc_parse

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # ISO 7064 MOD 37,36: 36 characters
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_M = len(ALPHABET)  # 36

TYPE_CODE_MAX = 32
SERIAL_MAX = 20
SERIAL_WIDTH = 6  # zero-padding of an integer serial in licence_id_build
VERSION_MAX = 999

_TYPE_RE = re.compile(rf"[0-9A-Z]{{1,{TYPE_CODE_MAX}}}")
_SERIAL_RE = re.compile(rf"[0-9]{{1,{SERIAL_MAX}}}")
_VERSION_RE = re.compile(r"[0-9]{3}")
_PARTS = 10  # five in the prefix, then type, issuer, serial, version, check


@dataclass(frozen=True, slots=True)
class LicenceId:
    """A validated electronic licence identifier, split into its parts."""

    type_code: str
    issuer_credit_code: str
    serial: str
    version: int
    check: str

    @property
    def covered(self) -> str:
        """The characters the check character protects (everything but the dots)."""
        return _covered(self.type_code, self.issuer_credit_code, self.serial, self.version)

    def __str__(self) -> str:
        return ".".join(
            (
                PREFIX,
                self.type_code,
                self.issuer_credit_code,
                self.serial,
                f"{self.version:03d}",
                self.check,
            )
        )


def mod37_36_check(chars: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character for ``chars`` (``0-9A-Z``).

    Hybrid system with M = 36: P starts at M; for each character, P = (P + value) mod M
    (0 becomes M), then P = 2P mod (M + 1); the check character is the one whose value is
    (M + 1 - P) mod M. Detects every single substitution and most, but not all, adjacent
    transpositions (``IJ`` and ``JI`` share the check character ``0``).
    """
    p = _M
    for i, ch in enumerate(chars, start=1):
        value = _VALUE.get(ch)
        if value is None:
            raise _fail(
                _("第%(pos)d位字符“%(ch)s”不在校验字符集中（只用数字和大写字母）。")
                % {"pos": i, "ch": ch},
                "check",
                "alphabet",
                position=i,
            )
        p = (p + value) % _M or _M
        p = (2 * p) % (_M + 1)
    return ALPHABET[(_M + 1 - p) % _M]


def _covered(type_code: str, issuer: str, serial: str, version: int) -> str:
    return PREFIX.replace(".", "") + type_code + issuer + serial + f"{version:03d}"


def _fail(message: str, part: str, rule: str, **details: object) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_LICENCE_ID, message, {"part": part, "rule": rule, **details}
    )


def _check_type_code(type_code: str) -> None:
    if not _TYPE_RE.fullmatch(type_code):
        raise _fail(
            _("证照类型代码“%(value)s”应为1至%(max)d位数字或大写字母。")
            % {"value": type_code, "max": TYPE_CODE_MAX},
            "type_code",
            "format",
        )


def _check_issuer(issuer: str) -> str:
    try:
        return uscc_parse(issuer).code
    except DomainError as error:
        raise _fail(
            _("发证机构统一社会信用代码“%(value)s”无效：%(reason)s")
            % {"value": issuer, "reason": error.message},
            "issuer",
            str(error.details.get("rule", "uscc")),
            uscc=error.details,
        ) from error


def _check_serial(serial: str) -> None:
    if not _SERIAL_RE.fullmatch(serial):
        raise _fail(
            _("顺序号“%(value)s”应为1至%(max)d位数字。") % {"value": serial, "max": SERIAL_MAX},
            "serial",
            "format",
        )


def _version_out_of_range(version: object) -> DomainError:
    return _fail(
        _("版本号“%(value)s”应为001至%(max)d之间的3位数字。")
        % {"value": version, "max": VERSION_MAX},
        "version",
        "range",
    )


def licence_id_build(
    *, type_code: str, issuer_credit_code: str, serial: str | int, version: int = 1
) -> str:
    """The identifier for a licence, with its check character.

    ``serial`` as a string is used verbatim (1-20 digits); as an integer it is written
    zero-padded to 6 digits (wider if it needs more). ``version`` counts from 1.
    """
    type_code = type_code.strip().upper()
    _check_type_code(type_code)
    issuer = _check_issuer(issuer_credit_code)
    if isinstance(serial, int):
        if serial < 0:
            raise _fail(
                _("顺序号不能为负数（收到%(value)d）。") % {"value": serial}, "serial", "range"
            )
        serial = f"{serial:0{SERIAL_WIDTH}d}"
    _check_serial(serial)
    if isinstance(version, bool) or not 1 <= version <= VERSION_MAX:
        raise _version_out_of_range(version)
    covered = _covered(type_code, issuer, serial, version)
    return str(LicenceId(type_code, issuer, serial, version, mod37_36_check(covered)))


def licence_id_parse(value: object) -> LicenceId:
    """Validate an identifier and return its parts, or raise INVALID_LICENCE_ID.

    ``details`` carries ``part`` (``structure``, ``prefix``, ``type_code``, ``issuer``,
    ``serial``, ``version``, ``check``) and ``rule``; the parts are checked in order, the
    check character last.
    """
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().upper()
    parts = text.split(".")
    if len(parts) != _PARTS:
        raise _fail(
            _(
                "电子证照标识应由%(want)d段以“.”分隔的内容组成"
                "（前缀1.2.156.3005.2、证照类型代码、发证机构代码、顺序号、版本号、校验码），"
                "收到%(got)d段。"
            )
            % {"want": _PARTS, "got": len(parts)},
            "structure",
            "parts",
            parts=len(parts),
        )
    prefix = ".".join(parts[:5])
    if prefix != PREFIX:
        raise _fail(
            _("电子证照标识应以“%(want)s”开头，实为“%(got)s”。") % {"want": PREFIX, "got": prefix},
            "prefix",
            "fixed",
        )
    type_code, issuer, serial, version_text, check = parts[5:]
    _check_type_code(type_code)
    issuer = _check_issuer(issuer)
    _check_serial(serial)
    if not _VERSION_RE.fullmatch(version_text) or version_text == "000":
        raise _version_out_of_range(version_text)
    version = int(version_text)
    if len(check) != 1 or check not in _VALUE:
        raise _fail(
            _("校验码“%(value)s”应为1位数字或大写字母。") % {"value": check},
            "check",
            "format",
        )
    expected = mod37_36_check(_covered(type_code, issuer, serial, version))
    if check != expected:
        raise _fail(
            _(
                "校验码应为“%(want)s”，实为“%(got)s”（ISO 7064 MOD 37,36），"
                "请核对标识中是否有字符录入错误。"
            )
            % {"want": expected, "got": check},
            "check",
            "mismatch",
            expected=expected,
        )
    return LicenceId(type_code, issuer, serial, version, check)


def licence_id_is_valid(value: object) -> bool:
    try:
        licence_id_parse(value)
    except DomainError:
        return False
    return True
