"""How much one request may send: a bound on every request body, larger for the what-if upload.

A body declared larger than its bound (`Content-Length`) is refused before a byte of it is read; a
body that is not declared (chunked) is counted as it arrives and refused once it passes the bound.
Either way the answer is a 413 in the console's error shape, saying the bound, so nothing spools a
large upload to disk first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TooLarge = Callable[[Request, str], Response]
"""Builds the 413 answer for a request refused up front, given the sentence saying so."""


@dataclass(frozen=True)
class BodyLimit:
    bytes: int
    message: str = ""
    """What the refusal says; by default, the bound in KiB."""

    @property
    def refusal(self) -> str:
        return self.message or (
            f"the request is larger than the console accepts here ({self.bytes // 1024} KiB "
            "at most)"
        )


class RequestTooLargeError(HTTPException):
    """The body passed its bound while it was read."""

    def __init__(self, limit: BodyLimit) -> None:
        super().__init__(status_code=413, detail=limit.refusal)


class BodyLimitMiddleware:
    """Refuses a body over `default`, or over `by_path[path]` for the paths listed there."""

    def __init__(
        self,
        app: ASGIApp,
        default: BodyLimit,
        by_path: Mapping[str, BodyLimit],
        too_large: TooLarge,
    ) -> None:
        self.app = app
        self.default = default
        self.by_path = dict(by_path)
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.by_path.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit.bytes:
            response = self.too_large(Request(scope), limit.refusal)
            await response(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.bytes:
                    raise RequestTooLargeError(limit)
            return message

        await self.app(scope, receive_within_limit, send)
