"""Registration (登记注册): establishment, change and simplified deregistration.

Each is a matter (事项) of the catalogue, applied for as an application (办件) in
:mod:`yingshang.matters`; this module is what those applications *do*. It registers a
:class:`~yingshang.matters.handlers.MatterHandler` for each of the three matters, so every
channel (the wizard, the API, an officer at the counter) goes through the same checks:

* **check** (before submission): the form parses, the name reservation is the applicant's
  and still valid, the people and contributions fit the entity type, the materials to upload
  are there, the entity has not changed since the form was built. A problem refuses the
  submission with its code and a Chinese message; nothing is written.
* **submitted**: the automatic checks that need an officer's eye become *warnings* on the
  :class:`~yingshang.registration.models.RegistrationCase`. None → the platform accepts,
  reviews and approves at once (秒批); otherwise the application waits in the officers' queue.
* **approved**: the effect, in the approval's transaction — the entity is registered or
  changed (a new version), the licence issued or re-issued (superseding the old one through
  its status list), the name index updated, notices queued for the departments that pull them.

Simplified deregistration adds its public notice (20 days; individual businesses skip it),
online objections decided by the registrar, and the investors' signed commitments.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, jurisdiction_check, role_check
from yingshang.accounts.services import enterprise_notify
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.idcard import id_number_parse
from yingshang.core.numbering import numbered_save
from yingshang.core.reasons import reason_parse
from yingshang.ledger.encoding import canonical_json
from yingshang.ledger.services import event_append
from yingshang.licences.catalogue import catalogue_load
from yingshang.licences.models import Licence, LicenceKind, LicenceState
from yingshang.licences.services import business_licence_issue_as, licence_state_set_as
from yingshang.matters.catalogue import MaterialSource, matters_load
from yingshang.matters.handlers import MatterHandler, handler_register
from yingshang.matters.models import Application, State
from yingshang.matters.services import Action, application_advance, application_create
from yingshang.matters.signatures import signature_record
from yingshang.registry.members import members_of
from yingshang.registry.models import (
    EntityStatus,
    EntityType,
    InvestorKind,
    MarketEntity,
    OfficerPost,
)
from yingshang.registry.restrictions import restrictions_open
from yingshang.registry.selectors import entity_find
from yingshang.registry.services import (
    entity_change,
    entity_register,
    entity_set_status,
    stale_version,
)

from . import forms
from .models import (
    OPEN_DEREGISTRATION_STATES,
    CaseKind,
    Commitment,
    Deregistration,
    DeregistrationState,
    NameReservation,
    Objection,
    ObjectionState,
    OutboundNotice,
    RegistrationCase,
)
from .nameindex import months_add, name_index_entity
from .reservations import reservation_usable, reservation_use

MATTER_ESTABLISH = "enterprise-establishment"
MATTER_CHANGE = "enterprise-change"
MATTER_DEREGISTER = "enterprise-simple-deregistration"
MATTER_KINDS = {
    MATTER_ESTABLISH: CaseKind.ESTABLISHMENT,
    MATTER_CHANGE: CaseKind.CHANGE,
    MATTER_DEREGISTER: CaseKind.DEREGISTRATION,
}
AUTO_ACTOR = "system:auto-approval"  # the platform's automatic path (秒批)
NOTICE_DAYS = 20  # 《市场主体登记管理条例》第三十三条: 公示期20日
LARGE_CAPITAL = Decimal(100_000)  # 万元 (10亿): unusually large, an officer looks
ADULT_AGE = 18
CONTRIBUTION_YEARS = 5  # 《公司法》（2023）第四十七条: 认缴出资五年内缴足
LLC_MAX_SHAREHOLDERS = 50
OFFICER_ROLES = frozenset({Role.REGISTRATION_OFFICER, Role.LEADER})
# Who pulls which registration facts (信息共享): seal, tax, social insurance, housing fund, bank.
NOTICE_DEPARTMENTS = ("GAJ", "SW", "RSJ", "GJJ", "YH")
EVENT_CASE = "registration.case.checked"
EVENT_DEREGISTRATION = "registration.deregistration"
EVENT_OBJECTION = "registration.objection"
EVENT_COMMITMENT = "registration.commitment.signed"

COMMITMENT_TEXT = (
    "本人作为该市场主体的投资人，承诺：本主体申请简易注销登记前未发生债权债务或者已将债权债务"
    "清偿完结，不存在未结清的清偿费用、职工工资、社会保险费用、法定补偿金、应缴纳税款（滞纳金、"
    "罚款）等，不存在未了结的诉讼、仲裁。本人对以上承诺的真实性负责，如违法失信，依法承担相应的"
    "法律责任。"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One result of the automatic checks: ``warning`` sends the case to an officer,
    ``info`` is shown but does not."""

    code: str
    severity: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


# --- Who may apply for an entity ----------------------------------------------------------


