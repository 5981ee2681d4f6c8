"""Finding the applicant an official names at the counter."""

from __future__ import annotations

import pytest

from yingshang.accounts.models import Role
from yingshang.accounts.selectors import applicant_find
from yingshang.accounts.services import NewUser, department_create, user_create
from yingshang.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"


def test_an_applicant_is_found_by_username_or_id_number_but_never_an_official():
    person = user_create(
        actor="test",
        new=NewUser(
            username="wangfang", password=PASSWORD, role=Role.PUBLIC, id_number="31011519850601002x"
        ),
    )
    assert applicant_find("wangfang") == person
    assert applicant_find(" 31011519850601002x ") == person  # the check character in any case
    department_create(actor="test", code="D", name="部门", region_code="310115")
    user_create(
        actor="test",
        new=NewUser(
            username="official",
            password=PASSWORD,
            role=Role.REGISTRATION_OFFICER,
            department_code="D",
            jurisdiction="310115",
        ),
    )
    for value in ("official", "", "nobody"):
        with pytest.raises(DomainError) as exc:
            applicant_find(value, field="declarant")
        assert exc.value.code is ErrorCode.NOT_FOUND
        assert exc.value.details["field"] == "declarant"
