"""Fixtures for the Salesforce emulator: a small hand-made org served over real HTTP, and
simple-salesforce clients talking to it through the loopback transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from connectors.loopback_http import session_for_instance
from sandbox.faults import FaultProfile
from sandbox.ids import ACCOUNT_PREFIX, USER_PREFIX, salesforce_id
from sandbox.salesforce import SalesforceOrg, SalesforceOrgConfig, create_salesforce_app
from sandbox.seed import SeedAccount, SeedRep
from sandbox.server import ServedApp, serve_in_thread

JAN_1_2026_MS = 1_767_225_600_000
"""2026-01-01T00:00:00Z."""


class FakeClock:
    """A settable clock in epoch seconds (the org's `clock`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


def rep(number: int, *, active: bool = True, first: str = "Rep") -> SeedRep:
    return SeedRep(
        email=f"rep{number}@example.com",
        first_name=first,
        last_name=f"Number{number}",
        active=active,
        salesforce_user_id=salesforce_id(USER_PREFIX, number),
        hubspot_owner_id=str(1000 + number),
        hubspot_user_id=2000 + number,
        team="EMEA",
    )


def account(number: int, owner: SeedRep | None = None, **values: Any) -> SeedAccount:
    defaults: dict[str, Any] = {
        "crm_id": salesforce_id(ACCOUNT_PREFIX, number),
        "name": f"Account {number:05d}",
        "website": f"https://www.account{number}.example",
        "domain": None,
        "country": "Germany",
        "region": None,
        "city": "Berlin",
        "postal_code": "10115",
        "industry": "Technology",
        "employees": 10 * number,
        "annual_revenue": 100_000 * number,
        "owner_id": owner.salesforce_user_id if owner else None,
        "account_type": "Prospect",
        "do_not_reassign": False,
        "created_ms": JAN_1_2026_MS,
        "modified_ms": JAN_1_2026_MS + 1000 * number,
    }
    defaults.update(values)
    return SeedAccount(**defaults)


@dataclass
class Sandbox:
    org: SalesforceOrg
    served: ServedApp
    reps: list[SeedRep]
    sessions: list[requests.Session] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.served.url

    def token(self) -> str:
        response = requests.post(
            f"{self.url}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.org.config.client_id,
                "client_secret": self.org.config.client_secret,
            },
            timeout=10,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def client(self, token: str | None = None, version: str = "59.0") -> Salesforce:
        session = session_for_instance(self.url)
        self.sessions.append(session)
        return Salesforce(
            instance_url=self.url,
            session_id=token or self.token(),
            session=session,
            version=version,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(f"{self.url}{path}", timeout=10, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.url}{path}", timeout=10, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.put(f"{self.url}{path}", timeout=10, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.delete(f"{self.url}{path}", timeout=10, **kwargs)

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        """A raw data call (to read headers and status codes simple-salesforce hides)."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        timeout = kwargs.pop("timeout", 30)
        return requests.request(
            method,
            f"{self.url}/services/data/v59.0{path}",
            headers=headers,
            timeout=timeout,
            **kwargs,
        )


MakeSandbox = Callable[..., Sandbox]


def error_body(error: SalesforceError) -> list[dict[str, Any]]:
    """The parsed JSON error list simple-salesforce keeps in `.content` (it types it as bytes)."""
    return cast(list[dict[str, Any]], error.content)


def bulk2(sf: Salesforce) -> Any:
    """`sf.bulk2`; simple-salesforce types its dynamic attributes as a loose union."""
    return sf.bulk2


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(JAN_1_2026_MS / 1000 + 3600.25)


@pytest.fixture
def team() -> list[SeedRep]:
    """Alice and Bob are active; Carol has left the company (inactive)."""
    return [rep(1, first="Alice"), rep(2, first="Bob"), rep(3, first="Carol", active=False)]


@pytest.fixture
def make_sandbox(clock: FakeClock, team: list[SeedRep]) -> Iterator[MakeSandbox]:
    sandboxes: list[Sandbox] = []

    def make(
        accounts: list[SeedAccount],
        *,
        reps: list[SeedRep] | None = None,
        faults: FaultProfile = FaultProfile(),
        **config: Any,
    ) -> Sandbox:
        config.setdefault("clock", clock)
        org = SalesforceOrg(
            reps if reps is not None else team,
            accounts,
            config=SalesforceOrgConfig(**config),
            faults=faults,
        )
        sandbox = Sandbox(org, serve_in_thread(create_salesforce_app(org)), org.users)
        sandboxes.append(sandbox)
        return sandbox

    yield make
    for sandbox in sandboxes:
        for session in sandbox.sessions:
            session.close()  # open keep-alive connections would hold up the server's shutdown
        sandbox.served.stop()


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox, team: list[SeedRep]) -> Sandbox:
    """Ten accounts owned by Alice, numbered 1..10."""
    return make_sandbox([account(n, team[0]) for n in range(1, 11)])
