"""`territory-sync sandbox` and `territory-sync serve` on a port another process holds: one line
naming the address and what to do, exit code 2, no traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from territory_sync.cli import main
from territory_sync.errors import ExitCode


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another process listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_sandbox_on_a_salesforce_port_in_use_exits_2_with_one_line(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sandbox", "--accounts", "1", "--salesforce-port", str(taken_port)])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err == (
        f"error: 127.0.0.1:{taken_port} is already in use; stop the other process or pass "
        "--salesforce-port (0: any free port)\n"
    )


def test_sandbox_on_a_hubspot_port_in_use_names_the_hubspot_option(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["sandbox", "--accounts", "1", "--salesforce-port", "0", "--hubspot-port", str(taken_port)]
    )
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"127.0.0.1:{taken_port} is already in use" in err
    assert "--hubspot-port" in err


def test_sandbox_given_one_port_for_both_emulators_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["sandbox", "--salesforce-port", "8123", "--hubspot-port", "8123"])
    assert code == ExitCode.USAGE
    assert capsys.readouterr().err == (
        "error: --salesforce-port and --hubspot-port are both 8123; give each emulator its own "
        "port (0: any free port)\n"
    )


def test_serve_on_a_port_in_use_exits_2_with_one_line(
    taken_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'territory-sync.db'}"
    code = main(["--database-url", database_url, "serve", "--port", str(taken_port)])
    assert code == ExitCode.USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: 127.0.0.1:{taken_port} is already in use; stop the other process or pass --port\n"
    )
