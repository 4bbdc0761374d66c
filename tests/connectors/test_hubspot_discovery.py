"""What a reconciliation and a field mapping ask of HubSpot: the ids of every live company, page
by page, and company properties pulled beside the default ones in list and search alike."""

from __future__ import annotations

from datetime import timedelta

from connectors.base import PullMode
from tests.connectors.test_hubspot_support import (
    ACTIVE_OWNERS,
    StartRig,
    companies,
    company,
    hubspot,
    pull,
)

__all__ = ["hubspot"]


def test_company_ids_are_listed_for_live_companies_only_100_a_page(hubspot: StartRig) -> None:
    rig = hubspot(companies(250))
    archived = [company(3).crm_id, company(120).crm_id]
    rig.portal.delete_records(archived)

    pages = list(rig.connect().list_account_ids())

    assert [len(page) for page in pages] == [100, 100, 48]
    listed = {record_id for page in pages for record_id in page}
    assert listed == {c.crm_id for c in companies(250)} - set(archived)
    assert rig.portal.requests.counts_by_kind() == {"list": 3}


def test_asked_for_properties_are_pulled_in_a_full_pull(hubspot: StartRig) -> None:
    rig = hubspot([company(7)])
    connector = rig.connect(extra_properties=["do_not_reassign"])

    pages = list(
        connector.pull_accounts(PullMode.FULL, None, timedelta(0), extra_fields=["createdate"])
    )

    [record] = [r for page in pages for r in page.records]
    assert record.fields["createdate"]
    assert record.fields["do_not_reassign"] == "true"
    assert record.fields["name"] == "Company 7"


def test_asked_for_properties_are_pulled_in_an_incremental_pull(hubspot: StartRig) -> None:
    rig = hubspot(companies(5))
    connector = rig.connect()
    _, position = pull(connector, PullMode.FULL)
    rig.portal.change_owner_as_person(company(2).crm_id, ACTIVE_OWNERS[0])
    assert position is not None

    pages = list(
        connector.pull_accounts(
            PullMode.INCREMENTAL, position, timedelta(0), extra_fields=["lifecyclestage"]
        )
    )

    [record] = [r for page in pages for r in page.records]
    assert record.fields["lifecyclestage"] == "customer"
    assert record.fields["hubspot_owner_id"] == ACTIVE_OWNERS[0]


def test_a_pull_without_asked_for_properties_requests_only_the_default_ones(
    hubspot: StartRig,
) -> None:
    rig = hubspot([company(1)])

    [record], _ = pull(rig.connect(), PullMode.FULL)

    assert "lifecyclestage" not in record.fields
