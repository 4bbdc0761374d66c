"""CRM and user text in every CLI table prints as written, at 80 and 120 columns, and CSV is inert.

The database is seeded as a run would leave it, with account names, reasons and territory names
that are rich markup or start a spreadsheet formula.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mapping.unified import UnifiedAccount
from sync.audit import AuditRecord, append_audit
from sync.holds import open_holds
from sync.plan import ProposedChange, plan_changes, save_plan
from sync.runs import close_run, open_run
from sync.store.accounts import upsert_accounts
from sync.store.database import open_database
from sync.store.runs import RunStatus
from territory_sync.cli import main
from territory_sync.cli.output import console
from tests.hostile_text import FORMULAS, MARKUP, live_cells, read_csv

LONG_REASON = "NA-East matches and is more specific than NA; " * 12
TERRITORY = "[bold]East[/bold]"
NAMES = (*MARKUP, *FORMULAS)


@dataclass
class Seeded:
    url: str
    run_id: int


def _change(number: int, name: str) -> ProposedChange:
    return ProposedChange(
        source="salesforce",
        external_id=f"001HOSTILE{number:08d}",
        account_name=name,
        old_owner_id="005OLD",
        old_owner_email="old.rep@acme-revenue.example",
        new_owner_id="005NEW",
        new_owner_email="new.rep@acme-revenue.example",
        territory=TERRITORY,
        rule="territory",
        reason=LONG_REASON,
    )


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TERRITORY_SYNC_") and not name.startswith("TERRITORY_SYNC_AUDIT_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'territory-sync.db'}"
    database = open_database(url)
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        upsert_accounts(
            connection,
            [
                UnifiedAccount(
                    "salesforce",
                    f"001HOSTILE{number:08d}",
                    name=name,
                    domain="[link=http://x]y[/link]",
                    country="US",
                    owner_id="005OLD",
                    annual_revenue=Decimal("26370000.00"),
                )
                for number, name in enumerate(NAMES)
            ],
            now,
        )
    run_id = open_run(database, kind="sync", trigger="cli", actor="[red]admin[/red]")
    plan_id = save_plan(
        database,
        run_id=run_id,
        trigger="cli",
        actor="[red]admin[/red]",
        changes=[_change(number, name) for number, name in enumerate(NAMES)],
    )
    figures = {
        "planned": len(NAMES),
        "changes_by_territory": {TERRITORY: len(NAMES)},
        "pull": {"salesforce": {"mode": "full", "skipped_reasons": ["[/x] broken row"]}},
        "tie_examples": [f"salesforce:001HOSTILE00000000: {MARKUP[1]} / {MARKUP[0]}"],
    }
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures=figures)
    changes = plan_changes(database, plan_id)
    with database.engine.begin() as connection:
        append_audit(
            connection,
            [
                AuditRecord.for_change(
                    change, run_id=run_id, trigger="cli", actor="[red]admin[/red]", status="written"
                )
                for change in changes
            ],
        )
        open_holds(connection, run_id, [(change, "005PERSON") for change in changes])
    database.dispose()
    yield Seeded(url, run_id)


@pytest.fixture(params=[80, 120], ids=["80-columns", "120-columns"])
def columns(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    width: int = request.param
    monkeypatch.setenv("COLUMNS", str(width))
    assert console.width == width, "the console's width must follow COLUMNS"
    return width


def run(seeded: Seeded, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["--database-url", seeded.url, *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    return captured.out


def assert_printed_as_written(out: str, texts: tuple[str, ...], width: int) -> None:
    lines = out.splitlines()
    for text in texts:
        assert any(text in line for line in lines), f"{text!r} not printed as written:\n{out}"
    assert max(len(line) for line in lines) <= width


@pytest.mark.parametrize(
    ("command", "names"),
    [
        (("accounts", "list"), MARKUP),
        (("audit",), MARKUP),
        (("audit", "--account", "001HOSTILE00000001"), MARKUP[1:]),
        (("holds", "list"), MARKUP),
    ],
    ids=["accounts list", "audit", "audit --account", "holds list"],
)
def test_crm_names_print_as_written_in_every_table(
    seeded: Seeded,
    capsys: pytest.CaptureFixture[str],
    columns: int,
    command: tuple[str, ...],
    names: tuple[str, ...],
) -> None:
    assert_printed_as_written(run(seeded, capsys, *command), names, columns)


def test_a_territory_name_that_is_markup_prints_as_written_in_the_audit_table(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    assert_printed_as_written(run(seeded, capsys, "audit"), (TERRITORY,), columns)


def test_a_long_reason_is_cut_to_a_few_lines_and_kept_whole_in_json(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    out = run(seeded, capsys, "audit", "--account", "001HOSTILE00000000")
    reason_lines = [line for line in out.splitlines() if "more specific than NA" in line]
    assert 1 <= len(reason_lines) <= 4
    assert "…" in out
    rows = json.loads(
        run(seeded, capsys, "audit", "--account", "001HOSTILE00000000", "--format", "json")
    )
    assert rows[0]["reason"] == LONG_REASON


def test_runs_show_prints_nested_figures_readably_and_names_as_written(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    out = run(seeded, capsys, "runs", "show", str(seeded.run_id))
    assert_printed_as_written(out, (TERRITORY, "[red]admin[/red]", "[/x] broken row"), columns)
    assert "{'" not in out and "['" not in out and "Decimal(" not in out
    assert "salesforce.mode" in out
    assert MARKUP[1] in out


def test_the_runs_list_prints_the_actor_as_written(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    assert_printed_as_written(run(seeded, capsys, "runs"), ("[red]admin[/red]",), columns)


def test_links_prints_a_domain_that_is_markup_as_written(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    out = run(seeded, capsys, "links")
    assert "[link=http://x]y[/link]: 001HOSTILE00000000" in out


def test_amounts_print_as_numbers_not_python_values(
    seeded: Seeded, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    out = run(seeded, capsys, "accounts", "list", "--search", "acme")
    assert "26,370,000" in out
    assert "Decimal" not in out


def test_audit_as_csv_makes_every_formula_in_an_account_name_inert(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = read_csv(run(seeded, capsys, "audit", "--format", "csv"))
    names = [row[rows[0].index("account_name")] for row in rows[1:]]
    assert sorted(names) == sorted("'" + name if name in FORMULAS else name for name in NAMES)
    assert live_cells(rows) == []
    assert {row[rows[0].index("reason")] for row in rows[1:]} == {LONG_REASON}
