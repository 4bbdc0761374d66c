"""Goals in the territory file: territories' and owner members' goals, the fiscal year and the
reporting currency; every mistake names the file, the line, the territory and the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mapping.territories.goals import Goals
from mapping.territories.rules import Settings
from sync.pull_related import objects_to_pull
from tests.mapping.territories.support import load, refusal

GOALS_FILE = """\
version: 1
settings:
  fiscal_year_start_month: 2
  reporting_currency: eur
  currency_rates: {USD: 0.92, GBP: 1.17}
territories:
  - name: NA-West
    criteria: {country: [US]}
    goals:
      period: quarter
      bookings: 250000
      pipeline_created: 600_000
      open_pipeline_coverage: 3
      accounts: 120
      accounts_with_open_opportunity: 0.4
      members:
        maya.chen@acme-revenue.example: {bookings: 150000}
    members:
      - email: maya.chen@acme-revenue.example
      - email: daniel.okafor@acme-revenue.example
        goals: {period: quarter, bookings: 100000}
      - email: sam.se@acme-revenue.example
        role: overlay
  - name: EMEA
    criteria: {country: [DE]}
    members:
      - email: lena.fischer@acme-revenue.example
"""


def _territory(goals: str, *, members: str = "") -> str:
    """A file whose NA-West territory has these goals (line 5 is `goals:`)."""
    return (
        "version: 1\n"
        "territories:\n"
        "  - name: NA-West\n"
        "    criteria: {country: [US]}\n"
        f"    goals:\n{goals}"
        "    members:\n"
        "      - email: maya.chen@acme-revenue.example\n"
        "      - email: sam.se@acme-revenue.example\n"
        "        role: overlay\n"
        f"{members}"
    )


def test_goals_load_with_the_territory_and_its_owner_members() -> None:
    goals = load(GOALS_FILE).settings.goals
    west = goals.territories["NA-West"]

    assert list(goals.territories) == ["NA-West"]
    assert west.period == "quarter"
    assert west.targets == {
        "bookings": Decimal("250000"),
        "pipeline_created": Decimal("600000"),
        "open_pipeline_coverage": Decimal("3"),
        "accounts": Decimal("120"),
        "accounts_with_open_opportunity": Decimal("0.4"),
    }
    assert west.members == {
        "maya.chen@acme-revenue.example": {"bookings": Decimal("150000")},
        "daniel.okafor@acme-revenue.example": {"bookings": Decimal("100000")},
    }


def test_the_reporting_settings_give_the_fiscal_year_and_the_currency_rates() -> None:
    reporting = load(GOALS_FILE).settings.goals.reporting

    assert reporting.fiscal_year_start_month == 2
    assert reporting.calendar.parse("FY2027").start.month == 2
    assert reporting.currency == "EUR"
    assert reporting.convert(Decimal("100"), "usd") == Decimal("92.00")
    assert reporting.convert(Decimal("100"), None) == Decimal("100")
    assert reporting.convert(Decimal("100"), "CHF") is None


def test_a_file_without_goals_has_none_and_pulls_no_opportunities_for_them() -> None:
    settings = load(
        "version: 1\nterritories:\n"
        "  - name: EMEA\n    members: [{email: lena.fischer@acme-revenue.example}]\n"
    ).settings

    assert not settings.goals
    assert settings.goals.reporting.currency == "USD"
    assert objects_to_pull(settings, "salesforce") == ("contact",)


def test_goals_that_count_opportunities_have_a_run_pull_them() -> None:
    settings = load(GOALS_FILE).settings
    accounts_only = Settings(goals=Goals(territories={}))

    assert objects_to_pull(settings, "salesforce") == ("contact", "opportunity")
    assert not accounts_only.goals.reads_opportunities


def test_a_misspelt_metric_names_the_line_and_territory_and_suggests_the_metric() -> None:
    message = refusal(_territory("      period: quarter\n      bookngs: 250000\n"))

    assert message.startswith(
        "territories.yaml:7: territory 'NA-West', field 'goals': unknown metric 'bookngs' "
        "(did you mean 'bookings'?)"
    )


def test_a_period_that_is_no_kind_of_period_is_refused_with_the_choices() -> None:
    message = refusal(_territory("      period: quartr\n      bookings: 1\n"))

    assert message.startswith("territories.yaml:6: territory 'NA-West', field 'goals': ")
    assert "period must be month, quarter or fiscal_year, not 'quartr'" in message
    assert "(did you mean 'quarter'?)" in message


def test_goals_without_a_period_are_refused() -> None:
    message = refusal(_territory("      bookings: 1\n"))

    assert "territories.yaml:6: territory 'NA-West', field 'goals': goals need a period" in message


def test_a_negative_goal_is_refused_on_its_line() -> None:
    message = refusal(_territory("      period: month\n      pipeline_created: -5\n"))

    assert message.startswith("territories.yaml:7: territory 'NA-West', field 'goals': ")
    assert "pipeline_created must be 0 or more, not -5" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("accounts_with_open_opportunity: 40", "must be a share from 0 to 1"),
        ("accounts: 12.5", "accounts must be a whole number of accounts"),
        ("bookings: lots", "bookings must be a number, 0 or more"),
    ],
)
def test_a_goal_of_the_wrong_kind_says_what_the_metric_takes(line: str, expected: str) -> None:
    message = refusal(_territory(f"      period: month\n      {line}\n"))

    assert message.startswith("territories.yaml:7: territory 'NA-West', field 'goals': ")
    assert expected in message


def test_a_member_goal_for_someone_who_is_not_a_member_is_refused_with_a_suggestion() -> None:
    message = refusal(
        _territory(
            "      period: quarter\n"
            "      members:\n"
            "        maya.chan@acme-revenue.example: {bookings: 5}\n"
        )
    )

    assert message.startswith("territories.yaml:8: territory 'NA-West', field 'goals': ")
    assert "maya.chan@acme-revenue.example is not an owner member of this territory" in message
    assert "(did you mean 'maya.chen@acme-revenue.example'?)" in message


def test_goals_for_an_overlay_are_refused() -> None:
    message = refusal(
        _territory(
            "      period: quarter\n      bookings: 9\n", members="        goals: {bookings: 5}\n"
        )
    )

    assert message.startswith("territories.yaml:12: territory 'NA-West', field 'goals': ")
    assert "sam.se@acme-revenue.example is an overlay here" in message


def test_a_members_goals_use_their_territorys_period() -> None:
    message = refusal(
        _territory(
            "      period: quarter\n"
            "      members:\n"
            "        maya.chen@acme-revenue.example: {period: month, bookings: 5}\n"
        )
    )

    assert "territories.yaml:8: territory 'NA-West', field 'goals': " in message
    assert (
        "maya.chen@acme-revenue.example's goals are per month and the territory's per quarter"
        in (message)
    )


def test_coverage_needs_the_bookings_goal_it_is_measured_against() -> None:
    message = refusal(_territory("      period: quarter\n      open_pipeline_coverage: 3\n"))

    assert message.startswith("territories.yaml:6: territory 'NA-West', field 'goals': ")
    assert "add bookings: beside it" in message


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("fiscal_year_start_month: 13", "territories.yaml:3: field 'fiscal_year_start_month': "),
        ("reporting_currency: dollars", "territories.yaml:3: field 'reporting_currency': "),
        ("currency_rates: {EUR: 0}", "the rate of EUR must be a number above 0"),
        ("currency_rates: {USD: 1}", "USD is the reporting currency, which counts 1 for 1"),
    ],
)
def test_bad_reporting_settings_are_refused_on_their_line(setting: str, expected: str) -> None:
    message = refusal(
        f"version: 1\nsettings:\n  {setting}\nterritories:\n"
        "  - name: A\n    members: [{email: a@acme-revenue.example}]\n"
    )

    assert expected in message
