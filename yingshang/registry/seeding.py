"""Bulk-loading synthetic entities (``yingshang seed``): millions of rows in minutes.

Seeding is an import, not millions of registrations: rows go in through the database's bulk
path (``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL), with the
secondary indexes dropped before and rebuilt after when the table starts empty, and the
whole run is recorded by **one** ledger event, ``registry.seeded``, whose payload carries
the count, the seed and the SHA-256 of the seeded credit codes in id order (one code per
line, ``\\n``-terminated). Seeded entities have ``version`` 1 and no
:class:`~yingshang.registry.models.EntityVersion` rows: the ledger event stands for their
creation.

An existing table is refused unless ``append=True``: then new rows get the next ids and
credit-code serials that continue after them (the serial of a code is a bijection of the
entity's index, so appended codes never repeat seeded ones). Everything happens in one
transaction: a failed seed leaves nothing behind.

Generation runs in worker processes (``fork``) while this process loads, so the two cores
of a small machine are both busy.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import multiprocessing
import operator
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.uscc import SERIAL_LIMIT
from yingshang.ledger.services import event_append

from . import search, synthetic
from .models import MarketEntity

# SQL here is assembled only from module constants (table and column names); every value
# is a bound parameter. That is why the S608 warnings are silenced line by line.
SEED_EVENT = "registry.seeded"
ENTITY_TABLE = MarketEntity._meta.db_table
_PARALLEL_FROM = 2 * synthetic.CHUNK_SIZE  # fewer rows than this: generate in-process

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SeedResult:
    count: int
    seed: int
    first_id: int
    last_id: int
    codes_sha256: str
    seconds: float
    ledger_index: int
    phases: dict[str, float]  # seconds per phase: rows, each index, analyze, commit ...


class _Phases:
    """Wall-clock seconds of the phases of a load, for the benchmark's report."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def since(self) -> float:
        return time.perf_counter() - self._last

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


# --- Payloads built in the worker processes -----------------------------------------


@dataclass(frozen=True, slots=True)
class _SqlitePayload:
    rows: list[synthetic.Row]
    fts: list[tuple[int, str]]


@dataclass(frozen=True, slots=True)
class _PostgresqlPayload:
    codes: list[str]
    copy_text: str


def _sqlite_payload(spec: synthetic.ChunkSpec) -> _SqlitePayload:
    rows = synthetic.run_spec(spec)
    _check_derived(rows)
    return _SqlitePayload(
        rows, list(zip(_ids(rows), search.fts_documents(_names(rows)), strict=True))
    )


_ID, _NAME = synthetic.COLUMNS.index("id"), synthetic.COLUMNS.index("name")
_ESTABLISHED = synthetic.COLUMNS.index("established_on")
_TERM_START = synthetic.COLUMNS.index("business_term_start")
_CREATED = synthetic.COLUMNS.index("created_at")
_VERSION = synthetic.COLUMNS.index("version")


def _ids(rows: list[synthetic.Row]) -> list[int]:
    return [row[_ID] for row in rows]


def _names(rows: list[synthetic.Row]) -> list[str]:
    return [row[_NAME] for row in rows]


