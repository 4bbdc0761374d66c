"""Which CRM fields a run pulls beyond the connectors' defaults: those the territory file uses.

A criterion, holdout or named account may test any raw CRM field (`Do_Not_Reassign__c`,
`lifecyclestage`, ...). Each connector says which fields its CRM's account object has (its
metadata API); every field the file uses is pulled from each CRM that has it. A field no CRM of
the run has would make a rule that silently never matches, so it is an error naming the file,
line, territory and field. No field name is known to the product in advance.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.base import CrmConnector
from mapping.territories.rules import LoadedTerritories
from territory_sync.errors import TerritoryFileError

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
