"""Name checks, the name index, reservations and their race, on a real database."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.uscc import uscc_from_serial
from yingshang.ledger.models import LedgerEvent
from yingshang.registration.name_models import (
    IndexSource,
    NameFragment,
    NameIndexEntry,
    NameReservation,
    ReservationState,
)
from yingshang.registration.nameindex import (
    entity_blocks_until,
    months_add,
    name_check,
    name_index_entity,
    name_index_rebuild,
    name_index_stats,
)
from yingshang.registration.reservations import (
    EVENT_RESERVED,
    effective_state,
    name_reserve,
    reservation_get,
    reservation_release,
    reservation_use,
    reservations_expire,
)
from yingshang.registry.models import EntityStatus, EntityType, MarketEntity

SH = "310000"
PASSWORD = "Correct-horse-42"
_serials = itertools.count(1)


def entity(
    name: str,
    *,
    status: str = EntityStatus.ACTIVE,
    changed_on: dt.date | None = None,
    entity_type: str = EntityType.LIMITED,
    index: bool = True,
) -> MarketEntity:
    """An entity row (a fixture: registration itself is the registry's business)."""
    row = MarketEntity.objects.create(
        credit_code=uscc_from_serial(region="310115", serial=next(_serials)),
        name=name,
        entity_type=entity_type,
        legal_representative="张三",
        legal_representative_id_number="110101199003074514",
        established_on=dt.date(2020, 1, 2),
        region_code="310115",
        address="上海市浦东新区张江路1号",
        industry_code="5191",
        business_scope="贸易",
        registration_authority="浦东新区市场监督管理局",
        status=status,
        status_changed_on=changed_on,
    )
    if index:
        name_index_entity(row)
    return row


def check(name: str, **kwargs):
    return name_check(name=name, region_code=kwargs.pop("region_code", SH), **kwargs)


@pytest.fixture
def applicant(db) -> User:
    return user_create(
        actor="test", new=NewUser(username="declarant", password=PASSWORD, role=Role.PUBLIC)
    )


@pytest.fixture
def other(db) -> User:
    return user_create(
        actor="test",
        new=NewUser(
            username="other",
            password=PASSWORD,
            role=Role.ENTERPRISE,
            entity_credit_code=uscc_from_serial(region="310115", serial=800_000),
        ),
    )


@pytest.fixture
def officer(db) -> User:
    department_create(
        actor="test",
        code="SH-SAMR",
        name="上海市市场监督管理局",
        region_code="310000",
        function="SCJG",
    )
    user = user_create(
        actor="test",
        new=NewUser(
            username="officer",
            password=PASSWORD,
            role=Role.REGISTRATION_OFFICER,
            department_code="SH-SAMR",
            jurisdiction="310000",
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


def reserve(user: User, name: str, **kwargs):
    kwargs.setdefault("region_code", SH)
    kwargs.setdefault("entity_type", EntityType.LIMITED.value)
    return name_reserve(by=user, name=name, **kwargs)


# ------------------------------------------------------------------ the check


@pytest.mark.django_db
def test_a_free_name_is_ok():
    entity("上海鑫达贸易有限公司")
    result = check("上海华腾餐饮管理有限公司")
    assert result.verdict == "ok" and result.code == "" and not result.conflicts
    assert "可以申报" in result.message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proposed", "rule"),
    [
        ("上海鑫达贸易有限公司", "identical_text"),  # the very same name
        ("鑫达（上海）贸易有限公司", "identical_text"),  # region placed after the 字号
        ("鑫达上海贸易有限公司", "identical_text"),  # region inline
        ("上海浦东新区鑫达贸易有限公司", "identical_text"),  # only the region differs
        ("上海鑫达贸易有限责任公司", "identical_text"),  # only the form differs
        ("上海鑫达商贸有限公司", "same_trade_name_same_industry"),  # synonymous industry
        ("上海鑫达有限公司", "same_trade_name_same_industry"),  # no industry at all
    ],
)
def test_identical_names_conflict_with_a_registered_one(proposed, rule):
    existing = entity("上海鑫达贸易有限公司")
    result = check(proposed)
    assert result.verdict == "conflict", result.message
    assert result.code == ErrorCode.NAME_CONFLICT
    first = result.conflicts[0]
    assert (first.name, first.credit_code, first.rule) == (
        existing.name,
        existing.credit_code,
        rule,
    )
    assert "上海鑫达贸易有限公司" in result.message and "《" in result.message


@pytest.mark.django_db
def test_the_same_trade_name_in_another_industry_is_free():
    entity("上海鑫达贸易有限公司")
    assert check("上海鑫达餐饮管理有限公司").verdict == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proposed", "rule"),
    [
        ("上海新达贸易有限公司", "homophone"),  # 鑫达 / 新达: xin-da
        ("上海鑫达源贸易有限公司", "containment"),  # contains the existing 字号
        ("上海达鑫贸易有限公司", "reordered_trade_name"),
    ],
)
def test_similar_names_give_a_warning(proposed, rule):
    entity("上海鑫达贸易有限公司")
    result = check(proposed)
    assert result.verdict == "similar", result.message
    assert result.code == ErrorCode.NAME_SIMILAR
    assert [c.rule for c in result.conflicts] == [rule]
    assert "承诺" in result.message


@pytest.mark.django_db
def test_an_existing_trade_name_containing_the_proposed_one_is_found():
    entity("上海鑫达源贸易有限公司")
    result = check("上海鑫达商贸有限公司")  # 鑫达 is in 鑫达源; 商贸 and 贸易 are one industry
    assert result.verdict == "similar"
    assert result.conflicts[0].rule == "containment"
    assert result.conflicts[0].name == "上海鑫达源贸易有限公司"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("上海鑫贸易有限公司", "trade_name_too_short"),
        ("上海鑫达贸易", "form_missing"),
        ("鑫达贸易有限公司", "region_missing"),
        ("上海鑫达ABC贸易有限公司", "characters"),
        ("上海鑫达人民政府服务有限公司", "prohibited_word"),
    ],
)
def test_invalid_names_name_the_rule(name, rule):
    result = check(name)
    assert result.verdict == "invalid"
    assert result.code == ErrorCode.INVALID_INPUT
    assert result.rule == rule
    assert result.message


