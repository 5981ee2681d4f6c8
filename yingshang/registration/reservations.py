"""Name reservations (企业名称自主申报与保留): reserve, release, use, expire.

::

    reserved ─use (设立登记)─▶ used
       ├─release (放弃)──────▶ released
       └─expire (两个月届满)──▶ expired

A declarant (社会公众 or 企业用户), or a registration officer at the counter on a named
declarant's behalf, reserves a name after :func:`~yingshang.registration.nameindex.
name_check`: an invalid name is refused with the parser's rule (INVALID_INPUT), a name
identical to a registered, reserved or recently cancelled one with NAME_CONFLICT, and a name
similar to one with NAME_SIMILAR unless the declarant accepts the risk by signing a
commitment (承诺书, :func:`yingshang.matters.signatures.signature_record`). The reservation,
its index row and the ledger event are written in one transaction, holding the lock of the
字号 (:class:`~yingshang.registration.name_models.NameLock`), so that of two declarants
racing for one name exactly one wins; the partial unique index on the claim key backs this
up in the database. A reservation lasts two calendar months.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, role_check
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.numbering import numbered_save
from yingshang.core.uscc import uscc_parse
from yingshang.ledger.encoding import canonical_json
from yingshang.ledger.services import event_append
from yingshang.registry.models import EntityType

from .name_models import (
    IndexSource,
    NameLock,
    NameReservation,
    ReservationChannel,
    ReservationState,
)
from .nameindex import (
    NameCheck,
    NameConflict,
    months_add,
    name_check,
    name_index_remove,
    name_index_reservation,
    name_index_transfer,
)

EVENT_RESERVED = "registration.name.reserved"
EVENT_RELEASED = "registration.name.released"
EVENT_USED = "registration.name.used"
EVENT_EXPIRED = "registration.name.expired"

RESERVATION_MONTHS = 2  # 保留期两个月 (SOURCES.md)
NUMBER_PREFIX = "MC"  # 名称
COMMITMENT_PURPOSE = "name-similar-commitment"
COMMITMENT_TEXT = (
    "本人已知悉所申报的企业名称与上列已有名称相近，自愿承担因名称相近可能引起的纠纷"
    "及法律后果；如被认定为不适宜的名称，将依法变更名称。"
)
APPLICANT_ROLES = frozenset({Role.PUBLIC, Role.ENTERPRISE})
COUNTER_ROLES = frozenset({Role.REGISTRATION_OFFICER})
READER_ROLES = frozenset({Role.REGISTRATION_OFFICER, Role.LEADER, Role.AUDITOR})

# For each target state, the states a reservation may move to it from.
ALLOWED_FROM: dict[ReservationState, frozenset[ReservationState]] = {
    ReservationState.USED: frozenset({ReservationState.RESERVED}),
    ReservationState.RELEASED: frozenset({ReservationState.RESERVED}),
    ReservationState.EXPIRED: frozenset({ReservationState.RESERVED}),
}


# --------------------------------------------------------------------------- helpers


def _user(value: User | int, field: str) -> User:
    if isinstance(value, User):
        return value
    user = User.objects.filter(pk=value).first() if isinstance(value, int) else None
    if user is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, _("没有编号为 %(id)s 的用户。") % {"id": value}, {"field": field}
        )
    return user


def _refusal(check: NameCheck) -> DomainError:
    """The error a name check that is not ``ok`` raises when reserving."""
    if check.verdict == "invalid":
        return DomainError(ErrorCode(check.code), check.message, {**check.details, "field": "name"})
    return DomainError(
        ErrorCode(check.code),
        check.message,
        {"field": "name", "conflicts": [c.as_dict() for c in check.conflicts]},
    )


def commitment_digest(*, name: str, conflicts: list[NameConflict]) -> str:
    """SHA-256 (hex) of the canonical JSON of the commitment the declarant signs."""
    content = {
        "name": name,
        "commitment": COMMITMENT_TEXT,
        "conflicts": sorted(
            ({"name": c.name, "rule": c.rule, "reason": c.reason} for c in conflicts),
            key=lambda c: (c["name"], c["rule"]),
        ),
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _lock_trade_name(trade_name: str) -> None:
    """Serialise reservations of one 字号 until the caller's transaction ends."""
    NameLock.objects.bulk_create([NameLock(key=trade_name)], ignore_conflicts=True)
    list(NameLock.objects.select_for_update().filter(key=trade_name))


