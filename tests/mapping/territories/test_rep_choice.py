"""Choosing the rep inside a territory: stickiness, orphans, balance, weights and capacity."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mapping.territories import CompanyFacts, evaluate
from tests.mapping.territories.support import company, directory, email, hs, load, one, sf

TWO_REPS = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - email: ana@acme-revenue.example
      - email: bo@acme-revenue.example
      - email: cy@acme-revenue.example
        role: overlay
"""


def book(count: int, **values: Any) -> list[CompanyFacts]:
    return [company(f"k{n:03d}", sf(f"001{n:012d}", country="US", **values)) for n in range(count)]


def test_an_active_member_keeps_the_accounts_they_own() -> None:
    territory, rep, _, rule = one(
        load(TWO_REPS), sf(country="US", owner="bo"), reps=directory("ana", "bo", "cy")
    )
    assert (territory, rep, rule) == ("West", email("bo"), "sticky")


def test_stickiness_holds_even_when_it_leaves_loads_uneven() -> None:
    result = evaluate(book(6, owner="bo"), load(TWO_REPS), directory("ana", "bo", "cy"))
    assert {a.rep_email for a in result.assignments} == {email("bo")}


def test_new_accounts_go_to_the_member_with_the_lowest_load() -> None:
    companies = [*book(4, owner="bo"), company("new", sf("001999", country="US"))]
    result = evaluate(companies, load(TWO_REPS), directory("ana", "bo", "cy"))
    new = result.by_key["new"]
    assert (new.rep_email, new.rep_rule) == (email("ana"), "balanced")
    assert "the account had no owner" in new.reason


def test_new_accounts_are_dealt_evenly_across_the_owner_members() -> None:
    result = evaluate(book(40), load(TWO_REPS), directory("ana", "bo", "cy"))
    dealt = Counter(a.rep_email for a in result.assignments)
    assert dealt == {email("ana"): 20, email("bo"): 20}


def test_accounts_of_an_inactive_owner_are_redistributed() -> None:
    reps = directory("ana", "bo", "cy", inactive=["dee"])
    result = evaluate(book(4, owner="dee"), load(TWO_REPS), reps)
    assert Counter(a.rep_email for a in result.assignments) == {email("ana"): 2, email("bo"): 2}
    assert "the previous owner dee@acme-revenue.example is inactive" in result.assignments[0].reason
    assert result.summary.orphans_redistributed == 4


def test_accounts_of_an_owner_no_longer_a_member_are_redistributed() -> None:
    reps = directory("ana", "bo", "cy", "eve")
    a = evaluate(book(1, owner="eve"), load(TWO_REPS), reps).assignments[0]
    assert a.rep_email == email("ana")
    assert "eve@acme-revenue.example is not an owner member of West" in a.reason


def test_an_overlay_who_owns_an_account_does_not_keep_it() -> None:
    _, rep, _, rule = one(
        load(TWO_REPS), sf(country="US", owner="cy"), reps=directory("ana", "bo", "cy")
    )
    assert (rep, rule) == (email("ana"), "balanced")


def test_an_overlay_is_never_given_an_account() -> None:
    result = evaluate(book(30), load(TWO_REPS), directory("ana", "bo", "cy"))
    assert email("cy") not in {a.rep_email for a in result.assignments}


def test_dealing_is_by_key_so_record_order_does_not_matter() -> None:
    companies = book(9)
    forward = evaluate(companies, load(TWO_REPS), directory("ana", "bo", "cy"))
    backward = evaluate(companies[::-1], load(TWO_REPS), directory("ana", "bo", "cy"))
    assert {a.key: a.rep_email for a in forward} == {a.key: a.rep_email for a in backward}


def test_weights_share_new_accounts_in_proportion() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            members:
              - {email: ana@acme-revenue.example, weight: 2}
              - {email: bo@acme-revenue.example}
        """
    )
    result = evaluate(book(30), rules, directory("ana", "bo"))
    assert Counter(a.rep_email for a in result.assignments) == {email("ana"): 20, email("bo"): 10}


def test_capacity_is_never_exceeded_by_new_accounts() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            members:
              - {email: ana@acme-revenue.example, capacity: 3}
              - {email: bo@acme-revenue.example}
        """
    )
    result = evaluate(book(10), rules, directory("ana", "bo"))
    assert Counter(a.rep_email for a in result.assignments) == {email("ana"): 3, email("bo"): 7}