@pytest.mark.django_db
def test_bad_region_industry_or_type_are_invalid_not_errors():
    assert check("上海鑫达贸易有限公司", region_code="31000X").code == ErrorCode.INVALID_REGION
    assert check("上海鑫达贸易有限公司", industry_code="99999").code == ErrorCode.INVALID_INDUSTRY
    wrong_type = check("上海鑫达贸易有限公司", entity_type="joint_stock")
    assert (wrong_type.verdict, wrong_type.rule) == ("invalid", "form_mismatch")


@pytest.mark.django_db
def test_an_entity_renaming_itself_does_not_conflict_with_its_own_name():
    existing = entity("上海鑫达贸易有限公司")
    assert check("上海鑫达商贸有限公司").verdict == "conflict"
    renamed = check("上海鑫达商贸有限公司", exclude_credit_code=existing.credit_code)
    assert renamed.verdict == "ok"


@pytest.mark.django_db
def test_cancelled_names_block_for_one_year_then_free_up():
    today = timezone.localdate()
    recent = entity(
        "上海鑫达贸易有限公司",
        status=EntityStatus.CANCELLED,
        changed_on=today - dt.timedelta(days=300),
    )
    entity(
        "上海华腾贸易有限公司",
        status=EntityStatus.CANCELLED,
        changed_on=today - dt.timedelta(days=400),
    )
    assert check("上海鑫达贸易有限公司").conflicts[0].credit_code == recent.credit_code
    assert check("上海华腾贸易有限公司").verdict == "ok"
    assert not NameIndexEntry.objects.filter(name="上海华腾贸易有限公司").exists()
    # A year after the cancellation the row no longer blocks, even before it is removed.
    later = timezone.now() + dt.timedelta(days=70)
    assert check("上海鑫达贸易有限公司", now=later).verdict == "ok"


@pytest.mark.django_db
def test_status_changes_keep_the_index_in_step():
    row = entity("上海鑫达贸易有限公司")
    row.status, row.status_changed_on = EntityStatus.REVOKED, timezone.localdate()
    assert name_index_entity(row) is True  # 吊销: still on the register
    row.status = EntityStatus.CANCELLED
    assert name_index_entity(row) is True
    assert NameIndexEntry.objects.get(ref=row.credit_code).blocks_until is not None
    row.status = EntityStatus.MOVED_OUT
    assert name_index_entity(row) is False
    assert check("上海鑫达贸易有限公司").verdict == "ok"


