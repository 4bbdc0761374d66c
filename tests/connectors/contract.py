"""The contract every CRM connector must meet, run against each CRM's sandbox emulator.

A connector's test module subclasses `ConnectorContract` and provides the `crm` fixture (a
`CrmUnderTest`): a started emulator seeded with `contract_book()`'s small realistic data, and a
factory for a connector pointed at it. The same tests then pin down the behaviour the sync relies
on, so the two connectors cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from connectors.base import CrmConnector, PullMode, PullPosition, RawAccount, WriteStatus
from sandbox.seed import SeedAccount, SeedRep

LOOKBACK = timedelta(seconds=0)
BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def contract_reps(user_id: Callable[[int], str], owner_id: Callable[[int], str]) -> list[SeedRep]:
    names = [
        ("Ana", "Ortiz", True),
        ("Ben", "Kim", True),
        ("Cleo", "Novak", True),
        ("Dev", "Rao", False),
    ]
    return [
        SeedRep(
            email=f"{first.lower()}.{last.lower()}@acme-revenue.example",
            first_name=first,
            last_name=last,
            active=active,
            salesforce_user_id=user_id(n),
            hubspot_owner_id=owner_id(n),
            hubspot_user_id=5_000_000 + n,
            team="na-west",
        )
        for n, (first, last, active) in enumerate(names, start=1)
    ]


def contract_accounts(record_id: Callable[[int], str], owners: list[str]) -> list[SeedAccount]:
    """25 accounts, modified one second apart, owned round-robin by the three active reps."""
    return [
        SeedAccount(
            crm_id=record_id(n),
            name=f"Contract Company {n}",
            website=f"https://www.contract{n}.example/",
            domain=f"contract{n}.example",
            country="United States",
            region="CA",
            city="San Francisco",
            postal_code="94105",
            industry=None,
            employees=100 + n,
            annual_revenue=1_000_000 * n,
            owner_id=owners[n % 3],
            account_type=None,
            do_not_reassign=False,
            created_ms=BASE_MS - 86_400_000,
            modified_ms=BASE_MS + n * 1000,
        )
        for n in range(1, 26)
    ]


@dataclass
class CrmUnderTest:
    source: str
    emulator: Any
    """The SalesforceOrg or HubSpotPortal: owner_of, change_owner_as_person, delete_records,
    requests (the RequestLog)."""
    connect: Callable[[], CrmConnector]
    account_ids: list[str]
    owner_ids: list[str]
    """The three active reps' ids in this CRM."""
    inactive_owner_id: str
    update_kind: str
    """The request-log kind of an owner-write call (collections-update, batch-update)."""


def pull_everything(
    connector: CrmConnector, mode: PullMode, since: PullPosition | None = None
) -> tuple[list[RawAccount], PullPosition | None]:
    records: list[RawAccount] = []
    position = since
    for page in connector.pull_accounts(mode, since, LOOKBACK):
        records.extend(page.records)
        position = page.position or position
    return records, position