def may_act_for(user: User, entity: MarketEntity) -> bool:
    """The entity's own account, or the person who is its legal representative (by the ID
    number proved at real-name verification)."""
    if user.role == Role.ENTERPRISE:
        return user.entity_credit_code == entity.credit_code
    return bool(user.id_number) and user.id_number == entity.legal_representative_id_number


def _require_party(user: User, entity: MarketEntity) -> None:
    if not may_act_for(user, entity):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("只有该市场主体的法定代表人（负责人）或其企业账户可以为其办理登记。"),
            {"credit_code": entity.credit_code},
        )


def officer_may_decide(application: Application, officer: User) -> None:
    """An officer decides registrations only inside their jurisdiction: the domicile the
    form declares, or the registered entity's."""
    region = ""
    if application.credit_code:
        region = entity_find(credit_code=application.credit_code).region_code
    elif isinstance(application.data, dict):
        region = str(application.data.get("region_code") or "")
    if region:
        jurisdiction_check(officer, region)


def registration_start(
    *,
    by: User,
    matter_code: str,
    situation_code: str = "",
    credit_code: str = "",
    data: dict[str, object] | None = None,
    applicant: User | None = None,
) -> Application:
    """A draft establishment, change or deregistration application.

    For a change or deregistration the applicant must be able to act for the entity; an
    officer at the counter files for a named applicant and checks the same.
    """
    if matter_code not in MATTER_KINDS:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("登记事项应为设立、变更或简易注销登记之一。"),
            {"field": "matter_code"},
        )
    code = ""
    if matter_code != MATTER_ESTABLISH:
        entity = entity_find(credit_code=credit_code)
        if by.is_official:
            if applicant is None:
                raise _error("applicant", _("窗口代办须指明申请人。"))
            _require_party(applicant, entity)
            jurisdiction_check(by, entity.region_code)
        else:
            _require_party(by, entity)
        code = entity.credit_code
        data = {"base_version": entity.version, **(data or {})}
    return application_create(
        by=by,
        matter_code=matter_code,
        situation_code=situation_code,
        data=data,
        credit_code=code,
        applicant=applicant,
    )


# --- Checks -------------------------------------------------------------------------------


def _reservation(number: str, applicant: User, name: str | None = None) -> NameReservation:
    """The applicant's usable reservation (errors name the form's ``reservation`` field),
    holding ``name`` when one is given."""
    try:
        reservation = reservation_usable(number=number, declarant=applicant)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, {**exc.details, "field": "reservation"}) from None
    if name is not None and reservation.name != name:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("名称保留%(number)s保留的是“%(reserved)s”，与申请的名称不符。")
            % {"number": number, "reserved": reservation.name},
            {"field": "reservation"},
        )
    return reservation


def _reserved_name(application: Application) -> NameReservation:
    number = forms.reservation_number(application.data, required=True)
    return _reservation(number, application.applicant)


def _age_on(id_number: str, day: datetime.date) -> int:
    born = id_number_parse(id_number).birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _error(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field})


