"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

Layout of the 18 characters::

    9  1  310115  MA1FL5XK  0  Q
    |  |  |       |         |  +-- 18: check character, ISO 7064 MOD 31-3 (weights 3^(i-1) mod 31)
    |  |  |       +---------+----- 9-17: organisation code (GB 11714): 8-character body + MOD 11
    |  |  +----------------------- 3-8: registration authority's region code (GB/T 2260)
    |  +-------------------------- 2: category within that department (机构类别)
    +----------------------------- 1: registration department (登记管理部门)

All 18 characters come from the 31-character alphabet ``0-9A-HJ-NPQRTUWXY``.

python-stdnum's ``stdnum.cn.uscc`` rejects codes whose department is a letter (A, N, Y) and
checks neither the department, the category, the region nor the GB 11714 check digit; this
module checks every rule itself and names the rule and the position that failed.

The region part is the code of the authority *when the code was issued*: districts merged
since (e.g. 310108 闸北区, merged into 静安区 in 2015) stay in existing codes for life, so it
is checked down to the province only. ``100000`` is the national level (中央/国家级
registrations, e.g. 清华大学 12100000400000624D).
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError, ErrorCode
from .regions import province_exists, region_get

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714-1997: body characters weigh 3,7,9,10,5,8,4,2; digits count as themselves and the
# letters A-Z as 10-35 (so H=17 but J=19: not the USCC alphabet's index).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: (int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) for ch in ALPHABET}

NATIONAL_REGION = "100000"  # registrations by a central (national-level) authority


class Department(NamedTuple):
    name: Promise
    categories: dict[str, Promise]


def _d(name: str, categories: dict[str, str]) -> Department:
    return Department(gettext_lazy(name), {k: gettext_lazy(v) for k, v in categories.items()})


