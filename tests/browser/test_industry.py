"""一业一证 in a real browser: an enterprise applies with one form on commitment and sees its
licence with the QR code; a tobacco permit goes to the tobacco bureau's review queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.licences.models import ApplicationState, IndustryApplication
from yingshang.registry.models import MarketEntity
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import raw_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-horse-42"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
FOOD_CONDITIONS = ("premises", "equipment", "safety-management", "layout", "staff-health")


@pytest.fixture
def entity() -> MarketEntity:
    return entity_register(actor="user:test", data=entity_data_parse(raw_data()))


@pytest.fixture
def owner(entity: MarketEntity) -> User:
    return user_create(
        actor="test",
        new=NewUser(
            username="store-owner",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            entity_credit_code=entity.credit_code,
        ),
    )


def _sign_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步").click()


def _fill_store(page: Page, *, sells_tobacco: bool) -> None:
    page.get_by_label("经营面积（平方米）").fill("85.5")
    page.get_by_label("经营场所地址").fill("上海市浦东新区张江路100号1层")
    page.get_by_label("负责人姓名").fill("张伟")
    page.get_by_label("门店类型").select_option("连锁门店")
    page.locator("#id-form-sells_alcohol-false").check()
    page.locator(f"#id-form-sells_tobacco-{'true' if sells_tobacco else 'false'}").check()


def _commit_food(page: Page) -> None:
    for code in FOOD_CONDITIONS:
        page.get_by_test_id(f"commit-food-business.{code}").check()


def test_enterprise_applies_on_commitment_and_sees_the_licence(
    live_server, page: Page, owner: User, entity: MarketEntity
) -> None:
    base = live_server.url
    _sign_in(page, base, owner.username, "/industry/")
    expect(page.get_by_role("heading", level=1)).to_have_text("一业一证行业目录")
    page.get_by_role("link", name="便利店").click()
    expect(page.get_by_test_id("permit").first).to_contain_text("法律依据")
    page.get_by_test_id("apply-link").click()
    expect(page.get_by_test_id("applicant")).to_contain_text(entity.credit_code)

    _fill_store(page, sells_tobacco=False)
    # htmx re-renders step 2 as the answers change; the button does the same without it.
    expect(page.get_by_test_id("step2")).to_be_visible()
    expect(page.get_by_test_id("step2")).to_contain_text("食品经营许可证")
    expect(page.get_by_test_id("step2")).not_to_contain_text("烟草专卖零售许可证")
    _commit_food(page)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-confirm")).to_contain_text("请勾选")  # kept choices
    expect(page.get_by_test_id("commit-food-business.layout")).to_be_checked()
    page.get_by_test_id("confirm").check()
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("application-state")).to_have_text("已核发")
    expect(page.get_by_test_id("commitment-badge")).to_have_text("告知承诺发证")
    expect(page.get_by_test_id("post-check")).to_contain_text("事后核查期限")
    page.get_by_test_id("licence-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("行业综合许可证")
    expect(page.get_by_test_id("licence-qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("commitment-mark")).to_be_visible()
    expect(page.get_by_test_id("licence-permits")).to_contain_text("食品经营许可证")
    expect(page.get_by_test_id("licence-state")).to_have_text("有效")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "industry-licence.png"), full_page=True)

    page.goto(base + "/industry/inbox/")
    expect(page.get_by_test_id("notice").first).to_contain_text("行业综合许可证已核发")


def test_tobacco_permit_is_reviewed_by_the_tobacco_bureau(
    live_server, page: Page, owner: User, entity: MarketEntity
) -> None:
    base = live_server.url
    _sign_in(page, base, owner.username, "/industry/convenience-store/apply/")
    _fill_store(page, sells_tobacco=True)
    step2 = page.get_by_test_id("step2")
    expect(step2).to_contain_text("烟草专卖零售许可证")
    _commit_food(page)
    page.get_by_test_id("commit-tobacco-retail.funds").check()
    page.get_by_test_id("evidence-tobacco-retail.fixed-premises").check()
    for key in ("fixed-premises", "layout", "not-near-school"):
        page.locator(f"#material-tobacco-retail\\.{key}-0").check()
    page.get_by_test_id("confirm").check()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("application-state")).to_have_text("并联审查中")
    number = page.get_by_test_id("application-number").inner_text().strip()

    department_create(
        actor="test", code="SH-YCZM", name="上海市烟草专卖局", region_code="310000", function="YCZM"
    )
    official = user_create(
        actor="test",
        new=NewUser(
            username="yczm1",
            password=PASSWORD,
            role=Role.LICENSING_OFFICER,
            department_code="SH-YCZM",
            jurisdiction="310000",
        ),
    )
    device: TOTPDevice = totp_enrol(actor="test", user=official)
    page.get_by_role("button", name="退出").click()
    _sign_in(page, base, "yczm1", "/industry/reviews/")
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    page.get_by_label("动态口令").fill(f"{token:06d}")
    page.get_by_role("button", name="登录").click()

    item = page.locator(f'[data-testid="review-item"][data-number="{number}"]')
    expect(item).to_contain_text("烟草专卖零售许可证")
    item.get_by_test_id("reject").click()
    expect(page.get_by_test_id("review-error")).to_contain_text("不同意时必须填写审查意见")
    item.get_by_test_id("approve").click()
    expect(page.locator(".messages")).to_contain_text("已同意申请")
    assert IndustryApplication.objects.get(number=number).state == ApplicationState.APPROVED
