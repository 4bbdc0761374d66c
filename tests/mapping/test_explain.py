"""The explanation the command line and the console show: per CRM record, who owns it and who
will."""

from __future__ import annotations

from mapping.explain import explain_company
from mapping.territories import evaluate
from tests.mapping.territories.support import company, directory, hs, load, sf

WEST = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - email: ana@acme-revenue.example
      - email: bo@acme-revenue.example
"""


def test_the_explanation_lists_each_crm_records_owner_and_the_crm_where_the_rep_is_inactive() -> (
    None
):
    rules = load(WEST)
    linked = company("a", sf("001A", country="US", owner="ana"), hs("1001", owner="ana"))
    evaluation = evaluate([linked], rules, directory("bo", inactive_in_hubspot=["ana"]))
    text = explain_company(linked, rules, evaluation.assignments[0]).render()
    assert "    Salesforce 001A: stays with ana@acme-revenue.example (sticky)" in text
    assert (
        "    HubSpot 1001: ana@acme-revenue.example -> bo@acme-revenue.example (balanced)" in text
    )
    assert "ana@acme-revenue.example is inactive in HubSpot, so the HubSpot company goes to" in text