def _expire(reservation: NameReservation, *, now: dt.datetime, actor: str) -> None:
    """Mark a reservation whose term has passed as expired (in the caller's transaction)."""
    reservation.state = ReservationState.EXPIRED
    reservation.closed_at = now
    reservation.save(update_fields=["state", "closed_at"])
    name_index_remove(source=IndexSource.RESERVATION, ref=reservation.number)
    event_append(
        event_type=EVENT_EXPIRED,
        actor=actor,
        subject=f"name-reservation:{reservation.number}",
        payload={"number": reservation.number, "expires_at": reservation.expires_at.isoformat()},
    )


def _expire_stale(trade_name: str, *, now: dt.datetime) -> int:
    stale = NameReservation.objects.select_for_update().filter(
        trade_name=trade_name, state=ReservationState.RESERVED, expires_at__lte=now
    )
    count = 0
    for reservation in stale:
        _expire(reservation, now=now, actor="system:names")
        count += 1
    return count


def _locked(number: str) -> NameReservation:
    reservation = NameReservation.objects.select_for_update().filter(number=str(number)).first()
    if reservation is None:
        raise _not_found(number)
    return reservation


def _not_found(number: object) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOUND,
        _("没有编号为 %(number)s 的名称保留。") % {"number": number},
        {"number": str(number)},
    )


def _guard(reservation: NameReservation, target: ReservationState, *, now: dt.datetime) -> None:
    state = ReservationState(reservation.state)
    if state == ReservationState.RESERVED and reservation.expires_at <= now:
        raise DomainError(
            ErrorCode.RESERVATION_EXPIRED,
            _("名称“%(name)s”的保留期已于 %(at)s 届满，请重新申报。")
            % {
                "name": reservation.name,
                "at": timezone.localtime(reservation.expires_at).strftime("%Y-%m-%d %H:%M"),
            },
            {"number": reservation.number},
        )
    if state not in ALLOWED_FROM[target]:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("名称保留当前为“%(state)s”，不能%(action)s。")
            % {"state": state.label, "action": ReservationState(target).label},
            {"state": state.value},
        )


def effective_state(reservation: NameReservation, *, now: dt.datetime | None = None) -> str:
    """The state as of ``now``: a reserved row past its term reads as expired."""
    now = now or timezone.now()
    if reservation.state == ReservationState.RESERVED and reservation.expires_at <= now:
        return ReservationState.EXPIRED.value
    return str(reservation.state)


# --------------------------------------------------------------------------- actions


