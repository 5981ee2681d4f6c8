"""A person searches the registry and opens an entity's public page, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from yingshang.core.idcard import id_number_mask
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import ID_NUMBER, raw_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _register(name: str, **overrides: object):
    return entity_register(
        actor="user:test", data=entity_data_parse(raw_data(name=name, **overrides))
    )


def test_search_by_name_fragment_then_open_the_entity(live_server, page: Page) -> None:
    wanted = _register("上海鑫达贸易有限公司")
    _register("上海宏图信息科技有限公司", industry_code="6513")

    page.goto(live_server.url + "/")
    page.get_by_placeholder("输入企业名称").fill("鑫达")
    page.get_by_role("button", name="查询企业信息").click()

    rows = page.get_by_test_id("result-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("上海鑫达贸易有限公司")
    expect(rows.first).to_contain_text(wanted.credit_code)

    rows.first.get_by_role("link").first.click()
    expect(page.get_by_test_id("entity-name")).to_have_text("上海鑫达贸易有限公司")
    expect(page.get_by_test_id("entity-credit-code")).to_have_text(wanted.credit_code)
    expect(page.get_by_test_id("entity-id-number")).to_have_text(id_number_mask(ID_NUMBER))
    assert ID_NUMBER not in page.content()


def test_search_by_credit_code_and_bad_input(live_server, page: Page) -> None:
    wanted = _register("上海鑫达贸易有限公司")
    page.goto(live_server.url + "/entities/")

    page.get_by_test_id("search-input").fill(wanted.credit_code.lower())
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("result-row")).to_have_count(1)

    page.get_by_test_id("search-input").fill("鑫")
    page.get_by_test_id("search-submit").click()
    # the browser's own minlength check or the server's message: either way no results page
    expect(page.get_by_test_id("result-row")).to_have_count(0)

    bad = wanted.credit_code[:17] + ("0" if wanted.credit_code[17] != "0" else "1")
    page.goto(live_server.url + f"/entities/{bad}/")
    expect(page.get_by_test_id("entity-error")).to_contain_text("第18位校验码")


def test_home_page_in_chinese(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("营商一网通办")
    for audience in ("社会公众", "企业", "政府工作人员"):
        expect(page.get_by_role("heading", name=audience, exact=True)).to_be_visible()
    shots = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "home.png"), full_page=True)
