"""The SOQL the connector sends: field lists, the incremental cursor condition, owner lookups.

The incremental condition is the heart of a lossless pull. Records are ordered by
(SystemModstamp, Id), and the stored position is the last committed record's pair, so the next
pull asks for `(SystemModstamp = last AND Id > lastId) OR SystemModstamp > last`: records sharing
the boundary second are neither skipped (a strict `>` would) nor repeated. A lookback window
re-reads the last minutes whole (`SystemModstamp >= last - lookback`) for transactions that commit
with a stamp older than records already seen.

String values (record ids) are quoted by simple-salesforce (`format_soql` and
`quote_soql_value`, simple_salesforce/format.py): backslashes and single quotes escaped exactly as
this module did by hand, and double quotes, newlines, tabs and the other escapes of
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
besides. dateTime literals stay this module's own (`soql_datetime`): the library reads a datetime
without a time zone as local time, where the cursor's stored times are UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from simple_salesforce.format import format_soql, quote_soql_value

from connectors.base import PullPosition
from connectors.salesforce.settings import (
    DELETED_FIELD,
    ID_FIELD,
    IDS_PER_QUERY,
    MODIFIED_FIELD,
    SOQL_DATETIME_FORMAT,
)
from territory_sync.errors import ConfigurationError

ORDER = f" ORDER BY {MODIFIED_FIELD}, Id"
# API names are letters, digits and underscores (custom ones end in __c); a dot follows a
# relationship (Parent.Name). Anything else would change the query rather than name a field.
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*")


def account_fields(wanted: Iterable[str]) -> list[str]:
    """`Id`, the `wanted` fields, then the connector's own fields not among them (SystemModstamp,
    IsDeleted): each once (SOQL names ignore case)."""
    fields = [ID_FIELD]
    seen = {ID_FIELD.lower()}
    for name in (*wanted, MODIFIED_FIELD, DELETED_FIELD):
        name = name.strip()
        if name and not _FIELD_NAME.fullmatch(name):
            raise ConfigurationError(
                "is not a Salesforce field name (letters, digits and underscores, such as "
                "Region__c, or a relationship such as Parent.Name)",
                key="salesforce.account_fields",
                given=name,
            )
        if name and name.lower() not in seen:
            seen.add(name.lower())
            fields.append(name)
    return fields


def soql_datetime(moment: datetime) -> str:
    """A dateTime literal, rounded down to the whole second.

    Rounding down is always safe: `>=` and `>` then include more, never less, and Salesforce keeps
    SystemModstamp to the second anyway.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(SOQL_DATETIME_FORMAT)


def quote(value: str) -> str:
    """A SOQL string literal, quoted by simple-salesforce (`quote_soql_value`)."""
    return quote_soql_value(value)


def since_condition(since: PullPosition, lookback: timedelta) -> str:
    """Records after `since`: the (SystemModstamp, Id) cursor, or the whole lookback window."""
    if lookback > timedelta(0):
        return f"{MODIFIED_FIELD} >= {soql_datetime(since.modified_at - lookback)}"
    stamp = soql_datetime(since.modified_at)
    if since.record_id is None:
        return f"{MODIFIED_FIELD} >= {stamp}"
    return (
        f"({MODIFIED_FIELD} = {stamp} AND Id > {quote(since.record_id)}) "
        f"OR {MODIFIED_FIELD} > {stamp}"
    )


def accounts_query(
    fields: Sequence[str], where: str | None, *, ordered: bool, sobject: str = "Account"
) -> str:
    """The pull query (of Accounts, or of another sObject such as Contact); Bulk API jobs cannot
    ORDER BY, so they pass `ordered=False`."""
    text = f"SELECT {', '.join(fields)} FROM {sobject}"
    if where:
        text += f" WHERE {where}"
    return text + (ORDER if ordered else "")


def count_query(where: str | None, sobject: str = "Account") -> str:
    return f"SELECT COUNT() FROM {sobject}" + (f" WHERE {where}" if where else "")


USERS_QUERY = "SELECT Id, Email, Name, IsActive FROM User"
ACCOUNT_IDS_QUERY = "SELECT Id FROM Account"
"""Live accounts only when sent with `query` (deleted ones need `queryAll`)."""


def owners_queries(ids: Sequence[str], sobject: str = "Account") -> Iterator[str]:
    """`SELECT Id, OwnerId, IsDeleted, SystemModstamp ... WHERE Id IN (...)` in chunks far under
    the URI limit (SystemModstamp tells whether a record changed between two reads)."""
    if not _FIELD_NAME.fullmatch(sobject):
        raise ValueError(f"not an sObject name: {sobject!r}")
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = list(ids[start : start + IDS_PER_QUERY])
        yield format_soql(
            f"SELECT Id, OwnerId, IsDeleted, SystemModstamp FROM {sobject} WHERE Id IN {{}}",
            chunk,
        )
