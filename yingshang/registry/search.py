"""Substring search on entity names at 3.2-million scale, on SQLite and on PostgreSQL.

A query is any fragment of two or more characters; a name matches when the fragment occurs
anywhere in it (ASCII letters compared case-insensitively, everything else exactly).
Results come in ascending ``id`` (registration order), so pages are stable.

Both databases index the name's **bigrams** (overlapping pairs of characters): a fragment
``abcd`` can only occur in a name that contains the bigrams ``ab``, ``bc`` and ``cd``. The
index finds those candidates; an exact substring test on the name removes the rare false
positives (the bigrams present but not adjacent). Single characters are not indexed, which
is why a query needs at least two. The three bigrams of 有限公司 (:data:`STOP_BIGRAMS`) are
not indexed either: they are in four names of five and never narrow a search.

SQLite
    A contentless FTS5 table (``detail=none``: only which rows hold a term) whose terms are
    the name's bigrams, each written as 8 base-36 characters (two code points), so the
    ``ascii`` tokenizer sees plain ASCII words and no character of the user's input ever
    reaches the FTS query syntax. FTS5 returns rows in rowid order and the query stops
    after ``limit`` verified rows, so frequent fragments are as fast as rare ones. Python
    keeps the table in step (:func:`index_entity`, called by the services): SQLite triggers
    could not compute the bigrams without a function registered in every connection.

PostgreSQL
    A column ``search_grams integer[]`` on the entity table (not in the Django model), the
    bigrams as integers (``(cp1 * 1114112 + cp2) mod 2147483647``), filled by a ``BEFORE``
    trigger, with a GIN index. GIN cannot return rows in ``id`` order, which is ruinous for
    a fragment in half the names (a bitmap of 1.6 million rows sorted to show 20), while an
    ``id``-order scan is ruinous for a rare fragment. PostgreSQL's own statistics of the
    column (``pg_stats.most_common_elems``: how many rows hold each common bigram) decide:
    a fragment is at most as frequent as its rarest bigram, so a rare bigram means few
    candidates (GIN), and only a fragment made of frequent bigrams is scanned in ``id``
    order, with a row budget; if the budget runs out (the bigrams were frequent but seldom
    together), the GIN route finishes the job.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

# SQL here is assembled only from module constants (table and column names); every value
# is a bound parameter. That is why the S608 warnings are silenced line by line.
FTS_TABLE = "registry_entity_name_fts"
ENTITY_TABLE = "registry_marketentity"
GRAMS_COLUMN = "search_grams"

_ASCII_UPPER = re.compile("[A-Z]")
_ASCII_LETTER = re.compile("[a-z]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_GRAM_MODULUS = 2_147_483_647  # 2**31 - 1: grams fit a positive integer
_CODE_POINTS = 1_114_112  # 0x110000


def search_text(value: str) -> str:
    """The form names and queries are compared in: ASCII letters lower-cased, nothing else.

    The same as SQLite's built-in ``lower()`` and the ``translate`` in PostgreSQL's
    ``registry_search_text()``, so that Python and both databases agree exactly.
    """
    return value.translate(_ASCII_LOWER) if _ASCII_UPPER.search(value) else value


def _base36(n: int) -> str:
    return _B36[n // 46656 % 36] + _B36[n // 1296 % 36] + _B36[n // 36 % 36] + _B36[n % 36]


# The bigrams of 有限公司: in about four names of five, so they never narrow a search, and
# leaving them out of both indexes saves a quarter of the index entries. A fragment made
# of them only (有限, 限公司, ...) is always frequent and is found by a scan in id order.
# PostgreSQL's registry_name_grams() (migration 0002) leaves out the same three.
STOP_BIGRAMS = frozenset({"有限", "限公", "公司"})


class _TermCache(dict[str, str]):
    """Bigram -> FTS term ("" for a stop bigram), computed on first use."""

    def __missing__(self, pair: str) -> str:
        term = "" if pair in STOP_BIGRAMS else _base36(ord(pair[0])) + _base36(ord(pair[1]))
        self[pair] = term
        return term


class _GramCache(dict[str, str]):
    """Bigram -> PostgreSQL gram as decimal text ("" for a stop bigram)."""

    def __missing__(self, pair: str) -> str:
        gram = (
            ""
            if pair in STOP_BIGRAMS
            else str((ord(pair[0]) * _CODE_POINTS + ord(pair[1])) % _GRAM_MODULUS)
        )
        self[pair] = gram
        return gram


_TERMS = _TermCache()
_GRAMS = _GramCache()
_CACHE_LIMIT = 1_000_000


def _pairs(name: str) -> map[str]:
    text = search_text(name)
    return map(operator.add, text, text[1:])


def _trim_caches() -> None:
    if len(_TERMS) > _CACHE_LIMIT:
        _TERMS.clear()
    if len(_GRAMS) > _CACHE_LIMIT:
        _GRAMS.clear()


def name_terms(name: str) -> list[str]:
    """The FTS terms of a name: its distinct indexed bigrams, 8 base-36 characters each."""
    _trim_caches()
    return list(dict.fromkeys(filter(None, map(_TERMS.__getitem__, _pairs(name)))))


def fts_document(name: str) -> str:
    """The text indexed in the FTS table for a name (its bigram terms, space-separated)."""
    _trim_caches()
    return " ".join(filter(None, map(_TERMS.__getitem__, _pairs(name))))


def fts_documents(names: Iterable[str]) -> list[str]:
    """:func:`fts_document` of many names (for bulk loads)."""
    _trim_caches()
    terms = _TERMS.__getitem__
    upper = _ASCII_UPPER.search
    add = operator.add
    documents = []
    for name in names:
        text = name.translate(_ASCII_LOWER) if upper(name) else name
        documents.append(" ".join(filter(None, map(terms, map(add, text, text[1:])))))
    return documents


def grams_literals(names: Iterable[str]) -> list[str]:
    """:func:`grams_literal` of many names (for bulk loads)."""
    _trim_caches()
    grams = _GRAMS.__getitem__
    upper = _ASCII_UPPER.search
    add = operator.add
    literals = []
    for name in names:
        text = name.translate(_ASCII_LOWER) if upper(name) else name
        literals.append("{" + ",".join(filter(None, map(grams, map(add, text, text[1:])))) + "}")
    return literals


def name_grams(name: str) -> list[int]:
    """The PostgreSQL grams of a name (as ``registry_name_grams()`` computes them)."""
    return sorted({int(gram) for gram in filter(None, map(_GRAMS.__getitem__, _pairs(name)))})


def grams_literal(name: str) -> str:
    """The grams as a PostgreSQL array literal, for COPY (duplicates do no harm)."""
    _trim_caches()
    return "{" + ",".join(filter(None, map(_GRAMS.__getitem__, _pairs(name)))) + "}"


# --- Keeping the index in step --------------------------------------------------------


def index_entity(*, entity_id: int, old_name: str | None, new_name: str) -> None:
    """Index a new entity (``old_name`` None) or a renamed one, in the caller's transaction.

    On PostgreSQL the trigger does this already; nothing to do.
    """
    if connection.vendor != "sqlite" or old_name == new_name:
        return
    with connection.cursor() as cursor:
        if old_name is not None:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, grams) VALUES ('delete', %s, %s)",  # noqa: S608
                [entity_id, fts_document(old_name)],
            )
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, grams) VALUES (%s, %s)",  # noqa: S608
            [entity_id, fts_document(new_name)],
        )


def fts_rows(rows: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """(rowid, document) pairs for bulk-loading the FTS table from (id, name) pairs."""
    return ((entity_id, fts_document(name)) for entity_id, name in rows)


def index_rebuild(*, batch: int = 50_000) -> int:
    """Rebuild the whole index from the entity table; returns the number of entities.

    For repairs and after raw bulk loads. Runs in one transaction.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
            cursor.execute(f"SELECT id, name FROM {ENTITY_TABLE} ORDER BY id")  # noqa: S608
            raw = connection.connection
            count = 0
            while rows := cursor.fetchmany(batch):
                insert = f"INSERT INTO {FTS_TABLE} (rowid, grams) VALUES (?, ?)"  # noqa: S608
                raw.executemany(insert, fts_rows(rows))
                count += len(rows)
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
            return count
        if connection.vendor == "postgresql":
            cursor.execute(f"UPDATE {ENTITY_TABLE} SET {GRAMS_COLUMN} = registry_name_grams(name)")  # noqa: S608
            return cursor.rowcount
    return 0


