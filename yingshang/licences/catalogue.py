"""The 一业一证 catalogue: integrated industry licences (行业综合许可证) as shipped data.

Shanghai's "one industry, one licence" reform (一业一证, piloted in Pudong since 2019 and
extended city-wide by 沪府规〔2021〕5号) merges the several permits an industry needs into
one integrated industry licence, applied for with ONE merged form. This module reads the
catalogue ``catalogue/industries.json`` (sources in ``catalogue/SOURCES.md``) into frozen
values and is the small engine over it:

* :class:`Industry` (行业) has a merged application form (:class:`FormField`), the permits it
  bundles (:class:`Permit`, 许可事项, each owned by a :class:`Department`), and for each
  permit its conditions (:class:`Condition`, 许可条件) with their legal basis and whether a
  signed commitment (告知承诺) may stand in for the evidence until the post-check
  (``post_check_working_days``).
* :meth:`Industry.form_parse` turns one application's answers into typed values;
  :meth:`Industry.permits_required` picks the permits whose ``applies_when`` holds
  (e.g. the tobacco retail licence only if the shop sells tobacco);
  :meth:`Industry.commitment_conditions` and :meth:`Industry.evidence_conditions` split the
  conditions of those permits into "commitment may replace the evidence" and "evidence
  needed".

Pure code: no models, no database. Every malformed catalogue is refused at load time with
``DomainError(INVALID_INPUT)`` naming the industry, permit and condition and the problem, so
a bad data edit fails the tests rather than an applicant. The industry code table
(GB/T 4754-2017) is read from the CSV that :mod:`yingshang.core.industries` ships.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal, cast

from django.utils.translation import gettext as _

from yingshang.core import shipped
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.industries import IndustryLevel, industry_get
from yingshang.core.licence_id import TYPE_CODE_MAX
from yingshang.core.shipped import Department, Source, json_file_read
from yingshang.core.shipped import Where as _At
from yingshang.core.shipped import array as _list
from yingshang.core.shipped import boolean as _bool
from yingshang.core.shipped import fields as _object
from yingshang.core.shipped import integer as _int
from yingshang.core.shipped import text as _text

CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue" / "industries.json"

FieldType = Literal["text", "integer", "decimal", "boolean", "date", "choice"]
FIELD_TYPES: tuple[FieldType, ...] = ("text", "integer", "decimal", "boolean", "date", "choice")
FIELD_TYPE_LABELS: dict[str, str] = {
    "text": "文本",
    "integer": "整数",
    "decimal": "数字",
    "boolean": "是/否",
    "date": "日期",
    "choice": "选项",
}
TEXT_MAX_LENGTH_DEFAULT = 500  # a text field without max_length
POST_CHECK_MAX_WORKING_DAYS = 120  # sanity bound for post_check_working_days
MIN_PERMITS = 2  # an integrated licence bundles at least two permits
MIN_CONDITIONS = 2

_INDUSTRY_CODE_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PERMIT_CODE_RE = _INDUSTRY_CODE_RE
_CONDITION_CODE_RE = _INDUSTRY_CODE_RE
_FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LICENCE_TYPE_RE = re.compile(rf"[0-9A-Z]{{1,{TYPE_CODE_MAX}}}")
_GBT4754_CLASS_RE = re.compile(r"[0-9]{4}")
_VERSION_RE = re.compile(r"[0-9]{4}-[0-9]{2}")
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER_TEXT_RE = re.compile(r"[+-]?[0-9]+")
_LAW_NAME_RE = re.compile(r"《[^《》]+》")
_ARTICLE_RE = re.compile(r"第[0-9一二三四五六七八九十百零〇]+[条项]")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class FormField:
    """One question of an industry's merged application form (一表申请)."""

    name: str
    label: str
    type: FieldType
    required: bool
    max_length: int | None = None  # text only
    choices: tuple[str, ...] = ()  # choice only

    def value_parse(self, value: object) -> object:
        """The typed value of one non-empty answer, or raise INVALID_INPUT naming the field."""
        if self.type == "text":
            return self._text(value)
        if self.type == "integer":
            return self._integer(value)
        if self.type == "decimal":
            return self._decimal(value)
        if self.type == "boolean":
            return self._boolean(value)
        if self.type == "date":
            return self._date(value)
        return self._choice(value)

    def _fail(self, problem: str) -> DomainError:
        message = _("“%(label)s”（%(name)s）%(problem)s") % {
            "label": self.label,
            "name": self.name,
            "problem": problem,
        }
        return DomainError(ErrorCode.INVALID_INPUT, message, {"field": self.name})

    def _text(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._fail(_("应为文本。"))
        text = value.strip()
        limit = self.max_length or TEXT_MAX_LENGTH_DEFAULT
        if len(text) > limit:
            raise self._fail(
                _("最多 %(limit)d 个字符，现有 %(length)d 个，请删减。")
                % {"limit": limit, "length": len(text)}
            )
        return text

    def _integer(self, value: object) -> int:
        if isinstance(value, bool):
            raise self._fail(_("应为整数，不能填是/否。"))
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and _INTEGER_TEXT_RE.fullmatch(value.strip()):
            number = int(value.strip())
        else:
            raise self._fail(_("应为整数（如 12）。"))
        if number < 0:
            raise self._fail(_("不能为负数。"))
        return number

    def _decimal(self, value: object) -> Decimal:
        if isinstance(value, bool):
            raise self._fail(_("应为数字，不能填是/否。"))
        number: Decimal | None = None
        try:
            if isinstance(value, (Decimal, int)):
                number = Decimal(value)
            elif isinstance(value, float):
                number = Decimal(str(value))
            elif isinstance(value, str) and value.strip():
                number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self._fail(_("应为数字（如 85.5）。"))
        if number < 0:
            raise self._fail(_("不能为负数。"))
        return number

    def _boolean(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self._fail(_("应选择“是”或“否”（true 或 false）。"))

    def _date(self, value: object) -> dt.date:
        if isinstance(value, dt.datetime):
            raise self._fail(_("应为日期，不带时间（如 2026-11-01）。"))
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _ISO_DATE_RE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self._fail(_("应为有效日期，格式为 年-月-日（如 2026-11-01）。"))

    def _choice(self, value: object) -> str:
        text = value.strip() if isinstance(value, str) else None
        if text not in self.choices:
            raise self._fail(
                _("只能选择以下之一：%(choices)s。") % {"choices": "、".join(self.choices)}
            )
        return text


@dataclass(frozen=True, slots=True)
class AppliesWhen:
    """The permit is needed only when the form answer ``field`` equals ``equals``."""

    field: str
    equals: object

    def holds(self, form: Mapping[str, object]) -> bool:
        value = form.get(self.field)
        return value is not None and type(value) is type(self.equals) and value == self.equals


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of a permit (许可条件), with its legal basis (法律依据)."""

    code: str
    text: str
    evidence: tuple[str, ...]  # materials proving it (申请材料)
    commitment_allowed: bool  # may a signed commitment (告知承诺) replace the evidence?
    legal_basis: str


@dataclass(frozen=True, slots=True)
class Permit:
    """One permit (许可事项) bundled into an industry's integrated licence."""

    code: str
    name: str
    department: str
    applies_when: AppliesWhen | None
    conditions: tuple[Condition, ...]

    def applies_to(self, form: Mapping[str, object]) -> bool:
        """Whether a (parsed) form needs this permit."""
        return self.applies_when is None or self.applies_when.holds(form)


@dataclass(frozen=True, slots=True)
class Industry:
    """An industry under 一业一证 and its integrated licence (行业综合许可证)."""

    code: str
    name: str
    gbt4754: str
    licence_type_code: str  # the type part of GB/T 36904 licence ids
    lead_department: str  # 牵头部门
    post_check_working_days: int  # 承诺即入: the post-check is due within this many days
    sources: tuple[Source, ...]
    form: tuple[FormField, ...]
    permits: tuple[Permit, ...]

    def form_field(self, name: str) -> FormField | None:
        return next((f for f in self.form if f.name == name), None)

    def permit(self, code: str) -> Permit:
        """The permit ``code`` of this industry; NOT_FOUND if there is none."""
        for permit in self.permits:
            if permit.code == code:
                return permit
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("行业“%(industry)s”没有代码为“%(code)s”的许可事项。")
            % {"industry": self.name, "code": code},
            {"field": "permit"},
        )

    def form_parse(self, data: Mapping[str, object]) -> dict[str, object]:
        """One application's answers as typed values, every form field present.

        ``decimal`` becomes :class:`~decimal.Decimal`, ``integer`` :class:`int`, ``boolean``
        :class:`bool` (also from ``"true"``/``"false"``), ``date`` :class:`datetime.date`
        (also from ``YYYY-MM-DD``), ``choice`` one of its choices, ``text`` stripped and
        within ``max_length``. Numbers may not be negative (every numeric answer is a count
        or an area). A blank optional answer is ``None``. Raises INVALID_INPUT with
        ``details["field"]`` for a missing required answer, an unknown field or a bad value.
        """
        if not isinstance(data, Mapping):
            raise DomainError(
                ErrorCode.INVALID_INPUT, _("申请表应为“字段: 值”的映射。"), {"field": "form"}
            )
        known = {f.name for f in self.form}
        for key in data:
            if key not in known:
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    _("“%(industry)s”申请表没有“%(field)s”这一项，请删除它。")
                    % {"industry": self.name, "field": key},
                    {"field": str(key)},
                )
        parsed: dict[str, object] = {}
        for field in self.form:
            value = data.get(field.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if field.required:
                    raise DomainError(
                        ErrorCode.INVALID_INPUT,
                        _("请填写“%(label)s”（%(name)s）。")
                        % {"label": field.label, "name": field.name},
                        {"field": field.name},
                    )
                parsed[field.name] = None
                continue
            parsed[field.name] = field.value_parse(value)
        return parsed

    def permits_required(self, form: Mapping[str, object]) -> tuple[Permit, ...]:
        """The permits this application needs, in catalogue order.

        ``form`` is parsed again with :meth:`form_parse` (parsing is idempotent), so raw
        answers such as ``"true"`` compare correctly; a bad form raises INVALID_INPUT.
        """
        parsed = self.form_parse(form)
        return tuple(p for p in self.permits if p.applies_to(parsed))

    def commitment_conditions(
        self, permits: Iterable[Permit] | None = None
    ) -> tuple[tuple[Permit, Condition], ...]:
        """(permit, condition) pairs a signed commitment may meet (告知承诺), in order.

        ``permits`` defaults to all of the industry's permits; pass
        :meth:`permits_required` for one application.
        """
        return self._conditions(permits, commitment=True)

    def evidence_conditions(
        self, permits: Iterable[Permit] | None = None
    ) -> tuple[tuple[Permit, Condition], ...]:
        """(permit, condition) pairs whose evidence must be submitted before approval."""
        return self._conditions(permits, commitment=False)

    def _conditions(
        self, permits: Iterable[Permit] | None, *, commitment: bool
    ) -> tuple[tuple[Permit, Condition], ...]:
        chosen = self.permits if permits is None else tuple(permits)
        for permit in chosen:
            if permit not in self.permits:
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    _("许可事项“%(permit)s”不属于行业“%(industry)s”。")
                    % {"permit": permit.name, "industry": self.name},
                    {"field": "permits"},
                )
        return tuple(
            (permit, condition)
            for permit in chosen
            for condition in permit.conditions
            if condition.commitment_allowed is commitment
        )


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The whole catalogue: its version, the departments, the industries."""

    version: str
    departments: tuple[Department, ...]
    industries: tuple[Industry, ...]

    def industry(self, code: str) -> Industry:
        """The industry ``code`` (``"convenience-store"``); NOT_FOUND if there is none."""
        for industry in self.industries:
            if industry.code == code:
                return industry
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有代码为“%(code)s”的“一业一证”行业。可选：%(codes)s。")
            % {"code": code, "codes": "、".join(i.code for i in self.industries)},
            {"field": "industry"},
        )

    def department(self, code: str) -> Department:
        """The department ``code``; NOT_FOUND if there is none."""
        for department in self.departments:
            if department.code == code:
                return department
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有代码为“%(code)s”的审批部门。") % {"code": code},
            {"field": "department"},
        )


# --------------------------------------------------------------------------- loading


def catalogue_load(path: Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: the shipped one, read once and cached).

    Raises INVALID_INPUT (``details["field"]`` is the dotted path of the bad entry, e.g.
    ``industries.convenience-store.permits.food-business.conditions.premises.evidence``)
    for unknown or missing keys, wrong types, duplicate codes, unknown departments, a bad
    licence type code, an unknown ``applies_when`` field or value, a non-commitment
    condition without evidence, a legal basis without a 《law name》, a GB/T 4754 code that
    is not a class, and an industry with too few permits or conditions or without both
    commitment-eligible and evidence-only conditions.
    """
    if path is None:
        return _shipped_catalogue()
    return _catalogue_read(path)


