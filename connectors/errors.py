"""One table that decides what to do about every CRM error, used by both connectors.

Each row matches a CRM (or any), an HTTP status (or any, or a range) and a vendor error code (or
any) and says two things: what to do (retry when transient, permanent when retrying cannot help,
re-authenticate once and retry, or stop for today when the daily allocation is spent), and
whether a write that met this error *may have been applied* (a 5xx or 408, or an answer lost after
the request was sent). A write that may have been applied is never sent again blindly: the owner
write rounds (`connectors.owner_writes`) read the record back to decide. The first matching row
wins; `classify` and `may_have_been_applied` are tested row by row.

A failure with no HTTP answer at all is one of two codes: `CONNECTION_ERROR` (the request never
left: connection refused, DNS failure, connect time-out; safe to repeat any call) or
`ANSWER_LOST` (sent, then the connection was reset or closed, the read timed out, or the body was
cut short or not JSON; the CRM may have acted on it).

Sources: Salesforce REST API status codes and error responses
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
"""No answer because the request never left: connection refused, DNS failure, connect time-out."""
ANSWER_LOST = "ANSWER_LOST"
"""The request was sent and its answer lost: reset or closed connection, read time-out, a body
cut short or not JSON. A write may have been applied."""
SERVER_ERRORS = range(500, 600)


@dataclass(frozen=True)
class ErrorRule:
    crm: str | None
    status: int | range | None
    code: str | None
    action: ErrorAction
    why: str
    message_contains: str | None = None
    may_have_been_applied: bool = False
    """A write that met this error may have changed the CRM (its answer says nothing reliable)."""

    def matches(self, crm: str, status: int | None, code: str | None, message: str | None) -> bool:
        if self.crm not in (ANY, crm) or self.code not in (ANY, code):
            return False
        if isinstance(self.status, range):
            if status not in self.status:
                return False
        elif self.status not in (ANY, status):
            return False
        return not self.message_contains or self.message_contains in (message or "")


ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule(ANY, ANY, CONNECTION_ERROR, ErrorAction.RETRY, "not sent: refused, DNS, connect"),
    ErrorRule(
        ANY,
        ANY,
        ANSWER_LOST,
        ErrorAction.RETRY,
        "sent, answer lost: reset, read time-out, body cut short",
        may_have_been_applied=True,
    ),
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
    ErrorRule(
        "salesforce",
        ANY,
        "SERVER_UNAVAILABLE",
        ErrorAction.RETRY,
        "server unavailable",
        may_have_been_applied=True,
    ),
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
    ErrorRule(ANY, 408, ANY, ErrorAction.RETRY, "request timeout", may_have_been_applied=True),
    ErrorRule(ANY, 500, ANY, ErrorAction.RETRY, "server error", may_have_been_applied=True),
    ErrorRule(ANY, 502, ANY, ErrorAction.RETRY, "bad gateway", may_have_been_applied=True),
    ErrorRule(ANY, 503, ANY, ErrorAction.RETRY, "service unavailable", may_have_been_applied=True),
    ErrorRule(ANY, 504, ANY, ErrorAction.RETRY, "gateway timeout", may_have_been_applied=True),
    ErrorRule(
        ANY,
        SERVER_ERRORS,
        ANY,
        ErrorAction.PERMANENT,
        "other server error: retrying is unlikely to help",
        may_have_been_applied=True,
    ),
)


def matching_rule(
    crm: str, status: int | None, code: str | None, message: str | None = None
) -> ErrorRule | None:
    """The first row of the table that describes this error, if any."""
    return next((r for r in ERROR_RULES if r.matches(crm, status, code, message)), None)


def classify(
    crm: str, status: int | None, code: str | None, message: str | None = None
) -> ErrorAction:
    """What to do about an error; anything the table does not name is permanent."""
    rule = matching_rule(crm, status, code, message)
    return rule.action if rule else ErrorAction.PERMANENT


def may_have_been_applied(
    crm: str, status: int | None, code: str | None, message: str | None = None
) -> bool:
    """Whether a write that met this error may have changed the CRM; anything the table does not
    name was refused before it was applied."""
    rule = matching_rule(crm, status, code, message)
    return rule.may_have_been_applied if rule else False


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
        applied: bool = False,
    ) -> None:
        super().__init__(message, crm=crm, status=status, code=code)
        self.action = action
        self.retry_after = retry_after
        self.may_have_been_applied = applied
        """A write that failed this way may have changed the CRM (see the module docstring)."""


class AmbiguousWriteError(CrmCallError):
    """A write whose answer says nothing reliable (5xx, 408, or lost after it was sent): it may
    have been applied. Never retried by the transport; the owner write rounds read back instead.
    Connector-internal: nothing above `connectors/` sees it."""

    @classmethod
    def from_error(cls, error: CrmCallError) -> AmbiguousWriteError:
        return cls(
            str(error).removeprefix(f"{error.crm}: "),
            crm=error.crm,
            status=error.status,
            code=error.code,
            action=error.action,
            retry_after=error.retry_after,
            applied=True,
        )


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
        applied=may_have_been_applied(crm, status, code, message),
    )
