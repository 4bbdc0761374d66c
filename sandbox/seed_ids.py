"""Salesforce Account ids for a million seeded records, fast.

`sandbox.ids.salesforce_id` computes every id digit by digit with its checksum; a book needs a
million of them, so `AccountIds` computes once the parts that do not change and only the last
digits per record. Its ids are equal to `salesforce_id("001", n)` for every n.
"""

from __future__ import annotations

from sandbox.ids import ACCOUNT_PREFIX, case_safe_suffix, salesforce_id

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class AccountIds:
    """Salesforce Account ids by record number, equal to `salesforce_id("001", n)`.

    A book makes a million of them, so the parts that never change below 62**5 records (the key
    prefix, pod, leading zeros and the first two checksum characters) are computed once, and only
    the last five base-62 digits and their checksum character per record."""

    _FAST_LIMIT = 62**5

    def __init__(self) -> None:
        first = salesforce_id(ACCOUNT_PREFIX, 0)
        self._head = first[:10]
        self._checksum_head = first[15:17]
        # Two base-62 digits at a time: their characters and which of them are upper case.
        self._pairs = [a + b for a in _BASE62 for b in _BASE62]
        self._pair_bits = [int(p[0].isupper()) | int(p[1].isupper()) << 1 for p in self._pairs]
        self._checksum = [
            case_safe_suffix("0" * 10 + "".join("A" if bits >> i & 1 else "0" for i in range(5)))[2]
            for bits in range(32)
        ]

    def __call__(self, number: int) -> str:
        if number >= self._FAST_LIMIT:
            return salesforce_id(ACCOUNT_PREFIX, number)
        high, low = divmod(number, 3844)
        first, middle = divmod(high, 3844)
        lead = _BASE62[first]
        bits = int(lead.isupper()) | self._pair_bits[middle] << 1 | self._pair_bits[low] << 3
        pairs = self._pairs
        return (
            f"{self._head}{lead}{pairs[middle]}{pairs[low]}{self._checksum_head}"
            f"{self._checksum[bits]}"
        )
