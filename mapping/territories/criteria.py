"""Compiled territory criteria: each one tests a business, explains itself, and knows its domain.

Every criterion compiles once, at load, into a closure `test(first, second) -> bool` over the
business's two records (primary first, see `facts`); the engine calls only these closures, so
evaluating an account allocates nothing. The same objects also serve `explain` (the outcome of
every test with the account's actual value), the load-time proofs (`domain`, see `domains`) and
the territory index (`required_countries`, `fields`).

Semantics an admin relies on (documented in the file format too):
- a missing value (None) fails every test except `present: false`;
- bands (`employees`, `annual_revenue`, `min`/`max`) include `min` and exclude `max`, so
  `{max: 1000}` and `{min: 1000}` split accounts without overlap;
- `in`/`equals` on raw CRM fields ignore case and surrounding spaces and read "true"/"1000" text
  as the boolean or number it spells (see `values.comparable`); a compound value (a list or a
  mapping) equals nothing;
- `matches` is a case-insensitive regular-expression search (anchor with ^ and $) in RE2 syntax,
  linear in the value's length whatever the pattern (see `patterns`);
- a postal code matches a prefix when it starts with it, and a range [from, to] when its first
  len(from) characters sort between from and to inclusive.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from mapping.territories.domains import (
    Domain,
    IntervalDomain,
    PrefixDomain,
    PureConstraints,
    ValueDomain,
    conjoin,
    intersect,
)
from mapping.territories.facts import RecordFacts
from mapping.territories.fields import FieldReader, reader_for
from mapping.territories.patterns import Pattern
from mapping.territories.values import Number, as_number, comparable, shown, shown_number

Test = Callable[[RecordFacts, RecordFacts | None], bool]
_CACHE_LIMIT = 4096
"""Outcomes remembered per test for repeated raw values ("Prospect", "false")."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One criterion's verdict on one business, for explanations."""

    label: str
    passed: bool
    actual: str | None
    """The business's value as read (None for all/any/not, whose children carry values)."""
    children: tuple[Outcome, ...] = ()


class Criterion(ABC):
    """A compiled criterion; `line` is where it is written in the territory file."""

    __slots__ = ("_test", "line")

    def __init__(self, line: int) -> None:
        self.line = line
        self._test: Test | None = None

    @property
    def test(self) -> Test:
        if self._test is None:
            self._test = self._compile()
        return self._test

    @property
    @abstractmethod
    def fields(self) -> frozenset[str]: ...

    @abstractmethod
    def _compile(self) -> Test: ...

    @abstractmethod
    def label(self) -> str: ...

    @abstractmethod
    def explain(self, first: RecordFacts, second: RecordFacts | None) -> Outcome: ...

    def domain(self) -> PureConstraints | None:
        """The values this criterion accepts per field, when it is a plain list or band."""
        return None

    def required_countries(self) -> frozenset[str] | None:
        """Countries an account must be in to match, when the criterion pins them down."""
        return None

    def required_regions(self) -> frozenset[str] | None:
        """Regions an account must be in to match, when the criterion pins them down."""
        return None


class FieldCriterion(Criterion):
    """A test on one field."""

    __slots__ = ("field", "read")

    def __init__(self, field: str, line: int) -> None:
        super().__init__(line)
        self.field = field
        self.read: FieldReader = reader_for(field)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset({self.field})

    def explain(self, first: RecordFacts, second: RecordFacts | None) -> Outcome:
        value = self.read(first, second)
        return Outcome(self.label(), self.test(first, second), shown(value))


class OneOf(FieldCriterion):
    """The value is one of a list. `exact` for normalised unified codes (country, region,
    industry); otherwise both sides are compared in `comparable` form."""

    __slots__ = ("_shown_as", "exact", "shown_values", "values")

    def __init__(
        self, field: str, values: Sequence[object], line: int, *, exact: bool, shown_as: str = "in"
    ) -> None:
        super().__init__(field, line)
        self.exact = exact
        self.values = frozenset(values) if exact else frozenset(comparable(v) for v in values)
        self.shown_values = tuple(values)
        self._shown_as = shown_as

    def label(self) -> str:
        if self._shown_as == "equals":
            return f"{self.field} equals {shown(self.shown_values[0])}"
        listed = ", ".join(str(v) if self.exact else shown(v) for v in self.shown_values)
        return f"{self.field} in [{listed}]"

    def _compile(self) -> Test:
        read, values = self.read, self.values
        if self.exact:

            def exact_test(first: RecordFacts, second: RecordFacts | None) -> bool:
                return read(first, second) in values

            return exact_test
        seen: dict[object, bool] = {}

        def lenient_test(first: RecordFacts, second: RecordFacts | None) -> bool:
            value = read(first, second)
            if value is None:
                return False
            try:
                verdict = seen.get(value)
            except TypeError:  # an unhashable raw value (a list): not worth remembering
                return comparable(value) in values
            if verdict is None:
                verdict = comparable(value) in values
                if len(seen) < _CACHE_LIMIT:
                    seen[value] = verdict
            return verdict

        return lenient_test

    def domain(self) -> PureConstraints | None:
        return {self.field: ValueDomain(frozenset(self.values))}

    def required_countries(self) -> frozenset[str] | None:
        # A region list pins the region, not the country: the two values may come from
        # different records of a business, so nothing is inferred from one about the other.
        if self.field == "country" and self.exact:
            return frozenset(str(v) for v in self.values)
        return None

    def required_regions(self) -> frozenset[str] | None:
        if self.field == "region" and self.exact:
            return frozenset(str(v) for v in self.values)
        return None


