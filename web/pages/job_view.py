"""What the job page says about a job: its state and outcome, its phase and progress, in words.

A job keeps its phase as the sync names it ("pull salesforce", "write owners") and its progress
as counts per CRM; the page shows the phase as a sentence ("Pulling Salesforce accounts"), each
CRM's records done of the total ("Salesforce: 1,200 of 5,000 records"), the API calls used, the
time left at the rate so far ("about 2 minutes left"), and how the job ended: succeeded, stopped
by a guard rail (with the guard rail's reason), failed, or interrupted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mapping.territories.facts import CRM_NAMES
from sync.plan import get_plan
from sync.store.database import Database
from web.jobs import Job, JobState
from web.pages.display import crm, guard_rail_sentence, number

STATE_WORDS: dict[str, str] = {
    JobState.QUEUED.value: "Waiting to start",
    JobState.RUNNING.value: "Running",
    JobState.SUCCEEDED.value: "Succeeded",
    JobState.STOPPED.value: "Stopped by a guard rail",
    JobState.FAILED.value: "Failed",
    JobState.INTERRUPTED.value: "Interrupted",
}
PHASE_VERBS = {
    "pull": "Pulling",
    "reconcile": "Reconciling",
    "link": "Linking",
    "evaluate": "Evaluating",
    "write": "Writing",
    "finish": "Finishing",
    "restore": "Restoring",
}
"""The first word of a sync's phase, as the page says it."""


@dataclass(frozen=True)
class JobView:
    state: str
    """"Succeeded", "Stopped by a guard rail"..."""
    outcome: str
    """The sentence after the state: the message, the guard rail's reason; "" while running."""
    phase: str
    counts: list[str]
    """"Salesforce: 1,200 of 5,000 records", one line per CRM (or one for the phase)."""
    done: int
    total: int | None
    api_calls: str
    time_left: str


def phase_words(phase: str) -> str:
    """A phase as a sentence: "pull salesforce" reads "Pulling Salesforce accounts", "write
    owners" "Writing owners"; a phase of other words reads as it is, capitalised."""
    if not phase:
        return "Starting"
    words = phase.split()
    if words[0] not in PHASE_VERBS:
        return phase[:1].upper() + phase[1:]
    rest = [CRM_NAMES.get(word, word) for word in words[1:]]
    if words[0] == "pull" and len(rest) == 1:
        rest.append("accounts")
    return " ".join([PHASE_VERBS[words[0]], *rest])


def _by_crm(items: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Per-CRM items, Salesforce first."""
    order = list(CRM_NAMES)
    return sorted(
        items.items(),
        key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]),
    )


def _records(done: int, total: int | None) -> str:
    if total is None:
        return f"{number(done)} records"
    return f"{number(done)} of {number(max(total, done))} records"


def _done_and_total(job: Job) -> tuple[int, int | None]:
    """The phase's records done and their total: added up over the CRMs when each has a total,
    else the phase's own."""
    counts = job.progress.values()
    if counts and all(count.get("total") is not None for count in counts):
        done = sum(count.get("done") or 0 for count in counts)
        return done, max(sum(count.get("total") or 0 for count in counts), done)
    return job.done, job.total


def time_left(seconds: float) -> str:
    """A remaining time in round words: "less than a minute left", "about 2 minutes left",
    "about 1 hour 10 minutes left"."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute left"
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return f"about {' '.join(parts)} left"


def _time_left(job: Job, done: int, total: int | None) -> str:
    """At the rate of the phase so far (until its row was last written); "" when not known."""
    if not job.active or not total or done <= 0 or done >= total or not job.phase_started_at:
        return ""
    elapsed = (job.updated_at - job.phase_started_at).total_seconds()
    if elapsed <= 0:
        return ""
    return time_left((total - done) * elapsed / done)


def _api_calls(calls: Mapping[str, int]) -> str:
    """ "42 (Salesforce 12, HubSpot 30)"; "" before any."""
    if not calls:
        return ""
    split = ", ".join(f"{crm(source)} {number(count)}" for source, count in _by_crm(calls))
    return f"{number(sum(calls.values()))} ({split})"


def _outcome(job: Job, verdict: Mapping[str, Any] | None) -> str:
    if job.active:
        return ""
    if job.status == JobState.STOPPED:
        reason = guard_rail_sentence(verdict) if verdict else ""
        return reason or job.message
    return job.message


def plan_verdict(database: Database, job: Job) -> dict[str, Any] | None:
    """The guard-rail verdict of the plan a stopped job saved; None for any other job."""
    if job.status != JobState.STOPPED or job.plan_id is None:
        return None
    plan = get_plan(database, job.plan_id)
    verdict = plan.get("guard_rails") if plan else None
    return verdict if isinstance(verdict, dict) else None


def job_view(job: Job, verdict: Mapping[str, Any] | None = None) -> JobView:
    """The job page's words for `job`; `verdict` is its plan's guard-rail verdict, if any."""
    counts = [
        f"{crm(source)}: {_records(count.get('done') or 0, count.get('total'))}"
        for source, count in _by_crm(job.progress)
    ]
    done, total = _done_and_total(job)
    if not counts and (done or total):
        counts = [_records(done, total)]
    return JobView(
        state=STATE_WORDS.get(job.status, job.status),
        outcome=_outcome(job, verdict),
        phase=phase_words(job.phase),
        counts=counts,
        done=done,
        total=total,
        api_calls=_api_calls(job.api_calls),
        time_left=_time_left(job, done, total),
    )
