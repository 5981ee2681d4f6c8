"""一件事 bundles: one form and one submission that open several matters at once.

A catalogue bundle (``enterprise-opening``: name declaration + establishment + seal +
tax + social insurance + housing fund + bank account) names a lead matter and its members.
:func:`bundle_create` opens one draft application (办件) per member from the one form: the
lead matter's application gets the whole form (without ``parts``), every member also gets
its own section ``data["parts"][<matter code>]`` if the form has one. Each application is
then handled by its own department, through the one application lifecycle
(:mod:`yingshang.matters.services`).

The applicant signs the bundle once (:func:`bundle_sign`) over :func:`bundle_digest`, a
SHA-256 over the bundle's form and every member's application digest, so one signature
covers every member; :func:`bundle_submit` then submits every member in one transaction
(all or none), idempotently with the caller's key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingshang.accounts.models import User
from yingshang.accounts.permissions import actor_of, role_check
from yingshang.accounts.services import reauthenticate
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.numbering import numbered_save
from yingshang.ledger.encoding import canonical_json
from yingshang.ledger.services import event_append

from .catalogue import matters_load
from .models import Application, Bundle, BundleState, Channel, Signature, State
from .services import (
    OFFICER_ROLES,
    Action,
    application_act,
    application_create,
    application_digest,
    filing_channel,
    idempotency_key_parse,
)
from .signatures import bundle_signature_store, digest_parse

EVENT_CREATED = "matters.bundle.created"
EVENT_SUBMITTED = "matters.bundle.submitted"

_DATA_MAX_CHARS = 200_000
_TERMINAL = frozenset({State.COMPLETED, State.REFUSED, State.REJECTED, State.WITHDRAWN})


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field})


def _not_found(number: str) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOUND,
        _("没有编号为 %(number)s 的“一件事”。") % {"number": number},
        {"number": number},
    )


def bundle_get(*, by: User, number: str) -> Bundle:
    """The bundle ``number`` as ``by`` may see it: its applicant, whoever filed it, or an
    official; NOT_FOUND for anyone else (which does not reveal that it exists)."""
    bundle = Bundle.objects.filter(number=number).first() if isinstance(number, str) else None
    if bundle is None or not (by.is_official or by.pk in (bundle.applicant_id, bundle.filed_by_id)):
        raise _not_found(str(number))
    return bundle


def _member_data(
    data: Mapping[str, object], parts: Mapping[str, object], code: str, lead: str
) -> dict[str, object]:
    own = parts.get(code) or {}
    if not isinstance(own, dict):
        raise _invalid(
            _("“parts”中事项“%(code)s”的内容必须是 JSON 对象。") % {"code": code},
            f"data.parts.{code}",
        )
    if code != lead:
        return dict(own)
    return {key: value for key, value in data.items() if key != "parts"} | own


def bundle_create(
    *,
    by: User,
    bundle_code: str,
    data: dict[str, object],
    applicant: User | None = None,
    situations: Mapping[str, str] | None = None,
) -> Bundle:
    """Open a 一件事 bundle: one draft application per member matter, from one form.

    ``situations`` optionally names a member's situation (``{"enterprise-establishment":
    "llc"}``). An official filing at the counter names the ``applicant``.
    """
    spec = matters_load().bundle(bundle_code)
    if not isinstance(data, dict):
        raise _invalid(_("申请内容必须是 JSON 对象。"), "data")
    try:
        size = len(canonical_json(data))
    except (TypeError, ValueError) as exc:
        raise _invalid(_("申请内容无法表示为 JSON。"), "data") from exc
    if size > _DATA_MAX_CHARS:
        raise _invalid(_("申请内容过长（不超过 %(n)d 个字符）。") % {"n": _DATA_MAX_CHARS}, "data")
    parts = data.get("parts") or {}
    if not isinstance(parts, dict):
        raise _invalid(_("“parts”必须是以事项代码为键的 JSON 对象。"), "data.parts")
    codes = {m.code for m in spec.members}
    if unknown := sorted(set(parts) - codes):
        raise _invalid(
            _("“parts”中的事项不属于该“一件事”：%(codes)s。") % {"codes": "、".join(unknown)},
            "data.parts",
        )
    situations = dict(situations or {})
    if unknown := sorted(set(situations) - codes):
        raise _invalid(
            _("指定情形的事项不属于该“一件事”：%(codes)s。") % {"codes": "、".join(unknown)},
            "situations",
        )
    applicant, channel = filing_channel(by=by, applicant=applicant)
    now = timezone.now()
    with transaction.atomic():
        bundle = Bundle(
            bundle_code=spec.code,
            channel=channel,
            applicant=applicant,
            filed_by=by,
            data=data,
            created_at=now,
        )
        numbered_save(bundle, prefix="YJS", now=now)
        members = []
        for matter in spec.members:
            application = application_create(
                by=by,
                matter_code=matter.code,
                situation_code=situations.get(matter.code, ""),
                data=_member_data(data, parts, matter.code, spec.lead.code),
                applicant=applicant if by.is_official else None,
            )
            application.bundle = bundle
            application.save(update_fields=["bundle"])
            members.append(application.number)
        event_append(
            event_type=EVENT_CREATED,
            actor=actor_of(by),
            subject=f"bundle:{bundle.number}",
            payload={
                "number": bundle.number,
                "bundle": spec.code,
                "channel": channel.value,
                "members": members,
            },
        )
    return bundle


def _members(bundle: Bundle, *, lock: bool = False) -> list[Application]:
    rows = Application.objects.filter(bundle=bundle).order_by("id")
    return list(rows.select_for_update() if lock else rows)


def bundle_digest(bundle: Bundle) -> str:
    """SHA-256 over what the applicant submits: the form and every member's digest."""
    content = {
        "number": bundle.number,
        "bundle": bundle.bundle_code,
        "data": bundle.data,
        "members": sorted(
            [a.matter_code, a.number, application_digest(a)] for a in _members(bundle)
        ),
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _check_submitter(by: User, bundle: Bundle) -> None:
    own = by.pk == bundle.applicant_id
    counter = by.is_official and bundle.channel == Channel.COUNTER
    if not (own or counter):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("只有申请人（或代办的窗口人员）可以提交“一件事”。"),
            {"action": "submit"},
        )
    if counter:
        role_check(by, OFFICER_ROLES, action=_("在窗口代为办理"))