def _people_check(entity_type: EntityType, form: forms.EstablishmentForm) -> None:
    """The investors, officers and contributions the entity type requires."""
    data, members = form.data, form.members
    investors, officers = members.investors, members.officers
    today = data.established_on
    if not investors:
        raise _error("investors", _("请填写投资人（股东、合伙人或出资人）。"))
    for i, investor in enumerate(investors):
        if investor.kind is InvestorKind.PERSON and _age_on(investor.identifier, today) < ADULT_AGE:
            raise _error(
                f"investors[{i}].identifier",
                _("投资人%(name)s未满18周岁，不能作为投资人办理设立登记。")
                % {"name": investor.name},
            )
    if _age_on(data.legal_representative_id_number, today) < ADULT_AGE:
        raise _error("legal_representative_id_number", _("法定代表人（负责人）应年满18周岁。"))
    posts = {(o.id_number, o.post) for o in officers}
    representative = data.legal_representative_id_number
    if entity_type is EntityType.SOLE_PROPRIETORSHIP:
        if len(investors) != 1 or investors[0].kind is not InvestorKind.PERSON:
            raise _error("investors", _("个人独资企业的投资人应为一个自然人。"))
        if investors[0].identifier != representative:
            raise _error(
                "legal_representative",
                _("个人独资企业的负责人应为投资人本人（或另行委托，须线下办理）。"),
            )
        return
    if entity_type in (EntityType.GENERAL_PARTNERSHIP, EntityType.LIMITED_PARTNERSHIP):
        if len(investors) < 2:
            raise _error("investors", _("合伙企业应有二个以上合伙人（《合伙企业法》第十四条）。"))
        if (representative, OfficerPost.MANAGING_PARTNER) not in posts:
            raise _error(
                "officers",
                _("请将执行事务合伙人列入主要人员（职务：执行事务合伙人），并作为负责人。"),
            )
        return
    # Limited liability companies.
    if len(investors) > LLC_MAX_SHAREHOLDERS:
        raise _error(
            "investors", _("有限责任公司由五十个以下股东出资设立（《公司法》第四十二条）。")
        )
    if data.registered_capital is None or data.registered_capital <= 0:
        raise _error("registered_capital", _("请填写注册资本（万元）。"))
    if members.subscribed_total != data.registered_capital:
        raise _error(
            "investors",
            _("全体股东认缴出资额合计%(total)s万元，应等于注册资本%(capital)s万元。")
            % {
                "total": members.subscribed_total.normalize(),
                "capital": data.registered_capital.normalize(),
            },
        )
    limit = months_add(today, 12 * CONTRIBUTION_YEARS)
    for i, investor in enumerate(investors):
        if investor.contribution_due_on is None or investor.contribution_due_on > limit:
            raise _error(
                f"investors[{i}].contribution_due_on",
                _(
                    "股东%(name)s的认缴出资期限应在公司成立之日起五年内（%(limit)s前），"
                    "《公司法》第四十七条。"
                )
                % {"name": investor.name, "limit": limit.isoformat()},
            )
    heads = {OfficerPost.CHAIR, OfficerPost.EXECUTIVE_DIRECTOR, OfficerPost.MANAGER}
    if not any((representative, post) in posts for post in heads):
        raise _error(
            "legal_representative",
            _(
                "法定代表人应由代表公司执行公司事务的董事或者经理担任（《公司法》第十条），"
                "请在主要人员中填写其职务。"
            ),
        )
    if not any(o.post in (OfficerPost.SUPERVISOR,) for o in officers) and len(investors) > 1:
        raise _error("officers", _("请填写监事（或在章程中约定设审计委员会的，须线下办理）。"))


def _materials_check(application: Application, situations: tuple[str, ...]) -> None:
    """Every material the applicant must upload (not generated, not shared) is there."""
    matter = matters_load().matter(application.matter_code)
    needed = {
        m.code: m.name
        for situation in situations
        for m in matter.required_materials_for(situation)
        if m.source in (MaterialSource.APPLICANT, MaterialSource.THIRD_PARTY)
    }
    have = set(application.materials.values_list("material_code", flat=True))
    missing = [name for code, name in needed.items() if code not in have]
    if missing:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("请上传以下材料：%(names)s。") % {"names": "、".join(missing)},
            {"field": "materials", "missing": sorted(set(needed) - have)},
        )


def _establishment_form(
    application: Application,
) -> tuple[forms.EstablishmentForm, NameReservation]:
    """The parsed form and the reservation whose name it registers."""
    reservation = _reserved_name(application)
    form = forms.establishment_parse(application.data, name=reservation.name)
    situation = application.situation_code
    allowed = forms.SITUATION_TYPES.get(situation, frozenset())
    if form.data.entity_type not in allowed:
        raise _error(
            "entity_type",
            _("“%(type)s”不属于本申请的情形（%(situation)s）。")
            % {"type": form.data.entity_type.label, "situation": situation},
        )
    if reservation.entity_type and reservation.entity_type != form.data.entity_type.value:
        reserved = EntityType(reservation.entity_type)
        if reserved not in allowed:
            raise _error(
                "entity_type",
                _("名称“%(name)s”是按“%(type)s”申报的，与申请的类型不符。")
                % {"name": reservation.name, "type": reserved.label},
            )
    return form, reservation


def establishment_check(application: Application) -> None:
    form = _establishment_form(application)[0]
    _people_check(form.data.entity_type, form)
    _materials_check(application, (application.situation_code,))


def _licensed(scope: tuple[str, ...]) -> list[Finding]:
    catalogue = catalogue_load()
    by_code = {industry.gbt4754: industry for industry in catalogue.industries}
    return [
        Finding(
            "LICENSED_ACTIVITY",
            "info",
            "scope",
            _("经营范围含“%(name)s”，取得营业执照后须申领行业综合许可证方可开展（一业一证）。")
            % {"name": by_code[code].name},
        )
        for code in scope
        if code in by_code
    ]


