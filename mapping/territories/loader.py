"""Loading a territory file: YAML in, validated and compiled `LoadedTerritories` out.

The file format (version 1), as a RevOps admin writes it:

    version: 1
    settings:
      unmatched: keep_owner        # keep_owner (default): accounts no territory matches keep
                                   # their owner; catch_all: they go to the catch_all territory
      catch_all: Rest-of-World     # needed with unmatched: catch_all (a top-level territory
                                   # without criteria or children)
      balance_by: accounts         # accounts (default) | revenue | employees: the load that
                                   # balanced territories even out
      primary_source: salesforce   # salesforce (default) | hubspot: whose values decide for a
                                   # company in both CRMs (the other fills gaps)
      balancing:                   # optional (see `rebalance`): the fewest moves that bring
        tolerance: 10%             # every owner member within 10% of their share; max_moves:
                                   # N or 5% caps the moves; measure: accounts (default),
                                   # revenue, employees, workload or a list; workload: points
                                   # per unit, {accounts: 1, revenue: 1 per 5000000};
                                   # never_move: {gained_within_days: 30} keeps accounts
                                   # their owner gained in the last 30 days
      overlap_rules: [first_touch, priority, depth]  # optional: first_touch gives an account
                                   # several territories match to the rep who owns (or
                                   # created) its earliest opportunity, if eligible in one
      related_records:             # optional (see `related_rules`): what follows an account
        contacts: owned_by_previous_owner   # (default) | follow_account | stay
        open_opportunities: stay_until_closed  # (default) | follow |
                                   # {follow_before_stage: Proposal/Price Quote}; closed
                                   # opportunities never move; per CRM under hubspot: {...}
      fiscal_year_start_month: 1   # optional (see `goals`, `periods`): 1-12; FY2027 ends in 2027
      reporting_currency: USD      # optional: goals' amounts; currency_rates: {EUR: 1.08}
    reps:                          # optional (see `skills`): each rep's skill tags and levels
      - email: ana.ortiz@acme-revenue.example
        languages: [es, en]
    territories:                   # a hierarchy: children nest under `children:`, or name their
      - name: NA                   # parent with `parent: NA` at the top level
        criteria:
          country: [US, CA]
        children:
          - name: NA-West
            priority: 0            # optional whole number, higher wins an overlap (default 0)
            criteria:
              region: [US-CA, US-WA, US-OR]
            assignment: balanced   # balanced (default with 2+ owners) | single (one owner)
            require: {languages: [es]}       # optional: only members with the skill are eligible
            prefer: {industries: account}    # optional: the best match gets new accounts
            goals: {period: quarter, bookings: 250000}  # optional (see `goals`): scorecards
            members:
              - email: ana.ortiz@acme-revenue.example
                role: owner        # owner (default) | overlay: recorded, never made owner
                weight: 2          # share of new accounts relative to other owners (default 1)
                capacity: 400      # never more than this many accounts (optional)
                goals: {bookings: 120000}    # optional: an owner member's own goals
    named_accounts:                # pinned accounts: one identifier and one target each
      - domain: acme.com           # or salesforce_id: 0015g00000ABCDEAAA, or hubspot_id: "42"
        territory: NA-West         # or rep: ana.ortiz@acme-revenue.example
    holdouts:                      # accounts never reassigned (their owner stays)
      - name: Existing customers stay with their account manager
        criteria:
          any:
            - {field: Type, in: ["Customer - Direct", "Customer - Channel"]}
            - {field: Do_Not_Reassign__c, equals: true}

Criteria (a mapping; its keys are ANDed; a child's criteria are ANDed with its parent's):
- `country: [US, CA]` ISO 3166-1 alpha-2 codes (names such as Germany are accepted and
  converted); `region: [US-CA, DE-BY]` ISO 3166-2 codes; `industry: [software]` unified industry
  keys (mapping/normalise/industries.py).
- `postal_code: ["94", "95"]` prefixes, or `{prefixes: [...], ranges: [["94000", "94999"]]}`; a
  range compares the code's first len(from) characters. Postal codes must be quoted.
- `employees: {min: 1000}`, `annual_revenue: {min: 1000000, max: 50000000}`: bands, min included,
  max excluded (so `max: 1000` and `min: 1000` never overlap).
- A test on any field, unified or a CRM field in the CRM's own spelling (any name: a run pulls
  the fields the file tests, and reports one no CRM has, with its line):
  `{field: NAME, equals: V}`, `{field: NAME, in: [...]}`, `{field: NAME, min: X, max: Y}`,
  `{field: NAME, matches: REGEX}` (case-insensitive search in RE2 syntax: no lookaround or
  backreferences, see `patterns`), `{field: NAME, present: true}`.
  On CRM fields, `equals`/`in` ignore case and read "true"/"1000" text as the value it spells.
- `all: [...]`, `any: [...]` (lists of criteria mappings), `not: {...}`.
A missing value fails every test except `present: false`.

Rules of engagement when several territories match: a named account's pin first (holdouts come
before even that), then the higher `priority`, then the deeper territory. Territories left level
by both are a tie: when their criteria provably overlap (plain lists and bands on the same
fields, intersecting on each) the file is rejected at load; otherwise such an account is left
unassigned with a `tie` reason naming both. File order never decides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mapping.territories.checks import active_member_warnings, check_rules
from mapping.territories.criteria import Criterion
from mapping.territories.criteria_loader import CriteriaBuilder
from mapping.territories.facts import CRM_NAMES, RECORDS_NOUNS, SOURCES, RepDirectoryEntry
from mapping.territories.fields import FieldUse
from mapping.territories.goals import (
    REPORTING_KEYS,
    Goals,
    Reporting,
    TerritoryGoals,
    read_reporting,
    read_territory_goals,
)
from mapping.territories.named_and_holdouts import read_holdouts, read_named_accounts
from mapping.territories.related_rules import RelatedRecordRules, read_related_rules
from mapping.territories.rules import (
    BALANCE_MEASURES,
    BALANCED,
    BALANCING_MEASURES,
    CATCH_ALL,
    KEEP_OWNER,
    OVERLAY,
    OWNER,
    SINGLE,
    WORKLOAD,
    Balancing,
    Holdout,
    LoadedTerritories,
    Member,
    NamedAccount,
    Settings,
    Territory,
)
from mapping.territories.skills import SkillSet, SkillTest, read_rep_skills, read_skill_tests
from mapping.territories.yaml_nodes import (
    Where,
    compose,
    integer,
    line_of,
    mapping_items,
    number,
    one_of,
    reject_unknown_keys,
    sequence,
    suggestion,
    text,
)
from territory_sync.errors import TerritoryFileError

FORMAT_VERSION = 1
TOP_LEVEL_KEYS = ("version", "settings", "reps", "territories", "named_accounts", "holdouts")
SETTINGS_KEYS = (
    "unmatched",
    "catch_all",
    "balance_by",
    "primary_source",
    "balancing",
    "overlap_rules",
    "related_records",
    *REPORTING_KEYS,
)
OVERLAP_RULES = ("priority", "depth")
FIRST_TOUCH = "first_touch"
BALANCING_KEYS = ("measure", "tolerance", "max_moves", "workload", "never_move")
NEVER_MOVE_KEYS = ("gained_within_days",)
MOST_DAYS = 3650
WORKLOAD_EXAMPLE = "workload: {accounts: 1, revenue: 1 per 5000000, employees: 1 per 250}"
MOST_POINTS = 1e6
"""The most points one unit of a measure may count (more is a typo, and would overflow)."""


def _plain_number(written: str) -> float:
    """ "5000000", "5_000_000" or "5,000,000" (commas only between groups of three digits, so
    a decimal comma such as 1,5 is refused rather than read as 15)."""
    head, *groups = written.strip().replace("_", "").split(",")
    if any(len(group) != 3 or not group.isdigit() for group in groups):
        raise ValueError(written)
    value = float(head + "".join(groups))
    if value != value:
        raise ValueError(written)
    return value


_UNIT_OF = {"accounts": "account", "revenue": "unit of revenue", "employees": "employee"}
MOST_MOVES = 10**9
"""The largest `max_moves` read as a number (more is no cap at all: leave max_moves out)."""
TERRITORY_KEYS = (
    "name",
    "parent",
    "priority",
    "criteria",
    "assignment",
    "members",
    "require",
    "prefer",
    "goals",
    "children",
)
MEMBER_KEYS = ("email", "role", "weight", "capacity", "goals")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def load_territory_file(
    path: str | Path,
    *,
    known_reps: Mapping[str, RepDirectoryEntry] | None = None,
    known_fields: Collection[str] | None = None,
) -> LoadedTerritories:
    """Read, validate and compile a territory file; raises `TerritoryFileError`, reporting every
    error in the file at once, in line order (its `errors`); nothing is loaded then.

    `known_reps` (by lower-case email, from the last pull) turns unknown member emails into errors
    and inactive or one-CRM reps, and territories without an owner member active in a CRM, into
    warnings; without it only the email's shape is checked. `known_fields` None lets tests name
    any raw CRM field (`LoadedTerritories.raw_fields` lists them, to be checked against the CRMs);
    given the raw field names a caller knows the CRMs have, any other raw name is an error."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise TerritoryFileError(
            "no such file: create it with territory-sync init, or pass the right path",
            file=source,
        ) from error
    except OSError as error:
        raise TerritoryFileError(
            f"cannot read the file ({error.strerror}): check its permissions", file=source
        ) from error
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TerritoryFileError(
            "the file is not UTF-8 text: save it as UTF-8", file=source
        ) from error
    return parse_territory_text(content, source, known_reps=known_reps, known_fields=known_fields)


