"""Name checks against the whole register (名称比对) and the index that makes them fast.

A proposed name is parsed (:func:`~yingshang.registration.names.name_parse`), its keys
computed (:func:`~yingshang.registration.names.name_keys`), and a handful of indexed
look-ups in :class:`~yingshang.registration.name_models.NameIndexEntry` and
:class:`~yingshang.registration.name_models.NameFragment` fetch the only names it can be
identical or similar to:

* the same 字号 + 行业 text (identical whatever the region, form or order), or the same full
  name (for registered names the parser could not split);
* the same 字号 in the same industry group or in a name without industry (identical);
* the same pinyin of the 字号, the same characters in another order, a 字号 that is part of
  the proposed one, a 字号 that contains the proposed one (similar);

each candidate is then classified by :func:`~yingshang.registration.names.name_compare`, so
the rules and their wording live in one place. One registration authority covers the whole
city, so the whole index is compared.

Which names block (:func:`entity_blocks_until`): entities on the register (存续, 吊销);
cancelled ones (注销) until one year after the cancellation date; reserved names until the
reservation expires. Entities that moved out no longer belong to this authority. Branches
(分支机构) and individual businesses (个体工商户) are not indexed: a branch's name is its
parent's name plus a suffix (第十三条) and individual businesses' names follow their own
rules (forms.json, ``unsupported``); neither is a name a declared enterprise name can take.

The lead's registration services call :func:`name_index_entity` in their transactions;
:func:`name_index_rebuild` rebuilds the whole index from the entity table in bulk.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import itertools
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core import industries, regions
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.registry.models import EntityStatus, EntityType, MarketEntity

from .name_models import IndexSource, NameFragment, NameIndexEntry
from .names import (
    NameParts,
    name_compare,
    name_keys,
    name_parse,
    trade_name_substrings,
)

# SQL here is assembled only from module constants (table and column names); every value
# is a bound parameter. That is why the S608 warnings are silenced line by line.
ENTRY_TABLE = NameIndexEntry._meta.db_table
FRAGMENT_TABLE = NameFragment._meta.db_table
ENTITY_TABLE = MarketEntity._meta.db_table

CheckVerdict = Literal["ok", "similar", "conflict", "invalid"]

NOT_INDEXED_TYPES = frozenset({EntityType.BRANCH.value, EntityType.INDIVIDUAL_BUSINESS.value})
BLOCKING_STATUSES = frozenset({EntityStatus.ACTIVE.value, EntityStatus.REVOKED.value})
CANCELLED_BLOCK_MONTHS = 12  # 注销未满一年的名称仍不得使用 (see SOURCES.md)
_CONFLICT_LIMIT = 100  # candidates with the same 字号 read at most
_SIMILAR_LIMIT = 30  # candidates per kind of similarity read at most
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_ENTRY_COLUMNS = (
    "id",
    "source",
    "ref",
    "name",
    "trade_name",
    "industry_text",
    "industry_terms",
    "identical_key",
    "pinyin_key",
    "sorted_key",
    "industry_group",
    "fallback",
    "blocks_until",
)
_FRAGMENT_COLUMNS = ("entry_id", "fragment", "industry_group")
_CHUNK = 20_000
_PARALLEL_FROM = 100_000


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class NameConflict:
    """One existing name that the proposed name is identical or similar to."""

    name: str
    ref: str  # the entity's credit code or the reservation's number
    source: str  # IndexSource value
    reason: str  # Chinese, names the existing name
    rule: str  # names.Comparison.rule, or same_name for an unsplit registered name
    verdict: Literal["identical", "similar"]
    article: str = ""

    @property
    def credit_code(self) -> str:
        return self.ref if self.source == IndexSource.ENTITY else ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "ref": self.ref,
            "source": self.source,
            "credit_code": self.credit_code,
            "reason": self.reason,
            "rule": self.rule,
            "verdict": self.verdict,
            "article": self.article,
        }


@dataclass(frozen=True, slots=True)
class NameCheck:
    """The outcome of :func:`name_check`."""

    verdict: CheckVerdict
    code: str  # ErrorCode value; "" when ok
    message: str  # Chinese: the rule and, for a conflict, the existing name
    conflicts: list[NameConflict] = field(default_factory=list)
    parts: NameParts | None = None
    rule: str = ""  # for an invalid name: the parser's rule (names.name_parse)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def identical(self) -> list[NameConflict]:
        return [c for c in self.conflicts if c.verdict == "identical"]

    @property
    def similar(self) -> list[NameConflict]:
        return [c for c in self.conflicts if c.verdict == "similar"]


@dataclass(frozen=True, slots=True)
class _Keys:
    name: str
    trade_name: str
    industry_text: str
    industry_terms: str
    identical_key: str
    pinyin_key: str
    sorted_key: str
    industry_group: str
    fallback: bool
    fragments: frozenset[str]


# --------------------------------------------------------------------------- keys


_Day = TypeVar("_Day", bound=dt.date)


def months_add(value: _Day, months: int) -> _Day:
    """``value`` (a date or datetime) plus calendar months; the day is clamped to the target
    month's last day."""
    month0 = value.month - 1 + months
    year, month = value.year + month0 // 12, month0 % 12 + 1
    next_first = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_first - dt.timedelta(days=1)).day
    return value.replace(year=year, month=month, day=min(value.day, last_day))