def establishment_findings(application: Application) -> list[Finding]:
    form, reservation = _establishment_form(application)
    findings: list[Finding] = []
    if reservation.similar_accepted:
        findings.append(
            Finding(
                "NAME_SIMILAR_ACCEPTED",
                "warning",
                "reservation",
                _("名称与已有名称近似（%(names)s），申请人已签署承诺，请核实。")
                % {"names": "、".join(str(n.get("name", "")) for n in reservation.similar_names)},
            )
        )
    if reservation.flags:
        findings.append(
            Finding(
                "NAME_RESTRICTED_WORD",
                "warning",
                "reservation",
                _("名称含限制使用的字词，须登记机关审核。"),
            )
        )
    capital = form.data.registered_capital
    if capital is not None and capital >= LARGE_CAPITAL:
        findings.append(
            Finding(
                "CAPITAL_LARGE",
                "warning",
                "registered_capital",
                _("注册资本%(capital)s万元明显高于常见水平，请核实出资能力和认缴期限。")
                % {"capital": capital.normalize()},
            )
        )
    for investor in form.members.investors:
        if (
            investor.kind is InvestorKind.ORGANISATION
            and not MarketEntity.objects.filter(
                credit_code=investor.identifier, status=EntityStatus.ACTIVE
            ).exists()
        ):
            findings.append(
                Finding(
                    "INVESTOR_UNVERIFIED",
                    "warning",
                    "investors",
                    _("法人股东%(name)s（%(code)s）不在本市存续市场主体中，须核验其主体资格文件。")
                    % {"name": investor.name, "code": investor.identifier},
                )
            )
    findings.extend(_licensed(form.scope))
    return findings


def _change_form(application: Application) -> tuple[forms.ChangeForm, MarketEntity]:
    form = forms.change_parse(application.data)
    entity = entity_find(credit_code=application.credit_code)
    if entity.status != EntityStatus.ACTIVE:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("该市场主体的登记状态为“%(status)s”，不能办理变更登记。")
            % {"status": entity.status_label},
            {"status": entity.status},
        )
    if entity.version != form.base_version:
        raise stale_version(entity, form.base_version)
    if "name" in form.changes:
        _reservation(form.reservation, application.applicant, str(form.changes["name"]).strip())
    return form, entity


_COMPANY_TYPES = forms.SITUATION_TYPES["llc"]


def _contributions_check(form: forms.ChangeForm, entity: MarketEntity) -> None:
    """A company's subscribed contributions add up to its registered capital after the
    change (a capital change re-states the investors' subscriptions with it)."""
    if EntityType(form.changes.get("entity_type", entity.entity_type)) not in _COMPANY_TYPES:
        return
    if "registered_capital" not in form.changes and form.members is None:
        return
    members = form.members if form.members is not None else members_of(entity)
    capital = form.changes.get("registered_capital", entity.registered_capital)
    try:
        target = Decimal(str(capital))
    except ArithmeticError:
        return  # the registry names the bad value when the change is validated
    if members.subscribed_total != target:
        raise _error(
            "investors",
            _(
                "变更后全体股东认缴出资额合计%(total)s万元，应等于注册资本%(capital)s万元，"
                "请同时填写变更后的投资人及出资。"
            )
            % {"total": members.subscribed_total.normalize(), "capital": target.normalize()},
        )


def change_check(application: Application) -> None:
    form, entity = _change_form(application)
    _require_party(application.applicant, entity)
    _contributions_check(form, entity)
    _materials_check(application, form.situations)


def change_findings(application: Application) -> list[Finding]:
    form, entity = _change_form(application)
    findings: list[Finding] = []
    capital = form.changes.get("registered_capital")
    if capital not in (None, "") and entity.registered_capital is not None:
        try:
            reduced = Decimal(str(capital)) < entity.registered_capital
        except ArithmeticError:
            reduced = False
        if reduced:
            findings.append(
                Finding(
                    "CAPITAL_REDUCTION",
                    "warning",
                    "registered_capital",
                    _(
                        "减少注册资本须自股东会决议之日起十日内通知债权人、三十日内公告"
                        "（《公司法》第二百二十四条），请核实公告和债务清偿情况。"
                    ),
                )
            )
    region = form.changes.get("region_code")
    if region not in (None, "") and str(region) != entity.region_code:
        findings.append(
            Finding(
                "DOMICILE_OTHER_DISTRICT",
                "info",
                "region_code",
                _("住所迁至其他区，登记机关随之变更，档案一并移交。"),
            )
        )
    if "entity_type" in form.changes:
        findings.append(
            Finding(
                "TYPE_CONVERSION",
                "warning",
                "entity_type",
                _("企业类型变更须核实改制文件和出资情况。"),
            )
        )
    if form.scope:
        findings.extend(_licensed(form.scope))
    return findings


# --- Effects ------------------------------------------------------------------------------


def _case(application: Application, findings: list[Finding], credit_code: str) -> RegistrationCase:
    base = application.data.get("base_version") if isinstance(application.data, dict) else None
    case, _created = RegistrationCase.objects.update_or_create(
        application=application,
        defaults={
            "kind": MATTER_KINDS[application.matter_code],
            "credit_code": credit_code,
            "base_version": base if isinstance(base, int) else None,
            "findings": [f.as_dict() for f in findings],
            "checked_at": timezone.now(),
        },
    )
    event_append(
        event_type=EVENT_CASE,
        actor=AUTO_ACTOR,
        subject=f"application:{application.number}",
        payload={
            "number": application.number,
            "kind": case.kind,
            "findings": [f.code for f in findings],
        },
    )
    return case


