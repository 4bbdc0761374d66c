"""Bulk API 2.0 query jobs over Contact and Opportunity, through simple-salesforce's `bulk2`."""

from __future__ import annotations

import csv
import io

from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import Sandbox, account, bulk2
from tests.sandbox.salesforce.related.conftest import MakeRelatedSandbox, contact


def csv_rows(pages: list[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for page in pages:
        rows.extend(csv.DictReader(io.StringIO(page)))
    return rows


def test_a_bulk_query_of_contacts_returns_every_contact_once_across_pages(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    holders = [account(n, team[0]) for n in range(1, 11)]
    people = [contact(n, holders[n % 10], team[n % 2]) for n in range(1, 2501)]
    sandbox = make_related_sandbox(holders, people)

    pages = list(
        bulk2(sandbox.client()).Contact.query(
            "SELECT Id, AccountId, OwnerId, SystemModstamp FROM Contact",
            max_records=1000,
            wait=0.01,
        )
    )

    rows = csv_rows(pages)
    assert len(pages) == 3
    assert [row["Id"] for row in rows] == [c.crm_id for c in sandbox.org.contacts]
    assert rows[0] == {
        "Id": people[0].crm_id,
        "AccountId": holders[1].crm_id,
        "OwnerId": team[1].salesforce_user_id,
        "SystemModstamp": "2026-01-01T00:00:01.000Z",
    }
    assert sandbox.org.requests.count("bulk-create") == 1


def test_a_bulk_query_all_of_contacts_includes_the_deleted_ones(related: Sandbox) -> None:
    gone = related.org.contacts[0].crm_id
    related.org.delete_records([gone])

    rows = csv_rows(
        list(
            bulk2(related.client()).Contact.query_all(
                "SELECT Id, IsDeleted FROM Contact", wait=0.01
            )
        )
    )

    assert [(row["Id"], row["IsDeleted"]) for row in rows][:2] == [
        (gone, "true"),
        (related.org.contacts[1].crm_id, "false"),
    ]


def test_a_bulk_query_of_opportunities_renders_dates_and_empty_amounts(
    related: Sandbox, team: list[SeedRep]
) -> None:
    related.org.opportunities[2].amount = None

    rows = csv_rows(
        list(
            bulk2(related.client()).Opportunity.query(
                "SELECT Id, CloseDate, Amount, IsWon FROM Opportunity WHERE IsClosed = false",
                wait=0.01,
            )
        )
    )

    assert [(row["CloseDate"], row["Amount"], row["IsWon"]) for row in rows] == [
        ("2026-03-31", "1000", "false"),
        ("2026-03-31", "", "false"),
    ]