@cache
def _shipped_catalogue() -> Catalogue:
    return _catalogue_read(CATALOGUE_PATH)


def _catalogue_read(path: Path) -> Catalogue:
    root = _At("", _("“一业一证”目录"))
    return _catalogue(json_file_read(path, root, what=_("目录")), root)


def _catalogue(raw: object, at: _At) -> Catalogue:
    obj = _object(raw, at, ("version", "departments", "industries"))
    version = _text(obj, "version", at, _VERSION_RE)
    departments = shipped.departments(obj, at, label=_("审批部门"))
    department_codes = frozenset(d.code for d in departments)

    industries: list[Industry] = []
    for index, item in enumerate(_list(obj, "industries", at, min_items=1)):
        industry = _industry(item, at, index, department_codes)
        if any(i.code == industry.code for i in industries):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("行业代码“%(code)s”重复。") % {"code": industry.code},
                {"field": f"industries.{industry.code}.code"},
            )
        for other in industries:
            if other.licence_type_code == industry.licence_type_code:
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    _("行业“%(a)s”与“%(b)s”的证照类型代码“%(code)s”重复。")
                    % {"a": other.code, "b": industry.code, "code": industry.licence_type_code},
                    {"field": f"industries.{industry.code}.licence_type_code"},
                )
        industries.append(industry)
    return Catalogue(version, tuple(departments), tuple(industries))


