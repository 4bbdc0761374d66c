"""Turns whatever a Salesforce call raised or answered into one classified `CrmCallError`.

simple-salesforce raises its own exceptions (one per HTTP status, with the parsed error list in
`.content`); requests raises connection errors and timeouts; our own Bulk API calls see raw
responses. Nothing above the connector may see any of those, so every call site funnels them
through here, and `connectors.errors` decides what each one means (retry, re-authenticate, stop).
"""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceError

from connectors.errors import CONNECTION_ERROR, CrmCallError, ErrorAction, call_error, classify
from connectors.salesforce_settings import SOURCE

_ACTION_HINTS: dict[ErrorAction, str] = {
    ErrorAction.STOP_FOR_TODAY: (
        "the org's daily API allocation is used up; the next run after it resets continues "
        "where this one stopped"
    ),
}
_HINTS: dict[str, str] = {
    "INVALID_FIELD": (
        "check the field names in [salesforce] account_fields against the Account object "
        "(custom fields end in __c) and the integration user's field-level security"
    ),
    "INVALID_SESSION_ID": "the session expired or was revoked",
    "INVALID_QUERY_LOCATOR": "the query cursor expired; run the pull again",
}


def first_error(content: Any) -> tuple[str | None, str | None]:
    """The `errorCode` and `message` of Salesforce's error list `[{"errorCode", "message"}]`."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        entry = content[0]
        code = entry.get("errorCode") or entry.get("statusCode")
        message = entry.get("message")
        return (str(code) if code else None, str(message) if message else None)
    if isinstance(content, dict):
        code = content.get("errorCode") or content.get("error")
        message = content.get("message") or content.get("error_description")
        return (str(code) if code else None, str(message) if message else None)
    return None, None


def describe(
    what: str,
    status: int | None,
    code: str | None,
    message: str | None,
    action: ErrorAction | None = None,
) -> str:
    parts = [str(status)] if status is not None else []
    if code:
        parts.append(code)
    text = f"{what} failed ({' '.join(parts) or 'no answer'})"
    if message:
        text += f": {message.strip()}"
    hint = _ACTION_HINTS.get(action) if action else None
    hint = hint or _HINTS.get(code or "")
    if hint:
        text += f" ({hint})"
    return text


def classified(
    what: str, status: int | None, code: str | None, message: str | None
) -> CrmCallError:
    """Classified by Salesforce's own message (e.g. "TotalRequests Limit exceeded."), described
    for a person with what to do."""
    action = classify(SOURCE, status, code, message)
    return CrmCallError(
        describe(what, status, code, message, action),
        crm=SOURCE,
        status=status,
        code=code,
        action=action,
    )


def from_vendor(error: Exception, what: str) -> CrmCallError:
    """A simple-salesforce or requests exception as a classified error."""
    if isinstance(error, CrmCallError):
        return error
    if isinstance(error, SalesforceError):
        code, message = first_error(error.content)
        return classified(what, error.status, code, message)
    if isinstance(error, requests.exceptions.JSONDecodeError):
        # A body cut short in transit: the call may be repeated.
        return call_error(
            SOURCE, None, CONNECTION_ERROR, f"{what} failed: the answer was not complete JSON"
        )
    if isinstance(error, requests.RequestException):
        return call_error(
            SOURCE,
            None,
            CONNECTION_ERROR,
            f"{what} failed: no answer from Salesforce ({type(error).__name__}); check "
            "SALESFORCE_INSTANCE_URL and the network",
        )
    raise error


def from_response(response: requests.Response, what: str) -> CrmCallError:
    """A raw error response (status >= 300) of a call made through the session."""
    try:
        content: Any = response.json()
    except ValueError:
        content = None
    code, message = first_error(content)
    if message is None and content is None:
        message = response.text[:200] or None
    return classified(what, response.status_code, code, message)


def json_body(response: requests.Response, what: str) -> Any:
    """The parsed JSON of a successful answer; a truncated body is a retryable error."""
    try:
        return response.json()
    except ValueError as error:
        raise call_error(
            SOURCE, None, CONNECTION_ERROR, f"{what} failed: the answer was not complete JSON"
        ) from error
