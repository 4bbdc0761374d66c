"""Goals in the territory file: what each territory, and each of its owner members, should reach
in a period, and the reporting currency amounts are compared in.

    settings:
      fiscal_year_start_month: 2     # optional, 1 to 12 (default 1): see `periods`
      reporting_currency: USD        # optional (default USD): goals' amounts are in it
      currency_rates: {EUR: 1.08, GBP: 1.27}   # 1 EUR = 1.08 USD; amounts in a currency
                                               # without a rate are left out, and reported
    territories:
      - name: NA-West
        goals:
          period: quarter            # month | quarter | fiscal_year
          bookings: 250000           # closed-won amount in the period (by close date)
          pipeline_created: 600000   # amount of the opportunities created in the period
          open_pipeline_coverage: 3  # open pipeline closing in the period / the quota left
          accounts: 120              # accounts owned now
          accounts_with_open_opportunity: 0.4  # share (0 to 1) of accounts with an open one
          members:                   # optional: owner members' own goals, by email
            maya.chen@acme-revenue.example: {bookings: 150000}
        members:
          - email: daniel.okafor@acme-revenue.example
            goals: {bookings: 100000}          # or under the member, the same metrics

The quota is the bookings goal, so `open_pipeline_coverage` needs a `bookings` goal beside it.
A member's goals share the territory's period (`period:` may repeat it, never differ); a
territory with members' goals only takes its period from them. Goals are for owner members: an
overlay, or an email that is no owner member of the territory, is an error naming its line.

An amount that carries no currency (a single-currency Salesforce org has no `CurrencyIsoCode`;
a HubSpot portal without multi-currency leaves `deal_currency_code` empty) is taken to be in
the reporting currency. What each metric counts, and over which accounts, is the scorecard's
business (`sync.scorecards`); the rules engine only holds what is parsed here
(`Settings.goals`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from yaml.nodes import Node

from mapping.territories.periods import PERIOD_KINDS, FiscalCalendar
from mapping.territories.yaml_nodes import (
    Where,
    integer,
    line_of,
    mapping_items,
    number,
    one_of,
    suggestion,
    text,
)

BOOKINGS = "bookings"
PIPELINE_CREATED = "pipeline_created"
OPEN_PIPELINE_COVERAGE = "open_pipeline_coverage"
ACCOUNTS = "accounts"
ACCOUNTS_WITH_OPEN_OPPORTUNITY = "accounts_with_open_opportunity"
METRICS = (
    BOOKINGS,
    PIPELINE_CREATED,
    OPEN_PIPELINE_COVERAGE,
    ACCOUNTS,
    ACCOUNTS_WITH_OPEN_OPPORTUNITY,
)
"""Every metric a goal may set, in the order scorecards list them."""
AMOUNT_METRICS = (BOOKINGS, PIPELINE_CREATED)
"""Metrics that are amounts in the reporting currency."""
POINT_IN_TIME_METRICS = (OPEN_PIPELINE_COVERAGE, ACCOUNTS, ACCOUNTS_WITH_OPEN_OPPORTUNITY)
"""Metrics read as things stand at the moment they are computed (not summed over the period)."""
PERIOD = "period"
MEMBERS = "members"
REPORTING_KEYS = ("fiscal_year_start_month", "reporting_currency", "currency_rates")
"""The keys of `settings` read here."""
DEFAULT_CURRENCY = "USD"
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_FIELD = "goals"
_CENT = Decimal("0.01")

Targets = Mapping[str, Decimal]
"""Metric -> goal, in `METRICS` order."""


@dataclass(frozen=True, slots=True)
class Reporting:
    """`settings.fiscal_year_start_month`, `reporting_currency` and `currency_rates`."""

    fiscal_year_start_month: int = 1
    currency: str = DEFAULT_CURRENCY
    rates: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    """Currency code -> how many units of the reporting currency one unit of it is worth."""

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fiscal_year_start_month)

    def currency_of(self, code: str | None) -> str:
        """The currency of an amount, upper case; an amount without one is in the reporting
        currency (see the module's docstring)."""
        return code.strip().upper() if code and code.strip() else self.currency

    def convert(self, amount: Decimal, code: str | None) -> Decimal | None:
        """`amount` (in currency `code`) in the reporting currency; None without a rate."""
        currency = self.currency_of(code)
        if currency == self.currency:
            return amount
        rate = self.rates.get(currency)
        return None if rate is None else (amount * rate).quantize(_CENT)


@dataclass(frozen=True, slots=True)
class TerritoryGoals:
    """A territory's goals for one kind of period, and its owner members' own."""

    territory: str
    period: str
    """`month`, `quarter` or `fiscal_year`."""
    targets: Targets
    """The territory's own goals (empty when only members have goals)."""
    members: Mapping[str, Targets]
    """Owner member (lower-case email) -> their goals in this territory."""
    line: int

    def targets_of(self, rep: str | None) -> Targets:
        """The goals of the territory (rep None) or of one of its owner members (none: {})."""
        return self.targets if rep is None else self.members.get(rep, {})

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric the territory or a member sets a goal for, in `METRICS` order."""
        named = {*self.targets, *(m for targets in self.members.values() for m in targets)}
        return tuple(metric for metric in METRICS if metric in named)


@dataclass(frozen=True, slots=True)
class Goals:
    """Every territory's goals (file order) and how they are reported; empty without goals."""

    reporting: Reporting = field(default_factory=Reporting)
    territories: Mapping[str, TerritoryGoals] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.territories)

    @property
    def reads_opportunities(self) -> bool:
        """A goal counts opportunities, so a run must pull them."""
        return any(set(goals.metrics) - {ACCOUNTS} for goals in self.territories.values())


