"""Dropped answers on the wire: the client sees a broken connection, the log stays clean."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from sandbox.lost_answers import DroppedAnswer
from sandbox.server import ServedApp, serve_in_thread


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def _dropped(request: Request) -> Response:
    return DroppedAnswer(Response(b'{"ok":true}' * 10, media_type="application/json"))


class _Broken:
    """An app with a real bug: it starts a response and never finishes it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", b"5")],
        }
        await send(start)


@pytest.fixture
def served() -> Iterator[ServedApp]:
    app = Starlette(routes=[Route("/dropped", _dropped), Route("/broken", _Broken())])
    server = serve_in_thread(app)
    yield server
    server.stop()


@pytest.fixture
def uvicorn_log() -> Iterator[_Collect]:
    handler = _Collect()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_a_dropped_answer_arrives_as_headers_without_a_body(served: ServedApp) -> None:
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        requests.get(f"{served.url}/dropped", timeout=5)


def test_a_deliberate_drop_leaves_the_server_log_clean(
    served: ServedApp, uvicorn_log: _Collect
) -> None:
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{served.url}/dropped", timeout=5)
    served.stop()  # every connection is finished once the server has stopped

    assert uvicorn_log.messages == []


def test_an_app_that_really_leaves_a_response_unfinished_is_still_logged(
    served: ServedApp, uvicorn_log: _Collect
) -> None:
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{served.url}/broken", timeout=5)
    served.stop()

    assert uvicorn_log.messages == ["ASGI callable returned without completing response."]
