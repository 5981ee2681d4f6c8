"""The ledger's two hot paths, appending and proving, in plain SQL.

Each append and each proof is a few statements on primary keys. Through the ORM, compiling
those statements costs several times more than running them (about 0.3 ms per statement on
the 2-core reference machine, several ms for the ~40-term node lookup of a proof), which
would cap appends well below 2,000 per second and proofs above 5 ms. The statements here are
built once per database vendor from the models' metadata (table and column names), and values
that are not native to the database driver (datetimes) are adapted by their model field as
the ORM would, so they follow the models and run unchanged on SQLite and PostgreSQL.

Reads go through Django's cursor like any query. The four statements of an append go to the
driver's own cursor, under Django's error translation and only inside a transaction: Django's
cursor wrapper alone costs about as much as SQLite takes to run them. They are therefore
missing from ``connection.queries`` in DEBUG mode. Everything else goes through the ORM.
"""

# ruff: noqa: S608 - the SQL is built from model metadata and placeholders, never from input

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import TransactionManagementError

from yingshang.ledger.merkle import NodeId
from yingshang.ledger.models import LedgerEvent, LedgerState, MerkleNode


@dataclass(frozen=True)
class _Statements:
    # The append path: the driver's placeholder style (``?`` for sqlite3, ``%s`` for psycopg).
    lock_state: str
    insert_event: str
    insert_node: str
    write_state: str
    # Reads, through Django's cursor: ``%s``.
    read_state: str
    select_leaves: str  # + "(%s, ...)"
    select_nodes: str  # + one node_term per node, joined by OR
    node_term: str

    @classmethod
    def build(cls, db: BaseDatabaseWrapper) -> _Statements:
        native = "?" if db.vendor == "sqlite" else "%s"  # sqlite3 takes qmark; psycopg %s

        def table(model: type[models.Model]) -> str:
            return db.ops.quote_name(model._meta.db_table)

        def column(model: type[models.Model], name: str) -> str:
            return db.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

        def insert(model: type[models.Model]) -> str:
            fields = model._meta.concrete_fields
            names = ", ".join(db.ops.quote_name(str(field.column)) for field in fields)
            values = ", ".join([native] * len(fields))
            return f"INSERT INTO {table(model)} ({names}) VALUES ({values})"

        def state(placeholder: str) -> str:
            return (
                f"SELECT {column(LedgerState, 'size')}, {column(LedgerState, 'frontier')} "
                f"FROM {table(LedgerState)} WHERE {column(LedgerState, 'id')} = {placeholder}"
            )

        level, index = column(MerkleNode, "level"), column(MerkleNode, "index")
        event_index = column(LedgerEvent, "index")
        return cls(
            lock_state=state(native) + (" FOR UPDATE" if db.features.has_select_for_update else ""),
            insert_event=insert(LedgerEvent),
            insert_node=insert(MerkleNode),
            write_state=(
                f"UPDATE {table(LedgerState)} SET {column(LedgerState, 'size')} = {native}, "
                f"{column(LedgerState, 'frontier')} = {native} "
                f"WHERE {column(LedgerState, 'id')} = {native}"
            ),
            read_state=state("%s"),
            select_leaves=(
                f"SELECT {event_index}, {column(LedgerEvent, 'leaf_hash')} "
                f"FROM {table(LedgerEvent)} WHERE {event_index} IN "
            ),
            select_nodes=(
                f"SELECT {level}, {index}, {column(MerkleNode, 'hash')} "
                f"FROM {table(MerkleNode)} WHERE "
            ),
            node_term=f"({level} = %s AND {index} = %s)",
        )


_STATEMENTS: dict[str, _Statements] = {}


def _db() -> tuple[BaseDatabaseWrapper, _Statements]:
    db = connections[DEFAULT_DB_ALIAS]
    statements = _STATEMENTS.get(db.vendor)
    if statements is None:
        statements = _STATEMENTS[db.vendor] = _Statements.build(db)
    return db, statements


