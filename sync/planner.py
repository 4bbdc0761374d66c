"""From the engine's assignments to owner changes: one change per CRM record whose owner differs.

The engine answers per business with a rep's email; each CRM needs that rep's own id there. A rep
with no id in a CRM is never written there with a guessed id: the record is reported as skipped.
A CRM whose owner writes are switched off in the configuration gets no changes at all.

On the columnar path (`Planner.rows_to_plan`) the businesses whose records all keep their owners
are counted from the engine's arrays, the same figures `Planner.changes` would give them; only
the others are read back from the store and planned one by one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from mapping.territories.assignment import NAMED_ACCOUNT, TERRITORY_RULES, TIE, Assignment
from mapping.territories.columnar import ColumnarEvaluation
from mapping.territories.facts import SOURCES, CompanyFacts, RecordFacts
from mapping.territories.rules import LoadedTerritories
from sync.companies import CompanyBook, RepIndex
from sync.plan import ProposedChange
from sync.store.changes import ChangeState

CRM_NAMES = {"salesforce": "Salesforce user", "hubspot": "HubSpot owner"}


@dataclass(frozen=True)
class Scope:
    """What a run evaluates: everything, one territory, or some accounts (CRM ids or domains);
    with `only_unowned_or_new`, of those only the records that are new or have no active owner
    (`candidates`, found after the pull: `sync.quick_assign`)."""

    territory: str | None = None
    account: str | None = None
    accounts: tuple[str, ...] = ()
    only_unowned_or_new: bool = False
    candidates: frozenset[tuple[str, str]] | None = None
    """The records (CRM, id) a quick assignment may change; None: every record in scope."""
    territories: tuple[str, ...] = ()
    """With `territory`: it and the territories under it (`with_subtree`), whose accounts the
    run plans; empty until the territory file is read (the named territory alone)."""

    def as_dict(self) -> dict[str, Any]:
        """The scope as runs and plans record it (the new keys only when set)."""
        scope: dict[str, Any] = {"territory": self.territory, "account": self.account}
        if self.accounts:
            scope["accounts"] = list(self.accounts)
        if self.only_unowned_or_new:
            scope["only_unowned_or_new"] = True
        if len(self.territories) > 1:
            scope["territories"] = list(self.territories)
        return scope

    @property
    def territory_names(self) -> frozenset[str]:
        """The territories whose accounts are in scope (with a territory scope)."""
        return frozenset(self.territories or ((self.territory,) if self.territory else ()))

    def with_subtree(self, rules: LoadedTerritories) -> Scope:
        """This scope with its territory's subtree in `rules` (a resync of a region includes
        the territories under it)."""
        if self.territory is None or self.territory not in rules.territories:
            return self
        return replace(self, territories=rules.subtree(self.territory))

    @property
    def names_accounts(self) -> bool:
        return self.account is not None or bool(self.accounts)

    def with_candidates(self, records: frozenset[tuple[str, str]]) -> Scope:
        return replace(self, candidates=records)

    def includes(self, company: CompanyFacts, assignment: Assignment) -> bool:
        if self.territory is not None and assignment.territory not in self.territory_names:
            return False
        if self.names_accounts:
            wanted = {a.strip().lower() for a in (self.account, *self.accounts) if a is not None}
            if not any(
                record.external_id.lower() in wanted or (record.domain or "") in wanted
                for record in company.records
            ):
                return False
        if self.candidates is not None:
            return any((r.source, r.external_id) in self.candidates for r in company.records)
        return True

    def records_in(self, records: list[RecordFacts]) -> list[RecordFacts]:
        """The records of a company in scope that may change (a quick assignment's candidates)."""
        if self.candidates is None:
            return records
        return [r for r in records if (r.source, r.external_id) in self.candidates]


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
            records = self.scope.records_in(records)
            if not records:  # a quick assignment's candidate in a CRM this run does not plan
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

    def marked_records(self) -> set[tuple[str, str]]:
        """The records (CRM, id) `changes` treats apart: left to a resumed plan, or held."""
        return {*self.exclude, *self.holds}

    def rows_to_plan(
        self,
        decisions: ColumnarEvaluation,
        marked: npt.NDArray[np.bool_],
        candidates: npt.NDArray[np.bool_] | None = None,
    ) -> npt.NDArray[np.intp]:
        """The rows of a columnar evaluation that `changes` must be given, in row order; every
        other row is counted here as `changes` would count it, without its facts being read
        back from the store. Those are the rows out of scope, and the rows in scope whose every
        record in the run's CRMs provably keeps its owner: the record's rep is none, or the rep
        whose id in that CRM is the record's owner id (the comparison `changes` makes, decided
        here by owner codes only where one id in the CRM stands for the rep's email). A row is
        always given to `changes` when it is a tie (the figures name ties) or `marked` (one of
        its records is left to a resumed plan or held). With an account scope every row is
        given (the columns carry neither record ids nor domains). With a quick assignment's
        `candidates` (rows holding one of `Scope.candidates`), exactly those rows are in
        scope, and every one of them is given."""
        n = len(decisions)
        if self.scope.names_accounts:
            return np.arange(n, dtype=np.intp)
        columns, figures = decisions.columns, self.figures
        outcome = _Outcomes(decisions)
        codes = np.array([SOURCES.index(s) for s in self.sources], dtype=np.int8)
        primary_in = np.isin(columns.source, codes)
        other_in = np.isin(columns.other, codes)  # -1: no other record
        records = primary_in.astype(np.int64) + other_in
        keeps = self._keeps_owner(decisions)

        def keeps_owner(
            source: npt.NDArray[np.int8], owner: npt.NDArray[np.int32], rep: npt.NDArray[np.int32]
        ) -> npt.NDArray[np.bool_]:
            # An owner code is never `_UNCODED_REP`, so such a record never keeps its owner.
            known = keeps[np.maximum(source, 0), np.maximum(rep, 0)] & (owner == rep)
            return np.asarray((rep == _NO_REP) | known, dtype=np.bool_)

        primary = keeps_owner(columns.source, columns.owner, outcome.primary_rep)
        other = keeps_owner(columns.other, columns.other_owner, outcome.other_rep)
        settled = (primary | ~primary_in) & (other | ~other_in)
        in_scope = np.ones(n, dtype=bool)
        if self.scope.territory is not None:
            names = decisions.territory_names
            wanted = [names.index(t) for t in self.scope.territory_names if t in names]
            in_scope = np.isin(outcome.territory, np.array(wanted, dtype=outcome.territory.dtype))
        tie = outcome.rule == TERRITORY_RULES.index(TIE)
        given = in_scope & (records > 0) & (tie | marked | ~settled)
        if candidates is not None:
            in_scope &= candidates
            given = in_scope & (records > 0)
        counted = ~given
        figures.book_records += int(records[counted].sum())
        alike = counted & in_scope & (records > 0)
        figures.companies += int(alike.sum())
        figures.evaluated += int(records[alike].sum())
        figures.unchanged += int(records[alike].sum())
        rules = np.bincount(outcome.rule[alike], minlength=len(TERRITORY_RULES))
        for code, count in enumerate(rules.tolist()):
            if count:
                figures.by_rule[TERRITORY_RULES[code]] += count
        unassigned = (outcome.territory < 0) & (
            outcome.rule != TERRITORY_RULES.index(NAMED_ACCOUNT)
        )
        figures.unassigned += int(unassigned[alike].sum())
        return np.flatnonzero(given)

    def _keeps_owner(self, decisions: ColumnarEvaluation) -> npt.NDArray[np.bool_]:
        """Per CRM (row) and rep code (column): whether a record of that CRM whose owner code is
        the rep's keeps its owner in `changes`, that is, the rep's id there is the only id in
        that CRM the rep directory gives the rep's email."""
        reps = self.reps
        count = Counter((source, email) for (source, _), email in reps.email_by_owner.items())
        keeps = np.zeros((len(SOURCES), max(len(decisions.emails), 1)), dtype=bool)
        for row, source in enumerate(SOURCES):
            for code, email in enumerate(decisions.emails):
                owner_id = reps.owner_id_of(source, email)
                keeps[row, code] = (
                    owner_id is not None
                    and reps.email_of(source, owner_id) == email
                    and count[(source, email)] == 1
                )
        return keeps


_NO_REP = -1
"""Rep code of a record whose owner stays (`Assignment.rep_for` is None)."""
_UNCODED_REP = -2
"""Rep code of a record given to a rep the evaluation's codes do not hold."""


class _Outcomes:
    """Per row of a columnar evaluation, as codes: the rep of the primary and of the other
    record, the territory and the territory rule, with the rows the reference engine decided
    (`overrides`, which may split a business between two reps) read from their assignments."""

    def __init__(self, decisions: ColumnarEvaluation) -> None:
        columns = decisions.columns
        self.primary_rep = decisions.rep.copy()
        self.other_rep = decisions.rep.copy()
        self.territory = decisions.territory.copy()
        self.rule = decisions.territory_rule.copy()
        if not decisions.overrides:
            return
        email_code = {email: code for code, email in enumerate(decisions.emails)}
        territory_code = {name: code for code, name in enumerate(decisions.territory_names)}

        def code_of(email: str | None) -> int:
            return _NO_REP if email is None else email_code.get(email, _UNCODED_REP)

        for row, assignment in decisions.overrides.items():
            self.primary_rep[row] = code_of(assignment.rep_for(SOURCES[columns.source[row]]))
            other = int(columns.other[row])
            if other >= 0:
                self.other_rep[row] = code_of(assignment.rep_for(SOURCES[other]))
            territory = assignment.territory
            self.territory[row] = -1 if territory is None else territory_code[territory]
            self.rule[row] = TERRITORY_RULES.index(assignment.territory_rule)


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
