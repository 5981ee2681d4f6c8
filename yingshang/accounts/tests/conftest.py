from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create

PASSWORD = "Correct-horse-42"


@pytest.fixture
def department(db):
    return department_create(
        actor="test", code="PD-SAMR", name="浦东新区市场监督管理局", region_code="310115"
    )


@pytest.fixture
def official(department) -> User:
    user = user_create(
        actor="test",
        new=NewUser(
            username="inspector1",
            password=PASSWORD,
            role=Role.INSPECTOR,
            department_code=department.code,
            jurisdiction="310115",
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


@pytest.fixture
def public_user(db) -> User:
    return user_create(
        actor="test", new=NewUser(username="citizen", password=PASSWORD, role=Role.PUBLIC)
    )


def current_token(user: User, offset: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += offset * device.step
    return f"{totp.token():06d}"
