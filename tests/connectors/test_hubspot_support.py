"""Shared pieces of the HubSpot connector tests: the emulator served on loopback to the real
`hubspot-api-client`, small books of owners and companies, and a connector pointed at it.

Test modules import the `hubspot` fixture from here; it starts emulators on demand and stops them
when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from connectors.base import PullMode, PullPosition, RawAccount
from connectors.hubspot import HubSpotConnector
from connectors.retry import RetryPolicy
from mapping.registry import crm_fields
from sandbox.faults import FaultProfile
from sandbox.hubspot import DEFAULT_ACCESS_TOKEN, HubSpotPortal, HubSpotPortalConfig
from sandbox.hubspot.app import create_hubspot_app
from sandbox.ids import hubspot_id, salesforce_id
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity, SeedRep
from sandbox.server import ServedApp, serve_in_thread
from tests.connectors.contract import BASE_MS, LOOKBACK, contract_reps

FAST_RETRIES = RetryPolicy(initial_wait=0.001, max_wait=0.01, jitter=0)
UNLIMITED = HubSpotPortalConfig(ten_second_limit=1_000_000, search_per_second=1_000_000)
"""Limits out of the way, for tests about something else than pacing."""


def owner_id(n: int) -> str:
    return str(70_000 + n)


def book_reps() -> list[SeedRep]:
    """Ana, Ben and Cleo are active owners; Dev left (an archived owner)."""
    return contract_reps(lambda n: salesforce_id("005", n), owner_id)


ACTIVE_OWNERS = [owner_id(1), owner_id(2), owner_id(3)]
ARCHIVED_OWNER = owner_id(4)


def company(n: int, *, modified_ms: int | None = None, owner: str | None = None) -> SeedAccount:
    return SeedAccount(
        crm_id=hubspot_id(n),
        name=f"Company {n}",
        website=f"https://www.company{n}.example/",
        domain=f"company{n}.example",
        country="Germany",
        region="Bavaria",
        city="Munich",
        postal_code="80331",
        industry="COMPUTER_SOFTWARE",
        employees=10 + n,
        annual_revenue=100_000 * n,
        owner_id=owner or ACTIVE_OWNERS[n % 3],
        account_type="customer",
        do_not_reassign=n % 7 == 0,
        created_ms=BASE_MS - 86_400_000,
        modified_ms=BASE_MS + n * 1000 if modified_ms is None else modified_ms,
    )


def companies(count: int, *, first: int = 1) -> list[SeedAccount]:
    return [company(n) for n in range(first, first + count)]


@dataclass
class Rig:
    """One emulated portal on loopback and a way to build connectors for it."""

    portal: HubSpotPortal
    server: ServedApp
    connector_options: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def connect(self, **options: Any) -> HubSpotConnector:
        settings: dict[str, Any] = {
            "base_url": self.url,
            "fields": crm_fields("hubspot"),
            "retry_policy": FAST_RETRIES,
            "requests_per_ten_seconds": 1_000_000,
            "search_requests_per_second": 1_000_000,
            "timeout_seconds": 10.0,
            **self.connector_options,
            **options,
        }
        return HubSpotConnector(DEFAULT_ACCESS_TOKEN, **settings)


StartRig = Callable[..., Rig]


@pytest.fixture
def hubspot() -> Iterator[StartRig]:
    """Start an emulated portal: `hubspot(companies=[...], config=..., faults=...)`."""
    servers: list[ServedApp] = []

    def start(
        accounts: Sequence[SeedAccount] = (),
        *,
        reps: list[SeedRep] | None = None,
        config: HubSpotPortalConfig = UNLIMITED,
        faults: FaultProfile = FaultProfile(),
        contacts: Sequence[SeedContact] = (),
        deals: Sequence[SeedOpportunity] = (),
        **connector_options: Any,
    ) -> Rig:
        portal = HubSpotPortal(
            reps or book_reps(),
            list(accounts),
            contacts=contacts,
            deals=deals,
            config=config,
            faults=faults,
        )
        server = serve_in_thread(create_hubspot_app(portal))
        servers.append(server)
        return Rig(portal, server, dict(connector_options))

    yield start
    for server in servers:
        server.stop()


def pull(
    connector: HubSpotConnector, mode: PullMode, since: PullPosition | None = None
) -> tuple[list[RawAccount], PullPosition | None]:
    """Every record of one pull and the position it ends at."""
    records: list[RawAccount] = []
    position = since
    for page in connector.pull_accounts(mode, since, LOOKBACK):
        records.extend(page.records)
        position = page.position or position
    return records, position
