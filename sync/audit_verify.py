"""Verifying the audit log: stream the chain in id order and name every row that does not fit.

`verify_audit` reads the log in bounded batches and keeps only what the next row is checked
against (the highest place seen, its hash, the current key segment, a bounded list of gaps not yet
explained and a small cache of runs), so memory does not grow with the log. It finds:

- an edited row (its HMAC, or a legacy row's SHA-256, no longer matches its content);
- a chain recomputed without the key (a plain SHA-256 where an HMAC belongs, or a row with no key
  after signed rows), or signed by a key nobody configured;
- a deleted row (a gap in the chain's numbering, or a broken link to the previous row);
- reordered rows (a row whose place in the chain comes before a row stored ahead of it);
- rows removed from the end (the chain head, the heads recorded by runs and the latest line of a
  checkpoint file each say how far the log reached; their signatures are checked too);
- rows appended outside a run (a run id naming no run, a row written after its run had ended, or
  a row with no run whose status is not an admin action: `sync.audit.OUTSIDE_RUN_STATUS_PREFIXES`).

Rows written before keyed hashing form a legacy segment, checked with the old SHA-256 formula and
reported as protected against naive edits only. The heads recorded by runs are held in memory:
there is one per run, not per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, select

from sync.audit import (
    AUDIT,
    GENESIS_HASH,
    HASHED_FIELDS,
    KEY_ROTATED,
    OUTSIDE_RUN_STATUS_PREFIXES,
    ChainHead,
    keyed_row_hash,
    legacy_row_hash,
    read_chain_head,
)
from sync.audit_checkpoint import Checkpoint, LatestCheckpoint, latest_checkpoint
from sync.audit_keys import PREVIOUS_KEYS_ENV_VAR, AuditKeyring, audit_keyring
from sync.store.runs import Run

RUNS: Table = Run.__table__  # type: ignore[attr-defined]
ROW_COLUMNS = (*HASHED_FIELDS, "id", "at", "seq", "key_id", "prev_hash", "row_hash")
MAX_PROBLEMS_LISTED = 50
MAX_PENDING_GAPS = 1_000
MAX_SEGMENTS_LISTED = 100
RUN_CACHE_SIZE = 1_000
RUN_BATCH = 1_000


@dataclass(frozen=True)
class AuditProblem:
    """One thing wrong, naming the row (where there is one) and what is wrong with it."""

    kind: str
    """edited, recomputed, unknown_key, key_changed, deleted, reordered, repeated, truncated,
    outside_run, head or checkpoint."""
    message: str
    row_id: int | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class Segment:
    """Consecutive rows signed by one key (`key_id` None: the legacy, unkeyed segment)."""

    key_id: str | None
    first_id: int
    last_id: int
    rows: int = 1

    def describe(self) -> str:
        where = f"rows {self.first_id:,}-{self.last_id:,} ({self.rows:,})"
        if self.key_id is None:
            return (
                f"{where}: legacy segment, plain SHA-256 written before keyed signing "
                "(protected against naive edits only)"
            )
        return f"{where}: signed with audit key {self.key_id}"


@dataclass
class VerifyReport:
    rows_checked: int = 0
    problems: list[AuditProblem] = field(default_factory=list)
    """The first problems in row order (at most `MAX_PROBLEMS_LISTED`)."""
    problem_count: int = 0
    segments: list[Segment] = field(default_factory=list)
    segment_count: int = 0
    anchors: list[str] = field(default_factory=list)
    """What the end of the log was checked against."""

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    @property
    def first_problem(self) -> AuditProblem | None:
        return self.problems[0] if self.problems else None

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "rows_checked": self.rows_checked,
            "problem_count": self.problem_count,
            "problems": [
                {"row_id": p.row_id, "kind": p.kind, "message": p.message} for p in self.problems
            ],
            "segments": [
                {"key_id": s.key_id, "first_id": s.first_id, "last_id": s.last_id, "rows": s.rows}
                for s in self.segments
            ],
            "anchors": self.anchors,
        }


@dataclass(frozen=True)
class _HeadClaim:
    """Something that says how far the log reached: a run's head or a checkpoint line."""

    label: str
    last_id: int
    last_hash: str
    count: int | None


@dataclass
class _Gap:
    start: int
    end: int
    row_id: int
    """The row found right after the missing places."""
    seq: int


