"""Named accounts: pinned by domain or CRM id, to a territory or straight to a rep."""

from __future__ import annotations

from mapping.territories import evaluate
from mapping.territories.rules import salesforce_id_18
from tests.mapping.territories.support import company, directory, email, hs, load, one, sf

FILE = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - {email: ana@acme-revenue.example}
      - {email: bo@acme-revenue.example}
  - name: Strategic
    members: [{email: kim@acme-revenue.example}]
    criteria: {employees: {min: 100000}}
named_accounts:
  - domain: www.Acme.com
    territory: Strategic
  - salesforce_id: 0015g00000ABCDE
    territory: Strategic
  - hubspot_id: 10000000042
    territory: Strategic
  - domain: globex.com
    rep: bo@acme-revenue.example
  - domain: initech.com
    rep: dee@acme-revenue.example
"""
REPS = directory("ana", "bo", "kim", inactive=["dee"])


def test_a_domain_pins_the_account_to_a_territory_whatever_its_criteria() -> None:
    territory, rep, rule, _ = one(load(FILE), sf(country="US", domain="acme.com"), reps=REPS)
    assert (territory, rep, rule) == ("Strategic", email("kim"), "named_account")


def test_a_salesforce_id_matches_in_its_18_character_form() -> None:
    record = sf(salesforce_id_18("0015g00000ABCDE"), country="US")
    assert one(load(FILE), record, reps=REPS)[0] == "Strategic"


def test_a_hubspot_id_written_as_a_number_matches() -> None:
    assert one(load(FILE), hs("10000000042", country="US"), reps=REPS)[0] == "Strategic"


def test_a_named_account_can_go_straight_to_a_rep() -> None:
    result = evaluate([company("g", sf(country="US", domain="globex.com"))], load(FILE), REPS)
    a = result.assignments[0]
    assert (a.territory, a.rep_email, a.territory_rule, a.rep_rule) == (
        None,
        email("bo"),
        "named_account",
        "named_rep",
    )
    assert a.reason == (
        "Named account (domain globex.com) pinned to rep bo@acme-revenue.example by the "
        "territory file (line 18). bo@acme-revenue.example is the rep the territory file names "
        "for this account."
    )


def test_an_account_named_to_a_rep_who_left_keeps_its_owner() -> None:
    record = sf(country="US", domain="initech.com", owner="ana")
    assert one(load(FILE, reps=REPS), record, reps=REPS)[1:] == (
        None,
        "named_account",
        "no_eligible_member",
    )


def test_the_named_territory_still_chooses_among_its_members() -> None:
    record = sf(country="US", domain="acme.com", owner="kim")
    assert one(load(FILE), record, reps=REPS)[1:4:2] == (email("kim"), "single_owner")


def test_a_crm_id_entry_wins_over_a_domain_entry() -> None:
    rules = load(
        """
        territories:
          - {name: A}
          - {name: B, priority: 1}
        named_accounts:
          - {domain: acme.com, territory: A}
          - {hubspot_id: "42", territory: B}
        """
    )
    assert one(rules, hs("42", domain="acme.com"))[0] == "B"


def test_entries_pinning_one_company_to_different_places_keep_its_owner() -> None:
    rules = load(
        """
        territories:
          - {name: A}
          - {name: B, priority: 1}
        named_accounts:
          - {salesforce_id: 001000000000001, territory: A}
          - {hubspot_id: "42", territory: B}
        """
    )
    result = evaluate([company("x", sf("001000000000001AAA"), hs("42"))], rules, {})
    a = result.assignments[0]
    assert (a.territory, a.rep_email, a.territory_rule) == (None, None, "named_conflict")
    assert a.reason == (
        "Named-account entries on lines 6 and 7 pin this account to different targets, so the "
        "account keeps its owner; keep one entry."
    )


def test_a_holdout_wins_over_a_named_account() -> None:
    rules = load(
        FILE
        + """
holdouts:
  - name: Customers
    criteria: {field: Type, equals: Customer - Direct}
"""
    )
    record = sf(country="US", domain="acme.com", raw={"Type": "Customer - Direct"})
    assert one(rules, record, reps=REPS)[2] == "holdout"


def test_a_rep_named_for_an_account_and_inactive_in_hubspot_owns_only_its_salesforce_account() -> (
    None
):
    reps = directory("ana", "kim", inactive_in_hubspot=["bo"])
    linked = company("g", sf(country="US", domain="globex.com", owner="ana"), hs("7", owner="ana"))
    a = evaluate([linked], load(FILE), reps).assignments[0]
    assert (a.rep_for("salesforce"), a.rep_for("hubspot")) == (email("bo"), None)
    assert a.rep_reason_for("hubspot") == (
        "The named rep bo@acme-revenue.example is inactive in HubSpot, so the HubSpot company "
        "keeps its owner."
    )


def test_a_rep_named_for_an_account_and_inactive_in_salesforce_owns_only_its_hubspot_company() -> (
    None
):
    reps = directory("ana", "kim", inactive_in_salesforce=["bo"])
    linked = company("g", sf(country="US", domain="globex.com", owner="ana"), hs("7", owner="ana"))
    a = evaluate([linked], load(FILE), reps).assignments[0]
    assert (a.rep_for("salesforce"), a.rep_for("hubspot")) == (None, email("bo"))
    assert a.rep_reason_for("salesforce") == (
        "The named rep bo@acme-revenue.example is inactive in Salesforce, so the Salesforce "
        "account keeps its owner."
    )
