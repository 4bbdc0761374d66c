"""The console's CSV export: every account name that could start a formula arrives inert."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from sync.audit import AuditRecord, append_audit
from sync.plan import ProposedChange, plan_changes, save_plan
from sync.runs import close_run, open_run
from sync.store.database import Database
from sync.store.runs import RunStatus
from tests.hostile_text import FORMULAS, MARKUP, live_cells, read_csv
from tests.web.conftest import bearer


def seed_names(database: Database, names: tuple[str, ...]) -> None:
    run_id = open_run(database, kind="sync", trigger="cli", actor="seed", dry_run=True)
    plan_id = save_plan(
        database,
        run_id=run_id,
        trigger="cli",
        actor="seed",
        changes=[
            ProposedChange(
                source="hubspot",
                external_id=str(9000 + number),
                account_name=name,
                old_owner_id="77",
                old_owner_email="-old@acme-revenue.example",
                new_owner_id="78",
                new_owner_email="new.rep@acme-revenue.example",
                territory="@EMEA",
                rule="territory",
                reason="+country DE",
            )
            for number, name in enumerate(names)
        ],
    )
    with database.engine.begin() as connection:
        append_audit(
            connection,
            [
                AuditRecord.for_change(
                    change, run_id=run_id, trigger="cli", actor="seed", status="written"
                )
                for change in plan_changes(database, plan_id)
            ],
        )
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures={"planned": len(names)})


def exported(client: TestClient, token: str) -> list[list[str]]:
    """The export's header and its account rows (the token the test signed in with is an admin
    action of its own, with no account)."""
    answer = client.get("/api/audit/export.csv", headers=bearer(token))
    assert answer.status_code == 200
    header, *rows = read_csv(answer.text)
    name = header.index("account_name")
    return [header, *(row for row in rows if row[name])]


def test_every_formula_in_an_account_name_is_exported_as_quoted_text(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_names(database, FORMULAS)
    rows = exported(client, viewer_token)
    names = [row[rows[0].index("account_name")] for row in rows[1:]]
    assert names == ["'" + name for name in FORMULAS]
    assert live_cells(rows) == []


def test_every_text_column_is_neutralised_not_only_the_name(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_names(database, ("Bolt GmbH",))
    header, row = exported(client, viewer_token)
    shown = dict(zip(header, row, strict=True))
    assert shown["old_owner_email"] == "'-old@acme-revenue.example"
    assert shown["territory"] == "'@EMEA"
    assert shown["reason"] == "'+country DE"


def test_names_that_are_not_formulas_are_exported_exactly(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_names(database, (*MARKUP, "Fox & Cooper, Inc.", 'The "Best" Co; Ltd'))
    rows = exported(client, viewer_token)
    names = [row[rows[0].index("account_name")] for row in rows[1:]]
    assert names == [*MARKUP, "Fox & Cooper, Inc.", 'The "Best" Co; Ltd']


def test_numbers_and_times_are_exported_as_values_a_spreadsheet_reads(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_names(database, ("Bolt GmbH",))
    header, row = exported(client, viewer_token)
    shown = dict(zip(header, row, strict=True))
    assert shown["id"].isdigit() and shown["attempts"].isdigit()
    assert datetime.fromisoformat(shown["at"]).tzinfo == UTC
