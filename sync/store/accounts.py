"""Bulk writes of pulled accounts: one insert-or-update per batch, not an ORM loop.

The unique key is (source, external_id). An upsert refreshes every pulled field (the field
registry's columns, `mapping.registry`, and `raw`) and `last_seen_at`, keeps `first_seen_at`, and
sets `owner_since` to the pull's time when it finds a new owner (a new record starts without one).
A full pull ends with `mark_unseen_deleted`, which flags the records the CRM no longer returned.

A pull writes hundreds of thousands of rows, so each dialect gets its fastest correct path:
SQLite a prepared `INSERT ... ON CONFLICT DO UPDATE` through the driver's `executemany`;
PostgreSQL `COPY` into a temporary table, then one `INSERT ... SELECT ... ON CONFLICT`. Values are
stored exactly as SQLAlchemy's column types store them, so the ORM reads them back unchanged
(`tests/sync/store/test_account_upsert.py` checks this on both databases).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import Connection, Table, and_, select, update

from mapping.model.accounts import Account
from mapping.registry import FieldKind, model_fields
from mapping.unified import UnifiedAccount

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]

MODEL_FIELDS = model_fields()
"""The unified fields with a column (`mapping.registry`): a field that gains one needs a migration,
so the column list is the registry's as the product was built, not one registered later."""
PULLED_COLUMNS = (*(f.name for f in MODEL_FIELDS), "raw")
KEY_COLUMNS = ("source", "external_id")
ALL_COLUMNS = (*KEY_COLUMNS, *PULLED_COLUMNS, "first_seen_at", "last_seen_at")
UPDATED_COLUMNS = (*PULLED_COLUMNS, "last_seen_at")


def _on_conflict(same_owner: str) -> str:
    """The refresh of an existing row: every pulled column, and `owner_since` set to this pull's
    time when the owner changed (`same_owner`: the dialect's null-safe equality, whose
    `accounts.` side is the row before the update)."""
    return (
        "ON CONFLICT (source, external_id) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in UPDATED_COLUMNS)
        + f", owner_since = CASE WHEN {same_owner} THEN accounts.owner_since "
        "ELSE excluded.last_seen_at END"
    )