def _check_derived(rows: list[synthetic.Row]) -> None:
    """The generator's rows agree with what _DERIVED lets SQLite fill in."""
    for row in rows[:: max(1, len(rows) // 50)]:
        established = row[_ESTABLISHED]
        if (
            row[_TERM_START] != established
            or row[_CREATED] != established + " 01:00:00"
            or row[_VERSION] != 1
        ):
            raise AssertionError("synthetic rows no longer match the derived columns")


def _postgresql_payload(spec: synthetic.ChunkSpec) -> _PostgresqlPayload:
    """The chunk as COPY text.

    Generated text holds no tab, newline or backslash (a test checks), so values need no
    escaping; None is COPY's NULL, booleans print as True/False (accepted in any case).
    Timestamps are UTC: the load sets the transaction's time zone to UTC.
    """
    rows = synthetic.run_spec(spec)
    grams = search.grams_literals(_names(rows))
    lines = [
        "\t".join(["\\N" if value is None else str(value) for value in row]) + "\t" + literal
        for row, literal in zip(rows, grams, strict=True)
    ]
    lines.append("")
    return _PostgresqlPayload([row[1] for row in rows], "\n".join(lines))


def _produce(
    fn: Callable[[synthetic.ChunkSpec], T], specs: list[synthetic.ChunkSpec], workers: int
) -> Iterator[T]:
    """``fn`` over ``specs`` in order; in ``workers`` forked processes when above one.

    At most ``2 * workers`` chunks are in flight, so memory stays bounded when the loader
    is the slower side.
    """
    if workers <= 1:
        for spec in specs:
            yield fn(spec)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending: collections.deque[Any] = collections.deque()
        remaining = iter(specs)
        for spec in islice(remaining, 2 * workers):
            pending.append(pool.apply_async(fn, (spec,)))
        while pending:
            result = pending.popleft().get()
            for spec in islice(remaining, 1):
                pending.append(pool.apply_async(fn, (spec,)))
            yield result


# --- The action --------------------------------------------------------------------


def entities_seed(
    *,
    actor: str,
    count: int,
    seed: int,
    append: bool = False,
    workers: int | None = None,
    progress: bool = False,
) -> SeedResult:
    """Load ``count`` synthetic entities for ``seed``; one ledger event records the load.

    Refuses (``INVALID_STATE``) when entities exist, unless ``append``. ``workers`` is the
    number of generator processes (default: 2 for large loads, 0 for small ones).
    """
    if not isinstance(count, int) or not 1 <= count <= SERIAL_LIMIT // 2:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("生成数量应为1到%(max)d之间的整数。") % {"max": SERIAL_LIMIT // 2},
            {"field": "entities"},
        )
    if not isinstance(seed, int) or seed < 0:
        raise DomainError(ErrorCode.INVALID_INPUT, _("随机种子应为非负整数。"), {"field": "seed"})
    started = time.perf_counter()
    if workers is None:
        workers = 2 if count >= _PARALLEL_FROM else 0
    vendor = connection.vendor
    with _bulk_settings(), transaction.atomic():
        last = MarketEntity.objects.order_by("-id").values_list("id", flat=True).first()
        if last is not None and not append:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _(
                    "市场主体表中已有数据，种子数据只能导入空表；"
                    "如需在现有数据后追加，请使用 --append。"
                ),
            )
        start_id = (last or 0) + 1
        first_index = start_id - 1
        if first_index + count > SERIAL_LIMIT:
            raise DomainError(ErrorCode.INVALID_INPUT, _("追加数量超出可用的代码序号范围。"))
        specs = synthetic.chunk_specs(
            count=count, seed=seed, start_id=start_id, first_index=first_index
        )
        digest = hashlib.sha256()
        phases = _Phases()
        bar = tqdm(total=count, unit="户", disable=not progress, desc=_("生成市场主体"))
        try:
            if vendor == "sqlite":
                _load_sqlite(specs, workers, digest, bar, phases, rebuild=last is None)
            elif vendor == "postgresql":
                _load_postgresql(specs, workers, digest, bar, phases, rebuild=last is None)
            else:
                _load_orm(specs, digest, bar)
        finally:
            bar.close()
        last_id = start_id + count - 1
        event = event_append(
            event_type=SEED_EVENT,
            actor=actor,
            subject=f"entities:{start_id}-{last_id}",
            payload={
                "count": count,
                "seed": seed,
                "first_id": start_id,
                "last_id": last_id,
                "generator": "yingshang.registry.synthetic",
                "reference_date": synthetic.REFERENCE_DATE.isoformat(),
                "credit_codes_sha256": digest.hexdigest(),
            },
        )
    search.stats_forget()  # the search plans from the statistics of the new table
    return SeedResult(
        count=count,
        seed=seed,
        first_id=start_id,
        last_id=last_id,
        codes_sha256=digest.hexdigest(),
        seconds=time.perf_counter() - started,
        ledger_index=event.index,
        phases={**phases.seconds, "ledger_and_commit": phases.since()},
    )


def codes_digest(codes: list[str]) -> str:
    """The digest the seed event carries, for a list of codes in id order."""
    return hashlib.sha256("".join(code + "\n" for code in codes).encode("ascii")).hexdigest()


# --- SQLite ------------------------------------------------------------------------

# Columns whose values SQL derives from another one, so fewer values are bound per row
# (binding costs about 0.4 µs a value): the term starts on the founding date, the
# timestamps are 01:00 UTC that day, the version is 1. _sqlite_payload checks the rows.
_DERIVED = {
    "business_term_start": "{established_on}",
    "version": "1",
    "created_at": "{established_on} || ' 01:00:00'",
    "updated_at": "{established_on} || ' 01:00:00'",
}
_BOUND_COLUMNS = [c for c in synthetic.COLUMNS if c not in _DERIVED]
_SQLITE_BOUND = operator.itemgetter(*(synthetic.COLUMNS.index(c) for c in _BOUND_COLUMNS))


def _sqlite_values() -> str:
    number = {column: f"?{i}" for i, column in enumerate(_BOUND_COLUMNS, start=1)}
    return ", ".join(
        _DERIVED[c].format(established_on=number["established_on"]) if c in _DERIVED else number[c]
        for c in synthetic.COLUMNS
    )


def _sqlite_secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
        "AND sql IS NOT NULL",
        [ENTITY_TABLE],
    )
    return [(name, sql) for name, sql in cursor.fetchall()]


