"""The territory engine: which territory and which rep each business belongs to, and why.

Pure code: no database, no HTTP; the only input read is the territory file. The integrator
builds the facts from the store and writes owners from the assignments.

Entry points
- `load_territory_file(path, *, known_reps=None, known_fields=DEFAULT_KNOWN_RAW_FIELDS)
  -> LoadedTerritories`, and `parse_territory_text(text, source_name, ...)` for text in hand.
  Raises `territory_sync.errors.TerritoryFileError` naming file, line, territory and field;
  `LoadedTerritories.warnings` lists what loads but deserves attention (a rep known in one CRM,
  an inactive rep, a territory that can never win or never match, one without owners);
  `.fingerprint` is the SHA-256 of the file. The format is documented in
  `mapping.territories.loader`; `STARTER_FILE` is the commented starter for the sandbox.
- `evaluate(companies, rules, reps) -> Evaluation`: one `Assignment` per `CompanyFacts`, in
  input order, with `territory` (or None), `rep_email` (None: leave the owner as it is),
  `territory_rule` (holdout, named_account, priority, specificity, only_match, catch_all,
  unmatched_keep_owner, tie, named_conflict), `rep_rule` (sticky, balanced, single_owner,
  named_rep, no_eligible_member, capacity_full, keep_owner), `tied`, `previous_owner` and a
  `reason` a rep can read; plus `summary` (counts for the run summary, ties by territory pair)
  and `member_loads(territory)`.
- `explain(company, rules, reps, *, evaluation=None) -> Explanation` and
  `render_explanation(explanation) -> str`: every territory considered with each criterion's
  outcome and the account's actual value, the rule of engagement that decided, and why this rep
  (pass the evaluation of the whole book for the exact rep and the loads behind it).
- `balance_report(companies, evaluation) -> BalanceReport` and `render_balance_report`:
  accounts, revenue and employees per territory and per rep, with max/min spread and Gini.
- `what_if(current_rules, proposed_rules, companies, reps) -> WhatIfReport` and
  `render_what_if`: how many accounts a proposed file would move, between whom, and the balance
  before and after; nothing is written.

Inputs: `CompanyFacts(key, records)`, one business with one `RecordFacts` per CRM record
(unified values as attributes, raw CRM fields in `raw`, the owner as a lower-case email;
`RecordFacts.from_unified(account, owner_email)` builds one from a pulled account), and
`RepDirectoryEntry(email, active, has_salesforce_id, has_hubspot_id)` keyed by lower-case email.
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
