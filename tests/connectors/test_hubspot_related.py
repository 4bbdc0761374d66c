"""Pulling HubSpot contacts and deals with their company, and writing their owners: the same
keyset walk as companies (more than 10,000 records on one timestamp read in full), the deal's
primary company from the associations API, the same exactly-once write rounds."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from connectors.base import OwnerWrite, PullMode, PullPosition, WriteStatus
from connectors.hubspot import HubSpotConnector
from mapping.related import HUBSPOT_FIELDS, to_unified_related
from sandbox.fault_schedule import ScheduledFault
from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.properties import iso_ms
from sandbox.ids import hubspot_id
from sandbox.seed import SeedContact, SeedOpportunity
from territory_sync.times import from_epoch_ms
from tests.connectors.contract import BASE_MS, LOOKBACK
from tests.connectors.test_hubspot_support import (
    ACTIVE_OWNERS,
    StartRig,
    companies,
    hubspot,
)

__all__ = ["hubspot"]


def contact(n: int, company: int = 1, *, modified_ms: int | None = None) -> SeedContact:
    return SeedContact(
        hubspot_id(n, base=20_000_000_000),
        hubspot_id(company),
        ACTIVE_OWNERS[0],
        f"p{n}@x.example",
        "P",
        str(n),
        BASE_MS - 86_400_000,
        BASE_MS + n * 1000 if modified_ms is None else modified_ms,
    )


def deal(
    n: int, company: int = 1, *, closed: bool = False, modified_ms: int | None = None
) -> SeedOpportunity:
    return SeedOpportunity(
        hubspot_id(n, base=30_000_000_000),
        hubspot_id(company),
        ACTIVE_OWNERS[0],
        f"Deal {n}",
        "closedwon" if closed else "qualifiedtobuy",
        1000 * n,
        BASE_MS + 30 * 86_400_000,
        closed,
        closed,
        ACTIVE_OWNERS[0],
        BASE_MS - 86_400_000,
        BASE_MS + n * 1000 if modified_ms is None else modified_ms,
    )


def pulled(
    connector: HubSpotConnector, kind: str, mode: PullMode, since: PullPosition | None = None
) -> list[Any]:
    pages = connector.pull_related(kind, mode, since, LOOKBACK, HUBSPOT_FIELDS[kind])
    return [
        to_unified_related("hubspot", kind, r.external_id, r.fields)
        for page in pages
        for r in page.records
    ]


def test_10500_contacts_sharing_one_lastmodifieddate_are_each_pulled_once(
    hubspot: StartRig,
) -> None:
    shared = BASE_MS + 5_000_000
    people = [contact(n, modified_ms=shared) for n in range(1, 10_501)]
    rig = hubspot(companies(3), contacts=people)

    records = pulled(
        rig.connect(), "contact", PullMode.INCREMENTAL, PullPosition(from_epoch_ms(BASE_MS))
    )

    counts = Counter(r.external_id for r in records)
    assert len(counts) == 10_500 and set(counts.values()) == {1}
    assert rig.portal.requests.count("search") <= 57


def test_10500_deals_sharing_one_hs_lastmodifieddate_are_each_pulled_once_with_their_company(
    hubspot: StartRig,
) -> None:
    shared = BASE_MS + 5_000_000
    deals = [deal(n, company=1 + n % 3, modified_ms=shared) for n in range(1, 10_501)]
    rig = hubspot(companies(3), deals=deals)

    records = pulled(
        rig.connect(), "opportunity", PullMode.INCREMENTAL, PullPosition(from_epoch_ms(BASE_MS))
    )

    counts = Counter(r.external_id for r in records)
    assert len(counts) == 10_500 and set(counts.values()) == {1}
    assert all(r.account_external_id == hubspot_id(1 + int(r.name.split()[1]) % 3) for r in records)
    assert rig.portal.requests.count("search") <= 57


def test_contacts_are_walked_on_their_own_lastmodifieddate_not_on_updated_at(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A contact's object-level `updatedAt` an hour after its `lastmodifieddate`: the walk must
    # page, resume and store its cursor on the property it searches, or it skips contacts.
    render = ObjectSchema.render

    def skewed(self: ObjectSchema[Any], record: Any, *args: Any, **kwargs: Any) -> Any:
        rendered = render(self, record, *args, **kwargs)
        if self.modified == "lastmodifieddate":
            rendered["updatedAt"] = iso_ms(record.modified_ms + 3_600_000)
        return rendered

    monkeypatch.setattr(ObjectSchema, "render", skewed)
    people = [contact(n, modified_ms=BASE_MS + 1_000 + n) for n in range(1, 451)]
    rig = hubspot(companies(3), contacts=people)

    pages = list(
        rig.connect().pull_related(
            "contact",
            PullMode.INCREMENTAL,
            PullPosition(from_epoch_ms(BASE_MS)),
            LOOKBACK,
            HUBSPOT_FIELDS["contact"],
        )
    )

    counts = Counter(r.external_id for page in pages for r in page.records)
    assert len(counts) == 450 and set(counts.values()) == {1}
    reached = pages[-1].position
    assert reached is not None and reached.modified_at <= from_epoch_ms(BASE_MS + 1_450)


def test_a_contact_names_its_primary_company_and_owner(hubspot: StartRig) -> None:
    rig = hubspot(companies(3), contacts=[contact(1, company=2)])

    (record,) = pulled(rig.connect(), "contact", PullMode.FULL)

    assert record.account_external_id == hubspot_id(2)
    assert record.owner_id == ACTIVE_OWNERS[0]


def test_deals_come_with_their_company_from_one_associations_call_per_page(
    hubspot: StartRig,
) -> None:
    rig = hubspot(
        companies(3), deals=[deal(n, company=1 + n % 3, closed=n % 4 == 0) for n in range(1, 151)]
    )

    records = pulled(rig.connect(), "opportunity", PullMode.FULL)

    assert len(records) == 150
    assert all(r.account_external_id == hubspot_id(1 + int(r.name.split()[1]) % 3) for r in records)
    assert {r.is_closed for r in records} == {True, False}
    assert rig.portal.requests.count("associations-read") == rig.portal.requests.count("list") == 2


def test_contact_owners_are_written_once_when_the_answer_is_lost(hubspot: StartRig) -> None:
    rig = hubspot(companies(1), contacts=[contact(1), contact(2)])
    rig.portal.set_fault_schedule([ScheduledFault("batch-update", 1, "applied_drop")])
    writer = rig.connect().related_writer("contact")
    ids = [c.crm_id for c in (contact(1), contact(2))]

    outcomes = writer.write_owner_batch(
        [OwnerWrite(i, ACTIVE_OWNERS[1], ACTIVE_OWNERS[0]) for i in ids]
    )

    assert [o.status for o in outcomes] == [WriteStatus.WRITTEN, WriteStatus.WRITTEN]
    assert [rig.portal.owner_of(i) for i in ids] == [ACTIVE_OWNERS[1]] * 2
    assert rig.portal.requests.count("batch-update") == 1
    assert set(rig.portal.requests.writes_per_record().values()) == {1}


def test_a_deal_a_person_reassigned_is_a_conflict_left_alone(hubspot: StartRig) -> None:
    rig = hubspot(companies(1), deals=[deal(1)])
    record = deal(1).crm_id
    rig.portal.change_owner_as_person(record, ACTIVE_OWNERS[2])

    (outcome,) = (
        rig.connect()
        .related_writer("opportunity")
        .write_owner_batch([OwnerWrite(record, ACTIVE_OWNERS[1], ACTIVE_OWNERS[0])])
    )

    assert outcome.status == WriteStatus.CONFLICT
    assert rig.portal.owner_of(record) == ACTIVE_OWNERS[2]
