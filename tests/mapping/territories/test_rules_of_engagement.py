"""Hierarchy, overlaps and what happens to accounts no territory takes."""

from __future__ import annotations

import pytest

from mapping.territories import evaluate
from territory_sync.errors import TerritoryFileError
from tests.mapping.territories.support import company, directory, load, one, sf

HIERARCHY = """
territories:
  - name: NA
    criteria: {country: [US, CA]}
    children:
      - name: NA-West
        criteria: {region: [US-CA, US-WA]}
        children:
          - name: NA-West-Enterprise
            priority: 10
            criteria: {employees: {min: 1000}}
          - name: NA-West-Software
            criteria: {industry: [software]}
"""


def test_a_child_inherits_its_parents_criteria() -> None:
    rules = load(HIERARCHY)
    # Region US-CA and 5,000 employees, but the parent requires the US or Canada.
    assert one(rules, sf(country="MX", region="US-CA", employees=5000))[0] is None


def test_the_deepest_matching_territory_wins_by_specificity() -> None:
    territory, _, rule, _ = one(load(HIERARCHY), sf(country="US", region="US-CA", employees=50))
    assert (territory, rule) == ("NA-West", "specificity")


def test_a_higher_priority_wins_over_a_deeper_territory() -> None:
    rules = load(
        """
        territories:
          - name: Strategic
            priority: 5
            criteria: {employees: {min: 1000}}
          - name: NA
            criteria: {country: [US]}
            children:
              - name: NA-West
                criteria: {region: [US-CA]}
        """
    )
    territory, _, rule, _ = one(rules, sf(country="US", region="US-CA", employees=2000))
    assert (territory, rule) == ("Strategic", "priority")


def test_priority_beats_a_sibling_that_also_matches() -> None:
    rules = load(HIERARCHY)
    record = sf(country="US", region="US-CA", employees=5000, industry="software")
    result = evaluate([company("a", record)], rules, {}).assignments[0]
    assert (result.territory, result.territory_rule) == ("NA-West-Enterprise", "priority")
    assert "higher priority than NA-West-Software" in result.reason


def test_the_only_matching_territory_is_reported_as_such() -> None:
    territory, _, rule, _ = one(load(HIERARCHY), sf(country="CA"))
    assert (territory, rule) == ("NA", "only_match")


def test_children_can_name_their_parent_instead_of_nesting() -> None:
    rules = load(
        """
        territories:
          - name: NA-West
            parent: NA
            criteria: {region: [US-CA]}
          - name: NA
            criteria: {country: [US]}
        """
    )
    assert rules.territories["NA-West"].depth == 1
    assert one(rules, sf(country="US", region="US-CA"))[:3:2] == ("NA-West", "specificity")
    assert one(rules, sf(country="CA", region="US-CA"))[0] is None


AMBIGUOUS = """
territories:
  - name: {first}
    criteria: {{any: [{{industry: [software]}}, {{employees: {{min: 1000}}}}]}}
  - name: {second}
    criteria: {{country: [US]}}
"""


def test_an_unresolved_overlap_leaves_the_account_with_a_tie_reason() -> None:
    rules = load(AMBIGUOUS.format(first="Software", second="US"))
    result = evaluate([company("a", sf(country="US", industry="software"))], rules, {})
    a = result.assignments[0]
    assert (a.territory, a.rep_email, a.territory_rule) == (None, None, "tie")
    assert a.tied == ("Software", "US")
    assert a.reason.startswith("Tie between Software and US")


def test_a_tie_is_never_settled_by_file_order() -> None:
    forward = load(AMBIGUOUS.format(first="Software", second="US"))
    backward = load(AMBIGUOUS.format(first="US", second="Software"))
    record = sf(country="US", industry="software")
    assert one(forward, record)[:3] == one(backward, record)[:3] == (None, None, "tie")


def test_ties_are_counted_in_the_run_summary_by_territory_pair() -> None:
    rules = load(AMBIGUOUS.format(first="Software", second="US"))
    companies = [
        company("a", sf(country="US", industry="software")),
        company("b", sf(country="US", employees=5000)),
        company("c", sf(country="US", industry="banking")),
    ]
    summary = evaluate(companies, rules, {}).summary
    assert summary.ties == {("Software", "US"): 2}
    assert summary.unassigned == 2


def test_territories_that_provably_overlap_are_rejected_at_load() -> None:
    with pytest.raises(TerritoryFileError) as raised:
        load(
            """
            territories:
              - name: West
                criteria: {country: [US, CA], industry: [software, banking]}
              - name: Software
                criteria: {country: [US], industry: [software]}
            """
        )
    assert str(raised.value) == (
        "territories.yaml:5: territory 'Software', field 'criteria': territories 'West' and "
        "'Software' both match accounts with country US, industry software, at the same "
        "priority (0) and depth (0), so neither would win: give one a higher priority, or "
        "narrow one of them"
    )


def test_siblings_with_separate_bands_do_not_overlap() -> None:
    rules = load(
        """
        territories:
          - name: Small
            criteria: {country: [US], employees: {max: 200}}
          - name: Large
            criteria: {country: [US], employees: {min: 200}}
        """
    )
    assert one(rules, sf(country="US", employees=200))[0] == "Large"


def test_a_priority_settles_an_overlap_the_loader_would_reject() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
          - name: Software
            priority: 1
            criteria: {country: [US], industry: [software]}
        """
    )
    assert one(rules, sf(country="US", industry="software"))[:3:2] == ("Software", "priority")


def test_unmatched_accounts_keep_their_owner_by_default() -> None:
    rules = load(HIERARCHY)
    assert one(rules, sf(country="DE", owner="ana")) == (
        None,
        None,
        "unmatched_keep_owner",
        "keep_owner",
    )


def test_unmatched_accounts_go_to_the_catch_all_territory_when_set() -> None:
    rules = load(
        """
        settings: {unmatched: catch_all, catch_all: Rest}
        territories:
          - name: NA
            criteria: {country: [US]}
          - name: Rest
            members: [{email: ana@acme-revenue.example}]
        """
    )
    reps = directory("ana")
    assert one(rules, sf(country="DE"), reps=reps) == (
        "Rest",
        "ana@acme-revenue.example",
        "catch_all",
        "single_owner",
    )
    assert one(rules, sf(country="US"), reps=reps)[0] == "NA"


def test_a_holdout_keeps_the_owner_before_any_territory_is_considered() -> None:
    rules = load(
        """
        territories:
          - name: NA
            criteria: {country: [US]}
            members: [{email: ana@acme-revenue.example}]
        holdouts:
          - name: Customers
            criteria: {field: Type, equals: Customer - Direct}
        """
    )
    record = sf(country="US", owner="bo", raw={"Type": "Customer - Direct"})
    result = evaluate([company("a", record)], rules, directory("ana", "bo")).assignments[0]
    assert (result.territory, result.rep_email, result.territory_rule) == (None, None, "holdout")
    assert result.reason == (
        'Held out by "Customers": the account is never reassigned and keeps its owner.'
    )
