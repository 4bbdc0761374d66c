"""`territory-sync init`: write a commented starter configuration and territory file."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from territory_sync.settings import DEFAULT_CONFIG_FILE

TEMPLATES = files("territory_sync") / "templates"
STARTER_FILES = (DEFAULT_CONFIG_FILE, "territories.yaml")


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the files into.", file_okay=False)
    ] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite files that already exist.")] = False,
) -> None:
    """Write territory-sync.toml and territories.yaml; they work against the bundled sandbox."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in STARTER_FILES:
        target = directory / name
        if target.exists() and not force:
            typer.echo(f"kept {target} (exists; --force overwrites it)")
            continue
        target.write_text((TEMPLATES / name).read_text(encoding="utf-8"), encoding="utf-8")
        typer.echo(f"wrote {target}")