_INDUSTRY_KEYS = (
    "code",
    "name",
    "gbt4754",
    "licence_type_code",
    "lead_department",
    "post_check_working_days",
    "sources",
    "form",
    "permits",
)


def _industry(raw: object, parent: _At, index: int, departments: frozenset[str]) -> Industry:
    first = parent.child(f"industries.{index}", _("行业第 %(n)d 项") % {"n": index + 1})
    obj = _object(raw, first, _INDUSTRY_KEYS)
    code = _text(obj, "code", first, _INDUSTRY_CODE_RE)
    at = parent.child(f"industries.{code}", _("行业“%(code)s”") % {"code": code})
    name = _text(obj, "name", at)

    gbt4754 = obj["gbt4754"]
    entry = industry_get(gbt4754) if isinstance(gbt4754, str) else None
    if (
        not isinstance(gbt4754, str)
        or not _GBT4754_CLASS_RE.fullmatch(gbt4754)
        or entry is None
        or entry.level != IndustryLevel.CLASS
    ):
        raise at.fail(
            _("“%(value)s”不是《国民经济行业分类》（GB/T 4754-2017）的小类代码（4位数字）。")
            % {"value": gbt4754},
            "gbt4754",
        )
    licence_type_code = obj["licence_type_code"]
    if not isinstance(licence_type_code, str) or not _LICENCE_TYPE_RE.fullmatch(licence_type_code):
        raise at.fail(
            _("证照类型代码“%(value)s”无效：应为 1-%(max)d 位数字或大写字母（GB/T 36904）。")
            % {"value": licence_type_code, "max": TYPE_CODE_MAX},
            "licence_type_code",
        )
    lead = _text(obj, "lead_department", at)
    if lead not in departments:
        raise at.fail(_("牵头部门“%(code)s”不在部门列表中。") % {"code": lead}, "lead_department")
    post_check = _int(obj, "post_check_working_days", at, 1, POST_CHECK_MAX_WORKING_DAYS)

    sources = tuple(
        shipped.source(
            item,
            at.child(
                f"sources.{n}",
                _("%(where)s 来源第 %(n)d 项")
                % {
                    "where": at.label,
                    "n": n + 1,
                },
            ),
        )
        for n, item in enumerate(_list(obj, "sources", at, min_items=1))
    )

    form: list[FormField] = []
    for n, item in enumerate(_list(obj, "form", at, min_items=1)):
        field = _form_field(item, at, n)
        if any(f.name == field.name for f in form):
            raise at.child(f"form.{field.name}").fail(
                _("表单字段“%(name)s”重复。") % {"name": field.name}
            )
        form.append(field)
    fields = {f.name: f for f in form}

    permits: list[Permit] = []
    for n, item in enumerate(_list(obj, "permits", at, min_items=MIN_PERMITS)):
        permit = _permit(item, at, n, departments, fields)
        if any(p.code == permit.code for p in permits):
            raise at.child(f"permits.{permit.code}").fail(
                _("许可事项代码“%(code)s”重复。") % {"code": permit.code}
            )
        permits.append(permit)

    conditions = [c for p in permits for c in p.conditions]
    if not any(c.commitment_allowed for c in conditions):
        raise at.fail(_("至少要有一项可以告知承诺的条件（commitment_allowed 为 true）。"))
    if all(c.commitment_allowed for c in conditions):
        raise at.fail(_("至少要有一项必须提交材料的条件（commitment_allowed 为 false）。"))
    return Industry(
        code=code,
        name=name,
        gbt4754=gbt4754,
        licence_type_code=licence_type_code,
        lead_department=lead,
        post_check_working_days=post_check,
        sources=sources,
        form=tuple(form),
        permits=tuple(permits),
    )


