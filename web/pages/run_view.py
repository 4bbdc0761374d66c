"""What the run page says about a run: a labelled summary of its figures, in words.

The stored run keeps figures under code names (`planned_by_crm`, `stopped_reason`) and its
outcome as the command line words it; the page shows labels, formatted numbers, times in the
configured zone, and advice for the console instead of commands to type. A figure the run does
not have is left out, never shown as "None"; every figure stays in `/api/runs/ID`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sync.store.runs import RunStatus
from web.pages.display import crm, crm_first, duration, guard_rail_sentence, in_zone, label, number


@dataclass(frozen=True)
class SummaryRow:
    """One labelled line of the summary; `href` makes its value a link."""

    label: str
    value: str
    href: str | None = None


COUNTED = (
    ("pulled", "Accounts pulled"),
    ("evaluated", "Records evaluated"),
    ("planned", "Changes planned"),
    ("written", "Changes written"),
    ("already_there", "Already there (not written again)"),
    ("failed", "Changes failed"),
    ("conflicts", "Conflicts (left alone)"),
    ("unfinished", "Changes unfinished (re-checked next run)"),
    ("held", "Held (writes switched off)"),
    ("skipped", "Skipped"),
    ("deleted", "Records gone (flagged deleted)"),
)
"""The run's counts, in the order the summary shows them."""
PER_CRM = {"planned": "planned_by_crm"}
"""Counts whose split per CRM is a figure of its own (the others' is in `by_crm`)."""


def _per_crm(figures: Mapping[str, Any], key: str) -> str:
    if key in PER_CRM:
        split = figures.get(PER_CRM[key]) or {}
    else:
        split = {s: c.get(key, 0) for s, c in (figures.get("by_crm") or {}).items()}
    return ", ".join(f"{crm(s)} {number(c)}" for s, c in crm_first(split) if c)


def _count_rows(figures: Mapping[str, Any]) -> list[SummaryRow]:
    rows = []
    for key, words in COUNTED:
        value = figures.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        split = _per_crm(figures, key) if value else ""
        rows.append(SummaryRow(words, number(value) + (f" ({split})" if split else "")))
        if key == "unfinished":
            for why, count in list((figures.get("why_unfinished") or {}).items())[:5]:
                rows.append(SummaryRow(f"{number(count)} unfinished because", str(why)))
    return rows


def _duration(run: Mapping[str, Any], figures: Mapping[str, Any]) -> str:
    seconds = figures.get("duration_seconds")
    started, finished = run.get("started_at"), run.get("finished_at")
    if seconds is None and isinstance(started, datetime) and isinstance(finished, datetime):
        seconds = (finished - started).total_seconds()
    return duration(seconds)


def stopped_because(run: Mapping[str, Any]) -> str | None:
    """Why the run stopped short, in words for the console; None when it did not."""
    figures = run.get("figures") or {}
    verdict = figures.get("guard_rails") or {}
    if figures.get("stopped_reason"):
        return str(figures["stopped_reason"])
    if run.get("status") != RunStatus.STOPPED.value:
        return None
    if verdict and not verdict.get("allowed", True):
        return f"the guard rail: {guard_rail_sentence(verdict)}; nothing was written"
    return str(run.get("message") or "") or None


def outcome(run: Mapping[str, Any]) -> str | None:
    """What the run's message says, reworded for the console where it gives a command."""
    figures = run.get("figures") or {}
    plan_id = figures.get("plan_id")
    verdict = figures.get("guard_rails") or {}
    message = str(run.get("message") or "")
    if run.get("kind") == "sync" and run.get("dry_run") and plan_id:
        text = f"Nothing was written: review plan {plan_id} and apply it from its page"
        if verdict and not verdict.get("allowed", True):
            text += f". A real run would stop here: {guard_rail_sentence(verdict)}"
        return text
    if run.get("status") == RunStatus.STOPPED.value and stopped_because(run):
        if plan_id:
            return f"Review plan {plan_id}; it can be applied from its page after review"
        return None
    if not message or message == run.get("status"):
        return None
    return message


def run_summary(run: Mapping[str, Any], zone: ZoneInfo) -> list[SummaryRow]:
    """The run's labelled summary (see the module's docstring)."""
    figures: Mapping[str, Any] = run.get("figures") or {}
    running = run.get("status") == RunStatus.RUNNING.value
    kind = label(run.get("kind")) + (" (dry run: nothing written)" if run.get("dry_run") else "")
    rows = [
        SummaryRow("Status", label(run.get("status"))),
        SummaryRow("Kind", kind),
        SummaryRow("Started by", str(run.get("actor") or "")),
        SummaryRow("Started from", label(run.get("trigger"))),
        SummaryRow("Started", in_zone(run.get("started_at"), zone)),
        SummaryRow(
            "Finished",
            in_zone(run.get("finished_at"), zone) or ("still running" if running else "never"),
        ),
    ]
    if not running:
        rows.append(SummaryRow("Duration", _duration(run, figures)))
    rows.extend(_count_rows(figures))
    why = stopped_because(run)
    if why:
        rows.append(SummaryRow("Stopped because", why))
    said = outcome(run)
    if said:
        rows.append(SummaryRow("Outcome", said))
    plan_id = figures.get("plan_id")
    if isinstance(plan_id, int):
        rows.append(SummaryRow("Plan", f"Plan {plan_id}", f"/plans/{plan_id}"))
    calls = {s: c.get("calls", 0) for s, c in (figures.get("api_calls") or {}).items()}
    if calls:
        rows.append(
            SummaryRow("API calls", ", ".join(f"{crm(s)} {number(c)}" for s, c in crm_first(calls)))
        )
    return [row for row in rows if row.value]
