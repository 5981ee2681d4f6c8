"""Business actions on market entities: registration (设立登记), change (变更登记), status.

Each action parses its input into typed values first (bad input never reaches the
database), then runs in one transaction that writes the entity, an
:class:`~yingshang.registry.models.EntityVersion` snapshot, the search index entry and a
ledger event together. Changes name the version they were based on (optimistic
concurrency) and lock the entity row, so two officers cannot overwrite each other.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.idcard import id_number_parse
from yingshang.core.industries import IndustryLevel, industry_parse
from yingshang.core.regions import RegionLevel, region_full_name, region_parse
from yingshang.core.uscc import uscc_generate, uscc_parse
from yingshang.ledger.encoding import canonical_json
from yingshang.ledger.services import event_append

from . import search
from .members import Members, members_of, members_snapshot, members_write
from .models import (
    STATUS_ALLOWED_FROM,
    ChangeKind,
    Currency,
    EntityStatus,
    EntityType,
    EntityVersion,
    MarketEntity,
    field_label,
)

EVENT_REGISTERED = "registry.entity.registered"
EVENT_CHANGED = "registry.entity.changed"
EVENT_STATUS = "registry.entity.status_changed"

NAME_MIN, NAME_MAX = 2, 100
MAX_CAPITAL = Decimal("10000000000000")  # 万元: far above any real registered capital
MAX_EMPLOYEES = 10_000_000
EARLIEST_DATE = datetime.date(1900, 1, 1)
_CODE_ATTEMPTS = 8


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EntityData:
    """The registrable facts of an entity, validated. Build it with :func:`entity_data_parse`.

    ``credit_code`` None asks :func:`entity_register` to assign a new code;
    ``business_term_end`` None means 长期; ``registration_authority`` "" means the
    domicile's 市场监督管理局.
    """

    name: str
    entity_type: EntityType
    legal_representative: str
    legal_representative_id_number: str
    registered_capital: Decimal | None
    capital_currency: Currency
    established_on: datetime.date
    business_term_start: datetime.date | None
    business_term_end: datetime.date | None
    region_code: str
    address: str
    industry_code: str
    business_scope: str
    registration_authority: str
    employees: int
    annual_revenue: Decimal | None
    is_small_micro: bool
    parent_credit_code: str
    credit_code: str | None


DATA_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(EntityData))
# What a change (变更登记) may touch: everything but the code, which never changes.
CHANGEABLE_FIELDS: frozenset[str] = frozenset(DATA_FIELDS) - {"credit_code"}
_OPTIONAL_DEFAULTS: dict[str, Any] = {
    "registered_capital": None,
    "capital_currency": Currency.CNY.value,
    "business_term_start": None,
    "business_term_end": None,
    "registration_authority": "",
    "employees": 0,
    "annual_revenue": None,
    "is_small_micro": False,
    "parent_credit_code": "",
    "credit_code": None,
}


# --- Parsing -----------------------------------------------------------------------------


def _invalid(field: str, message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> DomainError:
    return DomainError(code, f"{field_label(field)}：{message}", {"field": field})


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text)


def _text(field: str, value: object, *, minimum: int, maximum: int) -> str:
    if not isinstance(value, str):
        raise _invalid(field, _("应为文字。"))
    text = value.strip()
    if _has_control(text):
        raise _invalid(field, _("含有不可见的控制字符或无效字符，请删除后重试。"))
    if len(text) < minimum:
        if minimum <= 1:
            raise _invalid(field, _("不能为空。"))
        raise _invalid(field, _("至少应有%(n)d个字。") % {"n": minimum})
    if len(text) > maximum:
        raise _invalid(field, _("不能超过%(n)d个字。") % {"n": maximum})
    return text


def _decimal(field: str, value: object, *, optional: bool, maximum: Decimal) -> Decimal | None:
    if value is None or value == "":
        if optional:
            return None
        raise _invalid(field, _("不能为空。"))
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _invalid(field, _("应为数字。"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _invalid(field, _("“%(value)s”不是有效的数字。") % {"value": value}) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise _invalid(field, _("应在0到%(max)s之间。") % {"max": maximum})
    if number != number.quantize(Decimal("0.0001")):
        raise _invalid(field, _("最多保留4位小数。"))
    return number.quantize(Decimal("0.0001"))


def _date(field: str, value: object, *, optional: bool) -> datetime.date | None:
    if value is None or value == "":
        if optional:
            return None
        raise _invalid(field, _("不能为空。"), ErrorCode.INVALID_DATE)
    if isinstance(value, datetime.datetime):
        raise _invalid(field, _("应为日期（年-月-日），不含时间。"), ErrorCode.INVALID_DATE)
    if isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str):
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise _invalid(
                field,
                _("“%(value)s”不是有效日期，请按“2024-03-15”的格式填写。") % {"value": value[:20]},
                ErrorCode.INVALID_DATE,
            ) from None
    else:
        raise _invalid(field, _("应为日期（年-月-日）。"), ErrorCode.INVALID_DATE)
    future_allowed = field in ("business_term_end", "business_term_start")
    if day < EARLIEST_DATE or (day > timezone.localdate() and not future_allowed):
        raise _invalid(
            field,
            _("%(date)s不合理：应在1900年1月1日至今天之间。") % {"date": day.isoformat()},
            ErrorCode.INVALID_DATE,
        )
    return day


def _choice(field: str, value: object, choices: type[EntityType] | type[Currency]) -> Any:
    if isinstance(value, str):
        try:
            return choices(value)
        except ValueError:
            pass
    allowed = "、".join(f"{c.value}（{c.label}）" for c in choices)
    raise _invalid(field, _("应为以下之一：%(allowed)s。") % {"allowed": allowed})


def _int(field: str, value: object, *, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _invalid(field, _("应为整数。"))
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _invalid(field, _("“%(value)s”不是整数。") % {"value": str(value)[:20]}) from None
    if not 0 <= number <= maximum:
        raise _invalid(field, _("应在0到%(max)d之间。") % {"max": maximum})
    return number


def _bool(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise _invalid(field, _("应为是或否（true/false）。"))


def _with_field(field: str, parse: Callable[[object], Any]) -> Callable[[object], Any]:
    """Run a core parser and name the field in its error."""

    def run(value: object) -> Any:
        try:
            return parse(value)
        except DomainError as exc:
            raise DomainError(
                exc.code, f"{field_label(field)}：{exc.message}", {**exc.details, "field": field}
            ) from None

    return run


def _county(value: object) -> str:
    region = region_parse(value)
    if region.level != RegionLevel.COUNTY:
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("“%(code)s %(name)s”不是县级行政区划；住所应填写所在的区、县（如310115 浦东新区）。")
            % {"code": region.code, "name": region.name},
            {"value": region.code, "reason": "level"},
        )
    if not region.code[:2] < "71":
        raise DomainError(
            ErrorCode.INVALID_REGION,
            _("本平台只办理内地行政区划内的登记。"),
            {"value": region.code, "reason": "outside"},
        )
    return region.code


def _optional_uscc(value: object) -> str:
    if value is None or value == "":
        return ""
    return uscc_parse(value).code


_PARSERS: dict[str, Callable[[object], Any]] = {
    "name": lambda v: _text("name", v, minimum=NAME_MIN, maximum=NAME_MAX),
    "entity_type": lambda v: _choice("entity_type", v, EntityType),
    "legal_representative": lambda v: _text("legal_representative", v, minimum=1, maximum=50),
    "legal_representative_id_number": _with_field(
        "legal_representative_id_number", lambda v: id_number_parse(v).value
    ),
    "registered_capital": lambda v: _decimal(
        "registered_capital", v, optional=True, maximum=MAX_CAPITAL
    ),
    "capital_currency": lambda v: _choice("capital_currency", v, Currency),
    "established_on": lambda v: _date("established_on", v, optional=False),
    "business_term_start": lambda v: _date("business_term_start", v, optional=True),
    "business_term_end": lambda v: _date("business_term_end", v, optional=True),
    "region_code": _with_field("region_code", _county),
    "address": lambda v: _text("address", v, minimum=1, maximum=200),
    "industry_code": _with_field(
        "industry_code", lambda v: industry_parse(v, level=IndustryLevel.CLASS).code
    ),
    "business_scope": lambda v: _text("business_scope", v, minimum=1, maximum=4000),
    "registration_authority": lambda v: _text("registration_authority", v, minimum=0, maximum=100),
    "employees": lambda v: _int("employees", v, maximum=MAX_EMPLOYEES),
    "annual_revenue": lambda v: _decimal("annual_revenue", v, optional=True, maximum=MAX_CAPITAL),
    "is_small_micro": lambda v: _bool("is_small_micro", v),
    "parent_credit_code": _with_field("parent_credit_code", _optional_uscc),
    "credit_code": _with_field("credit_code", lambda v: _optional_uscc(v) or None),
}


def entity_data_parse(raw: Mapping[str, object]) -> EntityData:
    """Validate raw input (a form, a JSON body, a CSV row) into :class:`EntityData`.

    Raises DomainError with the code of the first problem (INVALID_INPUT, INVALID_USCC,
    INVALID_ID_NUMBER, INVALID_REGION, INVALID_INDUSTRY, INVALID_DATE), a Chinese message
    that names the field, and ``details["field"]``.
    """
    if not isinstance(raw, Mapping):
        raise DomainError(ErrorCode.INVALID_INPUT, _("登记信息应为“字段: 值”的形式。"))
    unknown = sorted(str(key) for key in raw if key not in _PARSERS)
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("不认识的字段：%(fields)s。") % {"fields": "、".join(unknown)},
            {"fields": unknown},
        )
    values: dict[str, Any] = {}
    for field in DATA_FIELDS:
        if field in raw:
            value = raw[field]
        elif field in _OPTIONAL_DEFAULTS:
            value = _OPTIONAL_DEFAULTS[field]
        else:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("缺少必填项“%(label)s”。") % {"label": field_label(field)},
                {"field": field},
            )
        values[field] = _PARSERS[field](value)
    return _cross_checked(values)


def _cross_checked(values: dict[str, Any]) -> EntityData:
    entity_type: EntityType = values["entity_type"]
    if values["business_term_start"] is None:
        values["business_term_start"] = values["established_on"]
    if values["business_term_start"] < values["established_on"]:
        raise _invalid("business_term_start", _("不能早于成立日期。"), ErrorCode.INVALID_DATE)
    end = values["business_term_end"]
    if end is not None and end < values["business_term_start"]:
        raise _invalid("business_term_end", _("不能早于营业期限起始日期。"), ErrorCode.INVALID_DATE)
    if entity_type.is_branch and not values["parent_credit_code"]:
        raise _invalid(
            "parent_credit_code", _("分公司（分支机构）必须填写所隶属企业的统一社会信用代码。")
        )
    if not entity_type.is_branch and values["parent_credit_code"]:
        raise _invalid("parent_credit_code", _("只有分公司（分支机构）填写隶属企业。"))
    code = values["credit_code"]
    if code is not None:
        if code[0] != "9" or code[1] != entity_type.uscc_category:
            raise DomainError(
                ErrorCode.INVALID_USCC,
                _(
                    "统一社会信用代码：第1-2位应为“9%(category)s”"
                    "（市场监督管理部门登记的%(type)s），实为“%(got)s”。"
                )
                % {
                    "category": entity_type.uscc_category,
                    "type": entity_type.label,
                    "got": code[:2],
                },
                {"field": "credit_code", "position": 1, "rule": "category"},
            )
        if code == values["parent_credit_code"]:
            raise _invalid("parent_credit_code", _("不能与本主体的统一社会信用代码相同。"))
    if not values["registration_authority"]:
        values["registration_authority"] = _("%(region)s市场监督管理局") % {
            "region": region_full_name(values["region_code"])
        }
    return EntityData(**values)


def _actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200 or _has_control(actor):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("操作者标识无效（应为1-200个字符，如 user:12）。"),
            {"field": "actor"},
        )
    return actor.strip()


def _application_ref(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 64 or _has_control(value):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("关联办件编号无效（应为1-64个字符）。"),
            {"field": "application_ref"},
        )
    return value.strip()


def _version_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("expected_version 应为正整数（读取记录时得到的版本号）。"),
            {"field": "expected_version"},
        )
    return value


# --- Snapshots -------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def entity_snapshot(entity: MarketEntity) -> dict[str, object]:
    """Every column of the entity as JSON values (dates ISO, money as decimal text), with
    its investors and officers."""
    return {
        **{
            field.attname: _json_value(getattr(entity, field.attname))
            for field in MarketEntity._meta.concrete_fields
        },
        **members_snapshot(entity),
    }


def snapshot_digest(snapshot: Mapping[str, object], salt: str) -> str:
    """SHA-256 over the salt and the snapshot's canonical JSON (as the ledger commits to)."""
    return hashlib.sha256((salt + canonical_json(dict(snapshot))).encode("utf-8")).hexdigest()