def _authority_region(region_code: str) -> str:
    """The region a city-wide registration authority covers: the city (or municipality)."""
    if region_code[:2] in _MUNICIPALITIES:
        return region_code[:2] + "0000"
    return region_code[:4] + "00"


def _keys_of(parts: NameParts) -> _Keys:
    keys = name_keys(parts)
    return _Keys(
        name=parts.name,
        trade_name=keys.trade_name,
        industry_text=parts.industry_text,
        industry_terms="|".join(parts.industry_terms),
        identical_key=keys.identical_key,
        pinyin_key=keys.pinyin_key,
        sorted_key="".join(sorted(keys.trade_name)),
        industry_group=keys.industry_group,
        fallback=False,
        fragments=trade_name_substrings(keys.trade_name),
    )


def _registered_keys(name: str, region_code: str) -> _Keys:
    """Keys of a name on the register; a name the parser cannot split gets fallback keys.

    Parsed first against the registration authority's city (older names may lack a region or
    use other characters: ``registered=True`` tolerates that), then against every region.
    """
    for scope in (_authority_region(region_code) if len(region_code) == 6 else None, None):
        try:
            return _keys_of(name_parse(name, region_code=scope, registered=True))
        except DomainError:
            continue
    whole = "".join(str(name).split())[:100]
    return _Keys(
        name=whole,
        trade_name=whole,
        industry_text="",
        industry_terms="",
        identical_key=whole,
        pinyin_key="",
        sorted_key="",
        industry_group="",
        fallback=True,
        fragments=frozenset(),
    )


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def entity_blocks_until(
    *,
    entity_type: str,
    status: str,
    status_changed_on: dt.date | None,
    updated_on: dt.date | None,
    now: dt.datetime,
) -> tuple[bool, dt.datetime | None]:
    """Whether an entity's name blocks others now, and until when (None: indefinitely)."""
    if entity_type in NOT_INDEXED_TYPES:
        return False, None
    if status in BLOCKING_STATUSES:
        return True, None
    if status == EntityStatus.CANCELLED.value:
        since = status_changed_on or updated_on or timezone.localdate(now)
        until = _midnight(months_add(_midnight(since), CANCELLED_BLOCK_MONTHS).date())
        return until > now, until
    return False, None  # moved out: registered with another authority now


# --------------------------------------------------------------------------- the check


def _invalid(error: DomainError) -> NameCheck:
    return NameCheck(
        verdict="invalid",
        code=error.code.value,
        message=error.message,
        rule=str(error.details.get("rule", "")),
        details=error.details,
    )


