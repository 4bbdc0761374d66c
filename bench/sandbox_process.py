"""A sandbox in a child process for benchmarks, so the emulators do not share the product's GIL.

The child seeds both CRMs, prints the environment as JSON on one line, then obeys one-line
commands on standard input: `limits TEN_SECOND SEARCH_PER_SECOND`, `faults PROFILE`, `stop`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    env: dict[str, str]

    def command(self, line: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"

    def control(self, crm: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        base = self.env["SALESFORCE_INSTANCE_URL" if crm == "salesforce" else "HUBSPOT_BASE_URL"]
        if payload is None:
            return requests.get(f"{base}/__sandbox/{path}", timeout=120).json()
        return requests.post(f"{base}/__sandbox/{path}", json=payload, timeout=120).json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.command("stop")
            self.process.wait(30)


def start(accounts: int, seed: int = 1, faults: str = "") -> SandboxProcess:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sandbox_process", str(accounts), str(seed), faults],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    env = json.loads(process.stdout.readline())
    return SandboxProcess(process, env)


def _serve(accounts: int, seed: int, faults: str) -> None:
    from sandbox.launcher import start_sandbox

    sandbox = start_sandbox(accounts=accounts, seed=seed, faults=faults or None)
    print(json.dumps(sandbox.env()), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "stop":
            break
        if words[0] == "limits":
            sandbox.hubspot.limiter.ten_second_limit = int(words[1])
            sandbox.hubspot.limiter.search_per_second = int(words[2])
        elif words[0] == "faults":
            sandbox.set_faults(words[1] if len(words) > 1 else "none")
        print("ok", flush=True)
    sandbox.stop()
    print("ok", flush=True)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
