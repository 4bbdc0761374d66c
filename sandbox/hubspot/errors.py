"""HubSpot's error bodies, built in one place so every route fails in the same vendor shape.

A connector's error handling is only as good as the errors it was tested against, so the bodies
below copy what HubSpot sends, with the source of each shape beside it. Where HubSpot's exact
wording is not published, the text says what to do and is marked as ours.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

JsonObject = dict[str, object]

# Error body: {"status": "error", "message", "correlationId", "category", "errors"?, "context"?,
# "subCategory"?}; every field but status/message is optional to parsers
# (https://developers.hubspot.com/docs/api-reference/error-handling, "Common error responses";
# https://developers.hubspot.com/docs/faq/api-error-responses).
CATEGORY_VALIDATION = "VALIDATION_ERROR"
CATEGORY_NOT_FOUND = "OBJECT_NOT_FOUND"
CATEGORY_AUTH = "INVALID_AUTHENTICATION"
# HubSpot has no per-record lock error; a conflicting concurrent write is reported as CONFLICT
# (the category HubSpot uses for "Contact already exists": hubspot-api-python#51).
CATEGORY_CONFLICT = "CONFLICT"

# 401 text for a missing or unknown token, category INVALID_AUTHENTICATION
# (https://developers.hubspot.com/docs/faq/api-error-responses).
UNAUTHORIZED_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)

# HubSpot's generic 400 for a search it cannot run (unknown property names, bad operands, paging
# past the result window): https://nango.dev/blog/fix-hubspot-api-400-there-was-a-problem-with-the-request
GENERIC_BAD_REQUEST = "There was a problem with the request."


def correlation_id() -> str:
    """HubSpot tags every response with a UUID (body `correlationId`, header
    `X-HubSpot-Correlation-Id`, seen in hubspot-api-python#143)."""
    return str(uuid.uuid4())


@dataclass
class HubSpotError(Exception):
    """An error response ready to send: status, JSON body and extra headers."""

    status: int
    body: JsonObject
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.body.get('message')}"


def error_body(
    message: str,
    category: str | None,
    *,
    context: Mapping[str, Sequence[str]] | None = None,
    errors: Sequence[JsonObject] | None = None,
    sub_category: str | None = None,
) -> JsonObject:
    body: JsonObject = {"status": "error", "message": message, "correlationId": correlation_id()}
    if category is not None:
        body["category"] = category
    if errors is not None:
        body["errors"] = list(errors)
    if context is not None:
        body["context"] = {key: list(values) for key, values in context.items()}
    if sub_category is not None:
        body["subCategory"] = sub_category
    return body


def unauthorized() -> HubSpotError:
    return HubSpotError(401, error_body(UNAUTHORIZED_MESSAGE, CATEGORY_AUTH))


def bad_request(message: str, *, category: str | None = CATEGORY_VALIDATION) -> HubSpotError:
    return HubSpotError(400, error_body(message, category))


def generic_bad_request() -> HubSpotError:
    """The unexplained 400 HubSpot gives for a search it refuses (see GENERIC_BAD_REQUEST)."""
    return HubSpotError(400, error_body(GENERIC_BAD_REQUEST, None))


def not_found(object_id: str) -> HubSpotError:
    # 404 with category OBJECT_NOT_FOUND and the id in `context.id`, as HubSpot 404 bodies quoted
    # in public client tests read ({"category":"OBJECT_NOT_FOUND","context":{"id":[...]},...});
    # the message text is ours.
    return HubSpotError(
        404, error_body("Object not found.", CATEGORY_NOT_FOUND, context={"id": [object_id]})
    )


@dataclass(frozen=True)
class PropertyProblem:
    """One entry of HubSpot's "Property values were not valid: [...]" list."""

    name: str
    error: str
    """HubSpot's code, e.g. PROPERTY_DOESNT_EXIST, INVALID_OWNER_ID, READ_ONLY_VALUE."""
    message: str

    def as_json(self) -> JsonObject:
        return {
            "isValid": False,
            "message": self.message,
            "error": self.error,
            "name": self.name,
            "localizedErrorMessage": self.message,
        }


def property_values_message(problems: Sequence[PropertyProblem]) -> str:
    # "Property values were not valid: [{...}]" with the JSON list inline (a real 207 error in
    # https://github.com/HubSpot/hubspot-api-ruby/issues/403; the same text is widely quoted for
    # 400s).
    detail = json.dumps([p.as_json() for p in problems], separators=(",", ":"))
    return f"Property values were not valid: {detail}"


def property_values_invalid(problems: Sequence[PropertyProblem]) -> HubSpotError:
    return bad_request(property_values_message(problems))


def batch_error(category: str, message: str, ids: Sequence[str]) -> JsonObject:
    """One entry of a 207 `errors` list: {status, category, message, context: {ids}}.

    Shape: StandardError in the batch-update reference
    (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/batch/update-companies)
    and real bodies (hubspot-api-ruby#403). `errors` and `links` are required by the published
    schema, so they are sent empty.
    """
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": {"ids": list(ids)},
        "errors": [],
        "links": {},
    }


# 429 bodies: {"status","message","errorType":"RATE_LIMIT","correlationId","policyName","groupName"}
# (hubspot-api-python#117 for TEN_SECONDLY_ROLLING; the daily form, message "You have reached your
# daily limit." with policyName DAILY, is the example in HubSpot's API usage guidelines quoted at
# https://community.hubspot.com/t5/APIs-Integrations/Hubspot-User-experience/m-p/511719; the
# `requestId` field in that old example was removed in January 2020:
# https://developers.hubspot.com/changelog/upcoming-changes-to-error-responses).
RATE_LIMIT_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def rate_limited(
    policy: str, group_name: str, retry_after_s: int, headers: Mapping[str, str]
) -> HubSpotError:
    body: JsonObject = {
        "status": "error",
        "message": RATE_LIMIT_MESSAGES[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "groupName": group_name,
    }
    # Retry-After in seconds on 429s, which clients are asked to honour
    # (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines); HubSpot
    # does not promise it on every 429, so clients fall back to the window's length.
    return HubSpotError(429, body, {**headers, "Retry-After": str(max(1, retry_after_s))})


# 502/504 come from HubSpot's edge when processing limits are hit; 503 when HubSpot is
# temporarily unavailable (https://developers.hubspot.com/docs/api/error-handling). The edge
# answers with an HTML page, not JSON (public client tests quote "HubSpot API 502: <html>bad
# gateway</html>"), so a client must not assume a JSON body on 5xx.
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def service_unavailable_body() -> JsonObject:
    return error_body("Service temporarily unavailable; pause for a few seconds, then retry.", None)
