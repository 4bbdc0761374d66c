"""The extra fields a run pulls: the registry's fields kept raw (always, or while the territory
file tests them) and the raw fields the file tests, each from the CRMs that have them."""

from __future__ import annotations

import textwrap

from connectors.base import CrmConnector
from mapping.registry import FieldKind, UnifiedField, flag, registered, text
from mapping.territories import LoadedTerritories, parse_territory_text
from sync.pull_fields import run_fields
from tests.sync.fakes import FakeCrm
from tests.sync.support import HS, SF

LOCKED = UnifiedField(
    "owner_locked",
    FieldKind.FLAG,
    flag,
    {"salesforce": "Do_Not_Reassign__c", "hubspot": "do_not_reassign"},
)
TIER = UnifiedField("tier", FieldKind.TEXT, text, {"hubspot": "tier__c"}, pulled=False)
CRMS: dict[str, CrmConnector] = {
    SF: FakeCrm(SF, fields=frozenset({"Do_Not_Reassign__c", "Type"})),
    HS: FakeCrm(HS, fields=frozenset({"tier__c"})),
}


def rules(criteria: str) -> LoadedTerritories:
    return parse_territory_text(
        textwrap.dedent(
            f"""\
            territories:
              - name: T
                criteria: {criteria}
            """
        ),
        "territories.yaml",
    )


def test_a_registered_field_is_pulled_from_the_crms_that_have_it_beside_the_raw_ones() -> None:
    with registered(LOCKED):
        pulled = run_fields(rules("{field: Type, equals: Prospect}"), CRMS)

    assert pulled == {SF: ["Do_Not_Reassign__c", "Type"], HS: []}


def test_a_field_pulled_on_demand_is_pulled_only_while_the_territory_file_tests_it() -> None:
    with registered(TIER):
        unused = run_fields(rules("{country: [US]}"), CRMS)
        used = run_fields(rules("{field: tier, equals: gold}"), CRMS)

    assert unused == {}
    assert used == {HS: ["tier__c"]}


def test_nothing_extra_is_pulled_while_the_registry_declares_no_field_kept_raw() -> None:
    assert run_fields(rules("{country: [US]}"), CRMS) == {}
