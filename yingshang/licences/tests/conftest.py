"""Fixtures of the licence tests: a registered entity, officials, issued licences."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.licences.models import Licence
from yingshang.licences.services import business_licence_issue
from yingshang.registry.models import MarketEntity
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import ACTOR, raw_data

PASSWORD = "Correct-horse-42"


@pytest.fixture
def department(db):
    return department_create(
        actor="test", code="SH-SAMR", name="上海市市场监督管理局", region_code="310000"
    )


@pytest.fixture
def make_official(department) -> Callable[..., User]:
    def make(role: Role = Role.LICENSING_OFFICER, username: str = "licensing1") -> User:
        user = user_create(
            actor="test",
            new=NewUser(
                username=username,
                password=PASSWORD,
                role=role,
                department_code=department.code,
                jurisdiction="310000",
            ),
        )
        totp_enrol(actor="test", user=user)
        return user

    return make


@pytest.fixture
def officer(make_official) -> User:
    return make_official()


@pytest.fixture
def enterprise_user(db) -> User:
    return user_create(
        actor="test", new=NewUser(username="firm", password=PASSWORD, role=Role.PUBLIC)
    )


def sign_in(client: Client, user: User) -> Client:
    """Password, then the current TOTP code: a fully signed-in official."""
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(reverse("accounts:otp"), {"token": f"{totp.token():06d}"})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def entity(db) -> MarketEntity:
    return entity_register(actor=ACTOR, data=entity_data_parse(raw_data()))


@pytest.fixture
def licence(entity, officer) -> Licence:
    return business_licence_issue(by=officer, credit_code=entity.credit_code)
