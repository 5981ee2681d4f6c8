"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

Layout of the 18 characters::

    9  1  310115  MA1FL5XK  0  Q
    |  |  |       |         |  +-- 18: check character (weights 3^(i-1) mod 31)
    |  |  |       +---------+----- 9-17: organisation code (GB 11714) with its check digit
    |  |  +----------------------- 3-8: registration authority's region code (GB/T 2260)
    |  +-------------------------- 2: category within that department
    +----------------------------- 1: registration department

python-stdnum's ``stdnum.cn.uscc`` rejects codes whose department is A, N or Y; this module
checks every rule itself and names the rule and the position that failed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import DomainError, ErrorCode
from .regions import province_exists, region_get

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration departments (登记管理部门) and the categories (机构类别) each may use.
DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
         "5": "仲裁委员会", "9": "其他"},
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("市场监督管理（工商）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业农村",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他", "9": "其他"}),
}


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated credit code."""

    code: str

    @property
    def department(self) -> str:
        return DEPARTMENTS[self.code[0]][0]

    @property
    def category(self) -> str:
        return DEPARTMENTS[self.code[0]][1][self.code[1]]

    @property
    def region_code(self) -> str:
        return self.code[2:8]

    @property
    def organisation_code(self) -> str:
        return self.code[8:17]

    def __str__(self) -> str:
        return self.code


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015, 5.3)."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_digit(body8: str) -> str:
    """The 9th character of a GB 11714 organisation code for its first 8."""
    total = sum(_org_value(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def _fail(message: str, position: int | None = None, **details: object) -> DomainError:
    if position is not None:
        details["position"] = position
    return DomainError(ErrorCode.INVALID_USCC, message, details)


def uscc_parse(value: object) -> Uscc:
    """Validate a credit code and return it, or raise INVALID_USCC naming the failed rule.

    Lower-case letters and surrounding blanks are accepted and normalised.
    """
    text = str(value if value is not None else "").strip().upper()
    if len(text) != 18:
        raise _fail(
            _("统一社会信用代码应为18位，收到%(n)d位。") % {"n": len(text)}, length=len(text)
        )
    for i, ch in enumerate(text, start=1):
        if ch not in _VALUE:
            raise _fail(
                _("第%(pos)d位字符“%(ch)s”不允许出现在统一社会信用代码中（不使用 I、O、S、V、Z）。")
                % {"pos": i, "ch": ch},
                i,
                rule="alphabet",
            )
    department = DEPARTMENTS.get(text[0])
    if department is None:
        raise _fail(
            _("第1位登记管理部门代码“%(ch)s”不存在。") % {"ch": text[0]}, 1, rule="department"
        )
    if text[1] not in department[1]:
        raise _fail(
            _("第2位机构类别代码“%(ch)s”不属于登记管理部门“%(dept)s”。")
            % {"ch": text[1], "dept": department[0]},
            2,
            rule="category",
        )
    region = text[2:8]
    if not region.isdigit() or not province_exists(region):
        raise _fail(
            _("第3-8位登记管理机关行政区划代码“%(region)s”无效。") % {"region": region},
            3,
            rule="region",
        )
    body = text[8:16]
    if not all(ch.isdigit() or ch.isupper() for ch in body):
        raise _fail(_("第9-16位主体标识码只能是数字或大写字母。"), 9, rule="organisation")
    expected_org = organisation_check_digit(body)
    if text[16] != expected_org:
        raise _fail(
            _("第17位组织机构代码校验码应为“%(want)s”，实为“%(got)s”（GB 11714）。")
            % {"want": expected_org, "got": text[16]},
            17,
            rule="organisation_check",
        )
    expected = check_character(text[:17])
    if text[17] != expected:
        raise _fail(
            _("第18位校验码应为“%(want)s”，实为“%(got)s”，请核对是否有字符录入错误。")
            % {"want": expected, "got": text[17]},
            18,
            rule="check",
        )
    return Uscc(text)


def uscc_is_valid(value: object) -> bool:
    try:
        uscc_parse(value)
    except DomainError:
        return False
    return True


_ORG_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_generate(
    *, region: str, department: str = "9", category: str = "1", body: str | None = None
) -> Uscc:
    """A new valid code for an entity registered in ``region`` (a current GB/T 2260 code).

    ``body`` (8 characters) fixes the organisation code; by default it is drawn at random
    with ``secrets``, in the ``MA`` range that registration authorities use for codes with no
    earlier organisation code. Uniqueness is the caller's business (a database constraint).
    """
    if region_get(region) is None:
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("行政区划代码“%(value)s”不在现行 GB/T 2260 代码表中。") % {"value": region},
            {"value": region},
        )
    if department not in DEPARTMENTS or category not in DEPARTMENTS[department][1]:
        raise _fail(_("登记管理部门或机构类别代码无效。"), 1)
    if body is None:
        body = "MA" + "".join(secrets.choice(_ORG_BODY_ALPHABET) for _ in range(6))
    first17 = department + category + region + body + organisation_check_digit(body)
    return Uscc(first17 + check_character(first17))
