"""How the command line prints rows and messages: literal text, tables that fit, records if not."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from territory_sync.cli import main
from territory_sync.cli.output import console, print_mapping, print_rows, print_text

COLUMNS = ("source", "external_id", "account_name", "new_owner_email", "reason")
ROW = {
    "source": "salesforce",
    "external_id": "0015g000HbXm5a6AIB",
    "account_name": "[link=http://x]y[/link]",
    "new_owner_email": "rachel.goldberg@acme-revenue.example",
    "reason": "NA-East matches and is more specific than NA. " * 5,
}


@pytest.fixture
def width(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("COLUMNS", "80")
    assert console.width == 80, "the console's width must follow COLUMNS"
    return 80


def test_a_control_character_in_a_name_is_shown_as_an_escape_not_sent_to_the_terminal(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    print_rows([{"name": "Evil \x1b]8;;http://x\x1b\\link\u202e"}], ("name",))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "Evil \\x1b]8;;http://x\\x1b\\link\\u202e" in out


def test_rows_that_fit_print_as_one_table_under_a_header_line(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"id": 1, "name": "Acme [/x] Holdings"}, {"id": 2, "name": "Bolt GmbH"}]
    print_rows(rows, ("id", "name"), title="Accounts", numeric=("id",))
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["id", "name"]
    assert lines[3].split() == ["1", "Acme", "[/x]", "Holdings"]


def test_rows_too_wide_for_the_terminal_have_their_text_cut_and_their_ids_whole(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = ("external_id", "account_name", "new_owner_email", "reason")
    print_rows([ROW], columns, title="Plan 3")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == list(columns)
    assert lines[3].startswith("0015g000HbXm5a6AIB  [link=http://x]y[/link]  rachel.goldber…  NA")
    assert max(len(line) for line in lines) <= width


def test_rows_that_cannot_fit_even_cut_print_record_by_record_with_every_value_whole(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    print_rows([ROW, {**ROW, "external_id": "10000000276"}], COLUMNS, title="Plan 3")
    out = capsys.readouterr().out
    for value in ("0015g000HbXm5a6AIB", "10000000276", "[link=http://x]y[/link]"):
        assert any(f" {value} " in line for line in out.splitlines())
    assert out.count("rachel.goldberg@acme-revenue.example") == 2
    assert max(len(line) for line in out.splitlines()) <= width


def test_a_long_reason_in_a_table_wraps_to_three_lines_the_last_cut_with_an_ellipsis(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    print_rows([ROW], COLUMNS)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].rstrip().endswith("NA-East matches and is more specific than NA. NA-East")
    assert lines[4].rstrip().endswith("…")


def test_the_default_columns_show_unless_wide_and_a_line_says_how_many_more(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    print_rows([ROW], COLUMNS, default=("source", "external_id"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["source", "external_id"]
    assert lines[-1].strip() == "3 more columns with --wide"
    print_rows([ROW], COLUMNS, default=("source", "external_id"), wide=True)
    assert "--wide" not in capsys.readouterr().out


def test_ids_print_as_typed_and_counts_with_thousands_separators(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    print_rows([{"id": 12345, "run_id": 67890, "written": 12345}], ("id", "run_id", "written"))
    assert capsys.readouterr().out.splitlines()[2].split() == ["12345", "67890", "12,345"]


def test_a_table_with_times_names_their_zone_in_its_title(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    moment = datetime(2026, 12, 3, 8, 31, 2, 123456, tzinfo=UTC)
    print_rows([{"at": moment}], ("at",), title="Runs", zone=ZoneInfo("Europe/Berlin"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip() == "Runs, times in Europe/Berlin"
    assert lines[3].strip() == "2026-12-03 09:31:02"


def test_a_time_in_a_listing_is_to_the_second_with_its_zone(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    moment = datetime(2026, 12, 3, 8, 31, 2, 123456, tzinfo=UTC)
    print_mapping({"started_at": moment}, as_json=False)
    assert "│ 2026-12-03 08:31:02 UTC │" in capsys.readouterr().out


def test_nested_figures_print_with_dotted_names_and_no_python_values(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    print_mapping(
        {
            "revenue": Decimal("26370000.00"),
            "share": 0.1825,
            "api_calls": {"salesforce": {"calls": 6, "by_kind": {"query": 2}}},
            "scope": {"sources": ["salesforce", "hubspot"], "territory": None},
            "retired": {},
        },
        as_json=False,
    )
    out = capsys.readouterr().out
    for shown in (
        "26,370,000",
        "0.18",
        "api_calls.salesforce.calls",
        "api_calls.salesforce.by_kind.query",
        "salesforce, hubspot",
    ):
        assert shown in out
    assert "Decimal" not in out and "{" not in out and "[" not in out
    assert [line.split("│")[2].strip() for line in out.splitlines() if "retired" in line] == [
        "none"
    ]


def test_a_message_with_markup_prints_as_written(
    width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    print_text("territory [bold]East[/bold] has no active owner", style="yellow")
    assert capsys.readouterr().out == "territory [bold]East[/bold] has no active owner\n"


def test_an_error_naming_markup_the_user_typed_prints_it_as_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    folder = tmp_path / "[bold]gone[/bold]"
    code = main(["--database-url", f"sqlite:///{folder / 'x.db'}", "runs"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"the folder {folder} does not exist" in err
