"""Records made in-process (`SalesforceOrg.create_records`, `create_contacts`,
`create_opportunities`): a new record's starting values, overridden by the values a test passes
under the seed classes' own attribute names (`owner_id`, `account_id`, `stage`, ...).

The org assigns the id and the created and modified times; a contact or opportunity is owned and
created by the integration user unless the values say otherwise, as Salesforce defaults `OwnerId`
to the creating user. An opportunity's `closed` and `won` follow its stage unless given, as
Salesforce sets IsClosed and IsWon from StageName; its close date is held as midnight UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity
from sandbox.seed_related import DAY_MS, SALESFORCE_LOST, SALESFORCE_OPEN_STAGES, SALESFORCE_WON

_SET_BY_THE_ORG = frozenset({"crm_id", "created_ms", "modified_ms", "deleted"})
_DEFAULT_CLOSE_IN_DAYS = 30


def _creatable(seed_class: type[Any]) -> frozenset[str]:
    return frozenset(f.name for f in fields(seed_class)) - _SET_BY_THE_ORG


ACCOUNT_FIELDS_FOR_CREATE = _creatable(SeedAccount)
"""SeedAccount fields `create_records` accepts (the org assigns the id and the times)."""
CONTACT_FIELDS_FOR_CREATE = _creatable(SeedContact)
OPPORTUNITY_FIELDS_FOR_CREATE = _creatable(SeedOpportunity)


def check_field_names(kind: str, values: Mapping[str, object], known: frozenset[str]) -> None:
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown {kind} field(s) {sorted(unknown)}; known: {sorted(known)}")


def new_account(record_id: str, now_ms: int, values: Mapping[str, object]) -> SeedAccount:
    check_field_names("account", values, ACCOUNT_FIELDS_FOR_CREATE)
    account = SeedAccount(
        crm_id=record_id,
        name=f"New account {record_id[-6:]}",
        website=None,
        domain=None,
        country=None,
        region=None,
        city=None,
        postal_code=None,
        industry=None,
        employees=None,
        annual_revenue=None,
        owner_id=None,
        account_type=None,
        do_not_reassign=False,
        created_ms=now_ms,
        modified_ms=now_ms,
    )
    return replace(account, **values)  # type: ignore[arg-type]


def new_contact(
    record_id: str, now_ms: int, values: Mapping[str, object], *, creator: str
) -> SeedContact:
    check_field_names("contact", values, CONTACT_FIELDS_FOR_CREATE)
    contact = SeedContact(
        crm_id=record_id,
        account_id=None,
        owner_id=creator,
        email=None,
        first_name="New",
        last_name=f"Contact {record_id[-6:]}",
        created_ms=now_ms,
        modified_ms=now_ms,
    )
    return replace(contact, **values)  # type: ignore[arg-type]


def new_opportunity(
    record_id: str, now_ms: int, values: Mapping[str, object], *, creator: str
) -> SeedOpportunity:
    check_field_names("opportunity", values, OPPORTUNITY_FIELDS_FOR_CREATE)
    today = now_ms - now_ms % DAY_MS
    opportunity = SeedOpportunity(
        crm_id=record_id,
        account_id=None,
        owner_id=creator,
        name=f"New opportunity {record_id[-6:]}",
        stage=SALESFORCE_OPEN_STAGES[0],
        amount=None,
        close_date_ms=today + _DEFAULT_CLOSE_IN_DAYS * DAY_MS,
        closed=False,
        won=False,
        created_by=creator,
        created_ms=now_ms,
        modified_ms=now_ms,
    )
    opportunity = replace(opportunity, **values)  # type: ignore[arg-type]
    if "closed" not in values:
        opportunity.closed = opportunity.stage in (SALESFORCE_WON, SALESFORCE_LOST)
    if "won" not in values:
        opportunity.won = opportunity.stage == SALESFORCE_WON
    opportunity.close_date_ms -= opportunity.close_date_ms % DAY_MS
    return opportunity