def _record(
    entity: MarketEntity,
    *,
    kind: ChangeKind,
    changed: list[str],
    actor: str,
    application_ref: str | None,
    event_type: str,
    event_details: Mapping[str, object],
    note: str = "",
) -> EntityVersion:
    """Keep the new state as a version and append its ledger event, in the caller's
    transaction. The ledger is public: it carries the snapshot's salted digest, never the
    snapshot (which holds the full ID number)."""
    snapshot = entity_snapshot(entity)
    salt = secrets.token_hex(16)
    version = EntityVersion.objects.create(
        entity=entity,
        version=entity.version,
        kind=kind,
        snapshot=snapshot,
        changed_fields=changed,
        snapshot_salt=salt,
        snapshot_digest=snapshot_digest(snapshot, salt),
        actor=actor,
        application_ref=application_ref,
        note=note,
        created_at=entity.updated_at,
    )
    event_append(
        event_type=event_type,
        actor=actor,
        subject=f"entity:{entity.credit_code}",
        payload={
            "credit_code": entity.credit_code,
            "version": entity.version,
            **event_details,
            "application_ref": application_ref,
            "snapshot_sha256": version.snapshot_digest,
        },
    )
    return version


def _data_of(entity: MarketEntity) -> dict[str, object]:
    return {field: getattr(entity, field) for field in DATA_FIELDS}


