"""Record ids in each CRM's own format, derived from a sequence number.

Salesforce ids are 15 characters (3-character key prefix, then the record number in base 62) plus a
3-character case-safe suffix, giving the 18-character form the REST API returns
(https://help.salesforce.com/s/articleView?id=000385008: "What is a Salesforce ID"). HubSpot
record and owner ids are plain numbers sent as strings.
"""

from __future__ import annotations

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

ACCOUNT_PREFIX = "001"
USER_PREFIX = "005"
BULK_JOB_PREFIX = "750"
QUERY_LOCATOR_PREFIX = "01g"


def case_safe_suffix(id15: str) -> str:
    """The 3 characters Salesforce appends to a 15-character id to make it case-insensitive."""
    suffix = []
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX[bits])
    return "".join(suffix)


def salesforce_id(prefix: str, number: int, pod: str = "5g") -> str:
    """An 18-character id: key prefix, a 2-character pod, a reserved `0`, 9 base-62 digits."""
    digits = []
    for _ in range(9):
        number, remainder = divmod(number, 62)
        digits.append(_BASE62[remainder])
    id15 = f"{prefix}{pod}0{''.join(reversed(digits))}"
    return id15 + case_safe_suffix(id15)


def hubspot_id(number: int, base: int = 10_000_000_000) -> str:
    """A HubSpot object id: a large integer as a string, unique per sequence number."""
    return str(base + number)
