"""Citizen identity number (公民身份号码, GB 11643-1999), as on the resident ID card.

Layout of the 18 characters::

    310115 19900307 123 4
    |      |        |   +-- 18: check character, ISO 7064 MOD 11-2 (0-9 or X)
    |      |        +------ 15-17: sequence; the 17th digit is odd for men, even for women
    |      +--------------- 7-14: date of birth YYYYMMDD
    +---------------------- 1-6: address code (GB/T 2260) where the number was first issued

The address code is checked down to the province only: counties merged or renamed since the
number was issued keep their old codes in it for life. Besides the 34 province-level
divisions, ``83`` is accepted: 台湾居民居住证 numbers start with 830000 (港澳 residence permits
use 810000/820000, which are provinces in GB/T 2260 already).

A parsed :class:`IdNumber` prints masked (``str()`` and ``repr()``), so that a number never
leaks into a page or a log by accident; ``.value`` is the full number.
"""

from __future__ import annotations

import datetime
import enum
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError, ErrorCode
from .regions import province_exists

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
_CHECK = "10X98765432"  # check character by weighted sum mod 11
_EARLIEST = datetime.date(1900, 1, 1)
_TAIWAN_PERMIT = "83"


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return str(_SEX_LABELS[self])


_SEX_LABELS = {Sex.MALE: gettext_lazy("男"), Sex.FEMALE: gettext_lazy("女")}


@dataclass(frozen=True, slots=True, repr=False)
class IdNumber:
    """A validated citizen identity number (upper-case X)."""

    value: str

    @property
    def region_code(self) -> str:
        return self.value[:6]

    @property
    def birth_date(self) -> datetime.date:
        v = self.value
        return datetime.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))

    @property
    def sex(self) -> Sex:
        return Sex.MALE if int(self.value[16]) % 2 else Sex.FEMALE

    @property
    def masked(self) -> str:
        return id_number_mask(self.value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"IdNumber({self.masked!r})"


def id_number_check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def _fail(message: str, rule: str, position: int | None = None, **details: object) -> DomainError:
    details["rule"] = rule
    if position is not None:
        details["position"] = position
    return DomainError(ErrorCode.INVALID_ID_NUMBER, message, details)


def id_number_parse(value: object) -> IdNumber:
    """Validate an 18-character identity number, or raise INVALID_ID_NUMBER naming the check.

    ``details`` carries ``rule`` (``length``, ``character``, ``region``, ``birth_date``,
    ``check``) and, where one character is at fault, its 1-based ``position``. Full-width
    characters, a lower-case ``x`` and surrounding blanks are accepted and normalised.
    The message never repeats the whole number.
    """
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().upper()
    if len(text) != 18:
        raise _fail(
            _("公民身份号码应为18位，收到%(n)d位。") % {"n": len(text)}, "length", length=len(text)
        )
    for i, ch in enumerate(text, start=1):
        if not ("0" <= ch <= "9" or (i == 18 and ch == "X")):
            raise _fail(
                _("第%(pos)d位字符“%(ch)s”无效：前17位只能是数字，第18位是数字或X。")
                % {"pos": i, "ch": ch},
                "character",
                i,
            )
    if not (province_exists(text) or text.startswith(_TAIWAN_PERMIT)):
        raise _fail(
            _("第1-6位地址码“%(code)s”无效：前两位“%(province)s”不是省级行政区划代码。")
            % {"code": text[:6], "province": text[:2]},
            "region",
            1,
        )
    try:
        born = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise _fail(
            _("第7-14位出生日期“%(date)s”不是有效日期（格式为年月日YYYYMMDD）。")
            % {"date": text[6:14]},
            "birth_date",
            7,
        ) from None
    if born < _EARLIEST or born > timezone.localdate():
        raise _fail(
            _("第7-14位出生日期%(date)s不合理：应在1900年1月1日至今天之间。")
            % {"date": born.isoformat()},
            "birth_date",
            7,
        )
    expected = id_number_check_character(text[:17])
    if text[17] != expected:
        raise _fail(
            _("第18位校验码应为“%(want)s”，实为“%(got)s”，请核对是否有数字录入错误。")
            % {"want": expected, "got": text[17]},
            "check",
            18,
        )
    return IdNumber(text)


def id_number_is_valid(value: object) -> bool:
    try:
        id_number_parse(value)
    except DomainError:
        return False
    return True


def id_number_mask(value: object) -> str:
    """The number as every public view shows it: ``310***********1234``.

    The first 3 and the last 4 characters stay and the 11 between become asterisks. Stored
    numbers are not re-validated; anything that is not 18 characters (including the old
    15-digit numbers) keeps its first 3 and last 4 only when at least 12 characters long,
    and is otherwise fully masked, so that the helper never shows most of a value.
    """
    text = str(value.value if isinstance(value, IdNumber) else (value or "")).strip().upper()
    if len(text) < 12:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]
