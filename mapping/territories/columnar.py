"""The columnar engine: the same decisions as `engine.evaluate`, computed over columns.

`engine.evaluate` walks the businesses one by one; it stays the reference (explain and what-if use
it) and this module must agree with it on every business (a property test runs both). Here each
step runs over arrays (`columns.CompanyColumns`):

1. every criterion is tested once per distinct value of its field (a lookup table), and a
   business's outcome is the table read at its value's code;
2. holdouts: the OR of their masks;
3. businesses are grouped by the index's candidate list for their (country, region); in each
   group every candidate's residual criteria give a mask, the first true one is the winner, and
   its tie partners and runner-up scan are read from the same masks (see `index`);
4. the few businesses a named account may match are decided by the reference's `named_entry`
   (and `_pinned_to_rep`);
5. the rep: the current owner stays when an eligible member (a sorted lookup of
   (territory, owner) pairs); the others are dealt in key order. Dealing to the member with the
   lowest load per weight (ties by email) hands out, one after the other, the smallest of each
   member's next keys `(load + j) / weight` for j = 0, 1, ... (up to its capacity): so the k-th
   waiting business goes to the k-th smallest of all members' (key, email) pairs, a sort.

What is not vectorised falls back to the reference, exactly: a territory whose members are active
in different CRMs (records of one business may then go to different reps), or whose members
hold more than their capacity after the sticky pass, or that runs out of capacity with linked
businesses waiting, has its businesses evaluated by `engine.evaluate` on their own (a
territory's dealing depends only on the businesses placed in it). Balancing by revenue or
employees (`balance_by`) is not columnar at all: `applies` says so and callers use the reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mapping.territories.assignment import (
    CAPACITY_FULL,
    CATCH_ALL,
    HOLDOUT,
    KEEP_OWNER,
    NAMED_ACCOUNT,
    NAMED_CONFLICT,
    NO_ELIGIBLE_MEMBER,
    NO_OWNER,
    OWNER_INACTIVE,
    OWNER_INACTIVE_IN,
    OWNER_NOT_MEMBER,
    OWNER_UNKNOWN,
    REP_RULES,
    TERRITORY_RULES,
    TIE,
    UNMATCHED_KEEP_OWNER,
    Assignment,
)
from mapping.territories.balancing import Pool
from mapping.territories.columns import (
    ATTRIBUTE,
    EXTRA,
    RAW,
    CompanyColumns,
    FieldColumn,
    criteria_of,
    facts_with,
    field_kind,
)
from mapping.territories.criteria import AllOf, AnyOf, Criterion, FieldCriterion, Not
from mapping.territories.engine import Evaluation, _pinned_to_rep, evaluate, named_entry
from mapping.territories.facts import SOURCES, CompanyFacts, RecordFacts, RepDirectoryEntry
from mapping.territories.index import Bucket, Candidate, rule_against
from mapping.territories.rules import LoadedTerritories

Mask = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.intp]
REP_NOTES = (
    NO_OWNER,
    OWNER_UNKNOWN,
    OWNER_NOT_MEMBER,
    *(OWNER_INACTIVE_IN[source] for source in SOURCES),
    OWNER_INACTIVE,
)
_TR = {rule: code for code, rule in enumerate(TERRITORY_RULES)}
_RR = {rule: code for code, rule in enumerate(REP_RULES)}
_NOTE = {note: code for code, note in enumerate(REP_NOTES)}


def applies(rules: LoadedTerritories) -> bool:
    """The columnar engine can evaluate this file: dealing by accounts, no `balancing`, no
    `first_touch` and no skills, and criteria it knows how to test per value (every field
    criterion and their combinations)."""
    if rules.settings.balance_by != "accounts" or rules.settings.balancing is not None:
        return False
    if rules.settings.first_touch_at is not None:
        return False  # first touch reads each account's opportunities: the reference engine
    if any(t.require or t.prefer for t in rules.territories.values()):
        return False  # skills are matched by the reference engine
    for criterion in criteria_of(rules):
        if not isinstance(criterion, FieldCriterion | AllOf | AnyOf | Not):
            return False
    return True


def needs_extra(rules: LoadedTerritories) -> bool:
    """The file tests a registered field kept raw (not a column of the store)."""
    return any(
        isinstance(c, FieldCriterion) and field_kind(c.field) == EXTRA for c in criteria_of(rules)
    )


class _Masks:
    """Criterion outcomes over rows, from one lookup table per criterion."""

    def __init__(self, values: Mapping[str, FieldColumn]) -> None:
        self.values = values
        self._tables: dict[int, Mask] = {}

    def table(self, criterion: FieldCriterion) -> Mask:
        found = self._tables.get(id(criterion))
        if found is None:
            test = criterion.test
            name = criterion.field
            column = self.values[name]
            outcomes = [test(facts_with(name, value), None) for value in column.categories]
            outcomes.append(test(facts_with(name, None), None))  # code -1 reads the last
            found = self._tables[id(criterion)] = np.array(outcomes, dtype=bool)
        return found

    def mask(self, criterion: Criterion, rows: Rows) -> Mask:
        if isinstance(criterion, FieldCriterion):
            return self.table(criterion)[self.values[criterion.field].codes[rows]]
        if isinstance(criterion, Not):
            return ~self.mask(criterion.children[0], rows)
        if isinstance(criterion, AllOf):
            return self.all(criterion.children, rows)
        if isinstance(criterion, AnyOf):
            result = np.zeros(len(rows), dtype=bool)
            for child in criterion.children:
                result |= self.mask(child, rows)
            return result
        raise TypeError(f"no columnar form for {type(criterion).__name__}")

    def all(self, criteria: Sequence[Criterion], rows: Rows) -> Mask:
        result = np.ones(len(rows), dtype=bool)
        for criterion in criteria:
            result &= self.mask(criterion, rows)
        return result


@dataclass(eq=False)
class ColumnarEvaluation:
    """Decisions per row of the columns, as codes; `assignment(row)` builds the reference's
    `Assignment`, and `evaluation()` the whole `Evaluation`."""

    rules: LoadedTerritories
    reps: Mapping[str, RepDirectoryEntry]
    columns: CompanyColumns
    territory_names: list[str]
    emails: list[str]
    """Rep codes: the columns' owners, then members no record is owned by."""
    territory: npt.NDArray[np.int32]
    territory_rule: npt.NDArray[np.int8]
    note: npt.NDArray[np.int32]
    notes: list[object]
    rep: npt.NDArray[np.int32]
    rep_rule: npt.NDArray[np.int8]
    rep_note: npt.NDArray[np.int8]
    previous_owner: npt.NDArray[np.int32]
    overrides: dict[int, Assignment]
    """Rows the reference decided (named to a rep, conflicts, fallback territories)."""
    pools: dict[str, Pool] = field(repr=False)
    fallback_territories: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.territory)

    def key(self, row: int) -> str:
        keys = self.columns.keys
        return keys[row] if keys is not None else f"{int(self.columns.order[row]):012d}"

    def assignment(self, row: int) -> Assignment:
        found = self.overrides.get(row)
        if found is not None:
            found.key = self.key(row)
            return found
        columns = self.columns
        territory = int(self.territory[row])
        rep = int(self.rep[row])
        note = int(self.note[row])
        other = int(columns.other[row])
        assignment = Assignment(
            self.key(row),
            self.territory_names[territory] if territory >= 0 else None,
            self.emails[rep] if rep >= 0 else None,
            TERRITORY_RULES[self.territory_rule[row]],
            REP_RULES[self.rep_rule[row]],
            self.notes[note] if note >= 0 else None,
            SOURCES[columns.source[row]],
            SOURCES[other] if other >= 0 else None,
        )
        previous = int(self.previous_owner[row])
        if previous >= 0:
            assignment.previous_owner = self.emails[previous]
        rep_note = int(self.rep_note[row])
        if rep_note >= 0:
            assignment.rep_note = REP_NOTES[rep_note]
        return assignment

    def assignments(self) -> list[Assignment]:
        return [self.assignment(row) for row in range(len(self))]

    def evaluation(self) -> Evaluation:
        """The reference's `Evaluation` of the same book (assignments in row order)."""
        return Evaluation(self.rules, self.assignments(), self.pools, self.reps)