def name_reserve(
    *,
    by: User,
    name: str,
    region_code: str,
    industry_code: str = "",
    entity_type: str,
    accept_similar: bool = False,
    password: str = "",
    otp_token: str = "",
    for_user: User | int | None = None,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> NameReservation:
    """Reserve a declared name for two months (名称自主申报).

    An applicant reserves for themselves; a registration officer at the counter names the
    declarant in ``for_user`` (the declarant's written commitment is then attested by the
    officer's own signature). A similar name needs ``accept_similar`` and the signer's
    password (and TOTP code for an official): the signed commitment covers exactly the
    similar names shown.
    """
    channel = ReservationChannel.ONLINE
    if isinstance(by, User) and by.is_official:
        role_check(by, COUNTER_ROLES, action=_("在窗口代为申报名称"))
        if for_user is None:
            raise DomainError(
                ErrorCode.INVALID_INPUT, _("窗口代办须指明申报人。"), {"field": "declarant"}
            )
        declarant = _user(for_user, "declarant")
        if declarant.is_official:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("申报人应为社会公众或企业用户。"),
                {"field": "declarant"},
            )
        channel = ReservationChannel.COUNTER
    else:
        role_check(by, APPLICANT_ROLES, action=_("申报企业名称"))
        declarant = by
        if for_user is not None and _user(for_user, "declarant").pk != by.pk:
            raise DomainError(
                ErrorCode.PERMISSION_DENIED,
                _("只能为本人申报名称；代为申报请到登记窗口办理。"),
                {"field": "declarant"},
            )
    if not entity_type or entity_type not in EntityType.values:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("请选择市场主体类型。"),
            {"field": "entity_type", "rule": "entity_type"},
        )
    industry_code = (industry_code or "").strip()
    now = now or timezone.now()
    check = name_check(
        name=name,
        region_code=region_code,
        industry_code=industry_code or None,
        entity_type=entity_type,
        now=now,
    )
    if check.verdict in ("invalid", "conflict") or (
        check.verdict == "similar" and not accept_similar
    ):
        raise _refusal(check)
    assert check.parts is not None  # not invalid  # noqa: S101
    parts = check.parts
    signature_ref, digest = "", ""
    signed: set[tuple[str, str]] = set()
    if check.verdict == "similar":
        from yingshang.matters.signatures import signature_record

        digest = commitment_digest(name=parts.name, conflicts=check.conflicts)
        # Outside the transaction: a failed re-authentication must be recorded (lockout).
        signature = signature_record(
            signer=by,
            password=password,
            otp_token=otp_token,
            purpose=COMMITMENT_PURPOSE,
            subject=f"name:{parts.name}",
            digest=digest,
            request=request,
        )
        signature_ref = str(signature.pk)
        signed = {(c.source, c.ref) for c in check.conflicts}

    with transaction.atomic():
        _lock_trade_name(parts.trade_name)
        _expire_stale(parts.trade_name, now=now)
        # Again under the lock: a competitor may have reserved since the first check.
        check = name_check(
            name=name,
            region_code=region_code,
            industry_code=industry_code or None,
            entity_type=entity_type,
            now=now,
        )
        if check.verdict == "conflict":
            raise _refusal(check)
        if (
            check.verdict == "similar"
            and not {(c.source, c.ref) for c in check.conflicts} <= signed
        ):
            raise _refusal(check)  # new similar names: the commitment does not cover them
        assert check.parts is not None  # noqa: S101
        parts = check.parts
        keys_group = _claim_key(check)
        reservation = NameReservation(
            name=parts.name,
            region_text=parts.region_text,
            trade_name=parts.trade_name,
            industry_text=parts.industry_text,
            form=parts.form,
            flags=[
                {"rule": f.rule, "word": f.word, "article": f.article, "message": f.message}
                for f in parts.flags
            ],
            claim_key=keys_group,
            declarant=declarant,
            filed_by=by,
            channel=channel,
            region_code=region_code.strip(),
            industry_code=industry_code,
            entity_type=entity_type,
            reserved_at=now,
            expires_at=months_add(now, RESERVATION_MONTHS),
            similar_accepted=check.verdict == "similar",
            similar_names=[c.as_dict() for c in check.conflicts],
            commitment_signature=signature_ref,
            commitment_digest=digest,
        )
        try:
            numbered_save(reservation, prefix=NUMBER_PREFIX, now=now)
        except DomainError as error:
            # The claim's unique index refused the row: someone holds the same name.
            taken = NameReservation.objects.filter(
                claim_key=keys_group, state=ReservationState.RESERVED
            ).exists()
            if error.code is ErrorCode.CONFLICT and taken:
                raise DomainError(
                    ErrorCode.NAME_CONFLICT,
                    _("名称“%(name)s”刚刚已被他人申报保留。") % {"name": parts.name},
                    {"field": "name", "conflicts": []},
                ) from error
            raise
        name_index_reservation(
            number=reservation.number, parts=parts, expires_at=reservation.expires_at
        )
        event_append(
            event_type=EVENT_RESERVED,
            actor=actor_of(by),
            subject=f"name-reservation:{reservation.number}",
            payload={
                "number": reservation.number,
                "name": reservation.name,
                "declarant": actor_of(declarant),
                "channel": channel.value,
                "expires_at": reservation.expires_at.isoformat(),
                "similar_accepted": reservation.similar_accepted,
                "commitment_signature": signature_ref,
                "commitment_digest": digest,
            },
        )
    return reservation


def _claim_key(check: NameCheck) -> str:
    from .names import name_keys

    assert check.parts is not None  # noqa: S101
    keys = name_keys(check.parts)
    return f"{keys.trade_name}|{keys.industry_group}"


def _may_manage(by: User, reservation: NameReservation) -> bool:
    if by.pk in (reservation.declarant_id, reservation.filed_by_id):
        return True
    return by.is_official and Role(by.role) in COUNTER_ROLES


