"""The set of values a plain criterion accepts, used to prove overlaps, shadowing and disjointness.

Only "pure" criteria have a domain: value lists (`country`, `region`, `industry`, `in`,
`equals`), numeric bands (`employees`, `annual_revenue`, `min`/`max`) and postal-code prefixes,
combined with AND. A territory whose criteria are all pure is described by one domain per field;
two such territories provably share an account when they constrain the same fields and their
domains intersect on every one of them. Anything else (`any`, `not`, `matches`, `present`, postal
ranges) has no domain, and the proofs conservatively say "not proven": ties are then reported at
run time instead of rejected at load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mapping.territories.values import Number


@dataclass(frozen=True, slots=True)
class ValueDomain:
    values: frozenset[object]


@dataclass(frozen=True, slots=True)
class IntervalDomain:
    """Inclusive `low`, exclusive `high`; None is unbounded."""

    low: Number | None
    high: Number | None


@dataclass(frozen=True, slots=True)
class PrefixDomain:
    prefixes: frozenset[str]


Domain = ValueDomain | IntervalDomain | PrefixDomain
PureConstraints = Mapping[str, Domain]
"""Field name -> the values a territory accepts for it (fields not named: anything)."""


def _max_low(a: Number | None, b: Number | None) -> Number | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _min_high(a: Number | None, b: Number | None) -> Number | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _prefix_meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """Codes starting with a prefix of each set: the longer of every pair that nests."""
    meet = set()
    for p in a:
        for q in b:
            if p.startswith(q):
                meet.add(p)
            elif q.startswith(p):
                meet.add(q)
    return frozenset(meet)


def intersect(a: Domain, b: Domain) -> Domain | None:
    """The values both accept; None when the two kinds cannot be compared (not proven)."""
    if isinstance(a, ValueDomain) and isinstance(b, ValueDomain):
        return ValueDomain(a.values & b.values)
    if isinstance(a, IntervalDomain) and isinstance(b, IntervalDomain):
        return IntervalDomain(_max_low(a.low, b.low), _min_high(a.high, b.high))
    if isinstance(a, PrefixDomain) and isinstance(b, PrefixDomain):
        return PrefixDomain(_prefix_meet(a.prefixes, b.prefixes))
    return None


def is_empty(domain: Domain) -> bool:
    if isinstance(domain, ValueDomain):
        return not domain.values
    if isinstance(domain, IntervalDomain):
        return domain.low is not None and domain.high is not None and domain.low >= domain.high
    return not domain.prefixes


def is_subset(inner: Domain, outer: Domain) -> bool:
    """Every value `inner` accepts, `outer` accepts too (False when not comparable)."""
    if isinstance(inner, ValueDomain) and isinstance(outer, ValueDomain):
        return inner.values <= outer.values
    if isinstance(inner, IntervalDomain) and isinstance(outer, IntervalDomain):
        low_ok = outer.low is None or (inner.low is not None and inner.low >= outer.low)
        high_ok = outer.high is None or (inner.high is not None and inner.high <= outer.high)
        return low_ok and high_ok
    if isinstance(inner, PrefixDomain) and isinstance(outer, PrefixDomain):
        return all(any(p.startswith(q) for q in outer.prefixes) for p in inner.prefixes)
    return False


def conjoin(a: PureConstraints, b: PureConstraints) -> dict[str, Domain] | None:
    """Both constraints at once (a parent's and its child's); None when not comparable."""
    joined = dict(a)
    for name, domain in b.items():
        if name in joined:
            met = intersect(joined[name], domain)
            if met is None:
                return None
            joined[name] = met
        else:
            joined[name] = domain
    return joined


def _countries_of_regions(domain: Domain) -> frozenset[object] | None:
    if not isinstance(domain, ValueDomain):
        return None
    return frozenset(str(code).split("-", 1)[0] for code in domain.values)


def is_satisfiable(constraints: PureConstraints) -> bool:
    """Some account with consistent values can meet them all: no field is empty, and some
    allowed region lies in an allowed country (load-time checks only: a reasonable reading of
    what an admin meant, where a wrong guess costs a missed warning or a missed rejection)."""
    if any(is_empty(domain) for domain in constraints.values()):
        return False
    region, country = constraints.get("region"), constraints.get("country")
    if region is not None and isinstance(country, ValueDomain):
        countries = _countries_of_regions(region)
        return countries is None or bool(countries & country.values)
    return True


def provably_overlap(a: PureConstraints, b: PureConstraints) -> bool:
    """Both constrain exactly the same fields and some account meets both."""
    if set(a) != set(b):
        return False
    both = conjoin(a, b)
    return both is not None and is_satisfiable(both)


def provably_contains(outer: PureConstraints, inner: PureConstraints) -> bool:
    """Every account meeting `inner` meets `outer` (outer constrains nothing inner leaves open)."""
    for name, domain in outer.items():
        if name in inner:
            if not is_subset(inner[name], domain):
                return False
        elif name == "country" and "region" in inner and isinstance(domain, ValueDomain):
            countries = _countries_of_regions(inner["region"])
            if countries is None or not countries <= domain.values:
                return False
        else:
            return False
    return True


def provably_disjoint(a: PureConstraints, b: PureConstraints) -> bool:
    """No account can meet both: on some field both constrain, their values do not intersect.

    Unlike the load-time checks, this proof decides what the engine skips testing, so it
    assumes nothing about how fields relate (a region is not taken to imply its country: a
    business's country and region may come from different CRM records)."""
    for name in set(a) & set(b):
        met = intersect(a[name], b[name])
        if met is not None and is_empty(met):
            return True
    return False
