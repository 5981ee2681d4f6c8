"""Officials see the full ID number only inside their jurisdiction, and only after 2FA."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.core.idcard import id_number_mask

from .conftest import ID_NUMBER

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"


def _official(username: str, jurisdiction: str) -> User:
    user = user_create(
        actor="test",
        new=NewUser(
            username=username,
            password=PASSWORD,
            role=Role.REGISTRATION_OFFICER,
            department_code="SAMR",
            jurisdiction=jurisdiction,
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


def _sign_in(client, user: User) -> None:
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    device = TOTPDevice.objects.get(user=user)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    response = client.post(reverse("accounts:otp"), {"token": f"{token:06d}"})
    assert response.status_code == 302


@pytest.fixture
def samr(db):
    return department_create(actor="test", code="SAMR", name="市场监督管理局", region_code="310000")


def _page(client, entity) -> str:
    return client.get(reverse("registry:entity", args=[entity.credit_code])).content.decode()


def test_public_sees_the_masked_number(client, entity):
    html = _page(client, entity)
    assert id_number_mask(ID_NUMBER) in html and ID_NUMBER not in html


def test_official_in_jurisdiction_sees_the_full_number(client, entity, samr):
    _sign_in(client, _official("pudong", "310115"))
    html = _page(client, entity)
    assert ID_NUMBER in html and "辖区内工作人员可见" in html


def test_city_wide_official_covers_every_district(client, entity, samr):
    _sign_in(client, _official("city", "310000"))
    assert ID_NUMBER in _page(client, entity)


def test_official_outside_jurisdiction_sees_only_the_public_record(client, entity, samr):
    _sign_in(client, _official("huangpu", "310101"))
    html = _page(client, entity)
    assert ID_NUMBER not in html
    assert "不在您的辖区内" in html


def test_password_alone_is_not_enough(client, entity, samr):
    user = _official("pudong2", "310115")
    client.force_login(user)  # signed in, but without the second factor
    assert ID_NUMBER not in _page(client, entity)
