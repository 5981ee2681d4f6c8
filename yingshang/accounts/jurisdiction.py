"""Jurisdiction arithmetic on GB/T 2260 codes: does an official's area cover a region?"""

from __future__ import annotations


def jurisdiction_prefix(code: str) -> str:
    """The prefix of region codes that a jurisdiction covers.

    ``310000`` (province) covers ``31....``; ``320100`` (prefecture) covers ``3201..``;
    ``310115`` (county) covers only itself.
    """
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def covers(jurisdiction: str, region_code: str) -> bool:
    return bool(jurisdiction) and region_code.startswith(jurisdiction_prefix(jurisdiction))
