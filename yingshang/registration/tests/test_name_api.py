"""The names API (check, reserve, read, release) and the ``yingshang names`` command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, user_create
from yingshang.registration.name_models import NameIndexEntry, NameReservation

from .test_nameindex import PASSWORD, entity

CHECK = "/api/v1/names/check"
RESERVE = "/api/v1/names/reservations"


def post(client: Client, url: str, body: object):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def declarant(db) -> User:
    return user_create(
        actor="test", new=NewUser(username="declarant", password=PASSWORD, role=Role.PUBLIC)
    )


@pytest.fixture
def stranger(db) -> User:
    return user_create(
        actor="test", new=NewUser(username="stranger", password=PASSWORD, role=Role.PUBLIC)
    )


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.django_db
def test_check_is_public_and_has_one_shape(client: Client):
    existing = entity("上海鑫达贸易有限公司")
    ok = post(client, CHECK, {"name": "上海华腾餐饮管理有限公司", "region": "310000"})
    assert ok.status_code == 200
    assert ok.json() == {
        "verdict": "ok",
        "code": "",
        "message": ok.json()["message"],
        "rule": "",
        "conflicts": [],
    }
    conflict = post(
        client, CHECK, {"name": "鑫达（上海）贸易有限公司", "region": "310000", "industry": "5191"}
    ).json()
    assert (conflict["verdict"], conflict["code"]) == ("conflict", "NAME_CONFLICT")
    assert conflict["conflicts"][0]["credit_code"] == existing.credit_code
    assert conflict["conflicts"][0]["name"] == "上海鑫达贸易有限公司"
    assert {"name", "credit_code", "reason"} <= set(conflict["conflicts"][0])
    similar = post(client, CHECK, {"name": "上海新达贸易有限公司", "region": "310000"}).json()
    assert (similar["verdict"], similar["code"]) == ("similar", "NAME_SIMILAR")
    invalid = post(client, CHECK, {"name": "上海鑫贸易有限公司", "region": "310000"}).json()
    assert (invalid["verdict"], invalid["code"], invalid["rule"]) == (
        "invalid",
        "INVALID_INPUT",
        "trade_name_too_short",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "上海鑫达贸易有限公司"},
        {"name": ["x"], "region": "310000"},
        {"name": "上海鑫达贸易有限公司", "region": "310000", "industry": "x" * 50},
        "not an object",
    ],
)
def test_bad_check_input_is_an_error_not_a_500(client: Client, body):
    response = post(client, CHECK, body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_INPUT"


@pytest.mark.django_db
def test_bad_region_in_a_check_is_reported_as_invalid(client: Client):
    body = post(client, CHECK, {"name": "上海鑫达贸易有限公司", "region": "abc"}).json()
    assert (body["verdict"], body["code"]) == ("invalid", "INVALID_REGION")


@pytest.mark.django_db
def test_reserve_read_release_through_the_api(client: Client, declarant, stranger):
    body = {"name": "上海鑫达贸易有限公司", "region": "310000", "entity_type": "limited"}
    assert error_of(post(client, RESERVE, body))["code"] == "NOT_AUTHENTICATED"
    client.force_login(declarant)
    created = post(client, RESERVE, {**body, "industry": "5191"})
    assert created.status_code == 201, created.content
    reservation = created.json()
    number = reservation["number"]
    assert (reservation["state"], reservation["trade_name"], reservation["channel"]) == (
        "reserved",
        "鑫达",
        "online",
    )
    assert client.get(f"{RESERVE}/{number}").json()["number"] == number

    public = post(Client(), CHECK, {"name": "鑫达（上海）贸易有限公司", "region": "310000"})
    listed = public.json()["conflicts"][0]
    assert listed["credit_code"] == "" and "保留" in listed["reason"]
    assert number not in public.content.decode()

    taken = post(client, RESERVE, body)
    assert taken.status_code == 409
    assert error_of(taken)["code"] == "NAME_CONFLICT"

    other = Client()
    other.force_login(stranger)
    assert other.get(f"{RESERVE}/{number}").status_code == 404
    assert post(other, f"{RESERVE}/{number}/release", {}).status_code == 404

    released = post(client, f"{RESERVE}/{number}/release", {})
    assert released.status_code == 200 and released.json()["state"] == "released"
    again = post(client, f"{RESERVE}/{number}/release", {})
    assert (again.status_code, error_of(again)["code"]) == (409, "INVALID_STATE")
    assert client.get(f"{RESERVE}/NOPE").status_code == 404


@pytest.mark.django_db
def test_reserve_errors_have_the_error_shape(client: Client, declarant):
    entity("上海鑫达贸易有限公司")
    client.force_login(declarant)
    base = {"region": "310000", "entity_type": "limited"}
    invalid = post(client, RESERVE, {**base, "name": "上海鑫贸易有限公司"})
    assert invalid.status_code == 400
    assert error_of(invalid)["details"]["rule"] == "trade_name_too_short"
    similar = post(client, RESERVE, {**base, "name": "上海新达贸易有限公司"})
    assert similar.status_code == 409
    error = error_of(similar)
    assert error["code"] == "NAME_SIMILAR"
    assert error["details"]["conflicts"][0]["name"] == "上海鑫达贸易有限公司"
    wrong = post(
        client,
        RESERVE,
        {**base, "name": "上海新达贸易有限公司", "accept_similar": True, "password": "nope"},
    )
    assert (wrong.status_code, error_of(wrong)["code"]) == (401, "AUTH_FAILED")
    signed = post(
        client,
        RESERVE,
        {**base, "name": "上海新达贸易有限公司", "accept_similar": True, "password": PASSWORD},
    )
    assert signed.status_code == 201, signed.content
    assert signed.json()["similar_accepted"] is True
    missing_type = post(client, RESERVE, {"name": "上海华腾贸易有限公司", "region": "310000"})
    assert error_of(missing_type)["code"] == "INVALID_INPUT"
    unknown_declarant = post(
        client, RESERVE, {**base, "name": "上海华腾贸易有限公司", "declarant": "x"}
    )
    assert error_of(unknown_declarant)["code"] == "NOT_FOUND"
    assert NameReservation.objects.count() == 1


@pytest.mark.django_db
def test_names_command_checks_and_reindexes():
    existing = entity("上海鑫达贸易有限公司")
    out = io.StringIO()
    call_command("names", "check", "上海华腾餐饮管理有限公司", "--region", "310000", stdout=out)
    assert out.getvalue().startswith("ok")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("names", "check", "鑫达（上海）贸易有限公司", "--region", "310000", stdout=out)
    assert out.getvalue().startswith("conflict NAME_CONFLICT")
    assert existing.credit_code in out.getvalue()
    NameIndexEntry.objects.all().delete()
    out = io.StringIO()
    call_command("names", "reindex", "--no-progress", stdout=out)
    assert "名称比对库已重建：1 条" in out.getvalue()
    assert NameIndexEntry.objects.get().ref == existing.credit_code
