"""Answers lost on the wire after the work was done: a dropped connection and a held-back answer.

Both emulators use these for the `applied_drop` and `applied_timeout` faults, so a client sees
what it sees when a write lands and its answer never arrives: a broken connection (requests:
`ConnectionError` / `ChunkedEncodingError`; urllib3: `ProtocolError`) or a read time-out.

A drop sends the status line and headers, with the Content-Length of the full answer, and then
returns without the body. uvicorn's h11 server closes the transport when an application returns
without completing its response, and logs "ASGI callable returned without completing response."
at error level; that line is filtered out for these deliberate drops only, so test output stays
clean while a real incomplete response is still reported.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

_UVICORN_INCOMPLETE = "ASGI callable returned without completing response"
_dropping: ContextVar[bool] = ContextVar("sandbox_dropping_answer", default=False)


class _DeliberateDropFilter(logging.Filter):
    """Hides uvicorn's incomplete-response error for a drop the sandbox made on purpose. uvicorn
    logs it in the same task that ran the application, so the context variable set by the drop
    is still visible there (each connection cycle runs in its own task and context)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_dropping.get() and record.getMessage().startswith(_UVICORN_INCOMPLETE))


_FILTER = _DeliberateDropFilter()


def install_drop_log_filter() -> None:
    """Attach the filter to uvicorn's error logger (once; calling again changes nothing)."""
    logger = logging.getLogger("uvicorn.error")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


class DroppedAnswer(Response):
    """Sends `answer`'s status line and headers, never its body, then lets the server close the
    connection."""

    def __init__(self, answer: Response) -> None:
        super().__init__(status_code=answer.status_code)
        self.raw_headers = list(answer.raw_headers)  # the full answer's Content-Length included

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        install_drop_log_filter()
        _dropping.set(True)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )


async def hold_back(seconds: float) -> None:
    """Delay an answer that is ready (the `applied_timeout` stall)."""
    if seconds > 0:
        await asyncio.sleep(seconds)
