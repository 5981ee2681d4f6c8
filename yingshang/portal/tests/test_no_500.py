"""No input produces a 500: arbitrary text into every public query and path parameter."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/entities?q={}",
    "/api/v1/entities?q=上海&page={}",
    "/api/v1/entities?q=上海&page_size={}",
    "/api/v1/entities/{}",
    "/api/v1/ledger/proof/inclusion?index={}",
    "/api/v1/ledger/proof/inclusion?index=0&size={}",
    "/api/v1/ledger/proof/consistency?first={}&second=1",
    "/api/v1/ledger/events/{}",
    "/entities/?q={}",
    "/entities/{}/",
]

text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=60
) | st.sampled_from(
    ['"', "'", "*", "NEAR(a b)", "a OR b", "-1", "1e9", "%", "_", "上海 AND", "\\", "()", "9" * 40]
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=text, endpoint=st.sampled_from(ENDPOINTS))
def test_any_input_gets_an_answer_not_a_500(client: Client, value: str, endpoint: str) -> None:
    response = client.get(endpoint.format(quote(value, safe="")))
    assert response.status_code < 500, (endpoint, value, response.content[:300])
    if endpoint.startswith("/api/") and response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]
