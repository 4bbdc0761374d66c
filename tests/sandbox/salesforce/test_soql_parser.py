"""The SOQL tokenizer and parser: what the product may send, and how bad queries are reported."""

from __future__ import annotations

import pytest

from sandbox.salesforce.soql import (
    And,
    Comparison,
    InList,
    Not,
    Or,
    SoqlSyntaxError,
    TokenKind,
    parse_soql,
    tokenize,
)

JAN_1_2026_MS = 1_767_225_600_000


def test_select_list_object_order_and_limit_are_read() -> None:
    query = parse_soql(
        "SELECT Id, Name, OwnerId FROM Account ORDER BY SystemModstamp ASC, Id DESC LIMIT 50"
    )

    assert [f.name for f in query.fields] == ["Id", "Name", "OwnerId"]
    assert query.sobject == "Account"
    assert [(o.field.name, o.descending) for o in query.order_by] == [
        ("SystemModstamp", False),
        ("Id", True),
    ]
    assert query.limit == 50
    assert query.where is None


def test_keywords_are_case_insensitive() -> None:
    query = parse_soql("select id from account where name = 'x' order by name desc limit 1")

    assert query.sobject == "account"
    assert isinstance(query.where, Comparison)
    assert query.order_by[0].descending


def test_count_only_query() -> None:
    query = parse_soql("SELECT COUNT() FROM Account WHERE IsDeleted = false")

    assert query.count_only
    assert query.fields == ()


def test_nested_conditions_keep_their_grouping() -> None:
    query = parse_soql(
        "SELECT Id FROM Account WHERE (BillingCountry = 'DE' OR BillingCountry = 'AT') "
        "AND NOT Industry IN ('Retail', 'Media') AND Name NOT IN ('x')"
    )

    assert isinstance(query.where, And)
    first, second, third = query.where.operands
    assert isinstance(first, Or) and len(first.operands) == 2
    assert isinstance(second, Not) and isinstance(second.operand, InList)
    assert isinstance(third, InList) and third.negated


def test_mixing_and_with_or_without_parentheses_is_refused() -> None:
    with pytest.raises(SoqlSyntaxError) as error:
        parse_soql("SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Type = 'c'")

    assert error.value.detail == "unexpected token: 'OR'"
    assert (error.value.position.row, error.value.position.column) == (1, 56)


def test_string_escapes_are_decoded() -> None:
    token = tokenize(r"'O\'Brien \\ Sons\nLtd'")[0]

    assert token.kind is TokenKind.STRING
    assert token.string_value == "O'Brien \\ Sons\nLtd"


def test_illegal_escape_is_refused() -> None:
    with pytest.raises(SoqlSyntaxError, match="Illegal character sequence"):
        tokenize(r"'bad \q escape'")


def test_unterminated_string_is_refused_at_its_start() -> None:
    with pytest.raises(SoqlSyntaxError) as error:
        parse_soql("SELECT Id FROM Account WHERE Name = 'open")

    assert error.value.position.column == 37


@pytest.mark.parametrize(
    "literal",
    [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000+0000",
        "2026-01-01T01:00:00+01:00",
        "2025-12-31T19:00:00.000-0500",
    ],
)
def test_datetime_literals_in_every_zone_form_name_the_same_instant(literal: str) -> None:
    token = tokenize(literal)[0]

    assert token.kind is TokenKind.DATETIME
    assert token.epoch_ms == JAN_1_2026_MS


def test_datetime_fraction_keeps_milliseconds() -> None:
    assert tokenize("2026-01-01T00:00:00.123Z")[0].epoch_ms == JAN_1_2026_MS + 123


def test_impossible_date_is_refused() -> None:
    with pytest.raises(SoqlSyntaxError, match="invalid date"):
        tokenize("2026-02-30T00:00:00Z")


def test_datetime_without_zone_is_refused() -> None:
    with pytest.raises(SoqlSyntaxError, match="time zone"):
        tokenize("2026-01-01T00:00:00")


def test_negative_numbers_and_decimals() -> None:
    query = parse_soql("SELECT Id FROM Account WHERE AnnualRevenue > -12.5")

    assert isinstance(query.where, Comparison)
    assert query.where.value.token.number == -12.5


def test_not_equal_spelled_the_sql_way_is_read_as_not_equal() -> None:
    query = parse_soql("SELECT Id FROM Account WHERE Name <> 'x'")

    assert isinstance(query.where, Comparison)
    assert query.where.operator == "!="


def test_errors_report_row_and_column_on_later_lines() -> None:
    with pytest.raises(SoqlSyntaxError) as error:
        parse_soql("SELECT Id\nFROM Account\nWHERE Name = ")

    assert error.value.detail == "unexpected token: <EOF>"
    assert error.value.position.row == 3


@pytest.mark.parametrize(
    "text",
    [
        "SELECT FROM Account",
        "SELECT Id, FROM Account",
        "SELECT Id Account",
        "SELECT Id FROM Account WHERE",
        "SELECT Id FROM Account WHERE (Name = 'a'",
        "SELECT Id FROM Account LIMIT ten",
        "SELECT Id FROM Account ORDER Name",
        "SELECT Id FROM Account WHERE Name = 'a' extra",
        "SELECT Id FROM Account WHERE Name ~ 'a'",
        "SELECT COUNT(Id) FROM Account",
    ],
)
def test_malformed_queries_are_refused(text: str) -> None:
    with pytest.raises(SoqlSyntaxError):
        parse_soql(text)
