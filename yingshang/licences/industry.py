"""一业一证 (one industry, one licence) and 承诺即入 (access on commitment).

An enterprise fills ONE form for an industry in the catalogue (:mod:`.catalogue`); the form
decides which permits it needs. For every condition of those permits it either signs a
commitment (告知承诺, where the catalogue allows it) or names the materials it submits. A
permit whose conditions are all met by commitment needs no review; the others go to their
departments at once, in parallel (并联审查), with the industry's lead department (牵头部门)
named on the application. When the last review approves, or at once if none is needed, ONE
integrated industry licence (行业综合许可证) is issued: a credential listing the permits it
replaces, marked ``issuedOnCommitment`` when any commitment was used.

A licence issued on commitment gets a post-check (事后核查) due within the industry's working
days. A failed post-check revokes the licence through the status list, writes a ledger
event and notifies the enterprise; a passed one re-issues the licence without the mark.
Every step is one transaction with its ledger event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.jurisdiction import covers
from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, role_check
from yingshang.accounts.services import enterprise_notify
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.numbering import numbered_save
from yingshang.core.reasons import reason_parse
from yingshang.core.workdays import workdays_add_or_estimate
from yingshang.ledger.services import event_append
from yingshang.licences import keys
from yingshang.licences.catalogue import Catalogue, Industry, Permit, catalogue_load
from yingshang.licences.credential import industry_licence_credential
from yingshang.licences.identity import identity_verify
from yingshang.registry.models import EntityStatus, MarketEntity

from .models import (
    ApplicationState,
    IndustryApplication,
    Licence,
    LicenceKind,
    LicenceState,
    PermitReview,
    PostCheck,
    PostCheckState,
    ReviewState,
)
from .services import IssueRequest, licence_create, licence_state_set_as

EVENT_SUBMITTED = "licences.industry.submitted"
EVENT_REVIEWED = "licences.industry.reviewed"
EVENT_DECIDED = "licences.industry.decided"
EVENT_POST_CHECKED = "licences.industry.post_checked"

COMMITMENT = "commitment"
EVIDENCE = "evidence"
SUBMITTING_ROLES = frozenset({Role.ENTERPRISE, Role.LICENSING_OFFICER})  # online and counter
REVIEWING_ROLES = frozenset({Role.LICENSING_OFFICER, Role.LEADER})
POST_CHECK_ROLES = frozenset({Role.INSPECTOR, Role.LICENSING_OFFICER})
LICENCE_YEARS = 5  # 《食品经营许可和备案管理办法》: a food business licence is valid 5 years
_TEXT_MAX = 1000


def _invalid(message: str, field: str, **details: object) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, {"field": field, **details})


def condition_key(permit: Permit, condition_code: str) -> str:
    return f"{permit.code}.{condition_code}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApplicationInput:
    """One 一业一证 application, validated by :func:`application_input_parse`."""

    industry: Industry
    form: dict[str, object]
    permits: tuple[Permit, ...]
    conditions: dict[str, dict[str, Any]]
    identity_credential: dict[str, Any] | None


def _string_list(value: object, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(_("%(field)s 必须是字符串列表。") % {"field": field}, field)
    return [item.strip() for item in value]


def application_input_parse(
    raw: Mapping[str, object], *, catalogue: Catalogue | None = None
) -> ApplicationInput:
    """Validate an application: the industry, the one form, and how each condition of each
    required permit is met (``commitments``: condition keys; ``materials``: condition key ->
    the names of the materials submitted, which must cover the catalogue's evidence)."""
    if not isinstance(raw, Mapping):
        raise _invalid(_("申请必须是 JSON 对象。"), "application")
    unknown = set(raw) - {"industry", "form", "commitments", "materials", "identity_credential"}
    if unknown:
        raise _invalid(
            _("申请中有不认识的字段：%(fields)s。") % {"fields": "、".join(sorted(unknown))},
            sorted(unknown)[0],
        )
    industry = (catalogue or catalogue_load()).industry(str(raw.get("industry", "")))
    form = industry.form_parse(raw.get("form") or {})  # type: ignore[arg-type]
    permits = industry.permits_required(form)
    commitments = set(_string_list(raw.get("commitments", []), "commitments"))
    materials_raw = raw.get("materials", {})
    if not isinstance(materials_raw, Mapping):
        raise _invalid(_("materials 必须是“条件: 材料名称列表”的映射。"), "materials")
    materials = {
        str(key): _string_list(value, f"materials.{key}") for key, value in materials_raw.items()
    }
    conditions: dict[str, dict[str, Any]] = {}
    for permit in permits:
        for condition in permit.conditions:
            key = condition_key(permit, condition.code)
            if key in commitments:
                if not condition.commitment_allowed:
                    raise _invalid(
                        _(
                            "“%(permit)s”的条件“%(condition)s”不适用告知承诺，请提交材料：%(evidence)s。"
                        )
                        % {
                            "permit": permit.name,
                            "condition": condition.text,
                            "evidence": "、".join(condition.evidence),
                        },
                        "commitments",
                        condition=key,
                    )
                conditions[key] = {"by": COMMITMENT}
                continue
            given = materials.get(key, [])
            missing = [item for item in condition.evidence if item not in given]
            if missing:
                hint = _("，或签署告知承诺") if condition.commitment_allowed else ""
                raise _invalid(
                    _("“%(permit)s”的条件“%(condition)s”缺少材料：%(missing)s%(hint)s。")
                    % {
                        "permit": permit.name,
                        "condition": condition.text,
                        "missing": "、".join(missing),
                        "hint": hint,
                    },
                    f"materials.{key}",
                    condition=key,
                )
            conditions[key] = {"by": EVIDENCE, "materials": list(condition.evidence)}
    stray = (commitments | set(materials)) - set(conditions)
    if stray:
        raise _invalid(
            _("这些条件不属于本次申请所需的许可：%(keys)s。") % {"keys": "、".join(sorted(stray))},
            "commitments",
        )
    identity = raw.get("identity_credential")
    if identity is not None and not isinstance(identity, dict):
        raise _invalid(_("identity_credential 必须是电子身份证凭证（JSON 对象）。"), "identity")
    return ApplicationInput(
        industry=industry,
        form=form,
        permits=permits,
        conditions=conditions,
        identity_credential=identity,
    )


def _json_form(form: Mapping[str, object]) -> dict[str, object]:
    def value(item: object) -> object:
        if isinstance(item, dt.date):
            return item.isoformat()
        if item is None or isinstance(item, bool | int | str):
            return item
        return str(item)  # Decimal

    return {key: value(item) for key, item in form.items()}


def _application_link(number: str) -> str:
    return f"/industry/applications/{number}/"


def _locked_entity(credit_code: str) -> MarketEntity:
    entity = MarketEntity.objects.select_for_update().filter(credit_code=credit_code).first()
    if entity is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有统一社会信用代码为 %(code)s 的市场主体。") % {"code": credit_code},
            {"credit_code": credit_code},
        )
    if entity.status != EntityStatus.ACTIVE:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("市场主体当前状态为“%(status)s”，不能申请行业综合许可。")
            % {"status": EntityStatus(entity.status).label},
            {"credit_code": credit_code},
        )
    return entity


