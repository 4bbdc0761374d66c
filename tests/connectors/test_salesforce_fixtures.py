"""Shared pieces of the Salesforce connector tests: an emulated org served on loopback, seed data,
and connectors pointed at it with a fast retry policy. Holds no tests itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from connectors.base import AccountPage, PullMode, PullPosition, RawAccount
from connectors.retry import RetryPolicy
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.auth import ClientCredentials, SalesforceCredentials
from mapping.registry import crm_fields
from sandbox.faults import FaultProfile
from sandbox.ids import ACCOUNT_PREFIX, USER_PREFIX, salesforce_id
from sandbox.salesforce import SalesforceOrg, SalesforceOrgConfig, create_salesforce_app
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity, SeedRep
from sandbox.server import ServedApp, serve_in_thread
from territory_sync.settings import SalesforceSettings

FAST = RetryPolicy(max_attempts=8, initial_wait=0.001, max_wait=0.01, jitter=0)
JAN_1_2026_MS = 1_767_225_600_000
NO_LOOKBACK = timedelta(0)


class FakeClock:
    """A settable clock in epoch seconds, for the org (modified times) and the connector (JWT)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


def user_id(number: int) -> str:
    return salesforce_id(USER_PREFIX, number)


def account_id(number: int) -> str:
    return salesforce_id(ACCOUNT_PREFIX, number)


def team() -> list[SeedRep]:
    """Three active reps and one who left (inactive)."""
    names = [("Alice", True), ("Bob", True), ("Chen", True), ("Dora", False)]
    return [
        SeedRep(
            email=f"{first.lower()}@acme.example",
            first_name=first,
            last_name="Example",
            active=active,
            salesforce_user_id=user_id(n),
            hubspot_owner_id=str(100 + n),
            hubspot_user_id=200 + n,
            team="emea",
        )
        for n, (first, active) in enumerate(names, start=1)
    ]


def seed_account(
    number: int, *, modified_ms: int | None = None, owner: str | None = None, **values: Any
) -> SeedAccount:
    defaults: dict[str, Any] = {
        "crm_id": account_id(number),
        "name": f"Account {number:06d}",
        "website": f"https://www.account{number}.example/",
        "domain": None,
        "country": "Germany",
        "region": "Berlin",
        "city": "Berlin",
        "postal_code": "10115",
        "industry": "Technology",
        "employees": 10 + number,
        "annual_revenue": 100_000 * number,
        "owner_id": owner or user_id(1 + number % 3),
        "account_type": "Prospect",
        "do_not_reassign": False,
        "created_ms": JAN_1_2026_MS - 86_400_000,
        "modified_ms": JAN_1_2026_MS + 1000 * number if modified_ms is None else modified_ms,
    }
    defaults.update(values)
    return SeedAccount(**defaults)


def seed_accounts(count: int, **values: Any) -> list[SeedAccount]:
    return [seed_account(n, **values) for n in range(1, count + 1)]


@dataclass
class ServedOrg:
    org: SalesforceOrg
    served: ServedApp
    clock: FakeClock
    connectors: list[SalesforceConnector] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.served.url

    def credentials(self) -> ClientCredentials:
        return ClientCredentials(self.org.config.client_id, self.org.config.client_secret)

    def connect(
        self,
        credentials: SalesforceCredentials | None = None,
        *,
        policy: RetryPolicy = FAST,
        budget_share: float = 0.8,
        **settings: Any,
    ) -> SalesforceConnector:
        connector = SalesforceConnector(
            self.url,
            credentials or self.credentials(),
            settings=SalesforceSettings(instance_url=self.url, **settings),
            fields=crm_fields("salesforce"),
            budget_share=budget_share,
            policy=policy,
            bulk_poll_seconds=0.001,
            clock=self.clock,
        )
        self.connectors.append(connector)
        return connector

    def signed_in(self, **options: Any) -> SalesforceConnector:
        """A connector that already holds a token (its sign-in is not in the request log)."""
        connector = self.connect(**options)
        connector.sign_in()
        self.org.requests.clear()
        return connector


MakeOrg = Callable[..., ServedOrg]


@pytest.fixture
def clock() -> FakeClock:
    """A day into 2026: later than the seeded modified times."""
    return FakeClock(JAN_1_2026_MS / 1000 + 86_400)


@pytest.fixture
def make_org(clock: FakeClock) -> Iterator[MakeOrg]:
    orgs: list[ServedOrg] = []

    def make(
        accounts: list[SeedAccount],
        *,
        reps: list[SeedRep] | None = None,
        faults: FaultProfile | str = FaultProfile(),
        contacts: Sequence[SeedContact] = (),
        opportunities: Sequence[SeedOpportunity] = (),
        **config: Any,
    ) -> ServedOrg:
        config.setdefault("clock", clock)
        org = SalesforceOrg(
            reps if reps is not None else team(),
            accounts,
            contacts=contacts,
            opportunities=opportunities,
            config=SalesforceOrgConfig(**config),
        )
        org.set_faults(faults)
        served = ServedOrg(org, serve_in_thread(create_salesforce_app(org)), clock)
        orgs.append(served)
        return served

    yield make
    for served in orgs:
        for connector in served.connectors:
            connector.close()  # open keep-alive connections would hold up the server's shutdown
        served.served.stop()


def pull_all(
    connector: SalesforceConnector,
    mode: PullMode,
    since: PullPosition | None = None,
    lookback: timedelta = NO_LOOKBACK,
) -> tuple[list[RawAccount], PullPosition | None, list[AccountPage]]:
    """Every record of one pull, the last position it gave, and its pages."""
    pages = list(connector.pull_accounts(mode, since, lookback))
    records = [record for page in pages for record in page.records]
    position = since
    for page in pages:
        position = page.position or position
    return records, position, pages


def ids(records: list[RawAccount]) -> list[str]:
    return [record.external_id for record in records]
