"""Admin console fixtures: the app over a test database, tokens of each role, seeded history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from sandbox.launcher import RunningSandbox
from sync.audit import AuditRecord, append_audit
from sync.companies import ACCOUNTS
from sync.plan import ProposedChange, plan_changes, save_plan
from sync.runs import close_run, open_run
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.settings import Settings
from tests.end_to_end.conftest import TERRITORIES, product_settings
from web.app import create_app
from web.token_store import Role, create_token

SECRET_KEY = b"test-secret-key-for-sessions"


def seed_history(database: Database) -> dict[str, int]:
    """One account in each CRM, one finished run with a plan of one planned change."""
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        connection.execute(
            insert(ACCOUNTS),
            [
                {
                    "source": "salesforce",
                    "external_id": "001SEEDED0001",
                    "name": "Globex West",
                    "domain": "globex.example",
                    "country": "US",
                    "region": "US-CA",
                    "owner_id": "005OLD",
                    "deleted": False,
                    "raw": {},
                    "first_seen_at": now,
                    "last_seen_at": now,
                },
            ],
        )
    run_id = open_run(database, kind="sync", trigger="cli", actor="seed", dry_run=True)
    plan_id = save_plan(
        database,
        run_id=run_id,
        trigger="cli",
        actor="seed",
        changes=[
            ProposedChange(
                source="salesforce",
                external_id="001SEEDED0001",
                account_name="=Globex West",
                old_owner_id="005OLD",
                old_owner_email="old.rep@acme-revenue.example",
                new_owner_id="005NEW",
                new_owner_email="new.rep@acme-revenue.example",
                territory="NA-West",
                rule="territory",
                reason="region US-CA",
            )
        ],
        guard_rails={"allowed": True, "message": ""},
    )
    # The account's history: the decision taken when the plan was applied.
    (change,) = plan_changes(database, plan_id)
    with database.engine.begin() as connection:
        append_audit(
            connection,
            [
                AuditRecord.for_change(
                    change, run_id=run_id, trigger="cli", actor="seed", status="written"
                )
            ],
        )
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures={"planned": 1})
    return {"run_id": run_id, "plan_id": plan_id}


@pytest.fixture
def territory_file(tmp_path: Path) -> Path:
    path = tmp_path / "territories.yaml"
    path.write_text(TERRITORIES, encoding="utf-8")
    return path


@pytest.fixture
def console_settings(database: Database, territory_file: Path) -> Settings:
    return product_settings(database.url, territory_file, blast_radius=1.0)


@pytest.fixture
def client(console_settings: Settings, database: Database) -> Iterator[TestClient]:
    app = create_app(console_settings, database, secret_key=SECRET_KEY)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
    app.state.jobs.wait(30)


@pytest.fixture
def seeded(database: Database) -> dict[str, int]:
    return seed_history(database)


@pytest.fixture
def admin_token(database: Database) -> str:
    return create_token(database, "alice", Role.ADMIN)[1]


@pytest.fixture
def viewer_token(database: Database) -> str:
    return create_token(database, "victor", Role.VIEWER)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, token: str) -> str:
    """Sign the client's browser session in; returns the session's CSRF token."""
    form = client.get("/signin")
    csrf = csrf_in(form.text)
    answer = client.post(
        "/signin",
        data={"token": token, "csrf_token": csrf, "next": "/runs"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_in(client.get("/resync").text)


def csrf_in(page: str) -> str:
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


@pytest.fixture
def sandbox_client(
    database: Database, sandbox_env: RunningSandbox, territory_file: Path
) -> Iterator[TestClient]:
    settings = product_settings(database.url, territory_file, blast_radius=1.0)
    app = create_app(settings, database, secret_key=SECRET_KEY)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
    app.state.jobs.wait(60)
