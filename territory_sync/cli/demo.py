"""`make demo`: the whole product against the bundled sandbox, in under a minute, with a summary.

It starts both CRM emulators on free loopback ports, writes a starter configuration and
territory file into `demo-workspace/`, and then runs what an admin would, in numbered sections: a
dry run, a first sync stopped by the blast-radius guard rail, the reviewed plan applied, a rep
leaving shown as a what-if, a resync of each territory she left, the runs, the audit check and
one account's audit trail. The summary compares the audit log with the writes the CRMs saw and
names every rep who has left but still owns held-out accounts (no run moves those). Unless
`TERRITORY_SYNC_AUDIT_KEY` is already set, the demo signs its audit log with a fixed, public demo
key: fine for a rehearsal, never for production.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

WORKSPACE = Path("demo-workspace")
DEMO_ACCOUNTS = 400
DEMO_SEED = 7
DEMO_AUDIT_KEY = "territory-sync-demo-audit-key-public-never-for-production"
LEAVER = "maya.chen@acme-revenue.example"
LEAVER_NAME = "Maya Chen"
SUCCESSOR = "daniel.okafor@acme-revenue.example"
LEAVER_TERRITORIES = ("NA-West", "NA-West-Enterprise")
"""The territories of the starter file with the leaver among their owner members."""

console = Console()


class Steps:
    """The demo's sections, numbered in the order they run."""

    def __init__(self) -> None:
        self.done = 0

    def run(self, title: str, command: Sequence[str]) -> int:
        """Print the next section's heading and command, run it, and return its exit code."""
        from territory_sync.cli import main as cli

        self.done += 1
        console.print()
        console.print(Rule(Text.assemble((f"{self.done}. {title}", "bold"))))
        console.print(Text(f"$ territory-sync {' '.join(command)}", style="dim"))
        code = cli(["--config", str(WORKSPACE / "territory-sync.toml"), *command])
        console.print(Text(f"exit code {code}", style="dim"))
        return code


def latest_plan_id() -> int:
    from sqlalchemy import select

    from sync.plan import PLANS
    from sync.store.database import open_database

    database = open_database(f"sqlite:///{(WORKSPACE / 'territory-sync.db').resolve()}")
    try:
        with database.engine.connect() as connection:
            return int(
                connection.execute(
                    select(PLANS.c.id).order_by(PLANS.c.id.desc()).limit(1)
                ).scalar_one()
            )
    finally:
        database.dispose()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def rep_leaves(territory_file: str) -> str:
    """The starter file with Maya Chen gone: NA-West keeps Daniel Okafor, who also becomes the
    owner of NA-West-Enterprise (where he was the overlay). Edits the text, so comments stay."""
    lines = territory_file.splitlines()
    out: list[str] = []
    territory = None
    i = 0
    while i < len(lines):
        line, text = lines[i], lines[i].strip()
        if text.startswith("- name:"):
            territory = text.removeprefix("- name:").split("#")[0].strip()
        if not text.startswith("- email:"):
            out.append(line)
            i += 1
            continue
        item = [line]  # a member: its email line and the keys under it (capacity, role...)
        while (
            i + 1 < len(lines)
            and lines[i + 1].strip()
            and _indent(lines[i + 1]) > _indent(line)
            and not lines[i + 1].strip().startswith("- ")
        ):
            i += 1
            item.append(lines[i])
        i += 1
        email = text.removeprefix("- email:").split("#")[0].strip()
        if email == LEAVER:
            continue
        if territory == "NA-West-Enterprise" and email == SUCCESSOR:
            item = [line]  # no longer the overlay: the owner
        out.extend(item)
    return "\n".join(out) + "\n"


def written_in_audit() -> int:
    from sqlalchemy import func, select

    from sync.audit import AUDIT
    from sync.store.database import open_database

    database = open_database(f"sqlite:///{(WORKSPACE / 'territory-sync.db').resolve()}")
    try:
        with database.engine.connect() as connection:
            query = select(func.count()).where(AUDIT.c.status == "written")
            return int(connection.execute(query).scalar_one())
    finally:
        database.dispose()


def account_with_history() -> tuple[str, str]:
    """The CRM id and name of an account (not one of the contacts that followed it) whose owner
    the demo changed in NA-West more than once, if any: first its assignment, then the resync
    after the rep left; the most recently written one."""
    from sqlalchemy import Table, and_, func, select

    from mapping.model.accounts import Account
    from sync.plan import CHANGES
    from sync.store.changes import ACCOUNT_OBJECT
    from sync.store.database import open_database

    accounts: Table = Account.__table__  # type: ignore[attr-defined]
    database = open_database(f"sqlite:///{(WORKSPACE / 'territory-sync.db').resolve()}")
    try:
        with database.engine.connect() as connection:
            query = (
                select(CHANGES.c.external_id, accounts.c.name)
                .join(
                    accounts,
                    and_(
                        accounts.c.source == CHANGES.c.source,
                        accounts.c.external_id == CHANGES.c.external_id,
                    ),
                )
                .where(
                    CHANGES.c.state == "written",
                    CHANGES.c.object_name == ACCOUNT_OBJECT,
                    CHANGES.c.external_id.in_(
                        select(CHANGES.c.external_id).where(CHANGES.c.territory == "NA-West")
                    ),
                )
                .group_by(CHANGES.c.external_id, accounts.c.name)
                .order_by(func.count().desc(), func.max(CHANGES.c.id).desc())
                .limit(1)
            )
            external_id, name = connection.execute(query).one()
            return str(external_id), str(name)
    finally:
        database.dispose()


@dataclass
class HeldByLeaver:
    """Held-out accounts (the holdouts keep their owner) whose owner has left."""

    why: str
    """How the rep left: taken out of the territory file, or deactivated in a CRM."""
    accounts: list[str] = field(default_factory=list)
    """Account names, one per CRM record."""


