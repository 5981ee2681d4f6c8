"""Establishment, change and simplified deregistration through the services."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from yingshang.accounts.services import department_create
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.models import Licence, LicenceState
from yingshang.matters.bundles import bundle_create, bundle_digest, bundle_sign, bundle_submit
from yingshang.matters.models import Application, State
from yingshang.matters.services import (
    Action,
    application_act,
    application_data_save,
    application_digest,
)
from yingshang.matters.signatures import application_sign
from yingshang.registration.demo import demo_registrations_ensure
from yingshang.registration.models import (
    Deregistration,
    DeregistrationState,
    NameReservation,
    ObjectionState,
    OutboundNotice,
    RegistrationCase,
)
from yingshang.registration.nameindex import name_index_entity
from yingshang.registration.services import (
    commitment_sign,
    deregistrations_conclude,
    objection_decide,
    objection_file,
)
from yingshang.registry.members import members_parse
from yingshang.registry.models import EntityStatus, MarketEntity
from yingshang.registry.restrictions import restriction_record
from yingshang.registry.services import entity_data_parse, entity_register

from . import journeys as j

pytestmark = pytest.mark.django_db


@pytest.fixture
def founder():
    return j.person("founder", 101, name="王芳")


@pytest.fixture
def officer():
    return j.registration_officer()


def test_a_standard_establishment_is_approved_at_once_with_entity_licence_and_notices(founder):
    application = j.establish(founder)
    application.refresh_from_db()
    assert application.state == State.COMPLETED
    entity = MarketEntity.objects.get(credit_code=application.credit_code)
    assert entity.name.startswith("上海") and entity.status == EntityStatus.ACTIVE
    assert entity.legal_representative_id_number == founder.id_number
    assert [i.identifier for i in entity.investors.all()] == [founder.id_number]
    assert entity.industry_code == "6513" and "软件开发" in entity.business_scope
    licence = Licence.objects.get(entity=entity)
    assert licence.state == LicenceState.ACTIVE
    case = RegistrationCase.objects.get(application=application)
    assert case.automatic and case.credit_code == entity.credit_code
    assert set(
        OutboundNotice.objects.filter(credit_code=entity.credit_code).values_list(
            "department", flat=True
        )
    ) == {"GAJ", "SW", "RSJ", "GJJ", "YH"}


def test_a_case_with_warnings_waits_for_an_officer_whose_approval_registers(founder, officer):
    application = j.establish(founder, capital="200000")  # 20亿: unusually large
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    case = RegistrationCase.objects.get(application=application)
    assert [w["code"] for w in case.warnings] == ["CAPITAL_LARGE"]
    assert not MarketEntity.objects.filter(name__contains="科技有限公司").exists()
    for action in (Action.ACCEPT, Action.REVIEW, Action.APPROVE):
        application_act(by=officer, number=application.number, action=action)
    application.refresh_from_db()
    assert application.state == State.APPROVED and application.credit_code
    assert Licence.objects.filter(credit_code=application.credit_code).count() == 1


def test_bad_forms_are_refused_naming_the_field_and_nothing_is_written(founder):
    number = j.reserve(founder, j.unique_trade_name())
    data = j.establishment_data(founder, number)
    data["investors"][0]["subscribed_capital"] = "50"  # not the registered capital
    application = j.registration_start_establishment(founder, data)
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, application)
    assert exc.value.details["field"] in ("investors", "materials")
    j.upload_domicile_proof(founder, application)
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, application)
    assert exc.value.details["field"] == "investors"
    assert "注册资本" in exc.value.message
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert MarketEntity.objects.count() == 0


def test_the_wizard_saves_and_resumes_a_draft_with_version_checks(founder):
    application = j.registration_start_establishment(founder, {"entity_type": "limited_np"})
    saved = application_data_save(
        by=founder, number=application.number, data={"address": "张江路1号"}, expected_version=1
    )
    assert saved.data == {"address": "张江路1号"} and saved.version == 2
    with pytest.raises(DomainError) as exc:
        application_data_save(by=founder, number=application.number, data={}, expected_version=1)
    assert exc.value.code == ErrorCode.STALE_VERSION


def test_an_expired_reservation_is_refused_with_its_own_code(founder):
    number = j.reserve(founder, j.unique_trade_name())

    NameReservation.objects.filter(number=number).update(
        reserved_at=timezone.now() - datetime.timedelta(days=70),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    application = j.registration_start_establishment(founder, j.establishment_data(founder, number))
    j.upload_domicile_proof(founder, application)
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, application)
    assert exc.value.code == ErrorCode.RESERVATION_EXPIRED


def test_change_of_domicile_and_capital_reissues_the_licence_and_notifies(founder):
    established = j.establish(founder)
    established.refresh_from_db()
    code = established.credit_code
    old = Licence.objects.get(credit_code=code)
    application = j.change(
        founder,
        code,
        {"address": "上海市浦东新区世纪大道200号", "registered_capital": "300"},
        members_capital="300",
    )
    application.refresh_from_db()
    assert application.state == State.COMPLETED
    entity = MarketEntity.objects.get(credit_code=code)
    assert entity.address == "上海市浦东新区世纪大道200号"
    assert entity.registered_capital == j.money("300") and entity.version == 2
    old.refresh_from_db()
    assert old.state == LicenceState.SUPERSEDED
    assert Licence.objects.get(credit_code=code, state=LicenceState.ACTIVE).version == 2
    changed = OutboundNotice.objects.filter(credit_code=code, event="changed", department="SW")
    assert changed.get().payload["changed_fields"] == [
        "address",
        "investors",
        "registered_capital",
    ]


def test_a_change_built_on_an_outdated_version_is_refused(founder):
    established = j.establish(founder)
    established.refresh_from_db()
    code = established.credit_code
    stale = j.change_draft(founder, code, {"address": "上海市浦东新区世纪大道1号"})
    j.change(founder, code, {"address": "上海市浦东新区世纪大道2号"})
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, stale)
    assert exc.value.code == ErrorCode.STALE_VERSION
    assert MarketEntity.objects.get(credit_code=code).address.endswith("2号")


def test_only_the_entity_or_its_legal_representative_may_apply(founder):
    established = j.establish(founder)
    established.refresh_from_db()
    stranger = j.person("stranger", 303)
    with pytest.raises(DomainError) as exc:
        j.change_draft(stranger, established.credit_code, {"address": "某地"})
    assert exc.value.code == ErrorCode.PERMISSION_DENIED


def _established(founder) -> str:
    application = j.establish(founder)
    application.refresh_from_db()
    return application.credit_code


def _notice_ran_out(deregistration: Deregistration) -> None:
    """Twenty-one days pass: move the notice into the past."""
    today = timezone.localdate()
    Deregistration.objects.filter(pk=deregistration.pk).update(
        notice_starts_on=today - datetime.timedelta(days=21),
        notice_ends_on=today - datetime.timedelta(days=1),
    )


def test_simplified_deregistration_notice_objection_and_conclusion(founder, officer):
    code = _established(founder)
    application = j.deregistration_start(founder, code)
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, application)
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED  # the investor's commitment
    commitment_sign(by=founder, number=application.number, password=j.PASSWORD)
    j.sign_and_submit(founder, application)
    deregistration = Deregistration.objects.get(application=application)
    assert deregistration.state == DeregistrationState.NOTICE
    assert deregistration.notice_ends_on == timezone.localdate() + datetime.timedelta(days=20)
    objection = objection_file(
        deregistration_number=deregistration.number,
        objector="上海某某材料有限公司",
        contact="021-12345678",
        grounds="尚欠我司货款5万元未结清。",
    )
    objection_decide(
        by=officer, number=objection.number, upheld=False, reason="债务已清偿，有收据。"
    )
    assert deregistrations_conclude() == []  # the notice is still running
    _notice_ran_out(deregistration)
    assert deregistrations_conclude() == [deregistration.number]
    with pytest.raises(DomainError) as exc:
        objection_file(
            deregistration_number=deregistration.number,
            objector="某人",
            contact="13900000000",
            grounds="迟到的异议。",
        )
    assert exc.value.code == ErrorCode.DEADLINE_PASSED
    entity = MarketEntity.objects.get(credit_code=code)
    assert entity.status == EntityStatus.CANCELLED
    assert not Licence.objects.filter(credit_code=code, state=LicenceState.ACTIVE).exists()
    assert entity.versions.count() == 2  # history kept


def test_an_upheld_objection_terminates_and_blocks_another_simplified_deregistration(
    founder, officer
):
    code = _established(founder)
    deregistration = j.deregister(founder, code)
    application = deregistration.application
    objection = objection_file(
        deregistration_number=deregistration.number,
        objector="债权人",
        contact="13800000000",
        grounds="欠款未还。",
    )
    objection_decide(by=officer, number=objection.number, upheld=True, reason="欠款属实。")
    deregistration.refresh_from_db()
    application.refresh_from_db()
    assert deregistration.state == DeregistrationState.TERMINATED
    assert application.state == State.REJECTED
    assert objection.__class__.objects.get(pk=objection.pk).state == ObjectionState.UPHELD
    again = j.deregistration_start(founder, code)
    commitment_sign(by=founder, number=again.number, password=j.PASSWORD)
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, again)
    assert exc.value.code == ErrorCode.NOT_ELIGIBLE
    assert exc.value.details["rule"] == "terminated_before"


def test_an_entity_on_the_abnormal_list_is_not_eligible(founder):
    code = _established(founder)
    inspector = j.official("inspector1", role="inspector")
    restriction_record(
        by=inspector,
        credit_code=code,
        kind="abnormal_operation",
        authority="浦东新区市场监督管理局",
        reference="沪监管浦异〔2026〕1号",
        since=timezone.localdate(),
    )
    application = j.deregistration_start(founder, code)
    commitment_sign(by=founder, number=application.number, password=j.PASSWORD)
    with pytest.raises(DomainError) as exc:
        j.sign_and_submit(founder, application)
    assert exc.value.code == ErrorCode.NOT_ELIGIBLE
    assert exc.value.details["rule"] == "abnormal_operation"


def test_the_conclude_command_deregisters_ended_notices(founder):
    code = _established(founder)
    deregistration = j.deregister(founder, code)
    listing = StringIO()
    call_command("registration", "notices", stdout=listing)
    assert deregistration.number in listing.getvalue()
    _notice_ran_out(deregistration)
    out = StringIO()
    call_command("registration", "conclude", stdout=out)
    assert deregistration.number in out.getvalue()
    assert MarketEntity.objects.get(credit_code=code).status == EntityStatus.CANCELLED


def test_an_individual_business_skips_the_notice(founder):
    entity = entity_register(
        actor="test",
        data=entity_data_parse(
            {
                "name": "上海浦东新区王芳便利店",
                "entity_type": "individual_business",
                "legal_representative": "王芳",
                "legal_representative_id_number": founder.id_number,
                "established_on": "2020-01-01",
                "region_code": j.REGION,
                "address": "上海市浦东新区张杨路1号",
                "industry_code": "5212",
                "business_scope": "食品销售",
            }
        ),
        members=members_parse(
            [
                {
                    "name": "王芳",
                    "kind": "person",
                    "identifier": founder.id_number,
                    "subscribed_capital": "5",
                }
            ],
            [],
        ),
    )
    application = j.deregistration_start(founder, entity.credit_code)
    commitment_sign(by=founder, number=application.number, password=j.PASSWORD)
    j.sign_and_submit(founder, application)
    application.refresh_from_db()
    assert application.state == State.COMPLETED
    deregistration = Deregistration.objects.get(application=application)
    assert deregistration.notice_ends_on is None
    assert deregistration.state == DeregistrationState.DEREGISTERED
    entity.refresh_from_db()
    assert entity.status == EntityStatus.CANCELLED


def test_the_opening_bundle_establishes_and_gives_every_department_the_new_code(founder):
    number = j.reserve(founder, j.unique_trade_name())
    bundle = bundle_create(
        by=founder,
        bundle_code="enterprise-opening",
        data={
            **j.establishment_data(founder, number),
            "parts": {"seal-filing": {"seals": ["公章", "财务专用章"]}},
        },
        situations={"enterprise-establishment": "llc"},
    )
    lead = Application.objects.get(bundle=bundle, matter_code="enterprise-establishment")
    j.upload_domicile_proof(founder, lead)
    bundle.refresh_from_db()
    bundle_sign(
        by=founder, number=bundle.number, password=j.PASSWORD, expected_digest=bundle_digest(bundle)
    )
    bundle_submit(by=founder, number=bundle.number, idempotency_key="opening-0001")
    lead.refresh_from_db()
    assert lead.state == State.COMPLETED and lead.credit_code
    members = Application.objects.filter(bundle=bundle)
    assert members.count() == 7
    assert set(members.values_list("credit_code", flat=True)) == {lead.credit_code}
    seal = members.get(matter_code="seal-filing")
    assert seal.state == State.SUBMITTED and seal.data == {"seals": ["公章", "财务专用章"]}


def test_the_expire_command_closes_reservations_past_their_term(founder):
    number = j.reserve(founder, j.unique_trade_name())
    NameReservation.objects.filter(number=number).update(
        reserved_at=timezone.now() - datetime.timedelta(days=70),
        expires_at=timezone.now() - datetime.timedelta(days=9),
    )
    out = StringIO()
    call_command("names", "expire", stdout=out)
    assert "1" in out.getvalue()
    assert NameReservation.objects.get(number=number).state == "expired"


def test_an_objection_still_open_at_the_end_waits_for_the_registrar(founder, officer):
    code = _established(founder)
    deregistration = j.deregister(founder, code)
    application = deregistration.application
    objection = objection_file(
        deregistration_number=deregistration.number,
        objector="职工张某",
        contact="13700000000",
        grounds="拖欠工资未发。",
    )
    _notice_ran_out(deregistration)
    assert deregistrations_conclude() == []
    deregistration.refresh_from_db()
    assert deregistration.state == DeregistrationState.PENDING_DECISION
    with pytest.raises(DomainError) as exc:
        application_act(by=officer, number=application.number, action=Action.APPROVE)
    assert exc.value.code == ErrorCode.INVALID_STATE  # the objection is undecided
    objection_decide(by=officer, number=objection.number, upheld=False, reason="工资已结清。")
    application_act(by=officer, number=application.number, action=Action.APPROVE)
    deregistration.refresh_from_db()
    assert deregistration.state == DeregistrationState.DEREGISTERED
    assert MarketEntity.objects.get(credit_code=code).status == EntityStatus.CANCELLED


def test_only_the_registering_department_in_its_jurisdiction_decides(founder, officer):
    application = j.establish(founder, capital="200000")  # waits for an officer
    department_create(
        actor="test", code="PD-GAJ", name="公安浦东分局", region_code=j.REGION, function="GAJ"
    )
    police = j.official("police", role="registration_officer", department="PD-GAJ")
    with pytest.raises(DomainError) as exc:
        application_act(by=police, number=application.number, action=Action.ACCEPT)
    assert exc.value.code == ErrorCode.PERMISSION_DENIED
    department_create(
        actor="test",
        code="HP-SAMR",
        name="黄浦区市场监督管理局",
        region_code="310101",
        function="SCJG",
    )
    elsewhere = j.official("huangpu", role="registration_officer", department="HP-SAMR")
    elsewhere.jurisdiction = "310101"
    elsewhere.save(update_fields=["jurisdiction"])
    with pytest.raises(DomainError) as exc:
        application_act(by=elsewhere, number=application.number, action=Action.ACCEPT)
    assert exc.value.code == ErrorCode.OUTSIDE_JURISDICTION
    application_act(by=officer, number=application.number, action=Action.ACCEPT)


def test_the_demo_picks_free_names_in_whatever_register_it_meets(founder):
    taken = entity_register(
        actor="test",
        data=entity_data_parse(
            {
                "name": "上海澜翊信息科技有限公司",
                "entity_type": "limited",
                "legal_representative": "某人",
                "legal_representative_id_number": j.id_number(7),
                "established_on": "2020-01-01",
                "region_code": "310104",
                "address": "上海市徐汇区某路1号",
                "industry_code": "6513",
                "business_scope": "软件开发",
            }
        ),
    )
    name_index_entity(taken)
    made = demo_registrations_ensure(founder=founder, password=j.PASSWORD)
    assert made is not None
    entity = MarketEntity.objects.get(credit_code=made.established)
    assert entity.name != taken.name and entity.status == EntityStatus.ACTIVE
    again = demo_registrations_ensure(founder=founder, password=j.PASSWORD)
    assert again == made  # once only


def test_corrections_are_signed_again_before_they_are_resubmitted(founder, officer):
    application = j.establish(founder, capital="200000")  # waits for an officer
    j.send_back(officer, application, "注册资本与出资能力不符，请核实后调整。")
    application_data_save(
        by=founder, number=application.number, data=j.with_capital(application, "1000")
    )
    with pytest.raises(DomainError) as exc:
        application_act(by=founder, number=application.number, action=Action.RESUBMIT)
    assert exc.value.code == ErrorCode.SIGNATURE_REQUIRED  # the old signature covers old data
    application.refresh_from_db()

    application_sign(
        by=founder,
        number=application.number,
        password=j.PASSWORD,
        expected_digest=application_digest(application),
    )
    resubmitted = application_act(by=founder, number=application.number, action=Action.RESUBMIT)
    assert resubmitted.state == State.UNDER_REVIEW