class _ProblemList:
    """The first problems in row order, bounded; the rest only counted."""

    def __init__(self, report: VerifyReport) -> None:
        self.report = report

    def add(self, kind: str, message: str, row_id: int | None = None) -> None:
        report = self.report
        report.problem_count += 1
        problem = AuditProblem(kind, message, row_id)
        if len(report.problems) < MAX_PROBLEMS_LISTED:
            report.problems.append(problem)
            return
        worst = max(report.problems, key=_problem_order)
        if _problem_order(problem) < _problem_order(worst):
            report.problems.remove(worst)
            report.problems.append(problem)


def _problem_order(problem: AuditProblem) -> tuple[bool, int]:
    return (problem.row_id is None, problem.row_id or 0)


class _ChainWalk:
    """The state carried from one row to the next."""

    def __init__(
        self,
        connection: Connection,
        keyring: AuditKeyring,
        claims: Sequence[_HeadClaim],
        report: VerifyReport,
    ) -> None:
        self.connection = connection
        self.keyring = keyring
        self.claims = claims
        self.next_claim = 0
        self.report = report
        self.problems = _ProblemList(report)
        self.high = 0
        self.high_hash: str | None = None
        self.high_id: int | None = None
        self.last_id = 0
        self.gaps: list[_Gap] = []
        self.segment: Segment | None = None
        self.keyed_seen = False
        self.unknown_key_reported: str | None = None
        self.runs: dict[int, datetime | bool | None] = {}

    # -- one batch, one row -------------------------------------------------------------------

    def batch(self, rows: Sequence[RowMapping]) -> None:
        self._load_runs({row["run_id"] for row in rows if row["run_id"] is not None})
        for row in rows:
            self.report.rows_checked += 1
            self._check_signature(row)
            self._check_place(row)
            self._check_run(row)
            self._check_claims(int(row["id"]), row["row_hash"], int(row["seq"]))
            self.last_id = int(row["id"])

    def _check_signature(self, row: Mapping[Any, Any]) -> None:
        row_id, key_id = int(row["id"]), row["key_id"]
        self._track_segment(row_id, key_id, row["status"], int(row["seq"]))
        if key_id is None:
            if self.keyed_seen:
                self.problems.add(
                    "recomputed",
                    f"row {row_id}: it carries no signing key but follows signed rows: its hash "
                    "was recomputed without the audit key, or the row was inserted",
                    row_id,
                )
            elif legacy_row_hash(row, row["at"], row["prev_hash"]) != row["row_hash"]:
                self.problems.add(
                    "edited",
                    f"row {row_id}: its content does not match its hash (edited)",
                    row_id,
                )
            return
        self.keyed_seen = True
        key = self.keyring.get(key_id)
        if key is None:
            if self.unknown_key_reported != key_id:
                self.unknown_key_reported = key_id
                self.problems.add(
                    "unknown_key",
                    f"row {row_id}: it is signed by audit key {key_id}, which is neither "
                    f"TERRITORY_SYNC_AUDIT_KEY nor in {PREVIOUS_KEYS_ENV_VAR}: add the key that "
                    "signed it there to verify it (or the rows were signed by someone else)",
                    row_id,
                )
            return
        expected = keyed_row_hash(key, row, row["at"], row["prev_hash"], int(row["seq"]))
        if expected == row["row_hash"]:
            return
        if legacy_row_hash(row, row["at"], row["prev_hash"]) == row["row_hash"]:
            self.problems.add(
                "recomputed",
                f"row {row_id}: its hash is a plain SHA-256, not the audit key's HMAC: the "
                "chain was recomputed without the key",
                row_id,
            )
        else:
            self.problems.add(
                "edited",
                f"row {row_id}: its content does not match its signature (edited, or its hash "
                "recomputed without the audit key)",
                row_id,
            )

    def _track_segment(self, row_id: int, key_id: str | None, status: str, seq: int) -> None:
        segment = self.segment
        if segment is not None and segment.key_id == key_id:
            segment.rows += 1
            segment.last_id = row_id
            return
        if segment is not None and key_id is not None and status != KEY_ROTATED:
            self.problems.add(
                "key_changed",
                f"row {row_id}: the signing key changes here (from "
                f"{segment.key_id or 'no key'} to {key_id}) without a key_rotated row",
                row_id,
            )
        elif segment is None and key_id is not None and seq != 1 and status != KEY_ROTATED:
            self.problems.add(
                "key_changed",
                f"row {row_id}: the log begins at chain position {seq} with key {key_id} but "
                "no key_rotated row (the rows before it were removed)",
                row_id,
            )
        self.segment = Segment(key_id, row_id, row_id)
        self.report.segment_count += 1
        if len(self.report.segments) < MAX_SEGMENTS_LISTED:
            self.report.segments.append(self.segment)

    def _check_place(self, row: Mapping[Any, Any]) -> None:
        row_id, seq = int(row["id"]), int(row["seq"])
        if seq == self.high + 1:
            self._check_link(row_id, seq, row["prev_hash"])
        elif seq > self.high + 1:
            self.gaps.append(_Gap(self.high + 1, seq - 1, row_id, seq))
            if len(self.gaps) > MAX_PENDING_GAPS:
                self._report_gap(self.gaps.pop(0))
        else:
            self._out_of_place(row_id, seq)
            return
        self.high, self.high_hash, self.high_id = seq, row["row_hash"], row_id

    def _check_link(self, row_id: int, seq: int, prev_hash: str) -> None:
        if seq == 1:
            if prev_hash != GENESIS_HASH:
                self.problems.add(
                    "deleted",
                    f"row {row_id}: the chain's first row does not link to the chain's start "
                    "(rows before it were removed and the rest renumbered)",
                    row_id,
                )
            return
        if prev_hash != self.high_hash:
            self.problems.add(
                "deleted",
                f"row {row_id}: its link to the previous row is broken (a row after row "
                f"{self.high_id} was deleted or edited)",
                row_id,
            )

    def _out_of_place(self, row_id: int, seq: int) -> None:
        for gap in self.gaps:
            if gap.start <= seq <= gap.end:
                self._fill(gap, seq)
                self.problems.add(
                    "reordered",
                    f"row {row_id}: rows were reordered: it is the chain's row {seq:,}, which "
                    f"belongs before row {gap.row_id} (the chain's row {gap.seq:,})",
                    row_id,
                )
                return
        self.problems.add(
            "repeated",
            f"row {row_id}: it repeats chain position {seq:,} (a copied row, or a forked chain)",
            row_id,
        )

    def _fill(self, gap: _Gap, seq: int) -> None:
        index = self.gaps.index(gap)
        parts = [
            _Gap(start, end, gap.row_id, gap.seq)
            for start, end in ((gap.start, seq - 1), (seq + 1, gap.end))
            if start <= end
        ]
        self.gaps[index : index + 1] = parts

    def _report_gap(self, gap: _Gap) -> None:
        missing = gap.end - gap.start + 1
        places = f"{gap.start:,}" if missing == 1 else f"{gap.start:,}-{gap.end:,}"
        self.problems.add(
            "deleted",
            f"row {gap.row_id}: {missing:,} row(s) before it are missing (chain position "
            f"{places}): deleted",
            gap.row_id,
        )

    def _load_runs(self, run_ids: set[int]) -> None:
        wanted = [run_id for run_id in run_ids if run_id not in self.runs]
        if not wanted:
            return
        if len(self.runs) + len(wanted) > RUN_CACHE_SIZE:
            self.runs.clear()
        for start in range(0, len(wanted), RUN_BATCH):
            chunk = wanted[start : start + RUN_BATCH]
            found: dict[int, datetime | None] = {
                int(run_id): finished
                for run_id, finished in self.connection.execute(
                    select(RUNS.c.id, RUNS.c.finished_at).where(RUNS.c.id.in_(chunk))
                )
            }
            for run_id in chunk:
                self.runs[run_id] = found.get(run_id, False)

    def _check_run(self, row: Mapping[Any, Any]) -> None:
        row_id, run_id, status = int(row["id"]), row["run_id"], str(row["status"])
        if run_id is None:
            if not status.startswith(OUTSIDE_RUN_STATUS_PREFIXES):
                self.problems.add(
                    "outside_run",
                    f"row {row_id}: status {status!r} with no run: outside runs only admin "
                    f"actions are recorded ({', '.join(OUTSIDE_RUN_STATUS_PREFIXES)}...)",
                    row_id,
                )
            return
        finished = self.runs.get(int(run_id), False)
        if finished is False:
            self.problems.add(
                "outside_run",
                f"row {row_id}: it names run {run_id}, which does not exist (appended outside "
                "a run)",
                row_id,
            )
        elif isinstance(finished, datetime) and row["at"] > finished:
            self.problems.add(
                "outside_run",
                f"row {row_id}: written at {row['at']:%Y-%m-%d %H:%M:%S} UTC, after run "
                f"{run_id} had ended ({finished:%Y-%m-%d %H:%M:%S} UTC): appended outside the run",
                row_id,
            )

    def _check_claims(self, row_id: int, row_hash: str, seq: int) -> None:
        claims = self.claims
        while self.next_claim < len(claims) and claims[self.next_claim].last_id <= row_id:
            claim = claims[self.next_claim]
            self.next_claim += 1
            if claim.last_id < row_id:
                self.problems.add(
                    "deleted",
                    f"row {claim.last_id}: {claim.label} recorded it as the log's last row, but "
                    "it is missing (deleted)",
                    claim.last_id,
                )
            elif claim.last_hash != row_hash or claim.count not in (None, seq):
                self.problems.add(
                    "edited",
                    f"row {row_id}: it is not the row {claim.label} recorded as the log's last "
                    "(replaced)",
                    row_id,
                )

    # -- the end of the log -------------------------------------------------------------------

    def finish(self, head: ChainHead | None) -> None:
        for gap in self.gaps:
            self._report_gap(gap)
        self.gaps.clear()
        end = f"row {self.high_id} (the chain's row {self.high:,})" if self.high_id else "nothing"
        for claim in self.claims[self.next_claim :]:
            self.problems.add(
                "truncated",
                f"{claim.label} recorded the log up to row {claim.last_id}"
                + (f" ({claim.count:,} rows)" if claim.count is not None else "")
                + f", but it now ends at {end}: the newest rows were removed",
            )
        self.next_claim = len(self.claims)
        self._check_head(head, end)

    def _check_head(self, head: ChainHead | None, end: str) -> None:
        if head is None:
            if self.high:
                self.problems.add(
                    "head", "the chain head row (table audit_chain_head) is missing (deleted)"
                )
            return
        if head.key_id is None and self.keyed_seen:
            self.problems.add(
                "head", "the chain head carries no key although the log has signed rows (edited)"
            )
        elif head.key_id is not None and not head.signature_valid(self.keyring):
            self.problems.add(
                "head",
                "the chain head's signature does not verify (edited, or signed by a key not in "
                f"TERRITORY_SYNC_AUDIT_KEY or {PREVIOUS_KEYS_ENV_VAR})",
            )
        if head.count > self.high:
            self.problems.add(
                "truncated",
                f"the chain head records {head.count:,} rows up to row {head.last_id}, but the "
                f"log ends at {end}: the newest rows were removed",
            )
        elif head.count < self.high:
            self.problems.add(
                "head",
                f"the chain head records {head.count:,} rows up to row {head.last_id}, but the "
                f"log goes on to {end}: rows were appended without the chain head",
            )
        elif (head.last_id, head.last_hash) != (self.high_id, self.high_hash):
            self.problems.add(
                "head",
                f"the chain head names row {head.last_id} as the last, which does not match "
                f"{end} (edited)",
            )


