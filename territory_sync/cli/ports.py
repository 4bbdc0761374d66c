"""The addresses `serve` and `sandbox` listen on: a port that is taken or cannot be used is one
line naming the address and what to do, with exit code 2, never the web server's traceback.

The socket is bound the way uvicorn binds it (IPv6 when the host holds a colon, `SO_REUSEADDR`
so that a port left in TIME_WAIT by a server just stopped is free again), so a port this module
finds free is one the server can take.
"""

from __future__ import annotations

import errno
import socket

from territory_sync.errors import ConfigurationError


def address_text(host: str, port: int) -> str:
    """`127.0.0.1:8000`, or `[::1]:8000` for an IPv6 address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind_listening_socket(host: str, port: int, option: str) -> socket.socket:
    """A socket bound to `host:port`, for the server to listen on. A port in use, one this user
    may not take, or a host that is not this machine's raises `ConfigurationError`, whose
    message names the address and `option`, the command-line option that changes it."""
    address = address_text(host, port)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigurationError(_why_not(error, address, option)) from error
    return sock


def ensure_port_free(host: str, port: int, option: str) -> None:
    """Raise `ConfigurationError` (see `bind_listening_socket`) unless `host:port` can be
    listened on now; port 0 (any free port) always can."""
    if port != 0:
        bind_listening_socket(host, port, option).close()


def _why_not(error: OSError, address: str, option: str) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"{address} is already in use; stop the other process or pass {option}"
    if error.errno == errno.EACCES:
        return (
            f"cannot listen on {address}: permission denied (ports below 1024 need privileges); "
            f"pass {option}"
        )
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return (
            f"cannot listen on {address}: the host is not an address of this machine; pass "
            "--host with one (127.0.0.1 for loopback)"
        )
    return f"cannot listen on {address}: {error.strerror or error}; pass {option} or --host"