_SQLITE_ON_CONFLICT = _on_conflict("accounts.owner_id IS excluded.owner_id")
_POSTGRESQL_ON_CONFLICT = _on_conflict("accounts.owner_id IS NOT DISTINCT FROM excluded.owner_id")
# Multi-row VALUES beats executemany of one-row statements by about a third on SQLite; a statement
# stays under SQLite's 32,766 bound-parameter limit (1,000 rows of today's 19 columns).
_SQLITE_ROWS_PER_STATEMENT = min(1000, 32_766 // len(ALL_COLUMNS))
_SQLITE_ONE_ROW = "(" + ", ".join("?" for _ in ALL_COLUMNS) + ")"


def _sqlite_upsert(rows: int) -> str:
    values = ", ".join([_SQLITE_ONE_ROW] * rows)
    return f"INSERT INTO accounts ({', '.join(ALL_COLUMNS)}) VALUES {values} {_SQLITE_ON_CONFLICT}"


# One round trip before the COPY: the commit setting and the session's staging table, which is
# empty by then (ON COMMIT DELETE ROWS, and the merge below takes its rows out): no TRUNCATE.
# A pull page is re-pullable: its commit need not wait for the WAL flush. A server crash can lose
# the last pages and their cursor together, never one without the other.
_POSTGRESQL_PRELUDE = (
    "SET LOCAL synchronous_commit = off; "
    "CREATE TEMPORARY TABLE IF NOT EXISTS accounts_incoming "
    "(LIKE accounts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_POSTGRESQL_COPY = f"COPY accounts_incoming ({', '.join(ALL_COLUMNS)}) FROM STDIN"
# The merge takes the staged rows out as it reads them (DELETE ... RETURNING), so a second upsert
# in the same transaction never merges the first one's rows again.
_POSTGRESQL_MERGE = (
    f"WITH incoming AS (DELETE FROM accounts_incoming RETURNING {', '.join(ALL_COLUMNS)}) "
    f"INSERT INTO accounts ({', '.join(ALL_COLUMNS)}) "
    f"SELECT {', '.join(ALL_COLUMNS)} FROM incoming {_POSTGRESQL_ON_CONFLICT}"
)


def _sqlite_datetime(value: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime stores: naive UTC with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _raw_json(raw: dict[str, Any]) -> str:
    """The raw fields as JSON text (orjson: the encoding is a third of the upsert's time with the
    standard library's encoder)."""
    return orjson.dumps(raw).decode()


_MODEL_VALUES = attrgetter("source", "external_id", *(f.name for f in MODEL_FIELDS))


def _pulled_values(account: UnifiedAccount) -> list[Any]:
    """The account's key and pulled columns, in `ALL_COLUMNS` order (without the seen times)."""
    return [*_MODEL_VALUES(account), _raw_json(account.raw)]


def _columns_of(kind: FieldKind) -> tuple[int, ...]:
    return tuple(ALL_COLUMNS.index(f.name) for f in MODEL_FIELDS if f.kind == kind)


_MONEY = _columns_of(FieldKind.MONEY)
_TIMES = _columns_of(FieldKind.TIME)
_FLAGS = _columns_of(FieldKind.FLAG)


def _sqlite_row(account: UnifiedAccount, seen_at: str) -> list[Any]:
    """Values as SQLAlchemy's SQLite types store them: REAL revenue, text times, 0/1 flags."""
    values = _pulled_values(account)
    for column in _MONEY:
        amount = values[column]
        values[column] = float(amount) if amount is not None else None
    for column in _TIMES:
        values[column] = _sqlite_datetime(values[column])
    for column in _FLAGS:
        values[column] = 1 if values[column] else 0
    values += (seen_at, seen_at)
    return values


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: object) -> str:
    """One value in COPY's text format (`\\N` is NULL; backslash, tab and newlines escaped)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _postgresql_copy_text(accounts: Sequence[UnifiedAccount], seen_at: datetime) -> str:
    """The whole page as COPY text: formatting it here is several times faster than having the
    driver adapt every value of every row."""
    seen = seen_at.isoformat()
    lines = [
        "\t".join([*map(_copy_field, _pulled_values(account)), seen, seen]) for account in accounts
    ]
    return "\n".join(lines) + "\n"


def upsert_accounts(
    connection: Connection, accounts: Sequence[UnifiedAccount], seen_at: datetime
) -> int:
    """Insert new accounts and refresh existing ones; returns the number of rows sent.

    Runs inside the caller's transaction, so a pull commits a page and its cursor together.
    """
    if not accounts:
        return 0
    if seen_at.tzinfo is None:
        raise ValueError("seen_at must be timezone-aware")
    # A key twice in one statement is an error on PostgreSQL: the last version of a record wins.
    unique = list({(a.source, a.external_id): a for a in accounts}.values())
    driver = connection.connection.driver_connection
    dialect = connection.dialect.name
    if dialect == "sqlite":
        seen = _sqlite_datetime(seen_at)
        assert seen is not None
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(unique), _SQLITE_ROWS_PER_STATEMENT):
                chunk = unique[start : start + _SQLITE_ROWS_PER_STATEMENT]
                parameters = [value for a in chunk for value in _sqlite_row(a, seen)]
                cursor.execute(_sqlite_upsert(len(chunk)), parameters)
        finally:
            cursor.close()
    elif dialect == "postgresql":
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(_POSTGRESQL_PRELUDE)
            with cursor.copy(_POSTGRESQL_COPY) as copy:
                copy.write(_postgresql_copy_text(unique, seen_at))
            cursor.execute(_POSTGRESQL_MERGE)
    else:  # pragma: no cover - open_database refuses other databases
        raise NotImplementedError(dialect)
    return len(accounts)


def mark_unseen_deleted(connection: Connection, source: str, seen_since: datetime) -> int:
    """After a full pull: flag as deleted every live account of `source` not seen since then."""
    result = connection.execute(
        update(ACCOUNTS)
        .where(
            and_(
                ACCOUNTS.c.source == source,
                ACCOUNTS.c.deleted.is_(False),
                ACCOUNTS.c.last_seen_at < seen_since,
            )
        )
        .values(deleted=True)
    )
    return int(result.rowcount or 0)


__all__ = ["mark_unseen_deleted", "upsert_accounts"]


IDS_PER_QUERY = 500
"""Ids listed in one `IN (...)` (well under SQLite's and PostgreSQL's limits on parameters)."""


def live_account_rows(
    connection: Connection, records: Collection[tuple[str, str]], columns: Sequence[Any]
) -> Iterator[Sequence[Any]]:
    """`columns` of the live stored accounts among `records` (CRM, id), `IDS_PER_QUERY` ids a
    query."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in records:
        by_source.setdefault(source, []).append(external_id)
    for source, ids in sorted(by_source.items()):
        for start in range(0, len(ids), IDS_PER_QUERY):
            yield from connection.execute(
                select(*columns).where(
                    ACCOUNTS.c.deleted.is_(False),
                    ACCOUNTS.c.source == source,
                    ACCOUNTS.c.external_id.in_(ids[start : start + IDS_PER_QUERY]),
                )
            )