def name_check(
    *,
    name: str,
    region_code: str,
    industry_code: str | None = None,
    entity_type: str | None = None,
    exclude_credit_code: str | None = None,
    now: dt.datetime | None = None,
) -> NameCheck:
    """Check a proposed name against every blocking name of the register.

    ``region_code`` is where the enterprise will be registered (its residence); the name's
    region must be that region, above or under it. ``exclude_credit_code`` is an entity
    renaming itself: its own current name does not count. Never raises for bad input: an
    invalid name, region, industry or type gives verdict ``invalid`` with the rule.
    """
    now = now or timezone.now()
    try:
        region = regions.region_parse(region_code)
        if industry_code:
            industries.industry_parse(industry_code)
        parts = name_parse(name, region_code=region.code, entity_type=entity_type or None)
    except DomainError as error:
        return _invalid(error)
    keys = _keys_of(parts)
    conflicts = _conflicts(parts, keys, exclude_credit_code=exclude_credit_code, now=now)
    identical = [c for c in conflicts if c.verdict == "identical"]
    if identical:
        first = identical[0]
        return NameCheck(
            verdict="conflict",
            code=ErrorCode.NAME_CONFLICT.value,
            message=_(
                "名称“%(name)s”与%(count)d个已登记、已保留或注销未满一年的名称相同，不能申报："
                "%(reason)s（%(article)s）"
            )
            % {
                "name": parts.name,
                "count": len(identical),
                "reason": first.reason,
                "article": first.article,
            },
            conflicts=conflicts,
            parts=parts,
        )
    if conflicts:
        first = conflicts[0]
        return NameCheck(
            verdict="similar",
            code=ErrorCode.NAME_SIMILAR.value,
            message=_(
                "名称“%(name)s”与%(count)d个已有名称相近：%(reason)s（%(article)s）。"
                "可以继续申报，但须签署承诺书，承诺承担名称近似可能引起的纠纷及后果。"
            )
            % {
                "name": parts.name,
                "count": len(conflicts),
                "reason": first.reason,
                "article": first.article,
            },
            conflicts=conflicts,
            parts=parts,
        )
    return NameCheck(
        verdict="ok",
        code="",
        message=_("名称“%(name)s”未发现相同或相近的名称，可以申报。") % {"name": parts.name},
        parts=parts,
    )


_SELECT = (
    "SELECT e.id, e.source, e.ref, e.name, e.trade_name, e.industry_text, e.industry_terms, "
    "e.fallback"
)


