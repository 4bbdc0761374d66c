"""Every command-line table in an 80-column terminal: lines of at most 80 characters, headers
whole, `--wide` for every column, full values in `--json`; `runs show` and `explain` without
Python values (no reprs, no "None", no microseconds).

The store is seeded as a few runs would leave it, with the long names, emails and reasons that
used to squeeze a table into one-letter columns.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mapping.normalise.times import parse_crm_datetime
from mapping.registry import FieldKind, Reading, UnifiedField, registered
from mapping.unified import UnifiedAccount, UnifiedRep
from sync.alerts.messages import EMAIL_CHANNEL, Destination, Notice, addressed
from sync.alerts.outbox import record
from sync.audit import AuditRecord, append_audit
from sync.holds import open_holds
from sync.plan import ProposedChange, plan_changes, save_plan
from sync.runs import close_run, open_run
from sync.store.accounts import upsert_accounts
from sync.store.database import open_database
from sync.store.reps import upsert_reps
from sync.store.runs import RunStatus
from territory_sync.cli import accounts, alerts, audit, balance, holds, main, runs, tokens
from territory_sync.cli.output import console
from tests.end_to_end.conftest import TERRITORIES
from web.token_store import Role, create_token

WIDTH = 80
LONG_NAME = "Atlantic Trident Hospitality International Holdings Incorporated"
LONG_EMAIL = "valentina.herrera-montenegro@acme-revenue.example"
LONG_REASON = (
    "NA-West matches and is more specific than NA; the rep is the member with the fewest "
    "accounts (maya.chen@acme-revenue.example: 11 accounts, daniel.okafor: 12 accounts)"
)
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d")
TIME_IN_UTC = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC")


@dataclass
class Store:
    url: str
    run_id: int


def _change(number: int) -> ProposedChange:
    return ProposedChange(
        source="salesforce",
        external_id=f"0015g000HbXm5a{number:04d}",
        account_name=f"{LONG_NAME} {number}",
        old_owner_id="005OLD",
        old_owner_email=LONG_EMAIL,
        new_owner_id="005maya.chen",
        new_owner_email="maya.chen@acme-revenue.example",
        territory="NA-West-Enterprise",
        rule="territory",
        reason=LONG_REASON,
    )


def _seed(url: str) -> int:
    database = open_database(url)
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        upsert_accounts(
            connection,
            [
                UnifiedAccount(
                    "salesforce",
                    f"0015g000HbXm5a{number:04d}",
                    name=f"{LONG_NAME} {number}",
                    domain=f"atlantic-trident-hospitality-{number}.example",
                    country="US",
                    region="US-CA",
                    industry="hospitality_and_leisure",
                    employees=12_500,
                    annual_revenue=Decimal("26370000.00"),
                    owner_id="005OLD",
                )
                for number in range(3)
            ],
            now,
        )
        upsert_reps(
            connection,
            [
                UnifiedRep("salesforce", "005OLD", LONG_EMAIL, "Valentina", True),
                *(
                    UnifiedRep("salesforce", f"005{n}", f"{n}@acme-revenue.example", n, True)
                    for n in (
                        "maya.chen",
                        "daniel.okafor",
                        "rachel.goldberg",
                        "oliver.bennett",
                        "lena.fischer",
                    )
                ),
            ],
        )
    run_id = open_run(database, kind="sync", trigger="schedule", actor="scheduler")
    plan_id = save_plan(
        database,
        run_id=run_id,
        trigger="schedule",
        actor="scheduler",
        changes=[_change(number) for number in range(3)],
    )
    figures = {
        "pulled": 1_204,
        "evaluated": 1_204,
        "planned": 3,
        "written": 3,
        "failed": 0,
        "duration_seconds": 4.25,
        "api_calls": {"salesforce": {"calls": 6, "by_kind": {"query": 2}}},
        "pull": {"salesforce": {"mode": "full", "full_because": None, "skipped_reasons": []}},
        "changes_by_territory": {"NA-West-Enterprise": 3},
    }
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures=figures)
    changes = plan_changes(database, plan_id)
    with database.engine.begin() as connection:
        append_audit(
            connection,
            [
                AuditRecord.for_change(
                    change, run_id=run_id, trigger="schedule", actor="scheduler", status="written"
                )
                for change in changes
            ],
        )
        open_holds(connection, run_id, [(change, "005PERSON") for change in changes])
    notice = Notice("run_failed", f"Run {run_id} failed: {LONG_REASON}", "body", "a", run_id=1)
    record(database, addressed(notice, [Destination(EMAIL_CHANNEL, LONG_EMAIL)]))
    create_token(database, "grafana-dashboards-production", Role.VIEWER, actor="test")
    database.dispose()
    return run_id


@pytest.fixture
def store(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TERRITORY_SYNC_") and not name.startswith("TERRITORY_SYNC_AUDIT_"):
            monkeypatch.delenv(name)
    territory_file = tmp_path / "territories.yaml"
    territory_file.write_text(TERRITORIES, encoding="utf-8")
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(territory_file))
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    assert console.width == WIDTH, "the console's width must follow COLUMNS"
    path = tmp_path / "territory-sync.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    yield Store(url, _seed(url))


def run(store: Store, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["--database-url", store.url, *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def headers(out: str) -> list[list[str]]:
    """The header cells of each table printed: the line above each header rule."""
    lines = out.splitlines()
    return [
        re.split(r"\s{2,}", lines[number - 1].strip())
        for number, line in enumerate(lines)
        if number and line and set(line.strip()) == {"─"}
    ]


def fields(out: str) -> list[str]:
    """The field names of a listing printed record by record (`│ field │ value │`)."""
    cells = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    return [cell for cell in cells if cell]


TABLES = [
    (("runs",), [runs.DEFAULT_COLUMNS]),
    (("audit",), [audit.DEFAULT_COLUMNS]),
    (("audit", "--account", "0015g000HbXm5a0001"), [audit.ACCOUNT_COLUMNS]),
    (("accounts", "list"), [accounts.DEFAULT_COLUMNS]),
    (("holds", "list"), [holds.DEFAULT_COLUMNS]),
    (("holds", "list", "--all"), [holds.DEFAULT_WITH_ENDED]),
    (("alerts", "list"), [alerts.DEFAULT_COLUMNS]),
    (("tokens", "list"), [tokens.DEFAULT_COLUMNS]),
    (
        ("balance",),
        [balance.TERRITORY_DEFAULT, balance.MEMBER_DEFAULT, balance.REP_COLUMNS],
    ),
]
IDS = [" ".join(command) for command, _ in TABLES]


@pytest.mark.parametrize(("command", "columns"), TABLES, ids=IDS)
def test_each_table_fits_80_columns_with_its_default_headers_whole(
    store: Store,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    columns: list[tuple[str, ...]],
) -> None:
    out = run(store, capsys, *command)
    assert max(len(line) for line in out.splitlines()) <= WIDTH, out
    assert headers(out) == [list(names) for names in columns], out


WIDE = [
    (("runs",), runs.COLUMNS),
    (("audit",), audit.TABLE_COLUMNS),
    (("accounts", "list"), accounts.LIST_COLUMNS),
    (("holds", "list", "--all"), (*holds.COLUMNS, *holds.ENDED_COLUMNS)),
    (("alerts", "list"), alerts.COLUMNS),
    (("tokens", "list"), tokens.COLUMNS),
]


@pytest.mark.parametrize(("command", "columns"), WIDE, ids=[" ".join(c) for c, _ in WIDE])
def test_wide_shows_every_column_within_80_columns(
    store: Store,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    columns: tuple[str, ...],
) -> None:
    out = run(store, capsys, *command, "--wide")
    shown = [name for table in headers(out) for name in table] or fields(out)
    assert set(shown) == set(columns), out
    assert "more column" not in out
    assert max(len(line) for line in out.splitlines()) <= WIDTH, out


def test_a_table_says_how_many_columns_wide_adds(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(store, capsys, "runs")
    hidden = len(runs.COLUMNS) - len(runs.DEFAULT_COLUMNS)
    assert f"{hidden} more columns with --wide" in out


def test_a_long_name_and_email_are_cut_in_the_table_and_whole_in_json(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    table = run(store, capsys, "accounts", "list")
    assert LONG_NAME not in table
    assert re.search(r"  Atlantic Tr[\w ]*…  ", table), table
    assert LONG_EMAIL not in table
    rows = json.loads(run(store, capsys, "accounts", "list", "--json"))
    assert {row["name"] for row in rows} == {f"{LONG_NAME} {number}" for number in range(3)}
    assert {row["owner"] for row in rows} == {LONG_EMAIL}


def test_an_audit_reason_is_at_most_three_lines_and_whole_as_json(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(store, capsys, "audit", "--account", "0015g000HbXm5a0001")
    body = out.splitlines()[3:-1]
    assert 1 < len(body) <= 3, out
    assert body[-1].rstrip().endswith("…")
    (row,) = json.loads(
        run(store, capsys, "audit", "--account", "0015g000HbXm5a0001", "--format", "json")
    )
    assert row["reason"] == LONG_REASON


def test_the_runs_table_names_its_time_zone_and_shows_times_to_the_second(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(store, capsys, "runs")
    assert "Runs (newest first), times in UTC" in out
    assert re.search(r"\s\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s", out)
    assert not MICROSECONDS.search(out)


def test_runs_show_prints_readable_values_and_no_python_values(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(store, capsys, "runs", "show", str(store.run_id))
    for python in ("Decimal(", "{'", "['", "None", "True", "False"):
        assert python not in out, out
    assert not MICROSECONDS.search(out)
    assert len(TIME_IN_UTC.findall(out)) == 2, "started and finished, to the second, in UTC"
    assert "1,204" in out and "4.25" in out
    assert "api_calls.salesforce.by_kind.query" not in out
    assert "salesforce.by_kind.query" in out
    assert max(len(line) for line in out.splitlines()) <= WIDTH


def test_runs_show_gives_times_in_the_configured_time_zone(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_SCHEDULE_TIMEZONE", "Asia/Tokyo")
    out = run(store, capsys, "runs", "show", str(store.run_id))
    assert re.search(r"started_at\s+│ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} JST", out), out
    assert "UTC" not in out


def test_runs_show_gives_a_run_id_as_typed_without_thousands_separators(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(store, capsys, "runs", "show", str(store.run_id))
    assert re.search(rf"│ id\s+│ {store.run_id}\s", out)
    assert re.search(r"│ pid\s+│ \d+\s", out), "a process id is not a count"


def _contract_start(value: object, reading: Reading) -> datetime | None:
    return parse_crm_datetime(value)


CONTRACT_START = UnifiedField(
    "contract_start", FieldKind.TIME, _contract_start, {"salesforce": "Contract_Start__c"}
)
RAW_VALUES_TERRITORIES = """\
version: 1
territories:
  - name: West
    criteria:
      all:
        - {region: [US-CA]}
        - {field: BillingAddress, equals: Springfield}
        - {field: Segments__c, equals: enterprise}
        - {field: contract_start, equals: 2026}
    members:
      - email: maya.chen@acme-revenue.example
"""


def test_explain_shows_a_crms_times_lists_and_mappings_without_python_values(
    store: Store,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    database = open_database(store.url)
    with database.engine.begin() as connection:
        raw = {
            "BillingAddress": {"city": "Springfield", "state": None},
            "Segments__c": ["enterprise", "public sector"],
            "Contract_Start__c": "2026-01-01T08:00:00.123456Z",
        }
        account = UnifiedAccount(
            "salesforce", "001RAW", name="Acme", country="US", region="US-CA", raw=raw
        )
        upsert_accounts(connection, [account], datetime.now(UTC))
    database.dispose()
    territory_file = tmp_path / "raw-values.yaml"
    territory_file.write_text(RAW_VALUES_TERRITORIES, encoding="utf-8")
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(territory_file))

    with registered(CONTRACT_START):
        out = run(store, capsys, "explain", "001RAW")

    for python in ("{'", "['", "None", "+00:00"):
        assert python not in out, out
    assert not MICROSECONDS.search(out)
    assert 'the account has {"city": "Springfield", "state": (empty)}' in out
    assert 'the account has ["enterprise", "public sector"]' in out
    assert "contract_start 2026-01-01 08:00:00 UTC" in out
