"""Registration in a real browser: a person declares a name and establishes a company through
the wizard (秒批, credit code, licence), changes its domicile and capital, deregisters it
through the simplified procedure while someone objects on the public notice; and an officer
does the same at the counter (establishment, change, deregistration) for an applicant who
signs with their own password."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from yingshang.accounts.models import User
from yingshang.registration.models import Deregistration, DeregistrationState, Objection
from yingshang.registration.tests import journeys as j
from yingshang.registry.models import MarketEntity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def founder() -> User:
    return j.person("founder", 101, name="王芳")


def _sign_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(j.PASSWORD)
    page.get_by_role("button", name="下一步").click()


def _officer_sign_in(page: Page, base: str, officer: User, next_url: str) -> None:
    """Password, then the TOTP code of the officer's device."""
    device = TOTPDevice.objects.get(user=officer)
    _sign_in(page, base, officer.username, next_url)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    page.get_by_label("动态口令").fill(f"{token:06d}")
    page.get_by_role("button", name="登录").click()


def _change_domicile_and_capital(page: Page, address: str, capital: str) -> None:
    """On the change page of a version-1 entity: new domicile (with its proof) and capital
    (with the sole shareholder's subscription), then the applicant signs and submits."""
    expect(page.get_by_test_id("current-facts")).to_contain_text("第1版")
    page.get_by_test_id("item-domicile").check()
    page.get_by_test_id("item-capital").check()
    page.locator("#id-address").fill(address)
    page.locator("#id-capital").fill(capital)
    page.locator('[name="investors-0-subscribed_capital"]').fill(capital)
    page.locator("#id-file").set_input_files(
        files=[{"name": "住所使用证明.pdf", "mimeType": "application/pdf", "buffer": j.PDF}]
    )
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    page.locator("#id-sign-password").fill(j.PASSWORD)  # at the counter, typed by the applicant
    page.get_by_test_id("sign-submit").click()


def _declare_name(page: Page, name: str, *, declarant: str = "") -> None:
    if declarant:
        page.locator("#id-declarant").fill(declarant)
    page.locator("#id-region").select_option(j.REGION)
    page.locator("#id-entity-type").select_option("limited_np")
    page.locator("#id-industry").fill("6513")
    page.locator("#id-name").fill(name)
    # htmx checks the name as it is typed, against the whole register.
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "ok")
    expect(page.get_by_test_id("verdict")).to_contain_text("可以申报")
    page.get_by_test_id("reserve").click()
    expect(page.get_by_test_id("reserved")).to_contain_text(name)


