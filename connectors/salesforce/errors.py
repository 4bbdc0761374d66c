"""Turns whatever a Salesforce call raised or answered into one classified `CrmCallError`.

simple-salesforce raises its own exceptions (one per HTTP status, with the parsed error list in
`.content`); requests raises connection errors and timeouts; our own Bulk API calls see raw
responses. Nothing above the connector may see any of those, so every call site funnels them
through here, and `connectors.errors` decides what each one means (retry, re-authenticate, stop).

A failure without an answer is told apart by when it happened (`no_answer`): before the request
left (`ConnectTimeout`, or a `ConnectionError` around urllib3's `NewConnectionError`:
`CONNECTION_ERROR`, safe to repeat) or after (`ReadTimeout`, `ChunkedEncodingError`, a
`ConnectionError` around `ProtocolError` / `RemoteDisconnected`, a body that is not JSON:
`ANSWER_LOST`, after which a write may have been applied). A failure we cannot place counts as
lost: for a read the two mean the same, and for a write "lost" only costs a read-back.
"""

from __future__ import annotations

from typing import Any

import requests
import urllib3
from simple_salesforce.exceptions import SalesforceError

from connectors.errors import (
    ANSWER_LOST,
    CONNECTION_ERROR,
    CrmCallError,
    ErrorAction,
    call_error,
    classify,
    may_have_been_applied,
)
from connectors.salesforce.settings import SOURCE

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
        applied=may_have_been_applied(SOURCE, status, code, message),
    )


_NOT_SENT_CAUSES = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)


def _cause_of(error: requests.ConnectionError) -> BaseException | None:
    """What urllib3 raised inside a requests `ConnectionError` (unwrapping `MaxRetryError`)."""
    cause = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        return cause.reason
    return cause


def request_never_left(error: requests.RequestException) -> bool | None:
    """True when the request was never sent, False when it was sent and its answer lost, None for
    failures that are neither (a malformed URL, say: nothing to do with the network)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(
        error,
        requests.exceptions.JSONDecodeError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError,
    ):
        return False
    if isinstance(error, requests.ConnectionError):
        # Not sent: NewConnectionError (DNS failures included) inside MaxRetryError. Anything
        # else (ProtocolError around RemoteDisconnected or a reset, or unknown) is lost.
        return isinstance(_cause_of(error), _NOT_SENT_CAUSES)
    return None


def no_answer(error: requests.RequestException, what: str, url: str | None = None) -> CrmCallError:
    """A requests failure without an HTTP answer, classified by when it happened; the message
    names `url` (the instance URL the call went to) when given."""
    name = type(error).__name__
    never_left = request_never_left(error)
    at = f" at {url}" if url else ""
    if isinstance(error, requests.exceptions.JSONDecodeError):
        # A body cut short in transit, or not JSON at all.
        return call_error(
            SOURCE, None, ANSWER_LOST, f"{what} failed: the answer was not complete JSON"
        )
    if never_left is False:
        return call_error(
            SOURCE,
            None,
            ANSWER_LOST,
            f"{what} failed: the request was sent to Salesforce{at} but its answer was lost "
            f"({name}: {_first_line(error)}); a read is repeated, a write is checked by reading "
            "it back",
        )
    return call_error(
        SOURCE,
        None,
        CONNECTION_ERROR,
        f"{what} failed: could not reach Salesforce{at} ({name}); check "
        "SALESFORCE_INSTANCE_URL and the network",
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no details"


def from_vendor(error: Exception, what: str, url: str | None = None) -> CrmCallError:
    """A simple-salesforce or requests exception as a classified error; a failure without an
    answer names `url`, the instance URL the call went to."""
    if isinstance(error, CrmCallError):
        return error
    if isinstance(error, SalesforceError):
        code, message = first_error(error.content)
        return classified(what, error.status, code, message)
    if isinstance(error, requests.RequestException):
        return no_answer(error, what, url)
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
    """The parsed JSON of a successful answer; a truncated body is an answer lost."""
    try:
        return response.json()
    except ValueError as error:
        raise call_error(
            SOURCE, None, ANSWER_LOST, f"{what} failed: the answer was not complete JSON"
        ) from error