@pytest.mark.django_db
def test_a_rename_replaces_the_row_and_its_fragments():
    row = entity("上海鑫达源贸易有限公司")
    assert NameFragment.objects.filter(entry__ref=row.credit_code).count() == 2
    row.name = "上海华腾贸易有限公司"
    name_index_entity(row)
    assert check("上海鑫达源贸易有限公司").verdict == "ok"
    assert check("上海华腾贸易有限公司").verdict == "conflict"
    assert NameFragment.objects.filter(entry__ref=row.credit_code).count() == 0


@pytest.mark.django_db
def test_branches_and_individual_businesses_are_not_indexed():
    assert not name_index_entity(
        entity("上海鑫达贸易有限公司浦东分公司", entity_type=EntityType.BRANCH, index=False)
    )
    assert not name_index_entity(
        entity("浦东新区鑫达贸易商行", entity_type=EntityType.INDIVIDUAL_BUSINESS, index=False)
    )
    assert NameIndexEntry.objects.count() == 0


@pytest.mark.django_db
def test_unsplittable_registered_names_are_indexed_whole():
    row = entity("上海（香港）某某", index=True)
    entry = NameIndexEntry.objects.get(ref=row.credit_code)
    assert entry.fallback and entry.identical_key == "上海（香港）某某"
    assert name_index_stats()["fallback"] == 1


def test_months_add_clamps_to_the_month_end():
    tz = dt.UTC
    assert months_add(dt.datetime(2025, 12, 31, 9, tzinfo=tz), 2) == dt.datetime(
        2026, 2, 28, 9, tzinfo=tz
    )
    assert months_add(dt.datetime(2024, 11, 15, tzinfo=tz), 2) == dt.datetime(
        2025, 1, 15, tzinfo=tz
    )
    assert months_add(dt.datetime(2024, 2, 29, tzinfo=tz), 12) == dt.datetime(
        2025, 2, 28, tzinfo=tz
    )


# ------------------------------------------------------------------ reservations


@pytest.mark.django_db
def test_reserving_blocks_the_name_and_writes_the_ledger(applicant, other):
    reservation = reserve(applicant, "上海鑫达贸易有限公司", industry_code="5191")
    assert reservation.number.startswith("MC")
    assert (reservation.trade_name, reservation.industry_text, reservation.form) == (
        "鑫达",
        "贸易",
        "有限公司",
    )
    assert reservation.state == ReservationState.RESERVED
    assert reservation.expires_at == months_add(reservation.reserved_at, 2)
    assert LedgerEvent.objects.filter(event_type=EVENT_RESERVED).count() == 1
    result = check("鑫达（上海）贸易有限公司")
    assert result.verdict == "conflict"
    assert result.conflicts[0].source == IndexSource.RESERVATION
    assert result.conflicts[0].credit_code == ""
    assert "保留" in result.conflicts[0].reason
    with pytest.raises(DomainError) as info:
        reserve(other, "上海鑫达商贸有限公司")
    assert info.value.code is ErrorCode.NAME_CONFLICT
    assert info.value.details["conflicts"][0]["ref"] == reservation.number


@pytest.mark.django_db
def test_reserve_refuses_invalid_names_with_the_rule(applicant):
    with pytest.raises(DomainError) as info:
        reserve(applicant, "上海鑫贸易有限公司")
    assert info.value.code is ErrorCode.INVALID_INPUT
    assert info.value.details["rule"] == "trade_name_too_short"
    with pytest.raises(DomainError) as info:
        reserve(applicant, "上海鑫达贸易有限公司", entity_type="")
    assert info.value.details["field"] == "entity_type"


@pytest.mark.django_db
def test_similar_names_need_a_signed_commitment(applicant):
    from yingshang.matters.models import Signature

    entity("上海鑫达贸易有限公司")
    with pytest.raises(DomainError) as info:
        reserve(applicant, "上海新达贸易有限公司")
    assert info.value.code is ErrorCode.NAME_SIMILAR
    assert info.value.details["conflicts"][0]["rule"] == "homophone"
    with pytest.raises(DomainError) as info:
        reserve(applicant, "上海新达贸易有限公司", accept_similar=True, password="wrong")
    assert info.value.code is ErrorCode.AUTH_FAILED
    assert not NameReservation.objects.exists()
    reservation = reserve(applicant, "上海新达贸易有限公司", accept_similar=True, password=PASSWORD)
    assert reservation.similar_accepted
    assert reservation.similar_names[0]["name"] == "上海鑫达贸易有限公司"
    signature = Signature.objects.get(pk=int(reservation.commitment_signature))
    assert signature.digest == reservation.commitment_digest
    assert signature.purpose == "name-similar-commitment"
    assert signature.subject == "name:上海新达贸易有限公司"


