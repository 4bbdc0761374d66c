"""Which CRM fields a run pulls beyond those the unified model's columns are made of.

Two kinds. A criterion, holdout or named account may test any raw CRM field
(`Do_Not_Reassign__c`, `lifecyclestage`, ...). Each connector says which fields its CRM's account
object has (its metadata API); every field the file uses is pulled from each CRM that has it. A
field no CRM of the run has would make a rule that silently never matches, so it is an error
naming the file, line, territory and field. No raw field name is known to the product in advance.

And the field registry (`mapping.registry`) may declare unified fields kept raw (no column of
their own): their CRM fields are pulled on every run, or while the territory file tests them,
from each CRM that has them. Both kinds are the pull's extra fields, which the cursor remembers,
so a newly needed one makes the next pull a full one.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.base import CrmConnector
from mapping.registry import raw_kept_crm_fields
from mapping.territories.rules import LoadedTerritories
from territory_sync.errors import TerritoryFileError
from territory_sync.logs import log_event

CRM_OBJECTS = {
    "salesforce": "Salesforce's Account object",
    "hubspot": "HubSpot's company properties",
}


def fields_to_pull(
    rules: LoadedTerritories,
    connectors: Mapping[str, CrmConnector],
    *,
    every_crm: bool = True,
) -> dict[str, list[str]]:
    """CRM -> the raw fields of `rules` that CRM has. Raises `TerritoryFileError` for fields no
    CRM has, naming all of them at once (only when the run covers `every_crm` enabled CRM: a
    one-CRM run cannot tell whether the other CRM has the field)."""
    wanted = rules.raw_fields
    if not wanted:
        return {}
    available = {
        source: connector.account_field_names() for source, connector in connectors.items()
    }
    pull = {
        source: sorted(name for name in wanted if name in names)
        for source, names in available.items()
    }
    missing = [name for name in wanted if not any(name in names for names in available.values())]
    if missing and every_crm:
        where = " or ".join(CRM_OBJECTS[source] for source in CRM_OBJECTS if source in available)
        problems = [
            rules.raw_field_error(
                name,
                f"no field {name!r} in {where}: check the spelling (custom Salesforce fields end "
                "in __c; HubSpot uses internal property names) and the integration user's field "
                "access",
            )
            for name in sorted(missing, key=lambda name: wanted[name].line or 0)
        ]
        if len(problems) == 1:
            raise problems[0]
        raise TerritoryFileError(
            f"{len(problems)} fields exist in no CRM:\n" + "\n".join(map(str, problems)),
            file=rules.source_name,
        )
    return pull


def tested_fields(rules: LoadedTerritories) -> frozenset[str]:
    """Every field name the territories' criteria and the holdouts test."""
    criteria = [c for t in rules.territories.values() for c in t.criteria]
    criteria += [holdout.criterion for holdout in rules.holdouts]
    return frozenset().union(*(criterion.fields for criterion in criteria))


def registered_fields_to_pull(
    rules: LoadedTerritories, connectors: Mapping[str, CrmConnector]
) -> dict[str, list[str]]:
    """CRM -> the fields behind the registry's unified fields kept raw that this run pulls (those
    pulled on every run, and those `rules` test), where the CRM has them. A CRM without one is
    logged (`pull.registered_field_missing`): the field is then empty for its records."""
    tested = tested_fields(rules)
    pull: dict[str, list[str]] = {}
    for source, connector in connectors.items():
        wanted = raw_kept_crm_fields(source, tested)
        if not wanted:
            continue
        names = connector.account_field_names()
        pull[source] = [name for name in wanted if name in names]
        missing = [name for name in wanted if name not in names]
        if missing:
            log_event("pull.registered_field_missing", source=source, fields=missing)
    return pull


def run_fields(
    rules: LoadedTerritories,
    connectors: Mapping[str, CrmConnector],
    *,
    every_crm: bool = True,
) -> dict[str, list[str]]:
    """CRM -> every extra field a run pulls: the registry's fields kept raw, then the raw fields
    of `rules` (`fields_to_pull`, which raises for fields no CRM has), each once."""
    registered = registered_fields_to_pull(rules, connectors)
    raw = fields_to_pull(rules, connectors, every_crm=every_crm)
    return {
        source: list(dict.fromkeys((*registered.get(source, ()), *raw.get(source, ()))))
        for source in {**registered, **raw}
    }