def industry_application_submit(
    *, by: User, credit_code: str, data: ApplicationInput
) -> IndustryApplication:
    """一表申请: an enterprise (online) or a licensing officer (at the counter) applies."""
    role_check(by, SUBMITTING_ROLES, action=_("申请行业综合许可"))
    code = credit_code.strip().upper()
    if by.role == Role.ENTERPRISE and by.entity_credit_code != code:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("企业用户只能为自己绑定的市场主体（%(own)s）申请。")
            % {"own": by.entity_credit_code or _("未绑定")},
            {"credit_code": code},
        )
    industry = data.industry
    actor = actor_of(by)
    now = timezone.now()
    with transaction.atomic():
        entity = _locked_entity(code)
        identity = None
        if data.identity_credential is not None:
            verified = identity_verify(
                credential=data.identity_credential,
                full_name=entity.legal_representative,
                id_number=entity.legal_representative_id_number,
            )
            identity = {
                "issuer": verified.issuer.did,
                "issuer_name": verified.issuer.name,
                "credential_id": verified.credential_id,
                "verified_at": now.isoformat(),
            }
        application = IndustryApplication(
            entity=entity,
            credit_code=code,
            industry_code=industry.code,
            catalogue_version=catalogue_load().version,
            form=_json_form(data.form),
            permits=[permit.code for permit in data.permits],
            conditions=data.conditions,
            identity=identity,
            lead_department=industry.lead_department,
            submitted_by=actor,
            submitted_at=now,
        )
        numbered_save(application, prefix="HY", now=now)
        lead_assigned = False
        for permit in data.permits:
            waived = all(
                data.conditions[condition_key(permit, c.code)]["by"] == COMMITMENT
                for c in permit.conditions
            )
            is_lead = not lead_assigned and permit.department == industry.lead_department
            lead_assigned = lead_assigned or is_lead
            PermitReview.objects.create(
                application=application,
                permit_code=permit.code,
                department_code=permit.department,
                is_lead=is_lead,
                state=ReviewState.WAIVED if waived else ReviewState.PENDING,
                reviewer="" if not waived else actor,
                decided_at=now if waived else None,
            )
        event_append(
            event_type=EVENT_SUBMITTED,
            actor=actor,
            subject=f"industry-application:{application.number}",
            payload={
                "number": application.number,
                "credit_code": code,
                "industry": industry.code,
                "permits": application.permits,
                "commitments": sorted(
                    key for key, how in data.conditions.items() if how["by"] == COMMITMENT
                ),
                "identity_issuer": identity["issuer"] if identity else None,
            },
        )
        if not application.reviews.filter(state=ReviewState.PENDING).exists():
            _approve(application, industry=industry, actor=actor, now=now)
        else:
            enterprise_notify(
                credit_code=code,
                link=_application_link(application.number),
                title=_("行业综合许可申请已受理：%(industry)s") % {"industry": industry.name},
                body=_("申请编号 %(number)s，已推送相关部门并联审查，牵头部门：%(lead)s。")
                % {
                    "number": application.number,
                    "lead": catalogue_load().department(industry.lead_department).name,
                },
            )
    return application


