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

_PREFER_LANGUAGE = "{indent}prefer: {{languages: account}}   # to the member who speaks it\n"
BALANCED_EDITS = (
    (
        "  overlap_rules: [priority, depth]\n",
        """\
  # Balancing: after the reps are chosen, move the fewest accounts that bring every owner member
  # of each territory within 10% of their weight-proportional share of its accounts. Holdouts,
  # named accounts and linked records split between two reps never move; capacities hold.
  balancing:
    measure: accounts          # or revenue, employees, or together: [accounts, revenue]
    tolerance: 10%
    # max_moves: 50            # at most this many accounts leave their owner per run (or 5%)

# What each rep is good at: tags by skill, with an optional level ({de: 3}). Territories
# require skills (only members who have them get its accounts) or prefer them (new and
# rebalanced accounts go to the best match; `account` compares with the account's own value:
# languages with its country's official languages).
reps:
  - {email: lena.fischer@acme-revenue.example, languages: [de, en]}
  - {email: sophie.tremblay@acme-revenue.example, languages: [fr, en]}
  - {email: liam.macdonald@acme-revenue.example, languages: [en]}
  - {email: camille.laurent@acme-revenue.example, languages: [fr, en]}
  - {email: daan.devries@acme-revenue.example, languages: [nl, en]}
  - {email: giulia.rossi@acme-revenue.example, languages: [it, en]}
  - {email: javier.morales@acme-revenue.example, languages: {es: 3, pt: 1, en: 2}}
  - {email: kenji.tanaka@acme-revenue.example, languages: [ja, en]}
  - {email: chloe.nguyen@acme-revenue.example, languages: [en]}
  - {email: lucas.oliveira@acme-revenue.example, languages: {pt: 3, es: 2, en: 1}}
  - {email: valentina.herrera@acme-revenue.example, languages: {es: 3, en: 2}}
""",
    ),
    ("          country: [CA]\n", _PREFER_LANGUAGE.format(indent="        ")),
    ("          country: [DE, AT, CH]\n", "        require: {languages: [de]}\n"),
    ("          country: [FR, BE, NL, LU]\n", _PREFER_LANGUAGE.format(indent="        ")),
    ("          country: [ES, IT, PT]\n", _PREFER_LANGUAGE.format(indent="        ")),
    ("      country: [AU, NZ, JP, KR, SG, IN]\n", _PREFER_LANGUAGE.format(indent="    ")),
    ("      country: [BR, MX, AR, CL]\n", _PREFER_LANGUAGE.format(indent="    ")),
)
"""Where the `balanced` example adds to the starter territory file: after each anchor line."""


def starter_text(name: str, example: str = "starter") -> str:
    """A starter file's text; the `balanced` example is the starter territory file with
    `settings.balancing` on (+-10% on accounts) and the sandbox reps' languages, required in
    DACH and preferred in the territories that span several languages."""
    body = (TEMPLATES / name).read_text(encoding="utf-8")
    if example == "balanced" and name == TERRITORY_FILE:
        for anchor, addition in BALANCED_EDITS:
            assert body.count(anchor) == 1, f"the starter territory file has {anchor!r} once"
            body = body.replace(anchor, anchor + addition, 1)
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
            "balancing on, +-10% on accounts, and the reps' languages)."
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
