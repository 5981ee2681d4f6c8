"""A person verifies an e-licence (paste, QR image, camera) and prints it, in a real browser.

The QR image and the camera are decoded by the vendored jsQR inside chromium; the camera is
chromium's fake capture device playing a Y4M video of the licence's QR code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import segno
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM_ARGS, _chromium_path
from yingshang.licences.models import Licence, LicenceState
from yingshang.licences.qr import qr_payload_encode, qr_png
from yingshang.licences.services import business_licence_issue_as, licence_state_set_as
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import raw_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def licence() -> Licence:
    entity = entity_register(actor="user:test", data=entity_data_parse(raw_data()))
    return business_licence_issue_as(actor="user:test", credit_code=entity.credit_code)


def _expect_valid(page: Page, licence: Licence) -> None:
    banner = page.get_by_test_id("verdict-banner")
    expect(banner).to_have_attribute("data-valid", "true", timeout=20_000)
    expect(banner).to_contain_text("有效")
    expect(page.get_by_test_id("verdict-issuer")).to_contain_text("上海市市场监督管理局")
    expect(page.get_by_test_id("verdict-entity-name")).to_have_text(
        licence.credential["credentialSubject"]["entityName"]
    )
    expect(page.get_by_test_id("check-signature")).to_contain_text("✓")


def test_paste_licence_json(live_server, page: Page, licence: Licence) -> None:
    page.goto(live_server.url + "/licences/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("核验电子证照")
    page.get_by_test_id("verify-text").fill(json.dumps(licence.credential, ensure_ascii=False))
    page.get_by_test_id("verify-submit").click()
    _expect_valid(page, licence)
    expect(page.get_by_test_id("verdict")).to_contain_text("来源：凭证 JSON")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "verify-valid.png"), full_page=True)

    tampered = json.loads(json.dumps(licence.credential))
    tampered["credentialSubject"]["legalRepresentative"] = "李四"
    page.get_by_test_id("verify-text").fill(json.dumps(tampered, ensure_ascii=False))
    page.get_by_test_id("verify-submit").click()
    expect(page.get_by_test_id("verdict-banner")).to_have_attribute("data-valid", "false")
    expect(page.get_by_test_id("check-signature")).to_have_attribute("data-reason", "TAMPERED")
    page.screenshot(path=str(SHOTS / "verify-tampered.png"), full_page=True)


def test_upload_qr_image(live_server, page: Page, licence: Licence, tmp_path: Path) -> None:
    image = tmp_path / "licence-qr.png"
    image.write_bytes(qr_png(qr_payload_encode(licence.credential)))
    page.goto(live_server.url + "/licences/verify/")
    page.get_by_test_id("verify-file").set_input_files(str(image))
    _expect_valid(page, licence)
    expect(page.get_by_test_id("verdict")).to_contain_text("来源：二维码")


def _y4m_of_qr(payload: str, path: Path, *, width: int = 640, height: int = 480) -> None:
    """A short 4:2:0 video of ``payload``'s QR code, dark modules on white, centred."""
    qr = segno.make(payload, error="L")
    side = qr.symbol_size(scale=1, border=4)[0]
    scale = max(1, min(width, height) * 9 // 10 // side)
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix_iter(scale=scale)]
    size = len(rows)
    top, left = (height - size) // 2, (width - size) // 2
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(rows):
        start = (top + y) * width + left
        luma[start : start + size] = row
    chroma = b"\x80" * ((width // 2) * (height // 2))
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    with path.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            handle.write(frame)


def test_scan_with_camera(live_server, browser: Browser, licence: Licence, tmp_path: Path) -> None:
    video = tmp_path / "licence-qr.y4m"
    _y4m_of_qr(qr_payload_encode(licence.credential), video)
    camera_browser = browser.browser_type.launch(
        executable_path=_chromium_path(),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(locale="zh-CN", permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/licences/verify/")
        page.get_by_test_id("scan-button").click()
        _expect_valid(page, licence)
        expect(page.get_by_test_id("verdict")).to_contain_text("来源：二维码")
        context.close()
    finally:
        camera_browser.close()


SCOPE_ITEMS = (
    "一般项目：日用百货销售；五金产品批发；电子产品销售；办公用品销售；文具用品零售；"
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；信息咨询服务（不含许可类信息咨询服务）；"
    "许可项目：食品销售；第二类增值电信业务；（依法须经批准的项目，经相关部门批准后方可开展经营活动）。"
)


def _scope(length: int) -> str:
    return (SCOPE_ITEMS * (length // len(SCOPE_ITEMS) + 1))[: length - 1] + "。"


@pytest.mark.parametrize(
    ("scope_length", "revoked"),
    [(0, False), (800, True), (1600, False), (2600, True), (4000, True)],
)
def test_printable_licence_fits_one_a4_page(
    live_server, page: Page, scope_length: int, revoked: bool
) -> None:
    data = raw_data(business_scope=_scope(scope_length)) if scope_length else raw_data()
    entity = entity_register(actor="user:test", data=entity_data_parse(data))
    licence = business_licence_issue_as(actor="user:test", credit_code=entity.credit_code)
    if revoked:
        licence_state_set_as(
            actor="user:test",
            licence_id=licence.licence_id,
            state=LicenceState.REVOKED,
            reason="test",
        )
    page.goto(live_server.url + f"/licences/entity/{licence.credit_code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("营业执照")
    expect(page.get_by_test_id("licence-credit-code")).to_have_text(licence.credit_code)
    expect(page.get_by_test_id("licence-qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("print-button")).to_be_visible()
    if revoked:
        expect(page.get_by_test_id("licence-state")).to_contain_text("撤销")
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"licence-{scope_length or 'short'}"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_test_id("print-button")).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (SHOTS / f"{name}.pdf").write_bytes(pdf)
    # the printable area of A4 less 15 mm margins, at 96 dpi: nothing spills out of the frame
    page.set_viewport_size({"width": 680, "height": 1009})
    page.screenshot(path=str(SHOTS / f"{name}-print.png"), full_page=True)
    frame = page.locator(".licence-frame").bounding_box()
    scope = page.locator(".licence-fields .scope dd").bounding_box()
    foot = page.locator(".licence-foot").bounding_box()
    assert frame and scope and foot
    assert scope["y"] + scope["height"] <= foot["y"] + 1
    assert foot["y"] + foot["height"] <= frame["y"] + frame["height"] + 1
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == 1, f"{len(pages)} pages"
