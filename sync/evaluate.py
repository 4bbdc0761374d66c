"""Evaluate a territory file over the stored accounts: the one path used by runs, balance and
explain, so all three see the same companies, reps and rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapping.territories.engine import Evaluation, evaluate
from mapping.territories.loader import load_territory_file
from mapping.territories.rules import LoadedTerritories
from sync.companies import CompanyBook, RepIndex, load_companies, load_rep_index
from sync.store.database import Database
from territory_sync.settings import Settings


def known_raw_fields(settings: Settings) -> list[str]:
    """The raw CRM fields territory files may test: the custom fields the pulls bring in."""
    return [
        "Type",
        "Do_Not_Reassign__c",
        "lifecyclestage",
        "do_not_reassign",
        *settings.salesforce.account_fields,
        *settings.hubspot.extra_properties,
    ]


def load_rules(
    settings: Settings, reps: RepIndex | None, territory_file: str | Path | None = None
) -> LoadedTerritories:
    path = Path(territory_file) if territory_file else settings.territory_file
    return load_territory_file(
        path,
        known_reps=reps.directory if reps and reps.directory else None,
        known_fields=known_raw_fields(settings),
    )


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
    book = book or load_companies(database, reps, known_raw_fields(settings))
    return StoreEvaluation(rules, reps, book, evaluate(book.companies, rules, reps.directory))
