"""What each alert says, and to whom it goes: plain builders that read no settings and no store.

A builder turns a run's facts into a `Notice` (event, subject, plain-text body, and a key naming
what makes it the same alert, such as run 42's digest for one rep); `addressed` fans a notice out
to its `Destination`s (an email address, a webhook channel) as `OutgoingAlert`s, each with a
dedup key of at most 128 characters built from the notice's key, the channel and the recipient.

Subjects are the product's own words; CRM text (account, opportunity and territory names, rep
emails) appears only in bodies, as data: bodies are plain text for email, and escaped for Slack
by the webhook channel (`sync.notify.slack_payload`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sync.notify import RepMove, figures_line, summary_lines
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode

EMAIL_CHANNEL = "email"
WEBHOOK_PREFIX = "webhook:"
REP_WEBHOOK = "webhook:rep"
"""The channel of a rep's own webhook (`[alerts.rep_webhooks]`); the recipient is the rep."""

BOOK_CHANGED = "book_changed"
NEW_OPPORTUNITY = "new_opportunity"
NO_ELIGIBLE_MEMBER = "no_eligible_member"
RUN_FAILED = "run_failed"
GUARD_RAIL = "guard_rail"
CONFLICTS = "conflicts"
BELOW_GOAL_PACE = "below_goal_pace"

MEMBER_FIELDS = ("field 'members'", "field 'require'")
"""How a territory file warning about a territory's members reads (`TerritoryFileError`)."""


def webhook_channel(name: str) -> str:
    return f"{WEBHOOK_PREFIX}{name}"


@dataclass(frozen=True)
class Destination:
    channel: str
    """`email` or `webhook:<name>`."""
    recipient: str
    """An email address, or the channel's name (never a URL)."""


@dataclass(frozen=True)
class Audience:
    """Who gets what: the admins' destinations, and whether reps get email and own webhooks."""

    admins: tuple[Destination, ...] = ()
    email_reps: bool = False
    rep_webhooks: frozenset[str] = frozenset()
    """Emails (lower case) of the reps with a webhook of their own."""

    def of_rep(self, email: str) -> tuple[Destination, ...]:
        destinations = []
        if self.email_reps:
            destinations.append(Destination(EMAIL_CHANNEL, email))
        if email.lower() in self.rep_webhooks:
            destinations.append(Destination(REP_WEBHOOK, email.lower()))
        return tuple(destinations)

    @property
    def anyone(self) -> bool:
        return bool(self.admins or self.email_reps or self.rep_webhooks)


@dataclass(frozen=True)
class Notice:
    """One alert's content, before it is addressed."""

    event: str
    subject: str
    body: str
    key: str
    """What makes it the same alert (with the channel and recipient): e.g. `run:42:maya@...`."""
    run_id: int | None = None


@dataclass(frozen=True)
class OutgoingAlert:
    """One alert for one recipient on one channel: a row of the `alerts` table to be."""

    event: str
    channel: str
    recipient: str
    subject: str
    body: str
    dedup_key: str
    run_id: int | None = None


def dedup_key(notice: Notice, destination: Destination) -> str:
    """At most 128 characters: the readable event, then a hash of what makes it unique (the
    notice's key, which names the run where the alert is one per run, and the destination)."""
    unique = "\n".join((notice.key, destination.channel, destination.recipient.lower()))
    digest = hashlib.sha256(unique.encode()).hexdigest()[:40]
    return f"{notice.event[:40]}:{digest}"


def addressed(notice: Notice, destinations: Iterable[Destination]) -> list[OutgoingAlert]:
    """The notice for each destination (each once)."""
    return [
        OutgoingAlert(
            event=notice.event,
            channel=destination.channel,
            recipient=destination.recipient,
            subject=notice.subject,
            body=notice.body,
            dedup_key=dedup_key(notice, destination),
            run_id=notice.run_id,
        )
        for destination in dict.fromkeys(destinations)
    ]


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} " + (word if count == 1 else plural or f"{word}s")


def _listed(names: Sequence[str], total: int) -> list[str]:
    lines = [f"  - {name}" for name in names]
    if total > len(names):
        lines.append(f"  ... and {total - len(names):,} more")
    return lines