# --- Actions -----------------------------------------------------------------------------


def entity_register(
    *,
    actor: str,
    data: EntityData,
    application_ref: str | None = None,
    members: Members | None = None,
) -> MarketEntity:
    """设立登记: create an entity; assign a new credit code when ``data`` has none.

    The code's category follows the type (1 企业, 2 个体工商户, 3 农民专业合作社) and its
    region the domicile. A given code that is already registered is a CONFLICT.
    ``members`` (parsed by :func:`~yingshang.registry.members.members_parse`) are its
    investors and officers.
    """
    actor = _actor(actor)
    application_ref = _application_ref(application_ref)
    if not isinstance(data, EntityData):
        raise DomainError(ErrorCode.INVALID_INPUT, _("登记信息格式不正确。"))
    data = entity_data_parse(dataclasses.asdict(data))  # the same checks, whoever built it
    values = {field: getattr(data, field) for field in DATA_FIELDS if field != "credit_code"}
    now = timezone.now()
    with transaction.atomic():
        entity = MarketEntity(**values, status=EntityStatus.ACTIVE, version=1)
        entity.created_at = entity.updated_at = now
        _insert_with_code(entity, data)
        if members is not None:
            members_write(entity, members)
        search.index_entity(entity_id=entity.pk, old_name=None, new_name=entity.name)
        _record(
            entity,
            kind=ChangeKind.REGISTERED,
            changed=sorted(CHANGEABLE_FIELDS),
            actor=actor,
            application_ref=application_ref,
            event_type=EVENT_REGISTERED,
            event_details={"name": entity.name},
        )
    return entity


