"""Synthetic data: determinism, validity, realistic shares, and the bulk seed command."""

from __future__ import annotations

import collections
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yingshang.core.idcard import id_number_parse
from yingshang.core.industries import IndustryLevel, industry_parse
from yingshang.core.regions import region_parse
from yingshang.core.uscc import uscc_parse
from yingshang.ledger.models import LedgerEvent
from yingshang.registry import search, seeding, synthetic
from yingshang.registry.models import EntityStatus, EntityType, MarketEntity
from yingshang.registry.selectors import entity_get_public, entity_search

COLUMN = {name: i for i, name in enumerate(synthetic.COLUMNS)}


def rows(count: int, seed: int) -> list[synthetic.Row]:
    return [row for chunk in synthetic.generate(count=count, seed=seed) for row in chunk]


def test_same_seed_same_rows_other_seed_other_rows():
    first, again, other = rows(500, 7), rows(500, 7), rows(500, 8)
    assert first == again
    assert [r[COLUMN["name"]] for r in first] != [r[COLUMN["name"]] for r in other]


def test_rows_are_valid():
    data = rows(3000, 11)
    codes = [r[COLUMN["credit_code"]] for r in data]
    assert len(set(codes)) == len(codes)
    assert [r[COLUMN["id"]] for r in data] == list(range(1, 3001))
    for row in data:
        code = uscc_parse(row[COLUMN["credit_code"]])
        entity_type = EntityType(row[COLUMN["entity_type"]])
        assert code.category_code == entity_type.uscc_category
        id_number_parse(row[COLUMN["legal_representative_id_number"]])
        region = region_parse(row[COLUMN["region_code"]])
        assert region.parent == "310000"
        industry_parse(row[COLUMN["industry_code"]], level=IndustryLevel.CLASS)
        assert EntityStatus(row[COLUMN["status"]])
        if entity_type is EntityType.BRANCH:
            uscc_parse(row[COLUMN["parent_credit_code"]])
        else:
            assert row[COLUMN["parent_credit_code"]] == ""
        assert 2 <= len(row[COLUMN["name"]]) <= 100
        assert row[COLUMN["established_on"]] <= synthetic.REFERENCE_DATE.isoformat()
        end = row[COLUMN["business_term_end"]]
        assert end is None or end > row[COLUMN["established_on"]]
        for value in row:
            if isinstance(value, str):
                assert not any(ch in value for ch in "\t\n\\")  # safe as COPY text


def test_shares_are_realistic():
    data = rows(20_000, 3)
    n = len(data)
    districts = collections.Counter(r[COLUMN["region_code"]] for r in data)
    share = {code: count / n for code, count in districts.items()}
    assert len(share) == 16
    assert 0.21 <= share["310115"] <= 0.28  # 浦东新区, the largest
    assert max(share, key=share.__getitem__) == "310115"
    assert 0.05 <= share["310151"] <= 0.10  # 崇明: registered-address firms
    for central in ("310101", "310104", "310105", "310106", "310107", "310109", "310110"):
        assert 0.01 <= share[central] <= 0.04
    types = collections.Counter(r[COLUMN["entity_type"]] for r in data)
    individual = types["individual_business"] / n
    cooperative = types["farmers_cooperative"] / n
    assert 0.15 <= individual <= 0.20
    assert cooperative < 0.01
    assert 0.78 <= 1 - individual - cooperative <= 0.85  # enterprises
    sections = collections.Counter(industry_parse(r[COLUMN["industry_code"]]).section for r in data)
    top = [section for section, _ in sections.most_common(4)]
    assert top[0] == "F" and "L" in top and "M" in top
    years = [int(r[COLUMN["established_on"]][:4]) for r in data]
    assert min(years) >= 1990 and max(years) <= 2026
    assert sum(y >= 2014 for y in years) / n > 0.6  # skewed to recent years


def test_names_follow_the_legal_pattern():
    data = rows(2000, 5)
    for row in data:
        name, kind = row[COLUMN["name"]], EntityType(row[COLUMN["entity_type"]])
        if kind is EntityType.INDIVIDUAL_BUSINESS:
            assert name.startswith(("上海市", "浦东新区")) or name[:3].endswith("区")
        elif kind is EntityType.FARMERS_COOPERATIVE:
            assert name.endswith("专业合作社")
        elif kind is EntityType.BRANCH:
            assert name.endswith("分公司")
        elif kind in (EntityType.LIMITED, EntityType.LIMITED_NATURAL_PERSON):
            assert name.endswith("有限公司") and "上海" in name


