"""`territory-sync accounts`: look at the unified accounts as pulled from both CRMs."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import Table, func, or_, select

from mapping.model.accounts import Account, CrmSource
from mapping.model.reps import Rep
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, WIDE_OPTION_HELP, print_rows

app = typer.Typer(help="Unified accounts as pulled from the CRMs.", no_args_is_help=True)

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
REPS: Table = Rep.__table__  # type: ignore[attr-defined]

LIST_COLUMNS = (
    "source",
    "external_id",
    "name",
    "domain",
    "country",
    "region",
    "industry",
    "employees",
    "annual_revenue",
    "owner",
)
DEFAULT_COLUMNS = ("external_id", "name", "annual_revenue", "owner")
"""What fits an 80-column terminal (the id tells the CRM: Salesforce's have letters); `--wide`
adds the CRM, domain, place, industry and employees."""


@app.command("list")
def list_accounts(
    ctx: typer.Context,
    source: Annotated[CrmSource | None, typer.Option(help="Only this CRM's records.")] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO country code, e.g. US.", max=2, min=2)
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Part of the name or domain (case-insensitive).")
    ] = None,
    include_deleted: Annotated[bool, typer.Option(help="Also show deleted records.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many rows.")] = 20,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """List accounts, with each owner shown by email where the rep is known."""
    database = cli_context(ctx).database()
    owner_email = (
        select(REPS.c.email)
        .where(
            or_(
                (ACCOUNTS.c.source == "salesforce")
                & (REPS.c.salesforce_user_id == ACCOUNTS.c.owner_id),
                (ACCOUNTS.c.source == "hubspot") & (REPS.c.hubspot_owner_id == ACCOUNTS.c.owner_id),
            )
        )
        .scalar_subquery()
    )
    query = select(ACCOUNTS, owner_email.label("owner_email")).order_by(
        ACCOUNTS.c.source, ACCOUNTS.c.name, ACCOUNTS.c.external_id
    )
    if source:
        query = query.where(ACCOUNTS.c.source == source.value)
    if country:
        query = query.where(ACCOUNTS.c.country == country.upper())
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(ACCOUNTS.c.name).like(pattern), ACCOUNTS.c.domain.like(pattern))
        )
    if not include_deleted:
        query = query.where(ACCOUNTS.c.deleted.is_(False))
    with database.engine.connect() as connection:
        rows: list[dict[str, Any]] = []
        for row in connection.execute(query.limit(limit)).mappings():
            item = dict(row)
            item["owner"] = row["owner_email"] or row["owner_id"]
            rows.append(item)
    deleted = ("deleted",) if include_deleted else ()
    print_rows(
        rows,
        LIST_COLUMNS + deleted,
        default=DEFAULT_COLUMNS + deleted,
        wide=wide,
        title="Accounts",
        as_json=as_json,
        numeric=("employees", "annual_revenue"),
    )