# Registration departments and the categories each may use: GB 32100-2015 appendix A with
# the later additions A (军队, 2018) and N (农业农村, 2018). Y (其他) has the one category 1.
DEPARTMENTS: dict[str, Department] = {
    "1": _d(
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": _d("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": _d(
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": _d("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": _d("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": _d(
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": _d("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": _d("工会", {"1": "基层工会", "9": "其他"}),
    "9": _d("市场监督管理（工商）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": _d("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": _d(
        "农业农村",
        {
            "1": "组级集体经济组织",
            "2": "村级集体经济组织",
            "3": "乡镇级集体经济组织",
            "9": "其他",
        },
    ),
    "Y": _d("其他", {"1": "其他"}),
}


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated credit code."""

    code: str

    @property
    def department_code(self) -> str:
        return self.code[0]

    @property
    def category_code(self) -> str:
        return self.code[1]

    @property
    def department(self) -> str:
        """The registration department's name, e.g. 市场监督管理（工商）."""
        return str(DEPARTMENTS[self.code[0]].name)

    @property
    def category(self) -> str:
        """The category's name within the department, e.g. 企业."""
        return str(DEPARTMENTS[self.code[0]].categories[self.code[1]])

    @property
    def region_code(self) -> str:
        return self.code[2:8]

    @property
    def organisation_code(self) -> str:
        """Characters 9-17: the GB 11714 organisation code with its check digit."""
        return self.code[8:17]

    def __str__(self) -> str:
        return self.code


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015, 4.5: ISO 7064 MOD 31-3)."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[-total % 31]


def organisation_check_digit(body8: str) -> str:
    """The 9th character of a GB 11714 organisation code for its first 8 (MOD 11, 10→X)."""
    total = sum(_ORG_VALUE[ch] * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    return _org_check_from_remainder(total % 11)


def _org_check_from_remainder(remainder: int) -> str:
    digit = 11 - remainder  # 1..11
    return "X" if digit == 10 else str(digit % 11)


def _fail(message: str, rule: str, position: int | None = None, **details: object) -> DomainError:
    details["rule"] = rule
    if position is not None:
        details["position"] = position
    return DomainError(ErrorCode.INVALID_USCC, message, details)


def _region_usable(region: str) -> bool:
    """Whether six characters can be a USCC region part: 100000 or a mainland province."""
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        return False
    return region == NATIONAL_REGION or (region[:2] < "71" and province_exists(region))


def uscc_parse(value: object) -> Uscc:
    """Validate a credit code and return it, or raise INVALID_USCC naming the failed rule.

    Rules run in the order of the layout; ``details`` carries ``rule`` (``length``,
    ``alphabet``, ``department``, ``category``, ``region``, ``organisation_check``,
    ``check``) and the 1-based ``position``. Full-width characters, lower-case letters and
    surrounding blanks are accepted and normalised.
    """
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().upper()
    if len(text) != 18:
        raise _fail(
            _("统一社会信用代码应为18位，收到%(n)d位。") % {"n": len(text)},
            "length",
            length=len(text),
        )
    for i, ch in enumerate(text, start=1):
        if ch not in _VALUE:
            raise _fail(
                _(
                    "第%(pos)d位字符“%(ch)s”不允许出现在统一社会信用代码中"
                    "（只用数字和除 I、O、S、V、Z 外的大写字母）。"
                )
                % {"pos": i, "ch": ch},
                "alphabet",
                i,
                character=ch,
            )
    department = DEPARTMENTS.get(text[0])
    if department is None:
        raise _fail(
            _("第1位登记管理部门代码“%(ch)s”不存在（应为1-9、A、N或Y）。") % {"ch": text[0]},
            "department",
            1,
        )
    if text[1] not in department.categories:
        raise _fail(
            _("第2位机构类别代码“%(ch)s”不属于登记管理部门“%(dept)s”（可用：%(allowed)s）。")
            % {"ch": text[1], "dept": department.name, "allowed": "、".join(department.categories)},
            "category",
            2,
        )
    region = text[2:8]
    if not _region_usable(region):
        raise _fail(
            _(
                "第3-8位登记管理机关行政区划代码“%(region)s”无效："
                "应为6位数字，前两位是内地省级行政区划（或100000表示国家级）。"
            )
            % {"region": region},
            "region",
            3,
        )
    expected_org = organisation_check_digit(text[8:16])
    if text[16] != expected_org:
        raise _fail(
            _("第17位组织机构代码校验码应为“%(want)s”，实为“%(got)s”（GB 11714），请核对第9-17位。")
            % {"want": expected_org, "got": text[16]},
            "organisation_check",
            17,
        )
    expected = check_character(text[:17])
    if text[17] != expected:
        raise _fail(
            _("第18位校验码应为“%(want)s”，实为“%(got)s”，请核对是否有字符录入错误。")
            % {"want": expected, "got": text[17]},
            "check",
            18,
        )
    return Uscc(text)


def uscc_is_valid(value: object) -> bool:
    try:
        uscc_parse(value)
    except DomainError:
        return False
    return True


def _check_generation_args(region: str, department: str, category: str) -> None:
    if region != NATIONAL_REGION and (region_get(region) is None or not _region_usable(region)):
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("行政区划代码“%(value)s”不是现行 GB/T 2260 代码表中的内地行政区划。")
            % {"value": region},
            {"value": region},
        )
    dept = DEPARTMENTS.get(department)
    if dept is None:
        raise _fail(
            _("登记管理部门代码“%(ch)s”不存在（应为1-9、A、N或Y）。") % {"ch": department},
            "department",
            1,
        )
    if category not in dept.categories:
        raise _fail(
            _("机构类别代码“%(ch)s”不属于登记管理部门“%(dept)s”。")
            % {"ch": category, "dept": dept.name},
            "category",
            2,
        )


def uscc_generate(
    *, region: str, department: str = "9", category: str = "1", body: str | None = None
) -> Uscc:
    """A new valid code for an entity registered in ``region`` (a current GB/T 2260 code).

    ``body`` (8 characters of :data:`ALPHABET`) fixes the organisation code; by default it
    is drawn at random with ``secrets`` in the ``MA`` range that registration authorities use
    for entities with no earlier organisation code. Uniqueness is the caller's business (a
    database constraint).
    """
    _check_generation_args(region, department, category)
    if body is None:
        body = "MA" + "".join(secrets.choice(ALPHABET) for _ in range(6))
    elif len(body) != 8 or any(ch not in _VALUE for ch in body):
        raise _fail(
            _("主体标识码“%(body)s”应为8位数字或大写字母（不用 I、O、S、V、Z）。") % {"body": body},
            "alphabet",
            9,
        )
    first17 = department + category + region + body + organisation_check_digit(body)
    return Uscc(first17 + check_character(first17))


# --- Fast deterministic codes for seeding -------------------------------------------------
# A serial s < 31**6 becomes the body "MA" + six base-31 digits of s. The six digits split
# into two halves of three; for each half every one of the 31**3 values is precomputed with
# its text and its partial sums under both check algorithms, so a code costs two table
# lookups, a few additions and two more lookups for the check characters.

SERIAL_LIMIT = 31**6
_HALF = 31**3


class _Half(NamedTuple):
    text: str
    org_sum: int
    uscc_sum: int


def _half_table(org_weights: tuple[int, ...], uscc_weights: tuple[int, ...]) -> list[_Half]:
    table = []
    for n in range(_HALF):
        chars = (ALPHABET[n // 961], ALPHABET[n // 31 % 31], ALPHABET[n % 31])
        table.append(
            _Half(
                "".join(chars),
                sum(_ORG_VALUE[c] * w for c, w in zip(chars, org_weights, strict=True)),
                sum(_VALUE[c] * w for c, w in zip(chars, uscc_weights, strict=True)),
            )
        )
    return table


@cache
def _serial_tables() -> tuple[list[_Half], list[_Half], list[tuple[str, int]], str]:
    high = _half_table(_ORG_WEIGHTS[2:5], _WEIGHTS[10:13])
    low = _half_table(_ORG_WEIGHTS[5:8], _WEIGHTS[13:16])
    # GB 11714 remainder -> (check digit, its term in the USCC sum at position 17).
    org = [(c, _VALUE[c] * _WEIGHTS[16]) for c in map(_org_check_from_remainder, range(11))]
    # USCC sum mod 31 -> check character.
    check = "".join(ALPHABET[-t % 31] for t in range(31))
    return high, low, org, check


@lru_cache(maxsize=4096)
def _serial_prefix(region: str, department: str, category: str) -> tuple[str, int, int]:
    _check_generation_args(region, department, category)
    prefix = department + category + region + "MA"
    org_sum = sum(_ORG_VALUE[c] * w for c, w in zip("MA", _ORG_WEIGHTS[:2], strict=True))
    uscc_sum = sum(_VALUE[c] * w for c, w in zip(prefix, _WEIGHTS[:10], strict=True))
    return prefix, org_sum, uscc_sum % 31


def uscc_from_serial(
    *, region: str, serial: int, department: str = "9", category: str = "1"
) -> str:
    """The valid code with body ``"MA"`` + ``serial`` in six base-31 digits, for seeding.

    Deterministic and injective for ``0 <= serial < 31**6`` (887,503,681) within one region,
    department and category: equal arguments give equal codes, different serials different
    codes. About a microsecond per code once the tables are built (first call, ~0.1 s).
    """
    if not 0 <= serial < SERIAL_LIMIT:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("序号%(serial)d超出范围：应在0到%(limit)d之间。")
            % {"serial": serial, "limit": SERIAL_LIMIT - 1},
            {"serial": serial},
        )
    prefix, org_base, uscc_base = _serial_prefix(region, department, category)
    high, low, org, check = _serial_tables()
    h = high[serial // _HALF]
    lo = low[serial % _HALF]
    org_char, org_term = org[(org_base + h.org_sum + lo.org_sum) % 11]
    total = (uscc_base + h.uscc_sum + lo.uscc_sum + org_term) % 31
    return prefix + h.text + lo.text + org_char + check[total]
