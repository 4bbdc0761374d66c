"""Fixtures of the command-line tests: the product configured for the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.launcher import RunningSandbox
from sync.store.database import Database
from tests.end_to_end.conftest import Product
from tests.territory_sync.cli_sandbox import configured_product


@pytest.fixture
def configured(
    database: Database,
    sandbox_env: RunningSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Product:
    """The product, with the command line pointed at its database's settings and sandbox."""
    return configured_product(database, sandbox_env, tmp_path, monkeypatch)