@pytest.mark.django_db
def test_release_frees_the_name(applicant, other):
    reservation = reserve(applicant, "上海鑫达贸易有限公司")
    with pytest.raises(DomainError) as info:
        reservation_release(by=other, number=reservation.number)
    assert info.value.code is ErrorCode.NOT_FOUND
    released = reservation_release(by=applicant, number=reservation.number)
    assert released.state == ReservationState.RELEASED
    assert check("上海鑫达贸易有限公司").verdict == "ok"
    with pytest.raises(DomainError) as info:
        reservation_release(by=applicant, number=reservation.number)
    assert info.value.code is ErrorCode.INVALID_STATE
    assert reserve(other, "上海鑫达贸易有限公司").declarant == other


@pytest.mark.django_db
def test_expired_reservations_stop_blocking_and_cannot_be_used(applicant, other):
    reservation = reserve(applicant, "上海鑫达贸易有限公司")
    after = reservation.expires_at + dt.timedelta(seconds=1)
    assert check("上海鑫达贸易有限公司", now=after).verdict == "ok"
    assert effective_state(reservation, now=after) == "expired"
    code = uscc_from_serial(region="310115", serial=900_001)
    with pytest.raises(DomainError) as info:
        reservation_use(number=reservation.number, by=applicant, credit_code=code, now=after)
    assert info.value.code is ErrorCode.RESERVATION_EXPIRED
    # Another declarant may reserve it: the stale row is expired in the same transaction.
    again = reserve(other, "上海鑫达贸易有限公司", now=after)
    reservation.refresh_from_db()
    assert reservation.state == ReservationState.EXPIRED
    assert again.state == ReservationState.RESERVED


@pytest.mark.django_db
def test_the_expiry_sweep(applicant):
    reservation = reserve(applicant, "上海鑫达贸易有限公司")
    assert reservations_expire() == 0
    assert reservations_expire(now=reservation.expires_at) == 1
    reservation.refresh_from_db()
    assert reservation.state == ReservationState.EXPIRED
    assert not NameIndexEntry.objects.filter(source=IndexSource.RESERVATION).exists()


@pytest.mark.django_db
def test_use_turns_the_reservation_into_the_entity_row(applicant, other, officer):
    reservation = reserve(applicant, "上海鑫达贸易有限公司")
    code = uscc_from_serial(region="310115", serial=900_002)
    with pytest.raises(DomainError) as info:
        reservation_use(number=reservation.number, by=other, credit_code=code)
    assert info.value.code is ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as info:
        reservation_use(number=reservation.number, by=officer, credit_code=code, for_user=other)
    assert info.value.code is ErrorCode.PERMISSION_DENIED
    used = reservation_use(
        number=reservation.number, by=officer.pk, credit_code=code, for_user=applicant
    )
    assert (used.state, used.used_by_credit_code) == (ReservationState.USED, code)
    entry = NameIndexEntry.objects.get()
    assert (entry.source, entry.ref, entry.blocks_until) == (IndexSource.ENTITY, code, None)
    result = check("上海鑫达贸易有限公司", now=reservation.expires_at + dt.timedelta(days=1))
    assert result.verdict == "conflict" and result.conflicts[0].credit_code == code
    with pytest.raises(DomainError) as info:
        reservation_use(number=reservation.number, by=applicant, credit_code=code)
    assert info.value.code is ErrorCode.INVALID_STATE


@pytest.mark.django_db
def test_roles_and_the_counter_channel(applicant, officer):
    auditor = user_create(
        actor="test",
        new=NewUser(
            username="auditor",
            password=PASSWORD,
            role=Role.INSPECTOR,
            department_code="SH-SAMR",
            jurisdiction="310000",
        ),
    )
    with pytest.raises(DomainError) as info:
        reserve(auditor, "上海鑫达贸易有限公司")
    assert info.value.code is ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError) as info:
        reserve(officer, "上海鑫达贸易有限公司")
    assert info.value.details["field"] == "declarant"
    counter = reserve(officer, "上海鑫达贸易有限公司", for_user=applicant)
    assert (counter.channel, counter.declarant, counter.filed_by) == ("counter", applicant, officer)
    assert reservation_get(by=applicant, number=counter.number) == counter
    assert reservation_get(by=officer, number=counter.number) == counter
    with pytest.raises(DomainError) as info:
        reservation_get(by=auditor, number=counter.number)
    assert info.value.code is ErrorCode.NOT_FOUND


