"""The bulk account upsert: insert, update, no-op, deleted flag, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from mapping.model.accounts import Account
from mapping.unified import UnifiedAccount
from sync.store.accounts import mark_unseen_deleted, upsert_accounts
from sync.store.database import Database

PULLED_AT = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)


def acme(**changes: object) -> UnifiedAccount:
    account = UnifiedAccount(
        source="salesforce",
        external_id="0015g00000ACMEAAA",
        name="Acme Robotics, Inc.",
        website="https://www.acme-robotics.com/en",
        domain="acme-robotics.com",
        country="US",
        region="US-CA",
        city="San José",
        postal_code="95113",
        industry_raw="Technology",
        industry="software",
        employees=1200,
        annual_revenue=Decimal("250000000.50"),
        owner_id="0055g00000003D7AAI",
        crm_modified_at=datetime(2026, 2, 27, 18, 4, 5, tzinfo=UTC),
        raw={"Name": "Acme Robotics, Inc.", "BillingCountry": "USA", "Do_Not_Reassign__c": False},
    )
    return replace(account, **changes)  # type: ignore[arg-type]


def stored(database: Database) -> list[Account]:
    with Session(database.engine) as session:
        return list(session.exec(select(Account).order_by(Account.source, Account.external_id)))


def upsert(database: Database, accounts: list[UnifiedAccount], at: datetime = PULLED_AT) -> None:
    with database.engine.begin() as connection:
        upsert_accounts(connection, accounts, at)


def test_a_new_account_is_inserted_with_every_unified_field(database: Database) -> None:
    upsert(database, [acme()])
    [row] = stored(database)
    assert (row.source, row.external_id, row.name) == (
        "salesforce",
        "0015g00000ACMEAAA",
        "Acme Robotics, Inc.",
    )
    assert (row.domain, row.country, row.region, row.city) == (
        "acme-robotics.com",
        "US",
        "US-CA",
        "San José",
    )
    assert row.annual_revenue == Decimal("250000000.50")
    assert row.employees == 1200
    assert row.crm_modified_at == datetime(2026, 2, 27, 18, 4, 5, tzinfo=UTC)
    assert row.raw["BillingCountry"] == "USA"
    assert row.first_seen_at == row.last_seen_at == PULLED_AT
    assert row.deleted is False


def test_pulling_a_changed_account_updates_it_and_keeps_when_it_was_first_seen(
    database: Database,
) -> None:
    upsert(database, [acme()])
    later = PULLED_AT + timedelta(days=1)
    upsert(database, [acme(owner_id="0055g00000009ZZAAA", employees=1300)], at=later)
    [row] = stored(database)
    assert row.owner_id == "0055g00000009ZZAAA"
    assert row.employees == 1300
    assert row.first_seen_at == PULLED_AT
    assert row.last_seen_at == later


def test_pulling_an_unchanged_account_again_changes_nothing_but_last_seen(
    database: Database,
) -> None:
    upsert(database, [acme()])
    before = stored(database)[0].model_dump()
    upsert(database, [acme()], at=PULLED_AT + timedelta(hours=1))
    after = stored(database)[0].model_dump()
    assert after.pop("last_seen_at") == PULLED_AT + timedelta(hours=1)
    before.pop("last_seen_at")
    assert after == before


def test_a_record_deleted_in_the_crm_is_flagged_not_removed(database: Database) -> None:
    upsert(database, [acme()])
    upsert(database, [acme(deleted=True)])
    [row] = stored(database)
    assert row.deleted is True


def test_the_same_external_id_in_both_crms_is_two_accounts(database: Database) -> None:
    upsert(database, [acme(), acme(source="hubspot")])
    assert [row.source for row in stored(database)] == ["hubspot", "salesforce"]


def test_a_batch_holding_one_record_twice_keeps_its_last_version(database: Database) -> None:
    upsert(database, [acme(name="Old name"), acme(name="New name")])
    [row] = stored(database)
    assert row.name == "New name"


def test_a_full_pull_flags_accounts_it_no_longer_saw_as_deleted(database: Database) -> None:
    upsert(database, [acme(), acme(external_id="0015g00000GONEAAA")])
    full_pull_started = PULLED_AT + timedelta(days=1)
    upsert(database, [acme()], at=full_pull_started)
    with database.engine.begin() as connection:
        flagged = mark_unseen_deleted(connection, "salesforce", full_pull_started)
    assert flagged == 1
    assert {row.external_id: row.deleted for row in stored(database)} == {
        "0015g00000ACMEAAA": False,
        "0015g00000GONEAAA": True,
    }


def test_blank_optional_fields_are_stored_as_null(database: Database) -> None:
    upsert(
        database,
        [UnifiedAccount(source="hubspot", external_id="10000000001", crm_modified_at=None, raw={})],
    )
    [row] = stored(database)
    assert (row.name, row.domain, row.annual_revenue, row.crm_modified_at) == (
        None,
        None,
        None,
        None,
    )


def test_upserting_thousands_of_accounts_stores_each_exactly_once(database: Database) -> None:
    batch = [acme(external_id=f"001{n:015d}", domain=f"c{n}.example") for n in range(2500)]
    upsert(database, batch)
    upsert(database, batch[1000:])
    rows = stored(database)
    assert len(rows) == 2500
    assert len({row.external_id for row in rows}) == 2500


def test_tabs_newlines_and_backslashes_in_values_survive_the_bulk_path(
    database: Database,
) -> None:
    awkward = 'Tab\there, line\nbreak, back\\slash, "quotes", ünïcødé, \\N'
    upsert(database, [acme(name=awkward, raw={"Name": awkward, "Notes": "a\tb\\c"})])
    [row] = stored(database)
    assert row.name == awkward
    assert row.raw == {"Name": awkward, "Notes": "a\tb\\c"}


def test_two_upserts_in_one_transaction_store_each_account_once_with_its_latest_values(
    database: Database,
) -> None:
    later = PULLED_AT + timedelta(hours=1)
    with database.engine.begin() as connection:
        upsert_accounts(connection, [acme()], PULLED_AT)
        upsert_accounts(connection, [acme(owner_id="0055g00000009ZZAAA")], later)
        upsert_accounts(connection, [acme(external_id="0015g00000BETAAAA")], later)
    rows = stored(database)
    assert [(row.external_id, row.owner_id) for row in rows] == [
        ("0015g00000ACMEAAA", "0055g00000009ZZAAA"),
        ("0015g00000BETAAAA", "0055g00000003D7AAI"),
    ]
    assert rows[0].last_seen_at == later


def test_an_account_first_pulled_has_no_owner_since(database: Database) -> None:
    upsert(database, [acme()])
    [row] = stored(database)
    assert row.owner_since is None


def test_a_pull_that_finds_a_new_owner_records_when(database: Database) -> None:
    upsert(database, [acme()])
    later = PULLED_AT + timedelta(days=3)
    upsert(database, [acme(owner_id="0055g00000009XYZAA")], at=later)
    [row] = stored(database)
    assert (row.owner_id, row.owner_since) == ("0055g00000009XYZAA", later)


def test_a_pull_that_finds_the_same_owner_keeps_owner_since(database: Database) -> None:
    upsert(database, [acme()])
    changed = PULLED_AT + timedelta(days=1)
    upsert(database, [acme(owner_id="0055g00000009XYZAA")], at=changed)
    upsert(database, [acme(owner_id="0055g00000009XYZAA", name="Acme")], at=changed + timedelta(1))
    [row] = stored(database)
    assert row.owner_since == changed


def test_an_owner_removed_or_given_counts_as_a_change(database: Database) -> None:
    upsert(database, [acme(owner_id=None)])
    given = PULLED_AT + timedelta(days=2)
    upsert(database, [acme()], at=given)
    [row] = stored(database)
    assert row.owner_since == given
