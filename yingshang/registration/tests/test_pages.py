"""The registration pages through Django's test client: who may open them, the Chinese
error beside the field, and the journeys (establish, change, deregister, object, counter)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from yingshang.licences.tests.conftest import sign_in
from yingshang.matters.models import Application, State
from yingshang.matters.services import application_data_save
from yingshang.registration.models import (
    Deregistration,
    DeregistrationState,
    Objection,
    ObjectionState,
)
from yingshang.registry.models import MarketEntity
from yingshang.registry.restrictions import restriction_record

from . import journeys as j

pytestmark = pytest.mark.django_db


@pytest.fixture
def founder():
    return j.person("founder", 101, name="王芳")


@pytest.fixture
def officer():
    return j.registration_officer()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _version(number: str) -> str:
    return str(Application.objects.get(number=number).version)


def _step(client: Client, number: str, step: str, fields: dict[str, Any], **extra: Any):
    return client.post(
        f"/registration/applications/{number}/{step}/",
        {"version": _version(number), "action": "next", **fields},
        **extra,
    )


def _wizard_fields(person, reservation: str, *, capital: str = "100") -> list[tuple[str, dict]]:
    data = j.establishment_data(person, reservation, capital=capital)
    investor = data["investors"][0]
    officers = data["officers"]
    return [
        ("name", {"reservation": reservation}),
        (
            "basics",
            {
                "entity_type": "limited_np",
                "region_code": j.REGION,
                "address": data["address"],
                "registered_capital": capital,
                "capital_currency": "CNY",
                "business_term_end": "",
            },
        ),
        ("scope", {"scope": ["6513", "6519"]}),
        (
            "investors",
            {f"investors-0-{key}": str(value) for key, value in investor.items()},
        ),
        (
            "officers",
            {
                "legal_representative": person.display_name,
                "legal_representative_id_number": person.id_number,
                **{
                    f"officers-{i}-{key}": value
                    for i, officer in enumerate(officers)
                    for key, value in officer.items()
                },
            },
        ),
    ]


def _fill(client: Client, number: str, person, reservation: str, *, capital: str = "100"):
    for step, fields in _wizard_fields(person, reservation, capital=capital):
        response = _step(client, number, step, fields)
        assert response.status_code == 302, (step, _text(response))
    upload = SimpleUploadedFile("住所使用证明.pdf", j.PDF, content_type="application/pdf")
    response = client.post(
        f"/registration/applications/{number}/materials/",
        {"action": "upload", "material_code": "domicile-proof", "file": upload},
    )
    assert response.status_code == 302, _text(response)


def _submit(client: Client, number: str, password: str = j.PASSWORD):
    review = client.get(f"/registration/applications/{number}/review/")
    assert review.status_code == 200
    digest = review.context["digest"]
    return client.post(
        f"/registration/applications/{number}/review/",
        {
            "action": "submit",
            "version": _version(number),
            "digest": digest,
            "password": password,
            "idempotency_key": f"key-{number}",
        },
    )


def _establish_online(client: Client, founder, *, capital: str = "100") -> Application:
    reservation = j.reserve(founder, j.unique_trade_name())
    started = client.post("/registration/establish/", {"situation": "llc"})
    assert started.status_code == 302
    number = started["Location"].split("/")[-3]
    _fill(client, number, founder, reservation, capital=capital)
    response = _submit(client, number)
    assert response.status_code == 302, _text(response)
    return Application.objects.get(number=number)


# --- Who may open what ----------------------------------------------------------------------


def test_public_pages_render_and_the_others_ask_to_sign_in(client: Client):
    assert client.get("/registration/").status_code == 200
    assert "简易注销公告" in _text(client.get("/registration/notices/"))
    for url in (
        "/registration/names/",
        "/registration/establish/",
        "/registration/entities/",
        "/registration/counter/",
        "/registration/objections/",
        "/registration/applications/BJ0001/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_applicants_cannot_use_the_officers_pages_and_strangers_not_others_drafts(founder):
    client = _client(founder)
    assert client.get("/registration/names/").status_code == 200
    assert client.get("/registration/establish/").status_code == 200
    counter = client.get("/registration/counter/")
    assert counter.status_code == 403 and "登记注册人员" in _text(counter)
    assert client.get("/registration/objections/").status_code == 403
    started = client.post("/registration/establish/", {"situation": "llc"})
    number = started["Location"].split("/")[-3]
    stranger = _client(j.person("stranger", 303))
    assert stranger.get(f"/registration/applications/{number}/name/").status_code == 404


def test_an_official_without_the_second_factor_is_sent_to_sign_in(officer):
    client = _client(officer)  # password only: no TOTP step
    assert client.get("/registration/counter/").status_code == 302
    verified = sign_in(Client(), officer)
    assert verified.get("/registration/counter/").status_code == 200
    assert verified.get("/registration/objections/").status_code == 200


# --- Names ----------------------------------------------------------------------------------


def test_the_live_name_check_shows_the_verdict_and_the_conflicting_name(founder):
    client = Client()  # the check is public
    trade = j.unique_trade_name()
    name = f"上海{trade}科技有限公司"
    fields = {"name": name, "region_code": j.REGION, "entity_type": "limited_np"}
    ok = client.post("/registration/names/check/", fields)
    assert ok.status_code == 200 and 'data-verdict="ok"' in _text(ok)
    j.reserve(founder, trade)
    taken = client.post("/registration/names/check/", fields)
    assert 'data-verdict="conflict"' in _text(taken) and name in _text(taken)
    bad = client.post("/registration/names/check/", {**fields, "name": "上海公司"})
    assert 'data-verdict="invalid"' in _text(bad)


def test_a_name_is_reserved_through_the_page_and_a_bad_one_is_refused_in_chinese(founder):
    client = _client(founder)
    name = f"上海{j.unique_trade_name()}科技有限公司"
    fields = {
        "action": "reserve",
        "name": name,
        "region_code": j.REGION,
        "entity_type": "limited_np",
        "industry_code": "6513",
    }
    response = client.post("/registration/names/", fields)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "已保留" in _text(page) and name in _text(page)
    again = client.post("/registration/names/", fields)
    assert again.status_code == 409 and 'data-testid="error-name"' in _text(again)
    no_type = client.post("/registration/names/", {**fields, "entity_type": ""})
    assert no_type.status_code == 400 and "请选择市场主体类型" in _text(no_type)


# --- Establishment --------------------------------------------------------------------------


def test_a_person_establishes_a_company_through_the_wizard_and_gets_the_licence(founder):
    client = _client(founder)
    application = _establish_online(client, founder)
    assert application.state == State.COMPLETED and application.credit_code
    outcome = _text(client.get(f"/registration/applications/{application.number}/"))
    assert application.credit_code in outcome and "秒批" in outcome
    assert f"/licences/entity/{application.credit_code}/" in outcome
    assert client.get(f"/licences/entity/{application.credit_code}/").status_code == 200
    mine = _text(client.get("/registration/"))
    assert application.number in mine


def test_wizard_errors_are_shown_in_chinese_and_the_draft_resumes(founder):
    client = _client(founder)
    reservation = j.reserve(founder, j.unique_trade_name())
    number = client.post("/registration/establish/", {"situation": "llc"})["Location"].split("/")[
        -3
    ]
    stale = client.post(
        f"/registration/applications/{number}/name/",
        {"version": "99", "action": "next", "reservation": reservation},
    )
    assert stale.status_code == 409 and "刷新" in _text(stale)
    _fill(client, number, founder, reservation)
    fields = dict(_wizard_fields(founder, reservation))["investors"]
    fields["investors-0-subscribed_capital"] = "50"  # not the registered capital
    assert _step(client, number, "investors", fields).status_code == 302
    review = client.get(f"/registration/applications/{number}/review/")
    assert "注册资本" in _text(review) and 'data-testid="check-problem"' in _text(review)
    assert 'data-testid="sign-form"' not in _text(review)
    fields["investors-0-subscribed_capital"] = "100"
    _step(client, number, "investors", fields)
    wrong = _submit(client, number, password="wrong-password")
    assert wrong.status_code == 401 and 'data-testid="error-password"' in _text(wrong)
    # The draft is reopened from "my applications" (the case view links to the wizard).
    case = _text(client.get(f"/matters/applications/{number}/"))
    assert f"/registration/applications/{number}/" in case
    assert client.get(f"/registration/applications/{number}/").status_code == 302


def test_bad_id_number_is_shown_beside_its_row(founder):
    client = _client(founder)
    number = client.post("/registration/establish/", {"situation": "llc"})["Location"].split("/")[
        -3
    ]
    reservation = j.reserve(founder, j.unique_trade_name())
    _fill(client, number, founder, reservation)
    fields = dict(_wizard_fields(founder, reservation))["investors"]
    fields["investors-0-identifier"] = "310115198506010000"
    _step(client, number, "investors", fields)
    review = _text(client.get(f"/registration/applications/{number}/review/"))
    assert "第1位投资人" in review
    link = f"/registration/applications/{number}/investors/"
    assert link in review


def test_a_large_capital_goes_to_an_officer_who_sees_the_findings(founder, officer):
    client = _client(founder)
    application = _establish_online(client, founder, capital="200000")
    assert application.state == State.SUBMITTED
    outcome = _text(client.get(f"/registration/applications/{application.number}/"))
    assert 'data-testid="outcome-officer"' in outcome and "注册资本" in outcome
    officer_client = sign_in(Client(), officer)
    case = _text(officer_client.get(f"/matters/applications/{application.number}/"))
    assert 'data-testid="registration-warning"' in case and "CAPITAL_LARGE" in case


# --- Change and deregistration ----------------------------------------------------------------


def _established(founder) -> str:
    application = j.establish(founder)
    application.refresh_from_db()
    return application.credit_code


def test_change_of_domicile_and_capital_through_the_page(founder):
    code = _established(founder)
    client = _client(founder)
    entities = _text(client.get("/registration/entities/"))
    assert code in entities
    started = client.post("/registration/start/", {"kind": "change", "credit_code": code})
    assert started.status_code == 302
    url = started["Location"]
    page = client.get(url)
    assert "第1版" in _text(page)
    number = url.split("/")[-2]
    rows = dict(_wizard_fields(founder, ""))
    members = {**rows["investors"], **rows["officers"]}
    members["investors-0-subscribed_capital"] = "300"
    members.pop("legal_representative")
    members.pop("legal_representative_id_number")
    form = {
        "version": _version(number),
        "action": "save",
        "items": ["domicile", "capital"],
        "region_code": j.REGION,
        "address": "上海市浦东新区世纪大道200号",
        "registered_capital": "250",
        **members,
    }
    mismatch = client.post(url, form)
    assert mismatch.status_code == 302
    review = _text(client.get(url))
    assert "应等于注册资本" in review or "请上传" in review
    form = {
        **form,
        "version": _version(number),
        "registered_capital": "300",
        "file": SimpleUploadedFile("新住所.pdf", j.PDF, content_type="application/pdf"),
    }
    assert client.post(url, form).status_code == 302
    page = client.get(url)
    assert 'data-testid="check-ok"' in _text(page), _text(page)
    submitted = client.post(
        url,
        {
            "action": "submit",
            "version": _version(number),
            "digest": page.context["digest"],
            "password": j.PASSWORD,
            "idempotency_key": "change-key-1",
        },
    )
    assert submitted.status_code == 302, _text(submitted)
    outcome = _text(client.get(url))
    assert "第2版" in outcome
    entity = MarketEntity.objects.get(credit_code=code)
    assert entity.address == "上海市浦东新区世纪大道200号" and entity.version == 2


def test_a_stranger_cannot_start_a_change(founder):
    code = _established(founder)
    stranger = _client(j.person("stranger", 303))
    refused = stranger.post("/registration/start/", {"kind": "change", "credit_code": code})
    assert refused.status_code == 403 and "法定代表人" in _text(refused)


def test_deregistration_commitment_notice_objection_and_the_deadline(founder, officer):
    code = _established(founder)
    client = _client(founder)
    url = client.post("/registration/start/", {"kind": "deregistration", "credit_code": code})[
        "Location"
    ]
    number = url.split("/")[-2]
    first = _text(client.get(url))
    assert 'data-testid="eligible"' in first and "未签署" in first
    client.post(url, {"action": "save", "version": _version(number), "reason": ""})
    assert "注销原因" in _text(client.get(url))  # what submitting would say now
    client.post(url, {"action": "save", "version": _version(number), "reason": "股东决定解散。"})
    bad = client.post(url, {"action": "commit", "commit_password": "wrong"})
    assert bad.status_code == 401 and 'data-testid="error-commit"' in _text(bad)
    assert client.post(url, {"action": "commit", "commit_password": j.PASSWORD}).status_code == 302
    page = client.get(url)
    assert 'data-testid="commitment-signed"' in _text(page)
    submitted = client.post(
        url,
        {
            "action": "submit",
            "version": _version(number),
            "digest": page.context["digest"],
            "password": j.PASSWORD,
            "idempotency_key": "dereg-key-1",
        },
    )
    assert submitted.status_code == 302, _text(submitted)
    deregistration = Deregistration.objects.get(application__number=number)
    assert deregistration.state == DeregistrationState.NOTICE
    assert deregistration.number in _text(client.get(url))
    mine = _text(client.get("/registration/entities/"))  # the notice, not another start
    assert 'data-testid="entity-deregistering"' in mine and deregistration.number in mine
    assert 'data-testid="start-deregistration"' not in mine

    public = Client()
    assert deregistration.number in _text(public.get("/registration/notices/"))
    notice_url = f"/registration/notices/{deregistration.number}/"
    missing = public.post(notice_url, {"objector": "某公司", "contact": "021-1", "grounds": ""})
    assert missing.status_code == 400 and 'data-testid="error-grounds"' in _text(missing)
    filed = public.post(
        notice_url, {"objector": "上海某材料公司", "contact": "021-12345678", "grounds": "欠款"}
    )
    assert filed.status_code == 200 and 'data-testid="objection-filed"' in _text(filed)

    officer_client = sign_in(Client(), officer)
    objection = Objection.objects.get(deregistration=deregistration)
    no_reason = officer_client.post(
        "/registration/objections/", {"number": objection.number, "upheld": "no", "reason": ""}
    )
    assert no_reason.status_code == 400 and "处理理由" in _text(no_reason)
    decided = officer_client.post(
        "/registration/objections/",
        {"number": objection.number, "upheld": "no", "reason": "债务已清偿，有收据。"},
    )
    assert decided.status_code == 200 and 'data-testid="decided"' in _text(decided)
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DISMISSED

    today = timezone.localdate()
    Deregistration.objects.filter(pk=deregistration.pk).update(
        notice_starts_on=today - datetime.timedelta(days=21),
        notice_ends_on=today - datetime.timedelta(days=1),
    )
    closed = public.get(notice_url)
    assert 'data-testid="notice-closed"' in _text(closed)
    late = public.post(notice_url, {"objector": "某人", "contact": "139", "grounds": "迟到"})
    assert late.status_code == 409 and "异议期已结束" in _text(late)


def test_an_ineligible_entity_shows_the_reason(founder):
    code = _established(founder)
    restriction_record(
        by=j.official("inspector1", role="inspector"),
        credit_code=code,
        kind="abnormal_operation",
        authority="浦东新区市场监督管理局",
        reference="沪监管浦异〔2026〕1号",
        since=timezone.localdate(),
    )
    client = _client(founder)
    url = client.post("/registration/start/", {"kind": "deregistration", "credit_code": code})[
        "Location"
    ]
    page = _text(client.get(url))
    assert 'data-testid="not-eligible"' in page and "不适用简易注销" in page


# --- The counter --------------------------------------------------------------------------


def test_an_officer_establishes_at_the_counter_and_the_applicant_signs(founder, officer):
    client = sign_in(Client(), officer)
    unknown = client.post(
        "/registration/counter/", {"applicant": "nobody", "kind": "establishment"}
    )
    assert unknown.status_code == 404 and 'data-testid="error-applicant"' in _text(unknown)
    name = f"上海{j.unique_trade_name()}科技有限公司"
    reserved = client.post(
        "/registration/names/",
        {
            "action": "reserve",
            "declarant": founder.id_number,
            "name": name,
            "region_code": j.REGION,
            "entity_type": "limited_np",
            "industry_code": "6513",
        },
    )
    assert reserved.status_code == 302, _text(reserved)
    reservation = reserved["Location"].split("reserved=")[1]
    started = client.post(
        "/registration/counter/",
        {"applicant": founder.username, "kind": "establishment", "situation": "llc"},
    )
    assert started.status_code == 302, _text(started)
    number = started["Location"].split("/")[-3]
    assert name in _text(client.get(f"/registration/applications/{number}/name/"))
    _fill(client, number, founder, reservation)
    response = _submit(client, number)  # the applicant types their own password
    assert response.status_code == 302, _text(response)
    application = Application.objects.get(number=number)
    assert application.state == State.COMPLETED and application.channel == "counter"
    assert application.credit_code in _text(client.get(f"/registration/applications/{number}/"))


def test_an_application_sent_back_is_corrected_signed_again_and_resubmitted(founder, officer):
    client = _client(founder)
    application = _establish_online(client, founder, capital="200000")  # an officer looks
    j.send_back(officer, application, "请核实注册资本。")
    # The wizard opens again on the corrected application; capital and contribution change.
    capital = client.get(f"/registration/applications/{application.number}/basics/")
    assert capital.status_code == 200
    application_data_save(
        by=founder, number=application.number, data=j.with_capital(application, "1000")
    )
    response = _submit(client, application.number)
    assert response.status_code == 302, _text(response)
    application.refresh_from_db()
    assert application.state == State.UNDER_REVIEW
    assert application.transitions.filter(action="resubmit").exists()
