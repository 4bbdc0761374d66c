"""What the territory engine knows about a business and about reps, and nothing more.

The integrator builds these from the store (linked accounts, the Rep table); the engine reads them
and never touches a database. A million `CompanyFacts` are evaluated in one run, so every class
here uses slots and holds values as plain attributes: unified fields with a column are attributes
of `RecordFacts` (read with one attribute access), raw CRM fields stay in the record's `raw`
mapping, and registered unified fields kept raw (`mapping.registry`) are in its `extra` mapping.

A business present in both CRMs has two records. Which record's values decide is a setting of the
territory file (`settings.primary_source`): a value comes from the primary record and, where the
primary has none (None, or a raw field it does not carry), from the other one. So a field kept in
one CRM only (`Do_Not_Reassign__c` in Salesforce, `do_not_reassign` in HubSpot) is still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

from mapping.registry import model_fields, raw_kept_values

if TYPE_CHECKING:
    from mapping.unified import UnifiedAccount

SALESFORCE = "salesforce"
HUBSPOT = "hubspot"
SOURCES = (SALESFORCE, HUBSPOT)
CRM_NAMES = {SALESFORCE: "Salesforce", HUBSPOT: "HubSpot"}
"""How a person names each CRM, in reasons and warnings."""
RECORD_NOUNS = {SALESFORCE: "Salesforce account", HUBSPOT: "HubSpot company"}
"""What each CRM calls the record of a business."""
RECORDS_NOUNS = {SALESFORCE: "Salesforce accounts", HUBSPOT: "HubSpot companies"}
ACTIVE_EVERYWHERE: frozenset[str] = frozenset(SOURCES)
ACTIVE_NOWHERE: frozenset[str] = frozenset()

_NO_RAW: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RepDirectoryEntry:
    """A rep as the last pull knows them, keyed by lower-case email (built from the Rep table).

    Status is per CRM: a rep whose HubSpot seat is archived is inactive in HubSpot only, so their
    HubSpot companies are redistributed while their Salesforce accounts stay with them."""

    email: str
    active_in: frozenset[str]
    """The CRMs (`salesforce`, `hubspot`) where the rep has an active seat."""
    has_salesforce_id: bool
    has_hubspot_id: bool

    @property
    def active(self) -> bool:
        """Active in at least one CRM."""
        return bool(self.active_in)

    def is_active_in(self, source: str) -> bool:
        return source in self.active_in

    def has_seat_in(self, source: str) -> bool:
        """The rep has a user (active or not) in that CRM."""
        return self.has_salesforce_id if source == SALESFORCE else self.has_hubspot_id


@dataclass(frozen=True, slots=True)
class FirstTouch:
    """An account's earliest opportunity (deal): who owns it and who opened it."""

    opportunity_id: str
    created_at: datetime
    owner_email: str | None
    creator_email: str | None
    tied: bool = False
    """Another opportunity of the account was created at the same moment by someone else: no
    first touch to decide by."""

    def earlier(self, other: FirstTouch | None) -> FirstTouch:
        """The earlier of two accounts' first touches (a linked business has two records)."""
        if other is None or self.created_at < other.created_at:
            return self
        if other.created_at < self.created_at:
            return other
        if self.candidates == other.candidates and not other.tied:
            return self
        # Opened at the same moment by different reps (owner or creator): nobody touched first.
        return FirstTouch(
            self.opportunity_id, self.created_at, self.owner_email, self.creator_email, tied=True
        )

    @property
    def candidates(self) -> tuple[str, ...]:
        """Who first touched it, in order: the opportunity's owner, then its creator."""
        return tuple(e for e in dict.fromkeys((self.owner_email, self.creator_email)) if e)


@dataclass(slots=True, eq=False)
class RecordFacts:
    """One CRM record of a business: its normalised (unified) values, its raw fields, its owner."""

    source: str
    """`salesforce` or `hubspot`."""
    external_id: str
    domain: str | None = None
    current_owner_email: str | None = None
    """Lower-case email of the record's owner today, or None (no owner, or an id no rep has)."""
    name: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    postal_code: str | None = None
    industry: str | None = None
    industry_raw: str | None = None
    employees: int | None = None
    annual_revenue: Decimal | int | float | None = None
    raw: Mapping[str, object] = field(default_factory=lambda: _NO_RAW)
    """The record's fields in the CRM's own names, as pulled."""
    extra: Mapping[str, object] = field(default_factory=lambda: _NO_RAW)
    """The unified values of registered fields kept raw (no column: see `mapping.registry`)."""
    owner_since: datetime | None = None
    """When the store first saw today's owner on the record (a pull that found a new owner, or
    a write-back); None when the owner was already there at the first pull."""
    first_touch: FirstTouch | None = None
    """The record's earliest opportunity, where the territory file decides overlaps by first
    touch (`settings.overlap_rules`); None otherwise, or when it has none."""

    @classmethod
    def from_unified(cls, account: UnifiedAccount, current_owner_email: str | None) -> RecordFacts:
        """The facts of a pulled account; the caller resolves the owner's CRM id to an email."""
        values = {name: getattr(account, name) for name in column_fields()}
        return cls(
            source=account.source,
            external_id=account.external_id,
            current_owner_email=current_owner_email.lower() if current_owner_email else None,
            raw=account.raw,
            extra=raw_kept_values(account.source, account.raw, values) or _NO_RAW,
            **values,
        )


def has_attribute(name: str) -> bool:
    """`name` is a unified value the facts hold as an attribute (a field with a column)."""
    return name in _ATTRIBUTES


_ATTRIBUTES = frozenset(f.name for f in fields(RecordFacts)) - {
    "source",
    "external_id",
    "current_owner_email",
    "raw",
    "extra",
    "owner_since",
    "first_touch",
}


def column_fields() -> tuple[str, ...]:
    """The testable unified fields with a column: the facts' attributes, as the registry lists
    them (the store's columns they are loaded from)."""
    return tuple(f.name for f in model_fields() if f.territory)


@dataclass(slots=True, eq=False)
class CompanyFacts:
    """One business: one record, or two when a Salesforce account and a HubSpot company are linked.

    `key` must be unique within one evaluation and stable from run to run (for example
    "salesforce:001...|hubspot:100..."): new accounts are dealt out in key order, so the key is
    what makes balancing independent of the order records arrive in.
    """

    key: str
    records: tuple[RecordFacts, ...]

    def record_from(self, source: str) -> RecordFacts | None:
        for record in self.records:
            if record.source == source:
                return record
        return None


def ordered_records(
    company: CompanyFacts, primary_source: str
) -> tuple[RecordFacts, RecordFacts | None]:
    """The record whose values decide, and the one that fills its gaps (None for one record)."""
    records = company.records
    first = records[0]
    if len(records) == 1:
        return first, None
    if first.source == primary_source:
        return first, records[1]
    return records[1], first


def current_owner(first: RecordFacts, second: RecordFacts | None) -> str | None:
    """The business's owner today: the primary record's owner, else the other record's."""
    owner = first.current_owner_email
    if owner is None and second is not None:
        owner = second.current_owner_email
    return owner