@contextmanager
def _driver_cursor(db: BaseDatabaseWrapper) -> Iterator[Any]:
    """The driver's cursor inside the current transaction, with Django's error translation."""
    if not db.in_atomic_block:
        raise TransactionManagementError("ledger writes must run inside transaction.atomic()")
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


# Fields whose database value is the Python value itself, on every backend, for the values the
# ledger passes (ints, strs, bytes); other fields (``created_at``) are adapted by the field.
_NATIVE = (models.IntegerField, models.CharField, models.TextField, models.BinaryField)


@cache
def _adapted_fields(model: type[models.Model]) -> tuple[tuple[int, models.Field], ...]:
    """The (position, field) of each column whose values need adapting for the driver."""
    return tuple(
        (position, field)
        for position, field in enumerate(model._meta.concrete_fields)
        if not isinstance(field, _NATIVE)
    )


def _rows(
    db: BaseDatabaseWrapper, model: type[models.Model], rows: Iterable[Sequence[Any]]
) -> list[list[Any]]:
    """Rows of ``model``'s column values, each as its model field would send it to the driver."""
    adapted = _adapted_fields(model)
    result = [list(row) for row in rows]
    for row in result:
        for position, field in adapted:
            row[position] = field.get_db_prep_save(row[position], db)
    return result


def state_read(*, lock: bool) -> tuple[int, bytes] | None:
    """(size, frontier) from the state row, or ``None`` before the first append.

    ``lock`` (only inside a transaction) locks the row ``FOR UPDATE`` where the database can,
    which serialises appends; SQLite's write lock does the same there.
    """
    db, sql = _db()
    if lock:
        with _driver_cursor(db) as cursor:
            cursor.execute(sql.lock_state, [LedgerState.SINGLETON])
            row = cursor.fetchone()
    else:
        with db.cursor() as cursor:
            cursor.execute(sql.read_state, [LedgerState.SINGLETON])
            row = cursor.fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))


def write(
    *,
    events: Sequence[LedgerEvent],
    nodes: Sequence[tuple[int, int, bytes]],
    size: int,
    frontier: bytes,
) -> None:
    """Insert new events (every field set) and nodes (level, index, hash); update the state."""
    db, sql = _db()
    values = attrgetter(*(field.attname for field in LedgerEvent._meta.concrete_fields))
    with _driver_cursor(db) as cursor:
        _insert(cursor, sql.insert_event, _rows(db, LedgerEvent, map(values, events)))
        _insert(cursor, sql.insert_node, _rows(db, MerkleNode, nodes))
        cursor.execute(sql.write_state, [size, frontier, LedgerState.SINGLETON])
    for event in events:
        event._state.adding, event._state.db = False, db.alias


def _insert(cursor: Any, sql: str, rows: list[list[Any]]) -> None:
    # One row is a plain execute: psycopg runs executemany as a pipeline, with extra round trips.
    if len(rows) == 1:
        cursor.execute(sql, rows[0])
    elif rows:
        cursor.executemany(sql, rows)


def leaf_hashes(indices: Collection[int]) -> dict[int, bytes]:
    """The stored leaf hashes of the events at ``indices`` (missing events are left out)."""
    if not indices:
        return {}
    db, sql = _db()
    with db.cursor() as cursor:
        cursor.execute(sql.select_leaves + f"({', '.join(['%s'] * len(indices))})", list(indices))
        return {int(i): bytes(value) for i, value in cursor.fetchall()}


def node_hashes(nodes: Collection[NodeId]) -> dict[NodeId, bytes]:
    """The stored hashes of the nodes ``(level, index)`` (missing nodes are left out)."""
    if not nodes:
        return {}
    db, sql = _db()
    where = " OR ".join([sql.node_term] * len(nodes))
    with db.cursor() as cursor:
        cursor.execute(sql.select_nodes + where, [part for node in nodes for part in node])
        return {(int(lvl), int(idx)): bytes(value) for lvl, idx, value in cursor.fetchall()}