def _advance_automatically(application: Application, case: RegistrationCase) -> None:
    """秒批: accept, review, approve (the handler's effect runs) and complete."""
    for action in (Action.ACCEPT, Action.REVIEW, Action.APPROVE, Action.COMPLETE):
        application_advance(
            number=application.number,
            action=action,
            actor=AUTO_ACTOR,
            reason=_("自动核验通过，系统自动审批。") if action == Action.APPROVE else "",
        )
    case.automatic = True
    case.save(update_fields=["automatic"])


def _submitted(
    findings_of: Callable[[Application], list[Finding]],
) -> Callable[[Application], None]:
    def run(application: Application) -> None:
        findings = findings_of(application)
        case = _case(application, findings, application.credit_code)
        if not any(f.severity == "warning" for f in findings):
            _advance_automatically(application, case)

    return run


def _departments_notify(
    entity: MarketEntity, *, event: str, application: Application, payload: dict[str, object]
) -> None:
    now = timezone.now()
    OutboundNotice.objects.bulk_create(
        OutboundNotice(
            department=department,
            event=event,
            credit_code=entity.credit_code,
            entity_version=entity.version,
            application_number=application.number,
            payload=payload,
            created_at=now,
        )
        for department in NOTICE_DEPARTMENTS
    )


def _public_facts(entity: MarketEntity) -> dict[str, object]:
    """What the pulling departments receive (the licence's public facts, no ID numbers)."""
    return {
        "name": entity.name,
        "entity_type": entity.entity_type,
        "legal_representative": entity.legal_representative,
        "registered_capital": str(entity.registered_capital)
        if entity.registered_capital is not None
        else None,
        "region_code": entity.region_code,
        "address": entity.address,
        "industry_code": entity.industry_code,
        "established_on": entity.established_on.isoformat(),
        "status": entity.status,
    }


def _reservation_take(application: Application, number: str, credit_code: str) -> None:
    reservation_use(
        number=number,
        by=application.filed_by,
        for_user=application.applicant,
        credit_code=credit_code,
    )


def _establish(application: Application, actor: str) -> None:
    form = _establishment_form(application)[0]
    entity = entity_register(
        actor=actor, data=form.data, application_ref=application.number, members=form.members
    )
    _reservation_take(application, form.reservation, entity.credit_code)
    name_index_entity(entity)
    licence = business_licence_issue_as(actor=actor, credit_code=entity.credit_code)
    application.credit_code = entity.credit_code
    application.save(update_fields=["credit_code"])
    if application.bundle_id is not None:  # 企业开办一件事: the other departments' parts
        Application.objects.filter(bundle_id=application.bundle_id, credit_code="").update(
            credit_code=entity.credit_code
        )
    RegistrationCase.objects.filter(application=application).update(credit_code=entity.credit_code)
    _departments_notify(
        entity, event="established", application=application, payload=_public_facts(entity)
    )
    enterprise_notify(
        credit_code=entity.credit_code,
        title=_("设立登记已核准"),
        body=_("%(name)s设立登记已核准，电子营业执照（%(id)s）已签发。")
        % {"name": entity.name, "id": licence.licence_id},
        link=reverse("licences:print", args=[licence.credit_code]),
    )


def _change(application: Application, actor: str) -> None:
    form, entity = _change_form(application)
    changed = entity_change(
        actor=actor,
        credit_code=entity.credit_code,
        changes=form.changes,
        expected_version=form.base_version,
        application_ref=application.number,
        members=form.members,
    )
    if "name" in form.changes:
        _reservation_take(application, form.reservation, entity.credit_code)
    name_index_entity(changed)
    licence = business_licence_issue_as(actor=actor, credit_code=changed.credit_code)
    version = changed.versions.order_by("-version").first()
    fields = version.changed_fields if version is not None else []
    _departments_notify(
        changed,
        event="changed",
        application=application,
        payload={**_public_facts(changed), "changed_fields": fields},
    )
    enterprise_notify(
        credit_code=changed.credit_code,
        title=_("变更登记已核准"),
        body=_("变更登记已核准，已换发电子营业执照（%(id)s），原执照同时作废。")
        % {"id": licence.licence_id},
        link=reverse("licences:print", args=[licence.credit_code]),
    )


handler_register(
    MATTER_ESTABLISH,
    MatterHandler(
        check=establishment_check,
        submitted=_submitted(establishment_findings),
        approved=_establish,
        may_decide=officer_may_decide,
    ),
)
handler_register(
    MATTER_CHANGE,
    MatterHandler(
        check=change_check,
        submitted=_submitted(change_findings),
        approved=_change,
        may_decide=officer_may_decide,
    ),
)


# --- Simplified deregistration (简易注销) ----------------------------------------------