def evaluate_columns(
    columns: CompanyColumns,
    rules: LoadedTerritories,
    reps: Mapping[str, RepDirectoryEntry],
) -> ColumnarEvaluation:
    """Territory and rep for every row of `columns`, as `engine.evaluate` decides them.
    `applies(rules)` must hold."""
    if not applies(rules):
        raise ValueError("the columnar engine does not apply to this territory file")
    return _Evaluator(columns, rules, reps).run()


class _Evaluator:
    def __init__(
        self,
        columns: CompanyColumns,
        rules: LoadedTerritories,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        self.columns = columns
        self.rules = rules
        self.reps = reps
        self.masks = _Masks(columns.values)
        n = len(columns)
        self.n = n
        self.names = list(rules.territories)
        self.code_of = {name: code for code, name in enumerate(self.names)}
        self.territory = np.full(n, -1, dtype=np.int32)
        self.territory_rule = np.zeros(n, dtype=np.int8)
        self.note = np.full(n, -1, dtype=np.int32)
        self.notes: list[object] = []
        self._note_codes: dict[object, int] = {}
        self.rep = np.full(n, -1, dtype=np.int32)
        self.rep_rule = np.full(n, _RR[KEEP_OWNER], dtype=np.int8)
        self.rep_note = np.full(n, -1, dtype=np.int8)
        self.previous_owner = np.full(n, -1, dtype=np.int32)
        self.overrides: dict[int, Assignment] = {}
        self.decided = np.zeros(n, dtype=bool)
        """Rows whose territory step is done."""
        self.emails = list(columns.owners)
        self.email_code = {email: code for code, email in enumerate(self.emails)}

    def note_code(self, note: object) -> int:
        if note is None:
            return -1
        key = (type(note), note)  # names, tuples of names and named-account entries
        found = self._note_codes.get(key)
        if found is None:
            found = self._note_codes[key] = len(self.notes)
            self.notes.append(note)
        return found

    def email(self, email: str) -> int:
        code = self.email_code.get(email)
        if code is None:
            code = self.email_code[email] = len(self.emails)
            self.emails.append(email)
        return code

    # --- territories -------------------------------------------------------------------------

    def run(self) -> ColumnarEvaluation:
        everyone = np.arange(self.n, dtype=np.intp)
        self._holdouts(everyone)
        self._named()
        self._buckets(everyone[~self.decided])
        pools, fallback = self._reps()
        return ColumnarEvaluation(
            rules=self.rules,
            reps=self.reps,
            columns=self.columns,
            territory_names=self.names,
            emails=self.emails,
            territory=self.territory,
            territory_rule=self.territory_rule,
            note=self.note,
            notes=self.notes,
            rep=self.rep,
            rep_rule=self.rep_rule,
            rep_note=self.rep_note,
            previous_owner=self.previous_owner,
            overrides=self.overrides,
            pools=pools,
            fallback_territories=fallback,
        )

    def _holdouts(self, rows: Rows) -> None:
        holdouts = self.rules.holdouts
        if not holdouts:
            return
        held = np.zeros(len(rows), dtype=bool)
        which = np.full(len(rows), -1, dtype=np.int32)
        for position, holdout in enumerate(holdouts):
            hit = self.masks.mask(holdout.criterion, rows)
            which[hit & ~held] = position
            held |= hit
        if len(holdouts) == 1:
            which[held] = 0
        held_rows = rows[held]
        self.decided[held_rows] = True
        self.territory_rule[held_rows] = _TR[HOLDOUT]
        codes = np.array([self.note_code(h.name) for h in holdouts] + [-1], dtype=np.int32)
        self.note[held_rows] = codes[which[held]]

    def _named(self) -> None:
        lookup = self.rules.named_lookup
        if not lookup:
            return
        for row, (first, second) in self.columns.identified.items():
            if self.decided[row]:
                continue
            named = named_entry(first, second, lookup)
            if named is None:
                continue
            self.decided[row] = True
            if isinstance(named, tuple):
                self.overrides[row] = Assignment(
                    "",
                    None,
                    None,
                    NAMED_CONFLICT,
                    KEEP_OWNER,
                    named,
                    first.source,
                    second.source if second else None,
                )
                continue
            if named.rep is not None:
                self.overrides[row] = _pinned_to_rep(
                    "", named, self.reps.get(named.rep), first, second
                )
                continue
            assert named.territory is not None
            self.territory[row] = self.code_of[named.territory]
            self.territory_rule[row] = _TR[NAMED_ACCOUNT]
            self.note[row] = self.note_code(named)

    def _buckets(self, rows: Rows) -> None:
        if not len(rows):
            return
        country = self.columns.values["country"]
        region = self.columns.values["region"]
        width = len(region.categories) + 1
        pair = (country.codes[rows].astype(np.int64) + 1) * width + region.codes[rows] + 1
        pairs, inverse = np.unique(pair, return_inverse=True)
        index = self.rules.index
        bucket_ids: dict[int, int] = {}
        buckets: list[Bucket] = []
        of_pair = np.empty(len(pairs), dtype=np.int32)
        for position, value in enumerate(pairs.tolist()):
            c, r = divmod(value, width)
            bucket = index.bucket(
                country.categories[c - 1] if c else None,
                region.categories[r - 1] if r else None,
            )
            code = bucket_ids.get(id(bucket))
            if code is None:
                code = bucket_ids[id(bucket)] = len(buckets)
                buckets.append(bucket)
            of_pair[position] = code
        row_bucket = of_pair[inverse.reshape(-1)]
        by_bucket = np.argsort(row_bucket, kind="stable")
        bounds = np.searchsorted(row_bucket[by_bucket], np.arange(len(buckets) + 1))
        catch_all = self.rules.catch_all
        for code, bucket in enumerate(buckets):
            members = rows[by_bucket[bounds[code] : bounds[code + 1]]]
            self._bucket(bucket, members, catch_all.name if catch_all else None)

    def _bucket(self, bucket: Bucket, rows: Rows, catch_all: str | None) -> None:
        residual = self.rules.index._residual
        candidates = bucket.candidates
        position = {id(c): i for i, c in enumerate(candidates)}
        matched = np.empty((len(candidates), len(rows)), dtype=bool)
        for i, candidate in enumerate(candidates):
            if candidate.test is None:
                matched[i] = True
            else:
                matched[i] = self.masks.all(residual[candidate.name], rows)
        if len(candidates):
            at = np.where(matched.any(axis=0), matched.argmax(axis=0), -1)
        else:
            at = np.full(len(rows), -1, dtype=np.intp)
        unmatched = rows[at < 0]
        if len(unmatched):
            if catch_all is None:
                self.territory_rule[unmatched] = _TR[UNMATCHED_KEEP_OWNER]
            else:
                self.territory[unmatched] = self.code_of[catch_all]
                self.territory_rule[unmatched] = _TR[CATCH_ALL]
        for i in np.unique(at[at >= 0]).tolist():
            won = at == i
            self._winner(candidates[i], rows[won], matched[:, won], position)

    def _winner(
        self, winner: Candidate, rows: Rows, matched: Mask, position: dict[int, int]
    ) -> None:
        code = self.code_of[winner.name]
        if winner.settled:
            self._territory(rows, code, *winner.decided)
            return
        open_rows: Mask = np.ones(len(rows), dtype=bool)
        if winner.tie_partners:
            partners = [position[id(c)] for c in winner.tie_partners]
            hits = matched[partners]
            tied = hits.any(axis=0)
            if tied.any():
                bits = np.zeros(len(rows), dtype=np.int64)
                for j in range(len(partners)):
                    bits |= hits[j].astype(np.int64) << j
                for pattern in np.unique(bits[tied]).tolist():
                    names = [c.name for j, c in enumerate(winner.tie_partners) if pattern >> j & 1]
                    these = rows[bits == pattern]
                    self.territory_rule[these] = _TR[TIE]
                    self.note[these] = self.note_code(tuple(sorted([winner.name, *names])))
                open_rows = np.logical_not(tied)
        left = open_rows.copy()
        for other in winner.runner_up_scan:
            hit = left & matched[position[id(other)]]
            if hit.any():
                self._territory(rows[hit], code, *rule_against(winner, other))
                left &= ~hit
        if left.any():
            self._territory(rows[left], code, *winner.decided)

    def _territory(self, rows: Rows, code: int, rule: str, note: str | None) -> None:
        self.territory[rows] = code
        self.territory_rule[rows] = _TR[rule]
        self.note[rows] = self.note_code(note)

    # --- reps --------------------------------------------------------------------------------

    def _reps(self) -> tuple[dict[str, Pool], list[str]]:
        columns = self.columns
        pools = {
            name: Pool(territory, self.reps, False)
            for name, territory in self.rules.territories.items()
        }
        placed = np.flatnonzero((self.territory >= 0) & ~self._tied_or_overridden())
        if not len(placed):
            return pools, []
        pool_of = self.territory[placed]
        rows_bits = (np.int8(1) << columns.source[placed]).astype(np.int8)
        two = columns.other[placed] >= 0
        rows_bits[two] |= (np.int8(1) << columns.other[placed][two]).astype(np.int8)
        # Per territory: members as (territory, email code) pairs, sorted, with slots.
        member_keys: list[int] = []
        member_slot: list[int] = []
        width = len(self.emails) + sum(len(p.emails) for p in pools.values()) + 1
        covers = np.zeros(len(self.names), dtype=np.int8)
        has_members = np.zeros(len(self.names), dtype=bool)
        for name, pool in pools.items():
            code = self.code_of[name]
            has_members[code] = bool(pool.slot_of)
            covers[code] = sum(1 << i for i, s in enumerate(SOURCES) if s in pool.covers)
            for slot, email in enumerate(pool.emails):
                member_keys.append(code * width + self.email(email))
                member_slot.append(slot)
        keys = np.array(member_keys, dtype=np.int64)
        sort = np.argsort(keys)
        keys, slots = keys[sort], np.array(member_slot, dtype=np.int32)[sort]

        without = ~has_members[pool_of]
        self.rep_rule[placed[without]] = _RR[NO_ELIGIBLE_MEMBER]
        simple = ~without & ((rows_bits & ~covers[pool_of]) == 0)
        fallback_codes = set(np.unique(pool_of[~without & ~simple]).tolist())

        def slot_for(owner: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
            if not len(keys):
                return np.full(len(owner), -1, dtype=np.int32)
            wanted = pool_of.astype(np.int64) * width + owner
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            found = (owner >= 0) & (keys[at] == wanted)
            return np.where(found, slots[at], -1).astype(np.int32)

        first_slot = slot_for(columns.owner[placed])
        second_slot = slot_for(columns.other_owner[placed])
        owner_slot = np.where(first_slot >= 0, first_slot, second_slot).astype(np.int32)

        self._statuses()
        fallback: list[str] = []
        members = np.flatnonzero(~without)
        members = members[np.argsort(pool_of[members], kind="stable")]
        codes = pool_of[members]
        starts = np.flatnonzero(np.diff(codes, prepend=-1))
        ends = np.append(starts[1:], len(members)) if len(starts) else starts
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            code = int(codes[start])
            if code in fallback_codes:
                continue
            mine = members[start:end]
            if not self._place(pools[self.names[code]], placed[mine], owner_slot[mine], two[mine]):
                fallback_codes.add(code)
        if fallback_codes:
            fallback = sorted(self.names[c] for c in fallback_codes)
            rows = placed[np.isin(pool_of, list(fallback_codes))]
            for name, pool in self._reference(rows).items():
                if name in fallback:
                    pools[name] = pool
        return pools, fallback

    def _tied_or_overridden(self) -> Mask:
        out: Mask = self.territory_rule == _TR[TIE]
        if self.overrides:
            out[list(self.overrides)] = True
        return out

    def _place(self, pool: Pool, rows: Rows, slot: npt.NDArray[np.int32], two: Mask) -> bool:
        """Sticky owners and dealing for one territory on the simple path; False (nothing
        written) when the territory needs the reference."""
        members = len(pool.emails)
        sticky = slot >= 0
        counts = np.bincount(slot[sticky], minlength=members)
        capacity = np.array(
            [c if c is not None else np.iinfo(np.int64).max for c in pool.capacities],
            dtype=np.int64,
        )
        if (counts > capacity).any():
            return False
        waiting = rows[~sticky]
        if len(waiting):
            waiting = waiting[np.argsort(self.columns.order[waiting], kind="stable")]
        n = len(waiting)
        room = np.minimum(np.maximum(capacity - counts, 0), n)
        if int(room.sum()) < n and not pool.everywhere and two[~sticky].any():
            return False
        # Sticky rows.
        kept = rows[sticky]
        member_codes = np.array([self.email(e) for e in pool.emails], dtype=np.int32)
        self.rep[kept] = member_codes[slot[sticky]]
        self.rep_rule[kept] = _RR[pool.sticky_rule]
        dealt = np.zeros(members, dtype=np.int64)
        if n:
            self._notes(waiting)
            per = room.tolist()
            loads = np.concatenate(
                [counts[s] + np.arange(per[s], dtype=np.int64) for s in range(members)]
            )
            owner = np.repeat(np.arange(members), per)
            weights = np.array(pool.weights, dtype=np.float64)
            order = np.lexsort((owner, loads.astype(np.float64) / weights[owner]))[:n]
            to = owner[order]
            got = len(to)
            self.rep[waiting[:got]] = member_codes[to]
            self.rep_rule[waiting[:got]] = _RR[pool.rep_rule]
            self.rep_rule[waiting[got:]] = _RR[CAPACITY_FULL]
            dealt = np.bincount(to, minlength=members)
        final = (counts + dealt).tolist()
        for s in range(members):
            pool.counts[s] = final[s]
        return True

    def _statuses(self) -> None:
        """Per email code: a rep the directory knows, and the CRMs they are active in (bits);
        the extra last entry is for code -1."""
        self.known = np.zeros(len(self.emails) + 1, dtype=bool)
        self.active = np.zeros(len(self.emails) + 1, dtype=np.int8)
        for code, email in enumerate(self.emails):
            entry = self.reps.get(email)
            if entry is not None:
                self.known[code] = True
                self.active[code] = sum(
                    1 << i for i, s in enumerate(SOURCES) if s in entry.active_in
                )

    def _notes(self, rows: Rows) -> None:
        """Why each waiting business's owner (the primary's, else the other's) did not keep it."""
        columns = self.columns
        owner = columns.owner[rows]
        source = columns.source[rows].astype(np.int64)
        use_other = (owner < 0) & (columns.other[rows] >= 0)
        owner = np.where(use_other, columns.other_owner[rows], owner)
        source = np.where(use_other, columns.other[rows], source)
        self.previous_owner[rows] = owner
        known, active = self.known, self.active
        note = np.full(len(rows), _NOTE[OWNER_INACTIVE], dtype=np.int8)
        bits = active[owner]
        note[bits != 0] = np.array([_NOTE[OWNER_INACTIVE_IN[s]] for s in SOURCES], dtype=np.int8)[
            source[bits != 0]
        ]
        here = (bits >> source.astype(np.int8)) & 1
        note[(bits != 0) & (here == 1)] = _NOTE[OWNER_NOT_MEMBER]
        note[~known[owner]] = _NOTE[OWNER_UNKNOWN]
        note[owner < 0] = _NOTE[NO_OWNER]
        self.rep_note[rows] = note

    def _reference(self, rows: Rows) -> dict[str, Pool]:
        """`engine.evaluate` over these rows alone; their assignments become overrides."""
        companies = [self._company(int(row)) for row in rows]
        result = evaluate(companies, self.rules, self.reps)
        for row, assignment in zip(rows.tolist(), result.assignments, strict=True):
            self.overrides[row] = assignment
        return result.pools

    def _company(self, row: int) -> CompanyFacts:
        """A business rebuilt from the columns (its tested values on the primary record)."""
        columns = self.columns
        records = columns.identified.get(row)
        first = RecordFacts(
            source=SOURCES[columns.source[row]],
            external_id=records[0].external_id if records else "",
            domain=records[0].domain if records else None,
            current_owner_email=self._owner(columns.owner[row]),
        )
        raw: dict[str, object] = {}
        extra: dict[str, object] = {}
        for name, column in columns.values.items():
            code = int(column.codes[row])
            if code < 0:
                continue
            value = column.categories[code]
            kind = field_kind(name)
            if kind == ATTRIBUTE:
                setattr(first, name, value)
            elif kind == RAW:
                raw[name] = value
            else:
                extra[name] = value
        first.raw, first.extra = raw, extra
        pair: tuple[RecordFacts, ...] = (first,)
        other = int(columns.other[row])
        if other >= 0:
            second_known = records[1] if records else None
            second = RecordFacts(
                source=SOURCES[other],
                external_id=second_known.external_id if second_known else "",
                domain=second_known.domain if second_known else None,
                current_owner_email=self._owner(columns.other_owner[row]),
            )
            pair = (first, second)
        return CompanyFacts(f"{int(columns.order[row]):012d}", pair)

    def _owner(self, code: np.int32) -> str | None:
        return self.emails[int(code)] if code >= 0 else None
