"""A run pulls its CRMs side by side: each CRM's accounts, then its contacts, on a thread of its
own, in one phase counted per CRM; a failure or a stop request ends both pulls, and the run ends
as it would have with the CRMs pulled one after the other."""

from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors.base import AccountPage, CrmUser, PullMode, PullPosition, RawAccount
from sync.runner import SyncRequest, SyncResult, run_sync
from sync.runs import get_run
from sync.store.accounts import ACCOUNTS
from sync.store.database import Database
from sync.store.related import CONTACTS
from sync.store.reps import REPS
from territory_sync.errors import CrmUnavailableError, RunInterruptedError
from territory_sync.logs import configure_logging
from territory_sync.settings import Settings, load_settings
from tests.sync.fakes import FakeCrm

SF, HS = "salesforce", "hubspot"
PAGES = 3
"""Account pages each fake CRM hands out (two records a page)."""
MEETING_SECONDS = 10
"""How long a pull waits at the meeting point for the other CRM's pull before giving up."""
TERRITORIES = """\
version: 1
settings: {unmatched: keep_owner}
territories:
  - name: Everywhere
    members: [{email: ana@x.example}]
"""
MODIFIED = {SF: "SystemModstamp", HS: "lastmodifieddate"}
CONTACT_FIELDS = {
    SF: lambda n: {"AccountId": f"{SF}-a{n}", "OwnerId": "005A", MODIFIED[SF]: "2026-01-05T10:00Z"},
    HS: lambda n: {"associatedcompanyid": f"{HS}-a{n}", MODIFIED[HS]: "2026-01-05T10:00:00Z"},
}
PageHook = Callable[[int], None]
"""Called by a fake CRM's account pull before it hands out page `n` (1-based)."""


def account_pages(source: str, pages: int = PAGES) -> list[list[RawAccount]]:
    return [
        [
            RawAccount(source, f"{source}-a{2 * page + i}", None, False, {"Name": f"Co {page} {i}"})
            for i in range(2)
        ]
        for page in range(pages)
    ]


@dataclass
class PagedCrm(FakeCrm):
    """A fake CRM that hands out pages of accounts and of contacts, and one rep (ana, in every
    CRM); `before_page` runs in the pull's thread before each account page."""

    pages: list[list[RawAccount]] = field(default_factory=list)
    contacts: int = 3
    before_page: PageHook | None = None
    pulled_on: list[str] = field(default_factory=list)
    """The threads the pulls ran on (accounts, then contacts)."""
    pages_handed_out: int = 0

    def pull_reps(self) -> list[CrmUser]:
        crm_id = "005A" if self.source == SF else "501"
        return [CrmUser(self.source, crm_id, "Ana@x.example", "Ana", True)]

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        self.pulled_on.append(threading.current_thread().name)
        return self._pages()

    def _pages(self) -> Iterator[AccountPage]:
        for number, records in enumerate(self.pages, start=1):
            if self.before_page is not None:
                self.before_page(number)
            self.pages_handed_out = number
            yield AccountPage(records, None)

    def pull_related(
        self,
        object_name: str,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        fields: Sequence[str] = (),
        optional_fields: Sequence[str] = (),
    ) -> Iterator[AccountPage]:
        self.pulled_on.append(threading.current_thread().name)
        records = [
            RawAccount(
                self.source, f"{self.source}-c{n}", None, False, CONTACT_FIELDS[self.source](n)
            )
            for n in range(self.contacts)
        ]
        return iter([AccountPage(records, None)])

    def related_writer(self, object_name: str) -> FakeCrm:
        return FakeCrm(self.source)


def meeting_at(page: int = 1, *, then: Callable[[], None] | None = None) -> PageHook:
    """A page hook both CRMs share: neither hands out page `page` before the other's pull has
    reached its own (`then` runs once both have); a pull that runs after the other never meets
    it, and the first gives up (`BrokenBarrierError`)."""
    meeting = threading.Barrier(2, action=then, timeout=MEETING_SECONDS)

    def before_page(number: int) -> None:
        if number == page:
            meeting.wait()

    return before_page


