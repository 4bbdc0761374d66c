"""The command line against the sandbox CRMs: a configured product and a way to run commands.

The product is the end-to-end one (`tests.end_to_end.conftest`): both CRM emulators, a migrated
database and the territory file, with the environment a person's shell would hold to run
`territory-sync` against them (the sandbox's variables, `sandbox_env`, set by the caller).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.launcher import RunningSandbox
from sync.store.database import Database
from territory_sync.cli import main
from tests.end_to_end.conftest import TERRITORIES, Product, product_settings

ON_SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
"""For a test of the command line itself, where the database is not what is tested: it runs
once, on SQLite, instead of once per database."""


def configured_product(
    database: Database, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Product:
    """The product, with the environment pointing the command line at its database's
    territory file and settings (the sandbox's own variables already set)."""
    territory_file = tmp_path / "territories.yaml"
    territory_file.write_text(TERRITORIES, encoding="utf-8")
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_RETRY_INITIAL_SECONDS", "0.01")
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_BLAST_RADIUS", "1")
    settings = product_settings(database.url, territory_file, blast_radius=1.0)
    return Product(settings, database, sandbox, territory_file)


def cli(product: Product, *args: str) -> int:
    """`territory-sync --database-url URL ARGS...`, as typed; its exit code."""
    return main(["--database-url", product.database.url, *args])


def recorded_runs(product: Product, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    """What `territory-sync runs --json` lists (the output captured so far is set aside)."""
    capsys.readouterr()
    assert cli(product, "runs", "--json") == 0
    runs: list[Any] = json.loads(capsys.readouterr().out)
    return runs


def one_line(text: str) -> str:
    """`text` as one line, the terminal's wrapping undone."""
    return " ".join(text.split())
