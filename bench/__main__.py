"""Run benchmarks, each in its own process, and record them in docs/benchmarks.md."""

from __future__ import annotations

import importlib
import subprocess
import sys

from bench.report import write_section
from territory_sync.memory import limit_malloc_arenas

BENCHMARKS = [
    "upsert",
    "sandbox_emulators",
    "salesforce_pull",
    "hubspot_pull",
    "hubspot_incremental",
    "hubspot_writeback",
    "nightly_run",
    "territory_engine",
    "audit_verify",
    "rebalance",
    "related_records",
]


def run_one(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    report = module.run()
    write_section(report, f".venv/bin/python -m bench {name}")
    print(report.render(f".venv/bin/python -m bench {name}"))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--in-process"]:
        limit_malloc_arenas()  # as the product's entry point does
        run_one(argv[1])
        return 0
    names = argv or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    failed = 0
    for name in names:
        done = subprocess.run([sys.executable, "-m", "bench", "--in-process", name], check=False)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
