"""The engine's answer for one business: its territory, its rep, and the rules that decided.

Two codes say why: `territory_rule` (how the territory was chosen, or why there is none) and
`rep_rule` (how the rep was chosen, or why the owner stays). The `reason` sentence is built from
them when asked, not stored: a run over a million accounts keeps a million small objects, not a
million sentences.

Owners are per CRM record. `rep_email` is the rep of the business's deciding (primary) record,
and its other record follows that rep, unless the rep is inactive in the other record's CRM or
the other record's owner may keep it (see `mapping.territories.balancing`): then the other
record's own outcome is in `split`. Callers that write owners ask `rep_for(source)`; None always
means "leave that record's owner as it is".
"""

from __future__ import annotations

from datetime import datetime

from mapping.territories.facts import CRM_NAMES, RECORD_NOUNS, SOURCES, RecordFacts
from mapping.territories.rules import NamedAccount

# How the territory was chosen.
HOLDOUT = "holdout"
NAMED_ACCOUNT = "named_account"
PRIORITY = "priority"
SPECIFICITY = "specificity"
ONLY_MATCH = "only_match"
CATCH_ALL = "catch_all"
UNMATCHED_KEEP_OWNER = "unmatched_keep_owner"
TIE = "tie"
NAMED_CONFLICT = "named_conflict"
"""Two named-account entries pin the business to different targets: the owner stays."""
FIRST_TOUCH = "first_touch"
"""Several territories match and the rep who owns (or opened) the account's earliest
opportunity is an eligible member of one: that territory, and that rep."""
TERRITORY_RULES = (
    HOLDOUT,
    NAMED_ACCOUNT,
    PRIORITY,
    SPECIFICITY,
    ONLY_MATCH,
    CATCH_ALL,
    UNMATCHED_KEEP_OWNER,
    TIE,
    NAMED_CONFLICT,
    FIRST_TOUCH,
)

# How the rep was chosen.
STICKY = "sticky"
BALANCED = "balanced"
SINGLE_OWNER = "single_owner"
NAMED_REP = "named_rep"
NO_ELIGIBLE_MEMBER = "no_eligible_member"
CAPACITY_FULL = "capacity_full"
KEEP_OWNER = "keep_owner"
REBALANCED = "rebalanced"
"""Moved by balancing (`settings.balancing`) to bring the territory's members within tolerance."""
REP_RULES = (
    STICKY,
    BALANCED,
    SINGLE_OWNER,
    NAMED_REP,
    NO_ELIGIBLE_MEMBER,
    CAPACITY_FULL,
    KEEP_OWNER,
    REBALANCED,
    FIRST_TOUCH,
)

# Why a balanced account did not stay with its previous owner.
NO_OWNER = "no_owner"
OWNER_INACTIVE = "inactive"
"""Inactive in every CRM."""
OWNER_INACTIVE_IN = {source: f"inactive_in_{source}" for source in SOURCES}
"""Inactive in the CRM of the record they owned (active in the other)."""
OWNER_UNKNOWN = "unknown"
OWNER_NOT_MEMBER = "not_member"
OWNER_OVER_CAPACITY = "over_capacity"
OWNER_LACKS_SKILLS = "lacks_skills"
"""An active owner member without the skills the territory requires."""
_INACTIVE_IN_CRM = {code: source for source, code in OWNER_INACTIVE_IN.items()}

# Why a record keeps its owner although its territory has owner members (`rep_note` of a
# `no_eligible_member` or `capacity_full` outcome).
NONE_ACTIVE_HERE = "none_active_here"
"""No owner member (or no named rep) is active in the record's CRM."""
FULL_HERE = "full_here"
"""Every owner member active in the record's CRM is at capacity."""

# Why a linked business's other record does not simply follow the business's rep.
CHOSEN_INACTIVE = "chosen_inactive"
"""The business's rep is inactive in this record's CRM."""
OWN_SEAT_ONLY = "own_seat_only"
"""The record's owner is an eligible member in this record's CRM but inactive in the primary's:
they keep this record rather than see it moved to the primary record's rep."""
PRIMARY_KEPT = "primary_kept"
"""The primary record keeps its owner, so this record is decided on its own."""
NAMED_IN_CRM = "named_in_crm"
"""A named rep active in one of the business's CRMs only."""


