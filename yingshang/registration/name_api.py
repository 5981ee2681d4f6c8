"""The names API: check a name (public) and reserve, read and release names (signed in).

The rules live in :mod:`yingshang.registration.nameindex` and
:mod:`yingshang.registration.reservations`; this module only parses and shapes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from yingshang.accounts.api_auth import request_user, user_session
from yingshang.accounts.selectors import applicant_find
from yingshang.core.schemas import ErrorOut

from .name_models import IndexSource, NameReservation
from .nameindex import NameConflict, name_check
from .reservations import (
    effective_state,
    name_reserve,
    reservation_get,
    reservation_release,
)

router = Router(tags=["names"])

_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut}


class NameCheckIn(Schema):
    name: str = Field(max_length=200, description="The full declared name")
    region: str = Field(max_length=12, description="GB/T 2260 code of the residence")
    industry: str = Field(default="", max_length=8, description="GB/T 4754 class, optional")
    entity_type: str = Field(default="", max_length=32, description="registry EntityType value")


class ConflictOut(Schema):
    name: str
    credit_code: str = Field(description="The entity's code; empty for a reserved name")
    reason: str
    rule: str
    verdict: str = Field(description="identical or similar")


class NameCheckOut(Schema):
    verdict: str = Field(description="ok, similar, conflict or invalid")
    code: str = Field(description="Error code (NAME_CONFLICT, NAME_SIMILAR ...); empty if ok")
    message: str
    rule: str = Field(description="For an invalid name: the rule it breaks")
    conflicts: list[ConflictOut]


def _conflict_out(conflict: NameConflict) -> dict[str, str]:
    # A reservation's number is not public: the reason says the name is reserved.
    return {
        "name": conflict.name,
        "credit_code": conflict.credit_code if conflict.source == IndexSource.ENTITY else "",
        "reason": conflict.reason,
        "rule": conflict.rule,
        "verdict": conflict.verdict,
    }


@router.post(
    "/names/check",
    response={200: NameCheckOut, 400: ErrorOut},
    summary="Check a declared enterprise name against the register (名称自主申报查询)",
)
def names_check(request: HttpRequest, payload: NameCheckIn) -> dict[str, Any]:
    check = name_check(
        name=payload.name,
        region_code=payload.region,
        industry_code=payload.industry or None,
        entity_type=payload.entity_type or None,
    )
    return {
        "verdict": check.verdict,
        "code": check.code,
        "message": check.message,
        "rule": check.rule,
        "conflicts": [_conflict_out(c) for c in check.conflicts],
    }


class ReservationIn(Schema):
    name: str = Field(max_length=200)
    region: str = Field(max_length=12)
    industry: str = Field(default="", max_length=8)
    entity_type: str = Field(max_length=32)
    accept_similar: bool = False
    password: str = Field(default="", max_length=4096, description="To sign the commitment")
    otp_token: str = Field(default="", max_length=16)
    declarant: str | None = Field(
        default=None, max_length=150, description="Counter channel: the declarant's username"
    )


class ReservationOut(Schema):
    number: str
    name: str
    trade_name: str
    industry_text: str
    form: str
    region_code: str
    industry_code: str
    entity_type: str
    state: str
    channel: str
    reserved_at: str
    expires_at: str
    similar_accepted: bool
    similar_names: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    used_by_credit_code: str


def reservation_out(reservation: NameReservation) -> dict[str, Any]:
    return {
        "number": reservation.number,
        "name": reservation.name,
        "trade_name": reservation.trade_name,
        "industry_text": reservation.industry_text,
        "form": reservation.form,
        "region_code": reservation.region_code,
        "industry_code": reservation.industry_code,
        "entity_type": reservation.entity_type,
        "state": effective_state(reservation, now=timezone.now()),
        "channel": reservation.channel,
        "reserved_at": reservation.reserved_at.isoformat(),
        "expires_at": reservation.expires_at.isoformat(),
        "similar_accepted": reservation.similar_accepted,
        "similar_names": [
            {k: v for k, v in item.items() if k in ("name", "reason", "rule")}
            for item in reservation.similar_names
        ],
        "flags": list(reservation.flags),
        "used_by_credit_code": reservation.used_by_credit_code,
    }


@router.post(
    "/names/reservations",
    response={201: ReservationOut, **_ERRORS, 422: ErrorOut, 429: ErrorOut},
    auth=user_session,
    summary="Reserve a declared name for two months (名称保留)",
)
def names_reserve(request: HttpRequest, payload: ReservationIn) -> Status:
    user = request_user(request)
    declarant = (
        applicant_find(payload.declarant, field="declarant")
        if payload.declarant is not None
        else None
    )
    reservation = name_reserve(
        by=user,
        name=payload.name,
        region_code=payload.region,
        industry_code=payload.industry,
        entity_type=payload.entity_type,
        accept_similar=payload.accept_similar,
        password=payload.password,
        otp_token=payload.otp_token,
        for_user=declarant,
        request=request,
    )
    return Status(201, reservation_out(reservation))


@router.get(
    "/names/reservations/{number}",
    response={200: ReservationOut, **_ERRORS},
    auth=user_session,
    summary="One name reservation (its declarant and registration staff)",
)
def names_reservation(request: HttpRequest, number: str) -> dict[str, Any]:
    return reservation_out(reservation_get(by=request_user(request), number=number))


@router.post(
    "/names/reservations/{number}/release",
    response={200: ReservationOut, **_ERRORS},
    auth=user_session,
    summary="Give a reserved name up (放弃保留)",
)
def names_release(request: HttpRequest, number: str) -> dict[str, Any]:
    return reservation_out(reservation_release(by=request_user(request), number=number))
