"""The territory engine: which territory and which rep each business belongs to, and why.

Pure code: no database, no HTTP; the only input read is the territory file. The integrator
builds the facts from the store and writes owners from the assignments.

Entry points
- `load_territory_file(path, *, known_reps=None, known_fields=DEFAULT_KNOWN_RAW_FIELDS)
  -> LoadedTerritories`, and `parse_territory_text(text, source_name, ...)` for text in hand.
  Raises `territory_sync.errors.TerritoryFileError` naming file, line, territory and field;
  `LoadedTerritories.warnings` lists what loads but deserves attention, `.fingerprint` is the
  SHA-256 of the file. The format is documented in `mapping.territories.loader`.
- `evaluate(companies, rules, reps) -> Evaluation`: an `Assignment` per `CompanyFacts`, in input
  order (`territory`, `rep_email` or None to leave the owner, `territory_rule`, `rep_rule`,
  `reason`, `tied`), plus `summary` (counts for the run summary) and `member_loads(territory)`.
- `explain(company, rules, reps, *, evaluation=None) -> Explanation` and
  `render_explanation(explanation) -> str`: every territory considered with each criterion's
  outcome and the account's actual value, the rule of engagement that decided, and why this rep.
- `balance_report(companies, evaluation) -> BalanceReport` and `render_balance_report`: accounts,
  revenue and employees per territory and per rep, with max/min spread and Gini coefficient.
- `what_if(current_rules, proposed_rules, companies, reps) -> WhatIfReport` and
  `render_what_if`: how many accounts a proposed file would move, between whom, and the balance
  before and after; nothing is written.

Inputs: `CompanyFacts(key, records)` with `RecordFacts` per CRM record (unified values as
attributes, raw CRM fields in `raw`, the owner's lower-case email), and
`RepDirectoryEntry(email, active, has_salesforce_id, has_hubspot_id)` by lower-case email.
The starter file, commented for admins, is `mapping/territories/starter.yaml` (`STARTER_FILE`).
"""

from pathlib import Path

from mapping.territories.assignment import Assignment
from mapping.territories.balance import (
    BalanceReport,
    WhatIfReport,
    balance_report,
    render_balance_report,
    render_what_if,
    what_if,
)
from mapping.territories.engine import Evaluation, EvaluationSummary, evaluate
from mapping.territories.explain import Explanation, explain, render_explanation
from mapping.territories.facts import CompanyFacts, RecordFacts, RepDirectoryEntry
from mapping.territories.fields import DEFAULT_KNOWN_RAW_FIELDS, UNIFIED_FIELDS
from mapping.territories.loader import load_territory_file, parse_territory_text
from mapping.territories.rules import LoadedTerritories

STARTER_FILE = Path(__file__).with_name("starter.yaml")

__all__ = [
    "DEFAULT_KNOWN_RAW_FIELDS",
    "STARTER_FILE",
    "UNIFIED_FIELDS",
    "Assignment",
    "BalanceReport",
    "CompanyFacts",
    "Evaluation",
    "EvaluationSummary",
    "Explanation",
    "LoadedTerritories",
    "RecordFacts",
    "RepDirectoryEntry",
    "WhatIfReport",
    "balance_report",
    "evaluate",
    "explain",
    "load_territory_file",
    "parse_territory_text",
    "render_balance_report",
    "render_explanation",
    "render_what_if",
    "what_if",
]
