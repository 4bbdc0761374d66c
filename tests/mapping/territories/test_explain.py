"""`explain`: every territory considered, each criterion with the account's value, the deciding
rule and why this rep."""

from __future__ import annotations

from mapping.territories import evaluate, explain, render_explanation
from tests.mapping.territories.support import company, directory, email, hs, load, sf

FILE = """
territories:
  - name: NA
    criteria: {country: [US]}
    children:
      - name: NA-West
        criteria: {region: [US-CA]}
        members:
          - {email: ana@acme-revenue.example}
          - {email: bo@acme-revenue.example}
        children:
          - name: NA-West-Enterprise
            priority: 10
            criteria: {employees: {min: 1000}}
            members: [{email: kim@acme-revenue.example}]
  - name: DACH
    criteria: {country: [DE, AT, CH]}
holdouts:
  - name: Customers
    criteria: {field: Type, equals: Customer - Direct}
"""
REPS = directory("ana", "bo", "kim")


def test_every_territory_is_listed_with_candidates_first() -> None:
    record = sf(country="US", region="US-CA", employees=50, raw={"Type": "Prospect"})
    explanation = explain(company("a", record), load(FILE), REPS)
    assert [(t.name, t.candidate, t.matched) for t in explanation.territories] == [
        ("NA-West-Enterprise", True, False),
        ("NA-West", True, True),
        ("NA", True, True),
        ("DACH", False, False),
    ]


def test_each_criterion_shows_the_accounts_value_and_where_it_comes_from() -> None:
    record = sf(country="US", region="US-CA", employees=50)
    explanation = explain(company("a", record), load(FILE), REPS)
    enterprise = explanation.territories[0]
    assert [
        (c.outcome.label, c.outcome.passed, c.outcome.actual, c.origin) for c in enterprise.criteria
    ] == [
        ("country in [US]", True, '"US"', "NA"),
        ("region in [US-CA]", True, '"US-CA"', "NA-West"),
        ("employees at least 1,000", False, "50", "NA-West-Enterprise"),
    ]


def test_the_decision_is_the_engines_for_the_whole_book() -> None:
    rules = load(FILE)
    book = [
        company("a", sf("001A", country="US", region="US-CA", owner="ana")),
        company("b", sf("001B", country="US", region="US-CA")),
    ]
    evaluation = evaluate(book, rules, REPS)
    explanation = explain(book[1], rules, REPS, evaluation=evaluation)
    assert explanation.assignment is evaluation.by_key["b"]
    assert (explanation.assignment.rep_email, explanation.alone) == (email("bo"), False)
    assert [(m.email, m.accounts) for m in explanation.member_loads] == [
        (email("ana"), 1),
        (email("bo"), 1),
    ]


def test_the_rendered_text_names_values_rules_and_the_rep() -> None:
    record = sf(country="US", region="US-CA", employees=5000, owner="kim", raw={"Type": "Prospect"})
    text = render_explanation(explain(company("a", record), load(FILE), REPS))
    assert "  NA-West-Enterprise (priority 10, depth 2): MATCHES" in text
    assert "    employees at least 1,000: yes (the account has 5000)" in text
    assert '    country in [US]: yes (the account has "US") [from NA]' in text
    assert '  DACH: country in [DE, AT, CH]: no (the account has "US")' in text
    assert '"Customers" (line 19): does not apply' in text
    assert (
        "Decision (priority): NA-West-Enterprise matches and has a higher priority than NA-West."
        in text
    )
    assert (
        "Rep (single_owner): kim@acme-revenue.example is the single owner of NA-West-Enterprise."
        in text
    )
    assert "(Evaluated on its own:" in text


def test_a_held_out_account_shows_the_holdout_that_holds_it() -> None:
    record = sf(country="US", region="US-CA", raw={"Type": "Customer - Direct"})
    text = render_explanation(explain(company("a", record), load(FILE), REPS))
    assert '"Customers" (line 19): holds it' in text
    assert '    Type equals "Customer - Direct": yes (the account has "Customer - Direct")' in text
    assert 'Decision (holdout): Held out by "Customers"' in text


def test_each_crm_record_shows_its_owner_and_why_naming_the_crm_where_the_rep_is_inactive() -> None:
    rules = load(FILE)
    reps = directory("bo", "kim", inactive_in_hubspot=["ana"])
    linked = company(
        "a",
        sf("001A", country="US", region="US-CA", owner="ana"),
        hs("1001", owner="ana"),
    )
    explanation = explain(linked, rules, reps)
    assert [(o.source, o.owner, o.rep, o.rule) for o in explanation.owners] == [
        ("salesforce", email("ana"), email("ana"), "sticky"),
        ("hubspot", email("ana"), email("bo"), "balanced"),
    ]
    text = render_explanation(explanation)
    assert "  Salesforce 001A: stays with ana@acme-revenue.example (sticky)\n" in text
    assert (
        "  HubSpot 1001: ana@acme-revenue.example -> bo@acme-revenue.example (balanced): "
        "ana@acme-revenue.example is inactive in HubSpot, so the HubSpot company goes to "
        "bo@acme-revenue.example, who had the lowest load for their weight among the owner "
        "members of NA-West active in HubSpot."
    ) in text
    assert "  ana@acme-revenue.example: 1 accounts, load 1 (weight 1, inactive in HubSpot)" in text
