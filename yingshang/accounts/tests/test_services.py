from __future__ import annotations

import pytest

from yingshang.accounts.jurisdiction import covers, jurisdiction_prefix
from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, user_create
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger.models import LedgerEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _create(**overrides):
    fields = {"username": "someone", "password": PASSWORD, "role": Role.PUBLIC} | overrides
    return user_create(actor="test", new=NewUser(**fields))


def test_official_gets_department_jurisdiction_and_a_ledger_event(department):
    before = LedgerEvent.objects.count()
    user = _create(role=Role.INSPECTOR, department_code="PD-SAMR", jurisdiction="310115")
    assert user.is_official and user.department == department and user.jurisdiction == "310115"
    event = LedgerEvent.objects.order_by("-index").first()
    assert LedgerEvent.objects.count() == before + 1
    assert event is not None and event.event_type == "accounts.user.created"
    assert event.subject == f"user:{user.pk}"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"role": Role.INSPECTOR}, ErrorCode.INVALID_INPUT),
        (
            {"role": Role.INSPECTOR, "department_code": "PD-SAMR", "jurisdiction": "999999"},
            ErrorCode.INVALID_REGION,
        ),
        (
            {"role": Role.INSPECTOR, "department_code": "NOPE", "jurisdiction": "310115"},
            ErrorCode.NOT_FOUND,
        ),
        (
            {"role": Role.ENTERPRISE, "entity_credit_code": "91310115MA1FL5XK0X"},
            ErrorCode.INVALID_USCC,
        ),
        ({"password": "12345678"}, ErrorCode.INVALID_INPUT),
        ({"username": "  "}, ErrorCode.INVALID_INPUT),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(department, overrides, code):
    users, events = User.objects.count(), LedgerEvent.objects.count()
    with pytest.raises(DomainError) as info:
        _create(**overrides)
    assert info.value.code is code
    assert info.value.message  # a Chinese sentence that says what to fix
    assert User.objects.count() == users and LedgerEvent.objects.count() == events


def test_duplicate_username_conflicts(public_user):
    with pytest.raises(DomainError) as info:
        _create(username=public_user.username)
    assert info.value.code is ErrorCode.CONFLICT


def test_enterprise_user_is_bound_to_a_valid_credit_code(db):
    user = _create(role=Role.ENTERPRISE, entity_credit_code="91152201078377449p")
    assert user.entity_credit_code == "91152201078377449P"


@pytest.mark.parametrize(
    ("jurisdiction", "region", "expected"),
    [
        ("310000", "310115", True),
        ("310115", "310115", True),
        ("310115", "310101", False),
        ("320100", "320102", True),
        ("320100", "320200", False),
        ("", "310115", False),
    ],
)
def test_jurisdiction_covers(jurisdiction, region, expected):
    assert covers(jurisdiction, region) is expected


def test_jurisdiction_prefix():
    assert [jurisdiction_prefix(c) for c in ("310000", "320100", "310115")] == [
        "31",
        "3201",
        "310115",
    ]
