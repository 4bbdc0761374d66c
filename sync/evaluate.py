"""Evaluate a territory file over the stored accounts: the one path used by runs, balance and
explain, so all three see the same companies, reps and rules (`evaluate_account`: over one
company, for a page about one account). `balance_store` and `what_if_store` are the balance and
the what-if that the command line and the console both show. A run evaluates through
`evaluate_for_run`: the columnar engine where it applies (the same decisions, without holding the
book), else the reference engine; explain, balance and what-if keep the reference engine.

The territory file may test any raw CRM field; which ones exist is the CRMs' business (a run pulls
them, see `sync.pull_fields`), so no field name is known here in advance. Only the raw fields the
file uses are loaded from the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import numpy as np

from mapping.territories.assignment import Assignment
from mapping.territories.balance import (
    BalanceReport,
    TradeOffPoint,
    WhatIfReport,
    balance_report,
    trade_off,
    what_if,
)
from mapping.territories.checks import territories_without_active_member
from mapping.territories.columnar import ColumnarEvaluation, evaluate_columns
from mapping.territories.engine import Evaluation, evaluate
from mapping.territories.facts import SOURCES, CompanyFacts
from mapping.territories.loader import load_territory_file
from mapping.territories.rebalance import RebalanceOutcome
from mapping.territories.rules import LoadedTerritories
from sync.companies import (
    CompanyBook,
    RepIndex,
    companies_by_record_ids,
    load_companies,
    load_company,
    load_rep_index,
    store_ids_of,
)
from sync.company_columns import load_company_columns
from sync.planner import Planner
from sync.store.database import Database
from territory_sync.errors import ConfigurationError, InternalError
from territory_sync.settings import Settings


def load_rules(
    settings: Settings, reps: RepIndex | None, territory_file: str | Path | None = None
) -> LoadedTerritories:
    path = Path(territory_file) if territory_file else settings.territory_file
    return load_territory_file(path, known_reps=reps.directory if reps and reps.directory else None)


@dataclass
class StoreEvaluation:
    rules: LoadedTerritories
    reps: RepIndex
    book: CompanyBook
    evaluation: Evaluation


def evaluate_store(
    settings: Settings,
    database: Database,
    territory_file: str | Path | None = None,
    *,
    reps: RepIndex | None = None,
    book: CompanyBook | None = None,
    rules: LoadedTerritories | None = None,
) -> StoreEvaluation:
    reps = reps or load_rep_index(database)
    rules = rules or load_rules(settings, reps, territory_file)
    book = book or load_companies(database, reps, rules.raw_fields, first_touch=_first_touch(rules))
    return StoreEvaluation(rules, reps, book, evaluate(book.companies, rules, reps.directory))


def _first_touch(rules: LoadedTerritories) -> bool:
    """The file decides overlaps by first touch: the book needs each account's earliest
    opportunity."""
    return rules.settings.first_touch_at is not None


def decide_store(
    database: Database, rules: LoadedTerritories, reps: RepIndex | None = None
) -> ColumnarEvaluation | None:
    """Every stored business's decisions by the columnar engine, rows in key order; None when
    the columnar path does not apply (use `evaluate_store`)."""
    reps = reps or load_rep_index(database)
    columns = load_company_columns(database, reps, rules)
    if columns is None:
        return None
    return evaluate_columns(columns, rules, reps.directory)


CHUNK = 5_000
"""Businesses whose facts a run reads back and plans at a time on the columnar path (only those
whose owners may change)."""

Decided = tuple[Mapping[tuple[str, str], str | None], Iterable[tuple[CompanyFacts, Assignment]]]
"""A part of the book as a run plans it: each record's CRM owner id, and each business with its
assignment."""


@dataclass
class RunEvaluation:
    """A run's evaluation of the stored book, handed to the planner a part at a time (`parts`).

    Where the columnar engine applies (`decide_store`), it decides the whole book at once as
    arrays; the planner counts the businesses whose records all keep their owners from them
    (`Planner.rows_to_plan`), and the others' `CompanyFacts` are read back from the store by the
    ids of their records, `CHUNK` businesses at a time: the book is never held whole. Elsewhere
    (PostgreSQL, a file the columnar engine does not evaluate) the reference engine evaluates
    the whole book, handed on as one part. Either way businesses come in key order, so both
    paths plan the same changes in the same order, with the same figures."""

    rules: LoadedTerritories
    reps: RepIndex
    decisions: ColumnarEvaluation | None
    reference: StoreEvaluation | None
    database: Database
    chunk: int = CHUNK

    @property
    def columnar(self) -> bool:
        return self.decisions is not None

    @property
    def rebalanced(self) -> RebalanceOutcome | None:
        """What balancing did (only the reference engine balances: see `columnar.applies`)."""
        return self.reference.evaluation.rebalanced if self.reference is not None else None

    def territories_without_active_member(self) -> dict[str, list[str]]:
        return territories_without_active_member(
            self.rules.territories.values(), self.reps.directory
        )

    def parts(self, planner: Planner) -> Iterator[Decided]:
        """The book for `planner.changes`, a part at a time. On the columnar path only the
        rows `planner.rows_to_plan` asks for are read back (`chunk` at a time); it counts the
        others, whose records all keep their owner, from the arrays."""
        if self.reference is not None:
            book = self.reference.book
            yield (
                book.owner_ids,
                zip(book.companies, self.reference.evaluation.assignments, strict=True),
            )
            return
        decisions = self.decisions
        assert decisions is not None
        record_ids = decisions.columns.record_ids
        if record_ids is None:
            raise InternalError("the columnar book carries no record ids; nothing was written")
        held = store_ids_of(self.database, planner.marked_records())
        marked = np.asarray(np.isin(record_ids, held).any(axis=1), dtype=np.bool_)
        candidates = None
        if planner.scope.candidates is not None:  # a quick assignment: only its records' rows
            chosen = store_ids_of(self.database, planner.scope.candidates)
            candidates = np.asarray(np.isin(record_ids, chosen).any(axis=1), dtype=np.bool_)
        given = planner.rows_to_plan(decisions, marked, candidates)
        previous = ""
        for start in range(0, len(given), self.chunk):
            rows = given[start : start + self.chunk].tolist()
            pairs = [(int(first), int(second)) for first, second in record_ids[rows]]
            book = companies_by_record_ids(self.database, self.reps, pairs, self.rules.raw_fields)
            decided = []
            for row, company in zip(rows, book.companies, strict=True):
                previous = _check_row(decisions, row, company, previous)
                assignment = decisions.assignment(row)
                assignment.key = company.key
                decided.append((company, assignment))
            yield book.owner_ids, decided


def _check_row(
    decisions: ColumnarEvaluation, row: int, company: CompanyFacts, previous: str
) -> str:
    """The company read back for a columnar row is that row's business (its CRMs) and comes
    after the row before it in key order, the order the columnar engine dealt in; its key."""
    columns = decisions.columns
    other = int(columns.other[row])
    crms = {SOURCES[int(columns.source[row])], *([SOURCES[other]] if other >= 0 else [])}
    if {record.source for record in company.records} != crms or company.key <= previous:
        raise InternalError(
            f"the columnar engine's row {row} does not line up with business {company.key} "
            f"read back from the store (after {previous or 'none'}); nothing was written. "
            "Report this with the store's database file"
        )
    return company.key


def evaluate_for_run(
    settings: Settings, database: Database, territory_file: str | Path | None = None
) -> RunEvaluation:
    """The book's decisions for a run: the columnar engine where it applies, else the
    reference (see `RunEvaluation`)."""
    reps = load_rep_index(database)
    rules = load_rules(settings, reps, territory_file)
    decisions = decide_store(database, rules, reps)
    if decisions is not None:
        return RunEvaluation(rules, reps, decisions, None, database, CHUNK)
    book = load_companies(database, reps, rules.raw_fields, first_touch=_first_touch(rules))
    book.companies.sort(key=attrgetter("key"))  # planned in key order, as the columnar path
    reference = evaluate_store(settings, database, reps=reps, book=book, rules=rules)
    return RunEvaluation(rules, reps, None, reference, database)


def evaluate_account(
    settings: Settings, database: Database, source: str, external_id: str
) -> StoreEvaluation:
    """The same evaluation, over the one company a record belongs to (its book holds that company
    alone, or nothing when neither of its records is live). Territories, holdouts, named accounts
    and sticky owners come out as a full run decides them; a rep dealt by balancing or capacity
    is the one this company alone would get, since those depend on every account's placement."""
    reps = load_rep_index(database)
    rules = load_rules(settings, reps)
    book = load_company(
        database, reps, source, external_id, rules.raw_fields, first_touch=_first_touch(rules)
    )
    return StoreEvaluation(rules, reps, book, evaluate(book.companies, rules, reps.directory))


