"""Turning ANDed or ORed criteria into one generated Python function, for the per-account path.

A closure per criterion costs two Python calls per test (the test, and the field reader); an
account meets several tests, and a million accounts meet them all in one run. So the tests the
engine runs per account are compiled into one function per candidate list (`compile_first_match`:
the holdouts, then each candidate's residual criteria in rank order) whose body reads each field
inline:

    def generated(first, second):
        ...
        if ((v0 := first.employees) is not None
                or (second is not None and (v0 := second.employees) is not None)) and v0 >= k1:
            return 0

Nothing from the territory file enters the generated source: field names are either names of
`RecordFacts` attributes (unified fields with a column, identifiers) or passed, like every value,
as constants in the function's namespace (`k0`, `s0`, ...); registered fields kept raw are read
from the facts' `extra` values. Criteria without an inline form (postal codes, patterns,
raw-field bands, `present`) are called as their compiled closures. Fields that every call reads
(the holdouts' and the first candidate's), and fields several candidates test, are read once at
the top and shared. If a raw value cannot be hashed (a CRM's compound field), the function
falls back to the closures, which handle it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from mapping.territories.criteria import (
    AllOf,
    AnyOf,
    Band,
    Criterion,
    Not,
    OneOf,
    Test,
    all_of,
)
from mapping.territories.facts import RecordFacts, has_attribute
from mapping.territories.fields import is_unified
from mapping.territories.values import comparable


class _Emitter:
    def __init__(self, hoist: Iterable[str] = ()) -> None:
        self.namespace: dict[str, object] = {}
        self.count = 0
        self.reads_raw = False
        self.hoisted: dict[str, str] = {}
        """Fields read once at the top (those every call reads anyway) -> their variable."""
        self._hoist_lines: list[str] = []
        for field in sorted(set(hoist)):
            first, second = self._sources(field)
            var = f"h{len(self.hoisted)}"
            self.hoisted[field] = var
            self._hoist_lines += [
                f"        {var} = {first}",
                f"        if {var} is None and second is not None:",
                f"            {var} = {second}",
            ]

    def prologue(self) -> list[str]:
        """Bind the primary record's raw lookup once when any raw field is read, then read the
        hoisted fields."""
        bind = ["        first_raw = first.raw.get"] if self.reads_raw else []
        return bind + self._hoist_lines

    def _sources(self, field: str) -> tuple[str, str]:
        """Expressions reading `field` from the primary and from the other record."""
        if has_attribute(field):
            return f"first.{field}", f"second.{field}"
        key = self.constant("k", field)
        if is_unified(field):
            return f"first.extra.get({key})", f"second.extra.get({key})"
        self.reads_raw = True
        return f"first_raw({key})", f"second.raw.get({key})"

    def constant(self, prefix: str, value: object) -> str:
        name = f"{prefix}{self.count}"
        self.count += 1
        self.namespace[name] = value
        return name

    def read(self, field: str) -> tuple[str, str]:
        """(condition that the field has a value, the variable then holding it)."""
        if field in self.hoisted:
            var = self.hoisted[field]
            return f"({var} is not None)", var
        var = f"v{self.count}"
        self.count += 1
        first, second = self._sources(field)
        condition = (
            f"(({var} := {first}) is not None or "
            f"(second is not None and ({var} := {second}) is not None))"
        )
        return condition, var

    def expression(self, criterion: Criterion) -> str:
        if isinstance(criterion, AllOf):
            return "(" + " and ".join(self.expression(c) for c in criterion.children) + ")"
        if isinstance(criterion, AnyOf):
            return "(" + " or ".join(self.expression(c) for c in criterion.children) + ")"
        if isinstance(criterion, Not):
            return f"(not {self.expression(criterion.children[0])})"
        if isinstance(criterion, OneOf):
            has, var = self.read(criterion.field)
            if criterion.exact:
                values = self.constant("s", criterion.values)
                return f"({has} and {var} in {values})"
            seen = self.constant("m", _Verdicts(criterion.values))
            known = f"w{self.count}"
            self.count += 1
            return (
                f"({has} and ({seen}.judge({var}) if ({known} := {seen}.get({var})) is None "
                f"else {known}))"
            )
        if isinstance(criterion, Band) and criterion.numeric_field:
            has, var = self.read(criterion.field)
            parts = [has]
            if criterion.low is not None:
                parts.append(f"{var} >= {self.constant('k', criterion.low)}")
            if criterion.high is not None:
                parts.append(f"{var} < {self.constant('k', criterion.high)}")
            return "(" + " and ".join(parts) + ")"
        test = self.constant("c", criterion.test)
        return f"{test}(first, second)"


class _Verdicts(dict[object, bool]):
    """Remembered outcomes of a lenient list test, per raw value as the CRM sent it."""

    __slots__ = ("accepted",)
    limit = 4096

    def __init__(self, accepted: frozenset[object]) -> None:
        super().__init__()
        self.accepted = accepted

    def judge(self, value: object) -> bool:
        verdict = comparable(value) in self.accepted
        if len(self) < self.limit:
            self[value] = verdict
        return verdict


def compile_criteria(criteria: Sequence[Criterion], *, join: str = "and") -> Test:
    """One function testing all (`join="and"`) or any (`join="or"`) of `criteria`."""
    if not criteria:
        return all_of(())
    emitter = _Emitter()
    body = f" {join} ".join(emitter.expression(c) for c in criteria)
    closures = [c.test for c in criteria]
    fallback = all_of(closures) if join == "and" else _any_of(closures)
    emitter.namespace["fallback"] = fallback
    source = "\n".join(
        [
            "def generated(first, second):",
            "    try:",
            *emitter.prologue(),
            f"        return {body}",
            "    except TypeError:",
            "        return fallback(first, second)\n",
        ]
    )
    namespace = dict(emitter.namespace)
    exec(compile(source, "<territory criteria>", "exec"), namespace)
    generated: Test = namespace["generated"]  # type: ignore[assignment]
    return generated


HELD_OUT = -2
"""What `compile_first_match` returns when a holdout matches."""


def compile_first_match(
    residuals: Sequence[Sequence[Criterion]], holdouts: Sequence[Criterion] = ()
) -> Callable[[RecordFacts, RecordFacts | None], int]:
    """One function returning `HELD_OUT` when any holdout matches, else the position of the
    first entry whose criteria all hold, or -1.

    Entries are a candidate list's residual criteria, in rank order; an entry with none left
    always holds. One call per account replaces one call per holdout and per candidate."""
    always_read = [*holdouts, *(residuals[0] if residuals else ())]
    uses = Counter(field for criteria in residuals for c in criteria for field in c.fields)
    shared = [field for field, count in uses.items() if count > 1]
    emitter = _Emitter([*(field for c in always_read for field in c.fields), *shared])
    lines = ["def generated(first, second):", "    try:"]
    if holdouts:
        condition = " or ".join(emitter.expression(c) for c in holdouts)
        lines += [f"        if {condition}:", f"            return {HELD_OUT}"]
    for position, criteria in enumerate(residuals):
        if not criteria:
            lines.append(f"        return {position}")
            break
        condition = " and ".join(emitter.expression(c) for c in criteria)
        lines += [f"        if {condition}:", f"            return {position}"]
    else:
        lines.append("        return -1")
    fallback_tests = [all_of(c.test for c in criteria) for criteria in residuals]
    emitter.namespace["fallback"] = _first_match_fallback(
        fallback_tests, _any_of([c.test for c in holdouts]) if holdouts else None
    )
    lines[2:2] = emitter.prologue()
    lines += ["    except TypeError:", "        return fallback(first, second)"]
    namespace = dict(emitter.namespace)
    exec(compile("\n".join(lines) + "\n", "<territory candidates>", "exec"), namespace)
    generated: Callable[[RecordFacts, RecordFacts | None], int] = namespace["generated"]  # type: ignore[assignment]
    return generated


def _first_match_fallback(
    tests: Sequence[Test], held_out: Test | None
) -> Callable[[RecordFacts, RecordFacts | None], int]:
    def first_match(first: RecordFacts, second: RecordFacts | None) -> int:
        if held_out is not None and held_out(first, second):
            return HELD_OUT
        for position, test in enumerate(tests):
            if test(first, second):
                return position
        return -1

    return first_match


def _any_of(tests: Sequence[Test]) -> Test:
    def any_test(first: RecordFacts, second: RecordFacts | None) -> bool:
        return any(test(first, second) for test in tests)

    return any_test
