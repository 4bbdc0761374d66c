"""`territory-sync scorecard`: the same figures as a table, as spreadsheet-safe CSV and as JSON,
with its warnings on standard error and a one-line error for what it cannot show."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sync.store.database import Database
from territory_sync.cli import main
from territory_sync.cli.scorecard import COLUMNS
from tests.hostile_text import live_cells, read_csv
from tests.sync.scorecard_support import MAYA, TERRITORIES, seed_book

FORMULA_TERRITORY = "=NA-West"
"""A territory name a spreadsheet would run as a formula if it were written bare."""


@pytest.fixture
def scorecard_cli(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The command line's first arguments, over the seeded book and its territory file."""
    territory_file = tmp_path / "territories.yaml"
    seed_book(database, territory_file)
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    return ["--database-url", database.url, "scorecard", "--period", "2026-Q4"]


def test_json_gives_every_figure_with_its_goal_attainment_trend_and_the_balance(
    scorecard_cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*scorecard_cli, "--territory", "NA-West", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {(row["rep"], row["metric"]): row for row in report["rows"]}
    bookings = rows[(None, "bookings")]

    assert report["currency"] == "USD"
    assert (bookings["goal"], bookings["actual"], bookings["attainment_percent"]) == (
        "1000",
        "720.00",
        72.0,
    )
    assert [point["period"] for point in bookings["trend"]] == [
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert (bookings["accounts"], bookings["share_percent"]) == (3, None)
    assert rows[(MAYA, "bookings")]["share_percent"] == pytest.approx(66.7)
    assert "CHF was left out" in report["warnings"][0]


def test_csv_has_the_columns_bare_numbers_and_formula_safe_text(
    scorecard_cli: list[str],
    capsys: pytest.CaptureFixture[str],
    database: Database,
    tmp_path: Path,
) -> None:
    named = TERRITORIES.replace("name: NA-West", f"name: '{FORMULA_TERRITORY}'")
    (tmp_path / "territories.yaml").write_text(named, encoding="utf-8")

    assert main([*scorecard_cli, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    rows = read_csv(captured.out)
    records = list(csv.DictReader(io.StringIO(captured.out)))

    assert rows[0] == list(COLUMNS)
    assert live_cells(rows) == []
    assert records[0]["territory"] == f"'{FORMULA_TERRITORY}"
    assert '"\'=NA-West","","2026-Q4","bookings",1000,720.00,72.0,' in captured.out
    assert "warning: NA-East is left out" in captured.err


def test_the_table_shows_one_reps_rows_and_the_warnings_on_standard_error(
    scorecard_cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*scorecard_cli, "--rep", MAYA.upper()]) == 0
    captured = capsys.readouterr()

    assert "Scorecard (amounts in USD)" in captured.out
    assert "2025-Q4 –, 2026-Q1 –" in captured.out
    assert "(territory)" not in captured.out
    assert "warning: 1 opportunity in CHF was left out" in captured.err


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--period", "next quarter"], "'next quarter' is not a period: write 2026-Q4"),
        (["--territory", "Atlantis"], "territory 'Atlantis' has no goals in"),
    ],
)
def test_what_it_cannot_show_exits_2_with_one_line_saying_why(
    scorecard_cli: list[str],
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    expected: str,
) -> None:
    assert main([*scorecard_cli, *arguments]) == 2
    err = capsys.readouterr().err

    assert expected in err
    assert "Traceback" not in err
