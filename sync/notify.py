"""Run notifications: post the run summary to a Slack-compatible webhook, if one is configured.

The webhook URL is a secret (`TERRITORY_SYNC_WEBHOOK_URL`): it is read from the environment and
never logged. A failed notification is logged and never fails the run.

Account names and emails come from the CRMs: every text sent is escaped for Slack
(`slack_escape`), so a name such as `<!channel>` or `<http://x|y>` is shown as written instead of
notifying a channel or becoming a link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import requests

from sync.plan import ProposedChange
from sync.store.changes import ChangeState
from territory_sync.logs import log_event
from territory_sync.secrets import optional_secret

WEBHOOK_ENV_VAR = "TERRITORY_SYNC_WEBHOOK_URL"
MAX_REPS_LISTED = 25


SLACK_CONTROL_CHARACTERS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
"""Slack reads `&`, `<` and `>` as control characters (`<!channel>`, `<http://x|y>`): each is sent
as its HTML entity, and nothing else is encoded, per
https://api.slack.com/reference/surfaces/formatting#escaping"""


def slack_escape(text: str) -> str:
    """The text with Slack's control characters escaped, so it shows as written and does nothing."""
    return text.translate(SLACK_CONTROL_CHARACTERS)


def rep_moves(changes: Iterable[ProposedChange]) -> dict[str, dict[str, list[str]]]:
    """Per rep email: the accounts a plan gives them (`gained`) and takes away (`lost`)."""
    moves: dict[str, dict[str, list[str]]] = {}
    for change in changes:
        if change.state != ChangeState.PLANNED:
            continue
        label = change.account_name or change.external_id
        if change.new_owner_email:
            moves.setdefault(change.new_owner_email, {}).setdefault("gained", []).append(label)
        if change.old_owner_email:
            moves.setdefault(change.old_owner_email, {}).setdefault("lost", []).append(label)
    return moves


def summary_message(
    run_id: int,
    status: str,
    figures: Mapping[str, Any],
    rep_moves: Mapping[str, Mapping[str, Sequence[str]]],
) -> dict[str, Any]:
    """Slack-compatible payload: `text` for any receiver, plus a readable body."""
    lines = [
        f"territory-sync run {run_id}: {status}",
        ", ".join(
            f"{key} {figures.get(key, 0):,}"
            for key in ("pulled", "evaluated", "planned", "written", "failed", "conflicts")
        ),
    ]
    for email in sorted(rep_moves)[:MAX_REPS_LISTED]:
        gained = rep_moves[email].get("gained", [])
        lost = rep_moves[email].get("lost", [])
        lines.append(f"{email}: +{len(gained)} / -{len(lost)}")
        if gained:
            lines.append("  gained: " + ", ".join(list(gained)[:10]))
        if lost:
            lines.append("  lost: " + ", ".join(list(lost)[:10]))
    text = slack_escape("\n".join(lines))
    # `verbatim`: Slack leaves plain text as it is (no auto-linked URLs or channel names), per
    # https://docs.slack.dev/reference/block-kit/composition-objects/text-object
    body = {"type": "mrkdwn", "text": text, "verbatim": True}
    return {"text": text, "blocks": [{"type": "section", "text": body}]}


def notify(payload: Mapping[str, Any], *, timeout: float = 10.0) -> bool:
    """Send to the configured webhook; True when delivered, False when none or failed."""
    url = optional_secret(WEBHOOK_ENV_VAR)
    if not url:
        return False
    try:
        response = requests.post(url, json=dict(payload), timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as error:
        log_event("notify.failed", error=type(error).__name__)
        return False
    return True
