"""Fixtures for the contacts, deals and associations tests: companies with their contacts and
deals, served on loopback to the real `hubspot-api-client` like the companies tests' portal."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest

from sandbox.faults import FaultProfile
from sandbox.hubspot import HubSpotPortal, create_hubspot_app
from sandbox.ids import hubspot_id
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity, SeedRep
from sandbox.server import ServedApp
from tests.sandbox.hubspot.conftest import (
    START_MS,
    FakeClock,
    Switchboard,
    make_reps,
    roomy_config,
)

CONTACT_BASE = 20_000_000_000
DEAL_BASE = 30_000_000_000
CLOSE_MS = 1_774_915_200_000  # 2026-03-31T00:00:00Z


def make_contact(number: int, company: SeedAccount | None, **values: Any) -> SeedContact:
    """A contact of `company` (its primary company), owned by 301; `values` override fields."""
    contact = SeedContact(
        crm_id=hubspot_id(number, base=CONTACT_BASE),
        account_id=None if company is None else company.crm_id,
        owner_id="301",
        email=f"person{number}@example.com",
        first_name=f"First{number}",
        last_name=f"Last{number}",
        created_ms=START_MS - 86_400_000 + number,
        modified_ms=START_MS - 3_600_000 + number * 1000,
    )
    return replace(contact, **values)


def make_deal(number: int, company: SeedAccount | None, **values: Any) -> SeedOpportunity:
    """An open deal of `company`, owned and created by 301; `values` override fields."""
    deal = SeedOpportunity(
        crm_id=hubspot_id(number, base=DEAL_BASE),
        account_id=None if company is None else company.crm_id,
        owner_id="301",
        name=f"Deal {number}",
        stage="qualifiedtobuy",
        amount=1000 * number,
        close_date_ms=CLOSE_MS,
        closed=False,
        won=False,
        created_by="301",
        created_ms=START_MS - 86_400_000 + number,
        modified_ms=START_MS - 3_600_000 + number * 1000,
    )
    return replace(deal, **values)


BookFactory = Callable[..., tuple[HubSpotPortal, str]]


@pytest.fixture
def serve_book(
    clock: FakeClock, switchboard: tuple[Switchboard, ServedApp]
) -> Iterator[BookFactory]:
    """`serve_book(companies, contacts=..., deals=..., reps=..., faults=..., **config)` ->
    (portal, base url)."""
    board, served = switchboard

    def start(
        companies: list[SeedAccount],
        *,
        contacts: Sequence[SeedContact] = (),
        deals: Sequence[SeedOpportunity] = (),
        reps: list[SeedRep] | None = None,
        faults: FaultProfile = FaultProfile(),
        **config: Any,
    ) -> tuple[HubSpotPortal, str]:
        portal = HubSpotPortal(
            make_reps() if reps is None else reps,
            companies,
            contacts=contacts,
            deals=deals,
            config=roomy_config(clock, **config),
            faults=faults,
        )
        board.app = create_hubspot_app(portal)
        return portal, served.url

    yield start
    board.app = None
