"""What a reconciliation and a field mapping ask of Salesforce: the ids of every live Account,
page by page, and Account fields pulled beside the standard ones on the REST and Bulk paths."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.base import PullMode
from connectors.salesforce.soql import account_fields
from territory_sync.errors import ConfigurationError
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    MakeOrg,
    account_id,
    pull_all,
    seed_account,
    seed_accounts,
)

clock = shared.clock  # fixtures shared by the Salesforce connector tests
make_org = shared.make_org


def test_account_ids_are_listed_for_live_accounts_only_2000_a_page(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(2_300))
    served.org.delete_records([account_id(5), account_id(2_000)])
    connector = served.signed_in()

    pages = list(connector.list_account_ids())

    assert [len(page) for page in pages] == [2_000, 298]
    listed = [record_id for page in pages for record_id in page]
    assert set(listed) == {account_id(n) for n in range(1, 2_301)} - {
        account_id(5),
        account_id(2_000),
    }
    assert served.org.requests.counts_by_kind() == {"query": 1, "query-more": 1}


def test_asked_for_fields_are_pulled_beside_the_standard_ones(make_org: MakeOrg) -> None:
    served = make_org([seed_account(1, account_type="Customer - Direct", do_not_reassign=True)])
    connector = served.connect(account_fields=["Do_Not_Reassign__c"])

    pages = list(connector.pull_accounts(PullMode.FULL, None, timedelta(0), extra_fields=["Type"]))

    [record] = [r for page in pages for r in page.records]
    assert record.fields["Type"] == "Customer - Direct"
    assert record.fields["Do_Not_Reassign__c"] is True
    assert record.fields["Name"] == "Account 000001"


def test_asked_for_fields_are_pulled_on_the_bulk_path_too(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(3, account_type="Partner"))
    connector = served.connect(bulk_threshold=1)

    pages = list(connector.pull_accounts(PullMode.FULL, None, timedelta(0), extra_fields=["Type"]))

    records = [r for page in pages for r in page.records]
    assert {r.fields["Type"] for r in records} == {"Partner"}
    assert served.org.requests.count("bulk-create") == 1


def test_a_pull_without_asked_for_fields_selects_only_the_default_ones(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(1, account_type="Partner"))

    records, _, _ = pull_all(served.connect(), PullMode.FULL)

    assert "Type" not in records[0].fields


def test_a_field_name_that_would_change_the_query_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="not a Salesforce field name"):
        account_fields(["Name FROM User --"])


def test_relationship_and_custom_field_names_are_accepted_once() -> None:
    fields = account_fields(["Name", "Parent.Name", "Region__c", "region__c", "name"])

    assert fields == ["Id", "Name", "Parent.Name", "Region__c", "SystemModstamp", "IsDeleted"]
