"""The licence pages through Django's test client: verify, print, manage, trust list."""

from __future__ import annotations

import copy
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yingshang.accounts.models import Role
from yingshang.accounts.services import NewUser, user_create
from yingshang.licences.eid_test_issuer import TestEidIssuer
from yingshang.licences.models import Licence, LicenceState, TrustedIssuer
from yingshang.licences.qr import qr_payload_encode
from yingshang.licences.services import business_licence_issue, licence_state_set
from yingshang.licences.tests.conftest import PASSWORD, sign_in
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import ACTOR, raw_data

pytestmark = pytest.mark.django_db

VERIFY = "/licences/verify/"


def _verify(client: Client, text: str):
    return client.post(VERIFY, {"text": text})


def _html(response) -> str:
    return response.content.decode("utf-8")


# --- 核验电子证照 --------------------


def test_verify_page_form(client) -> None:
    response = client.get(VERIFY)
    assert response.status_code == 200
    html = _html(response)
    assert "核验电子证照" in html
    assert 'name="text"' in html
    assert 'type="file"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    assert "扫码" in html
    # QR decoding is vendored, never from a CDN
    assert "/static/licences/vendor/jsQR.js" in html
    assert "/static/licences/verify.js" in html
    assert "https://" not in html.split("<body>")[0]


def test_vendored_static_files_are_found() -> None:
    from django.contrib.staticfiles import finders

    for name in ("licences/vendor/jsQR.js", "licences/verify.js", "licences/licences.css"):
        assert finders.find(name), name
    found = finders.find("licences/vendor/jsQR.js")
    assert isinstance(found, str)
    with open(found, encoding="utf-8") as handle:
        assert "jsQR" in handle.read(2000)


def test_valid_credential_pasted(client, licence) -> None:
    response = _verify(client, json.dumps(licence.credential, ensure_ascii=False))
    assert response.status_code == 200
    html = _html(response)
    assert 'data-valid="true"' in html
    assert "有效" in html
    assert "上海市市场监督管理局" in html  # the issuer
    assert "上海市" in html  # its region
    assert "上海鑫达贸易有限公司" in html
    assert licence.credit_code in html
    assert html.count("✓") >= 4
    assert 'data-testid="check-signature"' in html


def test_valid_qr_payload_pasted(client, licence) -> None:
    response = _verify(client, qr_payload_encode(licence.credential))
    assert response.status_code == 200
    html = _html(response)
    assert 'data-valid="true"' in html
    assert "来源：二维码" in html


def test_valid_credential_uploaded_as_json_file(client, licence) -> None:
    upload = SimpleUploadedFile(
        "licence.json",
        json.dumps(licence.credential).encode(),
        content_type="application/json",
    )
    response = client.post(VERIFY, {"file": upload, "text": ""})
    assert response.status_code == 200
    assert 'data-valid="true"' in _html(response)


def test_tampered_credential_is_invalid_and_says_why(client, licence) -> None:
    tampered = copy.deepcopy(licence.credential)
    tampered["credentialSubject"]["entityName"] = "上海冒名顶替有限公司"
    response = _verify(client, json.dumps(tampered, ensure_ascii=False))
    assert response.status_code == 200
    html = _html(response)
    assert 'data-valid="false"' in html
    assert "无效" in html
    assert 'data-reason="TAMPERED"' in html
    assert "签名与内容不符：凭证在签发后被改动过。" in html
    assert "✗" in html


def test_revoked_licence_is_invalid(client, licence, officer) -> None:
    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.REVOKED, reason="吊销"
    )
    html = _html(_verify(client, json.dumps(licence.credential)))
    assert 'data-valid="false"' in html
    assert 'data-reason="REVOKED"' in html
    assert "凭证已被签发方撤销。" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello, world", "既不是凭证 JSON"),
        ("", "没有内容"),
        ("YSVC1:%%%", "二维码内容无法解读"),
        ("[1, 2]", "凭证必须是 JSON 对象"),
        ('{"a": 1, "a": 2}', "重复的键"),
    ],
)
def test_garbage_gets_a_clear_message(client, db, text, expected) -> None:
    response = _verify(client, text)
    assert response.status_code == 200
    html = _html(response)
    assert 'data-valid="false"' in html
    assert expected in html
    assert 'data-reason="MALFORMED"' in html


