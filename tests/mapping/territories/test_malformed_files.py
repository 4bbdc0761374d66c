"""Malformed territory files: each is rejected with the exact message an admin sees.

Every message names the file, the line, the territory and the field where they apply, and says
what to do.
"""

from __future__ import annotations

import pytest

from mapping.territories import ACTIVE_EVERYWHERE, RepDirectoryEntry, parse_territory_text
from territory_sync.errors import TerritoryFileError

CASES: dict[str, tuple[str, str]] = {
    "not_yaml": (
        "territories:\n  - name: NA\n    criteria: {country: [US}\n",
        "territories.yaml:3: this is not valid YAML (expected ',' or ']', but got '}'): check "
        "the indentation and quoting on this line",
    ),
    "empty": (
        "# nothing yet\n",
        "territories.yaml: the file is empty: start from the commented file territory-sync "
        "init writes",
    ),
    "unknown_top_key": (
        "territory:\n  - name: NA\n",
        "territories.yaml:1: field 'territory': unknown key 'territory' in the file (did you "
        "mean 'territories'?): use version, settings, reps, territories, named_accounts, holdouts",
    ),
    "no_territories": (
        "version: 1\nsettings: {unmatched: keep_owner}\n",
        "territories.yaml:1: the file defines no territories: add a territories: list",
    ),
    "version_2": (
        "version: 2\nterritories: [{name: NA}]\n",
        "territories.yaml:1: field 'version': version must be 1: this territory-sync reads "
        "version 1 territory files",
    ),
    "duplicate_key": (
        "territories:\n  - name: NA\n    priority: 1\n    priority: 2\n",
        "territories.yaml:4: territory 'NA': key 'priority' appears twice in a territory "
        "(first on line 3): keep one",
    ),
    "territory_without_name": (
        "territories:\n  - criteria: {country: [US]}\n",
        "territories.yaml:2: field 'name': every territory needs a name: add name: ... (for "
        "example NA-West)",
    ),
    "duplicate_name": (
        "territories:\n  - name: NA\n  - name: EMEA\n  - name: NA\n",
        "territories.yaml:4: territory 'NA', field 'name': the name 'NA' is already used by "
        "the territory on line 2: give each territory its own name",
    ),
    "unknown_territory_key": (
        "territories:\n  - name: NA\n    prority: 5\n",
        "territories.yaml:3: territory 'NA', field 'prority': unknown key 'prority' in a "
        "territory (did you mean 'priority'?): use name, parent, priority, criteria, "
        "assignment, members, require, prefer, goals, children",
    ),
    "priority_not_whole": (
        "territories:\n  - name: NA\n    priority: high\n",
        "territories.yaml:3: territory 'NA', field 'priority': priority must be a whole "
        "number; the higher priority wins an overlap",
    ),
    "unknown_criterion": (
        "territories:\n  - name: NA\n    criteria:\n      countries: [US]\n",
        "territories.yaml:4: territory 'NA', field 'countries': unknown criterion 'countries' "
        "(did you mean 'country'?): use country, region, industry, postal_code, employees, "
        "annual_revenue, all, any, not, or a test such as {field: Type, equals: Customer}",
    ),
    "unknown_country": (
        "territories:\n  - name: DACH\n    criteria:\n      country: [DE, Germny]\n",
        "territories.yaml:4: territory 'DACH', field 'country': unknown country 'Germny': use "
        "ISO 3166-1 alpha-2 codes such as US, DE, GB",
    ),
    "unknown_region": (
        "territories:\n  - name: West\n    criteria:\n      region: [US-CA, CA]\n",
        "territories.yaml:4: territory 'West', field 'region': unknown region 'CA': use ISO "
        "3166-2 codes such as US-CA, DE-BY, GB-ENG (country code, hyphen, region code)",
    ),
    "unknown_industry": (
        "territories:\n  - name: Tech\n    criteria:\n      industry: [tech]\n",
        "territories.yaml:4: territory 'Tech', field 'industry': unknown industry 'tech': use "
        "one of software, it_services, financial_services, banking, insurance, healthcare, "
        "biotech_pharma, manufacturing, retail, consumer_goods, media_entertainment, "
        "telecommunications, energy_utilities, education, government, nonprofit, "
        "real_estate_construction, transportation_logistics, hospitality, agriculture, "
        "professional_services, other",
    ),
    "band_empty": (
        "territories:\n  - name: Mid\n    criteria:\n      employees: {min: 1000, max: 200}\n",
        "territories.yaml:4: territory 'Mid', field 'employees': employees band is empty: min "
        "1000 is not below max 200 (min is included, max excluded)",
    ),
    "band_not_number": (
        "territories:\n  - name: Big\n    criteria:\n      annual_revenue:\n        min: "
        "1,000,000\n",
        "territories.yaml:5: territory 'Big', field 'annual_revenue': annual_revenue min must "
        "be a number, e.g. 1000 (no currency signs or thousands separators)",
    ),
    "band_unknown_key": (
        "territories:\n  - name: Big\n    criteria:\n      employees: {minimum: 1000}\n",
        "territories.yaml:4: territory 'Big', field 'employees': unknown key 'minimum' in the "
        "employees band: use min, max",
    ),
    "postal_unquoted": (
        'territories:\n  - name: Boston\n    criteria:\n      postal_code: [02134, "021"]\n',
        "territories.yaml:4: territory 'Boston', field 'postal_code': postal code 02134 must "
        'be in quotes, like "02134": YAML reads an unquoted code as a number and drops leading '
        "zeros",
    ),
    "postal_range_backwards": (
        'territories:\n  - name: Bay\n    criteria:\n      postal_code: {ranges: [["961", '
        '"940"]]}\n',
        "territories.yaml:4: territory 'Bay', field 'postal_code': postal_code range "
        '["961", "940"] runs backwards: write the lower code first',
    ),
    "two_operators": (
        "territories:\n  - name: Customers\n    criteria: {field: Type, equals: Customer, in: "
        "[Partner]}\n",
        "territories.yaml:3: territory 'Customers', field 'Type': the test on 'Type' has both "
        "equals and in: keep one, and combine tests with all: or any:",
    ),
    "no_operator": (
        "territories:\n  - name: Customers\n    criteria: {field: Type}\n",
        "territories.yaml:3: territory 'Customers', field 'Type': the test on 'Type' has no "
        "condition: add equals, in, min/max, matches or present",
    ),
    "bad_regex": (
        'territories:\n  - name: Acme\n    criteria: {field: name, matches: "acme("}\n',
        "territories.yaml:3: territory 'Acme', field 'name': matches pattern 'acme(' is not a "
        "valid regular expression (missing ): 'acme('): fix it, or escape special characters "
        "with a backslash",
    ),
    "regex_lookbehind": (
        'territories:\n  - name: Acme\n    criteria: {field: name, matches: "(?<=the )acme"}\n',
        "territories.yaml:3: territory 'Acme', field 'name': matches pattern '(?<=the )acme' uses "
        "a lookbehind (?<=...), which is not supported: patterns run in linear time, without "
        "lookaround or backreferences (RE2 syntax, https://github.com/google/re2/wiki/Syntax); "
        "rewrite it without that construct",
    ),
    "regex_backreference": (
        "territories:\n  - name: Twins\n    criteria: {field: name, matches: '(\\w)\\1'}\n",
        "territories.yaml:3: territory 'Twins', field 'name': matches pattern '(\\w)\\1' uses a "
        "backreference \\1, which is not supported: patterns run in linear time, without "
        "lookaround or backreferences (RE2 syntax, https://github.com/google/re2/wiki/Syntax); "
        "rewrite it without that construct",
    ),
    "min_on_text": (
        "territories:\n  - name: A\n    criteria: {field: city, min: 3}\n",
        "territories.yaml:3: territory 'A', field 'city': min and max compare numbers, and "
        "'city' holds text: use equals, in or matches",
    ),
    "bad_email": (
        "territories:\n  - name: NA\n    members:\n      - email: ana.ortiz\n",
        "territories.yaml:4: territory 'NA', field 'members': 'ana.ortiz' is not an email "
        "address: write the rep's email as the CRMs have it, e.g. ana.ortiz@example.com",
    ),
    "unknown_rep": (
        "territories:\n  - name: NA\n    members:\n      - email: ana.ortiz@acme-revenue.example\n",
        "territories.yaml:4: territory 'NA', field 'members': unknown rep "
        "ana.ortiz@acme-revenue.example: no Salesforce user or HubSpot owner has this email in "
        "the last pull; check the spelling, or run a sync if the rep is new",
    ),
    "overlay_capacity": (
        "territories:\n  - name: NA\n    members:\n      - email: sam@acme-revenue.example\n   "
        "     role: overlay\n        capacity: 10\n",
        "territories.yaml:6: territory 'NA', field 'capacity': capacity applies to owners "
        "only: remove it, or make sam@acme-revenue.example an owner",
    ),
    "weight_zero": (
        "territories:\n  - name: NA\n    members:\n      - email: sam@acme-revenue.example\n   "
        "     weight: 0\n",
        "territories.yaml:5: territory 'NA', field 'weight': weight must be a number above 0: "
        "the member's share of new accounts (default 1)",
    ),
    "duplicate_member": (
        "territories:\n  - name: NA\n    members:\n      - email: sam@acme-revenue.example\n   "
        "   - email: Sam@acme-revenue.example\n",
        "territories.yaml:5: territory 'NA', field 'members': sam@acme-revenue.example is "
        "listed twice in this territory (first on line 4): keep one",
    ),
    "bad_role": (
        "territories:\n  - name: NA\n    members:\n      - email: sam@acme-revenue.example\n   "
        "     role: manager\n",
        "territories.yaml:5: territory 'NA', field 'role': role must be owner or overlay, not "
        "'manager'",
    ),
    "single_two_owners": (
        "territories:\n  - name: NA\n    assignment: single\n    members:\n      - email: "
        "ana@acme-revenue.example\n      - email: sam@acme-revenue.example\n",
        "territories.yaml:3: territory 'NA', field 'assignment': assignment: single needs "
        "exactly one owner member, and this territory has 2: make the others overlays, or use "
        "assignment: balanced",
    ),
    "unknown_parent": (
        "territories:\n  - name: NA-West\n    parent: NAM\n  - name: NA\n",
        "territories.yaml:3: territory 'NA-West', field 'parent': parent 'NAM' is not a "
        "territory in this file (did you mean 'NA'?): fix the name or add the territory",
    ),
    "cycle": (
        "territories:\n  - name: A\n    parent: C\n  - name: B\n    parent: A\n  - name: C\n   "
        " parent: B\n",
        "territories.yaml:3: territory 'A', field 'parent': territories form a cycle through "
        "parent: A > C > B > A: one of them must be top-level (remove its parent)",
    ),
    "nested_other_parent": (
        "territories:\n  - name: NA\n    children:\n      - name: West\n        parent: EMEA\n "
        " - name: EMEA\n",
        "territories.yaml:5: territory 'West', field 'parent': this territory is nested under "
        "'NA' but says parent: EMEA: remove parent:, or move the territory",
    ),
    "catch_all_unknown": (
        "settings:\n  unmatched: catch_all\n  catch_all: Rest\nterritories:\n  - name: "
        "Rest-of-World\n",
        "territories.yaml:3: field 'catch_all': catch_all names 'Rest', which is not a "
        "territory in this file: add that territory or fix the name",
    ),
    "catch_all_with_criteria": (
        "settings:\n  unmatched: catch_all\n  catch_all: Rest\nterritories:\n  - name: Rest\n  "
        "  criteria: {country: [US]}\n",
        "territories.yaml:6: territory 'Rest', field 'criteria': the catch-all territory takes "
        "every account no other territory matches, so it has no criteria and no children: "
        "remove them",
    ),
    "catch_all_missing": (
        "settings:\n  unmatched: catch_all\nterritories:\n  - name: Rest\n",
        "territories.yaml:2: field 'catch_all': unmatched: catch_all needs catch_all: NAME, "
        "the territory that takes the accounts no other territory matches",
    ),
    "balance_by_invalid": (
        "settings:\n  balance_by: deals\nterritories:\n  - name: Rest\n",
        "territories.yaml:2: field 'balance_by': balance_by must be accounts, revenue or "
        "employees, not 'deals'",
    ),
    "named_both_targets": (
        "territories: [{name: NA}]\nnamed_accounts:\n  - domain: acme.com\n    territory: NA\n "
        "   rep: ana@acme-revenue.example\n",
        "territories.yaml:3: field 'named_accounts': a named account has both territory and "
        "rep: pin it to one",
    ),
    "named_unknown_territory": (
        "territories: [{name: NA}]\nnamed_accounts:\n  - domain: acme.com\n    territory: Na\n",
        "territories.yaml:4: field 'territory': territory 'Na' is not defined in this file "
        "(did you mean 'NA'?): fix the name or add the territory",
    ),
    "named_bad_salesforce_id": (
        "territories: [{name: NA}]\nnamed_accounts:\n  - salesforce_id: 001-ABC\n    "
        "territory: NA\n",
        "territories.yaml:3: field 'salesforce_id': '001-ABC' is not a Salesforce id: use the "
        "15- or 18-character Account id, e.g. 0015g00000ABCDEAAA",
    ),
    "named_duplicate": (
        "territories: [{name: NA}]\nnamed_accounts:\n  - domain: acme.com\n    territory: NA\n "
        " - domain: www.acme.com\n    territory: NA\n",
        "territories.yaml:5: field 'domain': domain acme.com is already named on line 3: keep "
        "one entry per account",
    ),
    "holdout_without_criteria": (
        "territories: [{name: NA}]\nholdouts:\n  - name: Customers\n",
        "territories.yaml:3: field 'criteria': holdout 'Customers' needs criteria: the "
        "accounts it keeps with their owner",
    ),
}

KNOWN_REPS = {
    email: RepDirectoryEntry(email, ACTIVE_EVERYWHERE, True, True)
    for email in ("sam@acme-revenue.example", "ana@acme-revenue.example")
}


@pytest.mark.parametrize(("text", "message"), list(CASES.values()), ids=list(CASES))
def test_a_malformed_file_is_rejected_with_a_message_saying_where_and_what_to_do(
    text: str, message: str
) -> None:
    with pytest.raises(TerritoryFileError) as raised:
        parse_territory_text(text, "territories.yaml", known_reps=KNOWN_REPS)
    assert str(raised.value) == message


def test_the_error_carries_its_parts_for_the_command_line() -> None:
    text, _ = CASES["unknown_country"]
    with pytest.raises(TerritoryFileError) as raised:
        parse_territory_text(text, "territories.yaml")
    error = raised.value
    assert (error.file, error.line, error.territory, error.field) == (
        "territories.yaml",
        4,
        "DACH",
        "country",
    )
