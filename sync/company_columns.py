"""Load the book as columns for the columnar engine, straight from a SQLite store.

`sync.companies.load_companies` builds a `CompanyFacts` per business through SQLAlchemy rows, the
path explain and what-if keep. A nightly run over a million accounts only needs, per business,
integer codes: the CRMs of its records, their owners, and each value the territory file tests,
merged the way the engine reads it (the primary record's value, else the other record's). Here
SQLite computes those codes itself and hands them over as one text of comma-separated integers
per column, which numpy parses without a Python object per value:

- a field tested only by exact lists (`country`, `region`, `industry`) is coded by the listed
  values (every other value behaves alike: listed nowhere);
- a numeric column tested only by bands with whole-number limits is coded by band: the value's
  position among all the limits (SQLite compares the stored number with each limit);
- any other field (raw CRM fields, read from the JSON text with SQLite's `->`) is coded by its
  distinct values, read first in the same transaction and decoded as the store decodes JSON.

Businesses come out in key order: unlinked HubSpot companies, then Salesforce accounts with their
linked company, each walking the (source, external id) unique index, so the rank of a key is its
row. That holds when all Salesforce ids have one length (as the API's 18-character ids do);
otherwise SQLite sorts by the key itself. The businesses a named account may match (by domain or
CRM id) are flagged by SQLite and read back as records. Each row also carries the store ids of its
records (`CompanyColumns.record_ids`), so its facts can be read back a chunk at a time
(`sync.companies.companies_by_record_ids`).

Returns None where this does not apply (another database, a file the columnar engine does not
evaluate, a field it cannot code); callers then use `load_companies` and the reference engine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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


def _merged_sql(plan: _FieldPlan, first: str, second: str | None) -> str:
    if second is None:
        return _value_sql(plan, first)
    return f"coalesce({_value_sql(plan, first)}, {_value_sql(plan, second)})"


class _Sql:
    """The statements of one load, and the temporary tables they read."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.tables: list[str] = []
        self.texts: dict[int, list[object]] = {}
        """Per field coded by its distinct values: those values as SQLite gives them."""

    def temp(self, name: str, columns: str, rows: Sequence[tuple[object, ...]]) -> str:
        table = f"temp.territory_columns_{name}"
        self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
        self.cursor.execute(f"CREATE TABLE {table} ({columns})")
        marks = ", ".join("?" * len(rows[0])) if rows else ""
        if rows:
            self.cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        self.tables.append(table)
        return table

    def drop(self) -> None:
        for table in self.tables:
            self.cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def code_sql(self, number: int, plan: _FieldPlan, merged: str) -> str:
        """SQL giving the code of a merged value (-1 for none)."""
        if plan.kind == "bands":
            parts = [f"WHEN {merged} IS NULL THEN -1"]
            parts += [f"WHEN {merged} < {limit} THEN {i}" for i, limit in enumerate(plan.values)]
            return f"(CASE {' '.join(parts)} ELSE {len(plan.values)} END)"
        keys = plan.values if plan.kind == "listed" else self.texts[number]
        other = len(keys)  # the unlisted value's code (listed fields only)
        if len(keys) <= _CASE_LIMIT:
            # The value is computed once for a listed value, twice for another or none.
            parts = [f"WHEN {_literal(v)} THEN {i}" for i, v in enumerate(keys)]
            unlisted = f"CASE WHEN {merged} IS NULL THEN -1 ELSE {other} END"
            if not parts:
                return f"({unlisted})"
            return f"(CASE {merged} {' '.join(parts)} ELSE ({unlisted}) END)"
        table = self.temp(
            f"f{number}",
            "v PRIMARY KEY, code INTEGER",
            list(zip(keys, range(len(keys)), strict=True)),
        )
        return (
            f"coalesce((SELECT code FROM {table} WHERE v = {merged}), "
            f"CASE WHEN {merged} IS NULL THEN -1 ELSE {other} END)"
        )


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
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        try:
            return _load(cursor, reps, rules, plans)
        finally:
            raw.rollback()
    finally:
        raw.close()


def _raw_sql(names: Sequence[str], alias: str) -> str:
    """The record's raw fields of `names` as one JSON array (one parse of its raw JSON)."""
    paths = [f"'$.\"{name}\"'" for name in names]
    if len(paths) == 1:
        paths *= 2  # a single path would give the bare value, not an array
    return f"json_extract({alias}.raw, {', '.join(paths)})"


