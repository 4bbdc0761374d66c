"""Plain-HTTP transport for a Salesforce instance on loopback (the bundled sandbox).

simple-salesforce always builds `https://host:port/...` URLs from the instance URL, so a plain-HTTP
emulator on 127.0.0.1 would answer every call with an SSL error. When, and only when, the
configured instance URL is `http://` on a loopback address, the connector hands simple-salesforce a
`requests.Session` with this adapter mounted on `https://host:port`; it rewrites the scheme of each
outgoing request back to `http://`. Production instance URLs never get it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response

LOOPBACK_HOSTNAMES = frozenset({"localhost"})


def is_loopback_http(url: str) -> bool:
    """True for `http://` URLs whose host is a loopback address (127.0.0.0/8, ::1, localhost)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname in LOOPBACK_HOSTNAMES:
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class LoopbackHttpAdapter(HTTPAdapter):
    """Sends `https://` requests for one loopback host over plain HTTP."""

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        if request.url and request.url.startswith("https://"):
            request.url = "http://" + request.url[len("https://") :]
        return super().send(request, stream, timeout, False, cert, proxies)


def session_for_instance(instance_url: str) -> requests.Session:
    """A requests session for `instance_url`: the loopback adapter only for http-on-loopback."""
    session = requests.Session()
    if is_loopback_http(instance_url):
        parts = urlsplit(instance_url)
        session.mount(f"https://{parts.netloc}", LoopbackHttpAdapter())
        session.trust_env = False  # no proxies or CA bundles from the environment for loopback
    return session
