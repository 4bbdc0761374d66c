"""Building compiled criteria from the `criteria:` mappings of a territory file.

A criteria mapping is either a set of shorthand keys, ANDed (`country`, `region`, `industry`,
`postal_code`, `employees`, `annual_revenue`, and the combinators `all`, `any`, `not`), or one
test on a named field (`field:` with `equals`, `in`, `min`/`max`, `matches` or `present`).
Values are checked and normalised here, where the line is still known: country names become ISO
codes, region codes must exist, industries must be unified keys, postal codes must be text. Every
raw CRM field a test names is recorded with where it is first used (`FieldUse`).

Each criterion key, each criterion of an `all`/`any` list and each listed country, region or
industry is checked whatever the others hold: their errors are reported together
(`Where.collecting`).
"""

from __future__ import annotations

from collections.abc import Collection, MutableMapping

from yaml.nodes import MappingNode, Node, ScalarNode

from mapping.normalise import (
    UNIFIED_INDUSTRIES,
    normalise_country,
    normalise_domain,
    normalise_region,
)
from mapping.territories.criteria import (
    AllOf,
    AnyOf,
    Band,
    Criterion,
    Matches,
    Not,
    OneOf,
    PostalCode,
    Present,
)
from mapping.territories.fields import FieldUse, is_numeric, is_unified, unified_fields
from mapping.territories.patterns import PatternRefusedError, compile_pattern
from mapping.territories.yaml_nodes import (
    Where,
    boolean,
    is_null,
    is_number,
    line_of,
    mapping_items,
    number,
    plain_value,
    reject_unknown_keys,
    sequence,
    suggestion,
    text,
)

SHORTHAND_KEYS = (
    "country",
    "region",
    "industry",
    "postal_code",
    "employees",
    "annual_revenue",
    "all",
    "any",
    "not",
)
TEST_OPERATORS = ("equals", "in", "min", "max", "matches", "present")
_EXAMPLES = {
    "country": "[US, CA]",
    "region": "[US-CA, US-WA]",
    "industry": "[software, it_services]",
}