def _candidates(
    keys: _Keys, *, exclude_credit_code: str | None, now: dt.datetime
) -> list[tuple[Any, ...]]:
    """The rows that can be identical or similar to ``keys``: one query, indexed branches."""
    live = "(e.blocks_until IS NULL OR e.blocks_until > %s)"
    live_params: list[Any] = [connection.ops.adapt_datetimefield_value(now)]
    if exclude_credit_code:
        live += " AND NOT (e.source = %s AND e.ref = %s)"
        live_params += [IndexSource.ENTITY.value, exclude_credit_code]
    group, group_params = "", []
    if keys.industry_group:  # no industry: compares with every industry
        group, group_params = " AND e.industry_group IN (%s, %s)", [keys.industry_group, ""]
    branches: list[tuple[str, list[Any]]] = [
        (f"e.identical_key IN (%s, %s) AND {live}", [keys.identical_key, keys.name, *live_params]),
        (
            f"e.trade_name = %s{group} AND {live} LIMIT {_CONFLICT_LIMIT}",
            [keys.trade_name, *group_params, *live_params],
        ),
        (
            f"e.pinyin_key = %s{group} AND e.trade_name <> %s AND {live} LIMIT {_SIMILAR_LIMIT}",
            [keys.pinyin_key, *group_params, keys.trade_name, *live_params],
        ),
        (
            f"e.sorted_key = %s{group} AND e.trade_name <> %s AND {live} LIMIT {_SIMILAR_LIMIT}",
            [keys.sorted_key, *group_params, keys.trade_name, *live_params],
        ),
    ]
    if keys.fragments:
        marks = ", ".join(["%s"] * len(keys.fragments))
        branches.append(
            (
                f"e.trade_name IN ({marks}){group} AND {live} LIMIT {_SIMILAR_LIMIT}",
                [*sorted(keys.fragments), *group_params, *live_params],
            )
        )
    fragment_group = group.replace("e.industry_group", "f.industry_group")
    parts = [
        f"SELECT * FROM ({_SELECT} FROM {ENTRY_TABLE} e WHERE {sql}) b{i}"  # noqa: S608
        for i, (sql, _params) in enumerate(branches)
    ]
    parts.append(
        f"SELECT * FROM ({_SELECT} FROM {FRAGMENT_TABLE} f JOIN {ENTRY_TABLE} e "  # noqa: S608
        f"ON e.id = f.entry_id WHERE f.fragment = %s{fragment_group} AND {live} "
        f"LIMIT {_SIMILAR_LIMIT}) bf"
    )
    params = [p for _sql, ps in branches for p in ps]
    params += [keys.trade_name, *group_params, *live_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return list(cursor.fetchall())


def _conflicts(
    parts: NameParts, keys: _Keys, *, exclude_credit_code: str | None, now: dt.datetime
) -> list[NameConflict]:
    seen: set[int] = set()
    out: list[NameConflict] = []
    for row_id, source, ref, name, trade, industry_text, terms, fallback in _candidates(
        keys, exclude_credit_code=exclude_credit_code, now=now
    ):
        if row_id in seen:
            continue
        seen.add(row_id)
        reserved = source == IndexSource.RESERVATION
        verdict: Literal["identical", "similar"] = "identical"
        if fallback:
            if name != parts.name:
                continue
            rule, article = "same_name", ""
            reason = _("与已有名称“%(name)s”完全相同。") % {"name": name}
        else:
            existing = NameParts(
                name=name,
                region_text="",
                trade_name=trade,
                industry_text=industry_text,
                form="",
                industry_terms=tuple(t for t in terms.split("|") if t),
            )
            comparison = name_compare(parts, existing)
            if comparison.verdict == "different":
                continue
            rule = comparison.rule
            verdict = "identical" if comparison.verdict == "identical" else "similar"
            reason, article = comparison.reason, comparison.article
        if reserved:
            reason += _("（该名称已被申报保留，尚在保留期内）")
        out.append(NameConflict(name, ref, source, reason, rule, verdict, article))
    # Identical first, registered before reserved, then by name: a stable, readable order.
    out.sort(key=lambda c: (c.verdict != "identical", c.source != IndexSource.ENTITY, c.name))
    return out


# --------------------------------------------------------------------------- maintenance


def _fragment_objects(entry: NameIndexEntry, keys: _Keys) -> list[NameFragment]:
    return [
        NameFragment(entry=entry, fragment=fragment, industry_group=keys.industry_group)
        for fragment in sorted(keys.fragments)
    ]


def _entry_store(
    *, source: IndexSource, ref: str, keys: _Keys, blocks_until: dt.datetime | None
) -> NameIndexEntry:
    """Replace the row of (source, ref) with one for ``keys`` (in the caller's transaction)."""
    NameIndexEntry.objects.filter(source=source, ref=ref).delete()
    entry = NameIndexEntry.objects.create(
        source=source,
        ref=ref,
        name=keys.name,
        trade_name=keys.trade_name,
        industry_text=keys.industry_text,
        industry_terms=keys.industry_terms,
        identical_key=keys.identical_key,
        pinyin_key=keys.pinyin_key,
        sorted_key=keys.sorted_key,
        industry_group=keys.industry_group,
        fallback=keys.fallback,
        blocks_until=blocks_until,
    )
    NameFragment.objects.bulk_create(_fragment_objects(entry, keys))
    return entry


def name_index_entity(entity: MarketEntity, *, now: dt.datetime | None = None) -> bool:
    """Bring the entity's index row in step after registration, rename or status change.

    Call it inside the service's transaction. Returns whether the name blocks others now
    (a row exists afterwards). A cancelled entity keeps a row until one year after
    ``status_changed_on``; after that (or when it moved out) the row is removed.
    """
    now = now or timezone.now()
    updated = entity.updated_at
    blocks, until = entity_blocks_until(
        entity_type=entity.entity_type,
        status=entity.status,
        status_changed_on=entity.status_changed_on,
        updated_on=timezone.localdate(updated) if updated else None,
        now=now,
    )
    with transaction.atomic():
        if not blocks:
            NameIndexEntry.objects.filter(
                source=IndexSource.ENTITY, ref=entity.credit_code
            ).delete()
            return False
        keys = _registered_keys(entity.name, entity.region_code)
        _entry_store(
            source=IndexSource.ENTITY, ref=entity.credit_code, keys=keys, blocks_until=until
        )
    return True


def name_index_reservation(
    *, number: str, parts: NameParts, expires_at: dt.datetime
) -> NameIndexEntry:
    """Index a reserved name until ``expires_at`` (called by the reservation services)."""
    return _entry_store(
        source=IndexSource.RESERVATION, ref=number, keys=_keys_of(parts), blocks_until=expires_at
    )


def name_index_remove(*, source: IndexSource, ref: str) -> int:
    """Remove the row of a released or expired reservation (or of an entity)."""
    deleted, _by_model = NameIndexEntry.objects.filter(source=source, ref=ref).delete()
    return deleted


def name_index_transfer(*, number: str, credit_code: str) -> bool:
    """A used reservation's row becomes the new entity's row (blocking indefinitely)."""
    NameIndexEntry.objects.filter(source=IndexSource.ENTITY, ref=credit_code).delete()
    moved = NameIndexEntry.objects.filter(source=IndexSource.RESERVATION, ref=number).update(
        source=IndexSource.ENTITY, ref=credit_code, blocks_until=None
    )
    return bool(moved)


def name_index_stats() -> dict[str, int]:
    """Rows of the index by source, and registered names indexed by the fallback."""
    entries = NameIndexEntry.objects
    return {
        "entries": entries.count(),
        "entities": entries.filter(source=IndexSource.ENTITY).count(),
        "reservations": entries.filter(source=IndexSource.RESERVATION).count(),
        "fallback": entries.filter(fallback=True).count(),
        "fragments": NameFragment.objects.count(),
    }


# --------------------------------------------------------------------------- bulk rebuild


@dataclass(frozen=True, slots=True)
class _Chunk:
    entries: list[tuple[Any, ...]]  # _ENTRY_COLUMNS without id
    fragments: list[tuple[int, str, str]]  # (position in entries, fragment, industry group)
    read: int
    fallback: int


def _to_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _chunk_rows(args: tuple[list[tuple[Any, ...]], dt.datetime]) -> _Chunk:
    """Keys of a chunk of entity rows (a top-level function: runs in worker processes)."""
    rows, now = args
    entries: list[tuple[Any, ...]] = []
    fragments: list[tuple[int, str, str]] = []
    fallback = 0
    for credit_code, name, entity_type, region_code, status, changed_on, updated_at in rows:
        blocks, until = entity_blocks_until(
            entity_type=entity_type,
            status=status,
            status_changed_on=_to_date(changed_on),
            updated_on=_to_date(updated_at),
            now=now,
        )
        if not blocks:
            continue
        keys = _registered_keys(name, region_code)
        fallback += keys.fallback
        position = len(entries)
        entries.append(
            (
                IndexSource.ENTITY.value,
                credit_code,
                keys.name,
                keys.trade_name,
                keys.industry_text,
                keys.industry_terms,
                keys.identical_key,
                keys.pinyin_key,
                keys.sorted_key,
                keys.industry_group,
                keys.fallback,
                until,
            )
        )
        fragments.extend((position, f, keys.industry_group) for f in sorted(keys.fragments))
    return _Chunk(entries, fragments, len(rows), fallback)


def _entity_chunks(now: dt.datetime) -> Iterator[tuple[list[tuple[Any, ...]], dt.datetime]]:
    """Entity rows in id order, in chunks, read by keyset pagination (memory stays flat)."""
    last = 0
    sql = (
        "SELECT id, credit_code, name, entity_type, region_code, status, status_changed_on, "  # noqa: S608
        f"updated_at FROM {ENTITY_TABLE} WHERE id > %s ORDER BY id LIMIT {_CHUNK}"
    )
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [last])
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [row[1:] for row in rows], now