# --- reading the file --------------------------------------------------------------------------


def read_reporting(values: Mapping[str, Node], where: Where) -> Reporting:
    """The reporting keys of `settings` (those of `REPORTING_KEYS` it has); each is checked
    whatever the others hold (one with an error keeps its default, `Where.collecting`)."""
    month = 1
    if "fiscal_year_start_month" in values:
        node = values["fiscal_year_start_month"]
        message = (
            "fiscal_year_start_month must be the month the fiscal year starts in, 1 (January) "
            "to 12; FY2027 is the fiscal year that ends in 2027"
        )
        with where.collecting():
            written = integer(node, where, message, "fiscal_year_start_month")
            if not 1 <= written <= 12:
                raise where.error(message, node, "fiscal_year_start_month")
            month = written
    currency = DEFAULT_CURRENCY
    if "reporting_currency" in values:
        with where.collecting():
            currency = _currency(values["reporting_currency"], where, "reporting_currency")
    rates: dict[str, Decimal] = {}
    if "currency_rates" in values:
        with where.collecting():
            rates = _rates(values["currency_rates"], where, currency)
    return Reporting(month, currency, MappingProxyType(rates))


def _rates(node: Node, where: Where, currency: str) -> dict[str, Decimal]:
    """`currency_rates`: how many units of `currency` one unit of each other currency is."""
    example = f"currency_rates: {{EUR: 1.08}} (1 EUR = 1.08 {currency})"
    rates: dict[str, Decimal] = {}
    for _, key_node, value in mapping_items(node, where, "currency_rates", "currency_rates"):
        code = _currency(key_node, where, "currency_rates")
        if code == currency:
            raise where.error(
                f"{code} is the reporting currency, which counts 1 for 1: remove it from "
                "currency_rates",
                key_node,
                "currency_rates",
            )
        message = f"the rate of {code} must be a number above 0, as in {example}"
        rate = number(value, where, message, "currency_rates")
        if rate <= 0:
            raise where.error(message, value, "currency_rates")
        rates[code] = Decimal(str(rate))
    return rates


def _currency(node: Node, where: Where, key: str) -> str:
    message = f"{key} must be a three-letter currency code such as USD, EUR or GBP"
    code = text(node, where, message, key).upper()
    if not _CURRENCY.match(code):
        raise where.error(f"{message}, not {code!r}", node, key)
    return code


@dataclass(frozen=True, slots=True)
class _GoalSet:
    period: str | None
    period_node: Node | None
    targets: Targets
    node: Node


def read_territory_goals(
    node: Node | None,
    where: Where,
    owners: Collection[str],
    overlays: Collection[str],
    member_nodes: Mapping[str, Node],
) -> TerritoryGoals | None:
    """A territory's `goals:` (None when absent) with its members' `goals:` (`member_nodes`,
    by email); `owners` and `overlays` are its members' emails. None when nobody has goals."""
    own = _goal_set(node, where, members_allowed=True) if node is not None else None
    members: dict[str, _GoalSet] = {}
    for email, member_node in member_nodes.items():
        _check_owner(email, member_node, where, owners, overlays)
        members[email] = _goal_set(member_node, where, members_allowed=False)
    if node is not None:
        for email, key_node, value in _members_block(node, where):
            _check_owner(email, key_node, where, owners, overlays)
            if email in members:
                raise where.error(
                    f"{email} has goals under goals.members and under their member entry (line "
                    f"{line_of(member_nodes[email])}): keep one",
                    key_node,
                    _FIELD,
                )
            members[email] = _goal_set(value, where, members_allowed=False)
    if own is None and not members:
        return None
    period = _period_of(own, members, where)
    for goal_set in (own, *members.values()):
        if goal_set is not None:
            _check_coverage(goal_set, where)
    return TerritoryGoals(
        territory=where.territory or "",
        period=period,
        targets=own.targets if own is not None else MappingProxyType({}),
        members=MappingProxyType({e: members[e].targets for e in owners if e in members}),
        line=line_of(node if node is not None else next(iter(member_nodes.values()))) or 0,
    )


def _check_owner(
    email: str, node: Node, where: Where, owners: Collection[str], overlays: Collection[str]
) -> None:
    if email in owners:
        return
    if email in overlays:
        raise where.error(
            f"{email} is an overlay here, and goals are for owner members (an overlay owns no "
            f"accounts of the territory): remove their goals, or make them an owner",
            node,
            _FIELD,
        )
    raise where.error(
        f"{email} is not an owner member of this territory{suggestion(email, owners)}: goals "
        "are for its owner members; add them under members:, or fix the email",
        node,
        _FIELD,
    )


