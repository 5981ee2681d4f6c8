"""Fixtures of the registry tests: valid raw registration data and registered entities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from yingshang.core.idcard import id_number_check_character
from yingshang.core.uscc import ALPHABET, uscc_generate
from yingshang.registry.models import MarketEntity
from yingshang.registry.services import entity_data_parse, entity_register

ACTOR = "user:test-officer"


def id_number(region: str = "310115", born: str = "19850312", seq: str = "123") -> str:
    """A valid GB 11643 identity number."""
    first17 = region + born + seq
    return first17 + id_number_check_character(first17)


ID_NUMBER = id_number()
CODE = uscc_generate(region="310115", body="MA1FL5XK").code  # a valid enterprise code
BAD_CODE = CODE[:17] + ALPHABET[(ALPHABET.index(CODE[17]) + 1) % 31]  # wrong check char


def raw_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid registration as a form or JSON body would carry it."""
    data: dict[str, Any] = {
        "name": "上海鑫达贸易有限公司",
        "entity_type": "limited_np",
        "legal_representative": "张伟",
        "legal_representative_id_number": ID_NUMBER,
        "registered_capital": "100",
        "capital_currency": "CNY",
        "established_on": "2020-05-18",
        "region_code": "310115",
        "address": "上海市浦东新区张江路100号3层",
        "industry_code": "5199",
        "business_scope": "一般项目：日用百货销售；五金产品批发。",
        "employees": 12,
    }
    data.update(overrides)
    return data


@pytest.fixture
def register(db) -> Callable[..., MarketEntity]:
    """Register an entity through the service; keyword overrides change the raw data."""

    def make(**overrides: Any) -> MarketEntity:
        return entity_register(actor=ACTOR, data=entity_data_parse(raw_data(**overrides)))

    return make


@pytest.fixture
def entity(register) -> MarketEntity:
    return register()
