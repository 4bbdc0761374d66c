"""The one CSV writer: every text cell inert in a spreadsheet, numbers still numbers."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from territory_sync.csv_export import csv_chunks, write_csv
from tests.hostile_text import FORMULAS, live_cells, read_csv


def written(columns: tuple[str, ...], rows: list[dict[str, object]]) -> str:
    stream = io.StringIO()
    write_csv(stream, columns, rows)
    return stream.getvalue()


@pytest.mark.parametrize("name", FORMULAS)
def test_a_text_cell_that_could_start_a_formula_is_read_back_as_quoted_text(name: str) -> None:
    header, row = read_csv(written(("id", "account_name"), [{"id": 7, "account_name": name}]))
    assert header == ["id", "account_name"]
    assert row == ["7", "'" + name]
    assert live_cells([header, row]) == []


def test_ordinary_text_is_written_unchanged() -> None:
    rows = read_csv(written(("name",), [{"name": "Fox & Cooper, Inc."}, {"name": "Bolt GmbH"}]))
    assert rows[1:] == [["Fox & Cooper, Inc."], ["Bolt GmbH"]]


def test_a_separator_or_quote_inside_a_value_cannot_start_a_new_cell() -> None:
    text = written(("name",), [{"name": 'a;=1,"=2"\t=3'}])
    assert read_csv(text)[1] == ['a;=1,"=2"\t=3']
    assert text.splitlines()[1] == '"a;=1,""=2""\t=3"'


def test_numbers_the_product_writes_stay_bare_numbers_even_when_negative() -> None:
    row = {"id": 3, "amount": Decimal("-1250.50"), "share": -0.25, "name": "-1250.50"}
    text = written(("id", "amount", "share", "name"), [row])
    assert text.splitlines()[1] == '3,-1250.50,-0.25,"\'-1250.50"'
    assert read_csv(text)[1] == ["3", "-1250.50", "-0.25", "'-1250.50"]


def test_empty_values_times_and_flags_are_plain_cells() -> None:
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    rows = read_csv(written(("at", "error", "flag"), [{"at": at, "error": None, "flag": True}]))
    assert rows[1] == ["2026-03-01T12:30:00+00:00", "", "true"]


def test_a_column_missing_from_a_row_is_an_empty_cell() -> None:
    assert read_csv(written(("id", "reason"), [{"id": 1}]))[1] == ["1", ""]


def test_the_streamed_csv_is_the_same_text_in_pieces() -> None:
    rows = [{"id": n, "account_name": f"=Account {n}"} for n in range(500)]
    pieces = list(csv_chunks(("id", "account_name"), rows, chunk_characters=1000))
    assert len(pieces) > 5
    assert "".join(pieces) == written(("id", "account_name"), rows)