def _members_block(node: Node, where: Where) -> list[tuple[str, Node, Node]]:
    """`goals.members`: (lower-case email, key node, goals node) per member."""
    found: list[tuple[str, Node, Node]] = []
    for key, _, value in mapping_items(node, where, "goals", _FIELD):
        if key != MEMBERS:
            continue
        for _, key_node, goals in mapping_items(value, where, "goals.members", _FIELD):
            email = text(key_node, where, "goals.members lists members by email", _FIELD)
            found.append((email.lower(), key_node, goals))
    return found


def _goal_set(node: Node, where: Where, *, members_allowed: bool) -> _GoalSet:
    """One `goals:` mapping: its period (None when absent) and its metrics' goals."""
    items = mapping_items(node, where, "goals", _FIELD)
    allowed = (PERIOD, *METRICS, *((MEMBERS,) if members_allowed else ()))
    period, period_node = None, None
    found: dict[str, Decimal] = {}
    for key, key_node, value in items:
        if key not in allowed:
            nested = "" if members_allowed else " (members' goals are set in their territory)"
            raise where.error(
                f"unknown metric {key!r}{suggestion(key, allowed)}: goals may set "
                f"{one_of(METRICS)}, and period{nested}",
                key_node,
                _FIELD,
            )
        if key == PERIOD:
            period, period_node = _period(value, where), value
        elif key != MEMBERS:
            found[key] = _target(key, value, where)
    if not found and not (members_allowed and any(key == MEMBERS for key, _, _ in items)):
        raise where.error(
            f"goals set no metric: give at least one of {one_of(METRICS)}, or remove goals",
            node,
            _FIELD,
        )
    targets = {metric: found[metric] for metric in METRICS if metric in found}
    return _GoalSet(period, period_node, MappingProxyType(targets), node)


def _period(node: Node, where: Where) -> str:
    message = f"period must be {one_of(PERIOD_KINDS)}"
    value = text(node, where, message, _FIELD)
    if value not in PERIOD_KINDS:
        raise where.error(
            f"{message}, not {value!r}{suggestion(value, PERIOD_KINDS)}", node, _FIELD
        )
    return value


def _target(metric: str, node: Node, where: Where) -> Decimal:
    """A metric's goal: an amount or ratio (0 or more), a count of accounts, or a share."""
    if metric == ACCOUNTS:
        message = "accounts must be a whole number of accounts, 0 or more"
        count = integer(node, where, message, _FIELD)
        if count < 0:
            raise where.error(f"{message}, not {count}", node, _FIELD)
        return Decimal(count)
    if metric == ACCOUNTS_WITH_OPEN_OPPORTUNITY:
        message = (
            f"{metric} must be a share from 0 to 1 of the accounts (0.4: 40% of them have an "
            "open opportunity)"
        )
        share = number(node, where, message, _FIELD)
        if not 0 <= share <= 1:
            raise where.error(f"{message}, not {share}", node, _FIELD)
        return Decimal(str(share))
    what = (
        "how many times the quota left the open pipeline should cover (3: three times)"
        if metric == OPEN_PIPELINE_COVERAGE
        else "an amount in the reporting currency"
    )
    message = f"{metric} must be a number, 0 or more: {what}"
    value = number(node, where, message, _FIELD)
    if value < 0:
        raise where.error(f"{metric} must be 0 or more, not {value}: {what}", node, _FIELD)
    return Decimal(str(value))


def _period_of(own: _GoalSet | None, members: Mapping[str, _GoalSet], where: Where) -> str:
    """The territory's one kind of period: its own, which members' goals may only repeat; or,
    with members' goals only, the one they all name."""
    if own is not None and own.period is None:
        raise where.error(
            f"goals need a period: add period: quarter ({one_of(PERIOD_KINDS)})", own.node, _FIELD
        )
    period = own.period if own is not None else None
    for email, goal_set in members.items():
        if goal_set.period is None or goal_set.period == period:
            continue
        if period is None:
            period = goal_set.period
            continue
        raise where.error(
            f"{email}'s goals are per {goal_set.period} and the territory's per {period}: "
            "members' goals use their territory's period (remove their period:)",
            goal_set.period_node,
            _FIELD,
        )
    if period is None:
        first = next(iter(members.values()))
        raise where.error(
            f"the members' goals need a period: add goals: {{period: quarter}} to the territory "
            f"({one_of(PERIOD_KINDS)})",
            first.node,
            _FIELD,
        )
    return period


def _check_coverage(goal_set: _GoalSet, where: Where) -> None:
    if OPEN_PIPELINE_COVERAGE in goal_set.targets and BOOKINGS not in goal_set.targets:
        raise where.error(
            "open_pipeline_coverage compares the open pipeline with the quota left, which is "
            "the bookings goal: add bookings: beside it",
            goal_set.node,
            _FIELD,
        )
