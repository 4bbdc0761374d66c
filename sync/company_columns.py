"""Load the book as columns for the columnar engine, straight from a SQLite store.

`sync.companies.load_companies` builds a `CompanyFacts` per business through SQLAlchemy rows, the
path explain and what-if keep. A nightly run over a million accounts only needs, per business,
integer codes: the CRMs of its records, their owners, and each value the territory file tests,
merged the way the engine reads it (the primary record's value, else the other record's). Here
SQLite codes each account once, in one pass over the table in id order, and hands the codes over
as one text of comma-separated integers per column, which numpy parses without a Python object
per value; numpy then picks each business's records' codes and merges them (a value's code is -1
exactly when it has none, so the code of the merged value is the primary record's code if it is
not -1, else the other's). Values are coded:

- a field tested only by exact lists (`country`, `region`, `industry`) by the listed values
  (every other value behaves alike: listed nowhere);
- a numeric column tested only by bands with whole-number limits by band: the value's position
  among all the limits (SQLite compares the stored number with each limit);
- any other field by its distinct values: a column's read first; the raw CRM fields (read from
  the JSON text, one parse a record) by their combinations, as JSON arrays decoded as the store
  decodes JSON, first read from a sample of the accounts, then from the part of the accounts
  that has one the sample missed (so the JSON is parsed once a record, not twice).

Codes come from temporary tables (WITHOUT ROWID, so a lookup is one search) joined to each
account: the owners by owner id, the listed values, the combinations, and the domains and CRM ids
named accounts use (the businesses whose records one of them may name are read back as records).

Businesses come out in key order: unlinked HubSpot companies, then Salesforce accounts with their
linked company, each read from the (source, external id) unique index, so the rank of a key is its
row. That holds when all Salesforce ids have one length (as the API's 18-character ids do);
otherwise SQLite sorts by the key itself. Each row also carries the store ids of its records
(`CompanyColumns.record_ids`), so its facts can be read back a chunk at a time
(`sync.companies.companies_by_record_ids`).

Two connections share the work, each in a thread of its own (Python's `sqlite3` lets other
threads run while a statement runs): one reads the businesses' order while the other codes
accounts, then both code the accounts a range of ids at a time, each taking the next range when
it is free. Both must read one state of the book: a read transaction sees the store as of its
first read, and a commit by another process between the two first reads would mix two states.
So both first reads are made while a third connection holds the write lock (`BEGIN IMMEDIATE`,
let go right after): no commit can land meanwhile, so both see the last one before it. A writer
waits at most those two reads (milliseconds), and the load waits for a writer's transaction to
end (`busy_timeout`), as any write would. SQLite's own way to share a snapshot
(`sqlite3_snapshot_open`) is not in Python's `sqlite3`; checking `PRAGMA data_version` around the
two first reads and starting again after a commit would not block writers, but would start again
and again under a stream of small commits.

Returns None where this does not apply (another database, a file the columnar engine does not
evaluate, a field it cannot code); callers then use `load_companies` and the reference engine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from mapping.registry import numeric_fields
from mapping.territories.columnar import applies, needs_extra
from mapping.territories.columns import (
    ATTRIBUTE,
    SOURCE_CODE,
    CompanyColumns,
    FieldColumn,
    criteria_of,
    encode,
    field_kind,
    tested_fields,
)
from mapping.territories.criteria import Band, FieldCriterion, OneOf
from mapping.territories.facts import HUBSPOT, SALESFORCE, RecordFacts
from mapping.territories.rules import LoadedTerritories
from sync.companies import RepIndex
from sync.store.accounts import IDS_PER_QUERY
from sync.store.database import Database

_CASE_LIMIT = 16
"""Up to this many coded values a CASE expression; more go through a temporary lookup table."""
_EXACT_LIMIT = 2**53
"""Whole-number band limits SQLite compares exactly with stored integers and reals."""


class _Unlisted:
    """The value standing for every value no exact list of the file names."""

    def __repr__(self) -> str:
        return "<unlisted>"


UNLISTED = _Unlisted()


@dataclass
class _FieldPlan:
    name: str
    kind: str
    """`listed`, `bands` or `values`."""
    values: list[object]
    """`listed`: the listed values; `bands`: the sorted limits; `values`: filled by the scan."""


def _plan(rules: LoadedTerritories) -> list[_FieldPlan] | None:
    by_field: dict[str, list[FieldCriterion]] = {}
    for criterion in criteria_of(rules):
        if isinstance(criterion, FieldCriterion):
            by_field.setdefault(criterion.field, []).append(criterion)
    plans = []
    numeric = numeric_fields()
    for name in tested_fields(rules):
        tests = by_field.get(name, [])
        kind = field_kind(name)
        if kind == ATTRIBUTE and all(isinstance(c, OneOf) and c.exact for c in tests):
            listed = sorted({v for c in tests for v in c.values})  # type: ignore[attr-defined]
            if not all(isinstance(v, str) for v in listed):
                return None
            plans.append(_FieldPlan(name, "listed", list(listed)))
        elif kind == ATTRIBUTE and name in numeric and all(isinstance(c, Band) for c in tests):
            limits: set[int] = set()
            for c in tests:
                assert isinstance(c, Band)
                for limit in (c.low, c.high):
                    if limit is None:
                        continue
                    if limit != int(limit) or not -_EXACT_LIMIT < int(limit) < _EXACT_LIMIT:
                        return None
                    limits.add(int(limit))
            plans.append(_FieldPlan(name, "bands", list[object](sorted(limits))))
        elif kind == ATTRIBUTE and name in numeric:
            return None  # stored numbers would need the store's own conversion (Decimal)
        else:
            if '"' in name:
                return None
            plans.append(_FieldPlan(name, "values", []))
    return plans


def _value_sql(plan: _FieldPlan, alias: str) -> str:
    if field_kind(plan.name) == ATTRIBUTE:
        return f"{alias}.{plan.name}"
    return f"nullif({alias}.raw -> '$.\"{plan.name}\"', 'null')"


class _Sql:
    """The temporary code tables of one connection, and the joins that read them."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.tables: list[str] = []
        self.joins: list[str] = []

    def temp(self, name: str, columns: str, rows: Sequence[tuple[object, ...]]) -> str:
        # WITHOUT ROWID: a lookup is one search of the primary key's tree, which holds the code
        # (a rowid table's key is an index beside it: two searches a lookup, 4.3 s instead of
        # 3.4 s for every record's codes at 1,000,000 companies).
        table = f"temp.territory_columns_{name}"
        self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
        self.cursor.execute(f"CREATE TABLE {table} ({columns}) WITHOUT ROWID")
        marks = ", ".join("?" * len(rows[0])) if rows else ""
        if rows:
            self.cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        self.tables.append(table)
        return table

    def lookup(self, name: str, columns: str, rows: Sequence[tuple[object, ...]], on: str) -> str:
        """A temporary table joined to each record (`on`, with `{t}` for its alias): its alias."""
        table = self.temp(name, columns, rows)
        alias = f"t_{name}"
        self.joins.append(f"LEFT JOIN {table} {alias} ON {on.format(t=alias)}")
        return alias

    def drop(self) -> None:
        for table in self.tables:
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def code_sql(self, number: int, plan: _FieldPlan, value: str) -> str:
        """SQL giving the code of a record's value (-1 for none)."""
        if plan.kind == "bands":
            parts = [f"WHEN {value} IS NULL THEN -1"]
            parts += [f"WHEN {value} < {limit} THEN {i}" for i, limit in enumerate(plan.values)]
            return f"(CASE {' '.join(parts)} ELSE {len(plan.values)} END)"
        keys = plan.values
        other = len(keys)  # the unlisted value's code (listed fields only)
        unlisted = f"CASE WHEN {value} IS NULL THEN -1 ELSE {other} END"
        if len(keys) <= _CASE_LIMIT:
            parts = [f"WHEN {_literal(v)} THEN {i}" for i, v in enumerate(keys)]
            if not parts:
                return f"({unlisted})"
            return f"(CASE {value} {' '.join(parts)} ELSE ({unlisted}) END)"
        alias = self.lookup(
            f"f{number}",
            "v PRIMARY KEY, code INTEGER",
            list(zip(keys, range(len(keys)), strict=True)),
            f"{{t}}.v = {value}",
        )
        return f"coalesce({alias}.code, {unlisted})"


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return repr(int(value)) if value == int(value) else repr(float(value))
    raise TypeError(f"no SQL literal for {value!r}")


