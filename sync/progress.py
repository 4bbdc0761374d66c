"""Progress of a long run, for whoever watches: a terminal's bars, the console, or nobody."""

from __future__ import annotations

from typing import Protocol


class RunProgress(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase starts (pull salesforce, evaluate, write hubspot...)."""
        ...

    def advance(self, amount: int = 1) -> None:
        """Some of the current phase's work is done."""
        ...


class SilentProgress:
    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None
