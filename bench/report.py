"""Benchmark results and how they are written into docs/benchmarks.md, one section per benchmark."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Produced by `make bench` (all) or `.venv/bin/python -m bench NAME` (one); each section below is
rewritten by its benchmark, with the command, the machine, the date and (from 2026-12-02) the
commit. Targets come from the issues. Timings are wall-clock on a shared 2-core machine: expect
some noise between runs.
"""


@dataclass
class Report:
    name: str
    title: str
    target: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self, command: str) -> str:
        lines = [
            f"<!-- bench:{self.name} -->",
            f"## {self.title}",
            "",
            f"Target: {self.target}",
            "",
            f"Command: `{command}`  ",
            f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, commit {commit()}",
            "",
            "| " + " | ".join(self.columns) + " |",
            "| " + " | ".join("---" for _ in self.columns) + " |",
            *("| " + " | ".join(row) + " |" for row in self.rows),
        ]
        if self.notes:
            lines += ["", *self.notes]
        lines.append(f"<!-- /bench:{self.name} -->")
        return "\n".join(lines)


def commit() -> str:
    """The checked-out commit, marked when the tree has changes it does not hold."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        # The results file itself changes as benchmarks run: it does not count.
        dirty = git(
            "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/benchmarks.md"
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{head} with uncommitted changes" if dirty else head


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far (Linux reports kibibytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_section(report: Report, command: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    start, end = f"<!-- bench:{report.name} -->", f"<!-- /bench:{report.name} -->"
    section = report.render(command)
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages (it is shared: they say how busy it was)."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def median_and_spread(values: list[float], unit: str = "", digits: int = 0) -> str:
    """The median, with the lowest and highest run: `12.3 s (11.9-13.0)`."""
    suffix = f" {unit}" if unit else ""
    low, high = min(values), max(values)
    return f"{statistics.median(values):,.{digits}f}{suffix} ({low:,.{digits}f}-{high:,.{digits}f})"