def _claim_from_head(
    label: str, data: Mapping[str, Any], run_id: int | None, keyring: AuditKeyring
) -> tuple[_HeadClaim | None, str | None]:
    """A head recorded by a run or a checkpoint file, checked; or why it cannot be used."""
    if "signature" in data:
        try:
            checkpoint = Checkpoint.from_json(data)
        except ValueError as error:
            return None, f"{label}: its recorded audit head is malformed: {error}"
        return _claim_from_checkpoint(label, checkpoint, run_id, keyring)
    last_id = data.get("last_id", data.get("id"))
    last_hash = data.get("last_hash", data.get("hash"))
    if last_id is None or not isinstance(last_hash, str):
        return None, None
    count = data.get("count")
    return _HeadClaim(label, int(last_id), last_hash, None if count is None else int(count)), None


def _claim_from_checkpoint(
    label: str, checkpoint: Checkpoint, run_id: int | None, keyring: AuditKeyring
) -> tuple[_HeadClaim | None, str | None]:
    if keyring.get(checkpoint.key_id) is None:
        return None, (
            f"{label}: signed by audit key {checkpoint.key_id}, which is neither "
            f"TERRITORY_SYNC_AUDIT_KEY nor in {PREVIOUS_KEYS_ENV_VAR}"
        )
    if not checkpoint.signature_valid(keyring):
        return None, f"{label}: its signature does not verify (edited)"
    if run_id is not None and checkpoint.run_id != run_id:
        return None, (
            f"{label}: its recorded audit head was signed for run {checkpoint.run_id} "
            "(copied from another run)"
        )
    if checkpoint.last_id is None:
        return None, None
    return (
        _HeadClaim(label, checkpoint.last_id, checkpoint.last_hash, checkpoint.count),
        None,
    )