def _load_sqlite(
    specs: list[synthetic.ChunkSpec],
    workers: int,
    digest: Any,
    bar: tqdm,
    phases: _Phases,
    *,
    rebuild: bool,
) -> None:
    raw = connection.connection
    columns = ", ".join(synthetic.COLUMNS)
    insert = f"INSERT INTO {ENTITY_TABLE} ({columns}) VALUES ({_sqlite_values()})"  # noqa: S608
    insert_fts = f"INSERT INTO {search.FTS_TABLE} (rowid, grams) VALUES (?, ?)"  # noqa: S608
    with connection.cursor() as cursor:
        indexes = _sqlite_secondary_indexes(cursor) if rebuild else []
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for payload in _produce(_sqlite_payload, specs, workers):
            raw.executemany(insert, map(_SQLITE_BOUND, payload.rows))
            raw.executemany(insert_fts, payload.fts)
            digest.update("".join(row[1] + "\n" for row in payload.rows).encode("ascii"))
            bar.update(len(payload.rows))
        phases.mark("rows")
        for name, sql in indexes:
            cursor.execute(sql)
            phases.mark(f"index {name}")
        if rebuild:
            cursor.execute(
                f"INSERT INTO {search.FTS_TABLE} ({search.FTS_TABLE}) VALUES ('optimize')"  # noqa: S608
            )
        phases.mark("search_index")
        cursor.execute(f"ANALYZE {ENTITY_TABLE}")
        phases.mark("analyze")


@contextlib.contextmanager
def _bulk_settings() -> Iterator[None]:
    """Connection settings for a bulk load, restored afterwards.

    SQLite only, and only outside a transaction (SQLite refuses these inside one): a large
    page cache and in-memory sorting for the index builds, and, when the entity table is
    empty and no other connection holds the database, the rollback journal instead of
    WAL. A rollback journal keeps only pages that existed before the transaction, so the
    load is written once instead of twice (into the WAL, then checkpointed); the
    transaction stays atomic. WAL comes back afterwards.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA journal_mode")
        journal = str(cursor.fetchone()[0]).lower()
        cursor.execute("PRAGMA cache_size = -1048576")  # 1 GiB while loading and indexing
        cursor.execute("PRAGMA temp_store = MEMORY")  # sorts for CREATE INDEX in memory
        cursor.execute("PRAGMA threads = 2")  # and on two threads
        if journal == "wal" and not MarketEntity.objects.exists():
            cursor.execute("PRAGMA journal_mode = DELETE")  # refused (stays WAL) if shared
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            cursor.execute("PRAGMA temp_store = DEFAULT")
            cursor.execute("PRAGMA threads = 0")
            if journal == "wal":
                cursor.execute("PRAGMA journal_mode = WAL")


# --- PostgreSQL ----------------------------------------------------------------------


def _load_postgresql(
    specs: list[synthetic.ChunkSpec],
    workers: int,
    digest: Any,
    bar: tqdm,
    phases: _Phases,
    *,
    rebuild: bool,
) -> None:
    columns = ", ".join((*synthetic.COLUMNS, search.GRAMS_COLUMN))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")  # the COPY text's timestamps are UTC
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        indexes: list[tuple[str, str]] = []
        constraints: list[tuple[str, str]] = []
        if rebuild:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [ENTITY_TABLE],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
                "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
                [ENTITY_TABLE, ENTITY_TABLE],
            )
            indexes = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE {ENTITY_TABLE} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        # The rows carry their grams; the trigger would only recheck them.
        cursor.execute(f"ALTER TABLE {ENTITY_TABLE} DISABLE TRIGGER registry_entity_search_grams")
        with cursor.copy(f"COPY {ENTITY_TABLE} ({columns}) FROM STDIN") as copy:
            for payload in _produce(_postgresql_payload, specs, workers):
                copy.write(payload.copy_text)
                digest.update("".join(code + "\n" for code in payload.codes).encode("ascii"))
                bar.update(len(payload.codes))
        cursor.execute(f"ALTER TABLE {ENTITY_TABLE} ENABLE TRIGGER registry_entity_search_grams")
        phases.mark("rows")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {ENTITY_TABLE} ADD CONSTRAINT "{name}" {definition}')
            phases.mark(f"index {name}")
        for name, definition in indexes:
            cursor.execute(definition)
            phases.mark(f"index {name}")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
            f"(SELECT max(id) FROM {ENTITY_TABLE}))",
            [ENTITY_TABLE],
        )
        cursor.execute(f"ANALYZE {ENTITY_TABLE}")
        phases.mark("analyze")


# --- Any other database ------------------------------------------------------------


def _load_orm(specs: list[synthetic.ChunkSpec], digest: Any, bar: tqdm) -> None:
    for spec in specs:
        rows = synthetic.run_spec(spec)
        MarketEntity.objects.bulk_create(
            [MarketEntity(**dict(zip(synthetic.COLUMNS, row, strict=True))) for row in rows]
        )
        digest.update("".join(row[1] + "\n" for row in rows).encode("ascii"))
        bar.update(len(rows))
