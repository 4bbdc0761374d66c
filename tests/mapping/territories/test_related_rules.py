"""Rules of engagement for related records, as the territory file states them."""

from __future__ import annotations

import pytest

from mapping.territories import parse_territory_text
from mapping.territories.related_rules import RelatedRules, objects_moved
from territory_sync.errors import TerritoryFileError


def _file(related: str) -> str:
    return f"""version: 1
settings:
  related_records:
{related}
territories:
  - name: A
    members: [{{email: a@x.example}}]
"""


def test_the_defaults_move_the_previous_owners_contacts_and_no_open_opportunity() -> None:
    rules = RelatedRules()

    assert rules.contact_follows("005OLD", "005OLD")
    assert not rules.contact_follows("005OLD", "005SDR")
    assert not rules.opportunity_follows(closed=False, stage="Prospecting")


def test_a_closed_opportunity_never_follows_whatever_the_rule() -> None:
    assert not RelatedRules(open_opportunities="follow").opportunity_follows(
        closed=True, stage="Closed Won"
    )


def test_a_crm_section_overrides_the_shared_rules_for_that_crm_only() -> None:
    loaded = parse_territory_text(
        _file("    contacts: stay\n    hubspot: {contacts: follow_account}"), "t.yaml"
    )
    related = loaded.settings.related

    assert related.for_crm("salesforce").contacts == "stay"
    assert related.for_crm("hubspot").contacts == "follow_account"
    assert objects_moved(related, "salesforce") == ()
    assert objects_moved(related, "hubspot") == ("contact",)


def test_an_unknown_contacts_rule_names_the_line_and_the_choices() -> None:
    with pytest.raises(TerritoryFileError) as error:
        parse_territory_text(_file("    contacts: follow"), "t.yaml")

    assert "t.yaml:4" in str(error.value)
    assert "follow_account, owned_by_previous_owner or stay" in str(error.value)


def test_a_stage_the_pipeline_does_not_have_is_refused_with_a_suggestion() -> None:
    with pytest.raises(TerritoryFileError) as error:
        parse_territory_text(
            _file("    salesforce: {open_opportunities: {follow_before_stage: Negotation/Review}}"),
            "t.yaml",
        )

    assert "did you mean 'Negotiation/Review'?" in str(error.value)


def test_a_stage_order_of_the_files_own_decides_follow_before_stage() -> None:
    loaded = parse_territory_text(
        _file(
            "    stage_order: {hubspot: [new, demo, contract]}\n"
            "    hubspot: {open_opportunities: {follow_before_stage: contract}}"
        ),
        "t.yaml",
    )
    rules = loaded.settings.related.for_crm("hubspot")

    assert rules.opportunity_follows(closed=False, stage="demo")
    assert not rules.opportunity_follows(closed=False, stage="contract")
    assert not rules.opportunity_follows(closed=False, stage="unknown")