def _form_field(raw: object, industry_at: _At, index: int) -> FormField:
    first = industry_at.child(
        f"form.{index}",
        _("%(where)s 表单第 %(n)d 项") % {"where": industry_at.label, "n": index + 1},
    )
    obj = _object(raw, first, ("name", "label", "type", "required"), ("max_length", "choices"))
    name = _text(obj, "name", first, _FIELD_NAME_RE)
    at = industry_at.child(
        f"form.{name}",
        _("%(where)s 表单字段“%(name)s”") % {"where": industry_at.label, "name": name},
    )
    label = _text(obj, "label", at)
    kind = obj["type"]
    if kind not in FIELD_TYPES:
        raise at.fail(
            _("类型“%(value)s”不支持，可选：%(types)s。")
            % {"value": kind, "types": "、".join(FIELD_TYPES)},
            "type",
        )
    required = _bool(obj, "required", at)
    max_length: int | None = None
    if "max_length" in obj:
        if kind != "text":
            raise at.fail(_("只有 text 类型可以设置 max_length。"), "max_length")
        max_length = _int(obj, "max_length", at, 1, 10_000)
    choices: tuple[str, ...] = ()
    if kind == "choice":
        if "choices" not in obj:
            raise at.fail(_("choice 类型必须列出 choices。"), "choices")
        items = _list(obj, "choices", at, min_items=2)
        if not all(isinstance(c, str) and c.strip() and c == c.strip() for c in items):
            raise at.fail(_("每个选项都应为非空文本，首尾不能有空白。"), "choices")
        if len(set(items)) != len(items):
            raise at.fail(_("选项重复。"), "choices")
        choices = tuple(items)
    elif "choices" in obj:
        raise at.fail(_("只有 choice 类型可以设置 choices。"), "choices")
    return FormField(name, label, cast(FieldType, kind), required, max_length, choices)