class Band(FieldCriterion):
    """A number in [low, high): inclusive minimum, exclusive maximum."""

    __slots__ = ("high", "low", "numeric_field")

    def __init__(
        self, field: str, low: Number | None, high: Number | None, line: int, *, numeric: bool
    ) -> None:
        super().__init__(field, line)
        self.low = low
        self.high = high
        self.numeric_field = numeric
        """True for unified numeric fields (already numbers); raw values are parsed first."""

    def label(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.field} from {shown_number(self.low)} to under {shown_number(self.high)}"
        if self.low is not None:
            return f"{self.field} at least {shown_number(self.low)}"
        assert self.high is not None
        return f"{self.field} under {shown_number(self.high)}"

    def _compile(self) -> Test:
        read, low, high = self.read, self.low, self.high
        convert = None if self.numeric_field else as_number
        if convert is None and low is not None and high is not None:

            def between(first: RecordFacts, second: RecordFacts | None) -> bool:
                value = read(first, second)
                return value is not None and low <= value < high  # type: ignore[operator]

            return between
        if convert is None and low is not None:

            def at_least(first: RecordFacts, second: RecordFacts | None) -> bool:
                value = read(first, second)
                return value is not None and value >= low  # type: ignore[operator]

            return at_least
        if convert is None:

            def under(first: RecordFacts, second: RecordFacts | None) -> bool:
                value = read(first, second)
                return value is not None and value < high  # type: ignore[operator]

            return under

        def parsed(first: RecordFacts, second: RecordFacts | None) -> bool:
            value = as_number(read(first, second))
            if value is None:
                return False
            return (low is None or value >= low) and (high is None or value < high)

        return parsed

    def domain(self) -> PureConstraints | None:
        return {self.field: IntervalDomain(self.low, self.high)}


class PostalCode(FieldCriterion):
    """Postal code prefixes and ranges (normalised codes: upper case, canonical spacing)."""

    __slots__ = ("prefixes", "ranges")

    def __init__(
        self, prefixes: Sequence[str], ranges: Sequence[tuple[str, str]], line: int
    ) -> None:
        super().__init__("postal_code", line)
        self.prefixes = tuple(prefixes)
        self.ranges = tuple(ranges)

    def label(self) -> str:
        parts = []
        if self.prefixes:
            parts.append("starts with " + ", ".join(self.prefixes))
        if self.ranges:
            parts.append("in " + ", ".join(f"{low}-{high}" for low, high in self.ranges))
        return "postal_code " + " or ".join(parts)

    def _compile(self) -> Test:
        read, prefixes = self.read, self.prefixes
        ranges = tuple((len(low), low, high) for low, high in self.ranges)

        def postal_test(first: RecordFacts, second: RecordFacts | None) -> bool:
            code = read(first, second)
            if not isinstance(code, str):
                return False
            if prefixes and code.startswith(prefixes):
                return True
            for width, low, high in ranges:
                if len(code) >= width and low <= code[:width] <= high:
                    return True
            return False

        return postal_test

    def domain(self) -> PureConstraints | None:
        if self.ranges:
            return None
        return {self.field: PrefixDomain(frozenset(self.prefixes))}


class Matches(FieldCriterion):
    """A case-insensitive regular-expression search in the value's text (RE2: no backtracking)."""

    __slots__ = ("pattern",)

    def __init__(self, field: str, pattern: Pattern, line: int) -> None:
        super().__init__(field, line)
        self.pattern = pattern

    def label(self) -> str:
        return f"{self.field} matches /{self.pattern.pattern}/"

    def _compile(self) -> Test:
        read, search = self.read, self.pattern.search

        def matches_test(first: RecordFacts, second: RecordFacts | None) -> bool:
            value = read(first, second)
            return value is not None and search(str(value)) is not None

        return matches_test


class Present(FieldCriterion):
    """The field has a value (`present: true`) or has none (`present: false`)."""

    __slots__ = ("expected",)

    def __init__(self, field: str, expected: bool, line: int) -> None:
        super().__init__(field, line)
        self.expected = expected

    def label(self) -> str:
        return f"{self.field} is {'present' if self.expected else 'absent'}"

    def _compile(self) -> Test:
        read, expected = self.read, self.expected

        def present_test(first: RecordFacts, second: RecordFacts | None) -> bool:
            value = read(first, second)
            has = value is not None and not (isinstance(value, str) and not value.strip())
            return has is expected

        return present_test


