"""The Salesforce connector meets the shared connector contract, against the emulated org."""

from __future__ import annotations

import pytest

from connectors.base import CrmConnector
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.contract import (
    ConnectorContract,
    CrmUnderTest,
    contract_accounts,
    contract_reps,
)
from tests.connectors.test_salesforce_fixtures import (
    MakeOrg,
    account_id,
    user_id,
)

clock = shared.clock  # fixtures shared by the Salesforce connector tests
make_org = shared.make_org


@pytest.fixture
def crm(make_org: MakeOrg) -> CrmUnderTest:
    reps = contract_reps(user_id, lambda n: str(100 + n))
    active = [rep.salesforce_user_id for rep in reps if rep.active]
    inactive = next(rep.salesforce_user_id for rep in reps if not rep.active)
    accounts = contract_accounts(account_id, active)
    served = make_org(accounts, reps=reps)

    def connect() -> CrmConnector:
        return served.signed_in()

    return CrmUnderTest(
        source="salesforce",
        emulator=served.org,
        connect=connect,
        account_ids=[account.crm_id for account in accounts],
        owner_ids=active,
        inactive_owner_id=inactive,
        update_kind="collections-update",
    )


class TestSalesforceConnectorContract(ConnectorContract):
    pass