def _run_heads(connection: Connection) -> Iterator[tuple[int, Any]]:
    last = 0
    while True:
        rows = connection.execute(
            select(RUNS.c.id, RUNS.c.figures)
            .where(RUNS.c.id > last)
            .order_by(RUNS.c.id)
            .limit(RUN_BATCH)
        ).all()
        if not rows:
            return
        for run_id, figures in rows:
            yield int(run_id), (figures or {}).get("audit_head")
        last = int(rows[-1][0])


def _collect_claims(
    connection: Connection,
    keyring: AuditKeyring,
    latest: LatestCheckpoint | None,
    problems: _ProblemList,
    report: VerifyReport,
) -> list[_HeadClaim]:
    claims: list[_HeadClaim] = []
    runs_with_heads = 0
    for run_id, head in _run_heads(connection):
        if not isinstance(head, dict):
            continue
        claim, problem = _claim_from_head(f"run {run_id}", head, run_id, keyring)
        if problem:
            problems.add("head", problem)
        if claim:
            claims.append(claim)
            runs_with_heads += 1
    report.anchors.append("the chain head")
    if runs_with_heads:
        report.anchors.append(f"the heads recorded by {runs_with_heads:,} run(s)")
    if latest is not None:
        where = f"{latest.path} line {latest.line_number}"
        if latest.checkpoint is None:
            problems.add("checkpoint", f"the checkpoint file {latest.path}: {latest.error}")
        else:
            label = f"the checkpoint of {latest.checkpoint.at} ({where})"
            claim, problem = _claim_from_checkpoint(label, latest.checkpoint, None, keyring)
            if problem:
                problems.add("checkpoint", problem)
            if claim:
                claims.append(claim)
            report.anchors.append(label)
    claims.sort(key=lambda claim: claim.last_id)
    return claims