def _not_eligible(message: str, rule: str) -> DomainError:
    return DomainError(ErrorCode.NOT_ELIGIBLE, message, {"rule": rule})


def deregistration_eligibility(entity: MarketEntity) -> None:
    """The conditions of 《市场主体登记管理条例》第三十三条 and 实施细则: raise NOT_ELIGIBLE
    naming the first that fails."""
    if entity.status != EntityStatus.ACTIVE:
        raise _not_eligible(
            _("该市场主体的登记状态为“%(status)s”，不能申请简易注销。")
            % {"status": entity.status_label},
            "status",
        )
    for restriction in restrictions_open(entity):
        raise _not_eligible(
            _("该市场主体%(kind)s（%(authority)s，%(reference)s），不适用简易注销。")
            % {
                "kind": restriction.get_kind_display(),
                "authority": restriction.authority,
                "reference": restriction.reference,
            },
            restriction.kind,
        )
    branch = MarketEntity.objects.filter(
        parent_credit_code=entity.credit_code, status=EntityStatus.ACTIVE
    ).first()
    if branch is not None:
        raise _not_eligible(
            _("该市场主体还有存续的分支机构“%(name)s”，须先注销分支机构。") % {"name": branch.name},
            "open_branches",
        )
    if Deregistration.objects.filter(entity=entity, state=DeregistrationState.TERMINATED).exists():
        raise _not_eligible(
            _("该市场主体曾被终止简易注销程序，不能再次申请简易注销，请办理普通注销。"),
            "terminated_before",
        )
    if Deregistration.objects.filter(entity=entity, state__in=OPEN_DEREGISTRATION_STATES).exists():
        raise _not_eligible(_("该市场主体已有正在办理的简易注销。"), "open_deregistration")


def commitment_digest(application: Application, investor_identifier: str) -> str:
    statement = {
        "application": application.number,
        "credit_code": application.credit_code,
        "investor": investor_identifier,
        "commitment": COMMITMENT_TEXT,
    }
    return hashlib.sha256(canonical_json(statement).encode("utf-8")).hexdigest()


def commitments_missing(application: Application) -> list[str]:
    """The names of the investors who have not yet signed the commitment."""
    entity = entity_find(credit_code=application.credit_code)
    signed = set(
        Commitment.objects.filter(application=application).values_list(
            "investor_identifier", flat=True
        )
    )
    return [i.name for i in members_of(entity).investors if i.identifier not in signed]


def commitment_sign(*, by: User, number: str, password: str, otp_token: str = "") -> Commitment:
    """An investor signs the debts-settled commitment on a deregistration application, after
    a fresh login: a person by the ID number of their real-name verification, an
    organisation through its enterprise account."""
    application = Application.objects.filter(number=number, matter_code=MATTER_DEREGISTER).first()
    if application is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("没有编号为%(n)s的简易注销申请。") % {"n": number})
    if application.state != State.DRAFT:
        raise DomainError(
            ErrorCode.INVALID_STATE, _("申请已提交，不能再签署承诺。"), {"state": application.state}
        )
    entity = entity_find(credit_code=application.credit_code)
    investor = next(
        (
            i
            for i in members_of(entity).investors
            if (i.kind is InvestorKind.PERSON and by.id_number and i.identifier == by.id_number)
            or (
                i.kind is InvestorKind.ORGANISATION
                and by.role == Role.ENTERPRISE
                and i.identifier == by.entity_credit_code
            )
        ),
        None,
    )
    if investor is None:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("您不是该市场主体登记的投资人，不能签署全体投资人承诺书。"),
        )
    if Commitment.objects.filter(
        application=application, investor_identifier=investor.identifier
    ).exists():
        raise DomainError(
            ErrorCode.CONFLICT, _("您已签署过这份承诺书。"), {"investor": investor.name}
        )
    with transaction.atomic():
        signature = signature_record(
            signer=by,
            password=password,
            otp_token=otp_token,
            purpose="deregistration-commitment",
            subject=f"application:{application.number}",
            digest=commitment_digest(application, investor.identifier),
            application=application,
        )
        commitment = Commitment.objects.create(
            application=application,
            investor_name=investor.name,
            investor_identifier=investor.identifier,
            signature=signature,
            signed_at=signature.signed_at,
        )
        event_append(
            event_type=EVENT_COMMITMENT,
            actor=actor_of(by),
            subject=f"application:{application.number}",
            payload={"number": application.number, "signature": signature.pk},
        )
    return commitment


def deregistration_check(application: Application) -> None:
    base_version, _reason = forms.deregistration_parse(application.data)
    entity = entity_find(credit_code=application.credit_code)
    _require_party(application.applicant, entity)
    if entity.version != base_version:
        raise stale_version(entity, base_version)
    deregistration_eligibility(entity)
    missing = commitments_missing(application)
    if missing:
        raise DomainError(
            ErrorCode.SIGNATURE_REQUIRED,
            _("以下投资人尚未签署全体投资人承诺书：%(names)s。") % {"names": "、".join(missing)},
            {"field": "commitments", "missing": missing},
        )