# --- Querying --------------------------------------------------------------------------


def search_ids(
    *,
    fragment: str,
    offset: int,
    limit: int,
    region_prefix: str | None = None,
    strategy: str = "auto",
) -> list[int]:
    """Ids of the entities whose name contains ``fragment``, ascending, sliced.

    ``fragment`` must already be validated (two or more characters, no control
    characters). ``region_prefix`` (digits only) keeps entities whose ``region_code``
    starts with it. ``strategy`` forces PostgreSQL's plan (``scan`` or ``gin``) for tests
    and measurements; the default chooses from statistics.
    """
    needle = search_text(fragment)
    if len(needle) < 2:
        raise ValueError("a search fragment needs at least two characters")
    if region_prefix is not None and not (region_prefix.isascii() and region_prefix.isdigit()):
        raise ValueError("region_prefix must be digits")
    if strategy not in ("auto", "scan", "gin"):
        raise ValueError("strategy must be auto, scan or gin")
    if connection.vendor == "sqlite":
        return _sqlite_ids(needle, offset, limit, region_prefix)
    if connection.vendor == "postgresql":
        return _postgresql_ids(needle, offset, limit, region_prefix, strategy)
    return _generic_ids(needle, offset, limit, region_prefix)


def fts_query(needle: str) -> str:
    """The FTS5 query for a fragment: its indexed bigram terms, each quoted, all required.

    Empty when the fragment has no indexed bigram (only those of :data:`STOP_BIGRAMS`).
    """
    terms = name_terms(needle)
    return " ".join(f'"{term}"' for term in terms)  # quoted terms, implicitly AND-ed


