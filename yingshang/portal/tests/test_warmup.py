"""The pre-fork warm-up loads what the first requests need and never touches the database
(a connection opened in gunicorn's master would be shared by every worker)."""

from __future__ import annotations

import pytest

from yingshang.portal.warmup import warm_up


@pytest.mark.django_db
def test_warm_up_runs_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        warm_up()