def _deregistration_submitted(application: Application) -> None:
    entity = entity_find(credit_code=application.credit_code)
    today = timezone.localdate()
    individual = entity.entity_type == EntityType.INDIVIDUAL_BUSINESS
    deregistration = Deregistration(
        application=application,
        entity=entity,
        entity_name=entity.name,
        credit_code=entity.credit_code,
        registration_authority=entity.registration_authority,
        region_code=entity.region_code,
        state=DeregistrationState.PENDING_DECISION if individual else DeregistrationState.NOTICE,
        notice_starts_on=None if individual else today,
        notice_ends_on=None if individual else today + datetime.timedelta(days=NOTICE_DAYS),
        created_at=timezone.now(),
    )
    numbered_save(deregistration, prefix="ZX", now=deregistration.created_at)
    case = _case(application, [], entity.credit_code)
    event_append(
        event_type=EVENT_DEREGISTRATION,
        actor=AUTO_ACTOR,
        subject=f"entity:{entity.credit_code}",
        payload={
            "number": deregistration.number,
            "application": application.number,
            "credit_code": entity.credit_code,
            "state": deregistration.state,
            "notice_ends_on": deregistration.notice_ends_on.isoformat()
            if deregistration.notice_ends_on
            else None,
        },
    )
    if individual:  # 个体工商户: no notice, decided at once
        _advance_automatically(application, case)
        return
    for action in (Action.ACCEPT, Action.REVIEW):  # under review while the notice runs
        application_advance(number=application.number, action=action, actor=AUTO_ACTOR)


def _deregister(application: Application, actor: str) -> None:
    deregistration = Deregistration.objects.select_for_update().get(application=application)
    today = timezone.localdate()
    if deregistration.notice_ends_on is not None and today <= deregistration.notice_ends_on:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("公告期至%(day)s届满，届满后方可作出注销决定。")
            % {"day": deregistration.notice_ends_on.isoformat()},
            {"notice_ends_on": deregistration.notice_ends_on.isoformat()},
        )
    open_objections = deregistration.objections.exclude(state=ObjectionState.DISMISSED)
    if open_objections.exists():
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("还有未处理或成立的异议，不能作出注销决定。"),
            {"objections": list(open_objections.values_list("number", flat=True))},
        )
    entity = MarketEntity.objects.get(pk=deregistration.entity_id)
    for licence in Licence.objects.filter(
        entity=entity,
        kind=LicenceKind.BUSINESS,
        state__in=[LicenceState.ACTIVE, LicenceState.SUSPENDED],
    ):
        licence_state_set_as(
            actor=actor,
            licence_id=licence.licence_id,
            state=LicenceState.REVOKED,
            reason=_("简易注销登记（%(number)s）") % {"number": deregistration.number},
        )
    cancelled = entity_set_status(
        actor=actor,
        credit_code=entity.credit_code,
        status=EntityStatus.CANCELLED,
        expected_version=entity.version,
        note=_("简易注销（%(number)s）") % {"number": deregistration.number},
        application_ref=application.number,
    )
    name_index_entity(cancelled)
    deregistration.state = DeregistrationState.DEREGISTERED
    deregistration.decided_at = timezone.now()
    deregistration.save(update_fields=["state", "decided_at"])
    _departments_notify(
        cancelled, event="deregistered", application=application, payload=_public_facts(cancelled)
    )
    event_append(
        event_type=EVENT_DEREGISTRATION,
        actor=actor,
        subject=f"entity:{entity.credit_code}",
        payload={"number": deregistration.number, "state": deregistration.state},
    )


handler_register(
    MATTER_DEREGISTER,
    MatterHandler(
        check=deregistration_check,
        submitted=_deregistration_submitted,
        approved=_deregister,
        may_decide=officer_may_decide,
    ),
)


