"""The shape of "make one Salesforce call" that the connector's parts share.

The connector owns the client, the token, retries, re-authentication and usage counting; the
paging and Bulk modules only describe each call. `CallSalesforce(kind, what, operation)` runs
`operation(client)` with all of that around it and returns its result; a write passes
`idempotent=False` (see `connectors.retry`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from simple_salesforce.api import Salesforce

T = TypeVar("T")


class CallSalesforce(Protocol):
    def __call__(
        self,
        kind: str,
        what: str,
        operation: Callable[[Salesforce], T],
        *,
        idempotent: bool = True,
    ) -> T:
        """Run `operation` with the current client, retried and re-authenticated as needed.

        `kind` names the call in the usage counts; `what` says what it does, for messages. A
        write (`idempotent=False`) is not retried after an answer that leaves its effect
        unknown: it raises `AmbiguousWriteError`."""
        ...
