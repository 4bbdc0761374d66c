"""The one retry policy every CRM call goes through (tenacity).

Transient errors are retried with exponential backoff and jitter, waiting at least as long as the
CRM's `Retry-After` says; an authentication failure re-authenticates once and retries; permanent
errors and a spent daily allocation end the call at once with the product's own error types.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from connectors.errors import CrmCallError, ErrorAction
from territory_sync.errors import (
    ApiBudgetExhaustedError,
    CrmAuthenticationError,
    CrmRequestError,
    CrmUnavailableError,
)
from territory_sync.logs import log_event

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 30.0
    jitter: float = 0.5


def policy_from_settings(max_attempts: int, initial_wait: float) -> RetryPolicy:
    """The policy the `[sync]` settings describe (`max_attempts`, `retry_initial_seconds`)."""
    return RetryPolicy(max_attempts=max_attempts, initial_wait=initial_wait)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, CrmCallError) and error.action == ErrorAction.RETRY


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        backoff = min(policy.max_wait, policy.initial_wait * 2 ** (state.attempt_number - 1))
        backoff += random.uniform(0, policy.jitter * backoff)
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, CrmCallError) and error.retry_after is not None:
            return float(max(backoff, error.retry_after))
        return float(backoff)

    return wait


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


def call_with_retry(
    operation: Callable[[], T],
    *,
    policy: RetryPolicy,
    what: str,
    reauthenticate: Callable[[], None] | None = None,
) -> T:
    """Run `operation`, retrying transient failures; raise a product error when it cannot."""
    reauthenticated = False
    while True:
        retrying = Retrying(
            stop=stop_after_attempt(policy.max_attempts),
            wait=_wait(policy),
            retry=retry_if_exception(_is_retryable),
            reraise=True,
            before_sleep=lambda state: log_event(
                "crm.retry",
                what=what,
                attempt=state.attempt_number,
                error=str(state.outcome.exception()) if state.outcome else None,
            ),
        )
        try:
            return retrying(operation)
        except CrmCallError as error:
            if (
                error.action == ErrorAction.REAUTHENTICATE
                and reauthenticate
                and not reauthenticated
            ):
                reauthenticated = True
                log_event("crm.reauthenticate", what=what, crm=error.crm)
                reauthenticate()
                continue
            attempts = retrying.statistics.get("attempt_number", 1)
            raise final_error(error, int(attempts)) from error