def test_oversize_upload_is_refused(client, db) -> None:
    limit = settings.LICENCE_VERIFY_MAX_BYTES
    upload = SimpleUploadedFile("big.json", b" " * (limit + 1), content_type="application/json")
    response = client.post(VERIFY, {"file": upload})
    assert response.status_code == 413
    html = _html(response)
    assert "上传的文件过大" in html
    assert f"{limit // 1024} KB" in html
    assert 'data-testid="verdict"' not in html


def test_oversize_text_is_refused(client, db) -> None:
    limit = settings.LICENCE_VERIFY_MAX_BYTES
    response = _verify(client, "x" * (limit + 1))
    assert response.status_code == 413
    html = _html(response)
    assert 'data-reason="TOO_LARGE"' in html
    assert "内容过大" in html


def test_image_upload_without_javascript_is_explained(client, licence) -> None:
    from yingshang.licences.qr import qr_png

    png = qr_png(qr_payload_encode(licence.credential))
    upload = SimpleUploadedFile("qr.png", png, content_type="image/png")
    response = client.post(VERIFY, {"file": upload})
    assert "这是一张图片" in _html(response)


def test_verify_post_needs_csrf_token(db) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(VERIFY, {"text": "{}"}).status_code == 403
    page = client.get(VERIFY)
    token = page.cookies["csrftoken"].value
    response = client.post(VERIFY, {"text": "{}", "csrfmiddlewaretoken": token})
    assert response.status_code == 200


# --- 营业执照（电子） --------------------


def test_printable_licence(client, licence) -> None:
    response = client.get(f"/licences/entity/{licence.credit_code}/")
    assert response.status_code == 200
    html = _html(response)
    subject = licence.credential["credentialSubject"]
    for label in (
        "营业执照",
        "统一社会信用代码",
        "名称",
        "类型",
        "法定代表人",
        "注册资本",
        "成立日期",
        "营业期限",
        "住所",
        "经营范围",
        "登记机关",
        "发照日期",
        "证照编号",
    ):
        assert label in html, label
    assert licence.credit_code in html
    assert subject["entityName"] in html
    assert subject["legalRepresentative"] in html
    assert subject["licenceId"] in html
    assert "100万元人民币" in html
    assert "2020年5月18日" in html
    assert "长期" in html
    assert "<svg" in html and "viewBox" in html
    assert "@page { size: A4; margin: 15mm }" in html
    assert "http://testserver/licences/verify/" in html
    assert "打印" in html
    assert 'data-testid="licence-state"' not in html  # active: no status banner


@pytest.mark.parametrize(
    ("state", "label"), [(LicenceState.REVOKED, "撤销"), (LicenceState.SUSPENDED, "暂停")]
)
def test_printable_licence_shows_inactive_state(client, licence, officer, state, label) -> None:
    licence_state_set(by=officer, licence_id=licence.licence_id, state=state, reason="测试")
    html = _html(client.get(f"/licences/entity/{licence.credit_code}/"))
    assert 'data-testid="licence-state"' in html
    assert f"本执照当前状态：{label}" in html
    assert 'class="licence-stamp"' in html


def test_printable_licence_lowercase_code_redirects(client, licence) -> None:
    response = client.get(f"/licences/entity/{licence.credit_code.lower()}/")
    assert response.status_code == 301
    assert response["Location"] == f"/licences/entity/{licence.credit_code}/"


def test_printable_licence_missing_is_404(client, entity) -> None:
    response = client.get(f"/licences/entity/{entity.credit_code}/")
    assert response.status_code == 404
    assert "尚未领取电子营业执照" in _html(response)


def test_did_document_at_well_known(client, licence) -> None:
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+json")
    document = json.loads(response.content)
    assert document["id"] == settings.LICENCE_ISSUER_DID
    assert document["verificationMethod"]


# --- 证照管理 --------------------


def _manage_url(credit_code: str) -> str:
    return reverse("licences:manage", kwargs={"credit_code": credit_code})


def test_manage_needs_sign_in(client, entity) -> None:
    response = client.get(_manage_url(entity.credit_code))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_manage_refuses_other_roles(client, entity, make_official) -> None:
    sign_in(client, make_official(role=Role.POLICY_OFFICER, username="policy1"))
    assert client.get(_manage_url(entity.credit_code)).status_code == 403
    assert client.post(_manage_url(entity.credit_code), {"action": "issue"}).status_code == 403
    assert not Licence.objects.exists()


