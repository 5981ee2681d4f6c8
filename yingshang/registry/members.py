"""Investors (投资人) and officers (主要人员) of an entity: parsing and writing.

They are registered with the entity and changed as a whole (a change names the complete new
list), and every version's snapshot carries them, so history shows who held what when.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.idcard import id_number_parse
from yingshang.core.uscc import uscc_parse

from .models import Investor, InvestorKind, MarketEntity, Officer, OfficerPost

MAX_INVESTORS = 200  # above the 50 shareholders of an LLC and most partnerships
MAX_OFFICERS = 50
_CAPITAL_MAX = Decimal("10000000000000")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class InvestorData:
    name: str
    kind: InvestorKind
    identifier: str
    subscribed_capital: Decimal
    contribution_due_on: datetime.date | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class OfficerData:
    name: str
    post: OfficerPost
    id_number: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Members:
    investors: tuple[InvestorData, ...]
    officers: tuple[OfficerData, ...]

    @property
    def subscribed_total(self) -> Decimal:
        return sum((i.subscribed_capital for i in self.investors), Decimal(0))


def _bad(
    field: str, label: str, message: str, code: ErrorCode = ErrorCode.INVALID_INPUT
) -> DomainError:
    return DomainError(code, f"{label}：{message}", {"field": field})


def _text(raw: Mapping[str, object], key: str, field: str, label: str, maximum: int) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _bad(field, label, _("不能为空。"))
    text = value.strip()
    if len(text) > maximum or not text.isprintable():
        raise _bad(field, label, _("不能超过%(n)d个字，且不能含控制字符。") % {"n": maximum})
    return text


def _investor(raw: object, index: int) -> InvestorData:
    prefix = f"investors[{index}]"
    who = _("第%(n)d位投资人") % {"n": index + 1}
    if not isinstance(raw, Mapping):
        raise _bad(prefix, who, _("应为包含姓名、类型、证照号码和认缴出资额的对象。"))
    name = _text(raw, "name", f"{prefix}.name", who, 100)
    try:
        kind = InvestorKind(raw.get("kind", InvestorKind.PERSON))
    except ValueError:
        raise _bad(
            f"{prefix}.kind", who, _("类型应为 person（自然人）或 organisation（法人或其他组织）。")
        ) from None
    identifier_field = f"{prefix}.identifier"
    try:
        if kind is InvestorKind.PERSON:
            identifier = id_number_parse(raw.get("identifier")).value
        else:
            identifier = uscc_parse(raw.get("identifier")).code
    except DomainError as exc:
        raise DomainError(
            exc.code, f"{who}（{name}）：{exc.message}", {**exc.details, "field": identifier_field}
        ) from None
    amount_field = f"{prefix}.subscribed_capital"
    amount = raw.get("subscribed_capital")
    try:
        if isinstance(amount, bool) or not isinstance(amount, int | str | Decimal | float):
            raise InvalidOperation
        capital = Decimal(str(amount).strip())
    except InvalidOperation:
        raise _bad(amount_field, who, _("认缴出资额应为数字（万元）。")) from None
    if not capital.is_finite() or capital <= 0 or capital > _CAPITAL_MAX:
        raise _bad(amount_field, who, _("认缴出资额应大于0（单位：万元）。"))
    if capital != capital.quantize(Decimal("0.0001")):
        raise _bad(amount_field, who, _("认缴出资额最多保留4位小数。"))
    due = raw.get("contribution_due_on")
    due_on: datetime.date | None = None
    if due not in (None, ""):
        try:
            due_on = datetime.date.fromisoformat(str(due).strip())
        except ValueError:
            raise _bad(
                f"{prefix}.contribution_due_on",
                who,
                _("认缴出资期限应为日期，如“2030-12-31”。"),
                ErrorCode.INVALID_DATE,
            ) from None
    return InvestorData(
        name=name,
        kind=kind,
        identifier=identifier,
        subscribed_capital=capital.quantize(Decimal("0.0001")),
        contribution_due_on=due_on,
    )


def _officer(raw: object, index: int) -> OfficerData:
    prefix = f"officers[{index}]"
    who = _("第%(n)d位主要人员") % {"n": index + 1}
    if not isinstance(raw, Mapping):
        raise _bad(prefix, who, _("应为包含姓名、职务和身份证件号码的对象。"))
    name = _text(raw, "name", f"{prefix}.name", who, 50)
    try:
        post = OfficerPost(str(raw.get("post", "")))
    except ValueError:
        allowed = "、".join(f"{p.value}（{p.label}）" for p in OfficerPost)
        raise _bad(f"{prefix}.post", who, _("职务应为以下之一：%(a)s。") % {"a": allowed}) from None
    try:
        id_number = id_number_parse(raw.get("id_number")).value
    except DomainError as exc:
        raise DomainError(
            exc.code,
            f"{who}（{name}）：{exc.message}",
            {**exc.details, "field": f"{prefix}.id_number"},
        ) from None
    return OfficerData(name=name, post=post, id_number=id_number)


def members_parse(investors: object, officers: object) -> Members:
    """Validate raw lists (JSON arrays of objects) into :class:`Members`."""
    for field, value, maximum, label in (
        ("investors", investors, MAX_INVESTORS, _("投资人")),
        ("officers", officers, MAX_OFFICERS, _("主要人员")),
    ):
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            raise _bad(field, label, _("应为列表。"))
        if len(value) > maximum:
            raise _bad(field, label, _("不能超过%(n)d位。") % {"n": maximum})
    assert isinstance(investors, Sequence) and isinstance(officers, Sequence)  # noqa: S101
    parsed_investors = tuple(_investor(raw, i) for i, raw in enumerate(investors))
    seen: set[str] = set()
    for i, investor in enumerate(parsed_investors):
        if investor.identifier in seen:
            raise _bad(
                f"investors[{i}].identifier",
                _("第%(n)d位投资人") % {"n": i + 1},
                _("与前面的投资人证照号码重复，同一投资人只填写一次。"),
            )
        seen.add(investor.identifier)
    parsed_officers = tuple(_officer(raw, i) for i, raw in enumerate(officers))
    return Members(investors=parsed_investors, officers=parsed_officers)


def members_of(entity: MarketEntity) -> Members:
    return Members(
        investors=tuple(
            InvestorData(
                name=row.name,
                kind=InvestorKind(row.kind),
                identifier=row.identifier,
                subscribed_capital=row.subscribed_capital.quantize(Decimal("0.0001")),
                contribution_due_on=row.contribution_due_on,
            )
            for row in Investor.objects.filter(entity=entity).order_by("position")
        ),
        officers=tuple(
            OfficerData(name=row.name, post=OfficerPost(row.post), id_number=row.id_number)
            for row in Officer.objects.filter(entity=entity).order_by("position")
        ),
    )


def members_write(entity: MarketEntity, members: Members) -> None:
    """Replace the entity's investors and officers (in the caller's transaction)."""
    Investor.objects.filter(entity=entity).delete()
    Officer.objects.filter(entity=entity).delete()
    Investor.objects.bulk_create(
        Investor(entity=entity, position=i, **dataclasses.asdict(data))
        for i, data in enumerate(members.investors, start=1)
    )
    Officer.objects.bulk_create(
        Officer(entity=entity, position=i, **dataclasses.asdict(data))
        for i, data in enumerate(members.officers, start=1)
    )


def members_snapshot(entity: MarketEntity) -> dict[str, object]:
    """The members as JSON values for a version snapshot."""
    members = members_of(entity)
    return {
        "investors": [
            {
                "name": i.name,
                "kind": i.kind.value,
                "identifier": i.identifier,
                "subscribed_capital": str(i.subscribed_capital),
                "contribution_due_on": i.contribution_due_on.isoformat()
                if i.contribution_due_on
                else None,
            }
            for i in members.investors
        ],
        "officers": [
            {"name": o.name, "post": o.post.value, "id_number": o.id_number}
            for o in members.officers
        ],
    }