def _insert_with_code(entity: MarketEntity, data: EntityData) -> None:
    if data.credit_code is not None:
        entity.credit_code = data.credit_code
        if MarketEntity.objects.filter(credit_code=data.credit_code).exists():
            raise _code_taken(data.credit_code)
        try:
            with transaction.atomic():
                entity.save(force_insert=True)
        except IntegrityError:
            if MarketEntity.objects.filter(credit_code=data.credit_code).exists():
                raise _code_taken(data.credit_code) from None
            raise
        return
    for _attempt in range(_CODE_ATTEMPTS):
        code = uscc_generate(region=data.region_code, category=data.entity_type.uscc_category).code
        if MarketEntity.objects.filter(credit_code=code).exists():
            continue
        entity.credit_code = code
        try:
            with transaction.atomic():
                entity.save(force_insert=True)
        except IntegrityError:
            if MarketEntity.objects.filter(credit_code=code).exists():
                continue  # drawn by a concurrent registration a moment ago
            raise
        return
    raise DomainError(ErrorCode.CONFLICT, _("暂时无法分配统一社会信用代码，请稍后重试。"))


def _code_taken(code: str) -> DomainError:
    return DomainError(
        ErrorCode.CONFLICT,
        _("统一社会信用代码%(code)s已被其他市场主体使用。") % {"code": code},
        {"field": "credit_code"},
    )


