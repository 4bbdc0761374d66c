"""One table that decides what to do about every CRM error, used by both connectors.

Each row matches a CRM (or any), an HTTP status (or any) and a vendor error code (or any) and
says: retry (transient), permanent (retrying cannot help), re-authenticate (once, then retry) or
stop for today (the daily allocation is spent). The first matching row wins; `classify` is tested
row by row. Sources: Salesforce REST API status codes and error responses
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm),
Salesforce StatusCode values in the SOAP API reference
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm),
HubSpot error handling and rate limits
(https://developers.hubspot.com/docs/api/error-handling,
https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from territory_sync.errors import CrmError


class ErrorAction(StrEnum):
    RETRY = "retry"
    PERMANENT = "permanent"
    REAUTHENTICATE = "reauthenticate"
    STOP_FOR_TODAY = "stop_for_today"


ANY = None
CONNECTION_ERROR = "CONNECTION_ERROR"
"""Code used for failures with no HTTP answer: refused, reset, timed out."""


@dataclass(frozen=True)
class ErrorRule:
    crm: str | None
    status: int | None
    code: str | None
    action: ErrorAction
    why: str
    message_contains: str | None = None


ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule(ANY, ANY, CONNECTION_ERROR, ErrorAction.RETRY, "no answer: network or timeout"),
    # Salesforce: whole-request errors.
    ErrorRule("salesforce", 401, ANY, ErrorAction.REAUTHENTICATE, "session expired or invalid"),
    ErrorRule(
        "salesforce",
        403,
        "REQUEST_LIMIT_EXCEEDED",
        ErrorAction.STOP_FOR_TODAY,
        "daily API allocation used up",
        message_contains="TotalRequests",
    ),
    ErrorRule(
        "salesforce",
        403,
        "REQUEST_LIMIT_EXCEEDED",
        ErrorAction.RETRY,
        "concurrent long-running request limit: back off",
    ),
    ErrorRule("salesforce", 400, "QUERY_TIMEOUT", ErrorAction.RETRY, "query timed out"),
    ErrorRule("salesforce", ANY, "SERVER_UNAVAILABLE", ErrorAction.RETRY, "server unavailable"),
    # Salesforce: per-record errors of a write.
    ErrorRule("salesforce", ANY, "UNABLE_TO_LOCK_ROW", ErrorAction.RETRY, "record locked"),
    ErrorRule("salesforce", ANY, "INACTIVE_OWNER_OR_USER", ErrorAction.PERMANENT, "owner inactive"),
    ErrorRule(
        "salesforce",
        ANY,
        "INVALID_CROSS_REFERENCE_KEY",
        ErrorAction.PERMANENT,
        "unknown owner or record id",
    ),
    ErrorRule("salesforce", ANY, "ENTITY_IS_DELETED", ErrorAction.PERMANENT, "record deleted"),
    ErrorRule(
        "salesforce",
        ANY,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        ErrorAction.PERMANENT,
        "a validation rule refused the change",
    ),
    # HubSpot.
    ErrorRule(
        "hubspot",
        429,
        "DAILY",
        ErrorAction.STOP_FOR_TODAY,
        "daily API limit used up (resets at midnight in the account's time zone)",
    ),
    ErrorRule("hubspot", 429, ANY, ErrorAction.RETRY, "ten-second or per-second limit: back off"),
    ErrorRule("hubspot", 401, ANY, ErrorAction.REAUTHENTICATE, "token rejected"),
    ErrorRule("hubspot", ANY, "CONFLICT", ErrorAction.RETRY, "record busy: retry"),
    ErrorRule("hubspot", ANY, "VALIDATION_ERROR", ErrorAction.PERMANENT, "invalid value"),
    ErrorRule("hubspot", ANY, "OBJECT_NOT_FOUND", ErrorAction.PERMANENT, "record not found"),
    # Any CRM, by status.
    ErrorRule(ANY, 429, ANY, ErrorAction.RETRY, "throttled"),
    ErrorRule(ANY, 408, ANY, ErrorAction.RETRY, "request timeout"),
    ErrorRule(ANY, 500, ANY, ErrorAction.RETRY, "server error"),
    ErrorRule(ANY, 502, ANY, ErrorAction.RETRY, "bad gateway"),
    ErrorRule(ANY, 503, ANY, ErrorAction.RETRY, "service unavailable"),
    ErrorRule(ANY, 504, ANY, ErrorAction.RETRY, "gateway timeout"),
)


def classify(
    crm: str, status: int | None, code: str | None, message: str | None = None
) -> ErrorAction:
    """What to do about an error; anything the table does not name is permanent."""
    for rule in ERROR_RULES:
        if rule.crm not in (ANY, crm):
            continue
        if rule.status not in (ANY, status):
            continue
        if rule.code not in (ANY, code):
            continue
        if rule.message_contains and rule.message_contains not in (message or ""):
            continue
        return rule.action
    return ErrorAction.PERMANENT


class CrmCallError(CrmError):
    """A failed CRM call, classified; raised inside connectors and handled by the retry policy."""

    def __init__(
        self,
        message: str,
        *,
        crm: str,
        status: int | None,
        code: str | None,
        action: ErrorAction,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, crm=crm, status=status, code=code)
        self.action = action
        self.retry_after = retry_after


def call_error(
    crm: str,
    status: int | None,
    code: str | None,
    message: str,
    retry_after: float | None = None,
) -> CrmCallError:
    return CrmCallError(
        message,
        crm=crm,
        status=status,
        code=code,
        action=classify(crm, status, code, message),
        retry_after=retry_after,
    )
