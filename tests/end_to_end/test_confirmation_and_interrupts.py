"""Nothing writes without an explicit yes, and Ctrl-C stops cleanly with the work resumable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from sync.runs import RUNS
from territory_sync.errors import ExitCode
from tests.end_to_end.conftest import Product
from tests.end_to_end.test_crash_and_concurrency import write_calls


def territory_sync(
    product: Product, *args: str, stdin: str | int | None = None
) -> subprocess.Popen[str]:
    """`territory-sync ARGS` as a process; `stdin` a text to pipe in, or a file descriptor."""
    env = {
        **os.environ,
        "TERRITORY_SYNC_TERRITORIES_FILE": str(product.territory_file),
        "TERRITORY_SYNC_SALESFORCE_WRITE_BATCH_SIZE": "5",
        "TERRITORY_SYNC_HUBSPOT_WRITE_BATCH_SIZE": "5",
        "TERRITORY_SYNC_SYNC_CONCURRENCY": "1",
        "TERRITORY_SYNC_SYNC_BLAST_RADIUS": "1",
        "TERRITORY_SYNC_SYNC_LOOKBACK_SECONDS": "5",
        "TERRITORY_SYNC_CONFIG": "",
    }
    command = [sys.executable, "-m", "territory_sync", "--database-url", product.database.url]
    return subprocess.Popen(
        [*command, *args],
        env=env,
        stdin=stdin if isinstance(stdin, int) else subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sync_without_a_terminal_and_without_yes_writes_nothing_and_exits_2(
    product: Product,
) -> None:
    process = territory_sync(product, "sync", stdin="n\n")
    out, err = process.communicate("n\n", timeout=120)

    assert process.returncode == ExitCode.USAGE, (out, err)
    assert "refusing to write owners without --yes" in err
    assert write_calls(product) == 0
    with product.database.engine.connect() as connection:
        assert connection.execute(select(RUNS.c.id)).first() is None, "no run was even started"


def test_json_output_does_not_imply_yes(product: Product) -> None:
    process = territory_sync(product, "sync", "--json")
    _, err = process.communicate(timeout=120)

    assert process.returncode == ExitCode.USAGE
    assert "--yes" in err
    assert write_calls(product) == 0


@pytest.mark.slow
def test_ctrl_c_during_write_back_finishes_the_batch_exits_130_and_the_next_run_finishes(
    product: Product,
) -> None:
    product.sandbox.set_faults("latency_ms=40")
    process = territory_sync(product, "sync", "--yes")
    deadline = time.monotonic() + 60
    while write_calls(product) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    assert process.returncode == ExitCode.INTERRUPTED, (out, err)
    assert "Traceback" not in out + err
    assert "interrupted" in out and "run `territory-sync sync` again" in out
    with product.database.engine.connect() as connection:
        status, figures = connection.execute(
            select(RUNS.c.status, RUNS.c.figures).order_by(RUNS.c.id.desc())
        ).first() or (None, None)
    assert status == "interrupted"
    assert figures["unfinished"] > 0 and figures["written"] > 0

    product.sandbox.set_faults("none")
    rerun = product.sync()
    assert rerun.exit_code == ExitCode.OK
    for crm in (product.sandbox.salesforce, product.sandbox.hubspot):
        assert all(count == 1 for count in crm.requests.writes_per_record().values())
    assert product.sync(dry_run=True).figures["planned"] == 0


def _in_a_terminal(product: Product, answer: str) -> tuple[int, str]:
    """Run `sync` with a pseudo-terminal as its standard input; answer its question."""
    import pty

    leader, follower = pty.openpty()
    process = territory_sync(product, "sync", stdin=follower)
    os.close(follower)
    os.write(leader, answer.encode())
    out, err = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, out + err


def test_in_a_terminal_the_plan_is_shown_before_the_question_and_no_writes_nothing(
    product: Product,
) -> None:
    code, output = _in_a_terminal(product, "n\n")

    assert code == ExitCode.OK, output
    assert output.index("changes planned") < output.index("Write ")
    assert "owner change(s) to Salesforce" in output
    assert "not confirmed: nothing written" in output
    assert write_calls(product) == 0


class ExpireSessionsAfterFirstWrite:
    """Progress that revokes every Salesforce session once the first write batch is recorded."""

    def __init__(self, product: Product) -> None:
        self.product, self.writing, self.done = product, False, False

    def phase(self, name: str, total: int | None = None) -> None:
        self.writing = name == "write owners"

    def advance(self, amount: int = 1) -> None:
        if self.writing and not self.done:
            self.done = True
            self.product.sandbox.salesforce.expire_sessions()


def test_credentials_refused_mid_write_exit_5_name_the_variable_and_the_next_run_finishes(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.runner import SyncRequest, run_sync

    monkeypatch.delenv("SALESFORCE_CLIENT_ID")
    monkeypatch.delenv("SALESFORCE_CLIENT_SECRET")
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", product.sandbox.salesforce.issue_token().value)
    product.settings.salesforce.write_batch_size = 5
    product.settings.sync.concurrency = 1

    result = run_sync(
        product.settings,
        product.database,
        SyncRequest(actor="test"),
        progress=ExpireSessionsAfterFirstWrite(product),
    )

    assert result.exit_code == ExitCode.CRM_UNAVAILABLE
    assert "SALESFORCE_ACCESS_TOKEN" in result.message
    assert result.figures["unfinished"] > 0
    assert result.figures["why_unfinished"]
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", product.sandbox.salesforce.issue_token().value)
    rerun = run_sync(product.settings, product.database, SyncRequest(actor="test"))
    assert rerun.exit_code == ExitCode.OK
    writes = product.sandbox.salesforce.requests.writes_per_record()
    assert writes and max(writes.values()) == 1
