"""Run options an admin sets: one CRM's owners left to another tool, and the run webhook."""

from __future__ import annotations

import json

import pytest
import responses

from tests.end_to_end.conftest import Product

WEBHOOK = "https://hooks.example.com/services/T000/B000/XXXXXXXX"


def test_a_crm_whose_owner_writes_are_switched_off_gets_no_writes(product: Product) -> None:
    product.settings.hubspot.write_owners = False
    result = product.sync()
    assert result.figures["writes_disabled"] > 0
    assert product.sandbox.hubspot.requests.count("batch-update") == 0
    assert product.sandbox.salesforce.requests.count("collections-update") > 0


def test_the_run_summary_and_each_reps_gains_go_to_the_webhook(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_WEBHOOK_URL", WEBHOOK)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        mocked.add_passthru("http://127.0.0.1")
        mocked.add(responses.POST, WEBHOOK, json={"ok": True})
        result = product.sync()
        [call] = [c for c in mocked.calls if c.request.url == WEBHOOK]
    body = call.request.body
    payload = json.loads(body if isinstance(body, str | bytes) else b"{}")
    assert f"territory-sync run {result.run_id}: succeeded" in payload["text"]
    assert "maya.chen@acme-revenue.example: +" in payload["text"]
