"""Field mapping: a CRM record, in the CRM's own field names, becomes a unified account.

Which CRM field holds each unified value, and which normaliser cleans it, is declared once in the
field registry (`mapping.registry`); this module only runs it. A record that cannot be mapped at
all (no id, a modified time that is not a time) raises `MalformedRecordError` with the reason, so
the sync can skip it, audit why, and go on. Values merely unusable (an employee count of "lots")
become None and the raw value stays in `raw`.
"""

from __future__ import annotations

from typing import Any

from mapping.normalise.times import MalformedRecordError
from mapping.registry import SOURCES, Reading, model_reading
from mapping.unified import UnifiedAccount

__all__ = ["MalformedRecordError", "to_unified"]


def to_unified(
    source: str,
    external_id: str,
    fields: dict[str, Any],
    *,
    deleted: bool = False,
) -> UnifiedAccount:
    """Map one CRM record to a unified account; raises MalformedRecordError when it cannot."""
    if source not in SOURCES:
        raise ValueError(f"unknown CRM {source!r}")
    if not external_id or not str(external_id).strip():
        raise MalformedRecordError("the record has no id")
    reading = Reading(source, deleted, {})
    values = reading.values
    for name, crm_field, normalise in model_reading(source):
        values[name] = normalise(fields.get(crm_field) if crm_field else None, reading)
    # A copy then one removal: several times cheaper than a filtering comprehension per record.
    raw = dict(fields)
    raw.pop("attributes", None)
    return UnifiedAccount(
        source=source,
        external_id=str(external_id).strip(),
        raw=raw,
        **values,  # type: ignore[arg-type]
    )