def _load(
    cursor: Any, reps: RepIndex, rules: LoadedTerritories, plans: list[_FieldPlan]
) -> CompanyColumns | None:
    sql = _Sql(cursor)
    raw_plans = [p for p in plans if field_kind(p.name) != ATTRIBUTE]
    raw_names = [p.name for p in raw_plans]
    column_plans = [p for p in plans if field_kind(p.name) == ATTRIBUTE]
    scanned = [(i, p) for i, p in enumerate(column_plans) if p.kind == "values"]
    combos: list[str] = []
    if scanned or raw_names:
        columns = [_value_sql(p, "a") for _, p in scanned]
        if raw_names:
            columns.append(_raw_sql(raw_names, "a"))
        distinct: list[set[object]] = [set() for _ in columns]
        query = f"SELECT DISTINCT {', '.join(columns)} FROM accounts a WHERE a.deleted = 0"
        for row in cursor.execute(query):
            for seen, value in zip(distinct, row, strict=True):
                if value is not None:
                    seen.add(value)
        for (number, plan), seen in zip(scanned, distinct[: len(scanned)], strict=True):
            texts = sorted(seen, key=lambda v: (type(v).__name__, v))
            sql.texts[number] = texts
            plan.values = list(texts)
        if raw_names:
            combos = sorted(distinct[-1])  # type: ignore[arg-type]
    combo_table = (
        sql.temp("raw", "v TEXT PRIMARY KEY, code INTEGER", [(t, n) for n, t in enumerate(combos)])
        if combos
        else None
    )

    owners = sorted(set(reps.email_by_owner.values()))
    owner_code = {email: code for code, email in enumerate(owners)}
    owner_table = sql.temp(
        "owners",
        "source TEXT, owner_id TEXT, code INTEGER, PRIMARY KEY (source, owner_id)",
        [(s, o, owner_code[e]) for (s, o), e in reps.email_by_owner.items()],
    )
    lookup = rules.named_lookup
    named_tables = {}
    for what, identifiers in (
        ("domain", list(lookup.by_domain)),
        ("salesforce", list(lookup.by_salesforce_id)),
        ("hubspot", list(lookup.by_hubspot_id)),
    ):
        if identifiers:
            named_tables[what] = sql.temp(
                f"named_{what}", "v TEXT PRIMARY KEY", [(v,) for v in identifiers]
            )

    primary = rules.settings.primary_source

    def owner_sql(alias: str) -> str:
        return (
            f"coalesce((SELECT code FROM {owner_table} o WHERE o.source = {alias}.source "
            f"AND o.owner_id = {alias}.owner_id), -1)"
        )

    def combo_sql(alias: str) -> str:
        if combo_table is None:
            return "-1"
        return (
            f"coalesce((SELECT code FROM {combo_table} WHERE v = {_raw_sql(raw_names, alias)}), -1)"
        )

    def flag_sql(aliases: Sequence[tuple[str, str]]) -> str:
        tests = []
        for alias, source in aliases:
            if "domain" in named_tables:
                tests.append(f"{alias}.domain IN (SELECT v FROM {named_tables['domain']})")
            if source in named_tables:
                tests.append(f"{alias}.external_id IN (SELECT v FROM {named_tables[source]})")
        return f"coalesce({' OR '.join(tests)}, 0)" if tests else "0"

    sf_code, hs_code = SOURCE_CODE[SALESFORCE], SOURCE_CODE[HUBSPOT]
    # Unlinked HubSpot companies (key order is HubSpot id order).
    lone_from = (
        "FROM accounts h WHERE h.source = 'hubspot' AND h.deleted = 0 AND NOT EXISTS ("
        "SELECT 1 FROM company_links l JOIN accounts s ON s.source = 'salesforce' "
        "AND s.external_id = l.salesforce_id AND s.deleted = 0 WHERE l.hubspot_id = h.external_id)"
    )
    lone_order = "ORDER BY h.external_id"
    lone_flag = flag_sql([("h", HUBSPOT)])
    lone_codes = [
        f"{hs_code}",
        "-1",
        owner_sql("h"),
        "-1",
        f"(CASE WHEN {lone_flag} THEN h.id ELSE 0 END)",
        combo_sql("h"),
        "-1",
    ]
    lone_codes += [
        sql.code_sql(i, p, _merged_sql(p, "h", None)) for i, p in enumerate(column_plans)
    ]
    lone_codes += ["h.id", "-1"]
    # Salesforce accounts and their linked company.
    first, second = ("s", "h") if primary == SALESFORCE else ("h", "s")
    pair_from = (
        "FROM accounts s LEFT JOIN company_links l ON l.salesforce_id = s.external_id "
        "LEFT JOIN accounts h ON h.source = 'hubspot' AND h.external_id = l.hubspot_id "
        "AND h.deleted = 0 WHERE s.source = 'salesforce' AND s.deleted = 0"
    )
    lengths = cursor.execute(
        "SELECT min(length(external_id)), max(length(external_id)) FROM accounts "
        "WHERE source = 'salesforce'"
    ).fetchone()
    if lengths[0] == lengths[1]:
        pair_order = "ORDER BY s.external_id"
    else:
        pair_order = "ORDER BY 's:' || s.external_id || coalesce('|hubspot:' || h.external_id, '')"
    alone = "h.id IS NULL"
    pair_codes = [
        f"(CASE WHEN {alone} THEN {sf_code} ELSE {SOURCE_CODE[primary]} END)",
        f"(CASE WHEN {alone} THEN -1 ELSE {hs_code if primary == SALESFORCE else sf_code} END)",
        f"(CASE WHEN {alone} THEN {owner_sql('s')} ELSE {owner_sql(first)} END)",
        f"(CASE WHEN {alone} THEN -1 ELSE {owner_sql(second)} END)",
        f"(CASE WHEN {flag_sql([('s', SALESFORCE), ('h', HUBSPOT)])} THEN s.id ELSE 0 END)",
        f"(CASE WHEN {alone} THEN {combo_sql('s')} ELSE {combo_sql(first)} END)",
        f"(CASE WHEN {alone} THEN -1 ELSE {combo_sql(second)} END)",
    ]
    for i, p in enumerate(column_plans):
        single = sql.code_sql(i, p, _merged_sql(p, "s", None))
        both = sql.code_sql(i, p, _merged_sql(p, first, second))
        pair_codes.append(f"(CASE WHEN {alone} THEN {single} ELSE {both} END)")
    pair_codes += ["s.id", "coalesce(h.id, -1)"]

    width = 9 + len(column_plans)
    # Store ids (the flags and the records' ids) as 64-bit integers; codes as 32-bit, which
    # halves what the columns hold while they are parsed and joined (49 MiB at 200,000 accounts
    # per CRM with every column 64-bit).
    id_columns = {4, width - 2, width - 1}
    parts: list[list[npt.NDArray[np.signedinteger[Any]]]] = []
    for codes, from_, order in (
        (lone_codes, lone_from, lone_order),
        (pair_codes, pair_from, pair_order),
    ):
        # One text per column: SQLite appends each integer once, numpy parses each text (and
        # each text is let go once parsed, so the texts and the arrays are not all held).
        aggregates = ", ".join(f"group_concat(c{i})" for i in range(len(codes)))
        selected = ", ".join(f"({c}) AS c{i}" for i, c in enumerate(codes))
        count, *texts = cursor.execute(
            f"SELECT count(*), {aggregates} FROM (SELECT {selected} {from_} {order})"
        ).fetchone()
        part: list[npt.NDArray[np.signedinteger[Any]]] = []
        for i in range(width):
            text, texts[i] = texts[i], None
            dtype = np.int64 if i in id_columns else np.int32
            part.append(
                np.fromstring(text, dtype=dtype, sep=",") if count else np.zeros(0, dtype=dtype)
            )
            del text
        parts.append(part)

    def column(i: int) -> Any:
        return np.concatenate([part[i] for part in parts])

    flags = column(4)
    flagged_rows = np.flatnonzero(flags).tolist()
    flagged_ids = flags[flagged_rows].tolist()
    rows = len(flags)
    del flags
    identified = _identified(cursor, reps, flagged_ids, flagged_rows, primary)
    sql.drop()
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
        values[plan.name] = FieldColumn(column(7 + i), categories)
    values.update(_merged_raw(raw_names, combos, column(5), column(6)))
    return CompanyColumns(
        order=np.arange(rows, dtype=np.int64),
        source=column(0).astype(np.int8),
        other=column(1).astype(np.int8),
        owner=column(2),
        other_owner=column(3),
        owners=owners,
        values=values,
        identified=identified,
        record_ids=np.stack([column(width - 2), column(width - 1)], axis=1),
    )


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
