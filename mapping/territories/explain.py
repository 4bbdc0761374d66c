"""`explain`: everything the engine considered for one account, for the rep who asks "why?".

Every holdout and every territory is evaluated in full, criterion by criterion, with the value
the account actually has, including the territories the index never offered (marked as not
candidates: their geography rules the account out). The decision itself is the engine's: the
account's `Assignment` from a full evaluation when one is given (so the rep shown is exactly the
one a run picks, with the loads that made it so), otherwise an evaluation of this account alone.
Owners are per CRM record (`record_owners`): who owns each record today, who will, and why,
naming the CRM where a rep is inactive.

`render_explanation` gives the text a terminal and the console's account page show;
`explanation_data` the same explanation as plain data (`territory-sync explain --json`), and
`decision_data` the decision alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mapping.registry import explained_fields
from mapping.territories.assignment import Assignment
from mapping.territories.balancing import MemberLoad
from mapping.territories.criteria import Outcome
from mapping.territories.engine import Evaluation, evaluate, named_entry
from mapping.territories.facts import (
    CRM_NAMES,
    CompanyFacts,
    RecordFacts,
    RepDirectoryEntry,
    ordered_records,
)
from mapping.territories.fields import reader_for
from mapping.territories.rules import LoadedTerritories, NamedAccount
from mapping.territories.skills import NO_SKILLS, account_tags, matched, preference, qualifies
from mapping.territories.values import shown


@dataclass(frozen=True, slots=True)
class CriterionCheck:
    outcome: Outcome
    origin: str
    """The territory that wrote the criterion (an ancestor's name when inherited)."""
    line: int


@dataclass(frozen=True, slots=True)
class TerritoryCheck:
    name: str
    depth: int
    priority: int
    candidate: bool
    """Offered by the index for the account's country and region."""
    matched: bool
    criteria: tuple[CriterionCheck, ...]
    is_catch_all: bool


@dataclass(frozen=True, slots=True)
class HoldoutCheck:
    name: str
    line: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class RecordOwner:
    """One CRM record of a business: its owner today, its rep after the evaluation, and why."""

    source: str
    external_id: str
    owner: str | None
    """Today's owner (an email), or None."""
    rep: str | None
    """The rep the evaluation gives it; None: it keeps its owner."""
    rule: str
    reason: str
    """How this record's rep was chosen (or why its owner stays)."""

    def line(self, *, with_reason: bool = True) -> str:
        """The record's line for a terminal: `HubSpot 1002: ana -> bo (balanced): why`."""
        if self.rep is None:
            change = f"keeps its owner {self.owner or '(none)'}"
        elif self.rep == self.owner:
            change = f"stays with {self.rep}"
        else:
            change = f"{self.owner or '(no owner)'} -> {self.rep}"
        text = f"{CRM_NAMES[self.source]} {self.external_id}: {change} ({self.rule})"
        return f"{text}: {self.reason}" if with_reason and self.reason else text


def record_owners(
    company: CompanyFacts, assignment: Assignment, primary_source: str
) -> tuple[RecordOwner, ...]:
    """Each record's owner today and after `assignment`, the deciding record first."""
    first, second = ordered_records(company, primary_source)
    return tuple(
        RecordOwner(
            source=record.source,
            external_id=record.external_id,
            owner=record.current_owner_email,
            rep=assignment.rep_for(record.source),
            rule=assignment.rep_rule_for(record.source) or assignment.rep_rule,
            reason=assignment.rep_reason_for(record.source),
        )
        for record in (first, second)
        if record is not None
    )


@dataclass(frozen=True)
class Explanation:
    key: str
    records: tuple[str, ...]
    """"salesforce 001..." per record, the deciding one first."""
    values: tuple[tuple[str, str], ...]
    """The unified values the rules read, as read (primary record first)."""
    place: tuple[str | None, str | None]
    holdouts: tuple[HoldoutCheck, ...]
    named_account: NamedAccount | tuple[NamedAccount, NamedAccount] | None
    territories: tuple[TerritoryCheck, ...]
    """Candidates first, in the order the rules of engagement rank them; then the others in file
    order."""
    assignment: Assignment
    owners: tuple[RecordOwner, ...]
    """Per CRM record: its owner today, its rep after the evaluation, and why."""
    member_loads: tuple[MemberLoad, ...]
    """Accounts and load of the chosen territory's eligible owners after the evaluation."""
    alone: bool
    """True when no full evaluation was given: the rep is the one this account alone would get."""
    skills: tuple[str, ...] = ()
    """The chosen territory's skill rules and how each owner member meets them (none without)."""


def explain(
    company: CompanyFacts,
    rules: LoadedTerritories,
    reps: Mapping[str, RepDirectoryEntry],
    *,
    evaluation: Evaluation | None = None,
) -> Explanation:
    """Explain one account. Pass the `evaluation` of the whole book for the exact rep."""
    first, second = ordered_records(company, rules.settings.primary_source)
    assignment = evaluation.by_key.get(company.key) if evaluation is not None else None
    alone = assignment is None
    if assignment is None:
        evaluation = evaluate([company], rules, reps)
        assignment = evaluation.assignments[0]
    assert evaluation is not None
    values = tuple(
        (name, shown(reader_for(name)(first, second)))
        for name in explained_fields()
        if reader_for(name)(first, second) is not None
    )
    country = first.country if first.country is not None else getattr(second, "country", None)
    region = first.region if first.region is not None else getattr(second, "region", None)
    candidates = rules.index.candidates(country, region)
    candidate_names = [candidate.name for candidate in candidates]
    holdouts = tuple(
        HoldoutCheck(h.name, h.line, h.criterion.explain(first, second)) for h in rules.holdouts
    )
    named = named_entry(first, second, rules.named_lookup)
    checks = {}
    for territory in rules.territories.values():
        criteria = tuple(
            CriterionCheck(criterion.explain(first, second), origin, criterion.line)
            for criterion, origin in zip(territory.criteria, territory.origins, strict=True)
        )
        checks[territory.name] = TerritoryCheck(
            name=territory.name,
            depth=territory.depth,
            priority=territory.priority,
            candidate=territory.name in candidate_names,
            matched=all(check.outcome.passed for check in criteria),
            criteria=criteria,
            is_catch_all=territory.is_catch_all,
        )
    ordered = [checks[name] for name in candidate_names]
    ordered += [check for name, check in checks.items() if name not in candidate_names]
    loads = evaluation.member_loads(assignment.territory) if assignment.territory else []
    return Explanation(
        key=company.key,
        records=tuple(
            f"{record.source} {record.external_id}"
            for record in (first, second)
            if record is not None
        ),
        values=values,
        place=(country, region),
        holdouts=holdouts,
        named_account=named,
        territories=tuple(ordered),
        assignment=assignment,
        owners=record_owners(company, assignment, rules.settings.primary_source),
        member_loads=tuple(loads),
        alone=alone,
        skills=_skill_lines(rules, assignment.territory, first, second),
    )


def _skill_lines(
    rules: LoadedTerritories, name: str | None, first: RecordFacts, second: RecordFacts | None
) -> tuple[str, ...]:
    territory = rules.territories.get(name or "")
    if territory is None or not (territory.require or territory.prefer):
        return ()
    lines = []
    if territory.require:
        lines.append("requires " + "; ".join(test.describe() for test in territory.require))
    if territory.prefer:
        parts = []
        for test in territory.prefer:
            described = test.describe()
            if test.tags is None:
                own = sorted(account_tags(test.dimension, first, second))
                described += f" ({', '.join(own) if own else 'none known'})"
            parts.append(described)
        lines.append("prefers " + "; ".join(parts))
    for member in territory.owners:
        skills = rules.skills.get(member.email, NO_SKILLS)
        status = "qualifies" if qualifies(skills, territory.require) else "lacks a required skill"
        if territory.prefer:
            match = matched(skills, territory.prefer, first, second)
            score = preference(skills, territory.prefer, first, second)
            status += f"; matches {match} (score {score})" if match else "; matches nothing"
        lines.append(f"{member.email}: {status}")
    return tuple(lines)


def _outcome_lines(outcome: Outcome, indent: str, origin: str | None = None) -> list[str]:
    verdict = "yes" if outcome.passed else "no"
    actual = f" (the account has {outcome.actual})" if outcome.actual is not None else ""
    source = f" [from {origin}]" if origin else ""
    lines = [f"{indent}{outcome.label}: {verdict}{actual}{source}"]
    for child in outcome.children:
        lines += _outcome_lines(child, indent + "  ")
    return lines


def render_explanation(explanation: Explanation) -> str:
    """The explanation as plain text for a terminal."""
    a = explanation.assignment
    country, region = explanation.place
    where = f"{country or '(no country)'} / {region or '(no region)'}"
    lines = [f"Account {explanation.key}", f"  Records: {', '.join(explanation.records)}"]
    if len(explanation.records) > 1:
        lines.append("  (values come from the first record; the second fills its gaps)")
    values = ", ".join(f"{name} {value}" for name, value in explanation.values)
    lines.append(f"  Values: {values or '(none)'}")
    lines.append("")
    lines.append("Holdouts:" if explanation.holdouts else "Holdouts: none in the file")
    for holdout in explanation.holdouts:
        verdict = "holds it" if holdout.outcome.passed else "does not apply"
        lines.append(f'  "{holdout.name}" (line {holdout.line}): {verdict}')
        lines += _outcome_lines(holdout.outcome, "    ")
    named = explanation.named_account
    if isinstance(named, NamedAccount):
        lines.append(
            f"Named account: {named.match_by} {named.value} -> {named.target} (line {named.line})"
        )
    elif isinstance(named, tuple):
        lines.append(
            "Named accounts: conflicting entries on lines "
            + " and ".join(str(entry.line) for entry in named)
        )
    else:
        lines.append("Named accounts: none names this account")
    lines.append("")
    candidates = [t for t in explanation.territories if t.candidate]
    others = [t for t in explanation.territories if not t.candidate]
    lines.append(f"Territories that can match {where}, by rank (priority, then depth):")
    if not candidates:
        lines.append("  none")
    for check in candidates:
        verdict = "MATCHES" if check.matched else "does not match"
        lines.append(f"  {check.name} (priority {check.priority}, depth {check.depth}): {verdict}")
        for criterion in check.criteria:
            origin = criterion.origin if criterion.origin != check.name else None
            lines += _outcome_lines(criterion.outcome, "    ", origin)
    if others:
        lines.append(f"Not candidates for {where} ({len(others)}):")
        for check in others:
            if check.is_catch_all:
                lines.append(f"  {check.name}: the catch-all, used only when nothing matches")
                continue
            failed = next((c for c in check.criteria if not c.outcome.passed), None)
            if failed is None:
                lines.append(f"  {check.name}: matches")
                continue
            why = _outcome_lines(
                failed.outcome, "", failed.origin if failed.origin != check.name else None
            )[0]
            lines.append(f"  {check.name}: {why}")
    lines.append("")
    lines.append(f"Decision ({a.territory_rule}): {a.territory_reason}")
    rep = a.rep_reason or "The account keeps its current owner."
    lines.append(f"Rep ({a.rep_rule}): {rep}")
    lines.append("Owner per CRM:")
    for owner in explanation.owners:
        # The primary record's reason is the line above; a record decided apart says its own.
        lines.append(f"  {owner.line(with_reason=owner.reason != a.rep_reason)}")
    if explanation.skills:
        lines.append(f"Skills in {a.territory}:")
        lines += [f"  {line}" for line in explanation.skills]
    if explanation.member_loads:
        lines.append(f"Loads in {a.territory} after this evaluation:")
        for load in explanation.member_loads:
            cap = f", capacity {load.capacity}" if load.capacity is not None else ""
            inactive = [CRM_NAMES[source] for source in CRM_NAMES if source not in load.active_in]
            status = f", inactive in {' and '.join(inactive)}" if inactive else ""
            lines.append(
                f"  {load.email}: {load.accounts} accounts, load {load.load} "
                f"(weight {load.weight:g}{cap}{status})"
            )
    if explanation.alone:
        lines.append(
            "(Evaluated on its own: with the whole book, other accounts' loads decide which "
            "member gets a new account.)"
        )
    return "\n".join(lines)


def decision_data(assignment: Assignment) -> dict[str, Any]:
    """The decision as plain data: territory, rep and rules, and per CRM record its rep."""
    return {
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


def _outcome_data(outcome: Outcome) -> dict[str, Any]:
    return {
        "label": outcome.label,
        "passed": outcome.passed,
        "actual": outcome.actual,
        "children": [_outcome_data(child) for child in outcome.children],
    }


def _named_data(named: NamedAccount) -> dict[str, Any]:
    return {
        "line": named.line,
        "match_by": named.match_by,
        "value": named.value,
        "target": named.target,
    }


def explanation_data(explanation: Explanation) -> dict[str, Any]:
    """The explanation as plain data (JSON-ready), in the order `render_explanation` shows it."""
    named = explanation.named_account
    country, region = explanation.place
    return {
        "key": explanation.key,
        "records": list(explanation.records),
        "values": dict(explanation.values),
        "place": {"country": country, "region": region},
        "holdouts": [
            {"name": h.name, "line": h.line, "outcome": _outcome_data(h.outcome)}
            for h in explanation.holdouts
        ],
        "named_account": (
            None
            if named is None
            else [_named_data(entry) for entry in named]
            if isinstance(named, tuple)
            else _named_data(named)
        ),
        "territories": [
            {
                "name": t.name,
                "depth": t.depth,
                "priority": t.priority,
                "candidate": t.candidate,
                "matched": t.matched,
                "is_catch_all": t.is_catch_all,
                "criteria": [
                    {"origin": c.origin, "line": c.line, **_outcome_data(c.outcome)}
                    for c in t.criteria
                ],
            }
            for t in explanation.territories
        ],
        "decision": decision_data(explanation.assignment),
        "owners": [asdict(owner) for owner in explanation.owners],
        "member_loads": [
            {**asdict(load), "active_in": sorted(load.active_in)}
            for load in explanation.member_loads
        ],
        "alone": explanation.alone,
        "skills": list(explanation.skills),
    }
