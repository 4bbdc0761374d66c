"""The territory index: for an account's (country, region), the few territories that can match it.

Testing every account against every territory costs accounts x territories criteria; most
territories are geographic and an account can only ever meet the handful covering its country.
So each territory is filed under the regions its criteria require (a `region` list, intersected
over its ANDed criteria, ancestors' included), else under the countries they require, else under
"anywhere" when nothing pins it down. For a (country, region) pair the candidates are those filed
under the region, the country, and "anywhere", and every criterion reading only country and
region is decided right then, once for the pair: candidates failing one are dropped, the rest
keep only their other criteria (the "residual" test run per account). The result is cached per
pair, and pairs left with the same territories share one candidate list and one generated
`first_match` function (see `codegen`), so a million accounts across a few thousand pairs
build a few hundred.

Candidates are ordered by the rules of engagement: higher priority first, then deeper (more
specific) first, then by name (which only orders the report of a tie, never decides one). Once
the first matching candidate (the winner) is found, two more questions remain, and the list is
prepared so that both usually need no test at all:
- a tie: another candidate of the same priority and depth that also matches. Only those not
  provably disjoint from the winner (sibling segments with separate employee bands are) are
  tested: `tie_partners`.
- the runner-up, which names the rule that decided: the best other matching candidate ranked
  below. The parent matches whenever the child does (children inherit its criteria), so the
  search stops at the parent; candidates before it that are provably disjoint from the winner
  are skipped: `runner_up_scan`. When nothing is left to test, the rule is known in advance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mapping.territories.codegen import compile_criteria, compile_first_match
from mapping.territories.criteria import (
    Criterion,
    Test,
    countries_required,
    plain_constraints,
    regions_required,
)
from mapping.territories.domains import Domain, provably_disjoint
from mapping.territories.facts import RecordFacts
from mapping.territories.fields import GEOGRAPHIC_FIELDS
from mapping.territories.rules import Territory

PRIORITY = "priority"
SPECIFICITY = "specificity"
ONLY_MATCH = "only_match"


class Candidate:
    """A territory as a candidate for one (country, region) pair."""

    __slots__ = (
        "decided",
        "name",
        "parent",
        "priority",
        "runner_up_scan",
        "settled",
        "territory",
        "test",
        "tie_partners",
    )

    def __init__(self, territory: Territory, test: Test | None) -> None:
        self.territory = territory
        self.name = territory.name
        self.priority = territory.priority
        self.test = test
        """The criteria left after the pair's geography was decided; None when none are left."""
        self.tie_partners: tuple[Candidate, ...] = ()
        self.runner_up_scan: tuple[Candidate, ...] = ()
        self.parent: Candidate | None = None
        self.decided: tuple[str, str | None] = (ONLY_MATCH, None)
        """(rule, runner-up name) when `runner_up_scan` is empty."""
        self.settled = True
        """No tie partner and no runner-up to test: winning settles everything."""

    def __repr__(self) -> str:
        return f"Candidate({self.name!r})"


def rule_against(winner: Candidate, runner_up: Candidate | None) -> tuple[str, str | None]:
    """The rule of engagement that put `winner` ahead of the best other matching territory."""
    if runner_up is None:
        return ONLY_MATCH, None
    if runner_up.priority < winner.priority:
        return PRIORITY, runner_up.name
    return SPECIFICITY, runner_up.name


def link(
    candidates: list[Candidate], disjoint: Callable[[Candidate, Candidate], bool] | None = None
) -> tuple[Candidate, ...]:
    """Order candidates by the rules of engagement and prepare each one's tie and runner-up
    questions (see the module docstring)."""
    candidates.sort(key=lambda c: (-c.priority, -c.territory.depth, c.name))
    apart = disjoint or Disjointness()
    positions = {candidate.name: i for i, candidate in enumerate(candidates)}
    end = len(candidates)
    for i, candidate in enumerate(candidates):
        rank = (candidate.priority, candidate.territory.depth)
        group_end = i + 1
        while (
            group_end < end
            and (
                candidates[group_end].priority,
                candidates[group_end].territory.depth,
            )
            == rank
        ):
            group_end += 1
        parent_at = positions.get(candidate.territory.parent or "")
        candidate.parent = candidates[parent_at] if parent_at is not None else None
        stop = parent_at if parent_at is not None else end
        candidate.tie_partners = tuple(
            other for other in candidates[i + 1 : group_end] if not apart(candidate, other)
        )
        candidate.runner_up_scan = tuple(
            other for other in candidates[group_end:stop] if not apart(candidate, other)
        )
        candidate.decided = rule_against(candidate, candidate.parent)
        candidate.settled = not candidate.tie_partners and not candidate.runner_up_scan
    return tuple(candidates)


