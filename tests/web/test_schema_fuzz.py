"""The API described at /openapi.json, fuzzed from its own schema: no input makes a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from sync.store.database import open_database
from tests.end_to_end.conftest import TERRITORIES, product_settings
from tests.web.conftest import SECRET_KEY, seed_history
from web.app import create_app
from web.token_store import Role, create_token

ADMIN_SECRET: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    territory_file = folder / "territories.yaml"
    territory_file.write_text(TERRITORIES, encoding="utf-8")
    database = open_database(f"sqlite:///{folder / 'console.db'}", upgrade=True)
    seed_history(database)
    ADMIN_SECRET["token"] = create_token(database, "fuzz", Role.ADMIN)[1]
    app = create_app(
        product_settings(database.url, territory_file), database, secret_key=SECRET_KEY
    )
    try:
        yield app
    finally:
        app.state.jobs.wait(30)
        database.dispose()


@pytest.mark.slow
def test_no_request_the_schema_allows_makes_a_server_error(fuzzed_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    headers = {"Authorization": f"Bearer {ADMIN_SECRET['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def no_server_error(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        no_server_error()
