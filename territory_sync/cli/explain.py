"""`territory-sync explain ACCOUNT`: why an account is in its territory and with its rep."""

from __future__ import annotations

from typing import Annotated

import typer

from mapping.territories.explain import explain as explain_account
from mapping.territories.explain import explanation_data, render_explanation
from sync.evaluate import evaluate_store
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, print_json, print_text
from territory_sync.errors import ConfigurationError


def explain(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="A CRM record id or a domain.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Every territory considered, each criterion with the account's value, and the decision,
    with each CRM record's owner (a rep inactive in one CRM loses only that CRM's record)."""
    state = cli_context(ctx)
    evaluated = evaluate_store(state.settings, state.database())
    wanted = account.strip().lower()
    company = next(
        (
            c
            for c in evaluated.book.companies
            if any(r.external_id.lower() == wanted or r.domain == wanted for r in c.records)
        ),
        None,
    )
    if company is None:
        raise ConfigurationError(
            f"no pulled account has the id or domain {account!r}; run a sync first, or check it "
            "with `territory-sync accounts list --search`"
        )
    explanation = explain_account(
        company, evaluated.rules, evaluated.reps.directory, evaluation=evaluated.evaluation
    )
    if as_json:
        print_json(explanation_data(explanation))
        return
    print_text(render_explanation(explanation), soft_wrap=True)