def load_company_columns(
    database: Database, reps: RepIndex, rules: LoadedTerritories
) -> CompanyColumns | None:
    """The live book in key order as columns (see the module docstring), or None where the
    columnar path does not apply."""
    if not database.is_sqlite or not applies(rules) or needs_extra(rules):
        return None
    plans = _plan(rules)
    if plans is None:
        return None
    if database.sqlite_path is None:
        # In memory: the database lives in one connection, which reads it all.
        connection = database.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("BEGIN")
            try:
                return _load([cursor, cursor], _first_read(cursor), reps, rules, plans)
            finally:
                connection.rollback()
        finally:
            connection.close()
    connections = [database.engine.raw_connection() for _ in range(_READERS + 1)]
    try:
        lock, *readers = connections
        cursors = [reader.cursor() for reader in readers]
        try:
            bounds = _take_snapshots(lock, cursors)
            return _load(cursors, bounds, reps, rules, plans)
        finally:
            for reader in readers:
                reader.rollback()
    finally:
        for connection in connections:
            connection.close()


_READERS = 2
"""Connections reading the book side by side (SQLite runs one statement a connection at a time;
Python's `sqlite3` lets other threads run while a statement does)."""


def _take_snapshots(lock: Any, cursors: Sequence[Any]) -> tuple[int, int]:
    """Start each cursor's read transaction on one state of the store, under the write lock;
    the range of account ids (0, -1 for none)."""
    lock_cursor = lock.cursor()
    lock_cursor.execute("BEGIN IMMEDIATE")  # waits for another writer (`busy_timeout`)
    try:
        for cursor in cursors:
            cursor.execute("BEGIN")
            bounds = _first_read(cursor)
    finally:
        lock.rollback()
    return bounds


