"""Fixtures of the matters tests: an applicant, a registration officer, a draft, and
``sign`` (the applicant's signature over an application's current digest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.matters.catalogue import Matter, Situation, matters_load
from yingshang.matters.models import Application, Signature
from yingshang.matters.services import application_create, application_digest
from yingshang.matters.signatures import application_sign

PASSWORD = "Correct-horse-42"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def matter_with_materials() -> tuple[Matter, Situation]:
    for matter in matters_load().matters:
        for situation in matter.situations:
            if situation.materials:
                return matter, situation
    raise AssertionError("the shipped catalogue has no matter with materials")


@pytest.fixture
def applicant(db) -> User:
    return user_create(
        actor="test",
        new=NewUser(username="applicant", password=PASSWORD, role=Role.PUBLIC),
    )


@pytest.fixture
def officer(db) -> User:
    department_create(
        actor="test",
        code="PD-SAMR",
        name="浦东新区市场监督管理局",
        region_code="310115",
        function="SCJG",  # the catalogue's department of the registration matters
    )
    user = user_create(
        actor="test",
        new=NewUser(
            username="officer",
            password=PASSWORD,
            role=Role.REGISTRATION_OFFICER,
            department_code="PD-SAMR",
            jurisdiction="310115",
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


@pytest.fixture
def draft(applicant) -> Application:
    matter, situation = matter_with_materials()
    return application_create(
        by=applicant,
        matter_code=matter.code,
        situation_code=situation.code,
        data={"name": "上海鑫达贸易有限公司"},
    )


def totp_now(user: User, offset: int = 1) -> str:
    """A valid TOTP code of ``user``; by default the next step's (signing in used the
    current one, and django-otp accepts each step once)."""
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += offset * device.step
    return f"{totp.token():06d}"


def sign_application(application: Application, user: User | None = None) -> Signature:
    """``user`` (by default the applicant) signs the application as it is now."""
    application.refresh_from_db()
    signer = user or application.applicant
    return application_sign(
        by=signer,
        number=application.number,
        password=PASSWORD,
        otp_token=totp_now(signer) if TOTPDevice.objects.filter(user=signer).exists() else "",
        expected_digest=application_digest(application),
    )


@pytest.fixture
def sign(db) -> Callable[..., Signature]:
    return sign_application
