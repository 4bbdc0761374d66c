"""The daily API budget: stop writing before a set share of a CRM's daily allocation is used.

Salesforce reports usage on every response (`Sforce-Limit-Info: api-usage=used/max`); HubSpot
reports what is left (`X-HubSpot-RateLimit-Daily` and `-Daily-Remaining`). The connector feeds each
reading in; `check()` refuses to start another write once `share` of the allocation is spent, so
the CRM keeps headroom for people and other integrations.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from territory_sync.errors import ApiBudgetExhaustedError


@dataclass
class ApiBudget:
    crm: str
    share: float = 0.8
    used: int | None = None
    limit: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, used: int, limit: int) -> None:
        with self._lock:
            self.used, self.limit = used, limit

    def observe_remaining(self, remaining: int, limit: int) -> None:
        self.observe(max(limit - remaining, 0), limit)

    @property
    def spent(self) -> bool:
        if self.used is None or not self.limit:
            return False
        return self.used >= self.share * self.limit

    def check(self) -> None:
        if self.spent:
            assert self.used is not None and self.limit is not None
            raise ApiBudgetExhaustedError(
                f"{self.used:,} of {self.limit:,} daily API calls used, over the "
                f"{self.share:.0%} this product may use; writing stops until the allocation "
                "resets (raise [sync] api_budget_share to allow more)",
                crm=self.crm,
            )