def both_crms(before_page: PageHook | None = None, **hubspot: Any) -> dict[str, PagedCrm]:
    hook = before_page or meeting_at()
    return {
        SF: PagedCrm(SF, pages=account_pages(SF), before_page=hook),
        HS: PagedCrm(HS, pages=account_pages(HS), before_page=hook, **hubspot),
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    territory_file = tmp_path / "territories.yaml"
    territory_file.write_text(textwrap.dedent(TERRITORIES), encoding="utf-8")
    return load_settings(None, environ={}, overrides={"territories": {"file": str(territory_file)}})


def pull(
    settings: Settings,
    database: Database,
    crms: dict[str, PagedCrm],
    *,
    stop: threading.Event | None = None,
    progress: Any = None,
    opened: list[int] | None = None,
    sources: tuple[str, ...] = (),
) -> SyncResult:
    """A plan-only full run over `crms` (nothing is written back)."""
    request = SyncRequest(
        actor="test",
        plan_only=True,
        full=True,
        sources=sources,
        on_run_opened=opened.append if opened is not None else None,
    )
    return run_sync(settings, database, request, connectors=crms, stop=stop, progress=progress)


def stored_ids(database: Database, source: str, table: Any = ACCOUNTS) -> set[str]:
    with database.engine.connect() as connection:
        return set(
            connection.execute(
                select(table.c.external_id).where(table.c.source == source)
            ).scalars()
        )


def ids_of(pages: list[list[RawAccount]]) -> set[str]:
    return {record.external_id for page in pages for record in page}


class RecordingProgress:
    """A watcher that counts each CRM's records apart (a `DetailedProgress`)."""

    def __init__(self) -> None:
        self.phases: list[str] = []
        self.by_crm: dict[str, int] = {}
        self.undivided = 0

    def phase(self, name: str, total: int | None = None) -> None:
        self.phases.append(name)

    def advance(self, amount: int = 1) -> None:
        self.undivided += amount

    def advance_in(self, source: str, amount: int) -> None:
        self.by_crm[source] = self.by_crm.get(source, 0) + amount

    def watch_connectors(self, connectors: Any) -> None:
        return None

    def writing_plan(self, plan_id: int) -> None:
        return None


def test_each_crms_accounts_and_contacts_are_stored_by_a_run_that_pulls_both(
    settings: Settings, database: Database
) -> None:
    crms = both_crms()

    pull(settings, database, crms)

    for source, crm in crms.items():
        assert stored_ids(database, source) == ids_of(crm.pages)
        assert stored_ids(database, source, CONTACTS) == {f"{source}-c{n}" for n in range(3)}


def test_the_two_crms_are_pulled_at_the_same_time(settings: Settings, database: Database) -> None:
    # Each pull waits at its first page for the other's: pulled one after the other, they
    # would never meet, and the first would give up.
    crms = both_crms(meeting_at())

    result = pull(settings, database, crms)

    assert result.figures["pulled"] == 2 * PAGES * 2
    assert crms[SF].pulled_on[0] != crms[HS].pulled_on[0]


def test_each_crm_pulls_its_contacts_after_its_accounts_on_the_same_thread(
    settings: Settings, database: Database
) -> None:
    crms = both_crms()

    pull(settings, database, crms)

    for crm in crms.values():
        accounts_thread, contacts_thread = crm.pulled_on
        assert accounts_thread == contacts_thread != threading.current_thread().name


def test_each_crms_pull_figures_are_those_of_pulling_it_alone(
    settings: Settings, database: Database
) -> None:
    alone = {
        source: pull(settings, database, both_crms(lambda _: None), sources=(source,)).figures[
            "pull"
        ][source]
        for source in (SF, HS)
    }

    together = pull(settings, database, both_crms()).figures["pull"]

    assert list(together) == [SF, HS]
    assert together == alone
    assert together[SF]["related"]["contact"]["pulled"] == 3
    assert together[SF]["reps"] == together[HS]["reps"] == 1


def test_a_rep_in_both_crms_is_one_rep_with_both_ids(
    settings: Settings, database: Database
) -> None:
    pull(settings, database, both_crms())

    with database.engine.connect() as connection:
        reps = connection.execute(
            select(REPS.c.email, REPS.c.salesforce_user_id, REPS.c.hubspot_owner_id)
        ).all()
    assert [tuple(rep) for rep in reps] == [("ana@x.example", "005A", "501")]


def test_every_crms_reps_are_stored_before_either_crms_accounts_are_pulled(
    settings: Settings, database: Database
) -> None:
    # The reps table is the one both pulls would write: neither writes it once they both run.
    reps_seen: list[tuple[str | None, str | None]] = []
    meeting = meeting_at()

    def reads_the_reps(number: int) -> None:
        with database.engine.connect() as connection:
            reps_seen.extend(
                connection.execute(select(REPS.c.salesforce_user_id, REPS.c.hubspot_owner_id))
            )
        meeting(number)

    pull(settings, database, both_crms(reads_the_reps))

    assert set(reps_seen) == {("005A", "501")}


def test_when_one_crms_pull_fails_the_other_stops_and_the_run_fails_with_that_error(
    settings: Settings, database: Database
) -> None:
    failing, hubspot_asks_again = threading.Event(), threading.Event()
    meeting = meeting_at()
    error = CrmUnavailableError("the CRM kept failing", crm=SF)

    def salesforce_fails_at_its_second_page(number: int) -> None:
        meeting(number)
        if number == 2:
            # Once HubSpot's first page is taken in (it asks for its second), not before.
            assert hubspot_asks_again.wait(MEETING_SECONDS)
            failing.set()
            raise error

    def hubspot_goes_on_once_salesforce_fails(number: int) -> None:
        meeting(number)
        if number == 2:
            hubspot_asks_again.set()
            assert failing.wait(MEETING_SECONDS)

    crms = {
        SF: PagedCrm(SF, pages=account_pages(SF), before_page=salesforce_fails_at_its_second_page),
        HS: PagedCrm(
            HS,
            pages=account_pages(HS, 10_000),
            before_page=hubspot_goes_on_once_salesforce_fails,
        ),
    }
    stop, opened = threading.Event(), list[int]()

    with pytest.raises(CrmUnavailableError) as raised:
        pull(settings, database, crms, stop=stop, opened=opened)

    assert raised.value is error
    assert crms[HS].pages_handed_out < 10_000
    assert stored_ids(database, SF) == ids_of(crms[SF].pages[:1])  # read before the failure
    assert ids_of(crms[HS].pages[:1]) <= stored_ids(database, HS)
    run = get_run(database, opened[0])
    assert run is not None
    assert (run["status"], run["message"]) == ("failed", str(error))
    assert not stop.is_set()


def test_a_stop_request_interrupts_both_pulls(settings: Settings, database: Database) -> None:
    stop, opened = threading.Event(), list[int]()
    crms = both_crms(meeting_at(2, then=stop.set))

    with pytest.raises(RunInterruptedError):
        pull(settings, database, crms, stop=stop, opened=opened)

    for source, crm in crms.items():
        assert crm.pages_handed_out == 2
        assert stored_ids(database, source) == ids_of(crm.pages[:1])
        assert stored_ids(database, source, CONTACTS) == set()
    run = get_run(database, opened[0])
    assert run is not None and run["status"] == "interrupted"


def test_no_pull_thread_is_left_running_after_a_failed_run(
    settings: Settings, database: Database
) -> None:
    before = set(threading.enumerate())

    def fails(number: int) -> None:
        raise CrmUnavailableError("down", crm=SF)

    with pytest.raises(CrmUnavailableError):
        pull(settings, database, both_crms(fails))

    assert set(threading.enumerate()) <= before


def test_the_pull_is_one_phase_whose_records_are_counted_per_crm(
    settings: Settings, database: Database
) -> None:
    progress = RecordingProgress()

    pull(settings, database, both_crms(), progress=progress)

    pulls = [phase for phase in progress.phases if phase.startswith("pull")]
    assert pulls == ["pull salesforce and hubspot"]
    assert progress.by_crm == {SF: 2 * PAGES + 3, HS: 2 * PAGES + 3}
    assert progress.undivided == 0


def test_a_run_of_one_crm_pulls_it_on_the_runs_thread_in_its_own_phases(
    settings: Settings, database: Database
) -> None:
    progress = RecordingProgress()
    crms = both_crms(lambda _: None)

    pull(settings, database, crms, progress=progress, sources=(SF,))

    pulls = [phase for phase in progress.phases if phase.startswith("pull")]
    assert pulls == ["pull salesforce", "pull salesforce contacts"]
    assert crms[SF].pulled_on == [threading.current_thread().name] * 2
    assert progress.undivided == 2 * PAGES + 3


def test_both_pulls_log_with_the_run_id(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    log_file = tmp_path / "run.log"
    configure_logging("info", str(log_file))

    result = pull(settings, database, both_crms())

    events = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    pulls = [event for event in events if event["event"].startswith("pull.")]
    assert {event.get("source") for event in pulls} == {SF, HS}
    assert {event["run_id"] for event in pulls} == {result.run_id}
