"""Restrictions (登记限制) recorded against an entity, and their lifting.

The authority that imposes one records it here: an inspector lists an entity as abnormal
(经营异常名录), an enforcement officer opens a case, the registrar records frozen or pledged
equity from a court's or pledgee's notice. Simplified deregistration refuses an entity
with any restriction still open. Each recording and lifting is one transaction with its
ledger event.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, jurisdiction_check, role_check
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.reasons import reason_parse
from yingshang.ledger.services import event_append

from .models import MarketEntity, Restriction, RestrictionKind
from .selectors import entity_find

EVENT_RECORDED = "registry.restriction.recorded"
EVENT_LIFTED = "registry.restriction.lifted"

# Who may record which restriction.
RECORDING_ROLES: dict[RestrictionKind, frozenset[Role]] = {
    RestrictionKind.ABNORMAL_OPERATION: frozenset(
        {Role.INSPECTOR, Role.REGISTRATION_OFFICER, Role.LEADER}
    ),
    RestrictionKind.ENFORCEMENT_PENDING: frozenset({Role.ENFORCEMENT_OFFICER, Role.LEADER}),
    RestrictionKind.EQUITY_FROZEN: frozenset({Role.REGISTRATION_OFFICER, Role.LEADER}),
    RestrictionKind.EQUITY_PLEDGED: frozenset({Role.REGISTRATION_OFFICER, Role.LEADER}),
}


def _day(value: object, field: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(
                ErrorCode.INVALID_DATE,
                _("日期应按“2026-03-15”的格式填写。"),
                {"field": field},
            ) from None
    if day > timezone.localdate():
        raise DomainError(ErrorCode.INVALID_DATE, _("日期不能晚于今天。"), {"field": field})
    return day


def restriction_record(
    *,
    by: User,
    credit_code: str,
    kind: str,
    authority: str,
    reference: str,
    since: object,
    note: str = "",
) -> Restriction:
    """Record a restriction against an entity in the official's jurisdiction."""
    try:
        restriction_kind = RestrictionKind(kind)
    except ValueError:
        allowed = "、".join(f"{k.value}（{k.label}）" for k in RestrictionKind)
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("限制类型应为以下之一：%(allowed)s。") % {"allowed": allowed},
            {"field": "kind"},
        ) from None
    role_check(
        by,
        RECORDING_ROLES[restriction_kind],
        action=_("记录%(kind)s") % {"kind": restriction_kind.label},
    )
    authority_text = reason_parse(authority, label=_("作出机关"), field="authority", max_length=100)
    reference_text = reason_parse(reference, label=_("文书编号"), field="reference", max_length=100)
    note_text = reason_parse(note, label=_("说明"), field="note", required=False, max_length=500)
    day = _day(since, "since")
    entity = entity_find(credit_code=credit_code)
    jurisdiction_check(by, entity.region_code)
    with transaction.atomic():
        restriction = Restriction.objects.create(
            entity=entity,
            kind=restriction_kind,
            authority=authority_text,
            reference=reference_text,
            since=day,
            note=note_text,
            recorded_by=actor_of(by),
            recorded_at=timezone.now(),
        )
        event_append(
            event_type=EVENT_RECORDED,
            actor=actor_of(by),
            subject=f"entity:{entity.credit_code}",
            payload={
                "credit_code": entity.credit_code,
                "restriction": restriction.pk,
                "kind": restriction_kind.value,
                "authority": authority_text,
                "reference": reference_text,
                "since": day.isoformat(),
            },
        )
    return restriction


def restriction_lift(*, by: User, restriction_id: int, reason: str) -> Restriction:
    """Lift an open restriction (by the same kind of authority that may record it)."""
    text = reason_parse(reason, label=_("解除理由"), field="reason", max_length=500)
    with transaction.atomic():
        restriction = (
            Restriction.objects.select_for_update()
            .select_related("entity")
            .filter(pk=restriction_id)
            .first()
        )
        if restriction is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("没有这条登记限制。"), {"id": restriction_id})
        kind = RestrictionKind(restriction.kind)
        role_check(by, RECORDING_ROLES[kind], action=_("解除%(kind)s") % {"kind": kind.label})
        jurisdiction_check(by, restriction.entity.region_code)
        if restriction.lifted_on is not None:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("这条登记限制已于%(day)s解除。") % {"day": restriction.lifted_on.isoformat()},
            )
        restriction.lifted_on = timezone.localdate()
        restriction.lifted_by = actor_of(by)
        restriction.lift_reason = text
        restriction.save(update_fields=["lifted_on", "lifted_by", "lift_reason"])
        event_append(
            event_type=EVENT_LIFTED,
            actor=actor_of(by),
            subject=f"entity:{restriction.entity.credit_code}",
            payload={
                "credit_code": restriction.entity.credit_code,
                "restriction": restriction.pk,
                "kind": kind.value,
                "lifted_on": restriction.lifted_on.isoformat(),
            },
        )
    return restriction


def restrictions_open(entity: MarketEntity) -> list[Restriction]:
    return list(Restriction.objects.filter(entity=entity, lifted_on__isnull=True))
