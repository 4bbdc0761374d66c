"""From the engine's assignments to owner changes: one change per CRM record whose owner differs.

The engine answers per business with a rep's email; each CRM needs that rep's own id there. A rep
with no id in a CRM is never written there with a guessed id: the record is reported as skipped.
A CRM whose owner writes are switched off in the configuration gets no changes at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mapping.territories.assignment import TIE, Assignment
from mapping.territories.facts import CompanyFacts
from sync.companies import CompanyBook, RepIndex
from sync.plan import ProposedChange
from sync.store.changes import ChangeState

CRM_NAMES = {"salesforce": "Salesforce user", "hubspot": "HubSpot owner"}


@dataclass(frozen=True)
class Scope:
    """What a run evaluates: everything, one territory, or one account (CRM id or domain)."""

    territory: str | None = None
    account: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"territory": self.territory, "account": self.account}

    def includes(self, company: CompanyFacts, assignment: Assignment) -> bool:
        if self.territory is not None and assignment.territory != self.territory:
            return False
        if self.account is not None:
            wanted = self.account.strip().lower()
            return any(
                record.external_id.lower() == wanted or (record.domain or "") == wanted
                for record in company.records
            )
        return True


@dataclass
class PlanFigures:
    book_records: int = 0
    """Every record of the run's CRMs the engine evaluated, in scope or not: the guard rail's
    denominator, so a scoped resync is measured against the whole book it could disturb."""
    evaluated: int = 0
    companies: int = 0
    ties: int = 0
    unassigned: int = 0
    unchanged: int = 0
    planned: int = 0
    skipped: int = 0
    writes_disabled: int = 0
    """Records whose owner would change but whose CRM's owner writes are switched off."""
    resuming: int = 0
    """Records left out because an unfinished plan being resumed already has a change for them."""
    kept_for_person: int = 0
    """Records left alone because a person set their owner during an earlier run (a hold)."""
    by_crm: Counter[str] = field(default_factory=Counter)
    by_territory: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    tie_examples: list[str] = field(default_factory=list)


class Planner:
    """The planning rules, fed a book a part at a time: `changes` hands on each part's changes
    as they are made, and `figures` adds up every part (one `PlanFigures` for the run)."""

    def __init__(
        self,
        reps: RepIndex,
        *,
        sources: Collection[str],
        writable: Collection[str],
        scope: Scope,
        exclude: Collection[tuple[str, str]] = (),
        holds: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
    ) -> None:
        self.reps = reps
        self.sources = sources
        self.writable = writable
        self.scope = scope
        self.exclude = exclude
        self.holds = holds or {}
        self.figures = PlanFigures()

    def changes(
        self,
        owner_ids: Mapping[tuple[str, str], str | None],
        decided: Iterable[tuple[CompanyFacts, Assignment]],
    ) -> Iterator[ProposedChange]:
        """One change per record in scope whose owner differs from its rep's id in that CRM;
        records in `exclude` (CRM, id) are left to the unfinished plan that already holds a
        change for them, and records a hold keeps with the owner a person set are left alone
        (`sync.holds`). `owner_ids` holds the CRM owner id of each record of `decided`."""
        figures, reps, sources = self.figures, self.reps, self.sources
        for company, assignment in decided:
            records = [r for r in company.records if r.source in sources]
            figures.book_records += len(records)
            if not records or not self.scope.includes(company, assignment):
                continue
            figures.companies += 1
            figures.evaluated += len(records)
            figures.by_rule[assignment.territory_rule] += 1
            if assignment.territory_rule == TIE:
                figures.ties += 1
                if len(figures.tie_examples) < 10:
                    figures.tie_examples.append(f"{company.key}: {' / '.join(assignment.tied)}")
            if assignment.unassigned:
                figures.unassigned += 1
            for record in records:
                email = assignment.rep_for(record.source)
                if email is None:
                    figures.unchanged += 1
                    continue
                if (record.source, record.external_id) in self.exclude:
                    figures.resuming += 1
                    continue
                current = owner_ids.get((record.source, record.external_id))
                hold = self.holds.get((record.source, record.external_id))
                if hold is not None and hold["owner_id"] == current:
                    figures.kept_for_person += 1
                    continue
                target = reps.owner_id_of(record.source, email)
                if target is not None and current == target:
                    figures.unchanged += 1
                    continue
                if record.source not in self.writable:
                    figures.writes_disabled += 1
                    continue
                state = ChangeState.PLANNED
                reason = assignment.reason_for(record.source)
                if target is None:
                    state = ChangeState.SKIPPED
                    reason = (
                        f"{reason} But {email} has no {CRM_NAMES[record.source]} id, so this "
                        "record is not written with a guessed id."
                    )
                if state == ChangeState.PLANNED:
                    figures.planned += 1
                    figures.by_crm[record.source] += 1
                    figures.by_territory[assignment.territory or "(none)"] += 1
                else:
                    figures.skipped += 1
                yield ProposedChange(
                    source=record.source,
                    external_id=record.external_id,
                    account_name=record.name,
                    old_owner_id=current,
                    old_owner_email=reps.email_of(record.source, current),
                    new_owner_id=target,
                    new_owner_email=email,
                    territory=assignment.territory,
                    rule=f"{assignment.territory_rule}/{assignment.rep_rule_for(record.source)}",
                    reason=reason,
                    state=state,
                )


def decided_book(
    book: CompanyBook, assignments: Iterable[Assignment]
) -> Iterator[tuple[CompanyFacts, Assignment]]:
    """Each assignment with the company of the book it is about (by key)."""
    companies = {company.key: company for company in book.companies}
    for assignment in assignments:
        yield companies[assignment.key], assignment


def build_changes(
    book: CompanyBook,
    assignments: Sequence[Assignment],
    reps: RepIndex,
    *,
    sources: Collection[str],
    writable: Collection[str],
    scope: Scope,
    exclude: Collection[tuple[str, str]] = (),
    holds: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
) -> tuple[list[ProposedChange], PlanFigures]:
    """The whole book's changes at once (`Planner.changes`), with their figures."""
    planner = Planner(
        reps, sources=sources, writable=writable, scope=scope, exclude=exclude, holds=holds
    )
    changes = list(planner.changes(book.owner_ids, decided_book(book, assignments)))
    return changes, planner.figures