def _wizard(page: Page, person: User, *, password: str = j.PASSWORD) -> None:
    """From the wizard's first step to the outcome: every step saved as the draft."""
    expect(page.get_by_test_id("step-title")).to_contain_text("企业名称")
    expect(page.locator("#id-reservation option:checked")).to_contain_text("科技有限公司")
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("step-title")).to_contain_text("类型、住所和注册资本")
    page.locator("#id-entity-type").select_option("limited_np")
    page.locator("#id-region").select_option(j.REGION)
    page.locator("#id-address").fill("上海市浦东新区张江路100号1幢201室")
    page.locator("#id-capital").fill("100")
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("step-title")).to_contain_text("经营范围")
    page.get_by_test_id("scope-search").fill("软件开发")
    page.get_by_test_id("scope-option-6513").check()  # found by htmx in GB/T 4754
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("step-title")).to_contain_text("投资人")
    due = j.establishment_data(person, "")["investors"][0]["contribution_due_on"]
    page.locator('[name="investors-0-name"]').fill(person.display_name)
    page.locator('[name="investors-0-identifier"]').fill(person.id_number)
    page.locator('[name="investors-0-subscribed_capital"]').fill("100")
    page.locator('[name="investors-0-contribution_due_on"]').fill(due)
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("step-title")).to_contain_text("法定代表人")
    page.locator("#id-representative").fill(person.display_name)
    page.locator("#id-representative-id").fill(person.id_number)
    page.locator('[name="officers-0-name"]').fill(person.display_name)
    page.locator('[name="officers-0-post"]').select_option("executive_director")
    page.locator('[name="officers-0-id_number"]').fill(person.id_number)
    page.locator('[name="officers-1-name"]').fill("李娜")
    page.locator('[name="officers-1-post"]').select_option("supervisor")
    page.locator('[name="officers-1-id_number"]').fill(j.id_number(902))
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("step-title")).to_contain_text("申请材料")
    page.locator("#id-file").set_input_files(
        files=[{"name": "住所使用证明.pdf", "mimeType": "application/pdf", "buffer": j.PDF}]
    )
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("uploaded-domicile-proof")).to_be_visible()
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("check-ok")).to_contain_text("秒批")
    expect(page.get_by_test_id("sign-digest")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    page.locator("#id-sign-password").fill(password)
    page.get_by_test_id("sign-submit").click()


def test_a_person_establishes_a_company_in_the_browser(live_server, page: Page, founder) -> None:
    base = live_server.url
    _sign_in(page, base, founder.username, "/registration/names/")
    name = f"上海{j.unique_trade_name()}科技有限公司"
    _declare_name(page, name)
    page.get_by_test_id("establish-with-name").click()
    page.locator("#id-situation").select_option("llc")
    page.get_by_test_id("start").click()
    _wizard(page, founder)

    expect(page.get_by_test_id("outcome-approved")).to_contain_text("秒批")
    code = page.get_by_test_id("credit-code").inner_text().strip()
    assert MarketEntity.objects.get(credit_code=code).name == name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "registration-established.png"), full_page=True)
    page.get_by_test_id("licence-link").click()
    expect(page.get_by_test_id("licence-credit-code")).to_have_text(code)
    expect(page.get_by_test_id("licence-name")).to_have_text(name)


def _established(founder: User) -> str:
    application = j.establish(founder)
    application.refresh_from_db()
    return application.credit_code


def test_the_company_changes_domicile_and_capital(live_server, page: Page, founder) -> None:
    code = _established(founder)
    base = live_server.url
    _sign_in(page, base, founder.username, "/registration/entities/")
    entity = page.locator(f'[data-testid="entity"][data-credit-code="{code}"]')
    expect(entity).to_contain_text("第1版")
    entity.get_by_test_id("start-change").click()
    _change_domicile_and_capital(page, "上海市浦东新区世纪大道200号", "300")
    expect(page.get_by_test_id("outcome-approved")).to_contain_text("换发")
    expect(page.get_by_test_id("entity-version")).to_contain_text("第2版")
    page.get_by_test_id("entity-link").click()
    expect(page.get_by_test_id("history-row")).to_have_count(2)
    entity_row = MarketEntity.objects.get(credit_code=code)
    assert entity_row.address == "上海市浦东新区世纪大道200号" and entity_row.version == 2
    assert entity_row.region_code == j.REGION  # the district was kept, not reset


