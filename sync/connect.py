"""Build the connectors a run needs from the configuration and the environment, and close them
when the run is done with them (`sync.session.RunSession` does both for every kind of run)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from connectors.base import CrmConnector
from mapping.registry import crm_fields
from territory_sync.errors import ConfigurationError
from territory_sync.settings import Settings

SOURCES = ("salesforce", "hubspot")


def enabled_sources(settings: Settings, requested: Sequence[str] | None = None) -> list[str]:
    """The CRMs a run touches: those asked for (default: all) that the configuration enables."""
    wanted = list(requested or SOURCES)
    unknown = [s for s in wanted if s not in SOURCES]
    if unknown:
        raise ConfigurationError(
            "unknown CRM", given=", ".join(unknown), allowed="salesforce, hubspot, all"
        )
    enabled = {"salesforce": settings.salesforce.enabled, "hubspot": settings.hubspot.enabled}
    chosen = [s for s in wanted if enabled[s]]
    if not chosen:
        raise ConfigurationError(
            "no CRM is enabled for this run; set [salesforce] enabled or [hubspot] enabled"
        )
    return chosen


def writes_enabled(settings: Settings, source: str) -> bool:
    return {
        "salesforce": settings.salesforce.write_owners,
        "hubspot": settings.hubspot.write_owners,
    }[source]


def build_connectors(
    settings: Settings, sources: Sequence[str], environ: Mapping[str, str] = os.environ
) -> dict[str, CrmConnector]:
    """Each CRM's connector, told which fields the unified model's columns are made of (the
    field registry's, `mapping.registry`: connectors know nothing of the unified model)."""
    connectors: dict[str, CrmConnector] = {}
    for source in sources:
        if source == "salesforce":
            from connectors.salesforce import SalesforceConnector

            connectors[source] = SalesforceConnector.from_settings(
                settings, environ, fields=crm_fields(source)
            )
        else:
            from connectors.hubspot import HubSpotConnector

            connectors[source] = HubSpotConnector.from_settings(
                settings, environ, fields=crm_fields(source)
            )
    return connectors


def close_connectors(connectors: Iterable[CrmConnector]) -> None:
    """Release what connectors hold open once a run is done with them (the Salesforce
    connector's pooled HTTP connections); a connector with nothing to release has no `close`."""
    for connector in connectors:
        close = getattr(connector, "close", None)
        if callable(close):
            close()
