"""Evaluate a territory file over the stored accounts: the one path used by runs, balance and
explain, so all three see the same companies, reps and rules (`evaluate_account`: over one
company, for a page about one account). `balance_store` and `what_if_store` are the balance and
the what-if that the command line and the console both show.

The territory file may test any raw CRM field; which ones exist is the CRMs' business (a run pulls
them, see `sync.pull_fields`), so no field name is known here in advance. Only the raw fields the
file uses are loaded from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapping.territories.balance import BalanceReport, WhatIfReport, balance_report, what_if
from mapping.territories.columnar import ColumnarEvaluation, evaluate_columns
from mapping.territories.engine import Evaluation, evaluate
from mapping.territories.loader import load_territory_file
from mapping.territories.rules import LoadedTerritories
from sync.companies import CompanyBook, RepIndex, load_companies, load_company, load_rep_index
from sync.company_columns import load_company_columns
from sync.store.database import Database
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
) -> StoreEvaluation:
    reps = reps or load_rep_index(database)
    rules = load_rules(settings, reps, territory_file)
    book = book or load_companies(database, reps, rules.raw_fields)
    return StoreEvaluation(rules, reps, book, evaluate(book.companies, rules, reps.directory))


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


def evaluate_account(
    settings: Settings, database: Database, source: str, external_id: str
) -> StoreEvaluation:
    """The same evaluation, over the one company a record belongs to (its book holds that company
    alone, or nothing when neither of its records is live). Territories, holdouts, named accounts
    and sticky owners come out as a full run decides them; a rep dealt by balancing or capacity
    is the one this company alone would get, since those depend on every account's placement."""
    reps = load_rep_index(database)
    rules = load_rules(settings, reps)
    book = load_company(database, reps, source, external_id, rules.raw_fields)
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
    book = load_companies(database, reps, {*current.raw_fields, *proposed.raw_fields})
    return what_if(current, proposed, book.companies, reps.directory)
