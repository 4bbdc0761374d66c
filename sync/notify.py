"""Run notifications: post the run summary to a Slack-compatible webhook, if one is configured.

The webhook URL is a secret (`TERRITORY_SYNC_WEBHOOK_URL`): it is read from the environment and
never logged. A failed notification is logged and never fails the run.

Account names and emails come from the CRMs: every text sent is escaped for Slack
(`slack_escape`), so a name such as `<!channel>` or `<http://x|y>` is shown as written instead of
notifying a channel or becoming a link.

The alerts (`sync.alerts`) build on these: a rep's digest folds the run's written changes with
`RepMoves`, the admins' summary is `summary_lines`, and every webhook is sent as `slack_payload`
through `post_webhook`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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


NAMES_PER_REP = 10
"""Accounts named per rep and direction in the summary; the rest are counted."""


@dataclass
class RepMove:
    """One rep's share of a plan: accounts gained and lost, and the first few of each by name."""

    gained: int = 0
    lost: int = 0
    gained_names: list[str] = field(default_factory=list)
    lost_names: list[str] = field(default_factory=list)


class RepMoves(dict[str, RepMove]):
    """Per rep email, what a plan gives them and takes away; added up change by change, so a
    plan streamed past it is never held (`counting`). The first `names_per_rep` accounts of each
    rep and direction are kept by name, the rest only counted."""

    def __init__(self, *, names_per_rep: int = NAMES_PER_REP) -> None:
        super().__init__()
        self.names_per_rep = names_per_rep

    def add(self, change: ProposedChange) -> None:
        if change.state != ChangeState.PLANNED:
            return
        label = change.account_name or change.external_id
        if change.new_owner_email:
            move = self.setdefault(change.new_owner_email, RepMove())
            move.gained += 1
            if len(move.gained_names) < self.names_per_rep:
                move.gained_names.append(label)
        if change.old_owner_email:
            move = self.setdefault(change.old_owner_email, RepMove())
            move.lost += 1
            if len(move.lost_names) < self.names_per_rep:
                move.lost_names.append(label)

    def counting(self, changes: Iterable[ProposedChange]) -> Iterator[ProposedChange]:
        """`changes`, handed on one by one, each added as it passes."""
        for change in changes:
            self.add(change)
            yield change


def rep_moves(changes: Iterable[ProposedChange]) -> RepMoves:
    """Per rep email: the accounts a plan gives them (`gained`) and takes away (`lost`)."""
    moves = RepMoves()
    for change in changes:
        moves.add(change)
    return moves


FIGURES_SHOWN = ("pulled", "evaluated", "planned", "written", "failed", "conflicts")


def figures_line(figures: Mapping[str, Any]) -> str:
    """The run's main counts on one line: `pulled 1,200, evaluated 1,200, planned 2, ...`."""
    return ", ".join(f"{key} {figures.get(key, 0):,}" for key in FIGURES_SHOWN)


def summary_lines(
    run_id: int,
    status: str,
    figures: Mapping[str, Any],
    rep_moves: Mapping[str, RepMove],
) -> list[str]:
    """The run summary as plain lines (not escaped): status, figures, each rep's moves."""
    lines = [
        f"territory-sync run {run_id}: {status}",
        figures_line(figures),
    ]
    for email in sorted(rep_moves)[:MAX_REPS_LISTED]:
        move = rep_moves[email]
        lines.append(f"{email}: +{move.gained} / -{move.lost}")
        if move.gained_names:
            lines.append("  gained: " + ", ".join(move.gained_names))
        if move.lost_names:
            lines.append("  lost: " + ", ".join(move.lost_names))
    if len(rep_moves) > MAX_REPS_LISTED:
        lines.append(f"... and {len(rep_moves) - MAX_REPS_LISTED:,} more reps")
    return lines


def summary_message(
    run_id: int,
    status: str,
    figures: Mapping[str, Any],
    rep_moves: Mapping[str, RepMove],
) -> dict[str, Any]:
    """Slack-compatible payload: `text` for any receiver, plus a readable body."""
    return slack_payload("\n".join(summary_lines(run_id, status, figures, rep_moves)))


def slack_payload(plain: str) -> dict[str, Any]:
    """A Slack-compatible payload of plain text (CRM data included): escaped (`slack_escape`)
    in `text`, for any receiver, and in one verbatim section block."""
    text = slack_escape(plain)
    # `verbatim`: Slack leaves plain text as it is (no auto-linked URLs or channel names), per
    # https://docs.slack.dev/reference/block-kit/composition-objects/text-object
    body = {"type": "mrkdwn", "text": text, "verbatim": True}
    return {"text": text, "blocks": [{"type": "section", "text": body}]}


def post_webhook(url: str, payload: Mapping[str, Any], *, timeout: float) -> None:
    """POST the payload as JSON; raises `requests.RequestException` (whose text may hold the
    URL: never log or store it) on a network error or an answer other than 2xx."""
    response = requests.post(url, json=dict(payload), timeout=timeout)
    response.raise_for_status()


def notify(payload: Mapping[str, Any], *, timeout: float = 10.0) -> bool:
    """Send to the configured webhook; True when delivered, False when none or failed."""
    url = optional_secret(WEBHOOK_ENV_VAR)
    if not url:
        return False
    try:
        post_webhook(url, payload, timeout=timeout)
    except requests.RequestException as error:
        log_event("notify.failed", error=type(error).__name__)
        return False
    return True