def sqlite_search_sql(*, with_region: bool) -> str:
    """The SQLite search statement: FTS candidates in rowid order, each verified on its name.

    Parameters: the FTS query, the lower-cased fragment, [the region pattern,] limit, offset.
    """
    region_sql = " AND e.region_code LIKE %s" if with_region else ""
    return (
        f"SELECT f.rowid FROM {FTS_TABLE} f JOIN {ENTITY_TABLE} e ON e.id = f.rowid "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND instr(lower(e.name), %s) > 0{region_sql} "
        "ORDER BY f.rowid LIMIT %s OFFSET %s"
    )


def _sqlite_ids(needle: str, offset: int, limit: int, region_prefix: str | None) -> list[int]:
    query = fts_query(needle)
    region = [region_prefix + "%"] if region_prefix else []
    with connection.cursor() as cursor:
        if query:
            cursor.execute(
                sqlite_search_sql(with_region=bool(region_prefix)),
                [query, needle, *region, limit, offset],
            )
        else:  # only stop bigrams: a frequent fragment, met early in id order
            cursor.execute(
                f"SELECT id FROM {ENTITY_TABLE} WHERE instr(lower(name), %s) > 0"  # noqa: S608
                f"{' AND region_code LIKE %s' if region_prefix else ''} "
                "ORDER BY id LIMIT %s OFFSET %s",
                [needle, *region, limit, offset],
            )
        return [row[0] for row in cursor.fetchall()]


# Relative cost per row of an id-order scan step against a GIN candidate (bitmap heap fetch,
# recheck, sort), tuned with bench/registry.py on the 2-core benchmark machine.
_SCAN_COST = 1.0
_GIN_COST = 2.5
_SCAN_SLACK = 4  # scan up to 4x the rows the estimate needs before falling back to GIN
_STATS_TTL = 300.0  # seconds a process keeps PostgreSQL's gram statistics


@dataclass(frozen=True, slots=True)
class _GramStats:
    """PostgreSQL's element statistics of ``search_grams`` (from the last ANALYZE)."""

    frequencies: dict[int, float]  # the most common grams: fraction of rows holding each
    floor: float  # every other gram is rarer than this
    rows: float  # estimated rows in the table
    loaded_at: float


_stats_cache: dict[str, _GramStats] = {}


def _gram_stats(cursor: Any) -> _GramStats:
    key = str(connection.settings_dict["NAME"])
    cached = _stats_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached.loaded_at < _STATS_TTL:
        return cached
    cursor.execute(
        "SELECT c.reltuples, s.most_common_elems::text, s.most_common_elem_freqs "
        "FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
        "AND s.tablename = c.relname AND s.attname = %s WHERE c.oid = %s::regclass",
        [GRAMS_COLUMN, ENTITY_TABLE],
    )
    rows, elements, freqs = cursor.fetchone()
    frequencies: dict[int, float] = {}
    floor = 1.0
    if elements and freqs:
        grams = [int(g) for g in elements.strip("{}").split(",") if g]
        frequencies = dict(zip(grams, freqs[: len(grams)], strict=True))
        floor = float(freqs[len(grams)])  # after the elements: min, max, null fraction
    stats = _GramStats(frequencies, floor, max(float(rows or 0), 0.0), now)
    _stats_cache[key] = stats
    return stats


