"""Load-time checks across territories: proven overlaps (errors), and territories that can never
win, never match or have nobody to own their accounts (warnings), overall or, when the reps are
known, in one CRM (`territories_without_active_member`, also read by an evaluation for its run
figures).

Overlaps and shadowing are proven only for "pure" territories, whose criteria (ancestors'
included) are plain lists and bands (see `domains`): two territories of the same priority and
depth that constrain the same fields with intersecting values would tie on some account, which
the file must settle, so loading fails (every proven overlap is reported, with the file's other
errors). Anything not proven is left to run time, where a tie
leaves the account unassigned with a `tie` reason. Comparisons stay within the territory index's
country buckets, so a file of a thousand territories is checked in a moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from yaml.nodes import Node

from mapping.territories.criteria import constraints_of, countries_required
from mapping.territories.domains import (
    Domain,
    IntervalDomain,
    PrefixDomain,
    PureConstraints,
    ValueDomain,
    conjoin,
    is_satisfiable,
    provably_contains,
    provably_overlap,
)
from mapping.territories.facts import CRM_NAMES, RECORDS_NOUNS, SOURCES, RepDirectoryEntry
from mapping.territories.rules import LoadedTerritories, Territory
from mapping.territories.skills import NO_SKILLS, qualifies
from mapping.territories.values import shown, shown_number
from mapping.territories.yaml_nodes import Where


def check_rules(rules: LoadedTerritories, where: Where, nodes: Mapping[str, Node]) -> list[str]:
    """Report each proven overlap (`Where.report`: raised at once when `where` keeps no list
    of errors); return warnings, in file order."""
    territories = [t for t in rules.territories.values() if not t.is_catch_all]
    order = {t.name: i for i, t in enumerate(territories)}
    pure = {t.name: constraints_of(t.criteria) for t in territories}
    countries = {t.name: countries_required(t.criteria) for t in territories}
    _reject_proven_overlaps(territories, pure, countries, order, where, nodes)
    buckets = _buckets(territories, countries)
    warnings: list[str] = []
    for territory in rules.territories.values():
        at = where.inside(territory.name)
        node = nodes.get(territory.name)
        if not territory.is_catch_all:
            never = _never_matches(territory)
            if never:
                warnings.append(at.warning(never, node, "criteria"))
                continue
            shadow = _shadowed_by(territory, rules, buckets, pure, countries)
            if shadow:
                warnings.append(at.warning(shadow, node, "priority"))
        if (
            territory.require
            and territory.owners
            and not any(
                qualifies(rules.skills.get(m.email, NO_SKILLS), territory.require)
                for m in territory.owners
            )
        ):
            wanted = "; ".join(test.describe() for test in territory.require)
            warnings.append(
                at.warning(
                    f"territory {territory.name!r} requires {wanted}, and none of its owner "
                    "members has that under reps:, so the accounts it wins keep their "
                    "current owner: add a member who qualifies, or describe their skills",
                    node,
                    "require",
                )
            )
        if not territory.children and not territory.owners:
            warnings.append(
                at.warning(
                    f"territory {territory.name!r} has no owner members, so the accounts it wins "
                    "keep their current owner: add members with role owner",
                    node,
                    "members",
                )
            )
    return warnings


def territories_without_active_member(
    territories: Iterable[Territory], reps: Mapping[str, RepDirectoryEntry]
) -> dict[str, list[str]]:
    """CRM -> names (sorted) of the territories that have owner members but none active in that
    CRM: their records in that CRM keep their owners. Only CRMs where some rep has a seat count
    (a product run against one CRM is not told about the other), and only CRMs with such a
    territory appear. A territory with no owner members at all is a file warning of its own."""
    in_use = [source for source in SOURCES if any(e.has_seat_in(source) for e in reps.values())]
    found: dict[str, list[str]] = {}
    for territory in territories:
        owners = territory.owners
        if not owners:
            continue
        states = [reps[m.email].active_in for m in owners if m.email in reps]
        for source in in_use:
            if not any(source in active_in for active_in in states):
                found.setdefault(source, []).append(territory.name)
    return {source: sorted(names) for source, names in found.items()}


def active_member_warnings(
    rules: LoadedTerritories,
    where: Where,
    nodes: Mapping[str, Node],
    reps: Mapping[str, RepDirectoryEntry],
) -> list[str]:
    """One warning per territory left without an owner member active in some CRM, in file
    order, naming the CRMs: a rep leaving is ordinary, but it must be visible."""
    missing: dict[str, list[str]] = {}
    for source, names in territories_without_active_member(
        rules.territories.values(), reps
    ).items():
        for name in names:
            missing.setdefault(name, []).append(source)
    warnings = []
    for name in rules.territories:
        if name not in missing:
            continue
        sources = [source for source in SOURCES if source in missing[name]]
        crms = " or in ".join(CRM_NAMES[source] for source in sources)
        records = " and ".join(RECORDS_NOUNS[source] for source in sources)
        warnings.append(
            where.inside(name).warning(
                f"territory {name!r} has no owner member active in {crms}, so its {records} keep "
                f"their owners: add an owner member active in {crms}, or reactivate one",
                nodes.get(name),
                "members",
            )
        )
    return warnings


def _buckets(
    territories: list[Territory], countries: Mapping[str, frozenset[str] | None]
) -> dict[str | None, list[Territory]]:
    buckets: dict[str | None, list[Territory]] = {}
    for territory in territories:
        required = countries[territory.name]
        for country in required if required is not None else (None,):
            buckets.setdefault(country, []).append(territory)
    return buckets


def _neighbours(
    territory: Territory,
    buckets: Mapping[str | None, list[Territory]],
    countries: Mapping[str, frozenset[str] | None],
) -> list[Territory]:
    """Territories that could share an account with `territory`, judged by country alone."""
    required = countries[territory.name]
    if required is None:
        return [t for bucket in buckets.values() for t in bucket]
    found = list(buckets.get(None, []))
    for country in required:
        found += buckets.get(country, [])
    return found


def _reject_proven_overlaps(
    territories: list[Territory],
    pure: Mapping[str, PureConstraints | None],
    countries: Mapping[str, frozenset[str] | None],
    order: Mapping[str, int],
    where: Where,
    nodes: Mapping[str, Node],
) -> None:
    groups: dict[tuple[int, int], list[Territory]] = {}
    for territory in territories:
        if pure[territory.name] is not None:
            groups.setdefault((territory.priority, territory.depth), []).append(territory)
    for group in groups.values():
        buckets: dict[str | None, list[Territory]] = {}
        for later in group:
            earlier_ones = {t.name: t for t in _neighbours(later, buckets, countries)}
            for name in sorted(earlier_ones, key=order.__getitem__):
                a, b = pure[name], pure[later.name]
                assert a is not None and b is not None
                if provably_overlap(a, b):
                    shared = conjoin(a, b) or {}
                    where.inside(later.name).report(
                        f"territories {name!r} and {later.name!r} both match accounts with "
                        f"{describe(shared)}, at the same priority ({later.priority}) and depth "
                        f"({later.depth}), so neither would win: give one a higher priority, or "
                        "narrow one of them",
                        nodes.get(later.name),
                        "criteria",
                    )
            required = countries[later.name]
            for country in required if required is not None else (None,):
                buckets.setdefault(country, []).append(later)


def _never_matches(territory: Territory) -> str | None:
    plain = [c for c in territory.criteria if c.domain() is not None]
    constraints = constraints_of(plain)
    if constraints is None or is_satisfiable(constraints):
        return None
    inherited = " and its parents'" if territory.parent else ""
    return (
        f"territory {territory.name!r} can never match: its criteria{inherited} contradict each "
        f"other ({describe(constraints)}); fix the criteria"
    )


def _shadowed_by(
    territory: Territory,
    rules: LoadedTerritories,
    buckets: Mapping[str | None, list[Territory]],
    pure: Mapping[str, PureConstraints | None],
    countries: Mapping[str, frozenset[str] | None],
) -> str | None:
    ancestor = territory.parent
    while ancestor is not None:
        above = rules.territories[ancestor]
        if above.priority > territory.priority:
            return (
                f"territory {territory.name!r} can never win an account: its ancestor "
                f"{above.name!r} matches every account it matches and has a higher priority "
                f"({above.priority} over {territory.priority}); raise {territory.name!r}'s "
                "priority"
            )
        ancestor = above.parent
    mine = pure[territory.name]
    if mine is None:
        return None
    for other in _neighbours(territory, buckets, countries):
        theirs = pure[other.name]
        if other is territory or theirs is None:
            continue
        outranks = other.priority > territory.priority or (
            other.priority == territory.priority and other.depth > territory.depth
        )
        if outranks and provably_contains(theirs, mine):
            why = (
                f"a higher priority ({other.priority} over {territory.priority})"
                if other.priority > territory.priority
                else "the same priority and a deeper place in the hierarchy"
            )
            return (
                f"territory {territory.name!r} can never win an account: {other.name!r} matches "
                f"every account it matches and has {why}; raise {territory.name!r}'s priority, "
                f"or narrow {other.name!r}"
            )
    return None


def describe(constraints: PureConstraints) -> str:
    """Constraints as a phrase: "country US, industry software, employees at least 1,000"."""
    if not constraints:
        return "no criteria at all"
    return ", ".join(_describe_one(name, constraints[name]) for name in sorted(constraints))


def _describe_one(name: str, domain: Domain) -> str:
    if isinstance(domain, ValueDomain):
        values = sorted(domain.values, key=str)
        if not values:
            return f"no {name} at all"
        listed = ", ".join(
            v if isinstance(v, str) and name in _CODES else shown(v) for v in values[:3]
        )
        return f"{name} {listed}" + (" and more" if len(values) > 3 else "")
    if isinstance(domain, IntervalDomain):
        low, high = domain.low, domain.high
        if low is not None and high is not None:
            if low >= high:
                return f"no {name} at all"
            return f"{name} from {shown_number(low)} to under {shown_number(high)}"
        if low is not None:
            return f"{name} at least {shown_number(low)}"
        if high is not None:
            return f"{name} under {shown_number(high)}"
        return f"any {name}"
    prefixes = sorted(domain.prefixes) if isinstance(domain, PrefixDomain) else []
    if not prefixes:
        return f"no {name} at all"
    return f"{name} starting {', '.join(prefixes[:3])}" + (" and more" if len(prefixes) > 3 else "")


_CODES = frozenset({"country", "region", "industry"})
