"""Registration, change and status actions: validation, versions, ledger, concurrency."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.uscc import uscc_parse
from yingshang.ledger.models import LedgerEvent
from yingshang.registry import search
from yingshang.registry.models import ChangeKind, EntityStatus, EntityVersion, MarketEntity
from yingshang.registry.services import (
    EVENT_CHANGED,
    EVENT_REGISTERED,
    EVENT_STATUS,
    entity_change,
    entity_data_parse,
    entity_register,
    entity_set_status,
    entity_snapshot,
    snapshot_digest,
)

from .conftest import ACTOR, BAD_CODE, CODE, ID_NUMBER, id_number, raw_data

pytestmark = pytest.mark.django_db


def _codes(exc: pytest.ExceptionInfo[DomainError]) -> tuple[ErrorCode, str | None]:
    return exc.value.code, exc.value.details.get("field")


# --- Registration -------------------------------------------------------------------


def test_register_assigns_valid_code_and_writes_version_and_ledger_event(entity):
    code = uscc_parse(entity.credit_code)
    assert code.department_code == "9" and code.category_code == "1"
    assert code.region_code == "310115"
    assert entity.version == 1 and entity.status == EntityStatus.ACTIVE
    assert entity.registration_authority == "上海市浦东新区市场监督管理局"
    assert entity.business_term_start == datetime.date(2020, 5, 18)
    assert entity.business_term_end is None

    version = EntityVersion.objects.get(entity=entity)
    assert version.version == 1 and version.kind == ChangeKind.REGISTERED
    assert version.actor == ACTOR
    assert version.snapshot["credit_code"] == entity.credit_code
    assert version.snapshot["registered_capital"] == "100.0000"
    assert version.snapshot_digest == snapshot_digest(version.snapshot, version.snapshot_salt)

    event = LedgerEvent.objects.get(event_type=EVENT_REGISTERED)
    assert event.subject == f"entity:{entity.credit_code}"
    assert event.actor == ACTOR
    assert event.payload_data["snapshot_sha256"] == version.snapshot_digest
    assert ID_NUMBER not in event.payload  # the public ledger never holds the ID number


def test_register_categories_follow_the_type(register):
    individual = register(entity_type="individual_business", name="浦东新区张记小吃店")
    cooperative = register(
        entity_type="farmers_cooperative", name="上海崇明鑫达蔬菜专业合作社", region_code="310151"
    )
    assert individual.credit_code[:2] == "92"
    assert cooperative.credit_code[:2] == "93"
    assert cooperative.credit_code[2:8] == "310151"


def test_register_with_given_code_and_conflict(register):
    code = CODE
    first = register(credit_code=code.lower())
    assert first.credit_code == code
    with pytest.raises(DomainError) as exc:
        register(credit_code=code, name="上海另一家有限公司")
    assert exc.value.code is ErrorCode.CONFLICT
    assert MarketEntity.objects.count() == 1


def test_register_rejects_code_of_wrong_category(register):
    with pytest.raises(DomainError) as exc:
        register(entity_type="individual_business", credit_code=CODE)
    assert _codes(exc) == (ErrorCode.INVALID_USCC, "credit_code")


def test_register_is_indexed_for_search(entity):
    assert search.search_ids(fragment="鑫达", offset=0, limit=10) == [entity.pk]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"name": "上"}, ErrorCode.INVALID_INPUT, "name"),
        ({"name": "上海\x00公司"}, ErrorCode.INVALID_INPUT, "name"),
        ({"name": "上" * 101}, ErrorCode.INVALID_INPUT, "name"),
        ({"entity_type": "company"}, ErrorCode.INVALID_INPUT, "entity_type"),
        ({"legal_representative_id_number": "310115198503121230"}, ErrorCode.INVALID_ID_NUMBER,
         "legal_representative_id_number"),
        ({"region_code": "310000"}, ErrorCode.INVALID_REGION, "region_code"),
        ({"region_code": "999999"}, ErrorCode.INVALID_REGION, "region_code"),
        ({"industry_code": "52"}, ErrorCode.INVALID_INDUSTRY, "industry_code"),
        ({"industry_code": "9999"}, ErrorCode.INVALID_INDUSTRY, "industry_code"),
        ({"registered_capital": "-1"}, ErrorCode.INVALID_INPUT, "registered_capital"),
        ({"registered_capital": "1.00001"}, ErrorCode.INVALID_INPUT, "registered_capital"),
        ({"registered_capital": "abc"}, ErrorCode.INVALID_INPUT, "registered_capital"),
        ({"capital_currency": "XYZ"}, ErrorCode.INVALID_INPUT, "capital_currency"),
        ({"established_on": "2020-13-01"}, ErrorCode.INVALID_DATE, "established_on"),
        ({"established_on": "2999-01-01"}, ErrorCode.INVALID_DATE, "established_on"),
        ({"business_term_end": "2019-01-01"}, ErrorCode.INVALID_DATE, "business_term_end"),
        ({"employees": -3}, ErrorCode.INVALID_INPUT, "employees"),
        ({"employees": True}, ErrorCode.INVALID_INPUT, "employees"),
        ({"is_small_micro": "yes"}, ErrorCode.INVALID_INPUT, "is_small_micro"),
        ({"entity_type": "branch"}, ErrorCode.INVALID_INPUT, "parent_credit_code"),
        ({"parent_credit_code": CODE}, ErrorCode.INVALID_INPUT,
         "parent_credit_code"),
        ({"entity_type": "branch", "parent_credit_code": BAD_CODE},
         ErrorCode.INVALID_USCC, "parent_credit_code"),
        ({"credit_code": BAD_CODE}, ErrorCode.INVALID_USCC, "credit_code"),
        ({"address": "  "}, ErrorCode.INVALID_INPUT, "address"),
    ],
)  # fmt: skip
def test_invalid_input_is_refused_with_a_code_naming_the_field(overrides, code, field):
    with pytest.raises(DomainError) as exc:
        entity_data_parse(raw_data(**overrides))
    assert _codes(exc) == (code, field)
    assert exc.value.message  # a Chinese sentence naming the field
    assert "：" in exc.value.message


def test_missing_and_unknown_fields():
    data = raw_data()
    del data["name"]
    with pytest.raises(DomainError) as exc:
        entity_data_parse(data)
    assert _codes(exc) == (ErrorCode.INVALID_INPUT, "name")
    assert "名称" in exc.value.message
    with pytest.raises(DomainError) as exc:
        entity_data_parse(raw_data(colour="red"))
    assert exc.value.details["fields"] == ["colour"]


def test_register_revalidates_hand_built_data(db):
    good = entity_data_parse(raw_data())
    bad = dataclasses.replace(good, name="x")
    with pytest.raises(DomainError):
        entity_register(actor=ACTOR, data=bad)
    with pytest.raises(DomainError):
        entity_register(actor="", data=good)
    assert not MarketEntity.objects.exists()
    assert not EntityVersion.objects.exists()
    assert not LedgerEvent.objects.exists()


def test_failed_registration_inside_the_transaction_leaves_nothing(register, monkeypatch):
    """A failure after the insert (here: the ledger append) rolls everything back."""
    from yingshang.registry import services

    def broken(**kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(services, "event_append", broken)
    with pytest.raises(RuntimeError):
        register()
    assert not MarketEntity.objects.exists()
    assert not EntityVersion.objects.exists()
    assert search.search_ids(fragment="鑫达", offset=0, limit=10) == []


# --- Change ---------------------------------------------------------------------------


def test_change_creates_version_with_changed_fields_and_ledger_event(entity):
    changed = entity_change(
        actor="user:clerk",
        credit_code=entity.credit_code,
        changes={"name": "上海鑫达国际贸易有限公司", "address": "上海市浦东新区世纪大道1号"},
        expected_version=1,
        application_ref="BJ-2026-000123",
    )
    assert changed.version == 2
    entity.refresh_from_db()
    assert entity.name == "上海鑫达国际贸易有限公司" and entity.version == 2
    version = EntityVersion.objects.get(entity=entity, version=2)
    assert version.kind == ChangeKind.CHANGED
    assert version.changed_fields == ["address", "name"]
    assert version.application_ref == "BJ-2026-000123"
    assert version.snapshot["name"] == "上海鑫达国际贸易有限公司"
    assert version.snapshot == entity_snapshot(entity)
    event = LedgerEvent.objects.get(event_type=EVENT_CHANGED)
    assert event.payload_data["changed_fields"] == ["address", "name"]
    assert event.payload_data["version"] == 2
    # The search index follows the new name.
    assert search.search_ids(fragment="国际贸易", offset=0, limit=5) == [entity.pk]
    assert search.search_ids(fragment="鑫达贸易", offset=0, limit=5) == []


def test_change_with_wrong_version_is_a_conflict_and_changes_nothing(entity):
    entity_change(
        actor=ACTOR, credit_code=entity.credit_code, changes={"employees": 20}, expected_version=1
    )
    with pytest.raises(DomainError) as exc:
        entity_change(
            actor=ACTOR,
            credit_code=entity.credit_code,
            changes={"name": "上海旧版本有限公司"},
            expected_version=1,
        )
    assert exc.value.code is ErrorCode.STALE_VERSION
    assert exc.value.details == {"current_version": 2, "expected_version": 1}
    entity.refresh_from_db()
    assert entity.name == "上海鑫达贸易有限公司" and entity.version == 2
    assert EntityVersion.objects.filter(entity=entity).count() == 2


def test_change_validation_failure_writes_nothing(entity):
    before = LedgerEvent.objects.count()
    for changes in (
        {"legal_representative_id_number": "123"},
        {"credit_code": CODE},
        {"region_code": "310000"},
        {"employees": 12},  # no actual change
        {},
        {"entity_type": "individual_business"},
        {"version": 7},
    ):
        with pytest.raises(DomainError):
            entity_change(
                actor=ACTOR, credit_code=entity.credit_code, changes=changes, expected_version=1
            )
    entity.refresh_from_db()
    assert entity.version == 1
    assert LedgerEvent.objects.count() == before
    assert EntityVersion.objects.filter(entity=entity).count() == 1


def test_change_of_legal_representative(entity):
    new_id = id_number("320102", "19900101", "245")
    entity_change(
        actor=ACTOR,
        credit_code=entity.credit_code,
        changes={"legal_representative": "李娜", "legal_representative_id_number": new_id},
        expected_version=1,
    )
    entity.refresh_from_db()
    assert entity.legal_representative_id_number == new_id
    assert new_id not in LedgerEvent.objects.get(event_type=EVENT_CHANGED).payload


def test_change_type_within_category_is_allowed(entity):
    entity_change(
        actor=ACTOR,
        credit_code=entity.credit_code,
        changes={"entity_type": "joint_stock", "name": "上海鑫达贸易股份有限公司"},
        expected_version=1,
    )
    entity.refresh_from_db()
    assert entity.entity_type == "joint_stock"


def test_change_unknown_entity_and_bad_code(db):
    with pytest.raises(DomainError) as exc:
        entity_change(
            actor=ACTOR,
            credit_code=CODE,
            changes={"employees": 3},
            expected_version=1,
        )
    assert exc.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as exc:
        entity_change(
            actor=ACTOR, credit_code="913101", changes={"employees": 3}, expected_version=1
        )
    assert exc.value.code is ErrorCode.INVALID_USCC


def test_expected_version_must_be_a_positive_integer(entity):
    for bad in (0, -1, True, "1", None):
        with pytest.raises(DomainError) as exc:
            entity_change(
                actor=ACTOR, credit_code=entity.credit_code, changes={"employees": 3},
                expected_version=bad,  # type: ignore[arg-type]
            )  # fmt: skip
        assert exc.value.code is ErrorCode.INVALID_INPUT


# --- Status ---------------------------------------------------------------------------


def test_revoke_then_cancel(entity):
    revoked = entity_set_status(
        actor=ACTOR,
        credit_code=entity.credit_code,
        status="revoked",
        expected_version=1,
        effective_on=datetime.date(2024, 1, 5),
        note="连续六个月未开展经营活动",
    )
    assert revoked.status == EntityStatus.REVOKED and revoked.version == 2
    cancelled = entity_set_status(
        actor=ACTOR, credit_code=entity.credit_code, status="cancelled", expected_version=2
    )
    assert cancelled.status == EntityStatus.CANCELLED
    assert cancelled.status_changed_on == timezone.localdate()
    kinds = list(EntityVersion.objects.filter(entity=entity).values_list("kind", "note"))
    assert kinds[1] == (ChangeKind.STATUS, "连续六个月未开展经营活动")
    events = LedgerEvent.objects.filter(event_type=EVENT_STATUS).order_by("index")
    assert [(e.payload_data["from"], e.payload_data["to"]) for e in events] == [
        ("active", "revoked"),
        ("revoked", "cancelled"),
    ]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "active"),
        (["cancelled"], "active"),
        (["cancelled"], "revoked"),
        (["revoked"], "moved_out"),
        (["revoked"], "active"),
        (["moved_out"], "revoked"),
        (["moved_out"], "cancelled"),
    ],
)
def test_forbidden_status_transitions(entity, path, target):
    for version, step in enumerate(path, start=1):
        entity_set_status(
            actor=ACTOR, credit_code=entity.credit_code, status=step, expected_version=version
        )
    with pytest.raises(DomainError) as exc:
        entity_set_status(
            actor=ACTOR,
            credit_code=entity.credit_code,
            status=target,
            expected_version=len(path) + 1,
        )
    assert exc.value.code is ErrorCode.INVALID_STATE


def test_move_out_and_back(entity):
    entity_set_status(
        actor=ACTOR, credit_code=entity.credit_code, status="moved_out", expected_version=1
    )
    back = entity_set_status(
        actor=ACTOR, credit_code=entity.credit_code, status="active", expected_version=2
    )
    assert back.status == EntityStatus.ACTIVE and back.version == 3


def test_status_guards(entity):
    with pytest.raises(DomainError) as exc:
        entity_set_status(
            actor=ACTOR, credit_code=entity.credit_code, status="closed", expected_version=1
        )
    assert exc.value.code is ErrorCode.INVALID_INPUT
    with pytest.raises(DomainError) as exc:
        entity_set_status(
            actor=ACTOR,
            credit_code=entity.credit_code,
            status="revoked",
            expected_version=1,
            effective_on=datetime.date(2019, 1, 1),
        )
    assert exc.value.code is ErrorCode.INVALID_DATE
    with pytest.raises(DomainError) as exc:
        entity_set_status(
            actor=ACTOR, credit_code=entity.credit_code, status="revoked", expected_version=5
        )
    assert exc.value.code is ErrorCode.STALE_VERSION


def test_inactive_entity_cannot_be_changed(entity):
    entity_set_status(
        actor=ACTOR, credit_code=entity.credit_code, status="cancelled", expected_version=1
    )
    with pytest.raises(DomainError) as exc:
        entity_change(
            actor=ACTOR, credit_code=entity.credit_code, changes={"employees": 1},
            expected_version=2,
        )  # fmt: skip
    assert exc.value.code is ErrorCode.INVALID_STATE


def test_snapshot_values_are_json_friendly(entity):
    snapshot = entity_snapshot(entity)
    assert snapshot["established_on"] == "2020-05-18"
    assert isinstance(snapshot["created_at"], str)
    assert Decimal(str(snapshot["registered_capital"])) == Decimal(100)
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_racing_changes_on_one_version_one_wins_one_conflicts():
    import threading

    from django.db import connections

    entity = entity_register(actor=ACTOR, data=entity_data_parse(raw_data()))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def change(new_name: str) -> None:
        try:
            barrier.wait()
            entity_change(
                actor=ACTOR,
                credit_code=entity.credit_code,
                changes={"name": new_name},
                expected_version=1,
            )
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code.value)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=change, args=(name,))
        for name in ("上海甲有限公司", "上海乙有限公司")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["STALE_VERSION", "ok"]
    entity.refresh_from_db()
    assert entity.version == 2
    assert EntityVersion.objects.filter(entity=entity).count() == 2