def _reservation_chunk(now: dt.datetime) -> _Chunk:
    """Index rows of the reservations still in force."""
    from .name_models import NameReservation, ReservationState

    entries: list[tuple[Any, ...]] = []
    fragments: list[tuple[int, str, str]] = []
    live = NameReservation.objects.filter(state=ReservationState.RESERVED, expires_at__gt=now)
    for reservation in live.order_by("id"):
        try:
            parts = name_parse(reservation.name, region_code=reservation.region_code)
            keys = _keys_of(parts)
        except DomainError:
            keys = _registered_keys(reservation.name, reservation.region_code)
        position = len(entries)
        entries.append(
            (
                IndexSource.RESERVATION.value,
                reservation.number,
                keys.name,
                keys.trade_name,
                keys.industry_text,
                keys.industry_terms,
                keys.identical_key,
                keys.pinyin_key,
                keys.sorted_key,
                keys.industry_group,
                keys.fallback,
                reservation.expires_at,
            )
        )
        fragments.extend((position, f, keys.industry_group) for f in sorted(keys.fragments))
    return _Chunk(entries, fragments, len(entries), 0)


def _produce(
    chunks: Iterator[tuple[list[tuple[Any, ...]], dt.datetime]], workers: int
) -> Iterator[_Chunk]:
    """Keys of the chunks in order; in ``workers`` forked processes when above one.

    The chunks are read here, in this thread (the database connection is this thread's),
    and at most ``2 * workers`` are in flight, so memory stays bounded.
    """
    if workers <= 1:
        for chunk in chunks:
            yield _chunk_rows(chunk)
        return
    _registered_keys("上海鑫达贸易有限公司", "310000")  # load word lists before forking
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending: collections.deque[Any] = collections.deque()
        for chunk in itertools.islice(chunks, 2 * workers):
            pending.append(pool.apply_async(_chunk_rows, (chunk,)))
        while pending:
            result = pending.popleft().get()
            for chunk in itertools.islice(chunks, 1):
                pending.append(pool.apply_async(_chunk_rows, (chunk,)))
            yield result


