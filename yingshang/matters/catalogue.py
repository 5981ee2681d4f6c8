"""The catalogue of service matters (事项) and their service guides (办事指南) as shipped data.

A *matter* is one thing a business can ask the government for ("企业设立登记", "公章刻制备案",
"单位参保登记" ...). Its guide carries the elements that Shanghai's local standards for
government service items ask for (DB31/T 544—2024《政务服务事项业务手册编制规范》: 事项名称和基本
编码、设定依据、办理机构、审批条件、审批结果、办理时限、收费、办理流程 ...; see
``data/SOURCES.md``): this module reads ``data/matters.json`` into frozen values and refuses
any guide that lacks one of them. A *bundle* (一件事, e.g. 企业开办一件事) groups several
matters of several departments under one lead matter.

Pure code: no models, no database. Every malformed catalogue is refused at load time with
``DomainError(INVALID_INPUT)`` whose message (Chinese) names the matter, the element and the
problem, and whose ``details["field"]`` is the dotted path of the bad entry, e.g.
``matters.enterprise-establishment.situations.llc.materials.articles.condition``.

The file's schema (every key required unless marked optional; no other key allowed)::

    {
      "version": "YYYY-MM",
      "departments": [{"code": "SCJG", "name": "市场监督管理局"}, ...],
      "matters": [{
        "code": "enterprise-establishment",          # kebab-case, unique
        "name": "企业设立登记",
        "basic_code": "00013112700Y" | null,          # 事项基本编码, where a public source gave one
        "type": "administrative-licence" | "administrative-confirmation"
                | "administrative-filing" | "public-service",
        "department": "SCJG",                          # one of "departments"
        "implementing_body": "所在区市场监督管理局",    # 办理机构 / 实施主体
        "legal_basis": [{"document": "《…》（文号）", "article": "第十九条"}, ...],  # >= 1
        "conditions": ["…", ...],                      # 受理条件 / 申请条件, >= 1
        "common_materials": [<material>, ...],         # needed in every situation
        "situations": [{"code": "llc", "name": "有限责任公司",
                        "materials": [<material>, ...]}, ...],                     # >= 1
        "steps": [{"name": "申请", "description": "…"}, ...],                       # >= 2
        "statutory_days": int | null,                  # 法定办结时限, working days
        "promised_days": int,                          # 承诺办结时限, working days (0 = 即办)
        "notice_days": int | null,                     # public notice in calendar days (公示期)
        "time_limit_note": "…",
        "fees": {"amount": "0", "basis": "…"},         # amount: decimal text in yuan, >= 0
        "outcome": "营业执照（电子营业执照与纸质营业执照）",
        "signature_required": true | false,            # the applicant signs the application's
                                                       # digest (fresh login) before submitting
        "channels": [{"kind": "online" | "window", "name": "…", "note": "…"}, ...],
        "contacts": [{"kind": "consultation" | "complaint", "name": "…", "channel": "…"}, ...],
        "sources": [{"title", "issued_by", "date": "YYYY[-MM-DD]", "url"?: "http…", "note"}]
      }, ...],
      "bundles": [{"code": "enterprise-opening", "name": "企业开办一件事",
                   "lead": "<matter code>", "members": ["<matter code>", ...], "note": "…"}]
    }

    <material> = {"code": "application-form", "name": "…",
                  "source": "applicant" | "platform" | "government" | "third-party",
                  "form": "electronic" | "original" | "copy",
                  "copies": 1..10,
                  "required": true | false,
                  "condition": null | "…",     # null iff required; the condition otherwise
                  "note": null | "…"}

Rules beyond the shape: codes unique at their level (material codes unique across the
common and the situation's own materials); ``promised_days <= statutory_days`` when both are
given; every legal basis names a 《document》 and an article (第…条); a conditional material
states its condition and a required one does not; every matter has a consultation and a
complaint contact, an online channel, and no contact carries a telephone number other than
the 12345 hotline (numbers are not invented here); a bundle has at least two distinct known
members and its lead is one of them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from yingshang.core import shipped
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.shipped import Department, Source, json_file_read
from yingshang.core.shipped import Where as _At
from yingshang.core.shipped import array as _list
from yingshang.core.shipped import boolean as _bool
from yingshang.core.shipped import fields as _object
from yingshang.core.shipped import integer as _int
from yingshang.core.shipped import text as _text

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "matters.json"

MAX_WORKING_DAYS = 365  # sanity bound for statutory / promised days
MAX_NOTICE_DAYS = 365
MAX_COPIES = 10
MIN_STEPS = 2
MIN_BUNDLE_MEMBERS = 2

_CODE_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_BASIC_CODE_RE = re.compile(r"[0-9A-Z]{8,30}")
_VERSION_RE = re.compile(r"[0-9]{4}-[0-9]{2}")
_DOCUMENT_RE = re.compile(r"《[^《》]+》")
_ARTICLE_RE = re.compile(r"第[0-9一二三四五六七八九十百零〇]+[条项]")
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
# Any run of 5+ digits (optionally with - or spaces) looks like a phone number. The platform
# publishes only the 12345 hotline; real office numbers must come from a source, not be made up.
_PHONE_RE = re.compile(r"[0-9][0-9\- ]{3,}[0-9]")
_ALLOWED_PHONES = frozenset({"12345"})

_E = TypeVar("_E", bound=enum.StrEnum)


class MatterType(enum.StrEnum):
    """The kind of power or service a matter is (事项类型)."""

    ADMINISTRATIVE_LICENCE = "administrative-licence"  # 行政许可
    ADMINISTRATIVE_CONFIRMATION = "administrative-confirmation"  # 行政确认
    ADMINISTRATIVE_FILING = "administrative-filing"  # 行政备案
    PUBLIC_SERVICE = "public-service"  # 公共服务

    @property
    def label(self) -> str:
        return _MATTER_TYPE_LABELS[self]


_MATTER_TYPE_LABELS: dict[MatterType, str] = {
    MatterType.ADMINISTRATIVE_LICENCE: "行政许可",
    MatterType.ADMINISTRATIVE_CONFIRMATION: "行政确认",
    MatterType.ADMINISTRATIVE_FILING: "行政备案",
    MatterType.PUBLIC_SERVICE: "公共服务",
}


class MaterialSource(enum.StrEnum):
    """Where a material comes from (材料来源)."""

    APPLICANT = "applicant"  # 申请人自备
    PLATFORM = "platform"  # 平台在线填报、自动生成
    GOVERNMENT = "government"  # 政府部门核发（可通过数据共享获取）
    THIRD_PARTY = "third-party"  # 第三方出具（如出租方、银行）


class MaterialForm(enum.StrEnum):
    """The form a material is submitted in (材料形式)."""

    ELECTRONIC = "electronic"  # 电子材料
    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件


class ChannelKind(enum.StrEnum):
    ONLINE = "online"  # 网上办理（一网通办）
    WINDOW = "window"  # 窗口办理


class ContactKind(enum.StrEnum):
    CONSULTATION = "consultation"  # 咨询
    COMPLAINT = "complaint"  # 监督投诉


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """One legal basis (设定依据 / 实施依据): a 《document》 and its article."""

    document: str
    article: str

    def __str__(self) -> str:
        return f"{self.document}{self.article}"


@dataclass(frozen=True, slots=True)
class Material:
    """One application material (申请材料)."""

    code: str
    name: str
    source: MaterialSource
    form: MaterialForm
    copies: int
    required: bool
    condition: str | None  # when a conditional material is needed (None if required)
    note: str | None


@dataclass(frozen=True, slots=True)
class Situation:
    """One situation (情形) of a matter, e.g. 有限责任公司, with its own materials."""

    code: str
    name: str
    materials: tuple[Material, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the procedure (办理流程): 申请、受理、审查、决定、送达 ..."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Fees:
    """The fee (收费标准) in yuan and its basis (收费依据)."""

    amount: Decimal
    basis: str

    @property
    def free(self) -> bool:
        return self.amount == 0


@dataclass(frozen=True, slots=True)
class Channel:
    """One way to apply (办理渠道)."""

    kind: ChannelKind
    name: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Contact:
    """A consultation or complaint contact (咨询方式 / 监督投诉方式)."""

    kind: ContactKind
    name: str
    channel: str


@dataclass(frozen=True, slots=True)
class Matter:
    """A service matter (事项) with its complete service guide (办事指南)."""

    code: str
    name: str
    basic_code: str | None  # 事项基本编码
    type: MatterType
    department: str
    implementing_body: str
    legal_basis: tuple[LegalBasis, ...]
    conditions: tuple[str, ...]
    common_materials: tuple[Material, ...]
    situations: tuple[Situation, ...]
    steps: tuple[Step, ...]
    statutory_days: int | None  # working days
    promised_days: int  # working days; 0 = 即办
    notice_days: int | None  # calendar days of public notice
    time_limit_note: str
    fees: Fees
    outcome: str
    channels: tuple[Channel, ...]
    contacts: tuple[Contact, ...]
    sources: tuple[Source, ...]
    # The applicant confirms with a fresh login and signs the exact application digest
    # before submitting (签名确认).
    signature_required: bool = False

    def situation(self, code: str) -> Situation:
        """The situation ``code``; NOT_FOUND if this matter has none by that code."""
        for situation in self.situations:
            if situation.code == code:
                return situation
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("事项“%(matter)s”没有代码为“%(code)s”的情形。可选：%(codes)s。")
            % {
                "matter": self.name,
                "code": code,
                "codes": "、".join(f"{s.code}（{s.name}）" for s in self.situations),
            },
            {"field": "situation"},
        )

    def materials_for(self, situation_code: str) -> tuple[Material, ...]:
        """The materials of one situation: the common ones first, then its own."""
        return self.common_materials + self.situation(situation_code).materials

    @property
    def all_materials(self) -> tuple[Material, ...]:
        """The common materials and those of every situation."""
        return self.common_materials + tuple(
            m for situation in self.situations for m in situation.materials
        )

    def required_materials_for(self, situation_code: str) -> tuple[Material, ...]:
        """Only the materials needed in every case of that situation (not conditional)."""
        return tuple(m for m in self.materials_for(situation_code) if m.required)

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)


@dataclass(frozen=True, slots=True)
class Bundle:
    """A 一件事 bundle: several matters applied for together, led by one of them."""

    code: str
    name: str
    lead: Matter
    members: tuple[Matter, ...]
    note: str

    @property
    def departments(self) -> tuple[str, ...]:
        """The departments involved, in member order, each once."""
        return tuple(dict.fromkeys(m.department for m in self.members))


@dataclass(frozen=True, slots=True)
class MatterCatalogue:
    """The whole catalogue: version, departments, matters, bundles."""

    version: str
    departments: tuple[Department, ...]
    matters: tuple[Matter, ...]
    bundles: tuple[Bundle, ...]

    def matter(self, code: str) -> Matter:
        """The matter ``code`` (``"enterprise-establishment"``); NOT_FOUND if there is none."""
        for matter in self.matters:
            if matter.code == code:
                return matter
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有代码为“%(code)s”的事项。") % {"code": code},
            {"field": "matter"},
        )

    def bundle(self, code: str) -> Bundle:
        """The bundle ``code`` (``"enterprise-opening"``); NOT_FOUND if there is none."""
        for bundle in self.bundles:
            if bundle.code == code:
                return bundle
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有代码为“%(code)s”的“一件事”。") % {"code": code},
            {"field": "bundle"},
        )

    def department(self, code: str) -> Department:
        """The department ``code``; NOT_FOUND if there is none."""
        for department in self.departments:
            if department.code == code:
                return department
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有代码为“%(code)s”的部门。") % {"code": code},
            {"field": "department"},
        )

    def bundles_with(self, matter_code: str) -> tuple[Bundle, ...]:
        """The bundles a matter belongs to."""
        return tuple(b for b in self.bundles if any(m.code == matter_code for m in b.members))


# --------------------------------------------------------------------------- loading


def matters_load(path: Path | None = None) -> MatterCatalogue:
    """The catalogue at ``path`` (default: the shipped one, read once and cached).

    Raises INVALID_INPUT with ``details["field"]`` the dotted path of the bad entry for
    unreadable or invalid JSON, duplicate JSON keys, unknown or missing keys, wrong types,
    duplicate codes, unknown departments or bundle members, promised days beyond the
    statutory days, a legal basis without a 《document》 or an article, a conditional material
    without its condition, missing consultation/complaint contacts or online channel, and
    invented phone numbers.
    """
    if path is None:
        return _shipped()
    return _read(path)


@cache
def _shipped() -> MatterCatalogue:
    return _read(CATALOGUE_PATH)


def _read(path: Path) -> MatterCatalogue:
    root = _At("", _("事项目录"))
    return _catalogue(json_file_read(path, root, what=_("事项目录")), root)


def _choice(obj: Mapping[str, Any], key: str, at: _At, kind: type[_E]) -> _E:
    value = obj[key]
    allowed = [m.value for m in kind]
    if value not in allowed:
        raise at.fail(
            _("“%(value)s”不是可选值，可选：%(allowed)s。")
            % {"value": value, "allowed": "、".join(allowed)},
            key,
        )
    return kind(value)


def _no_phone_number(text: str, at: _At, key: str) -> None:
    for match in _PHONE_RE.finditer(text):
        if match.group(0) not in _ALLOWED_PHONES:
            raise at.fail(
                _(
                    "不能写入电话号码“%(number)s”：平台只公布 12345 热线，"
                    "其他号码须有公开来源，请改为文字说明（如“所在区市场监督管理局登记窗口”）。"
                )
                % {"number": match.group(0)},
                key,
            )


# --------------------------------------------------------------------------- the parts


def _optional_int(obj: Mapping[str, Any], key: str, at: _At, low: int, high: int) -> int | None:
    if obj[key] is None:
        return None
    return _int(obj, key, at, low, high)


def _optional_text(obj: Mapping[str, Any], key: str, at: _At) -> str | None:
    if obj[key] is None:
        return None
    return _text(obj, key, at)


def _catalogue(raw: object, at: _At) -> MatterCatalogue:
    obj = _object(raw, at, ("version", "departments", "matters", "bundles"))
    version = _text(obj, "version", at, _VERSION_RE)

    departments = shipped.departments(obj, at, label=_("部门"))
    department_codes = frozenset(d.code for d in departments)

    matters: dict[str, Matter] = {}
    for index, item in enumerate(_list(obj, "matters", at, min_items=1)):
        matter = _matter(item, at, index, department_codes)
        if matter.code in matters:
            raise at.child(f"matters.{matter.code}").fail(
                _("事项代码“%(code)s”重复。") % {"code": matter.code}, "code"
            )
        matters[matter.code] = matter

    bundles: list[Bundle] = []
    for index, item in enumerate(_list(obj, "bundles", at)):
        bundle = _bundle(item, at, index, matters)
        if any(b.code == bundle.code for b in bundles):
            raise at.child(f"bundles.{bundle.code}").fail(
                _("“一件事”代码“%(code)s”重复。") % {"code": bundle.code}, "code"
            )
        bundles.append(bundle)
    return MatterCatalogue(version, tuple(departments), tuple(matters.values()), tuple(bundles))


_MATTER_KEYS = (
    "code",
    "name",
    "basic_code",
    "type",
    "department",
    "implementing_body",
    "legal_basis",
    "conditions",
    "common_materials",
    "situations",
    "steps",
    "statutory_days",
    "promised_days",
    "notice_days",
    "time_limit_note",
    "fees",
    "outcome",
    "signature_required",
    "channels",
    "contacts",
    "sources",
)


def _matter(raw: object, parent: _At, index: int, departments: frozenset[str]) -> Matter:
    first = parent.child(f"matters.{index}", _("事项第 %(n)d 项") % {"n": index + 1})
    obj = _object(raw, first, _MATTER_KEYS)
    code = _text(obj, "code", first, _CODE_RE)
    at = parent.child(f"matters.{code}", _("事项“%(code)s”") % {"code": code})
    name = _text(obj, "name", at)
    at = parent.child(
        f"matters.{code}", _("事项“%(name)s”（%(code)s）") % {"name": name, "code": code}
    )

    basic_code = None
    if obj["basic_code"] is not None:
        basic_code = _text(obj, "basic_code", at, _BASIC_CODE_RE)
    matter_type = _choice(obj, "type", at, MatterType)
    department = _text(obj, "department", at)
    if department not in departments:
        raise at.fail(_("部门“%(code)s”不在部门列表中。") % {"code": department}, "department")
    implementing_body = _text(obj, "implementing_body", at)

    legal_basis = tuple(
        _legal_basis(item, at.child(f"legal_basis.{n}", _label(at, "设定依据", n)))
        for n, item in enumerate(_list(obj, "legal_basis", at, min_items=1))
    )
    if len(set(legal_basis)) != len(legal_basis):
        raise at.fail(_("设定依据有重复项。"), "legal_basis")

    conditions = _list(obj, "conditions", at, min_items=1)
    for n, condition in enumerate(conditions):
        if (
            not isinstance(condition, str)
            or not condition.strip()
            or condition != condition.strip()
        ):
            raise at.child(f"conditions.{n}").fail(
                _("受理条件第 %(n)d 项应为非空文本，首尾不能有空白。") % {"n": n + 1}
            )

    common = _materials(obj, "common_materials", at, min_items=0)
    situations: list[Situation] = []
    for n, item in enumerate(_list(obj, "situations", at, min_items=1)):
        situation = _situation(item, at, n, {m.code for m in common})
        if any(s.code == situation.code for s in situations):
            raise at.child(f"situations.{situation.code}").fail(
                _("情形代码“%(code)s”重复。") % {"code": situation.code}, "code"
            )
        situations.append(situation)

    steps: list[Step] = []
    for n, item in enumerate(_list(obj, "steps", at, min_items=MIN_STEPS)):
        s_at = at.child(f"steps.{n}", _label(at, "办理流程", n))
        s_obj = _object(item, s_at, ("name", "description"))
        step = Step(_text(s_obj, "name", s_at), _text(s_obj, "description", s_at))
        if any(s.name == step.name for s in steps):
            raise s_at.fail(_("步骤“%(name)s”重复。") % {"name": step.name}, "name")
        steps.append(step)

    statutory = _optional_int(obj, "statutory_days", at, 1, MAX_WORKING_DAYS)
    promised = _int(obj, "promised_days", at, 0, MAX_WORKING_DAYS)
    if statutory is not None and promised > statutory:
        raise at.fail(
            _("承诺时限 %(promised)d 个工作日不能长于法定时限 %(statutory)d 个工作日。")
            % {"promised": promised, "statutory": statutory},
            "promised_days",
        )
    notice_days = _optional_int(obj, "notice_days", at, 1, MAX_NOTICE_DAYS)
    time_limit_note = _text(obj, "time_limit_note", at)

    fees = _fees(obj["fees"], at.child("fees"))
    outcome = _text(obj, "outcome", at)
    signature_required = _bool(obj, "signature_required", at)

    channels: list[Channel] = []
    for n, item in enumerate(_list(obj, "channels", at, min_items=1)):
        c_at = at.child(f"channels.{n}", _label(at, "办理渠道", n))
        c_obj = _object(item, c_at, ("kind", "name", "note"))
        channel = Channel(
            _choice(c_obj, "kind", c_at, ChannelKind),
            _text(c_obj, "name", c_at),
            _optional_text(c_obj, "note", c_at),
        )
        _no_phone_number(channel.name, c_at, "name")
        if channel.note:
            _no_phone_number(channel.note, c_at, "note")
        if any(c.kind == channel.kind and c.name == channel.name for c in channels):
            raise c_at.fail(_("办理渠道“%(name)s”重复。") % {"name": channel.name}, "name")
        channels.append(channel)
    if not any(c.kind == ChannelKind.ONLINE for c in channels):
        raise at.fail(_("至少要有一个网上办理渠道（kind 为 online，一网通办）。"), "channels")

    contacts: list[Contact] = []
    for n, item in enumerate(_list(obj, "contacts", at, min_items=2)):
        k_at = at.child(f"contacts.{n}", _label(at, "咨询投诉方式", n))
        k_obj = _object(item, k_at, ("kind", "name", "channel"))
        contact = Contact(
            _choice(k_obj, "kind", k_at, ContactKind),
            _text(k_obj, "name", k_at),
            _text(k_obj, "channel", k_at),
        )
        _no_phone_number(contact.name, k_at, "name")
        _no_phone_number(contact.channel, k_at, "channel")
        contacts.append(contact)
    for kind, label in ((ContactKind.CONSULTATION, "咨询"), (ContactKind.COMPLAINT, "监督投诉")):
        if not any(c.kind == kind for c in contacts):
            raise at.fail(
                _("缺少%(label)s方式（kind 为 %(kind)s）。") % {"label": label, "kind": kind.value},
                "contacts",
            )

    sources = tuple(
        shipped.source(item, at.child(f"sources.{n}", _label(at, "来源", n)))
        for n, item in enumerate(_list(obj, "sources", at, min_items=1))
    )
    return Matter(
        code=code,
        name=name,
        basic_code=basic_code,
        type=matter_type,
        department=department,
        implementing_body=implementing_body,
        legal_basis=legal_basis,
        conditions=tuple(conditions),
        common_materials=common,
        situations=tuple(situations),
        steps=tuple(steps),
        statutory_days=statutory,
        promised_days=promised,
        notice_days=notice_days,
        time_limit_note=time_limit_note,
        fees=fees,
        outcome=outcome,
        channels=tuple(channels),
        contacts=tuple(contacts),
        sources=sources,
        signature_required=signature_required,
    )


def _label(at: _At, element: str, index: int) -> str:
    return _("%(where)s %(element)s第 %(n)d 项") % {
        "where": at.label,
        "element": element,
        "n": index + 1,
    }


def _legal_basis(raw: object, at: _At) -> LegalBasis:
    obj = _object(raw, at, ("document", "article"))
    document = _text(obj, "document", at)
    if not _DOCUMENT_RE.search(document):
        raise at.fail(
            _("应写明书名号内的法律法规名称（如《中华人民共和国市场主体登记管理条例》）。"),
            "document",
        )
    article = _text(obj, "article", at)
    if not _ARTICLE_RE.search(article):
        raise at.fail(
            _("应写明条款（如“第十九条”），现为“%(value)s”。") % {"value": article}, "article"
        )
    return LegalBasis(document, article)


def _materials(
    obj: Mapping[str, Any], key: str, at: _At, *, min_items: int
) -> tuple[Material, ...]:
    materials: list[Material] = []
    for n, item in enumerate(_list(obj, key, at, min_items=min_items)):
        material = _material(item, at, key, n)
        if any(m.code == material.code for m in materials):
            raise at.child(f"{key}.{material.code}").fail(
                _("材料代码“%(code)s”重复。") % {"code": material.code}, "code"
            )
        materials.append(material)
    return tuple(materials)


def _material(raw: object, parent: _At, key: str, index: int) -> Material:
    first = parent.child(
        f"{key}.{index}", _("%(where)s 材料第 %(n)d 项") % {"where": parent.label, "n": index + 1}
    )
    obj = _object(
        raw, first, ("code", "name", "source", "form", "copies", "required", "condition", "note")
    )
    code = _text(obj, "code", first, _CODE_RE)
    at = parent.child(
        f"{key}.{code}", _("%(where)s 材料“%(code)s”") % {"where": parent.label, "code": code}
    )
    name = _text(obj, "name", at)
    source = _choice(obj, "source", at, MaterialSource)
    form = _choice(obj, "form", at, MaterialForm)
    copies = _int(obj, "copies", at, 1, MAX_COPIES)
    required = _bool(obj, "required", at)
    condition = _optional_text(obj, "condition", at)
    if required and condition is not None:
        raise at.fail(
            _("必交材料不应写适用条件；若只在某些情况下需要，请把 required 设为 false。"),
            "condition",
        )
    if not required and condition is None:
        raise at.fail(_("非必交材料必须写明在什么情况下需要提交。"), "condition")
    note = _optional_text(obj, "note", at)
    return Material(code, name, source, form, copies, required, condition, note)


def _situation(raw: object, matter_at: _At, index: int, common_codes: set[str]) -> Situation:
    first = matter_at.child(f"situations.{index}", _label(matter_at, "情形", index))
    obj = _object(raw, first, ("code", "name", "materials"))
    code = _text(obj, "code", first, _CODE_RE)
    at = matter_at.child(
        f"situations.{code}",
        _("%(where)s 情形“%(code)s”") % {"where": matter_at.label, "code": code},
    )
    name = _text(obj, "name", at)
    materials = _materials(obj, "materials", at, min_items=0)
    for material in materials:
        if material.code in common_codes:
            raise at.child(f"materials.{material.code}").fail(
                _("材料代码“%(code)s”已在通用材料（common_materials）中，不能重复。")
                % {"code": material.code},
                "code",
            )
    return Situation(code, name, materials)


def _fees(raw: object, at: _At) -> Fees:
    obj = _object(raw, at, ("amount", "basis"))
    amount_text = obj["amount"]
    amount: Decimal | None = None
    if isinstance(amount_text, str) and _AMOUNT_RE.fullmatch(amount_text):
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes it
            amount = None
    if amount is None:
        raise at.fail(
            _('金额应写成以元为单位的数字文本（如 "0" 或 "25.50"），现为“%(value)s”。')
            % {"value": amount_text},
            "amount",
        )
    return Fees(amount, _text(obj, "basis", at))


def _bundle(raw: object, parent: _At, index: int, matters: Mapping[str, Matter]) -> Bundle:
    first = parent.child(f"bundles.{index}", _("“一件事”第 %(n)d 项") % {"n": index + 1})
    obj = _object(raw, first, ("code", "name", "lead", "members", "note"))
    code = _text(obj, "code", first, _CODE_RE)
    at = parent.child(f"bundles.{code}", _("“一件事”“%(code)s”") % {"code": code})
    name = _text(obj, "name", at)
    member_codes = _list(obj, "members", at, min_items=MIN_BUNDLE_MEMBERS)
    members: list[Matter] = []
    for n, member in enumerate(member_codes):
        matter = matters.get(member) if isinstance(member, str) else None
        if matter is None:
            raise at.child(f"members.{n}").fail(
                _("成员事项“%(code)s”不在事项目录中。") % {"code": member}
            )
        if matter in members:
            raise at.child(f"members.{n}").fail(_("成员事项“%(code)s”重复。") % {"code": member})
        members.append(matter)
    lead_code = _text(obj, "lead", at)
    lead = next((m for m in members if m.code == lead_code), None)
    if lead is None:
        raise at.fail(_("牵头事项“%(code)s”必须是成员事项之一。") % {"code": lead_code}, "lead")
    return Bundle(code, name, lead, tuple(members), _text(obj, "note", at))
