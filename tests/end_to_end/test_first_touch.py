"""First touch decides an overlap for the rep who owns the account's earliest opportunity, and
`explain` says so."""

from __future__ import annotations

import pytest

from tests.end_to_end.conftest import TERRITORIES, Product
from tests.end_to_end.test_territory_commands import cli

DANIEL = "daniel.okafor@acme-revenue.example"
OVERLAPPING = (
    TERRITORIES.replace(
        "settings:\n  unmatched: keep_owner\n",
        "settings:\n  unmatched: keep_owner\n  overlap_rules: [first_touch, priority, depth]\n",
    )
    + """  - name: Strategic-US
    priority: 5
    criteria:
      country: [US]
    members:
      - email: emily.johnson@acme-revenue.example
"""
)


def test_first_touch_gives_an_overlap_to_the_earliest_opportunitys_owner_and_explain_says_so(
    product: Product, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    org = product.sandbox.salesforce
    daniel = next(r.salesforce_user_id for r in product.sandbox.book.reps if r.email == DANIEL)
    west = {a.crm_id for a in product.sandbox.book.salesforce if a.region in ("CA", "California")}
    deals = sorted(
        (o for o in org.opportunities if o.account_id in west), key=lambda o: o.created_ms
    )
    earliest = next(o for o in deals if o.account_id == deals[0].account_id)
    account = earliest.account_id
    org.change_owner_as_person(earliest.crm_id, daniel)
    product.use_territories(OVERLAPPING)
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(product.territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")

    result = product.sync()

    assert result.figures["pull"]["salesforce"]["related"]["opportunity"]["pulled"] > 0
    assert org.owner_of(account) == daniel
    assert cli(product, "explain", account) == 0
    out = capsys.readouterr().out
    assert f"{DANIEL} owns the account's earliest opportunity ({earliest.crm_id}" in out
    assert "by first touch NA-West takes it" in out
