"""Seed records made from the plain field values a test or the control API gives for a new
company, contact or deal (keys are the seed record's fields; unknown keys are refused)."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from dataclasses import fields

from sandbox.hubspot.deals import STAGES, is_closed, is_won
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity


def _creatable(seed_type: type, derived: Iterable[str] = ()) -> frozenset[str]:
    """Fields of a seed record a caller may set when creating records."""
    fixed = {"crm_id", "created_ms", "modified_ms", "deleted", *derived}
    return frozenset(f.name for f in fields(seed_type) if f.name not in fixed)


CREATABLE_FIELDS = _creatable(SeedAccount)
"""Fields of SeedAccount a caller may set when creating companies through the control API."""
CONTACT_FIELDS = _creatable(SeedContact)
DEAL_FIELDS = _creatable(SeedOpportunity, ("closed", "won"))
"""`closed` and `won` follow from the stage."""
_FIRST_STAGE = STAGES[0][0]


def check_fields(values: Mapping[str, object], allowed: frozenset[str], what: str) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown {what} fields {sorted(unknown)}; use any of {sorted(allowed)}")


def optional_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def optional_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(str(value))


def new_company(record_id: str, values: Mapping[str, object], now_ms: int) -> SeedAccount:
    check_fields(values, CREATABLE_FIELDS, "record")
    return SeedAccount(
        crm_id=record_id,
        name=str(values.get("name") or f"Company {record_id}"),
        website=optional_text(values.get("website")),
        domain=optional_text(values.get("domain")),
        country=optional_text(values.get("country")),
        region=optional_text(values.get("region")),
        city=optional_text(values.get("city")),
        postal_code=optional_text(values.get("postal_code")),
        industry=optional_text(values.get("industry")),
        employees=optional_int(values.get("employees")),
        annual_revenue=optional_int(values.get("annual_revenue")),
        owner_id=optional_text(values.get("owner_id")),
        account_type=optional_text(values.get("account_type")),
        do_not_reassign=bool(values.get("do_not_reassign", False)),
        created_ms=now_ms,
        modified_ms=now_ms,
    )


def new_contact(
    record_id: str, values: Mapping[str, object], company_id: str | None, now_ms: int
) -> SeedContact:
    """A contact of `company_id` (its primary company, already checked to exist)."""
    check_fields(values, CONTACT_FIELDS, "contact")
    return SeedContact(
        crm_id=record_id,
        account_id=company_id,
        owner_id=optional_text(values.get("owner_id")),
        email=optional_text(values.get("email")),
        first_name=str(values.get("first_name") or ""),
        last_name=str(values.get("last_name") or ""),
        created_ms=now_ms,
        modified_ms=now_ms,
    )


def new_deal(
    record_id: str, values: Mapping[str, object], company_id: str | None, now_ms: int
) -> SeedOpportunity:
    """A deal of `company_id`: in the pipeline's first stage unless told, created by its owner
    unless told, and without a close date closing at the end of this month, as HubSpot's default
    (https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties)."""
    check_fields(values, DEAL_FIELDS, "deal")
    stage = str(values.get("stage") or _FIRST_STAGE)
    owner = optional_text(values.get("owner_id"))
    close = optional_int(values.get("close_date_ms"))
    return SeedOpportunity(
        crm_id=record_id,
        account_id=company_id,
        owner_id=owner,
        name=str(values.get("name") or f"Deal {record_id}"),
        stage=stage,
        amount=optional_int(values.get("amount")),
        close_date_ms=_end_of_month_ms(now_ms) if close is None else close,
        closed=is_closed(stage),
        won=is_won(stage),
        created_by=optional_text(values.get("created_by")) or owner,
        created_ms=now_ms,
        modified_ms=now_ms,
    )


def _end_of_month_ms(now_ms: int) -> int:
    """Midnight UTC of the last day of `now_ms`'s month."""
    moment = time.gmtime(now_ms // 1000)
    last_day = calendar.monthrange(moment.tm_year, moment.tm_mon)[1]
    return calendar.timegm((moment.tm_year, moment.tm_mon, last_day, 0, 0, 0)) * 1000
