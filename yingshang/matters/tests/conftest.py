"""Fixtures of the matters tests: an applicant, a registration officer, a draft."""

from __future__ import annotations

import pytest

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.matters.catalogue import Matter, Situation, matters_load
from yingshang.matters.models import Application
from yingshang.matters.services import application_create

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
        actor="test", code="PD-SAMR", name="浦东新区市场监督管理局", region_code="310115"
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