def bundle_sign(
    *,
    by: User,
    number: str,
    password: str,
    otp_token: str = "",
    expected_digest: str,
    request: HttpRequest | None = None,
) -> Signature:
    """The applicant signs the whole bundle over :func:`bundle_digest` as they saw it
    (STALE_VERSION if it changed since); one signature covers every member."""
    expected = digest_parse(expected_digest, field="expected_digest")
    bundle = bundle_get(by=by, number=number)
    if by.pk != bundle.applicant_id:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("只有申请人本人可以签名确认“一件事”。"),
            {"action": "sign"},
        )
    method = reauthenticate(user=by, password=password, otp_token=otp_token, request=request)
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
        if bundle.state != BundleState.DRAFT:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("该“一件事”已提交，无需再签名。"),
                {"state": bundle.state},
            )
        digest = bundle_digest(bundle)
        if digest != expected:
            raise DomainError(
                ErrorCode.STALE_VERSION,
                _("申请内容在您查看后已有变化，请刷新页面核对后重新签名。"),
                {"digest": digest},
            )
        return bundle_signature_store(by=by, method=method, bundle=bundle, digest=digest)


def bundle_submit(*, by: User, number: str, idempotency_key: str) -> Bundle:
    """Submit every member application in one transaction: all are submitted, or none.

    Repeating the submission with the same key returns the bundle as it is; a bundle needs
    the applicant's signature over its digest when a member's matter requires signing
    (SIGNATURE_REQUIRED otherwise).
    """
    key = idempotency_key_parse(idempotency_key)
    bundle = bundle_get(by=by, number=number)
    _check_submitter(by, bundle)
    if bundle.idempotency_key == key:
        return bundle  # the same submission again
    now = timezone.now()
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
        if bundle.idempotency_key == key:
            return bundle
        if bundle.state != BundleState.DRAFT:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("该“一件事”已经提交过了。"),
                {"state": bundle.state},
            )
        members = _members(bundle, lock=True)
        for application in members:
            application_act(
                by=by,
                number=application.number,
                action=Action.SUBMIT,
                idempotency_key=f"{bundle.number}.{application.matter_code}"[:64],
            )
        bundle.state = BundleState.SUBMITTED
        bundle.idempotency_key = key
        bundle.submitted_at = now
        bundle.digest = bundle_digest(bundle)
        bundle.save(update_fields=["state", "idempotency_key", "submitted_at", "digest"])
        event_append(
            event_type=EVENT_SUBMITTED,
            actor=actor_of(by),
            subject=f"bundle:{bundle.number}",
            payload={
                "number": bundle.number,
                "digest": bundle.digest,
                "members": [a.number for a in members],
            },
        )
    return bundle


@dataclass(frozen=True)
class MemberStatus:
    number: str
    matter_code: str
    matter_name: str
    department: str  # the catalogue's department code (SCJG, GAJ ...)
    department_name: str
    state: str
    state_label: str
    lead: bool


@dataclass(frozen=True)
class BundleStatus:
    number: str
    bundle_code: str
    name: str
    state: str  # draft, in_progress, completed (every member done) or closed
    state_label: str
    members: tuple[MemberStatus, ...]


_STATE_LABELS = {
    "draft": gettext_lazy("草稿"),
    "in_progress": gettext_lazy("办理中"),
    "completed": gettext_lazy("全部办结"),
    "closed": gettext_lazy("已结束（部分未获准予）"),
}


def bundle_status(bundle: Bundle) -> BundleStatus:
    """The bundle and where each member stands (each department's own part)."""
    catalogue = matters_load()
    spec = catalogue.bundle(bundle.bundle_code)
    departments = {d.code: d.name for d in catalogue.departments}
    members = []
    for application in _members(bundle):
        matter = catalogue.matter(application.matter_code)
        members.append(
            MemberStatus(
                number=application.number,
                matter_code=matter.code,
                matter_name=matter.name,
                department=matter.department,
                department_name=departments.get(matter.department, matter.department),
                state=application.state,
                state_label=str(State(application.state).label),
                lead=matter.code == spec.lead.code,
            )
        )
    states = {State(m.state) for m in members}
    if bundle.state == BundleState.DRAFT:
        summary = "draft"
    elif states == {State.COMPLETED}:
        summary = "completed"
    elif states <= _TERMINAL:
        summary = "closed"
    else:
        summary = "in_progress"
    return BundleStatus(
        number=bundle.number,
        bundle_code=bundle.bundle_code,
        name=spec.name,
        state=summary,
        state_label=str(_STATE_LABELS[summary]),
        members=tuple(members),
    )
