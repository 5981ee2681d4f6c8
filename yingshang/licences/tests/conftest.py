"""Fixtures of the licence tests: a registered entity, officials, issued licences."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.accounts.models import Department, Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.core.licence_id import licence_id_build
from yingshang.ledger.models import LedgerEvent
from yingshang.licences import industry
from yingshang.licences.credential import business_licence_credential
from yingshang.licences.dataintegrity import EDDSA_RDFC_2022, proof_create
from yingshang.licences.eid_test_issuer import TestEidIssuer
from yingshang.licences.models import Licence
from yingshang.licences.services import business_licence_issue
from yingshang.licences.trust import issuer_entry_parse, trusted_issuer_save
from yingshang.registry.models import MarketEntity
from yingshang.registry.selectors import entity_get_public
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


# --- Added for the service, verification, trust and API tests --------------------------------

ZJ_DID = "did:web:amr.zj.example"  # a regional market regulator (浙江) of the tests


def events(event_type: str) -> list[LedgerEvent]:
    """The ledger events of ``event_type``, oldest first."""
    return list(LedgerEvent.objects.filter(event_type=event_type).order_by("index"))


@pytest.fixture
def make_entity(db) -> Callable[..., MarketEntity]:
    """Register another entity (a fresh credit code each time); overrides change the data."""

    def make(**overrides: Any) -> MarketEntity:
        return entity_register(actor=ACTOR, data=entity_data_parse(raw_data(**overrides)))

    return make


def utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def foreign_licence(
    issuer: TestEidIssuer,
    entity: MarketEntity,
    *,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    cryptosuite: str = EDDSA_RDFC_2022,
) -> dict[str, Any]:
    """A BusinessLicenceCredential about ``entity`` signed by another issuer's key."""
    valid_from = valid_from or dt.datetime.now(dt.UTC).replace(microsecond=0)
    unsigned = business_licence_credential(
        entity=dataclasses.asdict(entity_get_public(credit_code=entity.credit_code)),
        issuer=issuer.did,
        licence_id=licence_id_build(
            type_code="YYZZ",
            issuer_credit_code=settings.LICENCE_ISSUER_CREDIT_CODE,
            serial=7,
            version=1,
        ),
        issued_on=valid_from.date(),
        valid_from=valid_from,
        valid_until=valid_until,
        status=None,
    )
    return proof_create(
        document=unsigned,
        key=issuer.key,
        verification_method=issuer.key_url,
        cryptosuite=cryptosuite,
        created=utc_text(valid_from),
    )


@pytest.fixture
def zj_issuer() -> TestEidIssuer:
    """Another province's market regulator: its own did:web and Ed25519 key (not yet trusted)."""
    return TestEidIssuer(did=ZJ_DID)


def zj_entry(issuer: TestEidIssuer, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "did": issuer.did,
        "name": "浙江省市场监督管理局",
        "region_code": "330000",
        "kind": "market_regulator",
        "did_document": issuer.did_document(),
    }
    entry.update(overrides)
    return entry


@pytest.fixture
def zj_trusted(zj_issuer, officer) -> TestEidIssuer:
    """The regional regulator, on the trust list."""
    trusted_issuer_save(by=officer, entry=issuer_entry_parse(zj_entry(zj_issuer)))
    return zj_issuer


# --- 一业一证 ---------------------------------------------------------------------------------

STORE_FORM: dict[str, Any] = {
    "business_area_m2": "85.5",
    "premises_address": "上海市浦东新区张江路100号1层",
    "responsible_person": "张伟",
    "chain_type": None,
    "sells_alcohol": False,
    "sells_tobacco": False,
}
FOOD = "food-business"
# A store that sells tobacco: the tobacco permit's evidence (one condition by commitment).
TOBACCO_COMMITMENTS = ["tobacco-retail.funds"]
TOBACCO_MATERIALS = {
    "tobacco-retail.fixed-premises": ["经营场所使用证明"],
    "tobacco-retail.layout": ["经营场所方位图（标明周边烟草零售点）"],
    "tobacco-retail.not-near-school": ["经营场所方位图（标明周边学校、幼儿园）"],
}
FOOD_CONDITIONS = ("premises", "equipment", "safety-management", "layout", "staff-health")


@pytest.fixture
def store_form() -> dict[str, Any]:
    form = dict(STORE_FORM)
    chain = industry.catalogue_load().industry("convenience-store").form_field("chain_type")
    assert chain is not None and chain.choices
    form["chain_type"] = chain.choices[0]
    return form


@pytest.fixture
def applicant(entity) -> User:
    return user_create(
        actor="test",
        new=NewUser(
            username="store-owner",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            entity_credit_code=entity.credit_code,
        ),
    )


@pytest.fixture
def reviewer(db):
    def make(department: str, role: Role = Role.LICENSING_OFFICER) -> User:
        if not Department.objects.filter(code=f"SH-{department}").exists():
            department_create(
                actor="test",
                code=f"SH-{department}",
                name=department,
                region_code="310000",
                function=department,
            )
        user = user_create(
            actor="test",
            new=NewUser(
                username=f"{department.lower()}-{role.value}",
                password=PASSWORD,
                role=role,
                department_code=f"SH-{department}",
                jurisdiction="310000",
            ),
        )
        totp_enrol(actor="test", user=user)
        return user

    return make


@pytest.fixture
def register_other(db):
    return entity_register(
        actor="test", data=entity_data_parse(raw_data(name="上海另一家贸易有限公司"))
    )


def commit_all(permit_code: str, codes: tuple[str, ...]) -> list[str]:
    return [f"{permit_code}.{code}" for code in codes]
