"""One JSON error shape for every refusal: `{"error": {"code": ..., "message": ...}}`.

401, 403, 404, 409, 413, 422 and 500 all answer this way, from the API and from the pages' form
posts, so a client needs one parser; messages say what to do next. A browser finding a refusal
outside the API (it asks for `text/html`) gets the same message as a page instead (`ErrorAnswers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from territory_sync.errors import (
    ConfigurationError,
    RunLockedError,
    TerritoryFileError,
)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    500: "internal_error",
}
NOT_PAGES = ("/api/", "/healthz", "/metrics", "/openapi.json", "/static/", "/webhooks/")
"""Paths whose refusals are always JSON: the API and what machines read."""


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.extra = extra


def error_response(
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, **extra}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the error answers a route gives."""
    return {
        status: {
            "description": _CODES.get(status, "error").replace("_", " "),
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
        for status in statuses
    }


_PLAIN_VALIDATION = {
    "string_too_long": "{where} is longer than {max_length} characters; shorten it",
    "string_too_short": "{where} needs at least {min_length} character(s)",
    "int_parsing": "{where} must be a whole number",
    "int_from_float": "{where} must be a whole number",
    "greater_than_equal": "{where} must be {ge} or more",
    "greater_than": "{where} must be more than {gt}",
    "less_than_equal": "{where} must be {le} or less",
    "less_than": "{where} must be less than {lt}",
    "literal_error": "{where} must be one of {expected}",
    "enum": "{where} must be one of {expected}",
    "missing": "{where} is missing; fill it in",
}
"""Validation failures in words, by pydantic's error type; others keep pydantic's message."""


def _describe_one(item: Mapping[str, Any]) -> str:
    where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path"))
    where = where or "the request"
    template = _PLAIN_VALIDATION.get(str(item.get("type")))
    if template is not None:
        try:
            return template.format(where=where, **(item.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            pass
    return f"{where}: {item.get('msg', 'invalid')}"


def _describe_validation(error: RequestValidationError) -> str:
    parts = [_describe_one(item) for item in error.errors()[:5]]
    return "; ".join(parts) or "the request is not valid"


def _describe_http(request: Request, status: int, detail: str) -> str:
    """Starlette's bare "Not Found" and "Method Not Allowed", said with the address."""
    if status == 404 and detail == "Not Found":
        return f"there is nothing at {request.url.path[:200]}; check the address"
    if status == 405 and detail == "Method Not Allowed":
        return f"{request.url.path[:200]} does not take a {request.method} request"
    return detail


PageRenderer = Callable[[Request, int, str, Mapping[str, Any]], Response]
"""Renders a refusal as a page: the request, the status, the message and the error's extra
fields (such as the busy job's id)."""


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not the API) that accepts HTML."""
    if request.url.path.startswith(NOT_PAGES):
        return False
    return "text/html" in request.headers.get("accept", "")


@dataclass(frozen=True)
class ErrorAnswers:
    """Answers a refusal in the JSON shape, or as a page to a browser on a page's path."""

    page: PageRenderer | None = None

    def answer(
        self,
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> Response:
        if self.page is not None and wants_page(request):
            response = self.page(request, status, message, extra)
            response.headers.update(headers or {})
            return response
        return error_response(status, code, message, headers, **extra)


def install_error_handlers(app: FastAPI, answers: ErrorAnswers | None = None) -> None:
    answers = answers or ErrorAnswers()
    answer = answers.answer

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return answer(request, exc.status, exc.code, exc.message, headers, **exc.extra)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return answer(request, 422, "invalid_request", _describe_validation(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _CODES.get(exc.status_code, "error")
        message = _describe_http(request, exc.status_code, str(exc.detail))
        return answer(request, exc.status_code, code, message, exc.headers)

    async def configuration_error(request: Request, exc: Exception) -> Response:
        return answer(request, 422, "invalid_request", str(exc))

    async def locked_error(request: Request, exc: Exception) -> Response:
        return answer(request, 409, "run_in_progress", f"{exc}; wait for it to finish")

    async def internal_error(request: Request, _exc: Exception) -> Response:
        # The server logs the exception itself; the answer says nothing of its insides.
        return answer(
            request,
            500,
            "internal_error",
            "the console could not answer this request because of an unexpected error, "
            "which is logged on the server; try again, and report it if it happens again",
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ConfigurationError, configuration_error)
    app.add_exception_handler(TerritoryFileError, configuration_error)
    app.add_exception_handler(RunLockedError, locked_error)
    app.add_exception_handler(Exception, internal_error)
