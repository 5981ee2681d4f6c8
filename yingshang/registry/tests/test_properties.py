"""Property tests (hypothesis): any query is answered or refused cleanly, and name search
agrees with a brute-force substring test for random fragments of real names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.registry.models import MarketEntity
from yingshang.registry.selectors import entity_search

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
NAMES = [
    "上海鑫达贸易有限公司",
    "上海鑫达物流达贸咨询有限公司",
    "浦东新区张记小吃店",
    "上海ABC科技有限公司",
    "艾克（上海）信息技术有限公司",
    "上海星辰贸易发展有限公司",
    "上海哈哈哈文化传播有限公司",
    "北京鑫达科技有限公司上海分公司",
]


@pytest.fixture
def named(register):
    return [register(name=name) for name in NAMES]


@SETTINGS
@given(q=st.text(max_size=120))
def test_any_query_is_answered_or_refused_with_a_code(named, q):
    try:
        page = entity_search(q=q)
    except DomainError as exc:
        assert exc.code in (
            ErrorCode.QUERY_TOO_SHORT,
            ErrorCode.INVALID_INPUT,
            ErrorCode.INVALID_USCC,
        )
        assert exc.message
    else:
        assert len(page.items) <= page.page_size


@SETTINGS
@given(data=st.data())
def test_random_fragments_of_real_names_match_brute_force(named, data):
    name = data.draw(st.sampled_from(NAMES))
    start = data.draw(st.integers(0, len(name) - 2))
    end = data.draw(st.integers(start + 2, min(len(name), start + 6)))
    fragment = name[start:end]
    if fragment != fragment.strip() or len("".join(fragment.split())) == 18:
        return
    expected = [
        n
        for n in MarketEntity.objects.order_by("id").values_list("name", flat=True)
        if fragment.lower() in n.lower()
    ]
    assert [i.name for i in entity_search(q=fragment, page_size=100).items] == expected