class FirstTouchNote:
    """What a first-touch decision explains itself with."""

    __slots__ = ("created", "email", "opened", "opportunity_id", "others")

    def __init__(
        self,
        opportunity_id: str,
        created: datetime,
        email: str,
        opened: bool,
        others: tuple[str, ...],
    ) -> None:
        self.opportunity_id = opportunity_id
        self.created = created
        self.email = email
        self.opened = opened
        """The rep opened the opportunity (its creator) rather than owning it."""
        self.others = others
        """The other matching territories first touch decided against."""

    def __repr__(self) -> str:
        return f"FirstTouchNote({self.opportunity_id!r}, {self.email!r})"


class SplitRecord:
    """The outcome of a linked business's other record when it does not follow `rep_email`."""

    __slots__ = ("note", "previous_owner", "rep_email", "rep_rule", "source", "why")

    def __init__(
        self,
        source: str,
        rep_email: str | None,
        rep_rule: str,
        why: str,
        previous_owner: str | None,
    ) -> None:
        self.source = source
        self.rep_email = rep_email
        """The rep for this record; None: the record keeps its owner."""
        self.rep_rule = rep_rule
        self.why = why
        """`chosen_inactive`, `own_seat_only`, `primary_kept` or `named_in_crm`."""
        self.previous_owner = previous_owner
        """The record's owner before this evaluation."""
        self.note: str | None = None
        """For a dealt record: why its previous owner did not keep it (`no_owner`, ...)."""

    def __repr__(self) -> str:
        return f"SplitRecord({self.source}, rep={self.rep_email!r}, {self.why}/{self.rep_rule})"