def _first_read(cursor: Any) -> tuple[int, int]:
    """A read transaction's first read (which fixes what it sees): the range of account ids."""
    # Two subqueries: SQLite reads min() or max() alone from the end of the table, not both.
    low, high = cursor.execute(
        "SELECT (SELECT min(id) FROM accounts), (SELECT max(id) FROM accounts)"
    ).fetchone()
    return (0, -1) if low is None else (low, high)


def _raw_sql(names: Sequence[str], alias: str) -> str:
    """The record's raw fields of `names` as one JSON array (one parse of its raw JSON)."""
    paths = [f"'$.\"{name}\"'" for name in names]
    if len(paths) == 1:
        paths *= 2  # a single path would give the bare value, not an array
    return f"json_extract({alias}.raw, {', '.join(paths)})"


T = TypeVar("T")
U = TypeVar("U")


def _side_by_side(
    first: Callable[[], T], second: Callable[[], U], *, parallel: bool = True
) -> tuple[T, U]:
    """`first()` here and `second()` in another thread, at the same time (or one after the
    other, not `parallel`)."""
    if not parallel:
        return first(), second()
    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(second)
        return first(), later.result()


@dataclass
class _Coding:
    """What every connection codes accounts by."""

    plans: list[_FieldPlan]
    """The fields read from columns, in order."""
    raw_names: list[str]
    combos: dict[str, int]
    """The raw fields' combinations (JSON arrays) known so far, and their codes."""
    owners: list[tuple[str, int | None, int | None]]
    """Per CRM owner id: its owner's code as a Salesforce user id, as a HubSpot owner id."""
    named_domains: list[str]


def _distinct(cursor: Any, scanned: list[_FieldPlan]) -> None:
    """Fill the values of the fields coded by their distinct values (of live accounts)."""
    if not scanned:
        return
    columns = [_value_sql(p, "a") for p in scanned]
    distinct: list[set[object]] = [set() for _ in columns]
    query = f"SELECT DISTINCT {', '.join(columns)} FROM accounts a WHERE a.deleted = 0"
    for row in cursor.execute(query):
        for seen, value in zip(distinct, row, strict=True):
            if value is not None:
                seen.add(value)
    for plan, seen in zip(scanned, distinct, strict=True):
        plan.values = sorted(seen, key=lambda v: (type(v).__name__, v))


_SAMPLES = 16
_SAMPLE_IDS = 1_000
"""The raw fields' combinations are first read from `_SAMPLES` spread runs of `_SAMPLE_IDS`
accounts; a combination they miss is read again from the accounts of a part that has it."""


