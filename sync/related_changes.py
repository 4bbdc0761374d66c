"""Related records in the plan: the contacts and opportunities that follow an account it moves.

The account changes stream by (`RelatedPlanner.following`, after the guard rails have counted
them: related records are counted apart, in `RelatedFigures`); every `CHUNK` of them, the
planned ones are looked up in the store by account, a CRM at a time, and each related record
the territory file's rules of engagement move (`mapping.territories.related_rules`) becomes a
change of its own in the same plan: from its owner now to the account's new owner, naming its
account (`parent_external_id`) and the rule. A record already owned by the account's new owner
needs no change. Closed opportunities never move.

Write-back writes a related record only once its account's change is written
(`sync.writeback`): if a person kept the account (a conflict), its contacts stay too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from mapping.territories.related_rules import (
    CONTACTS,
    OPEN_OPPORTUNITIES,
    RelatedRecordRules,
    RelatedRules,
    objects_moved,
)
from sync.companies import RepIndex
from sync.plan import CHUNK, ProposedChange
from sync.store.changes import ACCOUNT_OBJECT, ChangeState
from sync.store.database import Database
from sync.store.related import related_of_accounts
from territory_sync.objects import CONTACT, OPPORTUNITY

RULE_LIMIT = 64
"""The change row's `rule` column holds at most this many characters."""
_NOUN = {CONTACT: "Contact", OPPORTUNITY: "Opportunity"}
_PLANNED_COLUMNS = {
    CONTACT: ("external_id", "account_external_id", "owner_id", "email"),
    OPPORTUNITY: ("external_id", "account_external_id", "owner_id", "name", "stage", "is_closed"),
}
"""The columns `RelatedPlanner._change` reads of a related record."""


@dataclass
class RelatedFigures:
    """What the plan moves beside accounts, per CRM and object, and what it leaves."""

    planned: Counter[str] = field(default_factory=Counter)
    """"salesforce contact" -> changes planned."""
    already_owned: Counter[str] = field(default_factory=Counter)
    """Records that follow but already belong to the account's new owner."""
    stay: Counter[str] = field(default_factory=Counter)
    """Records of moved accounts the rules leave with their owner (closed opportunities
    included)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "planned": sum(self.planned.values()),
            "by_kind": dict(sorted(self.planned.items())),
            "already_owned": dict(sorted(self.already_owned.items())),
            "stay": dict(sorted(self.stay.items())),
        }


def _rule_name(object_name: str, rules: RelatedRules) -> str:
    if object_name == CONTACT:
        return f"{CONTACTS}:{rules.contacts}"
    return f"{OPEN_OPPORTUNITIES}:{rules.opportunity_rule_name()}"[:RULE_LIMIT]


class RelatedPlanner:
    """Adds the related records' changes to a plan's stream of account changes."""

    def __init__(self, database: Database, rules: RelatedRecordRules, reps: RepIndex) -> None:
        self.database = database
        self.rules = rules
        self.reps = reps
        self.figures = RelatedFigures()

    def following(self, changes: Iterable[ProposedChange]) -> Iterator[ProposedChange]:
        """`changes`, each handed on, and after every `CHUNK` of them the related changes of the
        accounts among them that the plan moves."""
        remaining = iter(changes)
        while chunk := list(islice(remaining, CHUNK)):
            yield from chunk
            moved = [
                c
                for c in chunk
                if c.state == ChangeState.PLANNED and c.object_name == ACCOUNT_OBJECT
            ]
            yield from self.related_to(moved)

    def related_to(self, moved: Sequence[ProposedChange]) -> Iterator[ProposedChange]:
        """The related changes of these account changes (planned ones), CRM by CRM."""
        by_source: dict[str, list[ProposedChange]] = {}
        for change in moved:
            by_source.setdefault(change.source, []).append(change)
        for source, account_changes in sorted(by_source.items()):
            rules = self.rules.for_crm(source)
            accounts = {c.external_id: c for c in account_changes}
            for object_name in objects_moved(self.rules, source):
                with self.database.engine.connect() as connection:
                    rows = list(
                        related_of_accounts(
                            connection,
                            object_name,
                            source,
                            list(accounts),
                            _PLANNED_COLUMNS[object_name],
                        )
                    )
                for row in rows:
                    account = accounts[row["account_external_id"]]
                    related = self._change(object_name, rules, account, row)
                    if related is not None:
                        yield related

    def _change(
        self,
        object_name: str,
        rules: RelatedRules,
        account: ProposedChange,
        row: Mapping[str, Any],
    ) -> ProposedChange | None:
        kind = f"{account.source} {object_name}"
        owner = row["owner_id"]
        if object_name == CONTACT:
            follows = rules.contact_follows(account.old_owner_id, owner)
        else:
            follows = rules.opportunity_follows(closed=bool(row["is_closed"]), stage=row["stage"])
        if not follows:
            self.figures.stay[kind] += 1
            return None
        if owner == account.new_owner_id:
            self.figures.already_owned[kind] += 1
            return None
        self.figures.planned[kind] += 1
        rule = _rule_name(object_name, rules)
        label = row.get("email") if object_name == CONTACT else row.get("name")
        named = f" ({label})" if label else ""
        owner_email = self.reps.email_of(account.source, owner)
        return ProposedChange(
            source=account.source,
            object_name=object_name,
            external_id=row["external_id"],
            parent_external_id=account.external_id,
            account_name=account.account_name,
            old_owner_id=owner,
            old_owner_email=owner_email,
            new_owner_id=account.new_owner_id,
            new_owner_email=account.new_owner_email,
            territory=account.territory,
            rule=rule,
            reason=(
                f"{_NOUN[object_name]} {row['external_id']}{named} follows its account "
                f"{account.external_id} ({account.account_name or 'no name'}) from "
                f"{owner_email or owner or 'no owner'} to {account.new_owner_email}: rule "
                f"{rule.replace(':', ': ', 1)}."
            ),
            state=ChangeState.PLANNED,
        )