def verify_audit(
    connection: Connection, *, checkpoint_file: Path | None = None, batch: int = 5000
) -> VerifyReport:
    """Walk the whole chain in id order, in batches of `batch` rows, and check its end against
    the chain head, the runs' heads and (when given) the latest line of `checkpoint_file`.

    Needs `TERRITORY_SYNC_AUDIT_KEY` (and `TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS` for segments
    signed before a rotation); `MissingCredentialError` naming the variable when it is unset.
    """
    keyring = audit_keyring("verifying the audit log")
    report = VerifyReport()
    problems = _ProblemList(report)
    # The heads are read before the rows: a head only grows, so every honest head read now is
    # covered by the rows read after it, even while runs keep appending.
    latest = latest_checkpoint(checkpoint_file) if checkpoint_file is not None else None
    claims = _collect_claims(connection, keyring, latest, problems, report)
    walk = _ChainWalk(connection, keyring, claims, report)
    columns = [AUDIT.c[name] for name in ROW_COLUMNS]
    head: ChainHead | None = None
    while True:
        while True:
            chunk = (
                connection.execute(
                    select(*columns)
                    .where(AUDIT.c.id > walk.last_id)
                    .order_by(AUDIT.c.id)
                    .limit(batch)
                )
                .mappings()
                .all()
            )
            if not chunk:
                break
            walk.batch(chunk)
        head = read_chain_head(connection)
        more = connection.execute(
            select(AUDIT.c.id).where(AUDIT.c.id > walk.last_id).limit(1)
        ).first()
        if more is None:
            break  # rows appended while the last batch was read are walked too
    walk.finish(head)
    report.problems.sort(key=_problem_order)
    return report
