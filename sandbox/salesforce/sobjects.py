"""The sObjects the org serves, found by API name or by a record id's key prefix.

SOQL, describe, record reads and Bulk API query jobs accept every type here; sObject Collections
updates accept the owned record types (Account, Contact, Opportunity), each keyed by the first
three characters of its ids ("What is a Salesforce ID",
https://help.salesforce.com/s/articleView?id=000385008).
"""

from __future__ import annotations

from sandbox.salesforce.fields import ACCOUNT, USER, SObjectType
from sandbox.salesforce.related_fields import CONTACT, OPPORTUNITY

OWNED_SOBJECTS: tuple[SObjectType, ...] = (ACCOUNT, CONTACT, OPPORTUNITY)
"""The record types with an owner that the org stores and an update may write."""

SOBJECT_TYPES: dict[str, SObjectType] = {t.name.lower(): t for t in (*OWNED_SOBJECTS, USER)}
"""Every served type, keyed by lower-case API name (SOQL names ignore case)."""

OWNED_BY_PREFIX: dict[str, SObjectType] = {t.key_prefix: t for t in OWNED_SOBJECTS}


def sobject_named(name: str) -> SObjectType | None:
    return SOBJECT_TYPES.get(name.lower())


def owned_sobject_of(record_id: str) -> SObjectType | None:
    """The owned record type an id belongs to, by its key prefix (None for any other id)."""
    return OWNED_BY_PREFIX.get(record_id[:3])
