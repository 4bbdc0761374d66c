"""The store a scorecard test reads: three reps, four accounts and opportunities around 2026-Q4,
and a territory file with quarterly goals for NA-West (and monthly ones for NA-East)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from mapping.unified import UnifiedAccount, UnifiedOpportunity, UnifiedRep
from sync.store.accounts import upsert_accounts
from sync.store.database import Database
from sync.store.related import upsert_related
from sync.store.reps import upsert_reps

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
"""In 2026-Q4 (the fiscal year starts in January)."""
MAYA, DAN, LENA = (f"{n}@acme-revenue.example" for n in ("maya.chen", "daniel.okafor", "lena"))
TERRITORIES = f"""\
version: 1
settings:
  currency_rates: {{EUR: 1.10}}
territories:
  - name: NA-West
    criteria: {{region: [US-CA]}}
    goals:
      period: quarter
      bookings: 1000
      pipeline_created: 4000
      open_pipeline_coverage: 2
      accounts: 4
      accounts_with_open_opportunity: 0.5
    members:
      - email: {MAYA}
        goals: {{bookings: 600}}
      - email: {DAN}
  - name: EMEA
    criteria: {{country: [DE]}}
    members: [{{email: {LENA}}}]
  - name: NA-East
    criteria: {{region: [US-NY]}}
    goals: {{period: month, accounts: 1}}
    members: [{{email: {LENA}}}]
"""


def day(month: int, date: int, year: int = 2026) -> datetime:
    return datetime(year, month, date, tzinfo=UTC)


def opportunity(
    record: str,
    account: str,
    owner: str,
    amount: int,
    *,
    closes: datetime,
    created: datetime,
    won: bool = False,
    lost: bool = False,
    currency: str | None = None,
) -> UnifiedOpportunity:
    return UnifiedOpportunity(
        "salesforce",
        record,
        account,
        owner,
        name=f"Deal {record}",
        amount=Decimal(amount),
        currency=currency,
        close_date=closes,
        is_closed=won or lost,
        is_won=won,
        created_at=created,
    )


OPPORTUNITIES = [
    # NA-West's Q4: won 500 + 200 EUR (220), created 220 + 1,000 + 50; open 1,000 closing in Q4.
    opportunity("006O1", "001A1", "005MAYA", 500, closes=day(10, 20), created=day(6, 1), won=True),
    opportunity(
        "006O2", "001A3", "005MAYA", 200, closes=day(11, 1), created=day(10, 5), won=True,
        currency="EUR",
    ),
    opportunity("006O3", "001A2", "005DAN", 1000, closes=day(12, 10), created=day(11, 2)),
    opportunity("006O4", "001A1", "005MAYA", 999, closes=day(9, 30), created=day(7, 1), won=True),
    opportunity(
        "006O5", "001A3", "005DAN", 300, closes=day(12, 1), created=day(10, 10), currency="CHF"
    ),
    opportunity("006O6", "001A4", "005LENA", 1234, closes=day(11, 3), created=day(10, 1), won=True),
    opportunity("006O7", "001A1", "005MAYA", 50, closes=day(11, 3), created=day(10, 1), lost=True),
]  # fmt: skip


def seed_book(database: Database, territory_file: Path, territories: str = TERRITORIES) -> None:
    """Reps, four Salesforce accounts (three in NA-West, one in Germany) and `OPPORTUNITIES`
    in the store; `territories` in `territory_file`."""
    territory_file.write_text(territories, encoding="utf-8")
    seen = datetime.now(UTC)
    with database.engine.begin() as connection:
        upsert_reps(
            connection,
            [
                UnifiedRep("salesforce", f"005{name}", email, name, True)
                for name, email in (("MAYA", MAYA), ("DAN", DAN), ("LENA", LENA))
            ],
        )
        upsert_accounts(
            connection,
            [
                UnifiedAccount(
                    "salesforce", "001A1", "One", country="US", region="US-CA", owner_id="005MAYA"
                ),
                UnifiedAccount(
                    "salesforce", "001A2", "Two", country="US", region="US-CA", owner_id="005MAYA"
                ),
                UnifiedAccount(
                    "salesforce", "001A3", "Three", country="US", region="US-CA", owner_id="005DAN"
                ),
                UnifiedAccount("salesforce", "001A4", "Vier", country="DE", owner_id="005LENA"),
            ],
            seen,
        )
        upsert_related(connection, "opportunity", OPPORTUNITIES, seen)
