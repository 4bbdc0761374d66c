"""Start both emulators from one seeded book, on loopback, and say how to reach them.

Used by `territory-sync sandbox`, the demo, the test fixtures and the benchmarks. `env()` gives the
same environment variables the connectors read in production, pointed at the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile, parse_fault_profile
from sandbox.hubspot import (
    DEFAULT_ACCESS_TOKEN,
    HubSpotPortal,
    HubSpotPortalConfig,
    create_hubspot_app,
)
from sandbox.salesforce import SalesforceOrg, SalesforceOrgConfig, create_salesforce_app
from sandbox.seed import SeedBook, generate_book
from sandbox.server import ServedApp, serve_in_thread

DEFAULT_HOST = "127.0.0.1"

CrmName = Literal["salesforce", "hubspot"]
CRM_NAMES: tuple[CrmName, ...] = ("salesforce", "hubspot")


@dataclass
class RunningSandbox:
    book: SeedBook
    salesforce: SalesforceOrg
    hubspot: HubSpotPortal
    salesforce_server: ServedApp
    hubspot_server: ServedApp
    _stopped: bool = field(default=False, repr=False)

    @property
    def salesforce_url(self) -> str:
        return self.salesforce_server.url

    @property
    def hubspot_url(self) -> str:
        return self.hubspot_server.url

    def env(self) -> dict[str, str]:
        """Environment variables that point territory-sync (or any client) at this sandbox."""
        return {
            "SALESFORCE_INSTANCE_URL": self.salesforce_url,
            "SALESFORCE_CLIENT_ID": self.salesforce.config.client_id,
            "SALESFORCE_CLIENT_SECRET": self.salesforce.config.client_secret,
            "HUBSPOT_BASE_URL": self.hubspot_url,
            "HUBSPOT_ACCESS_TOKEN": self.hubspot.config.access_tokens[0],
        }

    def set_faults(self, profile: FaultProfile | str) -> None:
        faults = parse_fault_profile(profile) if isinstance(profile, str) else profile
        self.salesforce.set_faults(faults)
        self.hubspot.set_faults(faults)

    def schedule_faults(
        self, faults: Iterable[ScheduledFault], source: CrmName | None = None
    ) -> None:
        """Give one CRM (`source`) or both (None) this fault schedule, counting requests afresh
        from now; an empty list clears it. Kinds one CRM never serves simply never strike there."""
        chosen = list(faults)
        for name in CRM_NAMES if source is None else (_crm_name(source),):
            emulator = self.salesforce if name == "salesforce" else self.hubspot
            emulator.set_fault_schedule(chosen)

    def delete_behind_the_back(
        self, source: CrmName, ids: Iterable[str], purge: bool = False
    ) -> int:
        """Delete records in one CRM as a person or another tool would, outside the API and the
        request log: Salesforce moves them to the recycle bin (still found by queryAll), HubSpot
        archives them (listed with archived=true); with `purge`, they are gone for good from
        both views. Unknown ids raise KeyError before anything changes. Returns the count."""
        chosen = list(ids)
        if _crm_name(source) == "salesforce":
            return self.salesforce.delete_records(chosen, purge=purge)
        return self.hubspot.delete_records(chosen, purge=purge)

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self.salesforce_server.stop()
            self.hubspot_server.stop()


def start_sandbox(
    *,
    accounts: int = 500,
    seed: int = 1,
    faults: FaultProfile | str | None = None,
    host: str = DEFAULT_HOST,
    salesforce_port: int = 0,
    hubspot_port: int = 0,
    book: SeedBook | None = None,
    salesforce_config: SalesforceOrgConfig | None = None,
    hubspot_config: HubSpotPortalConfig | None = None,
) -> RunningSandbox:
    """Seed both CRMs and serve them; ports 0 mean free ports chosen by the system."""
    profile = parse_fault_profile(faults) if isinstance(faults, str) or faults is None else faults
    book = book if book is not None else generate_book(accounts, seed)
    org = SalesforceOrg(
        book.reps,
        book.salesforce,
        contacts=book.salesforce_contacts,
        opportunities=book.salesforce_opportunities,
        config=salesforce_config or SalesforceOrgConfig(),
        faults=profile,
        seed=seed,
    )
    portal = HubSpotPortal(
        book.reps,
        book.hubspot,
        contacts=book.hubspot_contacts,
        deals=book.hubspot_deals,
        config=hubspot_config or HubSpotPortalConfig(access_tokens=(DEFAULT_ACCESS_TOKEN,)),
        faults=profile,
        seed=seed + 1,
    )
    salesforce_server = serve_in_thread(create_salesforce_app(org), host, salesforce_port)
    try:
        hubspot_server = serve_in_thread(create_hubspot_app(portal), host, hubspot_port)
    except Exception:
        salesforce_server.stop()
        raise
    return RunningSandbox(book, org, portal, salesforce_server, hubspot_server)


def _crm_name(source: str) -> CrmName:
    if source not in CRM_NAMES:
        raise ValueError(f"unknown CRM {source!r}; the sandbox serves {' and '.join(CRM_NAMES)}")
    return "salesforce" if source == "salesforce" else "hubspot"
