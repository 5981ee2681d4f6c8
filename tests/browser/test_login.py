"""An official signs in with password and TOTP code, in a real browser."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from yingshang.accounts.models import Role
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-horse-42"


def _official():
    department_create(
        actor="test", code="PD-SAMR", name="浦东新区市场监督管理局", region_code="310115"
    )
    user = user_create(
        actor="test",
        new=NewUser(
            username="dengji",
            password=PASSWORD,
            role=Role.REGISTRATION_OFFICER,
            display_name="张登记",
            department_code="PD-SAMR",
            jurisdiction="310115",
        ),
    )
    device = totp_enrol(actor="test", user=user)
    return user, device


def _token(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_official_signs_in_with_a_second_factor(live_server, page: Page) -> None:
    _user, device = _official()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    page.get_by_label("用户名").fill("dengji")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")

    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="输入动态口令")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)  # not signed in yet

    page.get_by_label("动态口令").fill("12ab")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("6位数字")

    page.get_by_label("动态口令").fill(_token(device))
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("current-user")).to_contain_text("张登记")
    expect(page.get_by_test_id("current-user")).to_contain_text("登记注册人员")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