def rep_digest(run_id: int, email: str, move: RepMove) -> Notice:
    """One rep's digest of a run: the accounts they gained and lost, the first few by name."""
    lines = [f"territory-sync run {run_id} changed the accounts you own ({email}).", ""]
    if move.gained:
        lines += [f"You gained {_plural(move.gained, 'account')}:"]
        lines += [*_listed(move.gained_names, move.gained), ""]
    if move.lost:
        lines += [f"You no longer own {_plural(move.lost, 'account')}:"]
        lines += [*_listed(move.lost_names, move.lost), ""]
    lines.append(f"Why each moved: territory-sync audit --rep {email}")
    return Notice(
        event=BOOK_CHANGED,
        subject=f"territory-sync: your accounts changed, +{move.gained} / -{move.lost} "
        f"(run {run_id})",
        body="\n".join(lines),
        key=f"run:{run_id}:rep:{email.lower()}",
        run_id=run_id,
    )


def book_summary(
    run_id: int, status: str, figures: Mapping[str, Any], moves: Mapping[str, RepMove]
) -> Notice:
    """The admins' summary of a run's written changes: the run summary, rep by rep."""
    written = sum(move.gained for move in moves.values())
    return Notice(
        event=BOOK_CHANGED,
        subject=f"territory-sync run {run_id}: {_plural(written, 'account')} changed owner, "
        f"{_plural(len(moves), 'rep')} affected",
        body="\n".join(summary_lines(run_id, status, figures, moves)),
        key=f"run:{run_id}:summary",
        run_id=run_id,
    )


def book_changed(
    run_id: int,
    status: str,
    figures: Mapping[str, Any],
    moves: Mapping[str, RepMove],
    audience: Audience,
) -> list[OutgoingAlert]:
    """One digest per affected rep (never one per account), and the admins' summary."""
    if not moves:
        return []
    alerts = addressed(book_summary(run_id, status, figures, moves), audience.admins)
    for email in sorted(moves):
        alerts += addressed(rep_digest(run_id, email, moves[email]), audience.of_rep(email))
    return alerts


@dataclass(frozen=True)
class NewOpportunity:
    """An open opportunity (deal) first seen by a run, on an account the rep owns."""

    source: str
    name: str | None
    account_name: str | None
    stage: str | None = None
    amount: Decimal | None = None
    currency: str | None = None

    def describe(self) -> str:
        details = [part for part in (self.stage, self._amount()) if part]
        shown = self.name or "(no name)"
        if details:
            shown += f" ({', '.join(details)})"
        return f"{shown} on {self.account_name or '(no name)'} [{self.source}]"

    def _amount(self) -> str | None:
        if self.amount is None:
            return None
        return f"{self.amount:,.2f}" + (f" {self.currency}" if self.currency else "")


def opportunity_digest(
    run_id: int, email: str, opportunities: Sequence[NewOpportunity], listed: int
) -> Notice:
    """The new open opportunities on one rep's accounts, the first `listed` named."""
    count = len(opportunities)
    lines = [
        f"territory-sync run {run_id} found "
        f"{_plural(count, 'new open opportunity', 'new open opportunities')} on accounts you "
        f"own ({email}):",
        *_listed([o.describe() for o in opportunities[:listed]], count),
    ]
    return Notice(
        event=NEW_OPPORTUNITY,
        subject=f"territory-sync: {_plural(count, 'new opportunity', 'new opportunities')} "
        f"on your accounts (run {run_id})",
        body="\n".join(lines),
        key=f"run:{run_id}:opportunities:{email.lower()}",
        run_id=run_id,
    )


def member_warnings(warnings: Iterable[str]) -> list[str]:
    """The territory file's warnings about a territory's members (none, none qualified)."""
    return [w for w in warnings if any(field in w for field in MEMBER_FIELDS)]