def _permit(
    raw: object,
    industry_at: _At,
    index: int,
    departments: frozenset[str],
    fields: Mapping[str, FormField],
) -> Permit:
    first = industry_at.child(
        f"permits.{index}",
        _("%(where)s 许可第 %(n)d 项") % {"where": industry_at.label, "n": index + 1},
    )
    obj = _object(raw, first, ("code", "name", "department", "applies_when", "conditions"))
    code = _text(obj, "code", first, _PERMIT_CODE_RE)
    at = industry_at.child(
        f"permits.{code}",
        _("%(where)s 许可“%(code)s”") % {"where": industry_at.label, "code": code},
    )
    name = _text(obj, "name", at)
    department = _text(obj, "department", at)
    if department not in departments:
        raise at.fail(_("部门“%(code)s”不在部门列表中。") % {"code": department}, "department")

    applies_when: AppliesWhen | None = None
    if obj["applies_when"] is not None:
        w_at = at.child("applies_when")
        w_obj = _object(obj["applies_when"], w_at, ("field", "equals"))
        field_name = w_obj["field"]
        field = fields.get(field_name) if isinstance(field_name, str) else None
        if field is None:
            raise w_at.fail(_("表单中没有字段“%(field)s”。") % {"field": field_name}, "field")
        try:
            equals = field.value_parse(w_obj["equals"])
        except DomainError as exc:
            raise w_at.fail(
                _("值不适合字段“%(field)s”：%(error)s") % {"field": field.name, "error": exc},
                "equals",
            ) from exc
        applies_when = AppliesWhen(field.name, equals)

    conditions: list[Condition] = []
    for n, item in enumerate(_list(obj, "conditions", at, min_items=MIN_CONDITIONS)):
        condition = _condition(item, at, n)
        if any(c.code == condition.code for c in conditions):
            raise at.child(f"conditions.{condition.code}").fail(
                _("条件代码“%(code)s”重复。") % {"code": condition.code}
            )
        conditions.append(condition)
    return Permit(code, name, department, applies_when, tuple(conditions))


