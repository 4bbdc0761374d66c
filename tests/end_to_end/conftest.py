"""End-to-end fixtures: the sandbox CRMs, a database (SQLite and PostgreSQL), a territory file.

The runs under test are the product's own (`sync.runner`), with real connectors over real HTTP.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.launcher import RunningSandbox
from sync.runner import SyncRequest, SyncResult, run_sync
from sync.store.database import Database
from territory_sync.settings import Settings, load_settings

TERRITORIES = """\
version: 1
settings:
  unmatched: keep_owner
territories:
  - name: NA
    criteria:
      country: [US, CA]
    children:
      - name: NA-West
        criteria:
          region: [US-CA, US-WA, US-OR, US-NV, US-AZ, US-UT, US-CO]
        members:
          - email: maya.chen@acme-revenue.example
          - email: daniel.okafor@acme-revenue.example
      - name: NA-East
        criteria:
          region: [US-NY, US-MA, US-NJ, US-PA, US-FL, US-GA, US-VA, US-NC]
        members:
          - email: rachel.goldberg@acme-revenue.example
  - name: EMEA
    criteria:
      country: [GB, IE, DE, AT, CH, FR, NL, BE]
    members:
      - email: oliver.bennett@acme-revenue.example
      - email: lena.fischer@acme-revenue.example
"""

ALL_NORTH_AMERICA_TO_ONE_REP = """\
version: 1
territories:
  - name: Everything-NA
    criteria:
      country: [US, CA]
    assignment: single
    members:
      - email: emily.johnson@acme-revenue.example
"""


@dataclass
class Product:
    """The product as a test drives it: settings, database, and the sandbox it talks to."""

    settings: Settings
    database: Database
    sandbox: RunningSandbox
    territory_file: Path

    def sync(self, **request: Any) -> SyncResult:
        options: dict[str, Any] = {"trigger": "cli", "actor": "test", **request}
        return run_sync(self.settings, self.database, SyncRequest(**options))

    def use_territories(self, text: str) -> None:
        self.territory_file.write_text(text, encoding="utf-8")

    def owners(self, source: str) -> dict[str, str | None]:
        crm = self.sandbox.salesforce if source == "salesforce" else self.sandbox.hubspot
        return {i: crm.owner_of(i) for i in self.record_ids(source)}

    def record_ids(self, source: str) -> list[str]:
        book = self.sandbox.book
        return [a.crm_id for a in (book.salesforce if source == "salesforce" else book.hubspot)]


def product_settings(database_url: str, territory_file: Path, **sync: Any) -> Settings:
    return load_settings(
        None,
        environ=os.environ,
        overrides={
            "database": {"url": database_url},
            "territories": {"file": str(territory_file)},
            "sync": {
                "retry_initial_seconds": 0.01,
                "lookback_seconds": 5,
                "lost_answer_wait_seconds": 0.05,
                **sync,
            },
        },
    )


@pytest.fixture
def product(database: Database, sandbox_env: RunningSandbox, tmp_path: Path) -> Product:
    territory_file = tmp_path / "territories.yaml"
    territory_file.write_text(TERRITORIES, encoding="utf-8")
    settings = product_settings(database.url, territory_file, blast_radius=1.0)
    return Product(settings, database, sandbox_env, territory_file)
