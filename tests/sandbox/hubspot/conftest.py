"""Fixtures for the HubSpot emulator tests: small hand-made books, a clock tests can move, and
the emulator served on loopback to the real `hubspot-api-client`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from hubspot import HubSpot

from sandbox.faults import FaultProfile
from sandbox.hubspot import HubSpotPortal, HubSpotPortalConfig, create_hubspot_app
from sandbox.ids import hubspot_id
from sandbox.seed import SeedAccount, SeedRep
from sandbox.server import ServedApp, serve_in_thread

TOKEN = "pat-na1-0c0ffee0-1111-4222-8333-444455556666"
START_S = 1_714_564_800.0  # 2024-05-01T12:00:00Z
START_MS = int(START_S * 1000)


class FakeClock:
    """Seconds since the epoch that move only when a test says so."""

    def __init__(self, now: float = START_S) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_reps() -> list[SeedRep]:
    """Three active reps and one who left (an archived owner)."""
    return [
        SeedRep(
            "ana.lima@example.com", "Ana", "Lima", True, "0055g0000000001AAA", "301", 9001, "EMEA"
        ),
        SeedRep(
            "bo.chen@example.com", "Bo", "Chen", True, "0055g0000000002AAA", "302", 9002, "APAC"
        ),
        SeedRep(
            "cy.diaz@example.com", "Cy", "Diaz", True, "0055g0000000003AAA", "303", 9003, "AMER"
        ),
        SeedRep(
            "di.eng@example.com", "Di", "Eng", False, "0055g0000000004AAA", "304", 9004, "AMER"
        ),
    ]


def make_company(number: int, **values: Any) -> SeedAccount:
    """A company with plausible values; `values` override any SeedAccount field."""
    account = SeedAccount(
        crm_id=hubspot_id(number),
        name=f"Company {number}",
        website=f"https://www.company{number}.example/",
        domain=f"company{number}.example",
        country="Germany",
        region="Bavaria",
        city="Munich",
        postal_code="80331",
        industry="COMPUTER_SOFTWARE",
        employees=10 * number,
        annual_revenue=100_000 * number,
        owner_id="301",
        account_type="customer",
        do_not_reassign=False,
        created_ms=START_MS - 86_400_000 + number,
        modified_ms=START_MS - 3_600_000 + number * 1000,
    )
    return replace(account, **values)


def make_companies(count: int) -> list[SeedAccount]:
    return [make_company(n) for n in range(1, count + 1)]


def roomy_config(clock: FakeClock, **overrides: Any) -> HubSpotPortalConfig:
    """Limits high enough that only tests about limits meet them (the clock does not move)."""
    settings: dict[str, Any] = {
        "access_tokens": (TOKEN,),
        "ten_second_limit": 100_000,
        "daily_limit": 1_000_000,
        "search_per_second": 100_000,
        "clock": clock,
    }
    settings.update(overrides)
    return HubSpotPortalConfig(**settings)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


PortalFactory = Callable[..., tuple[HubSpotPortal, str]]


class Switchboard:
    """One loopback server for the whole session, answering with the current test's app
    (starting and stopping uvicorn for every test would dominate the suite's run time)."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            raise RuntimeError("no HubSpot portal is being served; use the `serve` fixture")
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def switchboard() -> Iterator[tuple[Switchboard, ServedApp]]:
    board = Switchboard()
    served = serve_in_thread(board)
    yield board, served
    served.stop()


@pytest.fixture
def serve(clock: FakeClock, switchboard: tuple[Switchboard, ServedApp]) -> Iterator[PortalFactory]:
    """`serve(companies, reps=..., faults=..., **config)` -> (portal, base url)."""
    board, served = switchboard

    def start(
        companies: list[SeedAccount],
        *,
        reps: list[SeedRep] | None = None,
        faults: FaultProfile = FaultProfile(),
        **config: Any,
    ) -> tuple[HubSpotPortal, str]:
        portal = HubSpotPortal(
            make_reps() if reps is None else reps,
            companies,
            config=roomy_config(clock, **config),
            faults=faults,
        )
        board.app = create_hubspot_app(portal)
        return portal, served.url

    yield start
    board.app = None


def client_for(url: str, token: str = TOKEN) -> HubSpot:
    return HubSpot(access_token=token, host=url, retry=False)
