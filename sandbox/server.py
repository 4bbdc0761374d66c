"""Serve an ASGI app on loopback in a background thread, for tests, the demo and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn

from sandbox.lost_answers import install_drop_log_filter


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # signals belong to the main thread's owner
        return None


@dataclass
class ServedApp:
    """One app being served; `stop()` shuts it down and waits for the thread."""

    host: str
    port: int
    _server: _ThreadServer
    _thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> ServedApp:
    """Start `app` on `host:port` (0: a free port) and return once it accepts connections."""
    if port == 0:
        port = free_port(host)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        # h11 closes the connection when an app returns mid-response (the dropped-answer fault).
        http="h11",
    )
    install_drop_log_filter()
    server = _ThreadServer(config)
    thread = threading.Thread(target=server.run, name=f"sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"sandbox server could not start on {host}:{port}")
        time.sleep(0.01)
    return ServedApp(host, port, server, thread)
