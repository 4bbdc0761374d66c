"""The SOQL the connector builds: the incremental cursor condition, literals, field lists and
owner lookups chunked far under Salesforce's URI limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from connectors.base import PullPosition
from connectors.salesforce.soql import (
    account_fields,
    accounts_query,
    owners_queries,
    quote,
    since_condition,
    soql_datetime,
)
from mapping.registry import crm_fields
from sandbox.salesforce.soql import And, Comparison, Or, TokenKind, parse_soql, tokenize
from tests.connectors.test_salesforce_fixtures import account_id

STAMP = datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)


def test_the_cursor_condition_keeps_the_rest_of_the_boundary_second() -> None:
    condition = since_condition(PullPosition(STAMP, account_id(7)), timedelta(0))

    assert condition == (
        f"(SystemModstamp = 2026-03-01T12:30:15Z AND Id > '{account_id(7)}') "
        "OR SystemModstamp > 2026-03-01T12:30:15Z"
    )


def test_a_cursor_without_an_id_takes_the_whole_second() -> None:
    assert since_condition(PullPosition(STAMP), timedelta(0)) == (
        "SystemModstamp >= 2026-03-01T12:30:15Z"
    )


def test_a_lookback_window_rereads_everything_since_its_start() -> None:
    condition = since_condition(PullPosition(STAMP, account_id(7)), timedelta(minutes=5))

    assert condition == "SystemModstamp >= 2026-03-01T12:25:15Z"


def test_datetimes_round_down_to_the_second_in_utc() -> None:
    berlin = datetime(2026, 3, 1, 13, 30, 15, 999_000, tzinfo=timezone(timedelta(hours=1)))

    assert soql_datetime(berlin) == "2026-03-01T12:30:15Z"
    assert soql_datetime(datetime(2026, 3, 1, 12, 30, 15)) == "2026-03-01T12:30:15Z"


def test_string_literals_escape_quotes_and_backslashes() -> None:
    assert quote("O'Brien\\x") == "'O\\'Brien\\\\x'"


AWKWARD_VALUES = ["001000000000001AAA", "O'Brien", "back\\slash", "\\'", "''", "a\\'b'\\"]


@pytest.mark.parametrize("value", AWKWARD_VALUES)
def test_ids_and_values_with_quotes_and_backslashes_are_quoted_as_soql_wants(value: str) -> None:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")

    assert quote(value) == f"'{escaped}'"


@pytest.mark.parametrize("value", [*AWKWARD_VALUES, 'say "hi"', "two\nlines\tand a tab"])
def test_a_quoted_value_reads_back_as_itself_in_soql(value: str) -> None:
    literal, end = tokenize(quote(value))

    assert (literal.kind, literal.string_value) == (TokenKind.STRING, value)
    assert end.kind is TokenKind.EOF


def test_a_cursor_id_with_a_quote_stays_one_value_of_the_condition() -> None:
    record_id = "x' OR Name != '"
    condition = since_condition(PullPosition(STAMP, record_id), timedelta(0))

    where = parse_soql(f"SELECT Id FROM Account WHERE {condition}").where
    assert isinstance(where, Or) and isinstance(where.operands[0], And)
    by_id = where.operands[0].operands[1]
    assert isinstance(by_id, Comparison)
    assert (by_id.field.name, by_id.value.token.string_value) == ("Id", record_id)


def test_owner_lookups_list_the_ids_as_quoted_literals() -> None:
    (soql,) = owners_queries([account_id(1), account_id(2)])

    assert soql == (
        "SELECT Id, OwnerId, IsDeleted, SystemModstamp FROM Account "
        f"WHERE Id IN ('{account_id(1)}','{account_id(2)}')"
    )


def test_configured_fields_are_added_once_whatever_their_case() -> None:
    fields = account_fields([*crm_fields("salesforce"), "Do_Not_Reassign__c", "ownerid", " Type "])

    assert fields[-2:] == ["Do_Not_Reassign__c", "Type"]
    assert [f.lower() for f in fields].count("ownerid") == 1


def test_every_pull_selects_the_id_the_stamp_and_the_deleted_flag() -> None:
    assert account_fields(["Name", ""]) == ["Id", "Name", "SystemModstamp", "IsDeleted"]


def test_rest_pulls_are_ordered_and_bulk_pulls_are_not() -> None:
    assert accounts_query(["Id"], None, ordered=True).endswith("ORDER BY SystemModstamp, Id")
    assert "ORDER BY" not in accounts_query(["Id"], "IsDeleted = true", ordered=False)


def test_owner_lookups_are_chunked_far_under_the_uri_limit() -> None:
    ids = [account_id(n) for n in range(1, 451)]

    queries = list(owners_queries(ids))

    assert len(queries) == 3
    for soql in queries:
        path = "/services/data/v59.0/queryAll/?" + urlencode({"q": soql})
        assert len(path.encode()) < 16_384 // 2
