"""The product's process limits glibc's malloc arenas (`territory_sync.memory`) from its entry
point, unless the administrator set `MALLOC_ARENA_MAX`."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

import territory_sync.cli as cli
from territory_sync.memory import limit_malloc_arenas


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_on_glibc_the_arenas_are_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert ctypes.util.find_library("c") is not None

    assert limit_malloc_arenas() is True


def test_an_administrators_own_malloc_arena_max_is_left_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")

    assert limit_malloc_arenas() is False


def test_the_command_line_limits_the_arenas_before_it_runs_a_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def limit() -> bool:
        calls.append("limited")
        return True

    monkeypatch.setattr(cli, "limit_malloc_arenas", limit)

    assert cli.main(["--version"]) == 0

    assert calls == ["limited"]
