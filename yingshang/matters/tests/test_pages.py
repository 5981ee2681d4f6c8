"""The service guide pages."""

from __future__ import annotations

import pytest
from django.test import Client

from yingshang.accounts.models import Role
from yingshang.accounts.services import NewUser, user_create
from yingshang.licences.tests.conftest import sign_in
from yingshang.matters.catalogue import matters_load
from yingshang.matters.models import State

from .conftest import sign_application

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


def test_an_applicant_submits_and_an_officer_decides_through_the_pages(
    client: Client, applicant, officer, draft
):
    url = f"/matters/applications/{draft.number}/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(applicant)
    mine = client.get("/matters/applications/").content.decode()
    assert draft.number in mine
    page = client.get(url).content.decode()
    assert 'data-testid="action-submit"' in page and "action-accept" not in page
    sign_application(draft)
    response = client.post(
        url, {"action": "submit", "version": "1", "idempotency_key": "page-key-01"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED

    officer_client = sign_in(Client(), officer)
    queue = officer_client.get("/matters/applications/").content.decode()
    assert draft.number in queue
    refused = officer_client.post(url, {"action": "refuse", "version": str(draft.version)})
    assert refused.status_code == 400 and "理由" in refused.content.decode()
    accepted = officer_client.post(url, {"action": "accept", "version": str(draft.version)})
    assert accepted.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.ACCEPTED and draft.deadline is not None
    stale = officer_client.post(url, {"action": "review", "version": "1"})
    assert stale.status_code == 409


def test_others_cannot_see_an_application(client: Client, draft, db):
    stranger = user_create(
        actor="test",
        new=NewUser(username="stranger", password="Correct-horse-42", role=Role.PUBLIC),
    )
    client.force_login(stranger)
    assert client.get(f"/matters/applications/{draft.number}/").status_code == 404