def balance_store(settings: Settings, database: Database) -> BalanceReport:
    """The stored book's balance as the territory file places it."""
    current = evaluate_store(settings, database)
    return balance_report(current.book.companies, current.evaluation)


def what_if_store(
    settings: Settings, database: Database, proposed_file: str | Path
) -> WhatIfReport:
    """What adopting `proposed_file` instead of the configured territory file would change in
    the stored book; nothing is written. The book carries the raw fields either file tests."""
    reps = load_rep_index(database)
    current = load_rules(settings, reps)
    proposed = load_rules(settings, reps, proposed_file)
    book = load_companies(
        database,
        reps,
        {*current.raw_fields, *proposed.raw_fields},
        first_touch=_first_touch(current) or _first_touch(proposed),
    )
    return what_if(current, proposed, book.companies, reps.directory)


def trade_off_store(
    settings: Settings, database: Database, proposed_file: str | Path, caps: Sequence[int]
) -> list[TradeOffPoint]:
    """The what-if of `proposed_file` (which turns balancing on) under each move cap."""
    reps = load_rep_index(database)
    current = load_rules(settings, reps)
    proposed = load_rules(settings, reps, proposed_file)
    if proposed.settings.balancing is None:
        raise ConfigurationError(
            f"{proposed.source_name} does not turn balancing on, so there is no move cap to "
            "compare: add settings.balancing (territory-sync init --example balanced writes one)"
        )
    book = load_companies(
        database,
        reps,
        {*current.raw_fields, *proposed.raw_fields},
        first_touch=_first_touch(current) or _first_touch(proposed),
    )
    return trade_off(current, proposed, book.companies, reps.directory, caps)
