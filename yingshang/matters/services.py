"""The application lifecycle (办件流程): every matter, every channel, one set of rules.

::

    draft ─submit─▶ submitted ─accept─▶ accepted ─review─▶ under_review ─approve─▶ approved
      └─withdraw      ├─refuse (理由)      │                  │  └─reject (理由)      │
                      └─withdraw           └─request_corrections (理由) ─▶ corrections   complete
                                             corrections ─resubmit─▶ under_review        ▼
                                                                                    completed

Every action is one transaction: it checks who may do it and from which state (each
target state lists the states it may be reached from), bumps the application's version
(a caller that read an older version gets CONFLICT), writes a :class:`Transition` and
appends the ledger event. Submission is idempotent: the same applicant repeating a
submission with the same idempotency key gets the same application back, never a second
one. The deadline is counted in working days from acceptance.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, role_check
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.numbering import numbered_save
from yingshang.core.reasons import reason_parse
from yingshang.core.workdays import workdays_add_or_estimate
from yingshang.ledger.encoding import canonical_json
from yingshang.ledger.services import event_append

from .catalogue import matters_load
from .handlers import handler_for
from .models import Application, Channel, Material, State, Transition
from .signatures import submission_signature_check

EVENT_CREATED = "matters.application.created"
EVENT_TRANSITION = "matters.application.transition"
EVENT_MATERIAL = "matters.application.material_added"

OFFICER_ROLES = frozenset({Role.REGISTRATION_OFFICER, Role.LICENSING_OFFICER, Role.LEADER})
APPLICANT_ROLES = frozenset({Role.ENTERPRISE, Role.PUBLIC})
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
_REASON_MAX = 1000
_KEY_MAX = 64
_DATA_MAX_CHARS = 200_000


class Action(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    REFUSE = "refuse"
    REVIEW = "review"
    REQUEST_CORRECTIONS = "request_corrections"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    REJECT = "reject"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return str(_ACTION_LABELS[self])


_ACTION_LABELS = {
    Action.SUBMIT: gettext_lazy("提交"),
    Action.WITHDRAW: gettext_lazy("撤回"),
    Action.RESUBMIT: gettext_lazy("补正后重新提交"),
    Action.ACCEPT: gettext_lazy("受理"),
    Action.REFUSE: gettext_lazy("不予受理"),
    Action.REVIEW: gettext_lazy("开始审查"),
    Action.REQUEST_CORRECTIONS: gettext_lazy("要求补正"),
    Action.APPROVE: gettext_lazy("准予"),
    Action.REJECT: gettext_lazy("不予准予"),
    Action.COMPLETE: gettext_lazy("办结"),
}


@dataclasses.dataclass(frozen=True)
class _Rule:
    target: State
    allowed_from: frozenset[State]
    by_applicant: bool
    needs_reason: bool = False


RULES: dict[Action, _Rule] = {
    Action.SUBMIT: _Rule(State.SUBMITTED, frozenset({State.DRAFT}), by_applicant=True),
    Action.WITHDRAW: _Rule(
        State.WITHDRAWN, frozenset({State.DRAFT, State.SUBMITTED}), by_applicant=True
    ),
    Action.ACCEPT: _Rule(State.ACCEPTED, frozenset({State.SUBMITTED}), by_applicant=False),
    Action.REFUSE: _Rule(
        State.REFUSED, frozenset({State.SUBMITTED}), by_applicant=False, needs_reason=True
    ),
    Action.REVIEW: _Rule(State.UNDER_REVIEW, frozenset({State.ACCEPTED}), by_applicant=False),
    Action.REQUEST_CORRECTIONS: _Rule(
        State.CORRECTIONS,
        frozenset({State.ACCEPTED, State.UNDER_REVIEW}),
        by_applicant=False,
        needs_reason=True,
    ),
    Action.RESUBMIT: _Rule(State.UNDER_REVIEW, frozenset({State.CORRECTIONS}), by_applicant=True),
    Action.APPROVE: _Rule(State.APPROVED, frozenset({State.UNDER_REVIEW}), by_applicant=False),
    Action.REJECT: _Rule(
        State.REJECTED, frozenset({State.UNDER_REVIEW}), by_applicant=False, needs_reason=True
    ),
    Action.COMPLETE: _Rule(State.COMPLETED, frozenset({State.APPROVED}), by_applicant=False),
}

# Magic numbers of the file types a material may be (sniffed, never trusted from the name).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/ofd"),  # OFD (GB/T 33190) is a ZIP container
)


def _invalid(message: str, field: str, **details: object) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field, **details})


def filing_channel(*, by: User, applicant: User | None) -> tuple[User, Channel]:
    """Who applies and through which channel: an applicant online for themselves, or an
    official at the counter (窗口) for the ``applicant`` they name."""
    if not by.is_official:
        role_check(by, APPLICANT_ROLES, action=_("提交申请"))
        return by, Channel.ONLINE
    role_check(by, OFFICER_ROLES, action=_("在窗口代为申请"))
    if applicant is None:
        raise _invalid(_("窗口代办须指明申请人。"), "applicant")
    return applicant, Channel.COUNTER


def application_create(
    *,
    by: User,
    matter_code: str,
    situation_code: str = "",
    data: dict[str, object] | None = None,
    credit_code: str = "",
    applicant: User | None = None,
) -> Application:
    """A draft application. An official filing at the counter names the ``applicant``."""
    matter = matters_load().matter(matter_code)
    if situation_code:
        matter.materials_for(situation_code)  # NOT_FOUND for a situation it does not have
    if not isinstance(data, dict | None):
        raise _invalid(_("申请内容必须是 JSON 对象。"), "data")
    applicant, channel = filing_channel(by=by, applicant=applicant)
    now = timezone.now()
    with transaction.atomic():
        application = Application(
            matter_code=matter.code,
            situation_code=situation_code,
            channel=channel,
            applicant=applicant,
            filed_by=by,
            credit_code=credit_code,
            data=data or {},
            created_at=now,
        )
        numbered_save(application, prefix="BJ", now=now)
        event_append(
            event_type=EVENT_CREATED,
            actor=actor_of(by),
            subject=f"application:{application.number}",
            payload={
                "number": application.number,
                "matter": matter.code,
                "situation": situation_code,
                "channel": channel.value,
            },
        )
    return application


def application_digest(application: Application) -> str:
    """SHA-256 over what the applicant submits: matter, situation, data, materials."""
    materials = sorted(
        (material.material_code, material.sha256) for material in application.materials.all()
    )
    content = {
        "number": application.number,
        "matter": application.matter_code,
        "situation": application.situation_code,
        "credit_code": application.credit_code,
        "data": application.data,
        "materials": materials,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _locked(number: str, expected_version: int | None) -> Application:
    application = Application.objects.select_for_update().filter(number=number).first()
    if application is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有编号为 %(number)s 的办件。") % {"number": number},
            {"number": number},
        )
    _version_check(application, expected_version)
    return application


def _version_check(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and application.version != expected_version:
        raise DomainError(
            ErrorCode.STALE_VERSION,
            _("办件已被他人更新（当前版本 %(now)d，您看到的是 %(seen)d），请刷新后重试。")
            % {"now": application.version, "seen": expected_version},
            {"version": application.version},
        )


def _check_actor(by: User, application: Application, rule: _Rule, action: Action) -> None:
    if rule.by_applicant:
        own = by.pk == application.applicant_id
        counter = by.is_official and application.channel == Channel.COUNTER
        if not (own or counter):
            raise DomainError(
                ErrorCode.PERMISSION_DENIED,
                _("只有申请人（或代办的窗口人员）可以%(action)s。") % {"action": action.label},
                {"action": action.value},
            )
        if counter:
            role_check(by, OFFICER_ROLES, action=_("在窗口代为办理"))
            _department_check(by, application)
    else:
        role_check(by, OFFICER_ROLES, action=_("审批办件"))
        _department_check(by, application)
        handler_for(application.matter_code).may_decide(application, by)


def _department_check(by: User, application: Application) -> None:
    """An officer handles the matters of their own department (a leader, every matter)."""
    if by.role == Role.LEADER:
        return
    matter = matters_load().matter(application.matter_code)
    function = by.department.function if by.department is not None else ""
    if function != matter.department:
        departments = {d.code: d.name for d in matters_load().departments}
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("“%(matter)s”由%(department)s办理，您所在的部门不能办理。")
            % {
                "matter": matter.name,
                "department": departments.get(matter.department, matter.department),
            },
            {"department": matter.department},
        )


def idempotency_key_parse(value: object) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= _KEY_MAX or not value.isascii():
        raise _invalid(
            _("幂等键应为 8-%(max)d 个 ASCII 字符（同一次提交重试时保持不变）。")
            % {"max": _KEY_MAX},
            "idempotency_key",
        )
    return value


def application_act(
    *,
    by: User,
    number: str,
    action: Action,
    reason: str = "",
    expected_version: int | None = None,
    idempotency_key: str | None = None,
) -> Application:
    """Move an application one step (see the module's diagram)."""
    rule = RULES[Action(action)]
    text = reason_parse(reason, label=_("理由"), required=rule.needs_reason, max_length=_REASON_MAX)
    key = idempotency_key_parse(idempotency_key) if action == Action.SUBMIT else None
    if key is not None:
        done = Application.objects.filter(number=number, idempotency_key=key).first()
        if done is not None:
            _check_actor(by, done, rule, Action.SUBMIT)
            return done  # the same submission again: the same application
    with transaction.atomic():
        application = _locked(number, None)
        if key is not None and application.idempotency_key == key:
            _check_actor(by, application, rule, Action.SUBMIT)
            return application  # a retry that raced the first attempt, which committed
        _version_check(application, expected_version)
        _check_actor(by, application, rule, action)
        if key is not None and (
            Application.objects.filter(applicant_id=application.applicant_id, idempotency_key=key)
            .exclude(pk=application.pk)
            .exists()
        ):
            raise _invalid(
                _("这个幂等键已用于您的另一件申请，请为每次提交生成新的幂等键。"), "idempotency_key"
            )
        _transition(application, action, actor=actor_of(by), reason=text, key=key)
    application.refresh_from_db()  # the matter's handler may have moved it on (秒批)
    return application


def application_advance(
    *, number: str, action: Action, actor: str, reason: str = ""
) -> Application:
    """Move an application one step on the platform's own authority: the automatic path
    (秒批) of a matter whose handler found nothing for an officer to look at. ``actor`` names
    the rule that acted (``system:auto-approval``); the caller has made the decision."""
    action = Action(action)
    text = reason_parse(reason, label=_("理由"), required=False, max_length=_REASON_MAX)
    with transaction.atomic():
        application = _locked(number, None)
        _transition(application, action, actor=actor, reason=text, key=None)
    return application


def _transition(
    application: Application, action: Action, *, actor: str, reason: str, key: str | None
) -> None:
    """The step itself, on a locked application: state, version, times, the matter's
    handler, the :class:`Transition` row and the ledger event."""
    rule = RULES[action]
    handler = handler_for(application.matter_code)
    current = State(application.state)
    if action == Action.SUBMIT and application.submitted_at is not None:
        raise DomainError(
            ErrorCode.ALREADY_SUBMITTED,
            _("办件%(number)s已于%(at)s提交（当前状态“%(state)s”），不能重复提交。")
            % {
                "number": application.number,
                "at": timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "state": current.label,
            },
            {"state": current.value},
        )
    if current not in rule.allowed_from:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("办件当前状态为“%(state)s”，不能%(action)s。")
            % {"state": current.label, "action": action.label},
            {"state": current.value, "action": action.value},
        )
    now = timezone.now()
    if action in (Action.SUBMIT, Action.RESUBMIT):
        handler.check(application)
    application.state = rule.target
    application.version += 1
    if action == Action.SUBMIT:
        application.idempotency_key = key
        application.submitted_at = now
        application.digest = application_digest(application)
        if matters_load().matter(application.matter_code).signature_required:
            submission_signature_check(application, application.digest)
    elif action == Action.ACCEPT:
        application.accepted_at = now
        matter = matters_load().matter(application.matter_code)
        application.deadline, application.deadline_estimated = workdays_add_or_estimate(
            timezone.localdate(now), matter.promised_days
        )
    elif rule.target in (State.APPROVED, State.REJECTED, State.REFUSED):
        application.decided_at = now
    elif action == Action.RESUBMIT:  # corrected content: signed again, as it is now
        application.digest = application_digest(application)
        if matters_load().matter(application.matter_code).signature_required:
            submission_signature_check(application, application.digest)
    application.save()
    Transition.objects.create(
        application=application,
        action=action.value,
        from_state=current,
        to_state=rule.target,
        actor=actor,
        reason=reason,
        at=now,
    )
    event_append(
        event_type=EVENT_TRANSITION,
        actor=actor,
        subject=f"application:{application.number}",
        payload={
            "number": application.number,
            "action": action.value,
            "from": current.value,
            "to": rule.target.value,
            "version": application.version,
            "digest": application.digest,
        },
    )
    if action == Action.APPROVE:
        handler.approved(application, actor)
    elif action == Action.SUBMIT:
        handler.submitted(application)


