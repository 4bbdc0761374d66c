"""Sending recorded alerts: retried with tenacity, every attempt counted, within a time budget.

`deliver_pending` sends the pending alerts, oldest first. Each alert gets up to
`[alerts] max_attempts` attempts with exponential waits from `retry_initial_seconds`; each
attempt is claimed in the table first (`outbox.claim_attempt`) and its error kept. An error that
may pass (a refused connection, a timeout, a 5xx or 429 answer, an SMTP 4xx) leaves the alert
pending for the next pass; a refusal for good (an SMTP 5xx for the recipient, a 4xx answer, a
channel no longer configured) or `give_up_after_attempts` attempts in all mark it failed.
Configuration to fix (a variable unset, credentials refused) leaves it pending with the error.

A channel that failed in a pass is not tried again in that pass: its other alerts keep their
turn (and are told why), so an SMTP outage costs one alert's attempts, not every alert's. The
pass stops starting attempts once `send_budget_seconds` are spent, waits never run past it, and
every socket has a timeout, so an outage cannot hang a run.

`send_samples` (`territory-sync alerts test`) sends one sample through each configured channel,
once, and reports each; it records nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)

from sync.alerts.channels import Channels, Sender, audience_of
from sync.alerts.messages import EMAIL_CHANNEL, REP_WEBHOOK, Destination
from sync.alerts.outbox import claim_attempt, mark_sent, note_error, pending
from sync.store.database import Database
from territory_sync.errors import AlertDeliveryError, ConfigurationError
from territory_sync.logs import log_event
from territory_sync.settings import AlertsSettings

MAX_WAIT_SECONDS = 30.0
SHORTEST_TIMEOUT = 0.5
"""The least socket timeout an attempt gets, however little of the budget is left."""


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int
    initial_wait: float
    budget_seconds: float
    timeout_seconds: float
    give_up_after: int

    @classmethod
    def of(cls, settings: AlertsSettings) -> DeliveryPolicy:
        return cls(
            max_attempts=settings.max_attempts,
            initial_wait=settings.retry_initial_seconds,
            budget_seconds=settings.send_budget_seconds,
            timeout_seconds=settings.timeout_seconds,
            give_up_after=settings.give_up_after_attempts,
        )


@dataclass
class DeliveryReport:
    sent: int = 0
    pending: int = 0
    """Attempted in this pass and not delivered: tried again by the next."""
    failed: int = 0
    not_tried: int = 0
    """Left pending untried: their channel failed earlier in the pass, or the budget ran out."""

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class _TakenError(Exception):
    """Another sender attempted the alert meanwhile (or it is no longer pending)."""


def _transient(error: BaseException) -> bool:
    return isinstance(error, AlertDeliveryError) and not error.permanent


class _Pass:
    """One delivery pass: its deadline, and the channels found failing in it."""

    def __init__(
        self,
        database: Database,
        channels: Channels,
        policy: DeliveryPolicy,
        sleep: Callable[[float], None],
    ) -> None:
        self.database, self.channels, self.policy, self.sleep = database, channels, policy, sleep
        self.deadline = time.monotonic() + policy.budget_seconds
        self.down: dict[str, str] = {}
        self.report = DeliveryReport()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def deliver(self, row: dict[str, Any]) -> None:
        alert_id = int(row["id"])
        try:
            sender = self.channels.sender(row["channel"], row["recipient"])
        except AlertDeliveryError as error:
            note_error(self.database, alert_id, str(error), failed=True)
            self.report.failed += 1
            return
        except ConfigurationError as error:
            self._not_tried(alert_id, row["channel"], str(error))
            return
        if sender.key in self.down:
            self._not_tried(alert_id, row["channel"], self.down[sender.key])
            return
        self._attempt(row, sender)

    def _not_tried(self, alert_id: int, channel: str, error: str) -> None:
        note_error(self.database, alert_id, f"not sent: {error}")
        self.report.not_tried += 1
        log_event("alerts.not_tried", alert_id=alert_id, channel=channel, error=error)

    def _attempt(self, row: dict[str, Any], sender: Sender) -> None:
        alert_id, channel = int(row["id"]), str(row["channel"])
        attempts = int(row["attempts"])

        def once() -> None:
            nonlocal attempts
            if not claim_attempt(self.database, alert_id, attempts):
                raise _TakenError
            attempts += 1
            timeout = max(SHORTEST_TIMEOUT, min(self.policy.timeout_seconds, self.left()))
            try:
                sender.send(row["recipient"], row["subject"], row["body"], timeout=timeout)
            except (AlertDeliveryError, ConfigurationError) as error:
                note_error(self.database, alert_id, str(error))
                log_event(
                    "alerts.attempt_failed",
                    alert_id=alert_id,
                    channel=channel,
                    attempt=attempts,
                    error=str(error),
                )
                raise

        # Never past `give_up_after` in all: an alert retried run after run ends failed.
        allowed = max(1, min(self.policy.max_attempts, self.policy.give_up_after - attempts))
        retrying = Retrying(
            stop=stop_after_attempt(allowed) | stop_before_delay(max(0.0, self.left())),
            wait=wait_exponential(multiplier=self.policy.initial_wait, max=MAX_WAIT_SECONDS),
            retry=retry_if_exception(_transient),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            retrying(once)
        except _TakenError:
            return
        except AlertDeliveryError as error:
            if error.permanent or attempts >= self.policy.give_up_after:
                note_error(self.database, alert_id, str(error), failed=True)
                self.report.failed += 1
                log_event("alerts.gave_up", alert_id=alert_id, channel=channel, attempts=attempts)
            else:
                self.report.pending += 1
            if not error.permanent:
                self.down[sender.key] = str(error)
            return
        except ConfigurationError as error:
            self.report.pending += 1
            self.down[sender.key] = str(error)
            return
        mark_sent(self.database, alert_id)
        self.report.sent += 1
        log_event("alerts.sent", alert_id=alert_id, alert_event=row["event"], channel=channel)


def deliver_pending(
    database: Database,
    channels: Channels,
    policy: DeliveryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send the pending alerts within the policy's budget; what is left stays pending."""
    rows = pending(database)
    run = _Pass(database, channels, policy, sleep)
    try:
        for index, row in enumerate(rows):
            if run.left() <= 0:
                run.report.not_tried += len(rows) - index
                log_event("alerts.budget_spent", left=len(rows) - index)
                break
            run.deliver(row)
    finally:
        channels.close()
    return run.report


