"""Salesforce's error bodies, as the REST API and the OAuth token endpoint send them.

REST errors are a JSON *list* of `{"message", "errorCode"}` objects (with `fields` where relevant):
simple-salesforce reads `[0]` of it, so anything else breaks its session refresh.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

from dataclasses import dataclass


class SalesforceApiError(Exception):
    """A REST call refused as a whole; the app turns it into `[{"message", "errorCode"}]`."""

    def __init__(
        self, status: int, error_code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, object]]:
        error: dict[str, object] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            error["fields"] = self.fields
        return [error]


@dataclass(frozen=True)
class RecordError:
    """One entry of a SaveResult's `errors` list (sObject Collections)."""

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "statusCode": self.status_code,
            "message": self.message,
            "fields": list(self.fields),
        }


class OAuthError(Exception):
    """A token request refused: `{"error", "error_description"}` with HTTP 400."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def not_found() -> SalesforceApiError:
    return SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")


def session_invalid() -> SalesforceApiError:
    return SalesforceApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def daily_limit_exceeded() -> SalesforceApiError:
    return SalesforceApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def concurrent_limit_exceeded() -> SalesforceApiError:
    return SalesforceApiError(
        403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."
    )


def server_unavailable() -> SalesforceApiError:
    return SalesforceApiError(
        503,
        "SERVER_UNAVAILABLE",
        "Server temporarily unavailable: the request was not processed; retry it later.",
    )


def method_not_allowed(method: str, allowed: list[str]) -> SalesforceApiError:
    return SalesforceApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are {','.join(sorted(allowed))}",
    )


def json_parser_error(detail: str) -> SalesforceApiError:
    return SalesforceApiError(400, "JSON_PARSER_ERROR", detail)


def soql_error_message(query: str, row: int, column: int, detail: str) -> str:
    """Salesforce's SOQL error text: the offending line, a caret under the column, then the reason.

    e.g. "\\nSELECT Id, Foo__c FROM Account\\n           ^\\nERROR at Row:1:Column:12\\nNo such
    column 'Foo__c' on entity 'Account'. ..." (Salesforce windows very long lines; the emulator
    shows the whole line.)
    """
    lines = query.split("\n")
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    caret = " " * max(column - 1, 0) + "^"
    return f"\n{line}\n{caret}\nERROR at Row:{row}:Column:{column}\n{detail}"