def parse_territory_text(
    content: str,
    source_name: str,
    *,
    known_reps: Mapping[str, RepDirectoryEntry] | None = None,
    known_fields: Collection[str] | None = None,
) -> LoadedTerritories:
    """`load_territory_file` on text already read; `source_name` is what errors call the file."""
    return _Loader(source_name, known_reps, known_fields).load(content)


@dataclass(eq=False)
class _Draft:
    """A territory as read, before the hierarchy is resolved and criteria inherited."""

    name: str
    node: Node
    where: Where
    enclosing: str | None
    parent: str | None
    parent_node: Node | None
    priority: int
    criteria: list[Criterion]
    criteria_node: Node | None
    assignment: str | None
    assignment_node: Node | None
    members: list[Member]
    require: tuple[SkillTest, ...] = ()
    prefer: tuple[SkillTest, ...] = ()
    member_nodes: dict[str, Node] = field(default_factory=dict)
    member_goal_nodes: dict[str, Node] = field(default_factory=dict)
    """Each member's `goals:` as written, by email."""
    goals: TerritoryGoals | None = None
    children: list[str] = field(default_factory=list)


class _Loader:
    def __init__(
        self,
        source_name: str,
        known_reps: Mapping[str, RepDirectoryEntry] | None,
        known_fields: Collection[str] | None,
    ) -> None:
        self.errors: list[TerritoryFileError] = []
        """Every error found so far: the load goes on past each, and raises them all at once."""
        self.where = Where(source_name, found=self.errors)
        self.overlaps_unsure = False
        """An error leaves unsure what some territory matches (an error in a territory or in the
        hierarchy, a catch-all not accepted): proven overlaps are judged once it is fixed."""
        self.known_reps = (
            None if known_reps is None else {k.lower(): v for k, v in known_reps.items()}
        )
        self.known_fields = None if known_fields is None else frozenset(known_fields)
        self.raw_fields: dict[str, FieldUse] = {}
        """Raw CRM fields the criteria test, with their first use."""
        self.drafts: dict[str, _Draft] = {}
        self.rep_nodes: dict[str, tuple[Node, Where]] = {}
        """Where each rep is first named, for warnings about the rep."""

    # --- the document ------------------------------------------------------------------------

    def load(self, content: str) -> LoadedTerritories:
        fingerprint = hashlib.sha256(content.encode("utf-8")).hexdigest()
        root = compose(content, self.where)
        if root is None:
            raise self.where.error(
                "the file is empty: start from the commented file territory-sync init writes",
                None,
            )
        if not isinstance(root, MappingNode):
            raise self.where.error(
                "the file must be a mapping with the keys version, settings, territories, "
                "named_accounts and holdouts",
                root,
            )
        listed = mapping_items(root, self.where, "the file", keep_going=True)
        items = reject_unknown_keys(listed, TOP_LEVEL_KEYS, self.where, "the file", keep_going=True)
        sections = {key: value for key, _, value in items}
        if "version" in sections:
            with self.where.collecting():
                self._version(sections["version"])
        settings_node = sections.get("settings")
        territories_node = sections.get("territories")
        if territories_node is None:
            if len(items) == len(listed):  # else a misspelt territories: key is the one to fix
                self.where.report("the file defines no territories: add a territories: list", root)
            raise TerritoryFileError.all_at_once(self.errors)
        top: list[Node] = []
        with self.where.collecting():
            top = sequence(
                territories_node,
                self.where,
                "territories must be a list, each item starting with - name: ...",
                "territories",
            )
            if not top:
                raise self.where.error(
                    "the file defines no territories: add at least one under territories:",
                    territories_node,
                    "territories",
                )
        if not top:  # without territories, the rest cannot be checked
            raise TerritoryFileError.all_at_once(self.errors)
        before = len(self.errors)
        for node in top:
            self._territory(node, enclosing=None)
        territories = self._resolve_hierarchy()
        if len(self.errors) > before:
            self.overlaps_unsure = True
        settings = self._settings(settings_node, territories)
        named: tuple[NamedAccount, ...] = ()
        with self.where.collecting():
            named = read_named_accounts(
                sections.get("named_accounts"), self.where, territories, self._email
            )
        holdouts: tuple[Holdout, ...] = ()
        with self.where.collecting():
            holdouts = read_holdouts(
                sections.get("holdouts"), self.where, self.known_fields, self.raw_fields
            )
        skills: dict[str, SkillSet] = {}
        with self.where.collecting():
            skills = read_rep_skills(sections.get("reps"), self.where, self._email)
        rules = LoadedTerritories(
            source_name=self.where.file,
            fingerprint=fingerprint,
            settings=settings,
            territories=territories,
            named_accounts=named,
            holdouts=holdouts,
            warnings=[],
            raw_fields=dict(sorted(self.raw_fields.items(), key=lambda item: item[1].line)),
            skills=skills,
        )
        nodes = {n: d.node for n, d in self.drafts.items()}
        if self.overlaps_unsure:
            self._stop_if_errors()
        warnings = check_rules(rules, self.where, nodes)
        self._stop_if_errors()
        rules.warnings.extend(warnings)
        rules.warnings.extend(self._rep_warnings())
        if self.known_reps is not None:
            rules.warnings.extend(active_member_warnings(rules, self.where, nodes, self.known_reps))
        rules.index.prepare()  # compile now, not during the first evaluation
        return rules

    def _stop_if_errors(self) -> None:
        """Raise every error found so far, at once (in line order)."""
        if self.errors:
            raise TerritoryFileError.all_at_once(self.errors)

    def _version(self, node: Node) -> None:
        message = (
            f"version must be {FORMAT_VERSION}: this territory-sync reads version "
            f"{FORMAT_VERSION} territory files"
        )
        if integer(node, self.where, message, "version") != FORMAT_VERSION:
            raise self.where.error(message, node, "version")

    # --- settings ----------------------------------------------------------------------------

    def _choice(self, node: Node, key: str, choices: tuple[str, ...], hint: str) -> str:
        value = text(node, self.where, f"{key} must be {one_of(choices)}", key)
        if value not in choices:
            raise self.where.error(
                f"{key} must be {one_of(choices)}, not {value!r}{hint}", node, key
            )
        return value

    def _settings(self, node: Node | None, territories: dict[str, Territory]) -> Settings:
        """The settings; a key with an error keeps its default, and the others are read."""
        where = self.where
        items: list[tuple[str, ScalarNode, Node]] = []
        if node is not None:
            with where.collecting():
                items = mapping_items(node, where, "settings", "settings", keep_going=True)
            items = reject_unknown_keys(
                items, SETTINGS_KEYS, where, "settings", "settings", keep_going=True
            )
        values = {key: value for key, _, value in items}
        unmatched: str | None = KEEP_OWNER
        if "unmatched" in values:
            unmatched = None  # until read: a wrong one leaves catch_all unchecked
            with where.collecting():
                unmatched = self._choice(
                    values["unmatched"],
                    "unmatched",
                    (KEEP_OWNER, CATCH_ALL),
                    " (keep_owner: unmatched accounts keep their owner)",
                )
        catch_all = None
        if "catch_all" in values:
            with where.collecting():
                name = text(
                    values["catch_all"], where, "catch_all must name a territory", "catch_all"
                )
                if unmatched == KEEP_OWNER:
                    raise where.error(
                        "catch_all is set but unmatched is keep_owner: set unmatched: "
                        "catch_all, or remove catch_all",
                        values["catch_all"],
                        "catch_all",
                    )
                if unmatched == CATCH_ALL:
                    self._check_catch_all(name, values["catch_all"], territories)
                    catch_all = name
        elif unmatched == CATCH_ALL:
            where.report(
                "unmatched: catch_all needs catch_all: NAME, the territory that takes the "
                "accounts no other territory matches",
                values["unmatched"],
                "catch_all",
            )
        if catch_all is None and (unmatched != KEEP_OWNER or "catch_all" in values):
            self.overlaps_unsure = True  # which territory takes what no other does is unsure
        balance_by = "accounts"
        if "balance_by" in values:
            with where.collecting():
                balance_by = self._choice(values["balance_by"], "balance_by", BALANCE_MEASURES, "")
        primary = "salesforce"
        if "primary_source" in values:
            with where.collecting():
                primary = self._choice(
                    values["primary_source"], "primary_source", ("salesforce", "hubspot"), ""
                )
        balancing = None
        if "balancing" in values:
            with where.collecting():
                balancing = self._balancing(values["balancing"], balance_by)
        first_touch_at = None
        if "overlap_rules" in values:
            with where.collecting():
                first_touch_at = self._overlap_rules(values["overlap_rules"])
        related = RelatedRecordRules()
        if "related_records" in values:
            with where.collecting():
                related = read_related_rules(values["related_records"], where)
        return Settings(
            unmatched or KEEP_OWNER,
            catch_all,
            balance_by,
            primary,
            balancing,
            first_touch_at=first_touch_at,
            related=related,
            goals=self._goals(read_reporting(values, where), territories),
        )

    def _goals(self, reporting: Reporting, territories: dict[str, Territory]) -> Goals:
        """The territories' goals (read with each territory), in the territories' order."""
        found = {name: self.drafts[name].goals for name in territories}
        return Goals(reporting, {name: goals for name, goals in found.items() if goals})

    def _overlap_rules(self, node: Node) -> int | None:
        """`overlap_rules: [first_touch, priority, depth]`: where first touch stands among the
        rules that decide an overlap (priority and depth keep their order)."""
        message = (
            "overlap_rules must list priority and depth in that order, with first_touch where it "
            "decides: [first_touch, priority, depth], [priority, first_touch, depth] or "
            "[priority, depth, first_touch]"
        )
        names = [
            text(item, self.where, message, "overlap_rules")
            for item in sequence(node, self.where, message, "overlap_rules")
        ]
        for name, item in zip(names, node.value, strict=True):
            if name not in (*OVERLAP_RULES, FIRST_TOUCH):
                hint = suggestion(name, (*OVERLAP_RULES, FIRST_TOUCH))
                raise self.where.error(
                    f"unknown overlap rule {name!r}{hint}: {message}", item, "overlap_rules"
                )
        if [n for n in names if n != FIRST_TOUCH] != list(OVERLAP_RULES) or names.count(
            FIRST_TOUCH
        ) > 1:
            raise self.where.error(message, node, "overlap_rules")
        return names.index(FIRST_TOUCH) if FIRST_TOUCH in names else None

    def _balancing(self, node: Node, balance_by: str) -> Balancing:
        where = self.where
        items = mapping_items(node, where, "settings.balancing", "balancing")
        reject_unknown_keys(items, BALANCING_KEYS, where, "settings.balancing", "balancing")
        values = {key: value for key, _, value in items}
        measures: tuple[str, ...] = (balance_by,)
        if "measure" in values:
            measures = self._measures(values["measure"])
        if "tolerance" not in values:
            raise where.error(
                "balancing needs a tolerance, for example tolerance: 10% (every owner member "
                "within 10% of their share of the territory's accounts)",
                node,
                "tolerance",
            )
        tolerance = self._share(values["tolerance"], "tolerance", "10%")
        max_moves: int | None = None
        max_share: float | None = None
        if "max_moves" in values:
            cap = values["max_moves"]
            if isinstance(cap, ScalarNode) and cap.value.strip().endswith("%"):
                max_share = self._share(cap, "max_moves", "5%")
            else:
                message = (
                    "max_moves must be a whole number of accounts (0 or more) or a share such as 5%"
                )
                max_moves = integer(cap, where, message, "max_moves")
                if not 0 <= max_moves <= MOST_MOVES:
                    raise where.error(message, cap, "max_moves")
        workload: tuple[tuple[str, float], ...] = ()
        if "workload" in values:
            workload = self._workload(values["workload"])
            if WORKLOAD not in measures:
                raise where.error(
                    "workload defines points that nothing evens out: add workload to measure "
                    "(measure: workload, or measure: [accounts, workload])",
                    values["workload"],
                    "workload",
                )
        elif WORKLOAD in measures:
            raise where.error(
                f"measure names workload, which needs its points: add {WORKLOAD_EXAMPLE}",
                values["measure"],
                "workload",
            )
        gained_within_days = None
        if "never_move" in values:
            gained_within_days = self._never_move(values["never_move"])
        return Balancing(
            tolerance,
            max_moves,
            max_share,
            line_of(node) or 0,
            measures,
            workload,
            gained_within_days,
        )

    def _never_move(self, node: Node) -> int | None:
        """`never_move: {gained_within_days: 30}`: what balancing leaves where it is, beyond
        holdouts and named accounts."""
        where, what = self.where, "settings.balancing.never_move"
        items = mapping_items(node, where, what, "never_move")
        reject_unknown_keys(items, NEVER_MOVE_KEYS, where, what, "never_move")
        if not items:
            raise where.error(
                "never_move lists nothing: write never_move: {gained_within_days: 30}, or "
                "remove it",
                node,
                "never_move",
            )
        days = None
        for _, _, value in items:
            message = (
                f"gained_within_days must be a whole number of days from 1 to {MOST_DAYS}: an "
                "account its owner gained more recently stays with them"
            )
            days = integer(value, where, message, "gained_within_days")
            if not 1 <= days <= MOST_DAYS:
                raise where.error(message, value, "gained_within_days")
        return days

    def _workload(self, node: Node) -> tuple[tuple[str, float], ...]:
        """`workload: {accounts: 1, revenue: 1 per 5000000}`: each measure's points per unit,
        a number or "P per N" (P points for every N)."""
        where = self.where
        if isinstance(node, MappingNode) and any(
            isinstance(key, ScalarNode) and key.value.strip().isdigit() for key, _ in node.value
        ):
            # {revenue: 1 per 5,000,000} reads as the keys revenue, 000 and 000.
            raise where.error(
                "a comma inside { } ends a workload entry: write 1 per 5000000 (or 5_000_000), "
                "or quote it: '1 per 5,000,000'",
                node,
                "workload",
            )
        items = mapping_items(node, where, "settings.balancing.workload", "workload")
        what = "settings.balancing.workload"
        reject_unknown_keys(items, BALANCE_MEASURES, where, what, "workload")
        points = []
        for name, _, value_node in items:
            message = (
                f"workload {name} must be the points one {_UNIT_OF[name]} counts: a number "
                f"(0 or more) or 'P per N' (P points for every N), as in {WORKLOAD_EXAMPLE}"
            )
            points.append((name, self._points(value_node, message)))
        if not any(value > 0 for _, value in points):
            raise where.error(
                f"workload counts no points: give at least one measure points, as in "
                f"{WORKLOAD_EXAMPLE}",
                node,
                "workload",
            )
        return tuple(points)

    def _points(self, node: Node, message: str) -> float:
        """A number, or "P per N" (P points for every N of the measure): P / N."""
        try:
            if isinstance(node, ScalarNode) and " per " in node.value:
                points, _, every = node.value.partition(" per ")
                value = _plain_number(points) / _plain_number(every)
            else:
                value = float(number(node, self.where, message, "workload"))
        except (ValueError, ZeroDivisionError, OverflowError):
            raise self.where.error(message, node, "workload") from None
        if not 0 <= value <= MOST_POINTS:
            raise self.where.error(message, node, "workload")
        return value

    def _measures(self, node: Node) -> tuple[str, ...]:
        """`measure: accounts`, or several evened out together: `measure: [accounts, revenue]`."""
        nodes = node.value if isinstance(node, SequenceNode) else [node]
        if not nodes:
            raise self.where.error(
                f"measure lists nothing: name {one_of(BALANCING_MEASURES)}", node, "measure"
            )
        names = [self._choice(item, "measure", BALANCING_MEASURES, "") for item in nodes]
        if len(set(names)) != len(names):
            raise self.where.error("measure names the same thing twice: keep one", node, "measure")
        return tuple(names)

    def _share(self, node: Node, key: str, example: str) -> float:
        """A share between 0 and 1, written as 0.1 or as 10%."""
        message = f"{key} must be a share from 0 to 1 or a percentage, for example {example}"
        value: float
        if isinstance(node, ScalarNode) and node.value.strip().endswith("%"):
            try:
                value = float(node.value.strip()[:-1]) / 100
            except ValueError:
                raise self.where.error(message, node, key) from None
        else:
            value = float(number(node, self.where, message, key))
        if not 0 <= value <= 1:
            raise self.where.error(message, node, key)
        return value

    def _check_catch_all(self, name: str, node: Node, territories: dict[str, Territory]) -> None:
        if name not in territories:
            raise self.where.error(
                f"catch_all names {name!r}, which is not a territory in this file"
                f"{suggestion(name, territories)}: add that territory or fix the name",
                node,
                "catch_all",
            )
        territory = territories[name]
        draft = self.drafts[name]
        where = self.where.inside(name)
        if territory.parent is not None:
            raise where.error(
                f"the catch-all territory must be top-level: move it out of {territory.parent!r}",
                draft.node,
                "catch_all",
            )
        if territory.own_criteria or territory.children:
            raise where.error(
                "the catch-all territory takes every account no other territory matches, so it "
                "has no criteria and no children: remove them",
                draft.criteria_node or draft.node,
                "criteria" if territory.own_criteria else "children",
            )
        territory.is_catch_all = True

    # --- territories -------------------------------------------------------------------------

    def _territory(self, node: Node, enclosing: str | None) -> str | None:
        """Read one territory and its children; its name, or None when it has none to read.

        Each field with an error keeps its default, and the next field is read; a territory
        whose name is taken is still checked (its children with it), and not kept."""
        where = self.where.inside(None)
        if not isinstance(node, MappingNode):
            where.report(
                "each territory must be a mapping starting with name: ...", node, "territories"
            )
            return None
        for key_node, value_node in node.value:  # the name first, so every error can cite it
            if isinstance(key_node, ScalarNode) and key_node.value == "name":
                if isinstance(value_node, ScalarNode) and value_node.value.strip():
                    where = self.where.inside(value_node.value.strip())
                break
        items = mapping_items(node, where, "a territory", keep_going=True)
        values = {key: value for key, _, value in items}
        if "name" not in values:
            where.report(
                "every territory needs a name: add name: ... (for example NA-West)", node, "name"
            )
            return None
        name: str | None = None
        with where.collecting():
            name = text(values["name"], where, "name must be text, for example NA-West", "name")
        if name is None:
            return None
        where = self.where.inside(name)
        taken = name in self.drafts
        if taken:
            first = line_of(self.drafts[name].node)
            where.report(
                f"the name {name!r} is already used by the territory on line {first}: give each "
                "territory its own name",
                values["name"],
                "name",
            )
        items = reject_unknown_keys(items, TERRITORY_KEYS, where, "a territory", keep_going=True)
        values = {key: value for key, _, value in items}
        parent = None
        if "parent" in values:
            with where.collecting():
                written = text(values["parent"], where, "parent must name a territory", "parent")
                if enclosing is not None and written != enclosing:
                    raise where.error(
                        f"this territory is nested under {enclosing!r} but says parent: "
                        f"{written}: remove parent:, or move the territory",
                        values["parent"],
                        "parent",
                    )
                parent = written
        priority = 0
        if "priority" in values:
            with where.collecting():
                priority = integer(
                    values["priority"],
                    where,
                    "priority must be a whole number; the higher priority wins an overlap",
                    "priority",
                )
        criteria: list[Criterion] = []
        if "criteria" in values:
            with where.collecting():
                criteria = CriteriaBuilder(where, self.known_fields, self.raw_fields).terms(
                    values["criteria"]
                )
        assignment = None
        if "assignment" in values:
            with where.collecting():
                assignment = self._choice_in(
                    where, values["assignment"], "assignment", (BALANCED, SINGLE)
                )
        skills: dict[str, tuple[SkillTest, ...]] = {}
        for key in ("require", "prefer"):
            if key in values:
                with where.collecting():
                    skills[key] = read_skill_tests(values[key], where, key)
        draft = _Draft(
            name=name,
            node=node,
            where=where,
            enclosing=enclosing,
            parent=parent or enclosing,
            parent_node=values.get("parent"),
            priority=priority,
            criteria=criteria,
            criteria_node=values.get("criteria"),
            assignment=assignment,
            assignment_node=values.get("assignment"),
            members=[],
            require=skills.get("require", ()),
            prefer=skills.get("prefer", ()),
        )
        if not taken:
            self.drafts[name] = draft
        if "members" in values:
            with where.collecting():
                draft.members = self._members(values["members"], draft)
        with where.collecting():
            draft.goals = read_territory_goals(
                values.get("goals"),
                where,
                owners=[m.email for m in draft.members if m.role == OWNER],
                overlays=[m.email for m in draft.members if m.role == OVERLAY],
                member_nodes=draft.member_goal_nodes,
            )
        if "children" in values:
            children: list[Node] = []
            with where.collecting():
                children = sequence(
                    values["children"],
                    where,
                    "children must be a list of territories, each starting with - name: ...",
                    "children",
                )
            for child in children:
                child_name = self._territory(child, enclosing=name)
                if child_name is not None:
                    draft.children.append(child_name)
        return name

    def _choice_in(self, where: Where, node: Node, key: str, choices: tuple[str, ...]) -> str:
        value = text(node, where, f"{key} must be {one_of(choices)}", key)
        if value not in choices:
            raise where.error(f"{key} must be {one_of(choices)}, not {value!r}", node, key)
        return value

    def _email(self, node: Node, where: Where, field: str) -> str:
        """The rep's email, lower case. One that is no email address, or (with `known_reps`) no
        rep's, is reported (`Where.report`) and still returned: the rest is checked as if it were
        right, so a typo in an email is one error, not one per place it is named."""
        email = text(node, where, "email must be the rep's email address", field).lower()
        if not _EMAIL.match(email):
            where.report(
                f"{email!r} is not an email address: write the rep's email as the CRMs have it, "
                "e.g. ana.ortiz@example.com",
                node,
                field,
            )
        elif self.known_reps is not None and email not in self.known_reps:
            where.report(
                f"unknown rep {email}: no Salesforce user or HubSpot owner has this email in "
                "the last pull; check the spelling, or run a sync if the rep is new",
                node,
                field,
            )
        else:
            self.rep_nodes.setdefault(email, (node, where))
        return email

    def _members(self, node: Node, draft: _Draft) -> list[Member]:
        """The members; a member with an error in one field is still read (that field keeps
        its default), one that cannot be read at all is left out."""
        entries = sequence(
            node,
            draft.where,
            "members must be a list, each item starting with - email: ...",
            "members",
        )
        members: list[Member] = []
        for entry in entries:
            with draft.where.collecting():
                members.append(self._member(entry, draft))
        return members

    def _member(self, entry: Node, draft: _Draft) -> Member:
        where = draft.where
        items = mapping_items(entry, where, "a member", "members", keep_going=True)
        items = reject_unknown_keys(
            items, MEMBER_KEYS, where, "a member", "members", keep_going=True
        )
        values = {key: value for key, _, value in items}
        if "email" not in values:
            raise where.error("each member needs an email: add email: ...", entry, "members")
        email = self._email(values["email"], where, "members")
        if email in draft.member_nodes:
            raise where.error(
                f"{email} is listed twice in this territory (first on line "
                f"{line_of(draft.member_nodes[email])}): keep one",
                values["email"],
                "members",
            )
        draft.member_nodes[email] = values["email"]
        if "goals" in values:
            draft.member_goal_nodes[email] = values["goals"]
        role = OWNER
        if "role" in values:
            with where.collecting():
                role = self._choice_in(where, values["role"], "role", (OWNER, OVERLAY))
        weight: float = 1.0
        capacity = None
        for key in ("weight", "capacity"):
            if key in values and role == OVERLAY:
                where.report(
                    f"{key} applies to owners only: remove it, or make {email} an owner",
                    values[key],
                    key,
                )
        if "weight" in values and role == OWNER:
            message = (
                "weight must be a number above 0: the member's share of new accounts (default 1)"
            )
            with where.collecting():
                written = float(number(values["weight"], where, message, "weight"))
                if written <= 0:
                    raise where.error(message, values["weight"], "weight")
                weight = written
        if "capacity" in values and role == OWNER:
            message = "capacity must be a whole number of accounts, at least 1"
            with where.collecting():
                most = integer(values["capacity"], where, message, "capacity")
                if most < 1:
                    raise where.error(message, values["capacity"], "capacity")
                capacity = most
        return Member(email, role, weight, capacity, line_of(entry) or 0)

    def _resolve_hierarchy(self) -> dict[str, Territory]:
        """The territories, parents before children. A territory whose parent is unknown is
        reported and read on as top-level; a cycle is reported once, and broken where it
        closes."""
        for draft in self.drafts.values():
            if draft.parent is not None and draft.parent not in self.drafts:
                draft.where.report(
                    f"parent {draft.parent!r} is not a territory in this file"
                    f"{suggestion(draft.parent, self.drafts)}: fix the name or add the territory",
                    draft.parent_node,
                    "parent",
                )
                draft.parent = None
        for draft in self.drafts.values():
            chain = [draft.name]
            parent = draft.parent
            while parent is not None:
                if parent in chain:
                    loop = [*chain[chain.index(parent) :], parent]
                    draft.where.report(
                        f"territories form a cycle through parent: {' > '.join(loop)}: one of "
                        "them must be top-level (remove its parent)",
                        draft.parent_node or draft.node,
                        "parent",
                    )
                    self.drafts[chain[-1]].parent = None
                    break
                chain.append(parent)
                parent = self.drafts[parent].parent
        territories: dict[str, Territory] = {}
        pending = list(self.drafts.values())
        while pending:  # parents before children, file order otherwise
            waiting = []
            for draft in pending:
                if draft.parent is not None and draft.parent not in territories:
                    waiting.append(draft)
                    continue
                territories[draft.name] = self._territory_from(draft, territories)
            pending = waiting
        return territories

    def _territory_from(self, draft: _Draft, built: dict[str, Territory]) -> Territory:
        parent = built[draft.parent] if draft.parent is not None else None
        inherited = parent.criteria if parent else ()
        origins = parent.origins if parent else ()
        owners = [m for m in draft.members if m.role == OWNER]
        assignment = draft.assignment or BALANCED
        if assignment == SINGLE and len(owners) > 1:
            draft.where.report(
                f"assignment: single needs exactly one owner member, and this territory has "
                f"{len(owners)}: make the others overlays, or use assignment: balanced",
                draft.assignment_node,
                "assignment",
            )
        if draft.assignment is None and len(owners) == 1:
            assignment = SINGLE
        territory = Territory(
            name=draft.name,
            line=line_of(draft.node) or 0,
            parent=draft.parent,
            depth=parent.depth + 1 if parent else 0,
            priority=draft.priority,
            own_criteria=tuple(draft.criteria),
            criteria=(*inherited, *draft.criteria),
            origins=(*origins, *(draft.name for _ in draft.criteria)),
            assignment=assignment,
            members=tuple(draft.members),
            require=draft.require,
            prefer=draft.prefer,
        )
        if parent is not None:
            parent.children.append(draft.name)
        return territory

    # --- reps --------------------------------------------------------------------------------

    def _rep_warnings(self) -> list[str]:
        if self.known_reps is None:
            return []
        warnings = []
        for email, (node, where) in self.rep_nodes.items():
            entry = self.known_reps[email]
            field = "members" if where.territory else "rep"
            if not entry.active_in:
                warnings.append(
                    where.warning(
                        f"rep {email} is inactive: they get no new accounts, and accounts they "
                        "own go to other members; remove them, or reactivate the user",
                        node,
                        field,
                    )
                )
                continue
            for source in SOURCES:
                if source in entry.active_in:
                    continue
                (other,) = (s for s in SOURCES if s != source)
                crm, records = CRM_NAMES[source], RECORDS_NOUNS[source]
                if entry.has_seat_in(source):
                    message = (
                        f"rep {email} is inactive in {crm}: their {records} go to other members "
                        f"active in {crm}, and their {RECORDS_NOUNS[other]} stay with them; "
                        f"reactivate their {crm} user if that is not meant"
                    )
                else:
                    message = (
                        f"rep {email} exists only in {CRM_NAMES[other]}: they are given no "
                        f"{records}, which go to members active in {crm}; add them to {crm} "
                        "with the same email"
                    )
                warnings.append(where.warning(message, node, field))
        return warnings
