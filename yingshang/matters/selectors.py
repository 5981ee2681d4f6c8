"""Reads of applications as the caller may see them.

An applicant sees their own applications. An official's queue holds the open applications
of the matters their department handles: a department's ``function`` is the catalogue's
department code (SCJG 市场监管, GAJ 公安 ...), so in a 一件事 bundle each department sees
its own part. Leaders (分管领导) see every department's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.core.errors import DomainError, ErrorCode

from .catalogue import matters_load
from .models import Application, Channel, Signature, State
from .signatures import PURPOSE_APPLICATION, SIGNABLE_STATES, signature_verify

OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.UNDER_REVIEW, State.CORRECTIONS)


def matter_codes_of(user: User) -> frozenset[str] | None:
    """The matters an official's department handles; ``None`` for all (a leader)."""
    if Role(user.role) == Role.LEADER:
        return None
    function = user.department.function if user.department is not None else ""
    return frozenset(m.code for m in matters_load().matters if m.department == function)


def application_queue(user: User) -> QuerySet[Application]:
    """An official's open applications of their department's matters, by deadline."""
    rows = Application.objects.filter(state__in=OPEN_STATES)
    codes = matter_codes_of(user)
    if codes is not None:
        rows = rows.filter(matter_code__in=codes)
    return rows.order_by(F("deadline").asc(nulls_last=True), "submitted_at", "id")


def application_visible(
    *, user: User, number: str, matter_codes: Iterable[str] | None = None
) -> Application:
    """One application for someone who may see it (an official, or its applicant), of one of
    ``matter_codes`` if given; NOT_FOUND otherwise, so that a number tells nobody else
    whether it exists."""
    rows = Application.objects.filter(number=number)
    if matter_codes is not None:
        rows = rows.filter(matter_code__in=list(matter_codes))
    application = rows.first()
    if application is None or not (user.is_official or application.applicant_id == user.pk):
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有编号为 %(number)s 的办件。") % {"number": number},
            {"number": number},
        )
    return application


def applications_visible(user: User) -> QuerySet[Application]:
    """The list a user sees: the official's queue, or the applicant's own applications."""
    if user.is_official:
        return application_queue(user)
    return Application.objects.filter(applicant=user)


@dataclass(frozen=True)
class Signing:
    """What the case view shows about signatures: each one with whether it verifies, the
    application's digest now, and whether the viewer may sign it."""

    signatures: list[tuple[Signature, bool]]
    digest: str
    required: bool
    signed: bool  # the applicant validly signed the current digest
    can_sign: bool
    needs_totp: bool


def application_signing(user: User, application: Application) -> Signing:
    from .services import application_digest  # services imports signatures; keep reads here

    rows = [
        (signature, signature_verify(signature))
        for signature in Signature.objects.filter(application=application).order_by(
            "signed_at", "id"
        )
    ]
    digest = application_digest(application)
    own = user.pk == application.applicant_id
    counter = user.is_official and application.channel == Channel.COUNTER
    return Signing(
        signatures=rows,
        digest=digest,
        required=matters_load().matter(application.matter_code).signature_required,
        signed=any(
            ok
            and s.digest == digest
            and s.signer_id == application.applicant_id
            and s.purpose == PURPOSE_APPLICATION
            for s, ok in rows
        ),
        can_sign=State(application.state) in SIGNABLE_STATES and (own or counter),
        needs_totp=user.is_official,
    )