def test_simplified_deregistration_with_a_public_objection(
    live_server, page: Page, browser: Browser, founder
) -> None:
    code = _established(founder)
    base = live_server.url
    _sign_in(page, base, founder.username, "/registration/entities/")
    page.get_by_test_id("start-deregistration").click()
    expect(page.get_by_test_id("eligible")).to_be_visible()
    page.locator("#id-reason").fill("经营期满，股东决定解散。")
    page.get_by_test_id("save").click()
    page.locator("#id-commit-password").fill("not-my-password")
    page.get_by_test_id("commit").click()
    expect(page.get_by_test_id("error-commit")).to_contain_text("密码")
    page.locator("#id-commit-password").fill(j.PASSWORD)
    page.get_by_test_id("commit").click()
    expect(page.get_by_test_id("commitment-signed")).to_be_visible()
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    page.locator("#id-sign-password").fill(j.PASSWORD)
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_test_id("deregistration-state")).to_have_text("公告中")
    number = page.get_by_test_id("notice-number").inner_text().strip()

    # Someone who is not signed in reads the notice and objects.
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(base + "/registration/notices/")
    public.locator(f'[data-testid="notice-row"][data-number="{number}"]').get_by_role(
        "link", name=number
    ).click()
    expect(public.get_by_test_id("notice-entity")).to_contain_text("科技有限公司")
    public.locator("#id-objector").fill("上海某某材料有限公司")
    public.locator("#id-contact").fill("021-12345678")
    public.get_by_test_id("file-objection").click()
    expect(public.get_by_test_id("error-grounds")).to_contain_text("异议理由")
    public.locator("#id-grounds").fill("尚欠我司货款5万元未结清。")
    public.get_by_test_id("file-objection").click()
    expect(public.get_by_test_id("objection-filed")).to_contain_text("异议已提交")
    public.context.close()

    deregistration = Deregistration.objects.get(number=number)
    assert deregistration.state == DeregistrationState.NOTICE
    assert deregistration.credit_code == code
    assert Objection.objects.filter(deregistration=deregistration).count() == 1


def test_an_officer_establishes_a_company_at_the_counter(live_server, page: Page, founder) -> None:
    officer = j.registration_officer()
    base = live_server.url
    _officer_sign_in(page, base, officer, "/registration/counter/")

    page.get_by_test_id("counter-names").click()
    name = f"上海{j.unique_trade_name()}科技有限公司"
    _declare_name(page, name, declarant=founder.username)
    page.goto(base + "/registration/counter/")
    page.locator("#id-applicant").fill(founder.id_number)
    page.locator("#id-kind").select_option("establishment")
    page.locator("#id-situation").select_option("llc")
    page.get_by_test_id("counter-start").click()
    _wizard(page, founder)  # the applicant types their own password at the counter

    expect(page.get_by_test_id("outcome-approved")).to_be_visible()
    code = page.get_by_test_id("credit-code").inner_text().strip()
    entity = MarketEntity.objects.get(credit_code=code)
    assert entity.name == name and entity.legal_representative_id_number == founder.id_number


def test_an_officer_changes_and_deregisters_at_the_counter(
    live_server, page: Page, founder
) -> None:
    code = _established(founder)
    officer = j.registration_officer()
    base = live_server.url
    _officer_sign_in(page, base, officer, "/registration/counter/")

    # A change of domicile and capital, filed at the window; the applicant signs.
    page.locator("#id-applicant").fill(founder.id_number)
    page.locator("#id-kind").select_option("change")
    page.locator("#id-credit-code").fill(code)
    page.get_by_test_id("counter-start").click()
    _change_domicile_and_capital(page, "上海市浦东新区陆家嘴环路1000号", "500")
    expect(page.get_by_test_id("entity-version")).to_contain_text("第2版")

    # Then the simplified deregistration: the investor signs the commitment at the window.
    page.goto(base + "/registration/counter/")
    page.locator("#id-applicant").fill(founder.id_number)
    page.locator("#id-kind").select_option("deregistration")
    page.locator("#id-credit-code").fill(code)
    page.get_by_test_id("counter-start").click()
    expect(page.get_by_test_id("eligible")).to_be_visible()
    page.locator("#id-reason").fill("股东决定解散。")
    page.get_by_test_id("save").click()
    page.locator("#id-investor").fill(founder.id_number)  # who signs, at the window
    page.locator("#id-commit-password").fill(j.PASSWORD)
    page.get_by_test_id("commit").click()
    expect(page.get_by_test_id("commitment-signed")).to_be_visible()
    page.locator("#id-sign-password").fill(j.PASSWORD)
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_test_id("deregistration-state")).to_have_text("公告中")

    entity = MarketEntity.objects.get(credit_code=code)
    assert entity.address == "上海市浦东新区陆家嘴环路1000号" and entity.version == 2
    assert Deregistration.objects.get(credit_code=code).state == DeregistrationState.NOTICE