def test_worker_processes_give_the_same_rows():
    specs = synthetic.chunk_specs(count=5, seed=2) + synthetic.chunk_specs(
        count=5, seed=2, start_id=6, first_index=synthetic.CHUNK_SIZE
    )
    inline = list(seeding._produce(synthetic.run_spec, specs, 0))
    forked = list(seeding._produce(synthetic.run_spec, specs, 2))
    assert inline == forked


@pytest.mark.django_db
def test_seed_command_loads_rows_indexes_them_and_records_one_event():
    call_command("seed", entities=500, seed=7, verbosity=0)
    expected = rows(500, 7)
    stored = list(MarketEntity.objects.order_by("id").values_list("id", "credit_code", "name"))
    assert stored == [(r[0], r[COLUMN["credit_code"]], r[COLUMN["name"]]) for r in expected]

    (event,) = LedgerEvent.objects.filter(event_type=seeding.SEED_EVENT)
    codes = [r[COLUMN["credit_code"]] for r in expected]
    payload = event.payload_data
    assert payload["count"] == 500 and payload["seed"] == 7
    assert payload["credit_codes_sha256"] == seeding.codes_digest(codes)
    assert (
        payload["credit_codes_sha256"]
        == hashlib.sha256("".join(c + "\n" for c in codes).encode()).hexdigest()
    )
    assert LedgerEvent.objects.count() == 1

    # Every seeded row is readable and searchable through the public selectors.
    first = expected[0]
    record = entity_get_public(credit_code=first[COLUMN["credit_code"]])
    assert record.name == first[COLUMN["name"]]
    assert record.legal_representative_id_number_masked.count("*") == 11
    for row in expected[:40]:
        name = row[COLUMN["name"]]
        fragment = name[3:6]
        found = entity_search(q=fragment, page_size=100)
        brute = [r[COLUMN["credit_code"]] for r in expected if fragment in r[COLUMN["name"]]]
        assert [i.credit_code for i in found.items] == brute[:100]

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM registry_marketentity "
                "WHERE search_grams IS NULL OR NOT (search_grams @> registry_name_grams(name) "
                "AND search_grams <@ registry_name_grams(name))"
            )
            assert cursor.fetchone()[0] == 0
            # The id sequence continues after the copied rows.
            cursor.execute("SELECT nextval(pg_get_serial_sequence('registry_marketentity','id'))")
            assert cursor.fetchone()[0] == 501


@pytest.mark.django_db
def test_seed_refuses_a_filled_table_and_appends_on_request():
    call_command("seed", entities=300, seed=1, verbosity=0)
    with pytest.raises(CommandError, match="--append"):
        call_command("seed", entities=300, seed=1, verbosity=0)
    call_command("seed", entities=300, seed=1, append=True, verbosity=0)
    codes = list(MarketEntity.objects.values_list("credit_code", flat=True))
    assert len(codes) == 600 == len(set(codes))
    assert list(MarketEntity.objects.order_by("id").values_list("id", flat=True)) == list(
        range(1, 601)
    )
    assert LedgerEvent.objects.filter(event_type=seeding.SEED_EVENT).count() == 2
    # The appended rows are searchable too.
    last = MarketEntity.objects.order_by("-id").first()
    assert last is not None
    assert last.pk in search.search_ids(fragment=last.name[-6:], offset=0, limit=600)


@pytest.mark.django_db
def test_seed_rejects_bad_arguments():
    for count in (0, -5):
        with pytest.raises(CommandError):
            call_command("seed", entities=count, verbosity=0)
    with pytest.raises(CommandError):
        call_command("seed", entities=10, seed=-1, verbosity=0)
    assert not MarketEntity.objects.exists()


@pytest.mark.django_db
def test_entities_registered_after_a_seed_get_fresh_codes(register):
    call_command("seed", entities=200, seed=4, verbosity=0)
    entity = register()
    assert entity.pk == 201
    assert MarketEntity.objects.filter(credit_code=entity.credit_code).count() == 1
