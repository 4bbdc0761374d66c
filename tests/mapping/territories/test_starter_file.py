"""The starter territory file `territory-sync init` writes works against the bundled sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapping.fields import to_unified
from mapping.linking import LinkCandidate, link_companies
from mapping.territories import (
    ACTIVE_EVERYWHERE,
    ACTIVE_NOWHERE,
    CompanyFacts,
    RecordFacts,
    RepDirectoryEntry,
    evaluate,
    load_territory_file,
)
from mapping.territories.balance import owned_as_left
from sandbox.seed import SeedAccount, SeedBook, generate_book
from sandbox.seed_reps import REP_ROSTER
from territory_sync.cli import main

ROSTER = {
    rep.email: RepDirectoryEntry(
        rep.email, ACTIVE_EVERYWHERE if rep.active else ACTIVE_NOWHERE, True, True
    )
    for rep in REP_ROSTER
}


@pytest.fixture(scope="module")
def starter_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The territory file `territory-sync init` writes."""
    folder = tmp_path_factory.mktemp("init")
    assert main(["init", str(folder)]) == 0
    return folder / "territories.yaml"


def test_the_starter_file_loads_without_errors_or_warnings(starter_file: Path) -> None:
    rules = load_territory_file(starter_file, known_reps=ROSTER)
    assert rules.warnings == []
    assert {"NA-West", "NA-West-Enterprise", "DACH", "India", "Rest-of-World"} <= set(
        rules.territories
    )


def test_every_active_roster_rep_owns_a_territory_in_the_starter_file(starter_file: Path) -> None:
    rules = load_territory_file(starter_file, known_reps=ROSTER)
    owners = {m.email for t in rules.territories.values() for m in t.owners}
    assert owners == {rep.email for rep in REP_ROSTER if rep.active}


def _facts(book: SeedBook) -> list[CompanyFacts]:
    """What the integrator builds from the store: mapped records, linked by domain."""
    owners = {rep.salesforce_user_id: rep.email for rep in book.reps}
    owners |= {rep.hubspot_owner_id: rep.email for rep in book.reps}

    def record(source: str, account: SeedAccount) -> RecordFacts:
        if source == "salesforce":
            fields = {
                "Name": account.name,
                "Website": account.website,
                "BillingCountry": account.country,
                "BillingState": account.region,
                "BillingPostalCode": account.postal_code,
                "Industry": account.industry,
                "NumberOfEmployees": account.employees,
                "AnnualRevenue": account.annual_revenue,
                "Type": account.account_type,
                "Do_Not_Reassign__c": account.do_not_reassign,
            }
        else:
            fields = {
                "name": account.name,
                "domain": account.domain,
                "website": account.website,
                "country": account.country,
                "state": account.region,
                "zip": account.postal_code,
                "industry": account.industry,
                "numberofemployees": account.employees,
                "annualrevenue": account.annual_revenue,
                "lifecyclestage": account.account_type,
                "do_not_reassign": "true" if account.do_not_reassign else "false",
            }
        unified = to_unified(source, account.crm_id, fields)
        return RecordFacts.from_unified(unified, owners.get(account.owner_id or ""))

    records = {("salesforce", a.crm_id): record("salesforce", a) for a in book.salesforce}
    records |= {("hubspot", a.crm_id): record("hubspot", a) for a in book.hubspot}
    links = link_companies(
        LinkCandidate(source, external_id, facts.domain)
        for (source, external_id), facts in records.items()
    ).links
    companies = []
    for link in links:
        pair = (
            records.pop(("salesforce", link.salesforce_id)),
            records.pop(("hubspot", link.hubspot_id)),
        )
        companies.append(CompanyFacts(f"sf:{link.salesforce_id}|hs:{link.hubspot_id}", pair))
    for (source, external_id), facts in records.items():
        companies.append(CompanyFacts(f"{source}:{external_id}", (facts,)))
    return companies


def test_the_starter_file_places_the_sandbox_book_without_ties(starter_file: Path) -> None:
    book = generate_book(300, seed=1)
    rules = load_territory_file(starter_file, known_reps=ROSTER)
    result = evaluate(_facts(book), rules, ROSTER)
    summary = result.summary
    assert summary.ties == {}
    assert summary.by_territory_rule.get("holdout", 0) > 0
    assert summary.by_territory_rule.get("unmatched_keep_owner", 0) == 0
    inactive = {rep.email for rep in REP_ROSTER if not rep.active}
    assert not inactive & {a.rep_email for a in result.assignments}


def test_accounts_of_the_reps_who_left_go_to_members_of_their_territory(
    starter_file: Path,
) -> None:
    book = generate_book(300, seed=1)
    rules = load_territory_file(starter_file, known_reps=ROSTER)
    result = evaluate(_facts(book), rules, ROSTER)
    moved = [a for a in result.assignments if a.rep_note == "inactive"]
    assert {a.previous_owner for a in moved} == {
        "marcus.williams@acme-revenue.example",
        "jonas.weber@acme-revenue.example",
    }
    for a in moved:
        assert a.territory is not None
        assert a.rep_email in {m.email for m in rules.territories[a.territory].owners}


@pytest.fixture(scope="module")
def balanced_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The territory file `territory-sync init --example balanced` writes."""
    folder = tmp_path_factory.mktemp("init-balanced")
    assert main(["init", str(folder), "--example", "balanced"]) == 0
    return folder / "territories.yaml"


def test_the_balanced_example_loads_without_errors_or_warnings(balanced_file: Path) -> None:
    rules = load_territory_file(balanced_file, known_reps=ROSTER)
    assert rules.warnings == []
    assert rules.settings.balancing is not None and rules.settings.balancing.tolerance == 0.1
    assert rules.skills["lena.fischer@acme-revenue.example"]["languages"] == {"de": 1, "en": 1}
    assert rules.territories["DACH"].require


def test_the_balanced_example_brings_the_sandbox_book_within_tolerance(balanced_file: Path) -> None:
    book = _facts(generate_book(1500, seed=1))
    rules = load_territory_file(balanced_file, known_reps=ROSTER)
    result = evaluate(book, rules, ROSTER)
    outcome = result.rebalanced
    assert outcome is not None and outcome.optimal and outcome.moves > 0
    assert outcome.outside_tolerance == []
    for territory in outcome.territories:
        for member in territory.members:
            assert member.low <= member.after <= member.high
    moved = [a for a in result.assignments if a.rep_rule == "rebalanced"]
    assert all(a.territory_rule not in ("holdout", "named_account") for a in moved)
    dach = {a.rep_email for a in result.assignments if a.territory == "DACH"}
    assert dach <= {"lena.fischer@acme-revenue.example", None}
    # Fed its own result, the next run moves nothing.
    second = evaluate(owned_as_left(book, result), rules, ROSTER)
    assert second.rebalanced is not None and second.rebalanced.moves == 0
    assert [a.rep_rule for a in second.assignments].count("rebalanced") == 0


def test_init_refuses_an_example_it_does_not_have(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path), "--example", "lavish"]) == 2
    assert not (tmp_path / "territories.yaml").exists()
