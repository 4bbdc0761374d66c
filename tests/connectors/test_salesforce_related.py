"""Pulling Contacts and Opportunities, and writing their owners, as for Accounts: the same
(SystemModstamp, Id) cursor, deleted records flagged, the same exactly-once write rounds."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.base import OwnerWrite, PullMode, PullPosition, WriteStatus
from connectors.salesforce import SalesforceConnector
from mapping.related import SALESFORCE_FIELDS, SALESFORCE_OPTIONAL_FIELDS, to_unified_related
from sandbox.ids import salesforce_id
from sandbox.seed import SeedContact, SeedOpportunity
from sandbox.seed_related import CONTACT_PREFIX, OPPORTUNITY_PREFIX
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    JAN_1_2026_MS,
    NO_LOOKBACK,
    MakeOrg,
    account_id,
    seed_accounts,
    user_id,
)

clock = shared.clock
make_org = shared.make_org


def contact_id(number: int) -> str:
    return salesforce_id(CONTACT_PREFIX, number)


def seed_contact(number: int, account: int = 1, *, modified_ms: int | None = None) -> SeedContact:
    stamp = modified_ms if modified_ms is not None else JAN_1_2026_MS + number * 1000
    return SeedContact(
        contact_id(number),
        account_id(account),
        user_id(2),
        f"c{number}@x.example",
        "C",
        str(number),
        JAN_1_2026_MS,
        stamp,
    )


def seed_opportunity(number: int, *, closed: bool = False) -> SeedOpportunity:
    return SeedOpportunity(
        salesforce_id(OPPORTUNITY_PREFIX, number),
        account_id(1),
        user_id(2),
        f"Deal {number}",
        "Closed Won" if closed else "Prospecting",
        5000,
        JAN_1_2026_MS + 30 * 86_400_000,
        closed,
        closed,
        user_id(1),
        JAN_1_2026_MS,
        JAN_1_2026_MS + number * 1000,
    )


def pulled(
    connector: SalesforceConnector, kind: str, mode: PullMode, since: PullPosition | None = None
) -> tuple[list[str], PullPosition | None, int]:
    pages = list(
        connector.pull_related(
            kind,
            mode,
            since,
            NO_LOOKBACK,
            SALESFORCE_FIELDS[kind],
            SALESFORCE_OPTIONAL_FIELDS[kind],
        )
    )
    position = since
    for page in pages:
        position = page.position or position
    return [r.external_id for p in pages for r in p.records], position, len(pages)


def test_contacts_sharing_one_second_across_page_boundaries_are_each_pulled_once(
    make_org: MakeOrg,
) -> None:
    busy = JAN_1_2026_MS + 500_000
    contacts = [seed_contact(n) for n in range(1, 11)]
    contacts += [seed_contact(n, modified_ms=busy) for n in range(11, 5011)]
    served = make_org(seed_accounts(3), contacts=contacts)
    since = PullPosition(
        datetime.fromtimestamp((JAN_1_2026_MS + 10_000) / 1000, UTC), contact_id(10)
    )

    records, after, pages = pulled(
        served.connect(page_size=2000), "contact", PullMode.INCREMENTAL, since
    )

    assert pages == 3
    assert sorted(records) == sorted(contact_id(n) for n in range(11, 5011))
    assert len(set(records)) == len(records)
    assert after is not None and after.record_id == max(contact_id(n) for n in range(11, 5011))


def test_a_deleted_contact_comes_back_flagged_deleted_and_names_its_account(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(3), contacts=[seed_contact(1, 2), seed_contact(2, 3)])
    served.org.delete_records([contact_id(2)])
    since = PullPosition(datetime.fromtimestamp(JAN_1_2026_MS / 1000, UTC))
    connector = served.connect()

    pages = list(
        connector.pull_related(
            "contact", PullMode.INCREMENTAL, since, NO_LOOKBACK, SALESFORCE_FIELDS["contact"]
        )
    )
    records = {r.external_id: r for p in pages for r in p.records}

    assert records[contact_id(2)].deleted
    unified = to_unified_related(
        "salesforce", "contact", contact_id(1), records[contact_id(1)].fields
    )
    assert unified.account_external_id == account_id(2)
    assert unified.owner_id == user_id(2)


def test_opportunities_come_with_their_stage_and_close_date_and_no_currency_in_a_one_currency_org(
    make_org: MakeOrg,
) -> None:
    served = make_org(
        seed_accounts(1), opportunities=[seed_opportunity(1), seed_opportunity(2, closed=True)]
    )

    pages = list(
        served.connect().pull_related(
            "opportunity",
            PullMode.FULL,
            None,
            NO_LOOKBACK,
            SALESFORCE_FIELDS["opportunity"],
            SALESFORCE_OPTIONAL_FIELDS["opportunity"],
        )
    )
    deals = {
        r.external_id: to_unified_related("salesforce", "opportunity", r.external_id, r.fields)
        for p in pages
        for r in p.records
    }

    open_deal = deals[salesforce_id(OPPORTUNITY_PREFIX, 1)]
    assert open_deal.stage == "Prospecting" and not open_deal.is_closed
    assert (
        open_deal.close_date is not None and open_deal.close_date.date().isoformat() == "2026-01-31"
    )
    assert open_deal.currency is None
    assert deals[salesforce_id(OPPORTUNITY_PREFIX, 2)].is_closed


def test_contact_owners_are_written_once_and_a_persons_change_is_a_conflict(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(1), contacts=[seed_contact(1), seed_contact(2)])
    served.org.change_owner_as_person(contact_id(2), user_id(3))
    writer = served.connect().related_writer("contact")

    outcomes = writer.write_owner_batch(
        [
            OwnerWrite(contact_id(1), user_id(1), user_id(2)),
            OwnerWrite(contact_id(2), user_id(1), user_id(2)),
        ]
    )

    assert [o.status for o in outcomes] == [WriteStatus.WRITTEN, WriteStatus.CONFLICT]
    assert served.org.owner_of(contact_id(1)) == user_id(1)
    assert served.org.owner_of(contact_id(2)) == user_id(3)
    assert served.org.requests.count("collections-update") == 1
    assert writer.read_owners([contact_id(1)]) == {contact_id(1): user_id(1)}


def test_a_contact_update_applied_then_answered_503_is_written_once(make_org: MakeOrg) -> None:
    from sandbox.fault_schedule import ScheduledFault

    served = make_org(seed_accounts(1), contacts=[seed_contact(1)])
    served.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_5xx")])
    writer = served.connect().related_writer("contact")

    outcomes = writer.write_owner_batch([OwnerWrite(contact_id(1), user_id(1), user_id(2))])

    assert outcomes[0].status == WriteStatus.WRITTEN
    assert served.org.owner_of(contact_id(1)) == user_id(1)
    assert served.org.requests.count("collections-update") == 1
    assert max(served.org.requests.writes_per_record().values()) == 1
