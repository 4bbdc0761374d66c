"""Checks made before a run is recorded: a mistake in the configuration or in the command is
refused at once, as an error to fix, and never saved as a failed run.

Before `territory-sync sync` or `plan` records a run: the CRMs it touches are enabled and their
credentials are set (each connector can be built; nothing is sent), the territory file loads, and
the territory or accounts it is limited to exist. An unknown `--territory` is an error naming the
closest territory of the file (or listing them); an unknown `--account` (a CRM id or a domain, as
the run matches them) one naming the closest pulled account, found among the ids, domains and
names of the accounts in the store. Before `apply` and `rollback`, the credentials of the CRMs
the plan writes to are checked, and for `rollback` that the run has owner changes to undo.

These checks only spare a run row (and a pull) for a mistake that is plain before a run starts.
The scheduler and the console call the runner without them, as they always did, so a scheduled
run on a broken configuration is still recorded as failed and alerted.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlalchemy import Table, func, or_, select

from mapping.model.accounts import Account
from mapping.territories.rules import LoadedTerritories
from mapping.territories.yaml_nodes import suggestion
from sync.connect import SOURCES, build_connectors, close_connectors, enabled_sources
from sync.evaluate import load_rules
from sync.plan import sources_with_changes
from sync.rollback_plan import rollback_changes
from sync.session import SyncRequest
from sync.store.changes import ChangeState
from sync.store.database import Database
from territory_sync.errors import UnknownScopeError
from territory_sync.settings import Settings

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]

TERRITORIES_LISTED = 10
"""Territory names an unknown `--territory` lists when none is close."""
ACCOUNT_MATCH_CUTOFF = 0.75
"""How alike (difflib's ratio) a pulled account's id, domain or name must be to be suggested."""
PULL_FIRST = (
    "an account new in the CRM is known once pulled: `territory-sync sync --dry-run` pulls "
    "and writes nothing"
)


def _enabled(settings: Settings) -> set[str]:
    return {source for source in SOURCES if getattr(settings, source).enabled}


def check_connectors(settings: Settings, sources: Iterable[str]) -> None:
    """Each CRM's connector can be built: what its credentials need is set (nothing is sent)."""
    close_connectors(build_connectors(settings, list(sources)).values())


def check_sync_request(settings: Settings, database: Database, request: SyncRequest) -> None:
    """A sync or plan run of `request` can start: enabled CRMs with credentials, a territory file
    that loads, and a known territory and accounts to limit it to."""
    check_connectors(settings, enabled_sources(settings, request.sources or None))
    rules = load_rules(settings, None, request.territory_file)
    if request.territory is not None:
        check_territory(rules, request.territory)
    for account in (request.account, *request.accounts):
        if account is not None:
            check_account(database, account)


def check_apply(settings: Settings, database: Database, plan_id: int) -> None:
    """Applying `plan_id` can start: the CRMs it writes to have their credentials, and the
    territory file (which says whether the plan is stale) loads."""
    written_to = sources_with_changes(database, plan_id, list(ChangeState))
    check_connectors(settings, sorted(set(written_to) & _enabled(settings)))
    load_rules(settings, None, None)


def check_rollback(settings: Settings, database: Database, run_id: int) -> None:
    """Rolling back `run_id` can start: it wrote owner changes, and the CRMs they are in have
    their credentials (`ConfigurationError` naming the run otherwise)."""
    changes = rollback_changes(database, run_id)
    restored = {c.source for c in changes if c.state == ChangeState.PLANNED}
    check_connectors(settings, sorted(restored & _enabled(settings)))


def check_territory(rules: LoadedTerritories, territory: str) -> None:
    """`UnknownScopeError` unless the territory file has `territory`."""
    if territory in rules.territories:
        return
    names = list(rules.territories)
    hint = suggestion(territory, names)
    if not hint:
        listed = ", ".join(repr(name) for name in names[:TERRITORIES_LISTED])
        more = len(names) - TERRITORIES_LISTED
        hint = f"; its territories are {listed}" + (f" and {more:,} more" if more > 0 else "")
    raise UnknownScopeError(
        f"--territory {territory!r}: {rules.source_name} has no territory of that name{hint}",
        what="territory",
        given=territory,
    )


def check_account(database: Database, account: str) -> None:
    """`UnknownScopeError` unless a pulled account has `account` as its CRM id or its domain
    (the run's own match, `sync.planner.Scope`)."""
    wanted = account.strip().lower()
    live = ACCOUNTS.c.deleted.is_(False)
    with database.engine.connect() as connection:
        found = connection.execute(
            select(ACCOUNTS.c.id)
            .where(
                live, or_(func.lower(ACCOUNTS.c.external_id) == wanted, ACCOUNTS.c.domain == wanted)
            )
            .limit(1)
        ).first()
        if found is not None:
            return
        known = connection.execute(
            select(ACCOUNTS.c.external_id, ACCOUNTS.c.domain, ACCOUNTS.c.name).where(live)
        ).all()
    if not known:
        raise UnknownScopeError(
            f"--account {account!r}: no account is pulled yet, so none can be picked out; "
            f"{PULL_FIRST}",
            what="account",
            given=account,
        )
    raise UnknownScopeError(
        f"--account {account!r}: no pulled account has that CRM id or domain"
        + _closest_account(wanted, known),
        what="account",
        given=account,
    )


def _closest_account(wanted: str, known: Iterable[tuple[str, str | None, str | None]]) -> str:
    """ " (did you mean ...?)" with the pulled account whose id, domain or name is closest to
    `wanted`, suggested by id or domain (a run picks accounts out by those, not by name); else
    how to find one."""
    choices: dict[str, str] = {}
    for external_id, domain, name in known:
        if name:
            choices.setdefault(name.lower(), f"{external_id!r}, the id of {name!r}")
        if domain:
            choices[domain.lower()] = repr(domain)
        choices[external_id.lower()] = repr(external_id)
    close = difflib.get_close_matches(wanted, list(choices), n=1, cutoff=ACCOUNT_MATCH_CUTOFF)
    if close:
        return f" (did you mean {choices[close[0]]}?)"
    return (
        f"; `territory-sync accounts list --search NAME` shows accounts' ids and domains "
        f"({PULL_FIRST})"
    )