class ConnectorContract:
    def test_a_full_pull_returns_every_live_account_once(self, crm: CrmUnderTest) -> None:
        records, position = pull_everything(crm.connect(), PullMode.FULL)
        assert sorted(r.external_id for r in records) == sorted(crm.account_ids)
        assert position is not None

    def test_pulled_records_carry_the_crm_fields_and_modified_time(self, crm: CrmUnderTest) -> None:
        records, _ = pull_everything(crm.connect(), PullMode.FULL)
        record = next(r for r in records if r.external_id == crm.account_ids[0])
        assert record.source == crm.source
        assert record.modified_at is not None
        assert record.deleted is False
        assert "Contract Company 1" in record.fields.values()

    def test_an_incremental_pull_returns_only_what_changed_since_the_cursor(
        self, crm: CrmUnderTest
    ) -> None:
        connector = crm.connect()
        _, position = pull_everything(connector, PullMode.FULL)
        crm.emulator.change_owner_as_person(crm.account_ids[4], crm.owner_ids[2])
        records, after = pull_everything(connector, PullMode.INCREMENTAL, position)
        assert [r.external_id for r in records] == [crm.account_ids[4]]
        assert after is not None and position is not None
        assert after.modified_at >= position.modified_at

    def test_an_incremental_pull_flags_a_deleted_record(self, crm: CrmUnderTest) -> None:
        connector = crm.connect()
        _, position = pull_everything(connector, PullMode.FULL)
        crm.emulator.delete_records([crm.account_ids[7]])
        records, _ = pull_everything(connector, PullMode.INCREMENTAL, position)
        assert [(r.external_id, r.deleted) for r in records] == [(crm.account_ids[7], True)]

    def test_reps_come_with_email_and_active_flag(self, crm: CrmUnderTest) -> None:
        reps = {rep.email: rep for rep in crm.connect().pull_reps()}
        assert reps["ana.ortiz@acme-revenue.example"].active is True
        assert reps["dev.rao@acme-revenue.example"].active is False
        assert {rep.source for rep in reps.values()} == {crm.source}

    def test_read_owners_gives_current_owners_and_leaves_out_unknown_ids(
        self, crm: CrmUnderTest
    ) -> None:
        wanted = crm.account_ids[:3]
        owners = crm.connect().read_owners(wanted)
        assert owners == {i: crm.emulator.owner_of(i) for i in wanted}

    def test_a_batch_write_sets_the_owners_in_the_crm(self, crm: CrmUnderTest) -> None:
        from connectors.base import OwnerWrite

        targets = crm.account_ids[:5]
        writes = [
            OwnerWrite(i, crm.owner_ids[0], crm.emulator.owner_of(i))
            for i in targets
            if crm.emulator.owner_of(i) != crm.owner_ids[0]
        ]
        outcomes = crm.connect().write_owner_batch(writes)
        assert [o.status for o in outcomes] == [WriteStatus.WRITTEN] * len(writes)
        assert all(crm.emulator.owner_of(i) == crm.owner_ids[0] for i in targets)

    def test_a_full_batch_costs_one_read_and_one_write_call(self, crm: CrmUnderTest) -> None:
        from connectors.base import OwnerWrite

        connector = crm.connect()
        crm.emulator.requests.clear()
        writes = [
            OwnerWrite(i, crm.owner_ids[1], crm.emulator.owner_of(i))
            for i in crm.account_ids
            if crm.emulator.owner_of(i) != crm.owner_ids[1]
        ]
        connector.write_owner_batch(writes)
        assert crm.emulator.requests.count(crm.update_kind) == 1
        assert crm.emulator.requests.count() == 2

    def test_a_manual_change_after_planning_is_a_conflict_left_alone(
        self, crm: CrmUnderTest
    ) -> None:
        from connectors.base import OwnerWrite

        record = crm.account_ids[2]
        planned_from = crm.emulator.owner_of(record)
        person_choice = next(o for o in crm.owner_ids if o != planned_from)
        target = next(o for o in crm.owner_ids if o not in (planned_from, person_choice))
        crm.emulator.change_owner_as_person(record, person_choice)
        [outcome] = crm.connect().write_owner_batch([OwnerWrite(record, target, planned_from)])
        assert outcome.status == WriteStatus.CONFLICT
        assert outcome.current_owner_id == person_choice
        assert crm.emulator.owner_of(record) == person_choice

    def test_an_owner_already_in_place_is_not_written_again(self, crm: CrmUnderTest) -> None:
        from connectors.base import OwnerWrite

        record = crm.account_ids[3]
        current = crm.emulator.owner_of(record)
        crm.emulator.requests.clear()
        [outcome] = crm.connect().write_owner_batch([OwnerWrite(record, current, "someone-else")])
        assert outcome.status == WriteStatus.WRITTEN
        assert outcome.already_there is True
        assert crm.emulator.requests.count(crm.update_kind) == 0

    def test_an_inactive_owner_fails_with_the_crm_error_and_others_are_written(
        self, crm: CrmUnderTest
    ) -> None:
        from connectors.base import OwnerWrite

        bad, good = crm.account_ids[5], crm.account_ids[6]
        good_target = next(o for o in crm.owner_ids if o != crm.emulator.owner_of(good))
        outcomes = crm.connect().write_owner_batch(
            [
                OwnerWrite(bad, crm.inactive_owner_id, crm.emulator.owner_of(bad)),
                OwnerWrite(good, good_target, crm.emulator.owner_of(good)),
            ]
        )
        by_id = {o.external_id: o for o in outcomes}
        assert by_id[bad].status == WriteStatus.FAILED
        assert by_id[bad].error_code
        assert by_id[good].status == WriteStatus.WRITTEN
        assert crm.emulator.owner_of(good) == good_target