class CriteriaBuilder:
    """Builds the criteria of one territory (named by `where`) or of one holdout (`holdout`).

    `known_fields` None accepts any raw field name (whether the CRMs have it is checked when
    they are pulled); otherwise a raw name outside it is an error. `uses` collects the raw
    fields tested, by name, keeping the first use in the file."""

    def __init__(
        self,
        where: Where,
        known_fields: Collection[str] | None,
        uses: MutableMapping[str, FieldUse],
        holdout: str | None = None,
    ) -> None:
        self.where = where
        self.known_fields = None if known_fields is None else frozenset(known_fields)
        self.uses = uses
        self.holdout = holdout

    # --- mappings ----------------------------------------------------------------------------

    def terms(self, node: Node) -> list[Criterion]:
        """The ANDed criteria of one criteria mapping."""
        if not isinstance(node, MappingNode):
            raise self.where.error(
                "criteria must be a mapping such as {country: [US, CA]}", node, "criteria"
            )
        items = mapping_items(node, self.where, "criteria", "criteria", keep_going=True)
        if not items:
            raise self.where.error(
                "criteria is empty: add criteria, or remove the key (no criteria matches every "
                "account)",
                node,
                "criteria",
            )
        if any(key == "field" for key, _, _ in items):
            return [self._field_test(node, items)]
        terms = []
        for key, key_node, value in items:  # each key is checked, whatever the others hold
            with self.where.collecting():
                if key not in SHORTHAND_KEYS:
                    raise self.where.error(
                        f"unknown criterion {key!r}{suggestion(key, SHORTHAND_KEYS)}: use "
                        f"{', '.join(SHORTHAND_KEYS)}, or a test such as "
                        "{field: Type, equals: Customer}",
                        key_node,
                        key,
                    )
                terms.append(self._shorthand(key, key_node, value))
        return terms

    def one(self, node: Node) -> Criterion:
        terms = self.terms(node)
        return terms[0] if len(terms) == 1 else AllOf(terms, line_of(node) or 0)

    # --- shorthand keys ----------------------------------------------------------------------

    def _shorthand(self, key: str, key_node: ScalarNode, value: Node) -> Criterion:
        line = line_of(key_node) or 0
        if key == "country":
            return OneOf("country", self._countries(value, key), line, exact=True)
        if key == "region":
            return OneOf("region", self._regions(value, key), line, exact=True)
        if key == "industry":
            return OneOf("industry", self._industries(value, key), line, exact=True)
        if key == "postal_code":
            return self._postal(value, line)
        if key in ("employees", "annual_revenue"):
            return self._band(key, value, line)
        if key in ("all", "any"):
            children = self._criteria_list(key, value)
            return AllOf(children, line) if key == "all" else AnyOf(children, line)
        if not isinstance(value, MappingNode):
            raise self.where.error(
                "not must be a mapping of criteria, e.g. not: {industry: [government]}",
                value,
                key,
            )
        return Not([self.one(value)], line)

    def _criteria_list(self, key: str, node: Node) -> list[Criterion]:
        items = sequence(
            node,
            self.where,
            f"{key} must be a list of criteria, each a mapping such as - industry: [software]",
            key,
        )
        if not items:
            raise self.where.error(
                f"{key} lists no criteria: add at least one, or remove it", node, key
            )
        found = []
        for item in items:
            with self.where.collecting():
                found.append(self.one(item))
        return found

    def _values(self, node: Node, field: str) -> list[Node]:
        """A list of scalars; a single scalar counts as a list of one."""
        example = _EXAMPLES.get(field, "[a, b]")
        if isinstance(node, ScalarNode) and not is_null(node):
            return [node]
        items = sequence(node, self.where, f"{field} must be a list, e.g. {example}", field)
        if not items:
            raise self.where.error(
                f"{field} lists no values: list at least one, e.g. {example}, or remove it",
                node,
                field,
            )
        return items

    def _countries(self, node: Node, field: str) -> list[str]:
        codes = []
        for item in self._values(node, field):
            with self.where.collecting():
                written = text(item, self.where, "a country must be a code such as US", field)
                code = normalise_country(written)
                if code is None:
                    raise self.where.error(
                        f"unknown country {written!r}: use ISO 3166-1 alpha-2 codes such as US, "
                        "DE, GB",
                        item,
                        field,
                    )
                codes.append(code)
        return codes

    def _regions(self, node: Node, field: str) -> list[str]:
        codes = []
        for item in self._values(node, field):
            with self.where.collecting():
                written = text(item, self.where, "a region must be a code such as US-CA", field)
                upper = written.upper()
                country = normalise_country(upper.split("-", 1)[0]) if "-" in upper else None
                if country is None or normalise_region(country, upper) != upper:
                    raise self.where.error(
                        f"unknown region {written!r}: use ISO 3166-2 codes such as US-CA, DE-BY, "
                        "GB-ENG (country code, hyphen, region code)",
                        item,
                        field,
                    )
                codes.append(upper)
        return codes

    def _industries(self, node: Node, field: str) -> list[str]:
        keys = []
        for item in self._values(node, field):
            with self.where.collecting():
                written = text(
                    item, self.where, "an industry must be a key such as software", field
                )
                if written not in UNIFIED_INDUSTRIES:
                    raise self.where.error(
                        f"unknown industry {written!r}{suggestion(written, UNIFIED_INDUSTRIES)}: "
                        f"use one of {', '.join(UNIFIED_INDUSTRIES)}",
                        item,
                        field,
                    )
                keys.append(written)
        return keys

    def _postal_code(self, node: Node) -> str:
        if is_number(node):
            assert isinstance(node, ScalarNode)
            raise self.where.error(
                f'postal code {node.value} must be in quotes, like "{node.value}": YAML reads an '
                "unquoted code as a number and drops leading zeros",
                node,
                "postal_code",
            )
        written = text(node, self.where, 'a postal code must be text such as "94"', "postal_code")
        return " ".join(written.upper().split())

    def _postal(self, node: Node, line: int) -> PostalCode:
        field = "postal_code"
        if not isinstance(node, MappingNode):
            listed = [self._postal_code(item) for item in self._values(node, field)]
            return PostalCode(listed, [], line)
        items = mapping_items(node, self.where, "postal_code", field)
        reject_unknown_keys(items, ("prefixes", "ranges"), self.where, "postal_code", field)
        prefixes: list[str] = []
        ranges: list[tuple[str, str]] = []
        for key, _, value in items:
            if key == "prefixes":
                prefixes = [self._postal_code(item) for item in self._values(value, field)]
                continue
            shape = (
                "postal_code ranges must be pairs of codes of the same length, e.g. "
                '[["94000", "94999"]]'
            )
            for pair in sequence(value, self.where, shape, field):
                ends = sequence(pair, self.where, shape, field)
                if len(ends) != 2:
                    raise self.where.error(shape, pair, field)
                low, high = (self._postal_code(end) for end in ends)
                if len(low) != len(high):
                    raise self.where.error(shape, pair, field)
                if low > high:
                    raise self.where.error(
                        f'postal_code range ["{low}", "{high}"] runs backwards: write the lower '
                        "code first",
                        pair,
                        field,
                    )
                ranges.append((low, high))
        if not prefixes and not ranges:
            raise self.where.error("postal_code needs prefixes, ranges or both", node, field)
        return PostalCode(prefixes, ranges, line)

    def _band(self, field: str, node: Node, line: int, *, numeric: bool = True) -> Band:
        if not isinstance(node, MappingNode):
            raise self.where.error(
                f"{field} must be a band such as {{min: 50, max: 1000}} (min included, max "
                "excluded)",
                node,
                field,
            )
        items = mapping_items(node, self.where, f"the {field} band", field)
        reject_unknown_keys(items, ("min", "max"), self.where, f"the {field} band", field)
        limits = {key: self._limit(field, key, value) for key, _, value in items}
        return self._checked_band(field, limits, node, line, numeric=numeric)

    def _limit(self, field: str, which: str, node: Node) -> int | float:
        return number(
            node,
            self.where,
            f"{field} {which} must be a number, e.g. 1000 (no currency signs or thousands "
            "separators)",
            field,
        )

    def _checked_band(
        self, field: str, limits: dict[str, int | float], node: Node, line: int, *, numeric: bool
    ) -> Band:
        low, high = limits.get("min"), limits.get("max")
        if low is None and high is None:
            raise self.where.error(f"{field} band needs min, max or both", node, field)
        if low is not None and high is not None and low >= high:
            raise self.where.error(
                f"{field} band is empty: min {low} is not below max {high} (min is included, "
                "max excluded)",
                node,
                field,
            )
        return Band(field, low, high, line, numeric=numeric)

    # --- tests on a named field --------------------------------------------------------------

    def _field_test(self, node: Node, items: list[tuple[str, ScalarNode, Node]]) -> Criterion:
        values = {key: value for key, _, value in items}
        name = text(values["field"], self.where, "field must name a field, e.g. field: Type")
        if not is_unified(name):
            self._raw_field(name, values["field"])
        for key, key_node, _ in items:
            if key != "field" and key not in TEST_OPERATORS:
                raise self.where.error(
                    f"unknown key {key!r} in the test on {name!r}"
                    f"{suggestion(key, TEST_OPERATORS)}: use field with equals, in, min/max, "
                    "matches or present",
                    key_node,
                    name,
                )
        operators = [key for key, _, _ in items if key != "field"]
        kinds = ["min/max" if key in ("min", "max") else key for key in operators]
        distinct = list(dict.fromkeys(kinds))
        if not distinct:
            raise self.where.error(
                f"the test on {name!r} has no condition: add equals, in, min/max, matches or "
                "present",
                node,
                name,
            )
        if len(distinct) > 1:
            raise self.where.error(
                f"the test on {name!r} has both {distinct[0]} and {distinct[1]}: keep one, and "
                "combine tests with all: or any:",
                node,
                name,
            )
        line = line_of(node) or 0
        kind = distinct[0]
        if kind == "min/max":
            if is_unified(name) and not is_numeric(name):
                raise self.where.error(
                    f"min and max compare numbers, and {name!r} holds text: use equals, in or "
                    "matches",
                    node,
                    name,
                )
            limits = {key: self._limit(name, key, values[key]) for key in operators}
            return self._checked_band(name, limits, node, line, numeric=is_numeric(name))
        if kind == "matches":
            pattern = text(values["matches"], self.where, "matches needs a pattern", name)
            try:
                compiled = compile_pattern(pattern)
            except PatternRefusedError as error:
                raise self.where.error(str(error), values["matches"], name) from error
            return Matches(name, compiled, line)
        if kind == "present":
            expected = boolean(values["present"], self.where, "present must be true or false", name)
            return Present(name, expected, line)
        if kind == "equals":
            value_node = values["equals"]
            if not isinstance(value_node, ScalarNode) or is_null(value_node):
                raise self.where.error(
                    "equals takes one value; to accept several, use in: [...]", value_node, name
                )
            listed: list[Node] = [value_node]
        else:
            listed = sequence(
                values["in"],
                self.where,
                'in must be a list of values, e.g. ["Customer - Direct", "Customer - Channel"]',
                name,
            )
            if not listed:
                raise self.where.error("in lists no values: list at least one", values["in"], name)
        return self._one_of(name, listed, line, shown_as=kind)

    def _raw_field(self, name: str, node: Node) -> None:
        known = self.known_fields
        if known is not None and name not in known:
            unified = unified_fields()
            raise self.where.error(
                f"unknown field {name!r}{suggestion(name, (*unified, *sorted(known)))}"
                f": use a unified field ({', '.join(unified)}) or a CRM field that is "
                "pulled (add it to salesforce.account_fields or hubspot.extra_properties in "
                "territory-sync.toml)",
                node,
                name,
            )
        line = line_of(node) or 0
        first = self.uses.get(name)
        if first is None or line < first.line:
            self.uses[name] = FieldUse(name, line, self.where.territory, self.holdout)

    def _one_of(self, name: str, nodes: list[Node], line: int, *, shown_as: str) -> OneOf:
        if name == "country":
            return OneOf(name, self._countries_of(nodes), line, exact=True, shown_as=shown_as)
        if name == "region":
            regions = [code for node in nodes for code in self._regions(node, name)]
            return OneOf(name, regions, line, exact=True, shown_as=shown_as)
        if name == "industry":
            keys = [key for node in nodes for key in self._industries(node, name)]
            return OneOf(name, keys, line, exact=True, shown_as=shown_as)
        if is_numeric(name):
            numbers = [
                number(node, self.where, f"{name} values must be numbers, e.g. 1000", name)
                for node in nodes
            ]
            return OneOf(name, numbers, line, exact=True, shown_as=shown_as)
        values: list[object] = []
        for node in nodes:
            value = plain_value(
                node, self.where, "each value must be text, a number or true/false", name
            )
            if value is None:
                raise self.where.error(
                    "a value is empty: to match a missing value use present: false", node, name
                )
            if name == "domain":
                domain = normalise_domain(str(value))
                if domain is None:
                    raise self.where.error(
                        f"{value!r} is not a domain: write it like acme.com", node, name
                    )
                value = domain
            values.append(value)
        return OneOf(name, values, line, exact=False, shown_as=shown_as)

    def _countries_of(self, nodes: list[Node]) -> list[str]:
        return [code for node in nodes for code in self._countries(node, "country")]