@pytest.mark.django_db
def test_the_database_refuses_two_reserved_rows_for_one_claim(applicant):
    reservation = reserve(applicant, "上海鑫达贸易有限公司")
    twin = NameReservation(
        number="MC-TWIN",
        name="鑫达（上海）贸易有限公司",
        trade_name="鑫达",
        form="有限公司",
        claim_key=reservation.claim_key,
        declarant=applicant,
        filed_by=applicant,
        region_code=SH,
        entity_type="limited",
        expires_at=reservation.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.state = ReservationState.RELEASED
    twin.save()  # a closed row does not claim the name


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_two_declarants_racing_for_one_name_exactly_one_wins():
    import threading

    from django.db import connections

    users = [
        user_create(
            actor="test", new=NewUser(username=f"racer{i}", password=PASSWORD, role=Role.PUBLIC)
        )
        for i in range(2)
    ]
    names = ["上海鑫达贸易有限公司", "鑫达（上海）商贸有限公司"]  # identical: same 字号, industry
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race(user: User, name: str) -> None:
        try:
            barrier.wait()
            reserve(user, name)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code.value)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=pair) for pair in zip(users, names, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["NAME_CONFLICT", "ok"]
    assert NameReservation.objects.filter(state=ReservationState.RESERVED).count() == 1
    assert NameIndexEntry.objects.filter(source=IndexSource.RESERVATION).count() == 1


# ------------------------------------------------------------------ the bulk rebuild


@pytest.mark.django_db(transaction=True)
def test_rebuild_from_a_seeded_register_agrees_with_the_one_by_one_index(applicant):
    from yingshang.registry.seeding import entities_seed

    entities_seed(actor="system:test", count=3000, seed=7, workers=0)
    reservation = reserve(applicant, "上海鑫达贸易有限公司")
    today = timezone.localdate()
    MarketEntity.objects.filter(id__lte=20).update(
        status=EntityStatus.CANCELLED, status_changed_on=today - dt.timedelta(days=500)
    )
    MarketEntity.objects.filter(id__gt=20, id__lte=40).update(
        status=EntityStatus.CANCELLED, status_changed_on=today - dt.timedelta(days=30)
    )
    seen: list[tuple[int, int]] = []
    count = name_index_rebuild(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3000, 3000)
    stats = name_index_stats()
    assert count == stats["entries"] and stats["reservations"] == 1
    now = timezone.now()
    indexed = [
        row
        for row in MarketEntity.objects.order_by("id")
        if entity_blocks_until(
            entity_type=row.entity_type,
            status=row.status,
            status_changed_on=row.status_changed_on,
            updated_on=None,
            now=now,
        )[0]
    ]
    assert 2000 < stats["entities"] == len(indexed)
    assert not any(row.id <= 20 for row in indexed)
    assert any(20 < row.id <= 40 for row in indexed)  # cancelled 30 days ago: still blocks
    bulk = {
        (e.ref, e.identical_key, e.pinyin_key, e.industry_group, e.fallback, e.blocks_until)
        for e in NameIndexEntry.objects.filter(source=IndexSource.ENTITY)
    }
    bulk_fragments = NameFragment.objects.count()
    for row in MarketEntity.objects.order_by("id"):
        name_index_entity(row)
    one_by_one = {
        (e.ref, e.identical_key, e.pinyin_key, e.industry_group, e.fallback, e.blocks_until)
        for e in NameIndexEntry.objects.filter(source=IndexSource.ENTITY)
    }
    assert bulk == one_by_one
    assert NameFragment.objects.count() == bulk_fragments
    # Checks work against the rebuilt index: every indexed name conflicts with itself.
    for sample in indexed[:50]:
        result = check(sample.name, region_code=sample.region_code)
        assert result.verdict in ("conflict", "invalid"), sample.name
    assert check("鑫达（上海）贸易有限公司").conflicts[0].ref == reservation.number
    # A reservation made after the rebuild gets a fresh id (the sequence moved on).
    assert reserve(applicant, "上海华腾餐饮管理有限公司").state == ReservationState.RESERVED
