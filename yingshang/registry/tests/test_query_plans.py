"""The database really uses the indexes the search and lookups are designed around."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from yingshang.registry import search
from yingshang.registry.selectors import _PUBLIC_SQL

pytestmark = pytest.mark.django_db


def _plan(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def test_lookup_by_code_uses_the_unique_index(entity):
    plan = _plan(_PUBLIC_SQL, [entity.credit_code])
    if connection.vendor == "sqlite":
        assert "registry_marketentity" in plan and "INDEX" in plan and "SCAN" not in plan
    else:
        assert "registry_entity_credit_code" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 plan")
def test_sqlite_search_streams_from_fts_in_rowid_order(entity):
    sql = search.sqlite_search_sql(with_region=False)
    plan = _plan(sql, [search.fts_query("鑫达"), "鑫达", 21, 0])
    assert "VIRTUAL TABLE INDEX" in plan
    assert "TEMP B-TREE" not in plan  # no sort: FTS5 yields rowids in order, LIMIT stops early
    assert "USING INTEGER PRIMARY KEY" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN plan")
def test_postgresql_rare_fragment_uses_the_gin_index(register):
    for i in range(30):
        register(name=f"上海{chr(0x4E00 + i)}{chr(0x4F00 + i)}贸易有限公司")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_marketentity")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM registry_marketentity "
            "WHERE search_grams @> %s::integer[] AND strpos(name, %s) > 0 ORDER BY id LIMIT 21",
            [search.name_grams("一伀"), "一伀"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")
    assert "Bitmap Index Scan on registry_entity_search_grams" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
def test_postgresql_trigger_keeps_grams_in_step(entity):
    from yingshang.registry.services import entity_change

    entity_change(
        actor="user:1",
        credit_code=entity.credit_code,
        changes={"name": "上海新名字有限公司"},
        expected_version=1,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_grams FROM registry_marketentity WHERE id = %s", [entity.pk])
        assert sorted(set(cursor.fetchone()[0])) == search.name_grams("上海新名字有限公司")
