"""The registration forms, parsed: what an establishment, change or deregistration
application's ``data`` must hold, validated into typed values.

The wizard saves the form as the application's data while it is a draft (any partial
content is kept); these parsers run when it is checked and submitted, and name the field
and the rule of the first problem. ``data`` keys:

* establishment: ``reservation`` (the name reservation number; the name comes from it),
  ``entity_type``, ``region_code``, ``address``, ``registered_capital``,
  ``capital_currency``, ``scope`` (industry class codes from GB/T 4754, the first is the
  main industry), ``business_term_end`` (empty: 长期), ``legal_representative``,
  ``legal_representative_id_number``, ``investors``, ``officers``.
* change: ``base_version`` (the entity version it was built on), ``changes`` (field →
  new value, the fields of :data:`CHANGE_FIELDS`), optional ``investors`` and
  ``officers`` (the complete new lists) and ``reservation`` (for a new name).
* deregistration: ``base_version``, ``reason`` (why the entity closes).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.industries import IndustryLevel, industry_parse
from yingshang.core.reasons import reason_parse
from yingshang.registry.members import Members, members_parse
from yingshang.registry.models import EntityType
from yingshang.registry.services import EntityData, entity_data_parse

# The change types (变更事项) an applicant may ask for, and the matter situation of each.
CHANGE_FIELDS: dict[str, str] = {
    "name": "name",
    "region_code": "domicile",
    "address": "domicile",
    "legal_representative": "legal-representative",
    "legal_representative_id_number": "legal-representative",
    "registered_capital": "registered-capital",
    "capital_currency": "registered-capital",
    "scope": "business-scope",
    "entity_type": "entity-type",
    "business_term_end": "business-term",
}
MEMBER_SITUATIONS = {"investors": "shareholders", "officers": "officers"}

# The matter situation of each establishment entity type.
SITUATION_TYPES: dict[str, frozenset[EntityType]] = {
    "llc": frozenset(
        {
            EntityType.LIMITED,
            EntityType.LIMITED_NATURAL_PERSON,
            EntityType.LIMITED_NATURAL_PERSON_SOLE,
            EntityType.LIMITED_LEGAL_PERSON_SOLE,
        }
    ),
    "sole-proprietorship": frozenset({EntityType.SOLE_PROPRIETORSHIP}),
    "partnership": frozenset({EntityType.GENERAL_PARTNERSHIP, EntityType.LIMITED_PARTNERSHIP}),
}
MAX_SCOPE_ITEMS = 30


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EstablishmentForm:
    reservation: str
    data: EntityData  # the name is the reserved one
    members: Members
    scope: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ChangeForm:
    base_version: int
    changes: dict[str, Any]  # registry field -> raw value (validated by entity_change)
    members: Members | None
    reservation: str
    situations: tuple[str, ...]  # the matter situations the change covers
    scope: tuple[str, ...]  # the new business scope's industry codes, () if unchanged


def _missing(field: str, label: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_INPUT, _("请填写“%(label)s”。") % {"label": label}, {"field": field}
    )


def _mapping(data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise DomainError(ErrorCode.INVALID_INPUT, _("申请内容应为 JSON 对象。"), {"field": "data"})
    return data


def scope_parse(value: object) -> tuple[str, ...]:
    """The business scope (经营范围) as industry class codes, first = main industry."""
    if not isinstance(value, list | tuple) or not value:
        raise _missing("scope", _("经营范围（从行业目录中至少选择一项）"))
    if len(value) > MAX_SCOPE_ITEMS:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("经营范围最多选择%(n)d项。") % {"n": MAX_SCOPE_ITEMS},
            {"field": "scope"},
        )
    codes: list[str] = []
    for index, item in enumerate(value):
        try:
            code = industry_parse(item, level=IndustryLevel.CLASS).code
        except DomainError as exc:
            raise DomainError(
                exc.code,
                _("经营范围第%(n)d项：%(message)s") % {"n": index + 1, "message": exc.message},
                {**exc.details, "field": f"scope[{index}]"},
            ) from None
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def scope_text(codes: tuple[str, ...]) -> str:
    """The scope as registered text: the catalogue names, in the order chosen."""
    names = [industry_parse(code, level=IndustryLevel.CLASS).name for code in codes]
    return _("一般项目：%(items)s。") % {"items": "；".join(names)}


def _version(data: Mapping[str, Any]) -> int:
    value = data.get("base_version")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("缺少办理所依据的登记版本（base_version，读取主体信息时得到的版本号）。"),
            {"field": "base_version"},
        )
    return value


def reservation_number(data: Mapping[str, Any], *, required: bool) -> str:
    value = data.get("reservation", "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _missing("reservation", _("名称保留编号（先办理名称自主申报）"))
    return value.strip()


def establishment_parse(
    data: object, *, name: str, today: datetime.date | None = None
) -> EstablishmentForm:
    """Validate an establishment form; ``name`` is the reserved name."""
    raw = _mapping(data)
    reservation = reservation_number(raw, required=True)
    scope = scope_parse(raw.get("scope"))
    fields = (
        "entity_type",
        "region_code",
        "address",
        "registered_capital",
        "capital_currency",
        "business_term_end",
        "legal_representative",
        "legal_representative_id_number",
    )
    entity_raw: dict[str, object] = {field: raw[field] for field in fields if field in raw}
    entity_raw.update(
        name=name,
        established_on=today or timezone.localdate(),
        industry_code=scope[0],
        business_scope=scope_text(scope),
    )
    entity = entity_data_parse(entity_raw)
    members = members_parse(raw.get("investors", []), raw.get("officers", []))
    return EstablishmentForm(reservation=reservation, data=entity, members=members, scope=scope)


def change_parse(data: object) -> ChangeForm:
    """Validate the shape of a change form (values are checked against the entity later)."""
    raw = _mapping(data)
    base_version = _version(raw)
    changes_raw = raw.get("changes", {})
    if not isinstance(changes_raw, Mapping):
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("变更内容应为“字段: 新值”的对象。"), {"field": "changes"}
        )
    unknown = sorted(str(key) for key in changes_raw if key not in CHANGE_FIELDS)
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("以下内容不能通过变更登记修改：%(fields)s。") % {"fields": "、".join(unknown)},
            {"field": "changes", "fields": unknown},
        )
    changes: dict[str, Any] = dict(changes_raw)
    scope: tuple[str, ...] = ()
    if "scope" in changes:
        scope = scope_parse(changes.pop("scope"))
        changes["industry_code"] = scope[0]
        changes["business_scope"] = scope_text(scope)
    members = None
    if "investors" in raw or "officers" in raw:
        if "investors" not in raw or "officers" not in raw:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("变更投资人或主要人员时，请同时提交完整的投资人和主要人员名单。"),
                {"field": "investors" if "investors" not in raw else "officers"},
            )
        members = members_parse(raw["investors"], raw["officers"])
    situations = sorted(
        {CHANGE_FIELDS[key] for key in changes_raw}
        | {MEMBER_SITUATIONS[key] for key in ("investors", "officers") if key in raw}
    )
    if not situations:
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("请至少选择一项变更事项。"), {"field": "changes"}
        )
    reservation = reservation_number(raw, required="name" in changes)
    return ChangeForm(
        base_version=base_version,
        changes=changes,
        members=members,
        reservation=reservation,
        situations=tuple(situations),
        scope=scope,
    )


def deregistration_parse(data: object) -> tuple[int, str]:
    raw = _mapping(data)
    reason = reason_parse(
        raw.get("reason", ""), label=_("注销原因"), field="reason", max_length=500
    )
    return _version(raw), reason
