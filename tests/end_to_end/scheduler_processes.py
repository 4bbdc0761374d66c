"""`territory-sync` processes for the scheduler's end-to-end tests, and waiting on them.

Each process writes its standard output and error to files (a pipe left unread would fill up and
block a chatty scheduler); the scheduler runs with `--log-format json`, so its standard output is
one JSON event per line and its own lines go to standard error. Waiting is polling with a
deadline, failing with a message and what the process printed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.end_to_end.conftest import Product

TEST_ENVIRONMENT = {
    "TERRITORY_SYNC_SALESFORCE_WRITE_BATCH_SIZE": "5",
    "TERRITORY_SYNC_HUBSPOT_WRITE_BATCH_SIZE": "5",
    "TERRITORY_SYNC_SYNC_CONCURRENCY": "1",
    "TERRITORY_SYNC_SYNC_BLAST_RADIUS": "1",
    "TERRITORY_SYNC_SYNC_LOOKBACK_SECONDS": "5",
    "TERRITORY_SYNC_SYNC_RETRY_INITIAL_SECONDS": "0.01",
    "TERRITORY_SYNC_SYNC_LOST_ANSWER_WAIT_SECONDS": "0.05",
    "TERRITORY_SYNC_SCHEDULE_HEARTBEAT_SECONDS": "1",
    "TERRITORY_SYNC_CONFIG": "",
}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        return f"--- {self.name} stdout\n{self.stdout()}\n--- {self.name} stderr\n{self.stderr()}"

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The JSON log events on standard output (`--log-format json`)."""
        found = []
        for line in self.stdout().splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if name is None or event.get("event") == name:
                    found.append(event)
        return found

    def wait(self, timeout: float = 60) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)
            raise AssertionError(
                f"{self.name} did not exit within {timeout} s\n{self.output()}"
            ) from None

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then the exit code."""
        self.popen.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


def territory_sync(
    product: Product | None,
    folder: Path,
    name: str,
    *args: str,
    database_url: str | None = None,
    environment: dict[str, str] | None = None,
) -> Process:
    """`territory-sync --database-url URL ARGS` as a process, its output in `folder/name.*`."""
    env = {**os.environ, **TEST_ENVIRONMENT, **(environment or {})}
    if product is not None:
        env["TERRITORY_SYNC_TERRITORIES_FILE"] = str(product.territory_file)
    url = database_url or (product.database.url if product else "")
    stdout_path, stderr_path = folder / f"{name}.out", folder / f"{name}.err"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        popen = subprocess.Popen(
            [sys.executable, "-m", "territory_sync", "--database-url", url, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
    return Process(name, popen, stdout_path, stderr_path)


def scheduler(product: Product, folder: Path, name: str, *args: str, **options: Any) -> Process:
    return territory_sync(
        product, folder, name, "--log-format", "json", "scheduler", *args, **options
    )


def wait_for(
    condition: Callable[[], Any],
    what: str,
    *,
    timeout: float = 30,
    watching: tuple[Process, ...] = (),
) -> Any:
    """Poll `condition` until it is truthy; fail naming `what` (and showing the processes'
    output) after `timeout` seconds or when a watched process exits first."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        for process in watching:
            if process.popen.poll() is not None:
                raise AssertionError(
                    f"{process.name} exited ({process.popen.returncode}) before {what}\n"
                    f"{process.output()}"
                )
        if time.monotonic() > deadline:
            shown = "\n".join(p.output() for p in watching)
            raise AssertionError(f"after {timeout} s, still waiting for {what}\n{shown}")
        time.sleep(0.05)