def held_by_leavers(left_the_file: str) -> dict[str, HeldByLeaver]:
    """Per rep who has left (`left_the_file`, or anyone inactive in the record's CRM), the
    held-out accounts they still own once the demo's runs are done: no run moves those, so a
    person has to."""
    from mapping.territories.assignment import HOLDOUT
    from sync.evaluate import evaluate_store
    from sync.store.database import open_database
    from territory_sync.settings import load_settings

    settings = load_settings(WORKSPACE / "territory-sync.toml")
    database = open_database(settings.database_url)
    try:
        store = evaluate_store(settings, database)
    finally:
        database.dispose()
    held: dict[str, HeldByLeaver] = {}
    for company in store.book.companies:
        if store.evaluation.by_key[company.key].territory_rule != HOLDOUT:
            continue
        for record in company.records:
            owner = record.current_owner_email
            rep = store.reps.directory.get(owner) if owner else None
            if owner is None or rep is None:
                continue
            if owner == left_the_file:
                why = "taken out of the territory file"
            elif not rep.is_active_in(record.source):
                why = "no longer active in the CRM"
            else:
                continue
            entry = held.setdefault(owner, HeldByLeaver(why))
            entry.accounts.append(record.name or record.external_id)
    return held


def leaver_lines(held: dict[str, HeldByLeaver], shown: int = 3) -> list[Text]:
    """One line per rep who left and still owns held-out accounts, naming a few of them."""
    lines = []
    for email, entry in sorted(held.items()):
        names = sorted(set(entry.accounts))
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        records = len(entry.accounts)
        businesses = f" ({len(names)} businesses)" if len(names) != records else ""
        accounts = "account" if records == 1 else "accounts"
        lines.append(
            Text(
                f"{email} ({entry.why}) still owns {records} held-out {accounts}{businesses}: "
                f"{', '.join(names[:shown])}{more}. Holdouts keep their owner, so no run moves "
                "them: reassign them in the CRM, or narrow the holdout."
            )
        )
    return lines


def main() -> int:
    from sandbox.launcher import start_sandbox
    from territory_sync.cli import main as cli

    started = time.monotonic()
    if not sys.stdout.isatty():
        os.environ.setdefault("COLUMNS", "150")  # tables stay readable in logs and CI output
    if WORKSPACE.exists():
        shutil.rmtree(WORKSPACE)
    console.print(Rule("[bold]territory-sync demo[/bold]"))
    console.print(
        f"Starting the sandbox: Salesforce and HubSpot emulators with {DEMO_ACCOUNTS} accounts "
        "each (about 60% the same businesses), on loopback."
    )
    sandbox = start_sandbox(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)
    os.environ.update(sandbox.env())
    if not os.environ.get("TERRITORY_SYNC_AUDIT_KEY", "").strip():
        os.environ["TERRITORY_SYNC_AUDIT_KEY"] = DEMO_AUDIT_KEY
        console.print(
            "The audit log is signed with the demo's public key (TERRITORY_SYNC_AUDIT_KEY)."
        )
    try:
        cli(["init", str(WORKSPACE)])
        steps = Steps()
        failures = 0
        failures += steps.run("Dry run: what would change, nothing written", ["sync", "--dry-run"])
        code = steps.run("First real sync: the blast-radius guard rail stops it", ["sync", "--yes"])
        failures += code not in (0, 3)
        plan_id = latest_plan_id()
        failures += steps.run(
            f"The admin reviewed plan {plan_id} and applies it", ["apply", str(plan_id), "--yes"]
        )
        failures += steps.run(
            "A second sync with nothing changed writes nothing", ["sync", "--yes"]
        )
        proposed = WORKSPACE / "territories-proposed.yaml"
        current = (WORKSPACE / "territories.yaml").read_text(encoding="utf-8")
        proposed.write_text(rep_leaves(current), encoding="utf-8")
        console.print()
        console.print(
            f"{LEAVER_NAME} leaves: the proposed file drops her from NA-West and hands "
            "NA-West-Enterprise to Daniel Okafor."
        )
        failures += steps.run(
            "What-if: balance before and after the change",
            ["balance", "--proposed", str(proposed)],
        )
        shutil.copyfile(proposed, WORKSPACE / "territories.yaml")
        for territory in LEAVER_TERRITORIES:
            failures += steps.run(
                f"Resync {territory}, a territory she left",
                ["sync", "--territory", territory, "--yes"],
            )
        failures += steps.run("The runs this demo just made", ["runs", "--limit", "10"])
        failures += steps.run("The audit log is intact", ["audit", "verify"])
        account, name = account_with_history()
        failures += steps.run(
            f"Who changed the owner of {name} ({account}), when and why",
            ["audit", "--account", account],
        )
        console.print()
        console.print(Rule("[bold]summary[/bold]"))
        elapsed = time.monotonic() - started
        owner_writes = sum(
            sum(crm.requests.writes_per_record().values())
            for crm in (sandbox.salesforce, sandbox.hubspot)
        )
        audited = written_in_audit()
        verdict = "each change written once" if audited == owner_writes else "MISMATCH"
        console.print(
            f"{audited} owner changes written according to the audit log; {owner_writes} owner "
            f"writes seen by the CRMs ({verdict}). "
            f"API calls: {sandbox.salesforce.requests.count()} Salesforce, "
            f"{sandbox.hubspot.requests.count()} HubSpot. Finished in {elapsed:.0f} s. "
            f"Files: {WORKSPACE}/"
        )
        for line in leaver_lines(held_by_leavers(LEAVER)):
            console.print(line)
        return 1 if failures or audited != owner_writes else 0
    finally:
        sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