def test_a_member_over_capacity_keeps_the_first_accounts_by_key() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            members:
              - {email: ana@acme-revenue.example, capacity: 2}
              - {email: bo@acme-revenue.example}
        """
    )
    result = evaluate(book(4, owner="ana")[::-1], rules, directory("ana", "bo"))
    owners = {a.key: a.rep_email for a in result.assignments}
    assert owners == {
        "k000": email("ana"),
        "k001": email("ana"),
        "k002": email("bo"),
        "k003": email("bo"),
    }
    assert "ana@acme-revenue.example is over capacity in West" in result.by_key["k003"].reason


def test_accounts_beyond_every_capacity_keep_their_owner() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            members: [{email: ana@acme-revenue.example, capacity: 1}]
        """
    )
    result = evaluate(book(3, owner="gone@example.com"), rules, directory("ana"))
    assert [(a.rep_email, a.rep_rule) for a in result.assignments] == [
        (email("ana"), "single_owner"),
        (None, "capacity_full"),
        (None, "capacity_full"),
    ]
    assert result.assignments[2].reason.endswith(
        "Every owner member of West is at capacity, so the account keeps its owner."
    )


def test_a_single_owner_territory_gives_every_account_to_its_owner() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            assignment: single
            members:
              - {email: ana@acme-revenue.example}
              - {email: bo@acme-revenue.example, role: overlay}
        """
    )
    result = evaluate(book(3, owner="bo"), rules, directory("ana", "bo"))
    assert {(a.rep_email, a.rep_rule) for a in result.assignments} == {
        (email("ana"), "single_owner")
    }


def test_a_territory_whose_owners_all_left_keeps_owners_as_they_are() -> None:
    rules = load(TWO_REPS)
    reps = directory("cy", inactive=["ana", "bo"])
    assert one(rules, sf(country="US", owner="ana"), reps=reps) == (
        "West",
        None,
        "only_match",
        "no_eligible_member",
    )


def test_a_rep_missing_from_the_directory_is_not_given_accounts() -> None:
    _, rep, _, _ = one(load(TWO_REPS), sf(country="US"), reps=directory("bo", "cy"))
    assert rep == email("bo")


def test_a_company_in_both_crms_gets_one_rep_from_the_primary_owner() -> None:
    reps = directory("ana", "bo", "cy")
    records = (sf(country="US", owner="bo"), hs(owner="ana"))
    assert one(load(TWO_REPS), *records, reps=reps)[1] == email("bo")


def test_the_other_crms_owner_is_kept_when_the_primary_owner_is_not_eligible() -> None:
    reps = directory("ana", "bo", "cy")
    records = (sf(country="US", owner="cy"), hs(owner="bo"))
    assert one(load(TWO_REPS), *records, reps=reps)[1:4:2] == (email("bo"), "sticky")


def test_balancing_by_revenue_evens_out_revenue_not_counts() -> None:
    rules = load(
        """
        settings: {balance_by: revenue}
        territories:
          - name: West
            criteria: {country: [US]}
            members:
              - {email: ana@acme-revenue.example}
              - {email: bo@acme-revenue.example}
        """
    )
    revenues = [900, 500, 400, 100]
    companies = [
        company(f"k{n}", sf(f"001{n}", country="US", annual_revenue=r))
        for n, r in enumerate(revenues)
    ]
    result = evaluate(companies, rules, directory("ana", "bo"))
    by_rep: Counter[str] = Counter()
    for a, r in zip(result.assignments, revenues, strict=True):
        by_rep[a.rep_email or ""] += r
    assert sorted(by_rep.values()) == [900, 1000]
    loads = {m.email: m.load for m in result.member_loads("West")}
    assert sorted(loads.values()) == [900, 1000]


def test_feeding_the_result_back_changes_no_owner() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            members:
              - {email: ana@acme-revenue.example, capacity: 3, weight: 2}
              - {email: bo@acme-revenue.example}
        """
    )
    reps = directory("ana", "bo", inactive=["dee"])
    companies = book(5, owner="dee") + book(0)
    first = evaluate(companies, rules, reps)
    for c, a in zip(companies, first.assignments, strict=True):
        for record in c.records:
            record.current_owner_email = a.rep_email or record.current_owner_email
    second = evaluate(companies, rules, reps)
    assert [(a.territory, a.rep_email) for a in second] == [
        (a.territory, a.rep_email) for a in first
    ]
    assert {a.rep_rule for a in second} == {"sticky"}