class Assignment:
    """One business's outcome. `note` holds what the territory rule needs to explain itself: the
    runner-up's name, the holdout's name, the named-account entry, or the tied names."""

    __slots__ = (
        "key",
        "note",
        "other_source",
        "previous_owner",
        "rep_detail",
        "rep_email",
        "rep_note",
        "rep_rule",
        "source",
        "split",
        "territory",
        "territory_rule",
    )

    def __init__(
        self,
        key: str,
        territory: str | None,
        rep_email: str | None,
        territory_rule: str,
        rep_rule: str,
        note: object,
        source: str,
        other_source: str | None,
    ) -> None:
        self.key = key
        self.territory = territory
        self.rep_email = rep_email
        """The rep for the primary record (and the other one, unless `split` says otherwise)."""
        self.territory_rule = territory_rule
        self.rep_rule = rep_rule
        self.note = note
        self.source = source
        """The CRM of the business's primary record."""
        self.other_source = other_source
        """The CRM of its other record, or None for a business in one CRM."""
        self.previous_owner: str | None = None
        self.rep_note: str | None = None
        """For balanced accounts: why the previous owner did not keep it (`NO_OWNER`, ...); for
        `no_eligible_member` and `capacity_full`: `NONE_ACTIVE_HERE` or `FULL_HERE` when that
        holds in the primary record's CRM only."""
        self.split: SplitRecord | None = None
        """The other record's own outcome, when it does not follow `rep_email`."""
        self.rep_detail: str | None = None
        """What decided between members beyond load: for `rebalanced` accounts, the figures
        that moved it ("ana@x 437 -> 120 accounts, target 120 +-12; ..."); for `balanced`
        ones in a territory that prefers skills, the rep's matching skills."""

    def __repr__(self) -> str:
        split = f", {self.split!r}" if self.split is not None else ""
        return (
            f"Assignment({self.key!r}, territory={self.territory!r}, rep={self.rep_email!r}, "
            f"{self.territory_rule}/{self.rep_rule}{split})"
        )

    @property
    def sources(self) -> tuple[str, ...]:
        """The CRMs of the business's records, the primary's first."""
        if self.other_source is None:
            return (self.source,)
        return (self.source, self.other_source)

    def rep_for(self, source: str) -> str | None:
        """The rep to own this business's record in `source` (None: leave its owner as it is,
        and None for a CRM the business has no record in)."""
        split = self.split
        if split is not None and split.source == source:
            return split.rep_email
        if source == self.source or source == self.other_source:
            return self.rep_email
        return None

    def rep_rule_for(self, source: str) -> str | None:
        """How the rep of the record in `source` was chosen (None: no record there)."""
        split = self.split
        if split is not None and split.source == source:
            return split.rep_rule
        if source == self.source or source == self.other_source:
            return self.rep_rule
        return None

    def reason_for(self, source: str) -> str:
        """Why the record in `source` goes to its rep (or keeps its owner), territory included."""
        return f"{self.territory_reason} {self.rep_reason_for(source)}".strip()

    def rep_reason_for(self, source: str) -> str:
        """How the rep of the record in `source` was chosen (or why its owner stays)."""
        split = self.split
        if split is not None and split.source == source:
            return self.split_reason
        return self.rep_reason

    def owner_after(self, first: RecordFacts, second: RecordFacts | None) -> str | None:
        """The business's owner once applied: the primary record's rep (or the owner it keeps),
        else the other record's; `first`, `second` are its records in decision order."""
        owner = self.rep_for(first.source) or first.current_owner_email
        if owner is None and second is not None:
            owner = self.rep_for(second.source) or second.current_owner_email
        return owner

    @property
    def tied(self) -> tuple[str, ...]:
        """The territories that tied, for `territory_rule == "tie"`; else empty."""
        if self.territory_rule == TIE and isinstance(self.note, tuple):
            return self.note
        return ()

    @property
    def unassigned(self) -> bool:
        return self.territory is None and self.territory_rule != NAMED_ACCOUNT

    @property
    def reason(self) -> str:
        """Why, in sentences a rep can read (every record's rep when they differ)."""
        parts = (self.territory_reason, self.rep_reason, self.split_reason)
        return " ".join(part for part in parts if part)

    @property
    def territory_reason(self) -> str:
        """How the territory was chosen (or why there is none)."""
        rule, territory, note = self.territory_rule, self.territory, self.note
        if rule == HOLDOUT:
            return f'Held out by "{note}": the account is never reassigned and keeps its owner.'
        if rule == NAMED_ACCOUNT and isinstance(note, NamedAccount):
            return (
                f"Named account ({note.match_by} {note.value}) pinned to {note.target} by the "
                f"territory file (line {note.line})."
            )
        if rule == ONLY_MATCH:
            return f"{territory} is the only territory whose criteria match."
        if rule == PRIORITY:
            return f"{territory} matches and has a higher priority than {note}."
        if rule == SPECIFICITY:
            return f"{territory} matches and is more specific than {note}."
        if rule == CATCH_ALL:
            return f"No territory matches, so the catch-all territory {territory} takes it."
        if rule == UNMATCHED_KEEP_OWNER:
            return "No territory matches, and unmatched accounts keep their owner."
        if rule == TIE:
            names = " and ".join(self.tied)
            return (
                f"Tie between {names}: they match with the same priority and depth, and the "
                "territory file does not say which wins, so the account keeps its owner."
            )
        if rule == FIRST_TOUCH and isinstance(note, FirstTouchNote):
            others = ", ".join(note.others)
            return (
                f"{territory} and {others} match; {note.email} "
                f"{'opened' if note.opened else 'owns'} the account's earliest opportunity "
                f"({note.opportunity_id}, created {note.created:%Y-%m-%d}) and is an owner member "
                f"of {territory}, so by first touch {territory} takes it."
            )
        if rule == NAMED_CONFLICT and isinstance(note, tuple):
            lines = " and ".join(str(entry.line) for entry in note)
            return (
                f"Named-account entries on lines {lines} pin this account to different targets, "
                "so the account keeps its owner; keep one entry."
            )
        return ""

    @property
    def rep_reason(self) -> str:
        """How the primary record's rep was chosen (or why its owner stays)."""
        rule, rep, territory = self.rep_rule, self.rep_email, self.territory
        crm, noun = CRM_NAMES[self.source], RECORD_NOUNS[self.source]
        if rule == STICKY:
            return f"{rep} already owns it and is an active owner member of {territory}."
        if rule == SINGLE_OWNER:
            return f"{rep} is the single owner of {territory}."
        if rule == NAMED_REP:
            return f"{rep} is the rep the territory file names for this account."
        if rule == FIRST_TOUCH:
            return f"{rep} touched the account first (its earliest opportunity)."
        if rule == BALANCED:
            if _INACTIVE_IN_CRM.get(self.rep_note or "") == self.source:
                return (
                    f"{self.previous_owner} is inactive in {crm}, so the {noun} goes to {rep}, "
                    f"who had the lowest load for their weight in {territory}."
                )
            if self.rep_detail:
                lead = (
                    f"{rep} matches the skills {territory} prefers best ({self.rep_detail}) and "
                    "had the lowest load for their weight among the members who match as well"
                )
            else:
                lead = f"{rep} had the lowest load for their weight in {territory}"
            return lead + (f" ({self._previous_owner_phrase()})." if self.rep_note else ".")
        if rule == REBALANCED:
            return f"{rep} takes it to even out the owner members of {territory} (" + (
                f"{self.rep_detail}; {self._previous_owner_phrase()})."
                if self.rep_note
                else f"{self.rep_detail})."
            )
        if rule == NO_ELIGIBLE_MEMBER:
            if territory is None:
                if self.rep_note == NONE_ACTIVE_HERE:
                    return (
                        f"The named rep {self.note_rep()} is inactive in {crm}, so the {noun} "
                        "keeps its owner."
                    )
                return (
                    f"The named rep {self.note_rep()} is inactive or unknown, so the owner stays."
                )
            if self.rep_note == NONE_ACTIVE_HERE:
                return (
                    f"{territory} has no owner member active in {crm}, so the {noun} keeps its "
                    "owner."
                )
            return f"{territory} has no active owner member, so the account keeps its owner."
        if rule == CAPACITY_FULL:
            if self.rep_note == FULL_HERE:
                return (
                    f"Every owner member of {territory} active in {crm} is at capacity, so the "
                    f"{noun} keeps its owner."
                )
            return (
                f"Every owner member of {territory} is at capacity, so the account keeps its owner."
            )
        return ""

    @property
    def split_reason(self) -> str:
        """Why the other record's rep differs from the primary's ("" when it follows it)."""
        split = self.split
        if split is None:
            return ""
        crm, noun = CRM_NAMES[split.source], RECORD_NOUNS[split.source]
        rep, rule, territory = split.rep_email, split.rep_rule, self.territory
        if split.why == NAMED_IN_CRM:
            if rep is not None:
                return f"The {noun} goes to {rep}, the rep the territory file names for it."
            return (
                f"The named rep {self.note_rep()} is inactive in {crm}, so the {noun} keeps its "
                "owner."
            )
        if split.why == OWN_SEAT_ONLY:
            return (
                f"{rep} keeps the {noun}: they own it and are an owner member of {territory} "
                f"active in {crm}, though not in {CRM_NAMES[self.source]}."
            )
        if split.why == CHOSEN_INACTIVE:
            lead = f"{self.rep_email} is inactive in {crm}, so the {noun}"
        else:
            lead = f"The {RECORD_NOUNS[self.source]} keeps its owner, so the {noun}"
        if rule in (STICKY, SINGLE_OWNER) and rep == split.previous_owner:
            return (
                f"{lead} stays with {rep}, who owns it and is an owner member of {territory} "
                f"active in {crm}."
            )
        if rule == SINGLE_OWNER:
            return f"{lead} goes to {rep}, the single owner of {territory}."
        if rule == BALANCED:
            previous = self._split_previous_owner_phrase(split)
            return (
                f"{lead} goes to {rep}, who had the lowest load for their weight among the owner "
                f"members of {territory} active in {crm}{previous}."
            )
        if rule == CAPACITY_FULL:
            return (
                f"{lead} keeps its owner: every owner member of {territory} active in {crm} is "
                "at capacity."
            )
        return f"{lead} keeps its owner: {territory} has no owner member active in {crm}."

    def note_rep(self) -> str | None:
        return self.note.rep if isinstance(self.note, NamedAccount) else None

    def _previous_owner_phrase(self) -> str:
        return _owner_phrase(
            self.previous_owner, self.rep_note, self.territory, "the account had no owner"
        )

    def _split_previous_owner_phrase(self, split: SplitRecord) -> str:
        owner = split.previous_owner
        if split.note is None or (owner is not None and owner == self.rep_email):
            return ""
        had_none = f"the {RECORD_NOUNS[split.source]} had no owner"
        return f" ({_owner_phrase(owner, split.note, self.territory, had_none)})"


def _owner_phrase(owner: str | None, why: str | None, territory: str | None, none: str) -> str:
    """Why the previous owner did not keep a record, as a phrase."""
    if why == NO_OWNER:
        return none
    if why == OWNER_INACTIVE:
        return f"the previous owner {owner} is inactive"
    if why in _INACTIVE_IN_CRM:
        return f"the previous owner {owner} is inactive in {CRM_NAMES[_INACTIVE_IN_CRM[why]]}"
    if why == OWNER_UNKNOWN:
        return f"the previous owner {owner} is not a known rep"
    if why == OWNER_OVER_CAPACITY:
        return f"the previous owner {owner} is over capacity in {territory}"
    if why == OWNER_LACKS_SKILLS:
        return f"the previous owner {owner} lacks the skills {territory} requires"
    return f"the previous owner {owner} is not an owner member of {territory}"
