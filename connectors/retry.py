"""The one retry policy every CRM call goes through (tenacity), and the one backoff it waits by.

Transient errors are retried with exponential backoff and jitter, waiting at least as long as the
CRM's `Retry-After` says; an authentication failure re-authenticates once and retries; permanent
errors and a spent daily allocation end the call at once with the product's own error types.

Reads are idempotent and retried on every transient error. A write (`idempotent=False`) is
retried only on errors known to have been refused before anything changed (throttling, the
concurrency limit, a request that never left, a 401 before re-authenticating): an error after
which the write *may have been applied* (5xx, 408, an answer lost) raises `AmbiguousWriteError` at
once, and the owner write rounds (`connectors.owner_writes`) read the record back to decide
instead of sending the write again. Those rounds wait between them by the same backoff
(`backoff_seconds`), so there is one formula for every wait.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.wait import wait_base

from connectors.errors import AmbiguousWriteError, CrmCallError, ErrorAction
from territory_sync.errors import (
    ApiBudgetExhaustedError,
    CrmAuthenticationError,
    CrmRequestError,
    CrmUnavailableError,
)
from territory_sync.logs import log_event
from territory_sync.settings import SyncSettings

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 30.0
    jitter: float = 0.5
    """Up to this share of each wait is added at random, so that parallel callers spread out."""
    lost_answer_wait: float = 0.0
    """The least wait before reading back a write whose answer was lost: the CRM may still be
    applying it (`[sync] lost_answer_wait_seconds`)."""


def policy_from_settings(sync: SyncSettings) -> RetryPolicy:
    """The policy the `[sync]` settings describe (`max_attempts`, `retry_initial_seconds`,
    `lost_answer_wait_seconds`)."""
    return RetryPolicy(
        max_attempts=sync.max_attempts,
        initial_wait=sync.retry_initial_seconds,
        lost_answer_wait=sync.lost_answer_wait_seconds,
    )


class _JitteredWait(wait_base):
    """Another wait strategy's wait, plus up to `share` of it at random."""

    def __init__(self, wait: wait_base, share: float) -> None:
        self.wait = wait
        self.share = share

    def __call__(self, retry_state: RetryCallState) -> float:
        base = float(self.wait(retry_state))
        return base + random.uniform(0, self.share * base) if self.share > 0 else base


class _AtLeastRetryAfter(wait_base):
    """Another wait strategy's wait, but never shorter than the failed call's `Retry-After`."""

    def __init__(self, wait: wait_base) -> None:
        self.wait = wait

    def __call__(self, retry_state: RetryCallState) -> float:
        wait = float(self.wait(retry_state))
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        if isinstance(error, CrmCallError) and error.retry_after is not None:
            return max(wait, float(error.retry_after))
        return wait


def backoff(policy: RetryPolicy) -> wait_base:
    """Exponential (`initial_wait`, doubling, at most `max_wait`), with proportional jitter, and
    at least the `Retry-After` of the error that caused the wait."""
    exponential = wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait)
    return _AtLeastRetryAfter(_JitteredWait(exponential, policy.jitter))


def backoff_seconds(policy: RetryPolicy, attempt: int) -> float:
    """The wait after attempt number `attempt` (1 for the first) of something that is not one
    call: the write rounds space their reads by it, exactly as calls are spaced."""
    state = RetryCallState(Retrying(), None, (), {})
    state.attempt_number = attempt
    return float(backoff(policy)(state))


def final_error(error: CrmCallError, attempts: int) -> Exception:
    """The product error a caller sees once a call cannot succeed."""
    kinds = {
        ErrorAction.STOP_FOR_TODAY: ApiBudgetExhaustedError,
        ErrorAction.REAUTHENTICATE: CrmAuthenticationError,
        ErrorAction.RETRY: CrmUnavailableError,
        ErrorAction.PERMANENT: CrmRequestError,
    }
    suffix = f" (after {attempts} attempts)" if error.action == ErrorAction.RETRY else ""
    text = str(error).removeprefix(f"{error.crm}: ") + suffix
    return kinds[error.action](text, crm=error.crm, status=error.status, code=error.code)


def _retry_predicate(idempotent: bool) -> Callable[[BaseException], bool]:
    def retryable(error: BaseException) -> bool:
        if not isinstance(error, CrmCallError) or error.action != ErrorAction.RETRY:
            return False
        return idempotent or not error.may_have_been_applied

    return retryable


def _log_retry(state: RetryCallState, what: str, attempts: int) -> None:
    """The `crm.retry` event before each wait; its `message` says what failed, how long the wait
    is and which attempt comes next ("salesforce: ... could not reach Salesforce at https://...;
    retrying in 2.3 s (attempt 4 of 6)"). A failure without any answer (refused, DNS, time-out,
    connection lost) is a warning, so that the default log level shows a CRM that does not
    answer while the retries last; a throttled or failed answer stays at info."""
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    no_answer = isinstance(error, CrmCallError) and error.status is None
    log_event(
        "crm.retry",
        level=logging.WARNING if no_answer else logging.INFO,
        what=what,
        attempt=state.attempt_number,
        attempts=attempts,
        wait_seconds=round(wait, 3),
        error=str(error) if error is not None else None,
        message=f"{error}; retrying in {wait:.1f} s "
        f"(attempt {state.attempt_number + 1} of {attempts})",
    )


MOST_REAUTHENTICATIONS = 3
"""Sign-ins one call may make after its session is refused (each for a session not refused
before); a session refused again, or a fourth, ends the call with the error."""


def call_with_retry(
    operation: Callable[[], T],
    *,
    policy: RetryPolicy,
    what: str,
    reauthenticate: Callable[[], bool | None] | None = None,
    idempotent: bool = True,
) -> T:
    """Run `operation`, retrying transient failures; raise a product error when it cannot.

    On a refused session, `reauthenticate` signs in again and the call is sent again: once, or,
    while it answers True (the refused session was one not refused before, say a fresh one that
    expired while other threads used it), up to `MOST_REAUTHENTICATIONS` times.

    With `idempotent=False` (a write), an error after which the write may have been applied is
    not retried: it raises `AmbiguousWriteError` for the caller to resolve by reading."""
    reauthentications = 0
    while True:
        retrying = Retrying(
            stop=stop_after_attempt(policy.max_attempts),
            wait=backoff(policy),
            retry=retry_if_exception(_retry_predicate(idempotent)),
            reraise=True,
            before_sleep=lambda state: _log_retry(state, what, policy.max_attempts),
        )
        try:
            return retrying(operation)
        except CrmCallError as error:
            if not idempotent and error.may_have_been_applied:
                log_event("crm.write_unconfirmed", what=what, error=str(error))
                raise AmbiguousWriteError.from_error(error) from error
            if (
                error.action == ErrorAction.REAUTHENTICATE
                and reauthenticate
                and reauthentications < MOST_REAUTHENTICATIONS
            ):
                log_event("crm.reauthenticate", what=what, crm=error.crm)
                again = reauthenticate()
                if again is not False and (again or not reauthentications):
                    reauthentications += 1
                    continue
            attempts = retrying.statistics.get("attempt_number", 1)
            raise final_error(error, int(attempts)) from error
