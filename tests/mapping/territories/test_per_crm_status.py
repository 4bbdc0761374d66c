"""A rep's status is per CRM: archiving someone's seat in one CRM moves their records there only.

The territory West has three owner members. Books mix unlinked Salesforce accounts, unlinked
HubSpot companies and linked businesses (one record in each CRM; Salesforce decides).
"""

from __future__ import annotations

from collections import Counter

from mapping.territories import CompanyFacts, Evaluation, evaluate
from tests.mapping.territories.support import company, directory, email, hs, load, sf

WEST = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - email: ana@acme-revenue.example
      - email: bo@acme-revenue.example
      - email: cy@acme-revenue.example
"""
ANA, BO, CY = email("ana"), email("bo"), email("cy")


def book_owned_by(owner: str) -> list[CompanyFacts]:
    """Four unlinked Salesforce accounts, four unlinked HubSpot companies and four linked
    businesses, every record owned by `owner`."""
    companies = []
    for n in range(4):
        companies.append(company(f"sf{n}", sf(f"00100000000000{n}", country="US", owner=owner)))
        companies.append(company(f"hs{n}", hs(f"10{n}", country="US", owner=owner)))
        companies.append(
            company(
                f"both{n}",
                sf(f"00100000000010{n}", country="US", owner=owner),
                hs(f"20{n}", owner=owner),
            )
        )
    return companies


def reps_for(source: str, evaluation: Evaluation) -> list[str | None]:
    """The rep of every record in `source`, business by business."""
    return [a.rep_for(source) for a in evaluation if source in a.sources]


def test_a_rep_archived_in_hubspot_only_keeps_all_their_salesforce_accounts() -> None:
    reps = directory("bo", "cy", inactive_in_hubspot=["ana"])
    result = evaluate(book_owned_by("ana"), load(WEST), reps)
    assert reps_for("salesforce", result) == [ANA] * 8
    assert {a.rep_rule_for("salesforce") for a in result if "salesforce" in a.sources} == {"sticky"}


def test_a_rep_archived_in_hubspot_only_loses_all_their_hubspot_companies_to_active_members() -> (
    None
):
    reps = directory("bo", "cy", inactive_in_hubspot=["ana"])
    result = evaluate(book_owned_by("ana"), load(WEST), reps)
    assert Counter(reps_for("hubspot", result)) == {BO: 4, CY: 4}


def test_a_rep_archived_in_salesforce_only_keeps_all_their_hubspot_companies() -> None:
    reps = directory("bo", "cy", inactive_in_salesforce=["ana"])
    result = evaluate(book_owned_by("ana"), load(WEST), reps)
    assert reps_for("hubspot", result) == [ANA] * 8


def test_a_rep_archived_in_salesforce_only_loses_their_salesforce_accounts_to_active_members() -> (
    None
):
    reps = directory("bo", "cy", inactive_in_salesforce=["ana"])
    result = evaluate(book_owned_by("ana"), load(WEST), reps)
    assert Counter(reps_for("salesforce", result)) == {BO: 4, CY: 4}


def test_a_rep_inactive_in_both_crms_loses_every_record() -> None:
    reps = directory("bo", "cy", inactive=["ana"])
    result = evaluate(book_owned_by("ana"), load(WEST), reps)
    assert Counter(reps_for("salesforce", result)) == {BO: 4, CY: 4}
    assert Counter(reps_for("hubspot", result)) == {BO: 4, CY: 4}
    linked = [a for a in result if a.key.startswith("both")]
    assert all(a.rep_for("hubspot") == a.rep_for("salesforce") == a.rep_email for a in linked)


def test_a_territory_whose_only_member_is_inactive_in_hubspot_is_reported_for_hubspot_only() -> (
    None
):
    text = """
        territories:
          - name: West
            criteria: {country: [US]}
            members: [{email: ana@acme-revenue.example}]
          - name: East
            criteria: {country: [CA]}
            members: [{email: bo@acme-revenue.example}]
        """
    reps = directory("bo", inactive_in_hubspot=["ana"])
    result = evaluate(book_owned_by("ana"), load(text), reps)
    assert result.territories_without_active_member() == {"hubspot": ["West"]}


def test_the_reason_names_the_crm_where_the_rep_is_inactive() -> None:
    reps = directory("bo", inactive_in_hubspot=["ana", "cy"])
    linked = company("both", sf("001000000000001", country="US", owner="ana"), hs("1", owner="ana"))
    a = evaluate([linked], load(WEST), reps).assignments[0]
    assert a.reason_for("hubspot") == (
        "West is the only territory whose criteria match. ana@acme-revenue.example is inactive "
        "in HubSpot, so the HubSpot company goes to bo@acme-revenue.example, who had the lowest "
        "load for their weight among the owner members of West active in HubSpot."
    )
    assert a.reason_for("salesforce") == (
        "West is the only territory whose criteria match. ana@acme-revenue.example already owns "
        "it and is an active owner member of West."
    )


def test_with_no_member_active_in_hubspot_the_hubspot_company_keeps_its_owner_and_says_why() -> (
    None
):
    reps = directory(inactive_in_hubspot=["ana", "bo", "cy"])
    linked = company("both", sf("001000000000001", country="US", owner="ana"), hs("1", owner="ana"))
    a = evaluate([linked], load(WEST), reps).assignments[0]
    assert (a.rep_for("salesforce"), a.rep_for("hubspot")) == (ANA, None)
    assert a.rep_reason_for("hubspot") == (
        "ana@acme-revenue.example is inactive in HubSpot, so the HubSpot company keeps its "
        "owner: West has no owner member active in HubSpot."
    )


def test_a_hubspot_company_already_owned_by_a_member_active_in_hubspot_stays_with_them() -> None:
    reps = directory("bo", "cy", inactive_in_hubspot=["ana"])
    linked = company("both", sf("001000000000001", country="US", owner="ana"), hs("1", owner="cy"))
    a = evaluate([linked], load(WEST), reps).assignments[0]
    assert (a.rep_for("salesforce"), a.rep_for("hubspot")) == (ANA, CY)
    assert a.rep_rule_for("hubspot") == "sticky"


def test_a_rep_active_in_both_crms_owns_both_records_of_a_linked_business() -> None:
    reps = directory("ana", "bo", "cy")
    linked = company("both", sf("001000000000001", country="US", owner="ana"), hs("1", owner="bo"))
    a = evaluate([linked], load(WEST), reps).assignments[0]
    assert a.rep_for("salesforce") == a.rep_for("hubspot") == a.rep_email == ANA
    assert a.split is None


def test_a_rep_active_in_hubspot_only_keeps_their_company_of_a_business_led_by_another_rep() -> (
    None
):
    reps = directory("bo", "cy", inactive_in_salesforce=["ana"])
    linked = company("both", sf("001000000000001", country="US", owner="bo"), hs("1", owner="ana"))
    a = evaluate([linked], load(WEST), reps).assignments[0]
    assert (a.rep_for("salesforce"), a.rep_for("hubspot")) == (BO, ANA)
    assert "though not in Salesforce" in a.rep_reason_for("hubspot")


def test_a_new_linked_business_goes_to_a_member_active_in_both_crms() -> None:
    reps = directory("cy", inactive_in_hubspot=["ana", "bo"])
    companies = [
        *(company(f"c{n}", sf(f"00100000000000{n}", country="US", owner="cy")) for n in range(3)),
        company("new", sf("001000000000009", country="US"), hs("9")),
    ]
    a = evaluate(companies, load(WEST), reps).by_key["new"]
    assert a.rep_for("salesforce") == a.rep_for("hubspot") == CY


def test_records_dealt_in_one_crm_follow_weights_and_capacities() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {country: [US]}
            members:
              - {email: ana@acme-revenue.example}
              - {email: bo@acme-revenue.example, weight: 2}
              - {email: cy@acme-revenue.example, capacity: 1}
        """
    )
    reps = directory("bo", "cy", inactive_in_hubspot=["ana"])
    companies = [
        company(f"b{n:02d}", sf(f"001000000000{n:03d}", country="US", owner="ana"), hs(f"{n}"))
        for n in range(10)
    ]
    result = evaluate(companies, rules, reps)
    assert reps_for("salesforce", result) == [ANA] * 10
    assert Counter(reps_for("hubspot", result)) == {BO: 9, CY: 1}


def test_writing_each_crms_rep_back_changes_nothing() -> None:
    reps = directory("bo", "cy", inactive_in_salesforce=["ana"])
    companies = book_owned_by("ana")
    first = evaluate(companies, load(WEST), reps)
    for c, a in zip(companies, first, strict=True):
        for record in c.records:
            record.current_owner_email = a.rep_for(record.source) or record.current_owner_email
    again = evaluate(companies, load(WEST), reps)
    assert [[a.rep_for(s) for s in a.sources] for a in again] == [
        [a.rep_for(s) for s in a.sources] for a in first
    ]
    assert {a.rep_rule_for(s) for a in again for s in a.sources} == {"sticky"}


def test_a_company_in_one_crm_has_no_rep_for_the_other() -> None:
    a = evaluate(book_owned_by("ana")[:1], load(WEST), directory("ana", "bo", "cy")).assignments[0]
    assert (a.rep_for("salesforce"), a.rep_for("hubspot")) == (ANA, None)