def _locked(credit_code: object, expected_version: object) -> tuple[MarketEntity, int]:
    """Parse the code, lock the entity row and check the version the caller read."""
    code = uscc_parse(credit_code).code
    version = _version_number(expected_version)
    entity = MarketEntity.objects.select_for_update().filter(credit_code=code).first()
    if entity is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("未找到统一社会信用代码为%(code)s的市场主体。") % {"code": code},
            {"credit_code": code},
        )
    if entity.version != version:
        raise stale_version(entity, version)
    return entity, version


def stale_version(entity: MarketEntity, seen: int) -> DomainError:
    """STALE_VERSION: the caller built on version ``seen`` of an entity that has moved on."""
    return DomainError(
        ErrorCode.STALE_VERSION,
        _(
            "该市场主体的登记信息已被他人更新（当前为第%(current)d版，您依据的是第%(expected)d版），"
            "请按最新信息重新办理。"
        )
        % {"current": entity.version, "expected": seen},
        {"current_version": entity.version, "expected_version": seen},
    )


def entity_change(
    *,
    actor: str,
    credit_code: str,
    changes: Mapping[str, object],
    expected_version: int,
    application_ref: str | None = None,
    members: Members | None = None,
) -> MarketEntity:
    """变更登记: change registered facts of an active entity.

    ``changes`` maps field names (:data:`CHANGEABLE_FIELDS`) to new raw values; the
    result is validated as a whole; ``members``, when given, replaces the investors and
    officers. ``expected_version`` must be the version the caller read, or the change is
    refused with STALE_VERSION. The type may change only within the
    same code category and never to or from a branch.
    """
    actor = _actor(actor)
    application_ref = _application_ref(application_ref)
    if not isinstance(changes, Mapping) or not (changes or members is not None):
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("请至少填写一项变更内容。"), {"field": "changes"}
        )
    unknown = sorted(str(key) for key in changes if key not in CHANGEABLE_FIELDS)
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("以下字段不能通过变更登记修改：%(fields)s。") % {"fields": "、".join(unknown)},
            {"fields": unknown},
        )
    with transaction.atomic():
        entity, _version = _locked(credit_code, expected_version)
        if entity.status != EntityStatus.ACTIVE:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("该市场主体的登记状态为“%(status)s”，不能办理变更登记。")
                % {"status": entity.status_label},
                {"status": entity.status},
            )
        current = _data_of(entity)
        merged = {**current, **changes, "credit_code": entity.credit_code}
        new = entity_data_parse(merged)
        before = EntityType(entity.entity_type)
        if new.entity_type != before and (
            new.entity_type.uscc_category != before.uscc_category
            or new.entity_type.is_branch != before.is_branch
        ):
            raise _invalid(
                "entity_type",
                _("不能由“%(old)s”变更为“%(new)s”：须注销后重新登记。")
                % {"old": before.label, "new": new.entity_type.label},
            )
        changed = sorted(
            field
            for field in CHANGEABLE_FIELDS
            if getattr(new, field) != _comparable(current[field])
        )
        members_changed: list[str] = []
        if members is not None:
            before_members = members_of(entity)
            if members.investors != before_members.investors:
                members_changed.append("investors")
            if members.officers != before_members.officers:
                members_changed.append("officers")
        if not changed and not members_changed:
            raise DomainError(
                ErrorCode.INVALID_INPUT, _("提交的内容与现有登记信息相同，没有需要变更的事项。")
            )
        old_name = entity.name
        for field in changed:
            setattr(entity, field, getattr(new, field))
        entity.version += 1
        entity.updated_at = timezone.now()
        entity.save(update_fields=[*changed, "version", "updated_at"])
        if members is not None and members_changed:
            members_write(entity, members)
        search.index_entity(entity_id=entity.pk, old_name=old_name, new_name=entity.name)
        all_changed = sorted([*changed, *members_changed])
        _record(
            entity,
            kind=ChangeKind.CHANGED,
            changed=all_changed,
            actor=actor,
            application_ref=application_ref,
            event_type=EVENT_CHANGED,
            event_details={"name": entity.name, "changed_fields": all_changed},
        )
    return entity