def _licence_issue(
    application: IndustryApplication,
    *,
    industry: Industry,
    on_commitment: bool,
    actor: str,
    now: dt.datetime,
) -> Licence:
    catalogue = catalogue_load()
    permits = [industry.permit(code) for code in application.permits]
    entity = application.entity
    premises = application.form.get("premises_address")
    valid_until = now.replace(microsecond=0) + dt.timedelta(days=365 * LICENCE_YEARS)

    def build(**parts: Any) -> dict[str, Any]:
        return industry_licence_credential(
            credit_code=entity.credit_code,
            entity_name=entity.name,
            industry={"code": industry.code, "name": industry.name, "gbt4754": industry.gbt4754},
            permits=[
                {
                    "code": permit.code,
                    "name": permit.name,
                    "department": catalogue.department(permit.department).name,
                }
                for permit in permits
            ],
            premises_address=premises if isinstance(premises, str) else None,
            on_commitment=on_commitment,
            issuer=keys.issuer_did(),
            valid_until=valid_until,
            **parts,
        )

    return licence_create(
        entity=entity,
        request=IssueRequest(
            kind=LicenceKind.INDUSTRY,
            type_code=industry.licence_type_code,
            industry_code=industry.code,
            valid_until=valid_until,
            on_commitment=on_commitment,
        ),
        build=build,
        actor=actor,
        now=now,
    )


def _approve(
    application: IndustryApplication, *, industry: Industry, actor: str, now: dt.datetime
) -> None:
    on_commitment = application.uses_commitment
    licence = _licence_issue(
        application, industry=industry, on_commitment=on_commitment, actor=actor, now=now
    )
    application.state = ApplicationState.APPROVED
    application.licence = licence
    application.decided_at = now
    application.save(update_fields=["state", "licence", "decided_at"])
    due_text = ""
    if on_commitment:
        due_on, estimated = workdays_add_or_estimate(
            timezone.localdate(now), industry.post_check_working_days
        )
        PostCheck.objects.create(
            application=application,
            licence=licence,
            conditions=sorted(
                key for key, how in application.conditions.items() if how["by"] == COMMITMENT
            ),
            due_on=due_on,
            due_on_estimated=estimated,
        )
        due_text = _("该证按告知承诺核发，相关部门将于 %(due)s 前进行事后核查。") % {
            "due": due_on.isoformat()
        }
    event_append(
        event_type=EVENT_DECIDED,
        actor=actor,
        subject=f"industry-application:{application.number}",
        payload={
            "number": application.number,
            "decision": "approved",
            "licence_id": licence.licence_id,
            "on_commitment": on_commitment,
        },
    )
    enterprise_notify(
        credit_code=application.credit_code,
        link=_application_link(application.number),
        title=_("行业综合许可证已核发：%(industry)s") % {"industry": industry.name},
        body=_("证照编号 %(id)s。%(due)s") % {"id": licence.licence_id, "due": due_text},
    )


def _locked_application(number: str) -> IndustryApplication:
    application = (
        IndustryApplication.objects.select_for_update()
        .select_related("entity")
        .filter(number=number)
        .first()
    )
    if application is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有编号为 %(number)s 的行业综合许可申请。") % {"number": number},
            {"number": number},
        )
    return application


