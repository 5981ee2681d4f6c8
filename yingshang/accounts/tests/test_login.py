from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD, current_token

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
OTP = reverse("accounts:otp")


def _password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_public_user_logs_in_with_password_alone(client, public_user):
    response = _password_step(client, public_user.username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(public_user.pk)


def test_official_needs_the_second_factor(client, official):
    response = _password_step(client, official.username)
    assert response.status_code == 302 and response.url == OTP
    assert "_auth_user_id" not in client.session  # not logged in on the password alone

    right = client.post(OTP, {"token": current_token(official)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(official.pk)
    assert client.session.get("otp_device_id")


def test_wrong_token_is_refused_then_throttled(client, official):
    _password_step(client, official.username)
    token = current_token(official)
    wrong = next(t for t in ("000000", "111111", "222222", "333333") if t != token)
    response = client.post(OTP, {"token": wrong})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # django-otp throttles the device after a failure: even the right code waits a moment.
    response = client.post(OTP, {"token": current_token(official)})
    assert response.status_code == 400
    assert "过于频繁" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_malformed_token_gets_a_clear_message(client, official):
    _password_step(client, official.username)
    response = client.post(OTP, {"token": "12ab"})
    assert response.status_code == 400
    assert "6位数字" in response.content.decode()


def test_otp_step_without_password_step_goes_back_to_login(client):
    response = client.get(OTP)
    assert response.status_code == 302 and response.url == LOGIN


def test_wrong_password_is_refused_in_chinese(client, public_user):
    response = _password_step(client, public_user.username, "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account(client, public_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_step(client, public_user.username, "wrong-password")
    response = _password_step(client, public_user.username)  # even the right password
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_tokens_lock_the_official_out(client, official, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # let every wrong code reach the check
    _password_step(client, official.username)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(OTP, {"token": "000001"})
    response = _password_step(client, official.username)
    assert response.status_code == 429


def test_open_redirects_are_refused(client, public_user):
    response = client.post(
        LOGIN,
        {"username": public_user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == "/"


def test_logout_needs_post(client, public_user):
    client.force_login(public_user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