def no_eligible_member(
    run_id: int,
    without_active_member: Mapping[str, Sequence[str]],
    warnings: Sequence[str] = (),
) -> Notice | None:
    """Territories whose accounts keep their owners because no owner member can take them:
    per CRM, those with no active owner member, and the file's warnings about members."""
    about_members = member_warnings(warnings)
    if not any(without_active_member.values()) and not about_members:
        return None
    lines = [
        f"territory-sync run {run_id}: some territories have no eligible owner member, so their "
        "accounts keep their current owners."
    ]
    for source, names in sorted(without_active_member.items()):
        if names:
            lines += ["", f"No owner member active in {source}:", *(f"  - {n}" for n in names)]
    if about_members:
        lines += ["", "Territory file warnings:", *(f"  - {w}" for w in about_members)]
    count = len({n for names in without_active_member.values() for n in names})
    what = (
        f"{_plural(count, 'territory', 'territories')} without an eligible member"
        if count
        else "territory members need attention"
    )
    return Notice(
        event=NO_ELIGIBLE_MEMBER,
        subject=f"territory-sync run {run_id}: {what}",
        body="\n".join(lines),
        key=f"run:{run_id}:no_eligible_member",
        run_id=run_id,
    )


def run_problems(
    run_id: int,
    status: str,
    exit_code: int,
    message: str,
    figures: Mapping[str, Any],
    *,
    conflicts_threshold: int,
) -> list[Notice]:
    """A run that failed (or finished with changes failed), was stopped by a guard rail (or the
    API budget), or met more conflicts than the threshold."""
    notices = []
    stopped = exit_code == ExitCode.GUARD_RAIL or (
        status == RunStatus.STOPPED and exit_code != ExitCode.OK
    )
    counts = figures_line(figures)
    if stopped:
        notices.append(
            Notice(
                event=GUARD_RAIL,
                subject=f"territory-sync run {run_id} was stopped before writing everything",
                body=f"territory-sync run {run_id}: {status}\n{message}\n{counts}",
                key=f"run:{run_id}:guard_rail",
                run_id=run_id,
            )
        )
    elif status in (RunStatus.FAILED, RunStatus.PARTIAL):
        what = "failed" if status == RunStatus.FAILED else "finished with changes failed"
        notices.append(
            Notice(
                event=RUN_FAILED,
                subject=f"territory-sync run {run_id} {what}",
                body=f"territory-sync run {run_id}: {status}\n{message}\n{counts}\n\n"
                f"Details: territory-sync runs show {run_id}",
                key=f"run:{run_id}:run_failed",
                run_id=run_id,
            )
        )
    conflicts = int(figures.get("conflicts") or 0)
    if conflicts > conflicts_threshold:
        notices.append(
            Notice(
                event=CONFLICTS,
                subject=f"territory-sync run {run_id}: {_plural(conflicts, 'conflict')}",
                body=f"territory-sync run {run_id} met {_plural(conflicts, 'conflict')} (more "
                f"than {conflicts_threshold:,}): people changed owners after the plan was made, "
                "and their choices were kept.\n"
                f"{counts}\n\nThe records kept: territory-sync holds list",
                key=f"run:{run_id}:conflicts",
                run_id=run_id,
            )
        )
    return notices


def below_goal_pace(
    territories: Sequence[tuple[str, float, float]],
    *,
    percent: int,
    period: str,
    run_id: int | None = None,
    on: str = "",
) -> Notice | None:
    """Territories behind their goal: each `(territory, attainment, pace)`, attainment the share
    of the goal reached and pace the share expected by now (both 0..1 and beyond), is listed
    when its attainment is below `percent` % of its pace. None when every one keeps up."""
    behind = [
        (name, attainment, pace)
        for name, attainment, pace in territories
        if pace > 0 and attainment < pace * percent / 100
    ]
    if not behind:
        return None
    lines = [f"Territories below {percent}% of their goal pace ({period}):"]
    lines += [
        f"  - {name}: {got:.0%} of goal, {pace:.0%} expected by now" for name, got, pace in behind
    ]
    return Notice(
        event=BELOW_GOAL_PACE,
        subject=f"territory-sync: {_plural(len(behind), 'territory', 'territories')} below "
        f"{percent}% of goal pace",
        body="\n".join(lines),
        # Once a day per period, however many runs find the same: `on` is the day (ISO).
        key=f"goal_pace:{period}:{on or run_id}",
        run_id=run_id,
    )
