"""线上线下同步同标: the same input gives the same outcome online and at the counter."""

from __future__ import annotations

from typing import Any

import pytest

from yingshang.core.errors import DomainError
from yingshang.licences.models import Licence
from yingshang.matters.models import Application, Channel
from yingshang.registration.models import RegistrationCase
from yingshang.registry.models import MarketEntity

from . import journeys as j

pytestmark = pytest.mark.django_db

# What must be equal between the channels (names, codes and people differ by construction).
_ENTITY_FIELDS = (
    "entity_type",
    "registered_capital",
    "capital_currency",
    "region_code",
    "address",
    "industry_code",
    "business_scope",
    "registration_authority",
    "status",
    "version",
)


def _outcome(application: Application) -> dict[str, Any]:
    application.refresh_from_db()
    case = RegistrationCase.objects.filter(application=application).first()
    outcome: dict[str, Any] = {
        "state": application.state,
        "findings": [(f["code"], f["severity"]) for f in case.findings] if case else None,
        "automatic": case.automatic if case else None,
        "actions": list(application.transitions.values_list("action", flat=True)),
    }
    entity = MarketEntity.objects.filter(credit_code=application.credit_code).first()
    if entity is not None:
        outcome["entity"] = {field: getattr(entity, field) for field in _ENTITY_FIELDS}
        outcome["licences"] = list(
            Licence.objects.filter(entity=entity).values_list("kind", "state")
        )
    return outcome


@pytest.mark.parametrize("capital", ["100", "200000"])  # automatic path / officer's queue
def test_establishment_has_the_same_outcome_online_and_at_the_counter(capital):
    officer = j.registration_officer()
    online = j.establish(j.person("online", 201), capital=capital)
    counter = j.establish(j.person("walk-in", 202), capital=capital, by=officer)
    assert online.channel == Channel.ONLINE and counter.channel == Channel.COUNTER
    assert _outcome(online) == _outcome(counter)


def test_a_change_has_the_same_outcome_online_and_at_the_counter():
    officer = j.registration_officer()
    results = []
    for serial, by in ((203, None), (204, officer)):
        founder = j.person(f"p{serial}", serial)
        established = j.establish(founder)
        established.refresh_from_db()
        changed = j.change(
            founder,
            established.credit_code,
            {"address": "上海市浦东新区陆家嘴环路1000号", "registered_capital": "500"},
            members_capital="500",
            by=by,
        )
        results.append(_outcome(changed))
    assert results[0] == results[1]
    assert results[0]["entity"]["version"] == 2


def test_bad_input_is_refused_alike_in_both_channels():
    officer = j.registration_officer()
    errors = []
    for serial, by in ((205, None), (206, officer)):
        founder = j.person(f"p{serial}", serial)
        number = (
            j.reserve(founder, j.unique_trade_name())
            if by is None
            else j.counter_reserve(officer, founder)
        )
        data = j.establishment_data(founder, number)
        data["officers"] = data["officers"][1:]  # no director: who represents the company?
        application = j.registration_start_establishment(founder, data, by=by)
        j.upload_domicile_proof(by or founder, application)
        with pytest.raises(DomainError) as exc:
            j.sign_and_submit(by or founder, application, signer=founder)
        errors.append((exc.value.code, exc.value.details.get("field"), exc.value.message))
    assert errors[0] == errors[1]
    assert errors[0][1] == "legal_representative"
