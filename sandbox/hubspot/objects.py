"""An object type of the portal (companies, contacts, deals): its names, properties and rendering.

Everything the endpoints, the search and the store do differently per object type is read from
one `ObjectSchema`: the path name and the other names HubSpot accepts for it, the property
catalogue, which properties come back by default and always, which one is the last-modified
property, and where its record ids start. The machinery around it is written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic

from sandbox.hubspot.errors import PropertyProblem
from sandbox.hubspot.properties import (
    JsonObject,
    Property,
    SearchOverride,
    check_writes,
    iso_ms,
    property_definition,
)
from sandbox.hubspot.records import R


@dataclass(frozen=True)
class ObjectSchema(Generic[R]):
    """One HubSpot object type over the record type `R` it is stored in."""

    name: str
    """The plural used in paths: `companies`, `contacts`, `deals`."""
    singular: str
    """`company`, `contact`, `deal`: in messages and association contexts."""
    type_id: str
    """HubSpot's object type id: contacts 0-1, companies 0-2, deals 0-3
    (https://developers.hubspot.com/docs/platform/crm-development-tools-overview, "Object type
    IDs")."""
    catalogue: tuple[Property[R], ...]
    default_properties: tuple[str, ...]
    """Returned when no `properties` are asked for."""
    always_returned: tuple[str, ...]
    """In `properties` whatever was asked for."""
    modified: str
    """The last-modified property, on which incremental search walks."""
    query_properties: tuple[str, ...]
    """Properties a free-text search `query` matches (word prefixes)."""
    group_name: str
    """The properties API's `groupName` of the object's own properties."""
    first_id: int
    """Record ids of this object are above it; new ones count on from the highest held."""
    properties: dict[str, Property[R]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", {p.name: p for p in self.catalogue})

    @property
    def names(self) -> frozenset[str]:
        """What a path may call the object: `deals`, `deal` or `0-3`."""
        return frozenset({self.name, self.singular, self.type_id})

    @property
    def label(self) -> str:
        """`DEAL`, as HubSpot's batch error messages name the object."""
        return self.singular.upper()

    def requested(self, names: Iterable[str] | None) -> tuple[str, ...]:
        """The names to render: the defaults when none are asked for; otherwise the known ones
        asked for plus the always-returned ones. Unknown names are dropped silently: "If any of
        the specified properties are not present on the requested object(s), they will be
        ignored" (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies,
        `properties` query parameter)."""
        if names is None:
            return self.default_properties
        asked = [n for n in names if n]
        if not asked:
            return self.default_properties
        known = self.properties
        return tuple(dict.fromkeys(n for n in (*asked, *self.always_returned) if n in known))

    def render(
        self, record: R, names: Sequence[str], override: SearchOverride | None = None
    ) -> JsonObject:
        """A SimplePublicObject: id, properties (strings or null), createdAt, updatedAt, archived
        and archivedAt when archived (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies
        response example)."""
        catalogue = self.properties
        properties: dict[str, str | None] = {name: catalogue[name].render(record) for name in names}
        modified_ms = record.modified_ms
        if override is not None:
            modified_ms = override.modified_ms
            if self.modified in properties:
                properties[self.modified] = iso_ms(modified_ms)
            if "hubspot_owner_id" in properties:
                properties["hubspot_owner_id"] = override.owner_id
        # A record archived since the index last saw it is still a live record to search.
        archived = record.deleted and override is None
        rendered: JsonObject = {
            "id": record.crm_id,
            "properties": properties,
            "createdAt": iso_ms(record.created_ms),
            "updatedAt": iso_ms(modified_ms),
            "archived": archived,
        }
        if archived:
            # The sandbox keeps no separate archive time: archiving bumps the modified time.
            rendered["archivedAt"] = iso_ms(record.modified_ms)
        return rendered

    def definitions(self) -> list[JsonObject]:
        """Every property of the object, as the properties API lists them."""
        return [
            property_definition(prop, order, self.group_name)
            for order, prop in enumerate(self.catalogue)
        ]

    def check_writes(
        self, properties: dict[str, object], active_owner_ids: frozenset[str]
    ) -> tuple[dict[str, str], list[PropertyProblem], list[PropertyProblem]]:
        """`sandbox.hubspot.properties.check_writes` against this object's catalogue."""
        return check_writes(self.properties, properties, active_owner_ids)