def _condition(raw: object, permit_at: _At, index: int) -> Condition:
    first = permit_at.child(
        f"conditions.{index}",
        _("%(where)s 条件第 %(n)d 项") % {"where": permit_at.label, "n": index + 1},
    )
    obj = _object(raw, first, ("code", "text", "evidence", "commitment_allowed", "legal_basis"))
    code = _text(obj, "code", first, _CONDITION_CODE_RE)
    at = permit_at.child(
        f"conditions.{code}",
        _("%(where)s 条件“%(code)s”") % {"where": permit_at.label, "code": code},
    )
    text = _text(obj, "text", at)
    evidence = _list(obj, "evidence", at)
    if not all(isinstance(e, str) and e.strip() and e == e.strip() for e in evidence):
        raise at.fail(_("每项材料都应为非空文本，首尾不能有空白。"), "evidence")
    if len(set(evidence)) != len(evidence):
        raise at.fail(_("材料重复。"), "evidence")
    commitment_allowed = _bool(obj, "commitment_allowed", at)
    if not evidence and not commitment_allowed:
        raise at.fail(_("不能以承诺代替的条件必须列出证明材料。"), "evidence")
    legal_basis = _text(obj, "legal_basis", at)
    if not (_LAW_NAME_RE.search(legal_basis) and _ARTICLE_RE.search(legal_basis)):
        raise at.fail(
            _(
                "法律依据应写明书名号内的法律法规名称及条款（如《中华人民共和国食品安全法》第三十五条）。"
            ),
            "legal_basis",
        )
    return Condition(code, text, tuple(evidence), commitment_allowed, legal_basis)
