"""How values read on a page: numbers with thousands separators, times in the configured time
zone, durations, and words for the stored codes (statuses, kinds, triggers, CRMs).

The pages' templates use these as Jinja filters (`common.TEMPLATES` registers them): `number`,
`when`, `duration`, `label` and `crm`. None reads as empty text, never as "None". Times are shown
in `[schedule] timezone` (the zone the schedule and its next run are told in), with the zone's
abbreviation, to the second.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from jinja2.runtime import Context

from mapping.territories.facts import CRM_NAMES
from territory_sync.settings import Settings
from territory_sync.times import parse_time

LABELS = {
    # Audit statuses and change states.
    "planned": "Planned",
    "in_flight": "In flight",
    "written": "Written",
    "failed": "Failed",
    "conflict": "Conflict (left alone)",
    "skipped": "Skipped",
    "held": "Held (writes off)",
    "superseded": "Superseded",
    "rolled_back": "Rolled back",
    "unfinished": "Unfinished",
    "flagged_deleted": "Flagged deleted",
    "hold_released": "Hold released",
    "link_pinned": "Link pinned",
    "link_broken": "Link broken",
    "link_cleared": "Link cleared",
    "token_created": "Token created",
    "token_revoked": "Token revoked",
    "config_changed": "Settings changed",
    "territory_edited": "Territory file edited",
    "rollback_started": "Rollback started",
    "key_rotated": "Audit key rotated",
    # Run and plan statuses.
    "running": "Running",
    "succeeded": "Succeeded",
    "partial": "Partly done",
    "stopped": "Stopped",
    "interrupted": "Interrupted",
    "draft": "Not applied yet",
    "applying": "Being applied",
    "applied": "Applied",
    # Run kinds and triggers.
    "sync": "Sync",
    "plan": "Plan",
    "apply": "Apply",
    "rollback": "Rollback",
    "pull": "Pull",
    "assign": "Owner assignment",
    "schedule": "Schedule",
    "admin": "Console or API",
    "cli": "Command line",
}
"""Words for the codes the store keeps; a code without one reads with its underscores as spaces."""


def label(code: object) -> str:
    """The words for a stored code (`rolled_back` reads "Rolled back")."""
    if code is None:
        return ""
    text = str(code)
    return LABELS.get(text) or text.replace("_", " ").capitalize()


def crm(source: object) -> str:
    """A CRM as a person names it: "Salesforce", "HubSpot"."""
    return "" if source is None else CRM_NAMES.get(str(source), str(source))


def number(value: object) -> str:
    """A count or figure with thousands separators (1,234; 2.5); text as it is; None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value == int(value):
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def duration(seconds: object) -> str:
    """A duration as a person reads it: "0.4 s", "42 s", "3 min 05 s", "2 h 07 min"."""
    if seconds is None or isinstance(seconds, bool):
        return ""
    try:
        total = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(seconds)
    if total < 10:
        return f"{total:.1f} s"
    whole = round(total)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} h {minutes:02d} min"


def zone_of(settings: Settings) -> ZoneInfo:
    """The zone pages show times in: `[schedule] timezone`."""
    return ZoneInfo(settings.schedule.timezone)


def in_zone(value: object, zone: ZoneInfo) -> str:
    """A stored time (aware, naive UTC, or ISO text) in `zone`, to the second, with the zone's
    abbreviation: "2026-03-01 03:00:05 CET"; None empty."""
    if value is None or value == "":
        return ""
    try:
        moment = parse_time(value)
    except ValueError:
        return str(value)
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or zone.key}"


@pass_context
def when(context: Context, value: datetime | str | None) -> str:
    """`in_zone` in the zone of the console rendering the page."""
    request = context.get("request")
    settings = getattr(request.app.state, "settings", None) if request is not None else None
    zone = zone_of(settings) if isinstance(settings, Settings) else ZoneInfo("UTC")
    return in_zone(value, zone)


def share(value: object) -> str:
    """A fraction as a percentage: 0.955 reads "95.5%", 0.2 reads "20%"."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def crm_first(counts: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """Figures per CRM in the order the console names CRMs: Salesforce, then HubSpot."""
    order = list(CRM_NAMES)
    rank = {source: place for place, source in enumerate(order)}
    return sorted((counts or {}).items(), key=lambda item: (rank.get(item[0], len(order)), item[0]))


def by_crm(counts: Mapping[str, Any] | None) -> str:
    """Counts per CRM in words: "600 to Salesforce, 355 to HubSpot"."""
    return ", ".join(
        f"{number(count)} to {crm(source)}" for source, count in crm_first(counts) if count
    )


def guard_rail_sentence(verdict: Mapping[str, Any]) -> str:
    """What the guard rails found, without the command line's advice: "955 of 1,000 evaluated
    accounts (95.5%) would change owner, more than the 20% limit"."""
    if "changes" not in verdict or "evaluated" not in verdict:
        return str(verdict.get("message") or "")
    moving = (
        f"{number(verdict['changes'])} of {number(verdict['evaluated'])} evaluated accounts "
        f"({share(verdict.get('share'))})"
    )
    limit = share(verdict.get("limit"))
    if not verdict.get("allowed", True):
        return f"{moving} would change owner, more than the {limit} limit"
    if verdict.get("overridden"):
        return f"{moving} change owner: above the {limit} limit, allowed explicitly"
    return f"{moving} change owner: within the {limit} limit"


FILTERS: Mapping[str, Any] = {
    "label": label,
    "crm": crm,
    "number": number,
    "duration": duration,
    "when": when,
}
"""The filters `common.TEMPLATES` registers for every page."""