@contextlib.contextmanager
def _sqlite_bulk() -> Iterator[None]:
    """A large page cache and in-memory sorts while loading (SQLite, outside a transaction)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -524288")  # 512 MiB
        cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            cursor.execute("PRAGMA temp_store = DEFAULT")


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the secondary indexes and constraints of both tables; return SQL to restore."""
    restore: list[str] = []
    if connection.vendor == "sqlite":
        for table in (ENTRY_TABLE, FRAGMENT_TABLE):
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                restore.append(sql)
        return restore
    for table in (FRAGMENT_TABLE, ENTRY_TABLE):  # the foreign key first
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table in (ENTRY_TABLE, FRAGMENT_TABLE):
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisprimary",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
            restore.insert(0, definition)  # indexes before the constraints that use them
    return restore


def name_index_rebuild(
    *, progress: Callable[[int, int], None] | None = None, workers: int | None = None
) -> int:
    """Rebuild the whole index from the entity table and the live reservations.

    One transaction: readers see the old index until it commits. Rows are read in id order
    by keyset pagination, keyed in ``workers`` forked processes (default 2 for a large
    register), and loaded with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) with the
    secondary indexes dropped and rebuilt afterwards. ``progress(done, total)`` is called
    after each chunk. Returns the number of index rows; :func:`name_index_stats` counts the
    names indexed by the fallback.
    """
    now = timezone.now()
    total = MarketEntity.objects.count()
    if workers is None:
        workers = 2 if total >= _PARALLEL_FROM else 0
    vendor = connection.vendor
    count = 0
    with _sqlite_bulk(), transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            # Pending deferred foreign-key checks (rows changed earlier in the caller's
            # transaction) would make TRUNCATE refuse: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {FRAGMENT_TABLE}, {ENTRY_TABLE}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        else:
            cursor.execute(f"DELETE FROM {FRAGMENT_TABLE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {ENTRY_TABLE}")  # noqa: S608
        restore = _drop_indexes(cursor)
        writer = _Writer(cursor)
        done = 0
        for chunk in _produce(_entity_chunks(now), workers):
            writer.write(chunk)
            done += chunk.read
            if progress is not None:
                progress(done, total)
        writer.write(_reservation_chunk(now))
        count = writer.next_id - 1
        for sql in restore:
            cursor.execute(sql)
        if vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, 1), %s)",
                [ENTRY_TABLE, count, count > 0],
            )
        cursor.execute(f"ANALYZE {ENTRY_TABLE}")
        cursor.execute(f"ANALYZE {FRAGMENT_TABLE}")
    return count


class _Writer:
    """Writes chunks with explicit ids, so fragments name their entry without a round trip."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.next_id = 1
        self.next_fragment = 1
        self.vendor = connection.vendor
        self._copies: list[Any] = []
        if self.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit = off")

    def write(self, chunk: _Chunk) -> None:
        first = self.next_id
        entries = [(first + i, *row) for i, row in enumerate(chunk.entries)]
        fragments = [(first + position, f, g) for position, f, g in chunk.fragments]
        self.next_id += len(entries)
        if self.vendor == "postgresql":
            self._copy(ENTRY_TABLE, _ENTRY_COLUMNS, entries)
            self._copy(FRAGMENT_TABLE, _FRAGMENT_COLUMNS, fragments)
            return
        adapt = connection.ops.adapt_datetimefield_value
        raw = connection.connection
        marks = ", ".join(["?"] * len(_ENTRY_COLUMNS))
        raw.executemany(
            f"INSERT INTO {ENTRY_TABLE} ({', '.join(_ENTRY_COLUMNS)}) VALUES ({marks})",  # noqa: S608
            [(*row[:-1], adapt(row[-1]) if row[-1] is not None else None) for row in entries],
        )
        raw.executemany(
            f"INSERT INTO {FRAGMENT_TABLE} ({', '.join(_FRAGMENT_COLUMNS)}) VALUES (?, ?, ?)",  # noqa: S608
            fragments,
        )

    def _copy(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