def permit_review_decide(
    *, by: User, number: str, permit_code: str, approve: bool, opinion: str
) -> IndustryApplication:
    """并联审查: the permit's department approves or rejects (a rejection needs a reason)."""
    role_check(by, REVIEWING_ROLES, action=_("审查行业综合许可"))
    text = reason_parse(
        opinion,
        label=_("审查意见"),
        field="opinion",
        required=not approve,
        max_length=_TEXT_MAX,
        missing=_("不同意时必须填写审查意见（说明理由）。"),
    )
    actor = actor_of(by)
    now = timezone.now()
    with transaction.atomic():
        application = _locked_application(number)
        review = application.reviews.filter(permit_code=permit_code).first()
        if review is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("申请 %(number)s 不涉及许可“%(permit)s”。")
                % {"number": number, "permit": permit_code},
                {"permit_code": permit_code},
            )
        function = by.department.function if by.department is not None else ""
        if function != review.department_code or not covers(
            by.jurisdiction, application.entity.region_code
        ):
            raise DomainError(
                ErrorCode.PERMISSION_DENIED,
                _("该许可由市场主体所在地的%(department)s审查。")
                % {"department": catalogue_load().department(review.department_code).name},
                {"department": review.department_code},
            )
        if review.state != ReviewState.PENDING or application.state != ApplicationState.REVIEWING:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("该许可的审查已结束（%(state)s）。") % {"state": ReviewState(review.state).label},
                {"state": review.state},
            )
        review.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
        review.opinion = text
        review.reviewer = actor
        review.decided_at = now
        review.save(update_fields=["state", "opinion", "reviewer", "decided_at"])
        event_append(
            event_type=EVENT_REVIEWED,
            actor=actor,
            subject=f"industry-application:{number}",
            payload={
                "number": number,
                "permit": permit_code,
                "department": review.department_code,
                "decision": review.state,
            },
        )
        industry = catalogue_load().industry(application.industry_code)
        if not approve:
            application.reviews.filter(state=ReviewState.PENDING).update(
                state=ReviewState.CLOSED, decided_at=now
            )
            application.state = ApplicationState.REJECTED
            application.decided_at = now
            application.save(update_fields=["state", "decided_at"])
            event_append(
                event_type=EVENT_DECIDED,
                actor=actor,
                subject=f"industry-application:{number}",
                payload={"number": number, "decision": "rejected", "permit": permit_code},
            )
            enterprise_notify(
                credit_code=application.credit_code,
                link=_application_link(number),
                title=_("行业综合许可申请未获批准：%(industry)s") % {"industry": industry.name},
                body=_("申请编号 %(number)s，“%(permit)s”审查意见：%(opinion)s")
                % {
                    "number": number,
                    "permit": industry.permit(permit_code).name,
                    "opinion": text,
                },
            )
        elif not application.reviews.filter(state=ReviewState.PENDING).exists():
            _approve(application, industry=industry, actor=actor, now=now)
    return application


def post_check_record(*, by: User, number: str, passed: bool, findings: str) -> PostCheck:
    """事后核查: passed re-issues the licence without the commitment mark; failed revokes it
    (status list), with a ledger event and a notice to the enterprise."""
    role_check(by, POST_CHECK_ROLES, action=_("登记事后核查结果"))
    text = reason_parse(
        findings,
        label=_("核查情况"),
        field="findings",
        required=not passed,
        max_length=_TEXT_MAX,
        missing=_("核查不通过时必须填写核查情况。"),
    )
    actor = actor_of(by)
    now = timezone.now()
    with transaction.atomic():
        application = _locked_application(number)
        check = PostCheck.objects.select_for_update().filter(application=application).first()
        if check is None or check.state != PostCheckState.SCHEDULED:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("申请 %(number)s 没有待办的事后核查。") % {"number": number},
                {"number": number},
            )
        industry = catalogue_load().industry(application.industry_code)
        licence = check.licence
        if passed:
            check.state = PostCheckState.PASSED
            if licence.state in (LicenceState.ACTIVE, LicenceState.SUSPENDED):
                application.licence = _licence_issue(
                    application, industry=industry, on_commitment=False, actor=actor, now=now
                )
                application.save(update_fields=["licence"])
            notice = _("事后核查通过，已换发不带“告知承诺”标记的行业综合许可证 %(id)s。") % {
                "id": application.licence.licence_id if application.licence else ""
            }
        else:
            check.state = PostCheckState.FAILED
            if licence.state in (LicenceState.ACTIVE, LicenceState.SUSPENDED):
                licence_state_set_as(
                    actor=actor,
                    licence_id=licence.licence_id,
                    state=LicenceState.REVOKED,
                    reason=_("告知承诺事后核查不通过：%(findings)s") % {"findings": text},
                )
            notice = _(
                "事后核查发现承诺与实际不符，行业综合许可证 %(id)s 已撤销。核查情况：%(findings)s"
            ) % {
                "id": licence.licence_id,
                "findings": text,
            }
        check.findings = text
        check.checked_by = actor
        check.checked_at = now
        check.save(update_fields=["state", "findings", "checked_by", "checked_at"])
        event_append(
            event_type=EVENT_POST_CHECKED,
            actor=actor,
            subject=f"industry-application:{number}",
            payload={
                "number": number,
                "licence_id": licence.licence_id,
                "passed": passed,
                "due_on": check.due_on.isoformat(),
                "overdue": timezone.localdate(now) > check.due_on,
            },
        )
        enterprise_notify(
            credit_code=application.credit_code,
            link=_application_link(number),
            title=_("事后核查结果：%(industry)s") % {"industry": industry.name},
            body=notice,
        )
    return check
