"""`territory-sync explain ACCOUNT`: why an account is in its territory and with its rep."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from mapping.explain import explain_company
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
    assignment = evaluated.evaluation.by_key.get(company.key)
    explanation = explain_company(company, evaluated.rules, assignment)
    if as_json:
        data = asdict(explanation)
        data["assignment"] = (
            {
                "territory": assignment.territory,
                "rep_email": assignment.rep_email,
                "territory_rule": assignment.territory_rule,
                "rep_rule": assignment.rep_rule,
                "reason": assignment.reason,
                "by_crm": {
                    source: {
                        "rep_email": assignment.rep_for(source),
                        "rep_rule": assignment.rep_rule_for(source),
                        "reason": assignment.reason_for(source),
                    }
                    for source in assignment.sources
                },
            }
            if assignment
            else None
        )
        print_json(data)
        return
    print_text(explanation.render(), soft_wrap=True)