@dataclass(frozen=True)
class ChannelCheck:
    """How a sample went on one channel: `error` None when it was accepted."""

    channel: str
    recipient: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


SAMPLE_SUBJECT = "territory-sync: test alert"
SAMPLE_BODY = (
    "This is a test alert from territory-sync (`territory-sync alerts test`).\n"
    "Alerts for this channel will look like this one."
)
NO_SAMPLE_ADDRESS = (
    "no address to send a sample to: pass --to ADDRESS, or set [alerts] email_admins"
)


def sample_destinations(settings: AlertsSettings, to: Sequence[str] = ()) -> list[Destination]:
    """Every configured channel once: email to `to` (else the admins), each admin webhook and
    each rep's webhook."""
    audience = audience_of(settings)
    addresses = list(to) or list(settings.email_admins)
    destinations = [Destination(EMAIL_CHANNEL, address) for address in addresses]
    if not destinations and settings.email_to_reps:
        destinations.append(Destination(EMAIL_CHANNEL, ""))
    destinations += [d for d in audience.admins if d.channel != EMAIL_CHANNEL]
    destinations += [Destination(REP_WEBHOOK, email) for email in sorted(settings.rep_webhooks)]
    return destinations


def send_samples(settings: AlertsSettings, *, to: Sequence[str] = ()) -> list[ChannelCheck]:
    """Send a sample through each configured channel (one attempt each); how each went."""
    channels = Channels(settings)
    checks = []
    try:
        for destination in sample_destinations(settings, to):
            channel, recipient = destination.channel, destination.recipient
            if not recipient:
                checks.append(ChannelCheck(channel, recipient, NO_SAMPLE_ADDRESS))
                continue
            try:
                sender = channels.sender(channel, recipient)
                sender.send(
                    recipient, SAMPLE_SUBJECT, SAMPLE_BODY, timeout=settings.timeout_seconds
                )
            except (AlertDeliveryError, ConfigurationError) as error:
                checks.append(ChannelCheck(channel, recipient, str(error)))
            else:
                checks.append(ChannelCheck(channel, recipient))
            log_event("alerts.sample", channel=channel, ok=checks[-1].ok)
    finally:
        channels.close()
    return checks
