"""Field mapping: CRM records in their own field names become clean unified accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mapping.fields import MalformedRecordError, to_unified
from mapping.normalise.times import parse_crm_datetime


def test_a_messy_salesforce_account_becomes_a_clean_unified_account() -> None:
    account = to_unified(
        "salesforce",
        "0015g00000ACMEAAA",
        {
            "attributes": {"type": "Account"},
            "Name": "  Acme   Robotics, Inc. ",
            "Website": "HTTPS://www.Acme-Robotics.com/en/",
            "BillingCountry": "U.S.A.",
            "BillingState": "Calif.",
            "BillingCity": "San José",
            "BillingPostalCode": "95113-1234",
            "Industry": "Technology",
            "NumberOfEmployees": 1200,
            "AnnualRevenue": 250000000.5,
            "OwnerId": "0055g00000003D7AAI",
            "SystemModstamp": "2026-02-27T18:04:05.000+0000",
            "IsDeleted": False,
            "Do_Not_Reassign__c": True,
        },
    )
    assert (account.name, account.domain) == ("Acme Robotics, Inc.", "acme-robotics.com")
    assert (account.country, account.region, account.postal_code) == ("US", "US-CA", "95113")
    assert (account.industry_raw, account.industry) == ("Technology", "software")
    assert account.employees == 1200
    assert account.annual_revenue == Decimal("250000000.50")
    assert account.crm_modified_at == datetime(2026, 2, 27, 18, 4, 5, tzinfo=UTC)
    assert account.raw["Do_Not_Reassign__c"] is True
    assert "attributes" not in account.raw


def test_a_hubspot_company_prefers_its_domain_property_over_the_website() -> None:
    account = to_unified(
        "hubspot",
        "10000000042",
        {
            "name": "Bolt GmbH",
            "domain": "bolt.de",
            "website": "https://shop.bolt-online.de/",
            "country": "Deutschland",
            "state": "Bayern",
            "zip": "80331",
            "industry": "COMPUTER_SOFTWARE",
            "numberofemployees": "85",
            "annualrevenue": "12000000",
            "hubspot_owner_id": "77",
            "hs_lastmodifieddate": "2026-02-27T18:04:05.678Z",
        },
    )
    assert (account.domain, account.country, account.region) == ("bolt.de", "DE", "DE-BY")
    assert account.employees == 85
    assert account.crm_modified_at == datetime(2026, 2, 27, 18, 4, 5, 678000, tzinfo=UTC)


def test_unusable_values_become_none_and_stay_in_raw() -> None:
    account = to_unified(
        "hubspot", "1", {"numberofemployees": "lots", "country": "Atlantis", "website": "n/a"}
    )
    assert (account.employees, account.country, account.domain) == (None, None, None)
    assert account.raw["numberofemployees"] == "lots"


def test_a_salesforce_deleted_row_is_flagged() -> None:
    assert to_unified("salesforce", "001X", {"IsDeleted": True}).deleted is True


def test_a_record_without_an_id_is_malformed() -> None:
    with pytest.raises(MalformedRecordError, match="no id"):
        to_unified("salesforce", " ", {"Name": "Nameless"})


def test_a_modified_time_that_is_not_a_time_is_malformed() -> None:
    with pytest.raises(MalformedRecordError, match="'yesterday' is not a date and time"):
        to_unified("hubspot", "1", {"hs_lastmodifieddate": "yesterday"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00.000+0000", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T01:00:00.000+0100", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("1767225600000", datetime(2026, 1, 1, tzinfo=UTC)),
        ("", None),
    ],
)
def test_crm_datetimes_in_every_vendor_format_parse_to_utc(
    text: str, expected: datetime | None
) -> None:
    assert parse_crm_datetime(text) == expected
