"""The service guide pages."""

from __future__ import annotations

import pytest
from django.test import Client

from yingshang.matters.catalogue import matters_load

pytestmark = pytest.mark.django_db


def test_every_guide_renders_its_standard_elements(client: Client):
    listing = client.get("/matters/").content.decode()
    for matter in matters_load().matters:
        assert matter.name in listing
        page = client.get(f"/matters/{matter.code}/")
        assert page.status_code == 200
        text = page.content.decode()
        for heading in ("设定依据", "申请条件", "申请材料", "办理流程", "咨询与投诉"):
            assert heading in text
        assert matter.type.label in text
        assert matter.legal_basis[0].document in text


def test_an_unknown_matter_is_a_404_page(client: Client):
    response = client.get("/matters/no-such-matter/")
    assert response.status_code == 404 and "没有找到该事项" in response.content.decode()
