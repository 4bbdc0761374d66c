"""Explain one business's assignment: every territory considered, each criterion's outcome with
the business's actual value, the rule of engagement that decided, and why this rep.

Pure: it reads the compiled rules and the engine's assignment for the business, and evaluates each
criterion again with its `explain` method (the engine itself only runs the fast compiled tests).
Owners are per CRM record: the explanation lists who owns each record and who will, and why when
a record is decided apart from the business (its rep inactive in that record's CRM).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapping.territories.assignment import Assignment
from mapping.territories.criteria import Outcome
from mapping.territories.explain import RecordOwner, record_owners
from mapping.territories.facts import CompanyFacts, ordered_records
from mapping.territories.rules import LoadedTerritories


@dataclass
class TerritoryTrace:
    name: str
    matched: bool
    outcomes: list[tuple[str, Outcome]]
    """(territory that wrote the criterion, its outcome), inherited criteria first."""
    priority: int
    depth: int
    catch_all: bool = False


@dataclass
class Explanation:
    key: str
    records: list[str]
    values: dict[str, object]
    holdouts: list[tuple[str, Outcome]] = field(default_factory=list)
    territories: list[TerritoryTrace] = field(default_factory=list)
    assignment: Assignment | None = None
    owners: list[RecordOwner] = field(default_factory=list)
    """Per CRM record: its owner today, its rep after the evaluation, and why."""

    def render(self) -> str:
        lines = [f"Company {self.key} ({', '.join(self.records)})"]
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        lines.append(f"  values used: {shown}")
        for name, outcome in self.holdouts:
            lines.append(f"  holdout {name!r}: {'MATCH' if outcome.passed else 'no'}")
            lines.extend(_outcome_lines(outcome, "    "))
        for trace in self.territories:
            verdict = "MATCH" if trace.matched else "no match"
            if trace.catch_all:
                verdict = "catch-all: takes accounts no other territory matches"
            lines.append(
                f"  territory {trace.name} (priority {trace.priority}, depth {trace.depth}): "
                f"{verdict}"
            )
            for origin, outcome in trace.outcomes:
                inherited = f" (from {origin})" if origin != trace.name else ""
                lines.extend(_outcome_lines(outcome, "    ", inherited))
        if self.assignment is not None:
            a = self.assignment
            lines.append(
                f"  decided: territory {a.territory or '(none)'} by rule {a.territory_rule}; "
                f"rep {a.rep_email or '(owner kept)'} by rule {a.rep_rule}"
            )
            lines.append(f"  why: {a.reason}")
            lines.append("  owners per CRM:")
            for owner in self.owners:
                lines.append(f"    {owner.line(with_reason=False)}")
        return "\n".join(lines)


def _outcome_lines(outcome: Outcome, indent: str, suffix: str = "") -> list[str]:
    mark = "✓" if outcome.passed else "✗"
    actual = f" (value: {outcome.actual})" if outcome.actual is not None else ""
    lines = [f"{indent}{mark} {outcome.label}{actual}{suffix}"]
    for child in outcome.children:
        lines.extend(_outcome_lines(child, indent + "  "))
    return lines


def explain_company(
    company: CompanyFacts, rules: LoadedTerritories, assignment: Assignment | None
) -> Explanation:
    first, second = ordered_records(company, rules.settings.primary_source)
    values: dict[str, object] = {
        name: getattr(first, name)
        if getattr(first, name) is not None
        else (getattr(second, name) if second is not None else None)
        for name in (
            "name",
            "domain",
            "country",
            "region",
            "postal_code",
            "industry",
            "employees",
            "annual_revenue",
            "current_owner_email",
        )
    }
    explanation = Explanation(
        key=company.key,
        records=[f"{r.source} {r.external_id}" for r in company.records],
        values=values,
        assignment=assignment,
        owners=list(record_owners(company, assignment, rules.settings.primary_source))
        if assignment is not None
        else [],
    )
    for holdout in rules.holdouts:
        explanation.holdouts.append((holdout.name, holdout.criterion.explain(first, second)))
    for territory in rules.territories.values():
        outcomes = [
            (origin, criterion.explain(first, second))
            for origin, criterion in zip(territory.origins, territory.criteria, strict=True)
        ]
        explanation.territories.append(
            TerritoryTrace(
                name=territory.name,
                matched=all(outcome.passed for _, outcome in outcomes),
                outcomes=outcomes,
                priority=territory.priority,
                depth=territory.depth,
                catch_all=territory.is_catch_all,
            )
        )
    return explanation