class Disjointness:
    """Remembers, per pair of territories, whether no account can match both."""

    def __init__(self) -> None:
        self._plain: dict[str, dict[str, Domain]] = {}
        self._known: dict[tuple[str, str], bool] = {}

    def __call__(self, a: Candidate, b: Candidate) -> bool:
        pair = (a.name, b.name) if a.name < b.name else (b.name, a.name)
        known = self._known.get(pair)
        if known is None:
            known = self._known[pair] = provably_disjoint(
                self._constraints(a.territory), self._constraints(b.territory)
            )
        return known

    def _constraints(self, territory: Territory) -> dict[str, Domain]:
        found = self._plain.get(territory.name)
        if found is None:
            found = self._plain[territory.name] = plain_constraints(territory.criteria)
        return found


class Bucket:
    """The candidates for one (country, region) pair, and `first_match(first, second)`: the
    position of the first candidate whose residual criteria hold, or -1 (generated code)."""

    __slots__ = ("candidates", "first_match")

    def __init__(self, candidates: tuple[Candidate, ...], first_match: Callable[..., int]) -> None:
        self.candidates = candidates
        self.first_match = first_match


class TerritoryIndex:
    """Territories filed by required country, with candidate lists cached per (country, region)."""

    def __init__(
        self, territories: Sequence[Territory], holdouts: Sequence[Criterion] = ()
    ) -> None:
        self.territories = tuple(territories)
        self.holdouts = tuple(holdouts)
        """Compiled into every bucket's `first_match`, which tests them first."""
        self.by_country: dict[str, list[Territory]] = {}
        self.by_region: dict[str, list[Territory]] = {}
        self.anywhere: list[Territory] = []
        self._geographic: dict[str, tuple[Test, ...]] = {}
        self._residual: dict[str, list[Criterion]] = {}
        self._residual_tests: dict[str, Test | None] = {}
        self._disjoint = Disjointness()
        self._buckets: dict[tuple[str, ...], Bucket] = {}
        for territory in self.territories:
            regions = regions_required(territory.criteria)
            countries = countries_required(territory.criteria)
            if regions is not None:
                for region in regions:
                    self.by_region.setdefault(region, []).append(territory)
            elif countries is not None:
                for country in countries:
                    self.by_country.setdefault(country, []).append(territory)
            else:
                self.anywhere.append(territory)
            geographic = [c for c in territory.criteria if c.fields <= GEOGRAPHIC_FIELDS]
            rest = [c for c in territory.criteria if not c.fields <= GEOGRAPHIC_FIELDS]
            self._geographic[territory.name] = tuple(c.test for c in geographic)
            self._residual[territory.name] = rest
            self._residual_tests[territory.name] = compile_criteria(rest) if rest else None
        self.cache: dict[str | None, dict[str | None, Bucket]] = {}

    def bucket(self, country: str | None, region: str | None) -> Bucket:
        by_region = self.cache.get(country)
        if by_region is None:
            by_region = self.cache[country] = {}
        found = by_region.get(region)
        if found is None:
            found = by_region[region] = self._build(country, region)
        return found

    def prepare(self) -> None:
        """Build the buckets of every place a territory names (each named region, each named
        country without a region, and nowhere), so evaluation rarely builds one itself."""
        self.bucket(None, None)
        for country in self.by_country:
            self.bucket(country, None)
        for region in self.by_region:
            country = region.split("-", 1)[0]
            self.bucket(country, None)
            self.bucket(country, region)

    def candidates(self, country: str | None, region: str | None) -> tuple[Candidate, ...]:
        return self.bucket(country, region).candidates

    def _build(self, country: str | None, region: str | None) -> Bucket:
        """Filter the pool on geography; pairs left with the same territories share a bucket."""
        place = RecordFacts(source="", external_id="", country=country, region=region)
        pool = list(self.anywhere)
        if country is not None:
            pool += self.by_country.get(country, [])
        if region is not None:
            pool += self.by_region.get(region, [])
        passing = tuple(
            territory
            for territory in pool
            if all(test(place, None) for test in self._geographic[territory.name])
        )
        signature = tuple(territory.name for territory in passing)
        bucket = self._buckets.get(signature)
        if bucket is None:
            linked = link(
                [Candidate(t, self._residual_tests[t.name]) for t in passing], self._disjoint
            )
            matcher = compile_first_match([self._residual[c.name] for c in linked], self.holdouts)
            bucket = self._buckets[signature] = Bucket(linked, matcher)
        return bucket