class Combinator(Criterion):
    __slots__ = ("children",)

    def __init__(self, children: Sequence[Criterion], line: int) -> None:
        super().__init__(line)
        self.children = tuple(children)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset().union(*(child.fields for child in self.children))


class AllOf(Combinator):
    __slots__ = ()

    def label(self) -> str:
        return "all of"

    def _compile(self) -> Test:
        return all_of(child.test for child in self.children)

    def explain(self, first: RecordFacts, second: RecordFacts | None) -> Outcome:
        outcomes = tuple(child.explain(first, second) for child in self.children)
        return Outcome(self.label(), all(o.passed for o in outcomes), None, outcomes)

    def domain(self) -> PureConstraints | None:
        joined: PureConstraints | None = {}
        for child in self.children:
            part = child.domain()
            if part is None or joined is None:
                return None
            joined = conjoin(joined, part)
        return joined

    def required_countries(self) -> frozenset[str] | None:
        return countries_required(self.children)

    def required_regions(self) -> frozenset[str] | None:
        return regions_required(self.children)


class AnyOf(Combinator):
    __slots__ = ()

    def label(self) -> str:
        return "any of"

    def _compile(self) -> Test:
        tests = tuple(child.test for child in self.children)

        def any_test(first: RecordFacts, second: RecordFacts | None) -> bool:
            for test in tests:  # noqa: SIM110 - a plain loop is cheaper than any(generator)
                if test(first, second):
                    return True
            return False

        return any_test

    def explain(self, first: RecordFacts, second: RecordFacts | None) -> Outcome:
        outcomes = tuple(child.explain(first, second) for child in self.children)
        return Outcome(self.label(), any(o.passed for o in outcomes), None, outcomes)

    def domain(self) -> PureConstraints | None:
        if len(self.children) == 1:
            return self.children[0].domain()
        return None

    def required_countries(self) -> frozenset[str] | None:
        union: set[str] = set()
        for child in self.children:
            countries = child.required_countries()
            if countries is None:
                return None
            union |= countries
        return frozenset(union)

    def required_regions(self) -> frozenset[str] | None:
        union: set[str] = set()
        for child in self.children:
            regions = child.required_regions()
            if regions is None:
                return None
            union |= regions
        return frozenset(union)


class Not(Combinator):
    __slots__ = ()

    def label(self) -> str:
        return "not"

    def _compile(self) -> Test:
        inner = self.children[0].test

        def not_test(first: RecordFacts, second: RecordFacts | None) -> bool:
            return not inner(first, second)

        return not_test

    def explain(self, first: RecordFacts, second: RecordFacts | None) -> Outcome:
        outcome = self.children[0].explain(first, second)
        return Outcome(self.label(), not outcome.passed, None, (outcome,))


def all_of(tests: Iterable[Test]) -> Test:
    """One closure testing every test in turn (the cheapest shape for 0, 1, 2 or more tests)."""
    items = tuple(tests)
    if not items:
        return _always
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        one, two = items

        def both(first: RecordFacts, second: RecordFacts | None) -> bool:
            return one(first, second) and two(first, second)

        return both

    def every(first: RecordFacts, second: RecordFacts | None) -> bool:
        for test in items:  # noqa: SIM110 - a plain loop is cheaper than all(generator)
            if not test(first, second):
                return False
        return True

    return every


def _always(first: RecordFacts, second: RecordFacts | None) -> bool:
    return True


def constraints_of(terms: Sequence[Criterion]) -> dict[str, Domain] | None:
    """The pure constraints of ANDed terms, or None when any term is not a plain list/band."""
    joined: dict[str, Domain] | None = {}
    for term in terms:
        part = term.domain()
        if part is None or joined is None:
            return None
        joined = conjoin(joined, part)
    return joined


def countries_required(terms: Sequence[Criterion]) -> frozenset[str] | None:
    """The countries ANDed terms pin an account to, or None when they allow any country."""
    required: frozenset[str] | None = None
    for term in terms:
        countries = term.required_countries()
        if countries is not None:
            required = countries if required is None else required & countries
    return required


def regions_required(terms: Sequence[Criterion]) -> frozenset[str] | None:
    """The regions ANDed terms pin an account to, or None when they allow any region."""
    required: frozenset[str] | None = None
    for term in terms:
        regions = term.required_regions()
        if regions is not None:
            required = regions if required is None else required & regions
    return required


def plain_constraints(terms: Sequence[Criterion]) -> dict[str, Domain]:
    """What the plain terms among ANDed terms require, ignoring the others: every account
    matching the terms meets these (used to prove two territories never share an account)."""
    joined: dict[str, Domain] = {}
    for term in terms:
        part = term.domain()
        if part is None:
            continue
        for name, domain in part.items():
            if name not in joined:
                joined[name] = domain
                continue
            met = intersect(joined[name], domain)
            if met is not None:
                joined[name] = met
    return joined
