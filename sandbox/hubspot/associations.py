"""Associations between companies and their contacts and deals, as the v4 associations API reads
them: which records are associated, with which types, a page at a time per record.

Every seeded contact and deal has one company, its primary company (`account_id`), so the
associations are derived from the records themselves, never stored per record: contact-to-company
and deal-to-company read the record's own `account_id`; company-to-contact and company-to-deal
read a sorted index of (company id, record id) pairs kept in two int64 arrays (16 bytes per
record, built on the first read, so a portal nobody asks for associations pays nothing).
Archived or purged records are never listed, and an archived record lists nothing.

Each association is listed with both HubSpot-defined types, the unlabeled one and "Primary", as
HubSpot lists a primary association: "Unlabeled" is always present alongside a label
(https://developers.hubspot.com/docs/api/crm/associations), and a real batch read answers
`[{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": null}, {"category":
"HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}]` for a deal's primary company (a response
quoted in public HubSpot integration notes). The typeIds are HubSpot's defaults (primary
contact-to-company 1, company-to-contact 2, deal-to-company 5, company-to-deal 6; unlabeled 279,
280, 341, 342: https://developers.hubspot.com/docs/api-reference/latest/crm/associations/overview
for 279; the others as used in public code). Match on typeId, never on the label: HubSpot renamed
the primary labels on Feb 19, 2024 and kept the typeIds
(https://developers.hubspot.com/changelog/changes-to-primary-labels-for-hubspot-defined-association-labels).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sandbox.hubspot.properties import JsonObject
from sandbox.hubspot.store import RecordStore
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
PRIMARY_LABEL = "Primary"


@dataclass(frozen=True)
class AssociationType:
    """One association type: `{category, typeId, label}` in v4 answers."""

    type_id: int
    label: str | None

    def as_json(self) -> JsonObject:
        return {"category": HUBSPOT_DEFINED, "typeId": self.type_id, "label": self.label}


@dataclass(frozen=True)
class AssociationKind:
    """The associations from one object type to another (types are directional)."""

    from_type: str
    to_type: str
    primary: AssociationType
    unlabeled: AssociationType

    @property
    def types(self) -> list[AssociationType]:
        """The types every association of this kind is listed with, in HubSpot's order."""
        return [self.unlabeled, self.primary]


def _kind(from_type: str, to_type: str, primary: int, unlabeled: int) -> AssociationKind:
    return AssociationKind(
        from_type,
        to_type,
        AssociationType(primary, PRIMARY_LABEL),
        AssociationType(unlabeled, None),
    )


KINDS: dict[tuple[str, str], AssociationKind] = {
    (k.from_type, k.to_type): k
    for k in (
        _kind("deals", "companies", 5, 341),
        _kind("contacts", "companies", 1, 279),
        _kind("companies", "deals", 6, 342),
        _kind("companies", "contacts", 2, 280),
    )
}
"""The association kinds the sandbox holds, by (from object, to object) path names."""


class ChildIndex:
    """(company id, record id) pairs of one object type, sorted, in two int64 arrays."""

    def __init__(self, source: Callable[[], Iterable[tuple[int, int]]]) -> None:
        self._source = source
        self._parents: array[int] | None = None
        self._children = array("q")

    def _built(self) -> tuple[array[int], array[int]]:
        if self._parents is None:
            pairs = sorted(self._source())
            self._parents = array("q", (parent for parent, _ in pairs))
            self._children = array("q", (child for _, child in pairs))
        return self._parents, self._children

    def add(self, parent: int, child: int) -> None:
        """A new record of `parent` (nothing to do before the index is first built)."""
        if self._parents is None:
            return
        parents, children = self._parents, self._children
        low = bisect.bisect_left(parents, parent)
        high = bisect.bisect_right(parents, parent)
        position = bisect.bisect_left(children, child, low, high)
        parents.insert(position, parent)
        children.insert(position, child)

    def children(self, parent: int, start: int) -> Iterator[int]:
        """Ids of `parent`'s records from `start` on, in id order."""
        parents, children = self._built()
        low = bisect.bisect_left(parents, parent)
        high = bisect.bisect_right(parents, parent)
        for position in range(bisect.bisect_left(children, start, low, high), high):
            yield children[position]


def _pairs(records: Iterable[SeedContact] | Iterable[SeedOpportunity]) -> list[tuple[int, int]]:
    return [(int(r.account_id), int(r.crm_id)) for r in records if r.account_id]


class Associations:
    """Reads the associations between companies and their contacts and deals."""

    def __init__(
        self,
        companies: RecordStore[SeedAccount],
        contacts: RecordStore[SeedContact],
        deals: RecordStore[SeedOpportunity],
    ) -> None:
        self._companies = companies
        self._contacts = contacts
        self._deals = deals
        self._contacts_of = ChildIndex(lambda: _pairs(contacts.records()))
        self._deals_of = ChildIndex(lambda: _pairs(deals.records()))

    def added(self, records: Iterable[SeedContact] | Iterable[SeedOpportunity]) -> None:
        """New contacts or deals: they are associated with their company from now on."""
        for record in records:
            if record.account_id:
                index = self._contacts_of if isinstance(record, SeedContact) else self._deals_of
                index.add(int(record.account_id), int(record.crm_id))

    def page(
        self, kind: AssociationKind, record_id: str, start: int, limit: int
    ) -> tuple[list[int], int | None] | None:
        """Ids of the records `record_id` is associated with by `kind`, from id `start` on, at
        most `limit`, and the id to go on from (None on the last page); None when the record has
        no associations of this kind at all (or is unknown or archived)."""
        if kind.to_type == "companies":
            child: SeedContact | SeedOpportunity | None = (
                self._contacts.get(record_id)
                if kind.from_type == "contacts"
                else self._deals.get(record_id)
            )
            if child is None or child.deleted or not child.account_id:
                return None
            company = self._companies.get(child.account_id)
            if company is None or company.deleted:
                return None
            number = int(company.crm_id)
            return ([number] if number >= start else []), None
        company = self._companies.get(record_id)
        if company is None or company.deleted:
            return None
        if kind.to_type == "contacts":
            return self._children(self._contacts_of, self._contacts, int(record_id), start, limit)
        return self._children(self._deals_of, self._deals, int(record_id), start, limit)

    @staticmethod
    def _children(
        index: ChildIndex,
        store: RecordStore[SeedContact] | RecordStore[SeedOpportunity],
        parent: int,
        start: int,
        limit: int,
    ) -> tuple[list[int], int | None] | None:
        found: list[int] = []
        for child in index.children(parent, start):
            record = store.get(str(child))
            if record is None or record.deleted:
                continue
            if len(found) == limit:
                return found, child
            found.append(child)
        if not found and start <= 0:
            return None
        return found, None