def _sampled_combos(cursor: Any, raw_names: list[str], bounds: tuple[int, int]) -> list[str]:
    """The raw fields' combinations of the sampled live accounts (ids within `bounds`), sorted."""
    low, high = bounds
    if not raw_names or high < low:
        return []
    step = max((high - low + 1) // _SAMPLES, _SAMPLE_IDS)
    query = (
        f"SELECT DISTINCT {_raw_sql(raw_names, 'a')} FROM accounts a "
        "WHERE a.id BETWEEN ? AND ? AND a.deleted = 0"
    )
    seen: set[str] = set()
    for start in range(low, high + 1, step):
        seen.update(text for (text,) in cursor.execute(query, (start, start + _SAMPLE_IDS - 1)))
    return sorted(seen)


_RECORD_COLUMNS = 5
"""Per account before its fields' codes: id, live, owner, named, raw combination."""
_UNKNOWN = -2
"""The code of a live account's raw combination the samples missed."""


class _RecordCoder:
    """One connection's temporary code tables, and its statement coding the accounts of a range
    of ids: per account in id order, its id, 1 if live (else 0), its owner's code, 1 if a named
    account may name it (else 0), its raw fields' combination's code (`_UNKNOWN` if the samples
    missed it), then each field's value's code."""

    def __init__(self, cursor: Any, coding: _Coding) -> None:
        self.cursor = cursor
        self.sql = sql = _Sql(cursor)
        # One lookup by owner id (two codes), not by (CRM, owner id): 0.61 s instead of 0.7-0.8
        # for 1,400,000 accounts.
        owner = sql.lookup(
            "owners",
            "owner_id TEXT PRIMARY KEY, salesforce INTEGER, hubspot INTEGER",
            coding.owners,
            "{t}.owner_id = a.owner_id",
        )
        owner_code = (
            f"coalesce(CASE a.source WHEN '{SALESFORCE}' THEN {owner}.salesforce "
            f"WHEN '{HUBSPOT}' THEN {owner}.hubspot END, -1)"
        )
        named = "0"
        if coding.named_domains:
            rows = [(v,) for v in coding.named_domains]
            domain = sql.lookup("named_domain", "v TEXT PRIMARY KEY", rows, "{t}.v = a.domain")
            named = f"({domain}.v IS NOT NULL)"
        self.unknown_query: str | None = None
        combo_code = "-1"
        if coding.raw_names:
            combo_on = f"{{t}}.v = {_raw_sql(coding.raw_names, 'a')}"
            combo = sql.lookup(
                "raw",
                "v TEXT PRIMARY KEY, code INTEGER",
                list(coding.combos.items()),
                combo_on,
            )
            combo_code = (
                f"coalesce({combo}.code, CASE WHEN a.deleted = 0 THEN {_UNKNOWN} ELSE -1 END)"
            )
            self.unknown_query = (
                f"SELECT a.id, {_raw_sql(coding.raw_names, 'a')} FROM accounts a "
                f"{sql.joins[-1]} WHERE a.id BETWEEN ? AND ? AND a.deleted = 0 "
                f"AND {combo}.code IS NULL"
            )
        codes = [
            "a.id",
            "a.deleted = 0",
            owner_code,
            named,
            combo_code,
        ]
        codes += [sql.code_sql(i, p, _value_sql(p, "a")) for i, p in enumerate(coding.plans)]
        aggregates = ", ".join(f"group_concat(c{i})" for i in range(len(codes)))
        selected = ", ".join(f"({c}) AS c{i}" for i, c in enumerate(codes))
        self.query = (
            f"SELECT count(*), {aggregates} FROM (SELECT {selected} FROM accounts a "
            f"{' '.join(sql.joins)} WHERE a.id BETWEEN ? AND ? ORDER BY a.id)"
        )

    def codes(self, low: int, high: int) -> tuple[list[Any], list[tuple[int, str]]]:
        """The columns of the accounts of ids `low` to `high`, and the (id, raw combination) of
        those whose combination the samples missed."""
        count, *texts = self.cursor.execute(self.query, (low, high)).fetchone()
        columns = _parsed(count, texts, {0})
        missed: list[tuple[int, str]] = []
        if self.unknown_query is not None and (columns[4] == _UNKNOWN).any():
            missed = self.cursor.execute(self.unknown_query, (low, high)).fetchall()
        return columns, missed

    def close(self) -> None:
        self.sql.drop()


_PARTS = 16
_PART_IDS = 4_096
"""The accounts are coded in `_PARTS` ranges of ids (of at least `_PART_IDS` ids), each taken by
whichever connection is free."""


def _parts(bounds: tuple[int, int]) -> list[tuple[int, int]]:
    low, high = bounds
    step = max(-(-(high - low + 1) // _PARTS), _PART_IDS)
    return [(start, min(start + step - 1, high)) for start in range(low, high + 1, step)]


def _parsed(count: int, texts: list[Any], id_columns: set[int]) -> list[Any]:
    """Each text of comma-separated integers as an array (64-bit for `id_columns`, else 32);
    each text is let go once parsed, so the texts and the arrays are not all held."""
    arrays: list[npt.NDArray[np.signedinteger[Any]]] = []
    for i in range(len(texts)):
        text, texts[i] = texts[i], None
        dtype = np.int64 if i in id_columns else np.int32
        arrays.append(
            np.fromstring(text, dtype=dtype, sep=",") if count else np.zeros(0, dtype=dtype)
        )
        del text
    return arrays


def _business_order(cursor: Any) -> tuple[Any, Any, Any]:
    """The store ids of every HubSpot company in key order, and of every Salesforce account and
    its linked company (-1 for none) in key order, deleted or not (the caller drops the deleted):
    read from the (source, external id) index and the links, not from the accounts' rows."""
    hubspot_query = (
        "SELECT count(*), group_concat(id) FROM (SELECT id FROM accounts "
        "WHERE source = 'hubspot' ORDER BY external_id)"
    )
    pairs = (
        "SELECT count(*), group_concat(sid), group_concat(hid), min(width), max(width) FROM ("
        "SELECT s.id AS sid, coalesce(h.id, -1) AS hid, length(s.external_id) AS width "
        "FROM accounts s LEFT JOIN company_links l ON l.salesforce_id = s.external_id "
        "LEFT JOIN accounts h ON h.source = 'hubspot' AND h.external_id = l.hubspot_id{live} "
        "WHERE s.source = 'salesforce' ORDER BY {order})"
    )
    count, text = cursor.execute(hubspot_query).fetchone()
    (hubspot,) = _parsed(count, [text], {0})
    count, *texts, narrowest, widest = cursor.execute(
        pairs.format(live="", order="s.external_id")
    ).fetchone()
    if narrowest != widest:
        # Keys sort by the key itself, which names the linked company only if it is live.
        order = "'s:' || s.external_id || coalesce('|hubspot:' || h.external_id, '')"
        count, *texts, _, _ = cursor.execute(
            pairs.format(live=" AND h.deleted = 0", order=order)
        ).fetchone()
    salesforce, linked = _parsed(count, texts, {0, 1})
    return hubspot, salesforce, linked


def _ids_of(cursor: Any, records: dict[str, list[str]]) -> Any:
    """The store ids of the accounts (live or not) of `records` (ids per CRM) there are."""
    found: list[int] = []
    for source, external_ids in records.items():
        # In lists of IDS_PER_QUERY: old SQLite builds take at most 999 parameters a statement.
        for start in range(0, len(external_ids), IDS_PER_QUERY):
            part = external_ids[start : start + IDS_PER_QUERY]
            query = (
                "SELECT id FROM accounts WHERE source = ? "
                f"AND external_id IN ({', '.join('?' * len(part))})"
            )
            found += [row[0] for row in cursor.execute(query, [source, *part])]
    return np.array(found, dtype=np.int64)


def _owner_rows(reps: RepIndex, owner_code: dict[str, int]) -> list[tuple[str, Any, Any]]:
    by_id: dict[str, dict[str, int]] = {}
    for (source, owner_id), email in reps.email_by_owner.items():
        by_id.setdefault(owner_id, {})[source] = owner_code[email]
    return [(o, codes.get(SALESFORCE), codes.get(HUBSPOT)) for o, codes in by_id.items()]


def _load(
    cursors: Sequence[Any],
    bounds: tuple[int, int],
    reps: RepIndex,
    rules: LoadedTerritories,
    plans: list[_FieldPlan],
) -> CompanyColumns:
    first_cursor, second_cursor = cursors
    raw_names = [p.name for p in plans if field_kind(p.name) != ATTRIBUTE]
    column_plans = [p for p in plans if field_kind(p.name) == ATTRIBUTE]
    _distinct(first_cursor, [p for p in column_plans if p.kind == "values"])
    owners = sorted(set(reps.email_by_owner.values()))
    owner_code = {email: code for code, email in enumerate(owners)}
    lookup = rules.named_lookup
    # Named domains are tested on each account (no index); named CRM ids are looked up in the
    # index (a test on each account cost 0.3 s at 1,400,000).
    named_ids = _ids_of(
        first_cursor,
        {SALESFORCE: list(lookup.by_salesforce_id), HUBSPOT: list(lookup.by_hubspot_id)},
    )
    sampled = _sampled_combos(first_cursor, raw_names, bounds)
    coding = _Coding(
        column_plans,
        raw_names,
        {text: code for code, text in enumerate(sampled)},
        _owner_rows(reps, owner_code),
        list(lookup.by_domain),
    )
    # The businesses' records on one connection while the other codes accounts, then both code
    # accounts a range of ids at a time.
    parts = _parts(bounds)
    coded: list[Any] = [None] * len(parts)
    taking = threading.Lock()
    untaken = iter(range(len(parts)))

    def code_parts(cursor: Any) -> None:
        coder = _RecordCoder(cursor, coding)
        try:
            while True:
                with taking:
                    part = next(untaken, None)
                if part is None:
                    return
                coded[part] = coder.codes(*parts[part])
        finally:
            coder.close()

    def order_then_code() -> tuple[Any, Any, Any]:
        order = _business_order(second_cursor)
        code_parts(second_cursor)
        return order

    _, (hubspot, salesforce, linked) = _side_by_side(
        lambda: code_parts(first_cursor),
        order_then_code,
        parallel=first_cursor is not second_cursor,  # else the first codes every part
    )
    width = _RECORD_COLUMNS + len(column_plans)
    records: list[Any] = []
    for i in range(width):
        # One more element, read by position -1: no record (not live, no code, not named).
        end = np.array([0 if i in (1, 3) else -1], dtype=np.int64 if i == 0 else np.int32)
        records.append(np.concatenate([*(columns[i] for columns, _ in coded), end]))
        for columns, _ in coded:
            columns[i] = None
    missed = [row for _, rows in coded for row in rows]
    coded.clear()
    ids, live = records[0][:-1], records[1]
    if len(ids) == 0 or ids[-1] - ids[0] + 1 == len(ids):
        start = ids[0] if len(ids) else 0

        def position(of: Any) -> Any:
            return of - start
    else:

        def position(of: Any) -> Any:
            return np.searchsorted(ids, of)

    combos = _combos(coding.combos, missed, records[4], position)
    records[3][position(named_ids)] = 1
    # Live Salesforce accounts in key order, with their live linked company (position -1: none).
    at = position(salesforce)
    kept = live[at] == 1
    at = at[kept]
    linked = linked[kept]
    linked_at = np.where(linked >= 0, position(np.maximum(linked, ids[0] if len(ids) else 0)), -1)
    linked_at = np.where(live[linked_at] == 1, linked_at, -1)
    linked = np.where(linked_at >= 0, linked, -1)
    # Live HubSpot companies linked to none of those, in key order (HubSpot keys come first).
    hubspot_at = position(hubspot)
    paired = np.zeros(len(live), dtype=bool)
    paired[linked_at[linked_at >= 0]] = True
    alone_at = hubspot_at[(live[hubspot_at] == 1) & ~paired[hubspot_at]]
    del paired, hubspot_at
    primary = rules.settings.primary_source
    single = linked_at < 0
    if primary == SALESFORCE:
        first, second = at, linked_at
    else:
        first, second = np.where(single, at, linked_at), np.where(single, -1, at)
    none = np.full(len(alone_at), -1, dtype=np.int64)
    first_at = np.concatenate([alone_at, first])
    second_at = np.concatenate([none, second])
    del first, second
    sf_code, hs_code = SOURCE_CODE[SALESFORCE], SOURCE_CODE[HUBSPOT]
    other_code = hs_code if primary == SALESFORCE else sf_code
    source = np.concatenate(
        [np.full(len(alone_at), hs_code), np.where(single, sf_code, SOURCE_CODE[primary])]
    ).astype(np.int8)
    other = np.concatenate([none, np.where(single, -1, other_code)]).astype(np.int8)
    record_ids = np.stack(
        [np.concatenate([records[0][alone_at], salesforce[kept]]), np.concatenate([none, linked])],
        axis=1,
    )
    del alone_at, at, linked_at, linked, salesforce, hubspot, kept, none, single

    def merged(column: int) -> Any:
        mine = records[column][first_at]
        return np.where(mine >= 0, mine, records[column][second_at])

    named_rows = records[3][first_at] | records[3][second_at]
    flagged_rows = np.flatnonzero(named_rows).tolist()
    flagged_ids = record_ids[flagged_rows, 0].tolist()
    del named_rows
    identified = _identified(first_cursor, reps, flagged_ids, flagged_rows, primary)
    values = {}
    for i, plan in enumerate(column_plans):
        categories: list[object]
        if plan.kind == "listed":
            categories = [*plan.values, UNLISTED]
        elif plan.kind == "bands":
            limits = plan.values
            categories = [limits[0] - 1, *limits] if limits else [0]  # type: ignore[operator]
        else:
            categories = list(plan.values)
        values[plan.name] = FieldColumn(merged(_RECORD_COLUMNS + i), categories)
        records[_RECORD_COLUMNS + i] = None
    combo = records[4]
    values.update(_merged_raw(raw_names, combos, combo[first_at], combo[second_at]))
    return CompanyColumns(
        order=np.arange(len(first_at), dtype=np.int64),
        source=source,
        other=other,
        owner=records[2][first_at],
        other_owner=records[2][second_at],
        owners=owners,
        values=values,
        identified=identified,
        record_ids=record_ids,
    )


def _combos(
    known: dict[str, int], missed: list[tuple[int, str]], codes: Any, position: Any
) -> list[str]:
    """Every live account's raw combination, sorted; `codes` (per account) recoded to match."""
    found = dict(known)
    if missed:
        ids = np.array([record_id for record_id, _ in missed], dtype=np.int64)
        codes[position(ids)] = [found.setdefault(text, len(found)) for _, text in missed]
    combos = sorted(found)
    recode = np.zeros(len(found) + 1, dtype=np.int32)
    recode[[found[text] for text in combos]] = np.arange(len(combos), dtype=np.int32)
    recode[-1] = -1
    codes[:] = recode[codes]
    return combos


def _merged_raw(
    names: Sequence[str], combos: Sequence[str], first: Any, second: Any
) -> dict[str, FieldColumn]:
    """Each raw field's merged value codes, from the records' codes of their raw values."""
    decoded = [json.loads(text) for text in combos]
    merged = {}
    for position, name in enumerate(names):
        column = encode(values[position] for values in decoded)
        per_combo = np.append(column.codes, np.int32(-1))  # code -1 (no record) reads the last
        mine = per_combo[first]
        merged[name] = FieldColumn(
            np.where(mine >= 0, mine, per_combo[second]).astype(np.int32), column.categories
        )
    return merged


def _identified(
    cursor: Any, reps: RepIndex, ids: list[int], rows: list[int], primary: str
) -> dict[int, tuple[RecordFacts, RecordFacts | None]]:
    """The records of the flagged businesses (by the id of their first record), primary first."""
    if not ids:
        return {}
    found: dict[int, tuple[RecordFacts, RecordFacts | None]] = {}
    query = (
        "SELECT a.id, a.source, a.external_id, a.domain, a.owner_id, "
        "h.source, h.external_id, h.domain, h.owner_id FROM accounts a "
        "LEFT JOIN company_links l ON a.source = 'salesforce' AND l.salesforce_id = a.external_id "
        "LEFT JOIN accounts h ON h.source = 'hubspot' AND h.external_id = l.hubspot_id "
        "AND h.deleted = 0 WHERE a.id IN ({marks})"
    )
    by_id = {}
    # In lists of IDS_PER_QUERY: old SQLite builds take at most 999 parameters a statement.
    rows_read = (
        row
        for start in range(0, len(ids), IDS_PER_QUERY)
        for part in [ids[start : start + IDS_PER_QUERY]]
        for row in cursor.execute(query.format(marks=", ".join("?" * len(part))), part)
    )
    for row in rows_read:
        records = [
            RecordFacts(
                source=row[i],
                external_id=row[i + 1],
                domain=row[i + 2],
                current_owner_email=reps.email_of(row[i], row[i + 3]),
            )
            for i in (1, 5)
            if row[i] is not None
        ]
        if len(records) == 2 and records[0].source != primary:
            records.reverse()
        by_id[row[0]] = (records[0], records[1] if len(records) == 2 else None)
    for row, record_id in zip(rows, ids, strict=True):
        found[row] = by_id[record_id]
    return found
