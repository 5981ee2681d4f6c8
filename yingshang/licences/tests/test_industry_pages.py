"""The 一业一证 pages: catalogue, one-form application, reviews, post-checks, licence, inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yingshang.accounts.models import Notification, Role, User
from yingshang.accounts.services import NewUser, totp_enrol, user_create
from yingshang.licences import industry
from yingshang.licences.models import (
    ApplicationState,
    IndustryApplication,
    LicenceState,
    PostCheck,
    PostCheckState,
    ReviewState,
)

from .conftest import FOOD, FOOD_CONDITIONS, PASSWORD, commit_all, sign_in

pytestmark = pytest.mark.django_db

STORE = "convenience-store"
APPLY = f"/industry/{STORE}/apply/"
TOBACCO_MATERIALS = {
    "tobacco-retail.fixed-premises": ["经营场所使用证明"],
    "tobacco-retail.layout": ["经营场所方位图（标明周边烟草零售点）"],
    "tobacco-retail.not-near-school": ["经营场所方位图（标明周边学校、幼儿园）"],
}


def _answers(form: dict[str, Any]) -> dict[str, str]:
    """The store form as the page posts it: ``form-<name>`` fields, booleans as true/false."""
    posted = {}
    for name, value in form.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        posted[f"form-{name}"] = "" if value is None else str(value)
    return posted


def _all_food_on_commitment() -> dict[str, str]:
    return {f"how-{key}": industry.COMMITMENT for key in commit_all(FOOD, FOOD_CONDITIONS)}


def _submit_service(user: User, entity, form: dict[str, Any], **raw: Any) -> IndustryApplication:
    data = industry.application_input_parse({"industry": STORE, "form": form, **raw})
    return industry.industry_application_submit(by=user, credit_code=entity.credit_code, data=data)


def _tobacco_application(applicant, entity, store_form) -> IndustryApplication:
    """Food and tobacco: food on commitment, tobacco partly on evidence, so YCZM reviews."""
    return _submit_service(
        applicant,
        entity,
        {**store_form, "sells_tobacco": True},
        commitments=[*commit_all(FOOD, FOOD_CONDITIONS), "tobacco-retail.funds"],
        materials=TOBACCO_MATERIALS,
    )


def _on_commitment(applicant, entity, store_form) -> IndustryApplication:
    return _submit_service(
        applicant, entity, store_form, commitments=commit_all(FOOD, FOOD_CONDITIONS)
    )


# --- catalogue --------------------


def test_catalogue_lists_industries_with_permits_and_lead_department(client: Client):
    response = client.get("/industry/")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "便利店",
        "饭店",
        "药店",
        "健身房",
        "旅馆",
        "食品经营许可证",
        "烟草专卖零售许可证",
    ):
        assert name in text
    assert "牵头部门：市场监督管理局" in text
    assert f'href="/industry/{STORE}/"' in text


def test_industry_page_shows_conditions_legal_basis_evidence_and_sources(client: Client):
    response = client.get(f"/industry/{STORE}/")
    assert response.status_code == 200
    text = response.content.decode()
    item = industry.catalogue_load().industry(STORE)
    for permit in item.permits:
        assert permit.name in text
        for condition in permit.conditions:
            assert condition.text in text and condition.legal_basis in text
    assert "法律依据" in text and "可告知承诺" in text and "须提交材料" in text
    assert "当“是否销售烟草制品”为“是”时需要" in text
    assert "资料来源" in text and item.sources[0].title in text
    assert client.get("/industry/casino/").status_code == 404


# --- 一表申请 --------------------


def test_enterprise_applies_on_commitment_and_gets_the_licence_at_once(
    client: Client, applicant, entity, store_form
):
    client.force_login(applicant)  # enterprises sign in with a password
    first = client.get(APPLY)
    assert first.status_code == 200
    assert "第一步" in first.content.decode() and entity.credit_code in first.content.decode()

    step2 = client.post(APPLY, {**_answers(store_form), "action": "review"})
    assert step2.status_code == 200
    text = step2.content.decode()
    assert "第二步" in text and "食品经营许可证" in text and "签署告知承诺" in text
    assert "烟草专卖零售许可证" not in text  # sells_tobacco is false
    assert "本人承诺以上内容真实，知悉承诺不实将被撤销许可" in text

    response = client.post(
        APPLY,
        {
            **_answers(store_form),
            **_all_food_on_commitment(),
            "confirm_commitment": "yes",
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()
    application = IndustryApplication.objects.get(credit_code=entity.credit_code)
    assert response["Location"] == f"/industry/applications/{application.number}/"
    assert application.state == ApplicationState.APPROVED
    assert application.licence is not None and application.licence.on_commitment

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    check = PostCheck.objects.get(application=application)
    assert "告知承诺发证" in text and "已核发" in text
    assert check.due_on.isoformat() in text
    assert f"/industry/licences/{application.licence.licence_id}/" in text
    assert "告知承诺免审" in text and "牵头" in text and "市场监督管理局" in text
    assert "85.5" in text and "张伟" in text  # the answers

    licence = client.get(f"/industry/licences/{application.licence.licence_id}/")
    assert licence.status_code == 200
    text = licence.content.decode()
    assert (
        "行业综合许可证" in text and "<svg" in text and "@page { size: A4; margin: 15mm }" in text
    )
    assert 'data-testid="commitment-mark"' in text and "食品经营许可证" in text
    assert "有效" in text and entity.name in text


def test_a_bad_answer_shows_the_chinese_message_and_keeps_the_input(
    client: Client, applicant, store_form
):
    client.force_login(applicant)
    response = client.post(
        APPLY, {**_answers({**store_form, "business_area_m2": "很大"}), "action": "review"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "“经营面积（平方米）”（business_area_m2）应为数字" in text
    assert 'value="很大"' in text and 'value="上海市浦东新区张江路100号1层"' in text
    assert 'data-testid="error-business_area_m2"' in text
    assert 'data-testid="step2"' not in text  # step 2 waits for a valid step 1

    missing = client.post(
        APPLY, {**_answers({**store_form, "responsible_person": ""}), "action": "submit"}
    )
    assert missing.status_code == 400
    assert "请填写“负责人姓名”" in missing.content.decode()


def test_submission_errors_stay_beside_their_condition_and_keep_choices(
    client: Client, applicant, store_form
):
    client.force_login(applicant)
    base = {**_answers(store_form), "action": "submit"}
    unconfirmed = client.post(APPLY, {**base, **_all_food_on_commitment()})
    assert unconfirmed.status_code == 400
    text = unconfirmed.content.decode()
    assert 'data-testid="error-confirm"' in text and "请勾选" in text
    assert text.count("checked") >= len(FOOD_CONDITIONS)  # the choices are kept

    choices = _all_food_on_commitment()
    choices[f"how-{FOOD}.premises"] = industry.EVIDENCE
    short = client.post(
        APPLY,
        {
            **base,
            **choices,
            f"material-{FOOD}.premises": ["经营场所使用证明"],
            "confirm_commitment": "yes",
        },
    )
    assert short.status_code == 400
    text = short.content.decode()
    assert "缺少材料：经营场所平面图及方位图" in text and 'data-testid="error-condition"' in text
    assert 'value="经营场所使用证明" id="material-food-business.premises-1" checked' in text

    unchosen = dict(_all_food_on_commitment())
    del unchosen[f"how-{FOOD}.layout"]
    neither = client.post(APPLY, {**base, **unchosen, "confirm_commitment": "yes"})
    assert neither.status_code == 400
    assert "请为“食品经营许可证”的条件" in neither.content.decode()

    bad_identity = client.post(
        APPLY,
        {
            **base,
            **_all_food_on_commitment(),
            "confirm_commitment": "yes",
            "identity_credential": "{not json",
        },
    )
    assert bad_identity.status_code == 400
    text = bad_identity.content.decode()
    assert "电子身份证凭证不是有效的 JSON" in text and "{not json" in text
    assert not IndustryApplication.objects.exists()


def test_htmx_rerender_adds_the_tobacco_permit_when_the_answer_changes(
    client: Client, applicant, store_form
):
    client.force_login(applicant)
    response = client.post(
        APPLY,
        {**_answers({**store_form, "sells_tobacco": True}), "action": "review"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "烟草专卖零售许可证" in text and "烟草专卖局" in text
    assert "此条件不适用告知承诺" in text  # tobacco-retail.layout needs evidence
    bad = client.post(
        APPLY,
        {**_answers({**store_form, "business_area_m2": "-3"}), "action": "review"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200  # htmx swaps only 2xx: the message is in the page
    assert "不能为负数" in bad.content.decode()


def test_licensing_officer_applies_at_the_counter_with_the_credit_code(
    client: Client, make_official, entity, store_form
):
    sign_in(client, make_official(Role.LICENSING_OFFICER, "counter1"))
    form = {
        **_answers(store_form),
        **_all_food_on_commitment(),
        "confirm_commitment": "yes",
        "action": "submit",
    }
    blank = client.post(APPLY, form)
    assert blank.status_code == 400 and "请填写申请人的统一社会信用代码" in blank.content.decode()
    unknown = client.post(APPLY, {**form, "credit_code": "91310000000000000X"})
    assert unknown.status_code == 400
    text = unknown.content.decode()
    assert 'id="err-credit-code"' in text and "没有统一社会信用代码为 91310000000000000X" in text
    assert 'value="91310000000000000X"' in text
    response = client.post(APPLY, {**form, "credit_code": entity.credit_code.lower()})
    assert response.status_code == 302
    application = IndustryApplication.objects.get()
    assert application.credit_code == entity.credit_code
    assert client.get(response["Location"]).status_code == 200


# --- 并联审查 --------------------


def test_reviewer_queue_shows_only_own_function_and_approve_works(
    client: Client, applicant, entity, store_form, reviewer
):
    application = _tobacco_application(applicant, entity, store_form)
    assert application.state == ApplicationState.REVIEWING

    scjg = Client()
    sign_in(scjg, reviewer("SCJG"))
    queue = scjg.get("/industry/reviews/")
    assert queue.status_code == 200
    assert application.number not in queue.content.decode()  # food was waived; not theirs

    yczm = Client()
    sign_in(yczm, reviewer("YCZM"))
    queue = yczm.get("/industry/reviews/")
    text = queue.content.decode()
    assert queue.status_code == 200 and application.number in text
    assert "烟草专卖零售许可证" in text and "经营场所方位图（标明周边烟草零售点）" in text
    assert "告知承诺" in text  # tobacco-retail.funds

    response = yczm.post(
        "/industry/reviews/",
        {"number": application.number, "permit_code": "tobacco-retail", "decision": "approve"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED and application.licence is not None
    after = yczm.get("/industry/reviews/").content.decode()
    assert "已同意申请" in after and f'data-number="{application.number}"' not in after


def test_reject_needs_an_opinion_then_rejects_the_application(
    client: Client, applicant, entity, store_form, reviewer
):
    application = _tobacco_application(applicant, entity, store_form)
    yczm = Client()
    sign_in(yczm, reviewer("YCZM"))
    post = {"number": application.number, "permit_code": "tobacco-retail", "decision": "reject"}
    empty = yczm.post("/industry/reviews/", {**post, "opinion": "  "})
    assert empty.status_code == 400
    assert "不同意时必须填写审查意见" in empty.content.decode()
    response = yczm.post("/industry/reviews/", {**post, "opinion": "距学校不足50米"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED
    review = application.reviews.get(permit_code="tobacco-retail")
    assert review.state == ReviewState.REJECTED and review.opinion == "距学校不足50米"

    client.force_login(applicant)
    page = client.get(f"/industry/applications/{application.number}/").content.decode()
    assert "不予许可" in page and "距学校不足50米" in page and "烟草专卖局" in page


def test_review_outside_the_jurisdiction_is_not_listed(
    applicant, entity, store_form, reviewer, make_entity
):
    application = _tobacco_application(applicant, entity, store_form)
    reviewer("YCZM")  # creates the department SH-YCZM
    other = user_create(
        actor="test",
        new=NewUser(
            username="yczm-minhang",
            password=PASSWORD,
            role=Role.LICENSING_OFFICER,
            department_code="SH-YCZM",
            jurisdiction="310112",
        ),
    )
    totp_enrol(actor="test", user=other)
    officer = Client()
    sign_in(officer, other)
    assert application.number not in officer.get("/industry/reviews/").content.decode()
    refused = officer.post(
        "/industry/reviews/",
        {"number": application.number, "permit_code": "tobacco-retail", "decision": "approve"},
    )
    assert refused.status_code == 403 and "烟草专卖局" in refused.content.decode()


# --- 事后核查 --------------------


def test_post_check_failure_revokes_the_licence_and_the_inbox_shows_it(
    client: Client, applicant, entity, store_form, reviewer
):
    application = _on_commitment(applicant, entity, store_form)
    check = PostCheck.objects.get(application=application)
    PostCheck.objects.filter(pk=check.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    inspector = Client()
    sign_in(inspector, reviewer("SCJG", Role.INSPECTOR))
    page = inspector.get("/industry/post-checks/")
    text = page.content.decode()
    assert page.status_code == 200 and application.number in text
    assert "逾期" in text and 'data-overdue="true"' in text
    assert "具有与经营的食品品种、数量相适应" in text or "食品经营许可证" in text

    post = {"number": application.number, "result": "failed"}
    empty = inspector.post("/industry/post-checks/", post)
    assert empty.status_code == 400 and "核查不通过时必须填写核查情况" in empty.content.decode()
    response = inspector.post("/industry/post-checks/", {**post, "findings": "现场无冷藏设备"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.state == PostCheckState.FAILED
    licence = application.licence
    assert licence is not None
    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED
    sheet = client.get(f"/industry/licences/{licence.licence_id}/").content.decode()
    assert "撤销" in sheet and "现场无冷藏设备" in sheet

    client.force_login(applicant)
    inbox = client.get("/industry/inbox/")
    text = inbox.content.decode()
    assert inbox.status_code == 200
    assert "事后核查结果" in text and "现场无冷藏设备" in text and "已撤销" in text
    assert text.index("事后核查结果") < text.index("行业综合许可证已核发")  # newest first
    assert not Notification.objects.filter(
        credit_code=entity.credit_code, read_at__isnull=True
    ).exists()
    assert 'class="badge unread"' not in client.get("/industry/inbox/").content.decode()


def test_post_check_pass_links_the_superseded_licence_to_the_new_one(
    client: Client, applicant, entity, store_form, reviewer
):
    application = _on_commitment(applicant, entity, store_form)
    first = application.licence
    assert first is not None
    inspector = Client()
    sign_in(inspector, reviewer("SCJG", Role.INSPECTOR))
    response = inspector.post(
        "/industry/post-checks/", {"number": application.number, "result": "passed"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.licence is not None and application.licence.pk != first.pk
    old = client.get(f"/industry/licences/{first.licence_id}/").content.decode()
    assert "已换发" in old and f"/industry/licences/{application.licence.licence_id}/" in old
    new = client.get(f"/industry/licences/{application.licence.licence_id}/").content.decode()
    assert 'data-testid="commitment-mark"' not in new


# --- who may see what --------------------


@pytest.mark.parametrize(
    "url",
    [APPLY, "/industry/reviews/", "/industry/post-checks/", "/industry/inbox/"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_application_page_anonymous_is_sent_to_sign_in(
    client: Client, applicant, entity, store_form
):
    application = _on_commitment(applicant, entity, store_form)
    response = client.get(f"/industry/applications/{application.number}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_roles_get_403(
    client: Client, applicant, make_official, enterprise_user, reviewer, store_form
):
    sign_in(client, reviewer("YCZM", Role.INSPECTOR))
    assert client.get("/industry/reviews/").status_code == 403
    assert client.get("/industry/inbox/").status_code == 403
    assert client.get(APPLY).status_code == 403  # inspectors do not apply

    officer = Client()
    sign_in(officer, reviewer("SCJG", Role.LEADER))
    assert officer.get("/industry/post-checks/").status_code == 403
    assert officer.get("/industry/reviews/").status_code == 200

    no_totp = Client()
    no_totp.force_login(make_official(Role.LICENSING_OFFICER, "no-totp"))
    assert no_totp.get("/industry/reviews/").status_code == 403
    assert no_totp.get(APPLY).status_code == 403

    firm = Client()
    firm.force_login(applicant)
    assert firm.get("/industry/reviews/").status_code == 403
    assert firm.get("/industry/post-checks/").status_code == 403

    public = Client()
    public.force_login(enterprise_user)  # a public user not bound to an entity
    assert public.get(APPLY).status_code == 403
    assert public.get("/industry/inbox/").status_code == 403


def test_other_enterprise_gets_404_and_officials_see_the_application(
    client: Client, applicant, entity, store_form, make_entity, reviewer
):
    application = _on_commitment(applicant, entity, store_form)
    other_entity = make_entity(name="上海另一家便利店有限公司")
    other = user_create(
        actor="test",
        new=NewUser(
            username="other-owner",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            entity_credit_code=other_entity.credit_code,
        ),
    )
    url = f"/industry/applications/{application.number}/"
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get("/industry/applications/HY000/").status_code == 404
    inbox = client.get("/industry/inbox/").content.decode()
    assert "行业综合许可证已核发" not in inbox  # the other enterprise's messages only

    official = Client()
    sign_in(official, reviewer("YCZM"))
    assert official.get(url).status_code == 200
    assert Client().get("/industry/licences/not-a-licence/").status_code == 404
