"""The fresh login before signing: password (and TOTP for officials), counted by axes."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from yingshang.accounts.services import reauthenticate
from yingshang.core.errors import DomainError, ErrorCode

from .conftest import PASSWORD, current_token

pytestmark = pytest.mark.django_db


def _failures(username: str) -> int:
    attempt = AccessAttempt.objects.filter(username=username).first()
    return attempt.failures_since_start if attempt else 0


def test_the_right_password_confirms_a_public_user(public_user):
    assert reauthenticate(user=public_user, password=PASSWORD) == "password"


def test_an_official_needs_the_totp_code_too(official):
    with pytest.raises(DomainError) as exc:
        reauthenticate(user=official, password=PASSWORD)
    assert exc.value.code == ErrorCode.AUTH_FAILED and exc.value.details["field"] == "otp_token"
    assert _failures(official.username) == 1
    method = reauthenticate(user=official, password=PASSWORD, otp_token=current_token(official))
    assert method == "password+totp"
    assert _failures(official.username) == 0  # a success resets, as a login does


def test_a_wrong_password_is_refused_in_chinese_and_counted(public_user):
    with pytest.raises(DomainError) as exc:
        reauthenticate(user=public_user, password="wrong-password")
    assert exc.value.code == ErrorCode.AUTH_FAILED and "密码" in exc.value.message
    assert _failures(public_user.username) == 1
    with pytest.raises(DomainError):
        reauthenticate(user=public_user, password="")
    assert _failures(public_user.username) == 2


def test_failures_lock_the_account_like_failed_logins(public_user, settings, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(DomainError) as exc:
            reauthenticate(user=public_user, password="wrong-password")
        assert exc.value.code == ErrorCode.AUTH_FAILED
    with pytest.raises(DomainError) as exc:
        reauthenticate(user=public_user, password="wrong-password")
    assert exc.value.code == ErrorCode.RATE_LIMITED
    with pytest.raises(DomainError) as exc:  # even the right password now
        reauthenticate(user=public_user, password=PASSWORD)
    assert exc.value.code == ErrorCode.RATE_LIMITED
    # the same lockout as the sign-in page
    response = client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 429


def test_a_request_is_used_when_given(public_user, rf):
    request = rf.post("/api/v1/applications/x/signatures")
    with pytest.raises(DomainError):
        reauthenticate(user=public_user, password="nope", request=request)
    assert AccessAttempt.objects.get(username="citizen").path_info.endswith("/signatures")