def _sniff(content: bytes) -> str:
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            return content_type
    raise _invalid(
        _("不支持的文件类型：材料须为 PDF、OFD、PNG 或 JPEG 文件（按文件内容判断，而非文件名）。"),
        "file",
    )


def material_path(sha256: str) -> Path:
    """Where a material's bytes are kept: by content, so one file is stored once."""
    return Path(settings.MATERIALS_DIR) / sha256[:2] / sha256


def material_add(
    *, by: User, number: str, material_code: str, filename: str, content: bytes
) -> Material:
    """Attach a file to a draft (or an application awaiting corrections)."""
    if not isinstance(content, bytes) or not content:
        raise _invalid(_("文件为空。"), "file")
    if len(content) > MATERIAL_MAX_BYTES:
        raise _invalid(
            _("文件过大（%(size)d 字节），单个材料不得超过 %(max)d MB。")
            % {"size": len(content), "max": MATERIAL_MAX_BYTES // (1024 * 1024)},
            "file",
        )
    content_type = _sniff(content)
    name = (filename or "").strip()[:200] or material_code
    digest = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        application = _locked(number, None)
        rule = _Rule(State.DRAFT, frozenset({State.DRAFT, State.CORRECTIONS}), by_applicant=True)
        _check_actor(by, application, rule, Action.SUBMIT)
        if State(application.state) not in rule.allowed_from:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("办件当前状态为“%(state)s”，不能再添加材料。")
                % {"state": State(application.state).label},
                {"state": application.state},
            )
        matter = matters_load().matter(application.matter_code)
        materials = (
            matter.materials_for(application.situation_code)
            if application.situation_code
            else matter.all_materials  # several situations at once (a multi-item change)
        )
        if material_code not in {m.code for m in materials}:
            raise _invalid(
                _("本事项该情形没有“%(code)s”这项材料。") % {"code": material_code}, "material_code"
            )
        path = material_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            partial.replace(path)
        material = Material.objects.create(
            application=application,
            material_code=material_code,
            filename=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=actor_of(by),
            uploaded_at=now,
        )
        event_append(
            event_type=EVENT_MATERIAL,
            actor=actor_of(by),
            subject=f"application:{application.number}",
            payload={
                "number": application.number,
                "material": material_code,
                "sha256": digest,
                "size": len(content),
                "content_type": content_type,
            },
        )
    return material


def application_data_save(
    *, by: User, number: str, data: dict[str, object], expected_version: int | None = None
) -> Application:
    """Save a draft's form (the wizard's save and resume): replace ``data`` as a whole.

    Only the applicant (or the counter official filing for them) may, only while it is a
    draft or awaiting corrections; the content is checked when it is (re)submitted, not here,
    so a half-filled form can be kept. ``expected_version`` guards against two tabs
    overwriting each other.
    """
    if not isinstance(data, dict):
        raise _invalid(_("申请内容必须是 JSON 对象。"), "data")
    if len(canonical_json(data)) > _DATA_MAX_CHARS:
        raise _invalid(_("申请内容过长（不超过 %(n)d 个字符）。") % {"n": _DATA_MAX_CHARS}, "data")
    with transaction.atomic():
        application = _locked(number, expected_version)
        _check_actor(by, application, RULES[Action.SUBMIT], Action.SUBMIT)
        if application.state not in (State.DRAFT, State.CORRECTIONS):
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("办件已提交（当前状态“%(state)s”），不能再修改申请内容。")
                % {"state": State(application.state).label},
                {"state": application.state},
            )
        application.data = data
        application.version += 1
        application.save(update_fields=["data", "version"])
    return application
