"""`territory-sync init`: write a commented starter configuration and territory file."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from territory_sync.settings import DEFAULT_CONFIG_FILE

TEMPLATES = files("territory_sync") / "templates"
TERRITORY_FILE = "territories.yaml"
STARTER_FILES = (DEFAULT_CONFIG_FILE, TERRITORY_FILE)
EXAMPLES = ("starter", "balanced")

_SETTINGS_END = "  primary_source: salesforce\n"
BALANCING_SECTION = """\
  # Balancing: after the reps are chosen, move the fewest accounts that bring every owner member
  # of each territory within 10% of their weight-proportional share of its accounts. Holdouts,
  # named accounts and linked records split between two reps never move; capacities hold.
  balancing:
    measure: accounts
    tolerance: 10%
    # max_moves: 50            # at most this many accounts leave their owner per run (or 5%)
"""


def starter_text(name: str, example: str = "starter") -> str:
    """A starter file's text; the `balanced` example is the starter territory file with
    `settings.balancing` on (+-10% on accounts)."""
    body = (TEMPLATES / name).read_text(encoding="utf-8")
    if example == "balanced" and name == TERRITORY_FILE:
        assert _SETTINGS_END in body, "the starter territory file ends its settings so"
        body = body.replace(_SETTINGS_END, _SETTINGS_END + BALANCING_SECTION, 1)
    return body


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the files into.", file_okay=False)
    ] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite files that already exist.")] = False,
    example: Annotated[
        str,
        typer.Option(
            help="Which territory file: starter (the default) or balanced (the same with "
            "balancing on, +-10% on accounts)."
        ),
    ] = "starter",
) -> None:
    """Write territory-sync.toml and territories.yaml; they work against the bundled sandbox."""
    if example not in EXAMPLES:
        raise typer.BadParameter(
            f"{example!r} is not an example; choose starter or balanced", param_hint="--example"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for name in STARTER_FILES:
        target = directory / name
        if target.exists() and not force:
            typer.echo(f"kept {target} (exists; --force overwrites it)")
            continue
        target.write_text(starter_text(name, example), encoding="utf-8")
        typer.echo(f"wrote {target}")
