"""The territory engine: which territory and which rep each business belongs to, and why.

Pure code: no database, no HTTP; the only input read is the territory file. The integrator
builds the facts from the store and writes owners from the assignments.

Entry points
- `load_territory_file(path, *, known_reps=None, known_fields=None) -> LoadedTerritories`, and
  `parse_territory_text(text, source_name, ...)` for text in hand. Raises
  `territory_sync.errors.TerritoryFileError` naming file, line, territory and field;
  `LoadedTerritories.warnings` lists what loads but deserves attention (a rep known in one CRM,
  a rep inactive in one CRM or both, a territory without an owner member active in a CRM, one
  that can never win or never match, one without owners); `.raw_fields` maps every raw CRM
  field the file tests to its first use (`FieldUse`: line, territory or holdout), and
  `.raw_field_error(name, message)` makes the error naming that place; `.fingerprint` is the
  SHA-256 of the file. Any raw field name loads unless `known_fields` lists the names allowed.
  The format is documented in `mapping.territories.loader`; the commented starter file for the
  sandbox is the one `territory-sync init` writes (`territory_sync/templates/territories.yaml`).
- `evaluate(companies, rules, reps) -> Evaluation`: one `Assignment` per `CompanyFacts`, in
  input order, with `territory` (or None), `rep_for(source)` (the rep for the business's record
  in that CRM; None: leave its owner as it is), `rep_email` (the primary record's rep),
  `territory_rule` (holdout, named_account, priority, specificity, only_match, catch_all,
  unmatched_keep_owner, tie, named_conflict), `rep_rule` (sticky, balanced, single_owner,
  named_rep, no_eligible_member, capacity_full, keep_owner) and `rep_rule_for(source)`, `tied`,
  `previous_owner`, and a `reason` (and `reason_for(source)`) a rep can read; plus `summary`
  (counts for the run summary, ties by territory pair), `member_loads(territory)` and
  `territories_without_active_member()` (CRM -> territories whose owners are all inactive
  there).
- `columnar.evaluate_columns(columns, rules, reps) -> ColumnarEvaluation`: the same decisions
  as `evaluate`, computed over a book held as dictionary-encoded columns (`columns.CompanyColumns`,
  built by `columns.columns_from_companies` or straight from a SQLite store by
  `sync.company_columns`); `assignment(row)`, `assignments()` and `evaluation()` give the
  reference's objects. `columnar.applies(rules)` says whether a file can be evaluated so
  (balancing by accounts); territories whose members are active in different CRMs, or over
  capacity, are handed to `evaluate` internally. `evaluate` stays the reference: a property test
  checks the two agree on every business.
- `explain(company, rules, reps, *, evaluation=None) -> Explanation` and
  `render_explanation(explanation) -> str`: every territory considered with each criterion's
  outcome and the account's actual value, the rule of engagement that decided, and why this rep
  (pass the evaluation of the whole book for the exact rep and the loads behind it);
  `Explanation.owners` gives each CRM record's owner today, its rep after, and why.
- `balance_report(companies, evaluation) -> BalanceReport` and `render_balance_report`:
  accounts, revenue and employees per territory and per rep, with max/min spread and Gini.
- `what_if(current_rules, proposed_rules, companies, reps) -> WhatIfReport` and
  `render_what_if`: how many accounts a proposed file would move, between whom, and the balance
  before and after; nothing is written.

Inputs: `CompanyFacts(key, records)`, one business with one `RecordFacts` per CRM record
(unified values as attributes, raw CRM fields in `raw`, the owner as a lower-case email;
`RecordFacts.from_unified(account, owner_email)` builds one from a pulled account), and
`RepDirectoryEntry(email, active_in, has_salesforce_id, has_hubspot_id)` keyed by lower-case
email, `active_in` the CRMs where the rep's seat is active (`is_active_in(source)`; `active`:
active somewhere). A rep inactive in one CRM loses their records there and keeps the others.
"""

from mapping.territories.assignment import Assignment, SplitRecord
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
from mapping.territories.facts import (
    ACTIVE_EVERYWHERE,
    ACTIVE_NOWHERE,
    HUBSPOT,
    SALESFORCE,
    CompanyFacts,
    RecordFacts,
    RepDirectoryEntry,
)
from mapping.territories.fields import FieldUse, unified_fields
from mapping.territories.loader import load_territory_file, parse_territory_text
from mapping.territories.rules import LoadedTerritories

__all__ = [
    "ACTIVE_EVERYWHERE",
    "ACTIVE_NOWHERE",
    "HUBSPOT",
    "SALESFORCE",
    "Assignment",
    "BalanceReport",
    "CompanyFacts",
    "Evaluation",
    "EvaluationSummary",
    "Explanation",
    "FieldUse",
    "LoadedTerritories",
    "RecordFacts",
    "RepDirectoryEntry",
    "SplitRecord",
    "WhatIfReport",
    "balance_report",
    "evaluate",
    "explain",
    "load_territory_file",
    "parse_territory_text",
    "render_balance_report",
    "render_explanation",
    "render_what_if",
    "unified_fields",
    "what_if",
]
