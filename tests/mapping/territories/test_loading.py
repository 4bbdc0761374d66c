"""Loading a territory file: warnings worth an admin's attention, fingerprint, file errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mapping.territories import load_territory_file
from territory_sync.errors import TerritoryFileError
from tests.mapping.territories.support import directory, load

MEMBERS = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - email: ana@acme-revenue.example
      - email: bo@acme-revenue.example
"""


def test_a_rep_known_in_one_crm_only_is_a_warning_not_an_error() -> None:
    rules = load(MEMBERS, reps=directory("ana", salesforce_only=["bo"]))
    assert rules.warnings == [
        "territories.yaml:7: territory 'West', field 'members': rep bo@acme-revenue.example "
        "exists only in Salesforce: they are given no HubSpot companies, which go to members "
        "active in HubSpot; add them to HubSpot with the same email"
    ]


def test_a_rep_inactive_in_one_crm_is_a_warning_naming_that_crm() -> None:
    rules = load(MEMBERS, reps=directory("ana", inactive_in_hubspot=["bo"]))
    assert rules.warnings == [
        "territories.yaml:7: territory 'West', field 'members': rep bo@acme-revenue.example is "
        "inactive in HubSpot: their HubSpot companies go to other members active in HubSpot, "
        "and their Salesforce accounts stay with them; reactivate their HubSpot user if that is "
        "not meant"
    ]


def test_an_inactive_member_is_a_warning() -> None:
    rules = load(MEMBERS, reps=directory("ana", inactive=["bo"]))
    assert rules.warnings == [
        "territories.yaml:7: territory 'West', field 'members': rep bo@acme-revenue.example is "
        "inactive: they get no new accounts, and accounts they own go to other members; remove "
        "them, or reactivate the user"
    ]


def test_member_emails_are_only_checked_for_shape_without_a_rep_directory() -> None:
    assert load(MEMBERS).warnings == []


def test_a_territory_shadowed_by_its_parents_priority_is_a_warning() -> None:
    rules = load(
        """
        territories:
          - name: NA
            priority: 5
            criteria: {country: [US]}
            members: [{email: ana@acme-revenue.example}]
            children:
              - name: NA-West
                criteria: {region: [US-CA]}
                members: [{email: bo@acme-revenue.example}]
        """
    )
    assert rules.warnings == [
        "territories.yaml:8: territory 'NA-West', field 'priority': territory 'NA-West' can "
        "never win an account: its ancestor 'NA' matches every account it matches and has a "
        "higher priority (5 over 0); raise 'NA-West''s priority"
    ]


def test_a_territory_shadowed_by_a_broader_higher_priority_one_is_a_warning() -> None:
    rules = load(
        """
        territories:
          - name: Software
            criteria: {country: [US], industry: [software]}
            members: [{email: ana@acme-revenue.example}]
          - name: Tech
            priority: 2
            criteria: {country: [US, CA], industry: [software, it_services]}
            members: [{email: bo@acme-revenue.example}]
        """
    )
    assert rules.warnings == [
        "territories.yaml:3: territory 'Software', field 'priority': territory 'Software' can "
        "never win an account: 'Tech' matches every account it matches and has a higher "
        "priority (2 over 0); raise 'Software''s priority, or narrow 'Tech'"
    ]


def test_a_territory_without_owner_members_is_a_warning() -> None:
    rules = load(
        """
        territories:
          - name: West
            members: [{email: ana@acme-revenue.example, role: overlay}]
        """
    )
    assert rules.warnings == [
        "territories.yaml:3: territory 'West', field 'members': territory 'West' has no owner "
        "members, so the accounts it wins keep their current owner: add members with role owner"
    ]


def test_a_child_contradicting_its_parent_is_a_warning() -> None:
    rules = load(
        """
        territories:
          - name: NA
            criteria: {country: [US]}
            children:
              - name: Bavaria
                criteria: {region: [DE-BY]}
                members: [{email: ana@acme-revenue.example}]
        """
    )
    assert rules.warnings == [
        "territories.yaml:6: territory 'Bavaria', field 'criteria': territory 'Bavaria' can "
        "never match: its criteria and its parents' contradict each other (country US, region "
        "DE-BY); fix the criteria"
    ]


def test_the_fingerprint_is_the_sha256_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "territories.yaml"
    path.write_text(MEMBERS, encoding="utf-8")
    rules = load_territory_file(path)
    assert rules.fingerprint == hashlib.sha256(MEMBERS.encode("utf-8")).hexdigest()
    assert rules.source_name == str(path)


def test_a_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    path = tmp_path / "territories.yaml"
    with pytest.raises(TerritoryFileError) as raised:
        load_territory_file(path)
    assert str(raised.value) == (
        f"{path}: no such file: create it with territory-sync init, or pass the right path"
    )


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "territories.yaml"
    path.write_bytes(b"territories:\n  - name: M\xfcnchen\n")
    with pytest.raises(TerritoryFileError) as raised:
        load_territory_file(path)
    assert str(raised.value) == f"{path}: the file is not UTF-8 text: save it as UTF-8"


def test_a_territory_whose_owners_are_all_inactive_in_one_crm_is_a_warning_naming_it() -> None:
    rules = load(MEMBERS, reps=directory(inactive_in_hubspot=["ana", "bo"]))
    assert rules.warnings[-1] == (
        "territories.yaml:3: territory 'West', field 'members': territory 'West' has no owner "
        "member active in HubSpot, so its HubSpot companies keep their owners: add an owner "
        "member active in HubSpot, or reactivate one"
    )


def test_a_crm_no_rep_has_a_seat_in_is_not_reported() -> None:
    rules = load(MEMBERS, reps=directory(salesforce_only=["ana", "bo"]))
    assert not any("has no owner member active in" in warning for warning in rules.warnings)


REGIONS = """
territories:
  - name: NA
    criteria: {country: [US, CA]}
    members: [{email: ana@acme-revenue.example}]
    children:
      - name: NA-West
        criteria: {region: [US-CA]}
        members: [{email: ana@acme-revenue.example}]
        children:
          - name: Bay Area
            criteria: {postal_code: ["941"]}
            members: [{email: ana@acme-revenue.example}]
      - name: NA-East
        criteria: {region: [US-NY]}
        members: [{email: ana@acme-revenue.example}]
  - name: EMEA
    criteria: {country: [DE]}
    members: [{email: ana@acme-revenue.example}]
"""


def test_a_territorys_subtree_is_it_and_every_territory_under_it_in_file_order() -> None:
    rules = load(REGIONS)
    assert rules.subtree("NA") == ("NA", "NA-West", "Bay Area", "NA-East")
    assert rules.subtree("NA-West") == ("NA-West", "Bay Area")
    assert rules.subtree("EMEA") == ("EMEA",)