def reservation_get(*, by: User, number: str, now: dt.datetime | None = None) -> NameReservation:
    """One reservation, for its declarant, the officer who filed it, and registration staff.

    Anyone else gets NOT_FOUND (a reservation's existence is not public).
    """
    if not isinstance(by, User) or not by.is_active:
        raise DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。"))
    reservation = (
        NameReservation.objects.select_related("declarant").filter(number=str(number)).first()
    )
    if reservation is None:
        raise _not_found(number)
    own = by.pk in (reservation.declarant_id, reservation.filed_by_id)
    if not own and not (by.is_official and Role(by.role) in READER_ROLES):
        raise _not_found(number)
    return reservation


def reservation_release(
    *, by: User, number: str, now: dt.datetime | None = None
) -> NameReservation:
    """The declarant gives the name up (放弃保留): it is free for others at once."""
    if not isinstance(by, User) or not by.is_active:
        raise DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。"))
    now = now or timezone.now()
    with transaction.atomic():
        reservation = _locked(number)
        if not _may_manage(by, reservation):
            if not (by.is_official and Role(by.role) in READER_ROLES):
                raise _not_found(number)
            raise DomainError(
                ErrorCode.PERMISSION_DENIED,
                _("只有申报人或登记注册人员可以放弃名称保留。"),
                {"number": reservation.number},
            )
        _guard(reservation, ReservationState.RELEASED, now=now)
        reservation.state = ReservationState.RELEASED
        reservation.closed_at = now
        reservation.save(update_fields=["state", "closed_at"])
        name_index_remove(source=IndexSource.RESERVATION, ref=reservation.number)
        event_append(
            event_type=EVENT_RELEASED,
            actor=actor_of(by),
            subject=f"name-reservation:{reservation.number}",
            payload={"number": reservation.number, "name": reservation.name},
        )
    return reservation


def reservation_usable(
    *,
    number: str,
    declarant: User | None,
    now: dt.datetime | None = None,
    lock: bool = False,
) -> NameReservation:
    """The reservation ``number`` if ``declarant`` may use it for an establishment or a
    rename now: theirs, reserved and unexpired. NOT_FOUND, PERMISSION_DENIED,
    RESERVATION_EXPIRED or INVALID_STATE otherwise (``details["number"]``)."""
    rows = NameReservation.objects.select_for_update() if lock else NameReservation.objects
    reservation = rows.filter(number=str(number)).first()
    if reservation is None:
        raise _not_found(number)
    if declarant is None or declarant.pk != reservation.declarant_id:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("保留名称只能由其申报人使用。"),
            {"number": reservation.number},
        )
    _guard(reservation, ReservationState.USED, now=now or timezone.now())
    return reservation


def reservation_use(
    *,
    number: str,
    by: User | int,
    credit_code: str,
    for_user: User | int | None = None,
    now: dt.datetime | None = None,
) -> NameReservation:
    """The reserved name is taken by the entity being established (设立登记).

    Called by the establishment service inside its transaction. ``by`` is the declarant, or
    a registration officer filing at the counter for the declarant named in ``for_user``.
    The reservation's index row becomes the entity's row.
    """
    user = _user(by, "by")
    if user.is_official:
        role_check(user, COUNTER_ROLES, action=_("在窗口使用保留名称"))
        applicant = _user(for_user, "for_user") if for_user is not None else None
    else:
        applicant = user
    code = uscc_parse(credit_code).code
    now = now or timezone.now()
    with transaction.atomic():
        reservation = reservation_usable(number=number, declarant=applicant, now=now, lock=True)
        reservation.state = ReservationState.USED
        reservation.closed_at = now
        reservation.used_by_credit_code = code
        reservation.save(update_fields=["state", "closed_at", "used_by_credit_code"])
        name_index_transfer(number=reservation.number, credit_code=code)
        event_append(
            event_type=EVENT_USED,
            actor=actor_of(user),
            subject=f"name-reservation:{reservation.number}",
            payload={"number": reservation.number, "name": reservation.name, "credit_code": code},
        )
    return reservation


def reservations_expire(*, now: dt.datetime | None = None) -> int:
    """Mark every reservation past its term as expired (a periodic task); returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stale = NameReservation.objects.select_for_update().filter(
            state=ReservationState.RESERVED, expires_at__lte=now
        )
        for reservation in stale:
            _expire(reservation, now=now, actor="system:names")
            count += 1
    return count