def stats_forget() -> None:
    """Drop the cached statistics (after a bulk load or ANALYZE, and in tests)."""
    _stats_cache.clear()


def _postgresql_plan(needle: str, wanted: int, stats: _GramStats) -> tuple[str, int]:
    """("scan", row budget) or ("gin", 0) for a fragment, from the gram statistics.

    A fragment occurs in at most as many rows as its rarest bigram; that bound ``f`` gives
    the scan's cost (``wanted / f`` rows, if the fragment is about as common as the bigram)
    and the GIN route's (``f * rows`` candidates). Without statistics: GIN, which is right
    for small tables and never ruinous.
    """
    grams = name_grams(needle)
    if not grams:
        return "scan", 0  # only stop bigrams: frequent by construction
    if not stats.frequencies or stats.rows <= 0:
        return "gin", 0
    f = min(stats.frequencies.get(gram, stats.floor) for gram in grams)
    if f <= 0:
        return "gin", 0
    scan_rows = wanted / f
    if scan_rows * _SCAN_COST < f * stats.rows * _GIN_COST:
        return "scan", int(min(stats.rows, scan_rows * _SCAN_SLACK)) + wanted
    return "gin", 0


def _postgresql_ids(
    needle: str, offset: int, limit: int, region_prefix: str | None, strategy: str
) -> list[int]:
    wanted = offset + limit
    # Names are compared as stored unless the fragment has ASCII letters (lower-cased by
    # search_text): translate() on every row would cost more than the rest of the scan.
    name_sql = "registry_search_text(name)" if _ASCII_LETTER.search(needle) else "name"
    region_sql = " AND region_code LIKE %(region)s" if region_prefix else ""
    params: dict[str, Any] = {
        "needle": needle,
        "wanted": wanted,
        "region": (region_prefix or "") + "%",
        "grams": name_grams(needle),
    }
    with connection.cursor() as cursor:
        plan, budget = (
            (strategy, 0)
            if strategy != "auto"
            else _postgresql_plan(needle, wanted, _gram_stats(cursor))
        )
        if not params["grams"]:
            plan, budget = "scan", 0  # only stop bigrams: frequent, and GIN cannot help
        if plan == "scan":
            if budget:
                params["budget"] = budget
                cursor.execute(
                    "SELECT id FROM (SELECT id, name, region_code FROM "  # noqa: S608
                    f"{ENTITY_TABLE} ORDER BY id LIMIT %(budget)s) AS head "
                    f"WHERE strpos({name_sql}, %(needle)s) > 0{region_sql} "
                    "ORDER BY id LIMIT %(wanted)s",
                    params,
                )
            else:
                cursor.execute(
                    f"SELECT id FROM {ENTITY_TABLE} "  # noqa: S608
                    f"WHERE strpos({name_sql}, %(needle)s) > 0{region_sql} "
                    "ORDER BY id LIMIT %(wanted)s",
                    params,
                )
            found = [row[0] for row in cursor.fetchall()]
            if len(found) >= wanted or not budget:
                return found[offset:wanted]
            # Fewer matches than the estimate promised: the fragment is rare after all.
        # Every match through the GIN index. Sequential and plain index scans are off for
        # this statement so that the planner cannot pick them on a misestimate (bigrams
        # common alone but rare together).
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL jit = off")  # compiling would cost more than the query
            cursor.execute(
                f"SELECT id FROM {ENTITY_TABLE} "  # noqa: S608
                f"WHERE {GRAMS_COLUMN} @> %(grams)s::integer[] "
                f"AND strpos({name_sql}, %(needle)s) > 0{region_sql} "
                "ORDER BY id LIMIT %(wanted)s",
                params,
            )
            rows = [row[0] for row in cursor.fetchall()]
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
            cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")
            cursor.execute("SET LOCAL jit TO DEFAULT")
        return rows[offset:wanted]


def _generic_ids(needle: str, offset: int, limit: int, region_prefix: str | None) -> list[int]:
    """Other databases: a plain scan (correct, not fast)."""
    from .models import MarketEntity

    ids: list[int] = []
    query = MarketEntity.objects.order_by("id").values_list("id", "name")
    if region_prefix:
        query = query.filter(region_code__startswith=region_prefix)
    skipped = 0
    for entity_id, name in query.iterator(chunk_size=10_000):
        if needle in search_text(name):
            if skipped < offset:
                skipped += 1
                continue
            ids.append(entity_id)
            if len(ids) >= limit:
                break
    return ids
