"""Fixtures for contacts and opportunities: a small hand-made org holding accounts, their contacts
and their opportunities, served over real HTTP like the sandboxes one directory up."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from sandbox.faults import FaultProfile
from sandbox.ids import salesforce_id
from sandbox.salesforce import SalesforceOrg, SalesforceOrgConfig, create_salesforce_app
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity, SeedRep
from sandbox.seed_related import CONTACT_PREFIX, DAY_MS, OPPORTUNITY_PREFIX
from sandbox.server import serve_in_thread
from tests.sandbox.salesforce.conftest import JAN_1_2026_MS, FakeClock, Sandbox, account

MARCH_31_2026_MS = JAN_1_2026_MS + 89 * DAY_MS
"""2026-03-31, midnight UTC."""


def contact(number: int, of: SeedAccount | None, owner: SeedRep, **values: Any) -> SeedContact:
    """Contact `number` of the account `of`, modified `number` seconds after 2026-01-01."""
    defaults: dict[str, Any] = {
        "crm_id": salesforce_id(CONTACT_PREFIX, number),
        "account_id": of.crm_id if of else None,
        "owner_id": owner.salesforce_user_id,
        "email": f"person{number}@example.com",
        "first_name": "Pat",
        "last_name": f"Person{number}",
        "created_ms": JAN_1_2026_MS,
        "modified_ms": JAN_1_2026_MS + 1000 * number,
    }
    defaults.update(values)
    return SeedContact(**defaults)


def opportunity(
    number: int, of: SeedAccount | None, owner: SeedRep, **values: Any
) -> SeedOpportunity:
    """An open opportunity `number` of the account `of`, closing on 2026-03-31."""
    defaults: dict[str, Any] = {
        "crm_id": salesforce_id(OPPORTUNITY_PREFIX, number),
        "account_id": of.crm_id if of else None,
        "owner_id": owner.salesforce_user_id,
        "name": f"Deal {number}",
        "stage": "Prospecting",
        "amount": 1000 * number,
        "close_date_ms": MARCH_31_2026_MS,
        "closed": False,
        "won": False,
        "created_by": owner.salesforce_user_id,
        "created_ms": JAN_1_2026_MS,
        "modified_ms": JAN_1_2026_MS + 1000 * number,
    }
    defaults.update(values)
    return SeedOpportunity(**defaults)


def closed_won(
    number: int, of: SeedAccount | None, owner: SeedRep, **values: Any
) -> SeedOpportunity:
    return opportunity(number, of, owner, stage="Closed Won", closed=True, won=True, **values)


MakeRelatedSandbox = Callable[..., Sandbox]


@pytest.fixture
def make_related_sandbox(clock: FakeClock, team: list[SeedRep]) -> Iterator[MakeRelatedSandbox]:
    sandboxes: list[Sandbox] = []

    def make(
        accounts: list[SeedAccount],
        contacts: Sequence[SeedContact] = (),
        opportunities: Sequence[SeedOpportunity] = (),
        *,
        faults: FaultProfile = FaultProfile(),
        **config: Any,
    ) -> Sandbox:
        config.setdefault("clock", clock)
        org = SalesforceOrg(
            team,
            accounts,
            contacts=contacts,
            opportunities=opportunities,
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
def related(make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]) -> Sandbox:
    """Three accounts of Alice. Accounts 1 and 2 have two contacts each (Alice's) and account 3
    one (Bob's); account 1 has an open and a closed won opportunity, account 2 an open one."""
    alice, bob, _ = team
    first, second, third = (account(n, alice) for n in (1, 2, 3))
    return make_related_sandbox(
        [first, second, third],
        [
            contact(1, first, alice),
            contact(2, first, alice),
            contact(3, second, alice),
            contact(4, second, alice),
            contact(5, third, bob),
        ],
        [opportunity(1, first, alice), closed_won(2, first, alice), opportunity(3, second, bob)],
    )
