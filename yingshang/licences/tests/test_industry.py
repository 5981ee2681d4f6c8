"""一业一证 and 承诺即入: one form, parallel review, one licence; commitment and post-check."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from yingshang.accounts.models import Notification, Role, User
from yingshang.accounts.services import NewUser, department_create, user_create
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.workdays import workdays_add_or_estimate
from yingshang.ledger.models import LedgerEvent
from yingshang.licences import industry
from yingshang.licences.eid_test_issuer import TestEidIssuer
from yingshang.licences.models import (
    ApplicationState,
    LicenceState,
    PostCheckState,
    ReviewState,
)
from yingshang.licences.trust import issuer_entry_parse, trusted_issuer_save
from yingshang.licences.verification import Reason, credential_verify
from yingshang.registry.tests.conftest import ID_NUMBER

from .conftest import (
    FOOD,
    FOOD_CONDITIONS,
    PASSWORD,
    STORE_FORM,
    TOBACCO_COMMITMENTS,
    TOBACCO_MATERIALS,
    commit_all,
)


def _submit(applicant: User, entity, **raw: Any):
    data = industry.application_input_parse(raw)
    return industry.industry_application_submit(
        by=applicant, credit_code=entity.credit_code, data=data
    )


def test_all_conditions_on_commitment_issues_the_licence_at_once(applicant, entity, store_form):
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=commit_all(FOOD, FOOD_CONDITIONS),
    )
    assert application.state == ApplicationState.APPROVED
    assert [r.state for r in application.reviews.all()] == [ReviewState.WAIVED]
    licence = application.licence
    assert licence is not None and licence.on_commitment
    subject = licence.credential["credentialSubject"]
    assert subject["issuedOnCommitment"] is True
    assert [p["permitName"] for p in subject["replacesPermits"]] == ["食品经营许可证"]
    assert licence.licence_id.split(".")[5] == "YYYZ01"
    assert credential_verify(licence.credential).valid
    check = application.post_check
    assert check.state == PostCheckState.SCHEDULED
    assert check.due_on > timezone.localdate()
    assert sorted(check.conditions) == sorted(commit_all(FOOD, FOOD_CONDITIONS))
    events = set(LedgerEvent.objects.values_list("event_type", flat=True))
    assert {industry.EVENT_SUBMITTED, industry.EVENT_DECIDED, "licences.licence.issued"} <= events
    assert Notification.objects.filter(credit_code=entity.credit_code).count() == 1


def test_failed_post_check_revokes_the_licence_and_notifies(
    applicant, entity, store_form, reviewer
):
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=commit_all(FOOD, FOOD_CONDITIONS),
    )
    inspector = reviewer("SCJG", Role.INSPECTOR)
    check = industry.post_check_record(
        by=inspector, number=application.number, passed=False, findings="现场无冷藏设备"
    )
    assert check.state == PostCheckState.FAILED
    licence = application.licence
    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED
    assert credential_verify(licence.credential).reasons == (Reason.REVOKED,)
    notice = Notification.objects.filter(credit_code=entity.credit_code).first()
    assert notice is not None and "现场无冷藏设备" in notice.body
    assert LedgerEvent.objects.filter(event_type=industry.EVENT_POST_CHECKED).exists()
    with pytest.raises(DomainError) as exc:
        industry.post_check_record(
            by=inspector, number=application.number, passed=True, findings=""
        )
    assert exc.value.code == ErrorCode.INVALID_STATE


def test_passed_post_check_reissues_without_the_mark(applicant, entity, store_form, reviewer):
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=commit_all(FOOD, FOOD_CONDITIONS),
    )
    first = application.licence
    industry.post_check_record(
        by=reviewer("SCJG", Role.INSPECTOR), number=application.number, passed=True, findings=""
    )
    application.refresh_from_db()
    second = application.licence
    assert second.pk != first.pk and second.version == first.version + 1
    assert second.credential["credentialSubject"]["issuedOnCommitment"] is False
    assert not second.on_commitment
    first.refresh_from_db()
    assert first.state == LicenceState.SUPERSEDED
    assert credential_verify(second.credential).valid
    assert credential_verify(first.credential).reasons == (Reason.REVOKED,)


def test_parallel_review_by_each_department_then_one_licence(
    applicant, entity, store_form, reviewer
):
    store_form.update(sells_alcohol=True, sells_tobacco=True)
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=[
            *commit_all(FOOD, FOOD_CONDITIONS),
            "alcohol-retail.no-sale-to-minors",
            "alcohol-retail.liquor-traceability",
            "tobacco-retail.funds",
            "tobacco-retail.fixed-premises",
        ],
        materials={
            "alcohol-retail.not-near-school": ["经营场所方位图（标明周边学校、幼儿园）"],
            "tobacco-retail.layout": ["经营场所方位图（标明周边烟草零售点）"],
            "tobacco-retail.not-near-school": ["经营场所方位图（标明周边学校、幼儿园）"],
        },
    )
    assert application.state == ApplicationState.REVIEWING
    states = {r.permit_code: (r.state, r.department_code) for r in application.reviews.all()}
    assert states == {
        FOOD: (ReviewState.WAIVED, "SCJG"),
        "alcohol-retail": (ReviewState.PENDING, "SCJG"),
        "tobacco-retail": (ReviewState.PENDING, "YCZM"),
    }
    market, tobacco = reviewer("SCJG"), reviewer("YCZM")
    with pytest.raises(DomainError) as exc:  # a department reviews only its own permits
        industry.permit_review_decide(
            by=market,
            number=application.number,
            permit_code="tobacco-retail",
            approve=True,
            opinion="",
        )
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    industry.permit_review_decide(
        by=tobacco,
        number=application.number,
        permit_code="tobacco-retail",
        approve=True,
        opinion="符合",
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.REVIEWING and application.licence is None
    industry.permit_review_decide(
        by=market,
        number=application.number,
        permit_code="alcohol-retail",
        approve=True,
        opinion="",
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    licence = application.licence
    assert licence is not None
    permits = licence.credential["credentialSubject"]["replacesPermits"]
    assert [p["permitCode"] for p in permits] == [FOOD, "alcohol-retail", "tobacco-retail"]
    assert licence.on_commitment  # some conditions were met by commitment


def test_a_rejection_ends_the_application(applicant, entity, store_form, reviewer):
    store_form.update(sells_tobacco=True)
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=[*commit_all(FOOD, FOOD_CONDITIONS), *TOBACCO_COMMITMENTS],
        materials=TOBACCO_MATERIALS,
    )
    tobacco = reviewer("YCZM")
    with pytest.raises(DomainError) as exc:  # a rejection needs a reason
        industry.permit_review_decide(
            by=tobacco,
            number=application.number,
            permit_code="tobacco-retail",
            approve=False,
            opinion=" ",
        )
    assert exc.value.code == ErrorCode.INVALID_INPUT
    industry.permit_review_decide(
        by=tobacco,
        number=application.number,
        permit_code="tobacco-retail",
        approve=False,
        opinion="距离学校不足50米",
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED and application.licence is None
    assert "距离学校不足50米" in Notification.objects.first().body  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"industry": "casino"}, "industry"),
        ({"form": {**STORE_FORM, "business_area_m2": "-3"}}, "business_area_m2"),
        ({"form": {**STORE_FORM, "unknown": 1}}, "unknown"),
        ({"commitments": ["food-business.premises"]}, "materials.food-business.equipment"),
        (
            {"commitments": [*commit_all(FOOD, FOOD_CONDITIONS), "alcohol-retail.funds"]},
            "commitments",
        ),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_applications_name_what_to_fix(change, field, store_form):
    raw = {
        "industry": "convenience-store",
        "form": store_form,
        "commitments": commit_all(FOOD, FOOD_CONDITIONS),
        **change,
    }
    if "form" in change and "chain_type" not in change["form"]:
        raw["form"] = {**change["form"], "chain_type": store_form["chain_type"]}
    with pytest.raises(DomainError) as exc:
        industry.application_input_parse(raw)
    assert exc.value.code in (ErrorCode.INVALID_INPUT, ErrorCode.NOT_FOUND)
    assert exc.value.details.get("field") == field or field == "industry"
    assert exc.value.message


def test_evidence_only_condition_cannot_be_committed(store_form):
    store_form.update(sells_alcohol=True)
    with pytest.raises(DomainError) as exc:
        industry.application_input_parse(
            {
                "industry": "convenience-store",
                "form": store_form,
                "commitments": [
                    *commit_all(FOOD, FOOD_CONDITIONS),
                    "alcohol-retail.not-near-school",
                ],
            }
        )
    assert "不适用告知承诺" in exc.value.message


def test_only_the_bound_enterprise_may_apply(entity, register_other, store_form):
    data = industry.application_input_parse(
        {
            "industry": "convenience-store",
            "form": store_form,
            "commitments": commit_all(FOOD, FOOD_CONDITIONS),
        }
    )
    other_firm = user_create(
        actor="test",
        new=NewUser(
            username="other-firm",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            entity_credit_code=register_other.credit_code,
        ),
    )
    public = user_create(
        actor="test", new=NewUser(username="someone", password=PASSWORD, role=Role.PUBLIC)
    )
    for user in (other_firm, public):
        with pytest.raises(DomainError) as exc:
            industry.industry_application_submit(by=user, credit_code=entity.credit_code, data=data)
        assert exc.value.code == ErrorCode.PERMISSION_DENIED


def test_trusted_e_id_proves_the_legal_representative(applicant, entity, store_form, make_official):
    eid = TestEidIssuer()
    trusted_issuer_save(by=make_official(), entry=issuer_entry_parse(eid.trust_entry()))
    raw = {
        "industry": "convenience-store",
        "form": store_form,
        "commitments": commit_all(FOOD, FOOD_CONDITIONS),
    }
    good = eid.issue(full_name=entity.legal_representative, id_number=ID_NUMBER)
    application = _submit(applicant, entity, **raw, identity_credential=good)
    assert application.identity["issuer"] == eid.did
    someone_else = eid.issue(full_name="李四", id_number=ID_NUMBER)
    with pytest.raises(DomainError) as exc:
        _submit(applicant, entity, **raw, identity_credential=someone_else)
    assert "姓名" in exc.value.message


def test_deadlines_fall_back_to_weekdays_when_holidays_are_unknown():
    due, estimated = workdays_add_or_estimate(dt.date(2026, 12, 28), 5)
    assert estimated and due == dt.date(2027, 1, 4)
    due, estimated = workdays_add_or_estimate(dt.date(2026, 9, 28), 3)
    assert not estimated and due == dt.date(2026, 10, 8)  # 国庆 1-7 October skipped


def test_post_checks_command_lists_what_is_due(applicant, entity, store_form):
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=commit_all(FOOD, FOOD_CONDITIONS),
    )
    out = StringIO()
    call_command("licences", "post-checks", stdout=out)
    assert application.number in out.getvalue() and "共 1 项" in out.getvalue()
    out = StringIO()
    call_command("licences", "post-checks", "--overdue", stdout=out)
    assert application.number not in out.getvalue()


def test_an_official_outside_the_jurisdiction_cannot_review(applicant, entity, store_form):
    store_form.update(sells_tobacco=True)
    application = _submit(
        applicant,
        entity,
        industry="convenience-store",
        form=store_form,
        commitments=[*commit_all(FOOD, FOOD_CONDITIONS), *TOBACCO_COMMITMENTS],
        materials=TOBACCO_MATERIALS,
    )
    department_create(
        actor="test", code="MH-YCZM", name="闵行烟草", region_code="310112", function="YCZM"
    )
    minhang = user_create(
        actor="test",
        new=NewUser(
            username="minhang-tobacco",
            password=PASSWORD,
            role=Role.LICENSING_OFFICER,
            department_code="MH-YCZM",
            jurisdiction="310112",
        ),
    )
    assert entity.region_code == "310115"
    with pytest.raises(DomainError) as exc:
        industry.permit_review_decide(
            by=minhang,
            number=application.number,
            permit_code="tobacco-retail",
            approve=True,
            opinion="",
        )
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
