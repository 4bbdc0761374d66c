"""Setting the connector up: settings and token in, one clear message when something is wrong,
never the token itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from connectors.base import PullMode
from connectors.hubspot import HubSpotConnector
from sandbox.faults import FaultProfile
from sandbox.hubspot import DEFAULT_ACCESS_TOKEN
from sandbox.server import free_port
from territory_sync.errors import (
    CrmAuthenticationError,
    CrmUnavailableError,
    MissingCredentialError,
)
from territory_sync.settings import Settings, load_settings
from tests.connectors.test_hubspot_support import FAST_RETRIES, StartRig, companies, hubspot

__all__ = ["hubspot"]

WRONG_TOKEN = "pat-na1-00000000-dead-4bad-8bad-000000000000"


def test_a_missing_token_names_the_variable_to_set() -> None:
    with pytest.raises(MissingCredentialError, match="HUBSPOT_ACCESS_TOKEN"):
        HubSpotConnector.from_settings(Settings(), environ={})


def test_the_connector_is_built_from_settings_and_the_environment(
    hubspot: StartRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no configuration file: defaults, then the environment
    rig = hubspot(companies(3))
    environ = {"HUBSPOT_BASE_URL": rig.url, "HUBSPOT_ACCESS_TOKEN": DEFAULT_ACCESS_TOKEN}
    settings = load_settings(
        environ={**environ, "TERRITORY_SYNC_HUBSPOT_EXTRA_PROPERTIES": "do_not_reassign"}
    )
    connector = HubSpotConnector.from_settings(settings, environ, retry_policy=FAST_RETRIES)
    pages = list(connector.pull_accounts(PullMode.FULL, None, timedelta(0)))
    assert len(pages[0].records) == 3
    assert "do_not_reassign" in pages[0].records[0].fields


def test_a_rejected_token_gives_one_message_naming_the_variable_not_the_token(
    hubspot: StartRig,
) -> None:
    rig = hubspot(companies(3))
    connector = HubSpotConnector(WRONG_TOKEN, base_url=rig.url, retry_policy=FAST_RETRIES)
    with pytest.raises(CrmAuthenticationError) as caught:
        connector.pull_reps()
    message = str(caught.value)
    assert "HUBSPOT_ACCESS_TOKEN" in message
    assert WRONG_TOKEN not in message
    assert rig.portal.requests.count() == 1


def test_an_unreachable_portal_names_the_setting_to_check() -> None:
    connector = HubSpotConnector(
        DEFAULT_ACCESS_TOKEN,
        base_url=f"http://127.0.0.1:{free_port()}",
        retry_policy=FAST_RETRIES,
    )
    with pytest.raises(CrmUnavailableError, match="HUBSPOT_BASE_URL") as caught:
        connector.read_owners(["10000000001"])
    assert f"after {FAST_RETRIES.max_attempts} attempts" in str(caught.value)
    assert DEFAULT_ACCESS_TOKEN not in str(caught.value)


def test_a_call_that_gets_no_answer_in_time_is_cut_off(hubspot: StartRig) -> None:
    rig = hubspot(companies(3), faults=FaultProfile(latency_ms=400))
    connector = rig.connect(timeout_seconds=0.05)
    with pytest.raises(CrmUnavailableError, match=r"within 0\.05 s"):
        connector.read_owners([companies(1)[0].crm_id])


def test_an_answer_reports_the_daily_allocation(hubspot: StartRig) -> None:
    rig = hubspot(companies(3))
    connector = rig.connect()
    connector.pull_reps()
    assert connector.usage.calls_by_kind == {"owners": 2}
    assert (connector.usage.daily_used, connector.usage.daily_limit) == (2, 625_000)
