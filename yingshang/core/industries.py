"""Industries (国民经济行业分类, GB/T 4754-2017, original 2017 edition), in memory.

Four levels: section (门类, ``A``-``T``), division (大类, ``52``), group (中类, ``526``),
class (小类, ``5261``). The table is ``data/industries.csv`` (see ``data/README.md``); the
same rows are in the database as :class:`yingshang.core.models.Industry`.

Accepted input forms for :func:`industry_parse`: the plain code of any level (``F``,
``52``, ``526``, ``5261``) and the section-prefixed form that registries and pickers print
(``F52``, ``F526``, ``F5261``), whose letter must be the code's own section. Blanks,
full-width characters and a lower-case section letter are normalised. The result is always
the plain code.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError, ErrorCode

CSV_PATH = Path(__file__).resolve().parent / "data" / "industries.csv"
CSV_SHA256 = "d454108c01afb5d6645030ea8b144feb5f9e2979f01c1945aa380a2fb1829788"
EDITION = "GB/T 4754-2017"


class IndustryLevel(models.TextChoices):
    SECTION = "section", gettext_lazy("门类")
    DIVISION = "division", gettext_lazy("大类")
    GROUP = "group", gettext_lazy("中类")
    CLASS = "class", gettext_lazy("小类")


_LEVEL_BY_LENGTH = {
    1: IndustryLevel.SECTION,
    2: IndustryLevel.DIVISION,
    3: IndustryLevel.GROUP,
    4: IndustryLevel.CLASS,
}


@dataclass(frozen=True, slots=True)
class IndustryEntry:
    """One code of the classification."""

    code: str
    name: str
    level: IndustryLevel
    parent: str | None
    section: str  # the section letter, e.g. "I" for 6513

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def industry_rows() -> list[dict[str, str]]:
    """The CSV rows (``code``, ``name``, ``level``, ``parent``) in the standard's order."""
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _table() -> dict[str, IndustryEntry]:
    table: dict[str, IndustryEntry] = {}
    for row in industry_rows():
        parent = row["parent"] or None
        section = row["code"] if parent is None else table[parent].section
        table[row["code"]] = IndustryEntry(
            row["code"], row["name"], IndustryLevel(row["level"]), parent, section
        )
    return table


def all_industries(level: IndustryLevel | None = None) -> list[IndustryEntry]:
    """Every entry in the standard's order, or those of one level."""
    return [e for e in _table().values() if level is None or e.level == level]


def industry_get(code: str) -> IndustryEntry | None:
    """The entry for a plain code (``"5261"``, ``"F"``), or None."""
    return _table().get(code)


def _fail(message: str, value: str, reason: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INDUSTRY, message, {"value": value, "reason": reason})


def industry_parse(value: object, *, level: IndustryLevel | None = None) -> IndustryEntry:
    """Parse an industry code (plain or section-prefixed), or raise INVALID_INDUSTRY.

    ``level`` demands one level (e.g. a registered entity's industry is a class).
    ``details["reason"]`` is ``format``, ``section_mismatch``, ``unknown`` or ``level``.
    """
    raw = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    text = raw.upper()
    letter = ""
    if text[:1].isascii() and text[:1].isalpha() and len(text) > 1:
        letter, text = text[0], text[1:]
    if not (
        (len(text) == 1 and "A" <= text <= "Z" and not letter)
        or (2 <= len(text) <= 4 and text.isascii() and text.isdigit())
    ):
        raise _fail(
            _(
                "行业代码“%(value)s”格式不正确：应为门类字母（如 F）或2-4位数字"
                "（如 52、526、5261），数字前可带门类字母（如 F5261）。"
            )
            % {"value": raw},
            raw,
            "format",
        )
    entry = _table().get(text)
    if entry is None:
        raise _fail(
            _("行业代码“%(code)s”不在《国民经济行业分类》（%(edition)s）中，请核对。")
            % {"code": text, "edition": EDITION},
            raw,
            "unknown",
        )
    if letter and letter != entry.section:
        raise _fail(
            _(
                "行业代码“%(value)s”的门类字母应为“%(want)s”"
                "（%(code)s 属于门类 %(want)s），而不是“%(got)s”。"
            )
            % {"value": raw, "want": entry.section, "code": text, "got": letter},
            raw,
            "section_mismatch",
        )
    if level is not None and entry.level != level:
        raise _fail(
            _("行业代码“%(code)s”是%(got)s，此处需要%(want)s代码。")
            % {"code": text, "got": entry.level.label, "want": level.label},
            raw,
            "level",
        )
    return entry


def industry_path(code: str) -> list[IndustryEntry]:
    """Section → division → group → class down to ``code``; raises INVALID_INDUSTRY."""
    entry: IndustryEntry | None = industry_parse(code)
    path: list[IndustryEntry] = []
    while entry is not None:
        path.append(entry)
        entry = _table().get(entry.parent) if entry.parent else None
    return path[::-1]


def industry_section(code: str) -> IndustryEntry:
    """The section (门类) that ``code`` belongs to; raises INVALID_INDUSTRY."""
    return _table()[industry_parse(code).section]


def industry_children(code: str) -> list[IndustryEntry]:
    """The entries directly under ``code``, in the standard's order."""
    parent = industry_parse(code).code
    return [e for e in _table().values() if e.parent == parent]