def _comparable(value: object) -> object:
    """A stored value in the form the parser produces (enums, quantized decimals)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.0001"))
    return value


def entity_set_status(
    *,
    actor: str,
    credit_code: str,
    status: str,
    expected_version: int,
    effective_on: datetime.date | None = None,
    note: str = "",
    application_ref: str | None = None,
) -> MarketEntity:
    """Move an entity to another registration status (吊销, 注销, 迁出, or back to 存续).

    Allowed moves are :data:`~yingshang.registry.models.STATUS_ALLOWED_FROM`; any other
    is INVALID_STATE. ``effective_on`` (default today) may not precede the founding date
    or lie in the future. ``note`` (e.g. the reason for a revocation) is kept with the
    version and shown with the public history.
    """
    actor = _actor(actor)
    application_ref = _application_ref(application_ref)
    try:
        target = EntityStatus(status)
    except ValueError:
        allowed = "、".join(f"{s.value}（{s.label}）" for s in EntityStatus)
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("登记状态应为以下之一：%(allowed)s。") % {"allowed": allowed},
            {"field": "status"},
        ) from None
    if not isinstance(note, str) or len(note) > 500 or _has_control(note):
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("说明不能超过500个字，且不能含控制字符。"), {"field": "note"}
        )
    note = note.strip()
    day = (
        timezone.localdate()
        if effective_on is None
        else _date("status_changed_on", effective_on, optional=False)
    )
    with transaction.atomic():
        entity, _version = _locked(credit_code, expected_version)
        current = EntityStatus(entity.status)
        if current not in STATUS_ALLOWED_FROM[target]:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("登记状态不能由“%(old)s”变为“%(new)s”。")
                % {"old": current.label, "new": target.label},
                {"status": current.value, "target": target.value},
            )
        assert day is not None  # noqa: S101 - required above
        if day < entity.established_on:
            raise _invalid("status_changed_on", _("不能早于成立日期。"), ErrorCode.INVALID_DATE)
        entity.status = target
        entity.status_changed_on = day
        entity.version += 1
        entity.updated_at = timezone.now()
        entity.save(update_fields=["status", "status_changed_on", "version", "updated_at"])
        _record(
            entity,
            kind=ChangeKind.STATUS,
            changed=["status", "status_changed_on"],
            actor=actor,
            application_ref=application_ref,
            event_type=EVENT_STATUS,
            event_details={
                "from": current.value,
                "to": target.value,
                "effective_on": day.isoformat(),
            },
            note=note,
        )
    return entity
