"""The columnar engine decides exactly what the reference engine decides, on every business.

Books and files are drawn as in `test_properties` (overlaps, ties, holdouts, named accounts,
capacities, orphans, reps inactive in one CRM); the files balance by accounts, which is what the
columnar engine evaluates. A second world has every rep active in both CRMs, so that the
vectorised rep choice (not the per-territory fallback to the reference) decides almost
everything.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from mapping.territories import CompanyFacts, LoadedTerritories, RepDirectoryEntry, evaluate
from mapping.territories.assignment import Assignment
from mapping.territories.columnar import applies, evaluate_columns
from mapping.territories.columns import columns_from_companies
from mapping.territories.facts import SOURCES
from tests.mapping.territories.support import directory, load
from tests.mapping.territories.test_properties import (
    EVERYONE,
    PROFILE,
    REPS,
    books,
    loaded,
    territory_files,
)

EVERYONE_ACTIVE = directory(*EVERYONE)


def by_accounts(text: str) -> str:
    document = yaml.safe_load(text)
    document.get("settings", {}).pop("balance_by", None)
    return yaml.safe_dump(document, sort_keys=False)


def decision(a: Assignment) -> tuple[Any, ...]:
    split = a.split
    return (
        a.territory,
        a.territory_rule,
        a.note,
        a.rep_email,
        a.rep_rule,
        a.previous_owner,
        a.rep_note,
        tuple((s, a.rep_for(s), a.rep_rule_for(s)) for s in SOURCES),
        None
        if split is None
        else (split.source, split.rep_email, split.rep_rule, split.why, split.note),
        a.reason,
    )


def both_engines(
    book: list[CompanyFacts], rules: LoadedTerritories, reps: dict[str, RepDirectoryEntry]
) -> tuple[dict[str, Any], dict[str, Any]]:
    reference = {a.key: decision(a) for a in evaluate(book, rules, reps)}
    fast = evaluate_columns(columns_from_companies(book, rules), rules, reps)
    columnar = {a.key: decision(a) for a in fast.assignments()}
    return reference, columnar


@PROFILE
@given(territory_files(), books())
def test_columnar_decisions_match_the_reference_engine(text: str, book: list[CompanyFacts]) -> None:
    rules = loaded(by_accounts(text))
    reference, columnar = both_engines(book, rules, REPS)
    assert columnar == reference


@PROFILE
@given(territory_files(), books())
def test_columnar_decisions_match_the_reference_with_every_rep_active(
    text: str, book: list[CompanyFacts]
) -> None:
    rules = loaded(by_accounts(text))
    reference, columnar = both_engines(book, rules, EVERYONE_ACTIVE)
    assert columnar == reference


@PROFILE
@given(territory_files(), books(), st.data())
def test_member_loads_match_the_reference_engine(
    text: str, book: list[CompanyFacts], data: st.DataObject
) -> None:
    rules = loaded(by_accounts(text))
    reps = data.draw(st.sampled_from([REPS, EVERYONE_ACTIVE]))
    reference = evaluate(book, rules, reps)
    fast = evaluate_columns(columns_from_companies(book, rules), rules, reps).evaluation()
    for name in rules.territories:
        assert fast.member_loads(name) == reference.member_loads(name)
    assert fast.summary == reference.summary


def test_balancing_by_revenue_is_left_to_the_reference_engine() -> None:
    rules = load(
        """
        version: 1
        settings: {balance_by: revenue}
        territories:
          - name: US
            criteria: {country: [US]}
        """
    )
    assert not applies(rules)