def objection_file(
    *, deregistration_number: str, objector: str, contact: str, grounds: str
) -> Objection:
    """Anyone files an objection (异议) to a deregistration during its notice."""
    name = reason_parse(objector, label=_("异议人"), field="objector", max_length=100)
    contact_text = reason_parse(contact, label=_("联系方式"), field="contact", max_length=100)
    grounds_text = reason_parse(grounds, label=_("异议理由"), field="grounds", max_length=2000)
    with transaction.atomic():
        deregistration = (
            Deregistration.objects.select_for_update().filter(number=deregistration_number).first()
        )
        if deregistration is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("没有编号为%(n)s的简易注销公告。") % {"n": deregistration_number},
            )
        today = timezone.localdate()
        if (
            deregistration.state != DeregistrationState.NOTICE
            or deregistration.notice_ends_on is None
            or today > deregistration.notice_ends_on
        ):
            raise DomainError(
                ErrorCode.DEADLINE_PASSED,
                _("该简易注销公告的异议期已结束（%(day)s），不能再提出异议。")
                % {"day": deregistration.notice_ends_on or "—"},
                {"notice_ends_on": str(deregistration.notice_ends_on)},
            )
        objection = Objection(
            deregistration=deregistration,
            objector=name,
            contact=contact_text,
            grounds=grounds_text,
            filed_at=timezone.now(),
        )
        numbered_save(objection, prefix="YY", now=objection.filed_at)
        event_append(
            event_type=EVENT_OBJECTION,
            actor="public",
            subject=f"entity:{deregistration.credit_code}",
            # The ledger is public: the objector's identity and contact stay in the row.
            payload={
                "number": objection.number,
                "deregistration": deregistration.number,
                "state": objection.state,
            },
        )
    return objection


def objection_decide(*, by: User, number: str, upheld: bool, reason: str) -> Objection:
    """The registrar decides an objection. An upheld one terminates the simplified
    deregistration (and rejects its application with the reason)."""
    role_check(by, OFFICER_ROLES, action=_("处理简易注销异议"))
    text = reason_parse(reason, label=_("处理理由"), field="reason", max_length=1000)
    if not isinstance(upheld, bool):
        raise _error("upheld", _("请选择异议是否成立。"))
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update()
            .select_related("deregistration")
            .filter(number=number)
            .first()
        )
        if objection is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("没有编号为%(n)s的异议。") % {"n": number})
        deregistration = Deregistration.objects.select_for_update().get(
            pk=objection.deregistration_id
        )
        jurisdiction_check(by, deregistration.region_code)
        if objection.state != ObjectionState.PENDING:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("该异议已处理（%(state)s）。") % {"state": objection.get_state_display()},
            )
        objection.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
        objection.decided_by = actor_of(by)
        objection.decided_at = timezone.now()
        objection.decision_reason = text
        objection.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        event_append(
            event_type=EVENT_OBJECTION,
            actor=actor_of(by),
            subject=f"entity:{deregistration.credit_code}",
            payload={"number": objection.number, "state": objection.state},
        )
        if upheld and deregistration.state in OPEN_DEREGISTRATION_STATES:
            deregistration.state = DeregistrationState.TERMINATED
            deregistration.decided_at = objection.decided_at
            deregistration.decision_reason = text
            deregistration.save(update_fields=["state", "decided_at", "decision_reason"])
            application_advance(
                number=deregistration.application.number,
                action=Action.REJECT,
                actor=actor_of(by),
                reason=_("异议成立，终止简易注销程序：%(reason)s") % {"reason": text},
            )
            event_append(
                event_type=EVENT_DEREGISTRATION,
                actor=actor_of(by),
                subject=f"entity:{deregistration.credit_code}",
                payload={"number": deregistration.number, "state": deregistration.state},
            )
    return objection


def deregistrations_conclude() -> list[str]:
    """After the notice, with no objection pending or upheld, deregister (the registrar's
    standing rule, run daily by ``yingshang registration conclude``); returns the numbers."""
    due = Deregistration.objects.filter(
        state=DeregistrationState.NOTICE, notice_ends_on__lt=timezone.localdate()
    ).values_list("number", "application__number")
    done: list[str] = []
    for number, application_number in due:
        with transaction.atomic():
            deregistration = Deregistration.objects.select_for_update().get(number=number)
            if deregistration.state != DeregistrationState.NOTICE:
                continue
            if deregistration.objections.exclude(state=ObjectionState.DISMISSED).exists():
                deregistration.state = DeregistrationState.PENDING_DECISION
                deregistration.save(update_fields=["state"])
                continue
            for action in (Action.APPROVE, Action.COMPLETE):
                application_advance(
                    number=application_number,
                    action=action,
                    actor=AUTO_ACTOR,
                    reason=_("公告期满无异议，准予简易注销。") if action == Action.APPROVE else "",
                )
            done.append(number)
    return done


def notices_pull(*, by: User, after: int = 0, limit: int = 100) -> list[OutboundNotice]:
    """The registration facts for the official's department, after the last id they saw."""
    if not by.is_official or by.department is None:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("只有部门工作人员可以获取推送信息。"))
    function = by.department.function
    if function not in NOTICE_DEPARTMENTS and by.role != Role.LEADER:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("本部门不在登记信息推送范围内。"),
            {"department": function},
        )
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise _error("after", _("after 应为非负整数（上次取到的最后一条编号）。"))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise _error("limit", _("limit 应在1到1000之间。"))
    rows = OutboundNotice.objects.filter(id__gt=after).order_by("id")
    if by.role != Role.LEADER or function in NOTICE_DEPARTMENTS:
        rows = rows.filter(department=function)
    return list(rows[:limit])
