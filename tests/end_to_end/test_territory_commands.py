"""Territory commands over pulled data: check, explain and the what-if balance."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from sync.companies import REPS
from territory_sync.cli import main
from tests.end_to_end.conftest import Product
from web.app import create_app
from web.token_store import Role, create_token


@pytest.fixture
def pulled(product: Product, monkeypatch: pytest.MonkeyPatch) -> Product:
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(product.territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    product.sync()
    return product


def cli(product: Product, *args: str) -> int:
    return main(["--database-url", product.database.url, *args])


def test_check_reports_a_valid_file_against_pulled_reps(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(pulled, "territories", "check", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["territories"] == 4
    assert report["checked_against_pulled_reps"] is True


def test_check_refuses_a_rep_nobody_knows_naming_file_line_and_territory(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = pulled.territory_file.with_name("broken.yaml")
    broken.write_text(
        "version: 1\nterritories:\n  - name: West\n    criteria:\n      country: [US]\n"
        "    members:\n      - email: nobody@acme-revenue.example\n",
        encoding="utf-8",
    )
    assert cli(pulled, "territories", "check", str(broken)) == 2
    err = capsys.readouterr().err
    assert f"{broken}:7" in err
    assert "territory 'West'" in err
    assert "nobody@acme-revenue.example" in err


def test_check_warns_of_a_territory_whose_owners_are_all_inactive_in_hubspot_and_exits_0(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    west = ("maya.chen@acme-revenue.example", "daniel.okafor@acme-revenue.example")
    with pulled.database.engine.begin() as connection:
        connection.execute(update(REPS).where(REPS.c.email.in_(west)).values(hubspot_active=False))
    assert cli(pulled, "territories", "check", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["territories_without_active_member"] == {"hubspot": ["NA-West"]}
    assert any(
        "territory 'NA-West' has no owner member active in HubSpot" in warning
        for warning in report["warnings"]
    )


def test_explain_shows_each_criterion_with_the_accounts_value_and_the_decision(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    account = next(
        a
        for a in pulled.sandbox.book.salesforce
        if a.country in ("US", "USA", "United States") and a.region in ("CA", "California")
    )
    assert cli(pulled, "explain", account.crm_id) == 0
    out = capsys.readouterr().out
    assert "  NA-West (priority 0, depth 1): MATCHES" in out
    assert 'yes (the account has "US-CA")' in out
    decision = next(line for line in out.splitlines() if line.startswith("Decision ("))
    assert "NA-West" in decision


def _without_maya(product: Product) -> Path:
    """A proposed territory file: the current one with Maya Chen gone from NA-West."""
    proposed = product.territory_file.with_name("proposed.yaml")
    proposed.write_text(
        product.territory_file.read_text().replace(
            "          - email: maya.chen@acme-revenue.example\n", ""
        ),
        encoding="utf-8",
    )
    return proposed


def test_the_what_if_shows_moves_without_writing_anything(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = _without_maya(pulled)
    capsys.readouterr()
    pulled.sandbox.salesforce.requests.clear()
    assert cli(pulled, "balance", "--proposed", str(proposed), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["moved"] > 0
    assert all(move["from"] == "maya.chen@acme-revenue.example" for move in report["moves"])
    assert "gini" in report["after"]
    assert pulled.sandbox.salesforce.requests.count() == 0


def _console_what_if(product: Product, content: bytes) -> dict[str, Any]:
    """The console's what-if of `content`: uploaded to the API, its job's result once done."""
    token = create_token(product.database, "victor", Role.VIEWER)[1]
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(product.settings, product.database, secret_key=b"what-if-test-key")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        answer = client.post(
            "/api/balance/what-if",
            files={"territory_file": ("proposed.yaml", content)},
            headers=headers,
        )
        assert answer.status_code == 202, answer.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job: dict[str, Any] = client.get(answer.headers["location"], headers=headers).json()
            if job["status"] in ("succeeded", "failed"):
                assert job["status"] == "succeeded", job
                assert job["result"] is not None
                return job["result"]
            time.sleep(0.05)
    raise AssertionError("the console's what-if job did not finish within 60 s")


def test_the_command_line_and_the_console_give_the_same_what_if_for_one_file(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = _without_maya(pulled)
    capsys.readouterr()
    assert cli(pulled, "balance", "--proposed", str(proposed), "--json") == 0
    on_the_command_line = json.loads(capsys.readouterr().out)
    in_the_console = _console_what_if(pulled, proposed.read_bytes())
    assert on_the_command_line["moved"] > 0
    assert in_the_console == on_the_command_line
