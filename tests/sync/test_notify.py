"""The run webhook: Slack control sequences in CRM text arrive inert, everything else unchanged."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sync.notify import WEBHOOK_ENV_VAR, notify, rep_moves, summary_message
from sync.plan import ProposedChange

FIGURES = {"pulled": 1200, "evaluated": 1200, "planned": 2, "written": 2}


def change(name: str, new_email: str, old_email: str | None = None) -> ProposedChange:
    return ProposedChange(
        source="salesforce",
        external_id="001A",
        account_name=name,
        old_owner_id="005OLD" if old_email else None,
        old_owner_email=old_email,
        new_owner_id="005NEW",
        new_owner_email=new_email,
        territory="NA-East",
        rule="territory",
        reason="region US-NY",
    )


def message(*changes: ProposedChange) -> dict[str, Any]:
    return summary_message(42, "succeeded", FIGURES, rep_moves(changes))


def texts(payload: dict[str, Any]) -> list[str]:
    """Every text Slack would parse: the fallback `text` and each block's text."""
    return [payload["text"], *(block["text"]["text"] for block in payload["blocks"])]


def test_a_channel_mention_in_an_account_name_is_sent_as_text() -> None:
    payload = message(change("<!channel> urgent", "maya.chen@acme-revenue.example"))
    for text in texts(payload):
        assert "&lt;!channel&gt; urgent" in text
        assert "<!channel>" not in text


def test_a_link_in_an_account_name_is_sent_as_text() -> None:
    payload = message(change("<http://x|Click here>", "maya.chen@acme-revenue.example"))
    for text in texts(payload):
        assert "&lt;http://x|Click here&gt;" in text
        assert "<" not in text and ">" not in text


def test_an_ampersand_is_escaped_once_so_slack_shows_it_as_written() -> None:
    payload = message(change("Fox & Cooper &lt;b&gt;", "maya.chen@acme-revenue.example"))
    assert "Fox &amp; Cooper &amp;lt;b&amp;gt;" in payload["text"]


def test_a_rep_email_from_a_crm_is_escaped_too() -> None:
    payload = message(change("Acme", "<@U123>@acme-revenue.example", "<!here>@x.example"))
    for text in texts(payload):
        assert "&lt;@U123&gt;@acme-revenue.example: +1 / -0" in text
        assert "&lt;!here&gt;@x.example: +0 / -1" in text


def test_the_block_asks_slack_not_to_turn_plain_text_into_links() -> None:
    block = message(change("acme.example", "maya.chen@acme-revenue.example"))["blocks"][0]
    assert block["text"]["type"] == "mrkdwn"
    assert block["text"]["verbatim"] is True


def test_text_without_control_characters_is_sent_unchanged() -> None:
    payload = message(change("Bolt GmbH", "maya.chen@acme-revenue.example"))
    assert payload["text"].splitlines() == [
        "territory-sync run 42: succeeded",
        "pulled 1,200, evaluated 1,200, planned 2, written 2, failed 0, conflicts 0",
        "maya.chen@acme-revenue.example: +1 / -0",
        "  gained: Bolt GmbH",
    ]


def test_the_escaped_message_is_what_the_webhook_receives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[dict[str, Any]] = []

    class Answer:
        def raise_for_status(self) -> None:
            return None

    def post(url: str, *, json: dict[str, Any], timeout: float) -> Answer:
        sent.append(json)
        return Answer()

    monkeypatch.setenv(WEBHOOK_ENV_VAR, "https://hooks.example/T000/B000/XXXX")
    monkeypatch.setattr(requests, "post", post)
    assert notify(message(change("<!everyone>", "maya.chen@acme-revenue.example")))
    assert "&lt;!everyone&gt;" in sent[0]["text"]
    assert "<!everyone>" not in sent[0]["blocks"][0]["text"]["text"]