def test_manage_refuses_official_without_second_factor(client, entity, officer) -> None:
    client.post(reverse("accounts:login"), {"username": officer.username, "password": PASSWORD})
    response = client.get(_manage_url(entity.credit_code))
    assert response.status_code in (302, 403)  # the password alone is not a sign-in
    assert response.status_code == 403 or response["Location"].startswith("/accounts/login/")


def test_manage_refuses_public_user(client, entity) -> None:
    user_create(actor="test", new=NewUser(username="citizen", password=PASSWORD, role=Role.PUBLIC))
    client.post(reverse("accounts:login"), {"username": "citizen", "password": PASSWORD})
    assert client.get(_manage_url(entity.credit_code)).status_code == 403


def _state(licence_id: str) -> str:
    return Licence.objects.get(licence_id=licence_id).state


def test_officer_issues_suspends_reinstates_revokes(client, entity, officer) -> None:
    sign_in(client, officer)
    url = _manage_url(entity.credit_code)
    page = client.get(url)
    assert page.status_code == 200
    assert "尚未领取电子营业执照" in _html(page)
    assert "签发" in _html(page)

    response = client.post(url, {"action": "issue"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    licence = Licence.objects.get(credit_code=entity.credit_code)
    assert licence.state == LicenceState.ACTIVE
    assert f"已签发电子营业执照 {licence.licence_id}。" in _html(response)
    assert "换发" in _html(response)

    # a reason is required: the service's message, nothing changes
    response = client.post(
        url, {"action": "suspend", "licence_id": licence.licence_id, "reason": "  "}
    )
    assert response.status_code == 400
    assert "请填写原因" in _html(response)
    assert _state(licence.licence_id) == LicenceState.ACTIVE

    steps = [
        ("suspend", LicenceState.SUSPENDED, "电子营业执照已暂停。"),
        ("reinstate", LicenceState.ACTIVE, "电子营业执照已恢复有效。"),
        ("revoke", LicenceState.REVOKED, "电子营业执照已撤销。"),
    ]
    for action, state, notice in steps:
        response = client.post(
            url,
            {"action": action, "licence_id": licence.licence_id, "reason": "现场核查"},
            follow=True,
        )
        assert response.status_code == 200
        assert notice in _html(response)
        assert _state(licence.licence_id) == state

    # a revoked licence cannot be reinstated: the domain error is shown, not a 500
    response = client.post(
        url, {"action": "reinstate", "licence_id": licence.licence_id, "reason": "误操作"}
    )
    assert response.status_code == 409
    assert "不能改为" in _html(response)
    assert _state(licence.licence_id) == LicenceState.REVOKED


def test_reissue_supersedes_the_old_licence(client, licence, officer) -> None:
    sign_in(client, officer)
    client.post(_manage_url(licence.credit_code), {"action": "issue"})
    assert _state(licence.licence_id) == LicenceState.SUPERSEDED
    newest = Licence.objects.exclude(pk=licence.pk).get()
    assert newest.state == LicenceState.ACTIVE
    html = _html(client.get(_manage_url(licence.credit_code)))
    assert "已换发" in html


def test_enforcement_officer_may_suspend_but_not_issue(client, licence, make_official) -> None:
    sign_in(client, make_official(role=Role.ENFORCEMENT_OFFICER, username="enforcer1"))
    url = _manage_url(licence.credit_code)
    html = _html(client.get(url))
    assert 'data-testid="issue-form"' not in html
    response = client.post(url, {"action": "issue"})
    assert response.status_code == 403
    assert "只有" in _html(response)
    client.post(url, {"action": "suspend", "licence_id": licence.licence_id, "reason": "立案调查"})
    assert _state(licence.licence_id) == LicenceState.SUSPENDED


def test_manage_refuses_another_entitys_licence(client, licence, officer) -> None:
    other = entity_register(
        actor=ACTOR, data=entity_data_parse(raw_data(name="上海宏图信息科技有限公司"))
    )
    sign_in(client, officer)
    response = client.post(
        _manage_url(other.credit_code),
        {"action": "revoke", "licence_id": licence.licence_id, "reason": "x"},
    )
    assert response.status_code == 404
    assert "没有标识为" in _html(response)
    assert _state(licence.licence_id) == LicenceState.ACTIVE


def test_manage_unknown_entity(client, officer) -> None:
    sign_in(client, officer)
    response = client.get(_manage_url("91310000MA1FL5XK0X"))
    assert response.status_code in (400, 404)
    assert 'data-testid="licence-error"' in _html(response)


def test_officer_view_of_printable_page_links(client, licence) -> None:
    html = _html(client.get(f"/licences/entity/{licence.credit_code}/"))
    assert reverse("registry:entity", kwargs={"credit_code": licence.credit_code}) in html


# --- 信任列表 --------------------

TRUST = "/licences/trust/"


def test_trust_list_roles(client, make_official) -> None:
    assert client.get(TRUST).status_code == 302
    sign_in(client, make_official(role=Role.REGISTRATION_OFFICER, username="reg1"))
    assert client.get(TRUST).status_code == 403


def test_trust_list_add_update_deactivate_restore(client, officer) -> None:
    sign_in(client, officer)
    page = client.get(TRUST)
    assert page.status_code == 200
    assert "信任列表为空" in _html(page)
    assert settings.LICENCE_ISSUER_DID in _html(page)

    issuer = TestEidIssuer()
    entry = issuer.trust_entry()
    form = {
        "action": "save",
        "did": entry["did"],
        "name": entry["name"],
        "region_code": entry["region_code"],
        "kind": entry["kind"],
        "did_document": json.dumps(entry["did_document"]),
    }
    response = client.post(TRUST, form, follow=True)
    assert response.redirect_chain == [(TRUST, 302)]
    html = _html(response)
    assert "已保存可信签发方" in html
    assert entry["did"] in html
    assert "电子身份证" in html
    assert "上海市" in html
    saved = TrustedIssuer.objects.get(did=entry["did"])
    assert saved.active

    client.post(TRUST, {**form, "name": "电子身份证签发方（更名）"})
    saved.refresh_from_db()
    assert saved.name == "电子身份证签发方（更名）"

    response = client.post(
        TRUST, {"action": "suspend", "did": entry["did"], "reason": "密钥泄露"}, follow=True
    )
    assert "已暂停信任" in _html(response)
    saved.refresh_from_db()
    assert not saved.active

    response = client.post(
        TRUST, {"action": "restore", "did": entry["did"], "reason": "已更换密钥"}, follow=True
    )
    assert "已恢复信任" in _html(response)
    saved.refresh_from_db()
    assert saved.active


def test_trust_list_bad_input_is_explained(client, officer) -> None:
    sign_in(client, officer)
    form = {
        "action": "save",
        "did": "did:web:amr.zj.example",
        "name": "浙江省市场监督管理局",
        "region_code": "330000",
        "kind": "market_regulator",
        "did_document": "{not json",
    }
    response = client.post(TRUST, form)
    assert response.status_code == 400
    html = _html(response)
    assert "DID 文档不是合法的 JSON" in html
    assert "浙江省市场监督管理局" in html  # the form keeps what was typed
    response = client.post(TRUST, {**form, "did_document": json.dumps({"id": "did:web:x"})})
    assert "不一致" in _html(response)
    response = client.post(TRUST, {"action": "suspend", "did": "did:web:none", "reason": ""})
    assert "请填写原因" in _html(response)
    assert not TrustedIssuer.objects.exists()


def test_licence_issued_through_service_is_listed(client, entity, officer) -> None:
    business_licence_issue(by=officer, credit_code=entity.credit_code)
    sign_in(client, officer)
    html = _html(client.get(_manage_url(entity.credit_code)))
    assert html.count('data-testid="licence-row"') == 1
    assert 'data-state="active"' in html


def test_a_licence_too_large_for_a_qr_code_still_prints(client, officer) -> None:
    # 4,000 distinct-ish characters compress poorly: the credential cannot fit a version 25
    # symbol, and the page says so instead of failing.
    scope = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(4000))
    entity = entity_register(actor=ACTOR, data=entity_data_parse(raw_data(business_scope=scope)))
    business_licence_issue(by=officer, credit_code=entity.credit_code)
    response = client.get(reverse("licences:print", args=[entity.credit_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "qr-too-large" in page and "二维码内容过长" in page


def test_the_licence_vocabulary_is_served_at_its_own_path(client, db) -> None:
    response = client.get("/ns/licence/v1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    context = json.loads(response.content)["@context"]
    assert context["BusinessLicenceCredential"].startswith("https://yingshang.example/ns/licence#")
