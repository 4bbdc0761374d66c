"""Turns a parsed SOQL query into something runnable against the seed records.

Names are checked against the field catalogue (unknown field: INVALID_FIELD; unknown object:
INVALID_TYPE) and literal types against field types, with Salesforce's messages and positions.
Comparison semantics follow SOQL rather than SQL: text comparisons ignore case, `!=` and `NOT IN`
keep rows whose field is null, and ORDER BY puts nulls first unless NULLS LAST is given.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.salesforce.errors import SalesforceApiError, soql_error_message
from sandbox.salesforce.fields import FieldSpec, FieldType, SObjectType, eighteen_character_id
from sandbox.salesforce.sobjects import sobject_named
from sandbox.salesforce.soql import (
    And,
    Comparison,
    Condition,
    FieldRef,
    InList,
    LikePattern,
    Literal,
    Not,
    Or,
    Position,
    Query,
    SoqlSyntaxError,
    TokenKind,
    parse_soql,
)

Predicate = Callable[[Any], bool]
SortKey = tuple[FieldSpec, bool, bool]
"""(field, descending, nulls first)."""

_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class QueryPlan:
    text: str
    sobject: SObjectType
    fields: tuple[FieldSpec, ...]
    count_only: bool
    predicate: Predicate | None
    order: tuple[SortKey, ...]
    limit: int | None
    offset: int | None
    candidate_ids: frozenset[str] | None = None
    """Record ids the WHERE clause confines the result to (`Id = ...`, `Id IN (...)`, possibly
    ANDed with more), so a lookup by id can replace a scan of every record."""
    candidate_account_ids: frozenset[str] | None = None
    """Likewise for `AccountId = ...` / `AccountId IN (...)`: the accounts whose related records
    are the only ones that can match."""

    def select(
        self,
        records: Iterable[Any],
        *,
        include_deleted: bool,
        by_id: Callable[[str], Any] | None = None,
        by_account: Callable[[str], Iterable[Any]] | None = None,
    ) -> list[Any]:
        """The matching records in result order (the caller's order when there is no ORDER BY).

        With `by_id` (a lookup of the queried object's records) and candidate ids, or with
        `by_account` (its records of one account) and candidate account ids, only those records
        are examined; they come back in id order, which is the order of the org's record lists.
        """
        read_id = self.sobject.fields["id"].read
        if by_id is not None and self.candidate_ids is not None:
            found = (by_id(record_id) for record_id in self.candidate_ids)
            records = sorted((r for r in found if r is not None), key=read_id)
        elif by_account is not None and self.candidate_account_ids is not None:
            related = (r for key in self.candidate_account_ids for r in by_account(key))
            records = sorted(related, key=read_id)
        predicate = self.predicate
        skip_deleted = self.sobject.has_recycle_bin and not include_deleted
        if predicate is None and not skip_deleted:
            rows = list(records)
        elif predicate is None:
            rows = [r for r in records if not r.deleted]
        elif skip_deleted:
            rows = [r for r in records if not r.deleted and predicate(r)]
        else:
            rows = [r for r in records if predicate(r)]
        for spec, descending, nulls_first in reversed(self.order):
            rows.sort(key=_sort_key(spec, descending, nulls_first), reverse=descending)
        start = self.offset or 0
        if self.limit is not None:
            return rows[start : start + self.limit]
        return rows[start:] if start else rows


def _sort_key(
    spec: FieldSpec, descending: bool, nulls_first: bool
) -> Callable[[Any], tuple[Any, ...]]:
    # With reverse=True the higher rank comes first, so the null rank flips with the direction.
    null_rank = int(descending) if nulls_first else int(not descending)
    value_rank = 1 - null_rank
    read = spec.read
    fold = spec.type is FieldType.STRING

    def key(record: Any) -> tuple[Any, ...]:
        value = read(record)
        if value is None:
            return (null_rank,)
        return (value_rank, value.lower() if fold else value)

    return key


def _error(query: Query, position: Position, status_code: str, detail: str) -> SalesforceApiError:
    return SalesforceApiError(
        400, status_code, soql_error_message(query.text, position.row, position.column, detail)
    )


def plan_query(text: str) -> QueryPlan:
    """Parse and check a SOQL statement; raises SalesforceApiError with Salesforce's 400 body."""
    try:
        query = parse_soql(text)
    except SoqlSyntaxError as exc:
        raise SalesforceApiError(
            400,
            "MALFORMED_QUERY",
            soql_error_message(text, exc.position.row, exc.position.column, exc.detail),
        ) from exc
    sobject = sobject_named(query.sobject)
    if sobject is None:
        raise _error(
            query,
            query.sobject_position,
            "INVALID_TYPE",
            f"sObject type '{query.sobject}' is not supported. If you are attempting to use a "
            "custom object, be sure to append the '__c' after the entity name. Please reference "
            "your WSDL or the describe call for the appropriate names.",
        )
    resolver = _Resolver(query, sobject)
    fields: list[FieldSpec] = []
    for ref in query.fields:
        spec = resolver.field(ref)
        if spec in fields:
            raise _error(
                query, ref.position, "MALFORMED_QUERY", f"duplicate field selected: {spec.name}"
            )
        fields.append(spec)
    predicate = resolver.condition(query.where) if query.where is not None else None
    order = tuple(
        (resolver.field(item.field), item.descending, item.nulls_first) for item in query.order_by
    )
    return QueryPlan(
        text=text,
        sobject=sobject,
        fields=tuple(fields),
        count_only=query.count_only,
        predicate=predicate,
        order=order,
        limit=query.limit,
        offset=query.offset,
        candidate_ids=resolver.candidate_ids(query.where, "Id"),
        candidate_account_ids=resolver.candidate_ids(query.where, "AccountId"),
    )


class _Resolver:
    def __init__(self, query: Query, sobject: SObjectType) -> None:
        self.query = query
        self.sobject = sobject

    def field(self, ref: FieldRef) -> FieldSpec:
        if "." in ref.name:
            relationship = ref.name.split(".", 1)[0]
            raise _error(
                self.query,
                ref.position,
                "INVALID_FIELD",
                f"Didn't understand relationship '{relationship}' in field path. If you are "
                "attempting to use a custom relationship, be sure to append the '__r' after the "
                "custom relationship name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        spec = self.sobject.field(ref.name)
        if spec is None:
            raise _error(
                self.query,
                ref.position,
                "INVALID_FIELD",
                f"No such column '{ref.name}' on entity '{self.sobject.name}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the custom "
                "field name. Please reference your WSDL or the describe call for the appropriate "
                "names.",
            )
        return spec

    def candidate_ids(self, node: Condition | None, field_name: str) -> frozenset[str] | None:
        """Ids the id or reference field `field_name` must hold for a record to match, when the
        condition says so at its top level (alone or ANDed with more)."""
        if isinstance(node, And):
            for operand in node.operands:
                found = self.candidate_ids(operand, field_name)
                if found is not None:
                    return found
            return None
        if isinstance(node, InList) and not node.negated:
            literals = node.values
        elif isinstance(node, Comparison) and node.operator == "=":
            literals = (node.value,)
        else:
            return None
        if self.field(node.field).name != field_name:
            return None
        if not all(literal.kind is TokenKind.STRING for literal in literals):
            return None
        return frozenset(eighteen_character_id(lit.token.string_value) for lit in literals)

    def condition(self, node: Condition) -> Predicate:
        if isinstance(node, And):
            parts = [self.condition(operand) for operand in node.operands]
            return lambda record: all(part(record) for part in parts)
        if isinstance(node, Or):
            parts = [self.condition(operand) for operand in node.operands]
            return lambda record: any(part(record) for part in parts)
        if isinstance(node, Not):
            inner = self.condition(node.operand)
            return lambda record: not inner(record)
        if isinstance(node, InList):
            return self.in_list(node)
        return self.comparison(node)

    def type_error(self, spec: FieldSpec, literal: Literal) -> SalesforceApiError:
        quoting = "be enclosed" if spec.type.is_textual else "not be enclosed"
        return _error(
            self.query,
            literal.token.position,
            "INVALID_FIELD",
            f"value of filter criterion for field '{spec.name}' must be of type "
            f"{spec.type.soql_type_name} and should {quoting} in quotes",
        )

    def value(self, spec: FieldSpec, literal: Literal) -> object:
        """The literal as a value comparable with the field's (None for null)."""
        if literal.is_null:
            return None
        kind = literal.kind
        field_type = spec.type
        if field_type.is_textual and kind is TokenKind.STRING:
            plain = literal.token.string_value.replace("\\%", "%").replace("\\_", "_")
            if field_type is FieldType.STRING:
                return plain.lower()
            return eighteen_character_id(plain)  # a 15-character id names the same record
        if field_type is FieldType.BOOLEAN and literal.is_boolean:
            return literal.token.text.upper() == "TRUE"
        if field_type in (FieldType.INTEGER, FieldType.CURRENCY) and kind is TokenKind.NUMBER:
            return literal.token.number
        if field_type is FieldType.DATETIME and kind is TokenKind.DATETIME:
            return literal.token.epoch_ms
        if field_type is FieldType.DATE and kind is TokenKind.DATE:
            return literal.token.epoch_ms  # midnight UTC, as date values are held
        raise self.type_error(spec, literal)

    def reader(self, spec: FieldSpec) -> Callable[[Any], Any]:
        """Reads the field in the form literals were normalised to (lower case for text)."""
        read = spec.read
        if spec.type is FieldType.STRING:

            def folded(record: Any) -> Any:
                value = read(record)
                return value.lower() if value is not None else None

            return folded
        return read

    def comparison(self, node: Comparison) -> Predicate:
        spec = self.field(node.field)
        op = node.operator
        if op == "LIKE":
            if not spec.type.is_textual or node.value.kind is not TokenKind.STRING:
                raise _error(
                    self.query,
                    node.value.token.position,
                    "INVALID_FIELD",
                    f"invalid operator on field '{spec.name}': LIKE needs a text field and a "
                    "quoted pattern",
                )
            matcher = _like_matcher(node.value.token.like)
            read = spec.read
            return lambda record: (value := read(record)) is not None and matcher(value)
        expected: Any = self.value(spec, node.value)
        read = self.reader(spec)
        if expected is None:
            if op not in ("=", "!="):
                raise self.type_error(spec, node.value)
            if op == "=":
                return lambda record: read(record) is None
            return lambda record: read(record) is not None
        if op == "=":
            return lambda record: read(record) == expected
        if op == "!=":
            return lambda record: read(record) != expected
        if spec.type is FieldType.BOOLEAN:
            raise _error(
                self.query,
                node.value.token.position,
                "INVALID_FIELD",
                f"invalid operator on boolean field '{spec.name}': use = or !=",
            )
        compare = _ORDERING[op]
        return lambda record: (value := read(record)) is not None and compare(value, expected)

    def in_list(self, node: InList) -> Predicate:
        spec = self.field(node.field)
        values = [self.value(spec, literal) for literal in node.values]
        wanted = {value for value in values if value is not None}
        wants_null = any(value is None for value in values)
        read = self.reader(spec)
        if node.negated:
            return lambda record: (
                ((value := read(record)) is None and not wants_null)
                or (value is not None and value not in wanted)
            )
        return lambda record: ((value := read(record)) is None and wants_null) or (value in wanted)


def _like_matcher(pattern: LikePattern) -> Callable[[str], bool]:
    """LIKE is case-insensitive; `%` is any run of characters and `_` exactly one."""
    parts = []
    for kind, char in pattern:
        if kind == "any":
            parts.append(".*")
        elif kind == "one":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    compiled = re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
    return lambda value: compiled.fullmatch(value) is not None
