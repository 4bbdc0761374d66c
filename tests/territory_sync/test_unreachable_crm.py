"""A CRM that does not answer: a line on standard error before every retry, then one error that
names the URL it could not reach, exit code 5; for Salesforce and for HubSpot alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.hubspot import DEFAULT_ACCESS_TOKEN
from sandbox.server import free_port
from sync.store.database import Database
from territory_sync.cli import main
from territory_sync.errors import ExitCode
from tests.territory_sync.cli_sandbox import ON_SQLITE_ONLY, one_line

ATTEMPTS = 3


@pytest.fixture
def dead_url() -> str:
    """The URL of a loopback port nobody listens on."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def configured(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A starter configuration with both CRMs' variables set and a small, fast retry budget;
    the global options that run a command on it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TERRITORY_SYNC_CONFIG", raising=False)
    assert main(["init"]) == 0
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_MAX_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_RETRY_INITIAL_SECONDS", "0.01")
    monkeypatch.setenv("SALESFORCE_CLIENT_ID", "territory-sync-sandbox")
    monkeypatch.setenv("SALESFORCE_CLIENT_SECRET", "territory-sync-sandbox-secret")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", DEFAULT_ACCESS_TOKEN)
    return ["--config", str(tmp_path / "territory-sync.toml"), "--database-url", database.url]


def retry_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "retrying in" in line]


@ON_SQLITE_ONLY
def test_an_unreachable_salesforce_is_announced_at_every_retry_and_named_in_the_error(
    configured: list[str],
    dead_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", dead_url)
    monkeypatch.setenv("TERRITORY_SYNC_HUBSPOT_ENABLED", "false")
    capsys.readouterr()
    assert main([*configured, "sync", "--dry-run"]) == ExitCode.CRM_UNAVAILABLE
    err = capsys.readouterr().err
    retries = retry_lines(err)
    assert len(retries) == ATTEMPTS - 1
    assert all(f"could not reach Salesforce at {dead_url}" in line for line in retries)
    assert f"(attempt 2 of {ATTEMPTS})" in retries[0]
    final = one_line(err.split("\nerror: ", 1)[1])
    assert final == (
        f"salesforce: Salesforce sign-in failed: could not reach Salesforce at {dead_url} "
        f"(ConnectionError); check SALESFORCE_INSTANCE_URL and the network (after {ATTEMPTS} "
        "attempts)"
    )


@ON_SQLITE_ONLY
def test_an_unreachable_hubspot_is_announced_at_every_retry_and_named_in_the_error(
    configured: list[str],
    dead_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HUBSPOT_BASE_URL", dead_url)
    monkeypatch.setenv("TERRITORY_SYNC_SALESFORCE_ENABLED", "false")
    capsys.readouterr()
    assert main([*configured, "sync", "--dry-run"]) == ExitCode.CRM_UNAVAILABLE
    err = capsys.readouterr().err
    retries = retry_lines(err)
    assert len(retries) == ATTEMPTS - 1
    assert all(f"could not reach HubSpot at {dead_url}" in line for line in retries)
    assert f"(attempt {ATTEMPTS} of {ATTEMPTS})" in retries[-1]
    final = one_line(err.split("\nerror: ", 1)[1])
    assert final.startswith(f"hubspot: could not reach HubSpot at {dead_url} (")
    assert final.endswith(f"(after {ATTEMPTS} attempts)")
