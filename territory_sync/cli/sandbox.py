"""`territory-sync sandbox`: serve both CRM emulators until interrupted, for rehearsals."""

from __future__ import annotations

import os
import signal
import threading
from typing import Annotated

import typer

from sandbox.faults import FAULTS_ENV_VAR, FaultProfileError, parse_fault_profile
from territory_sync.cli.ports import ensure_port_free
from territory_sync.errors import ConfigurationError


def sandbox(
    accounts: Annotated[
        int, typer.Option(min=1, max=2_000_000, help="Accounts seeded in each CRM.")
    ] = 500,
    seed: Annotated[int, typer.Option(help="Seed of the deterministic data generator.")] = 1,
    salesforce_port: Annotated[
        int, typer.Option(min=0, max=65535, help="Salesforce port (0: any free port).")
    ] = 8101,
    hubspot_port: Annotated[
        int, typer.Option(min=0, max=65535, help="HubSpot port (0: any free port).")
    ] = 8102,
    host: Annotated[str, typer.Option(help="Address to listen on (keep it on loopback).")] = (
        "127.0.0.1"
    ),
    faults: Annotated[
        str | None,
        typer.Option(
            help=f"Fault profile: none, slow, chaos, or key=value pairs (or ${FAULTS_ENV_VAR})."
        ),
    ] = None,
) -> None:
    """Serve wire-faithful Salesforce and HubSpot emulators and print how to reach them."""
    from sandbox.launcher import start_sandbox

    try:
        profile = parse_fault_profile(faults or os.environ.get(FAULTS_ENV_VAR))
    except FaultProfileError as error:
        raise ConfigurationError(str(error), key="--faults") from error
    # The ports before the seeding, which takes a while for a large book.
    if salesforce_port and salesforce_port == hubspot_port:
        raise ConfigurationError(
            f"--salesforce-port and --hubspot-port are both {salesforce_port}; give each "
            "emulator its own port (0: any free port)"
        )
    ensure_port_free(host, salesforce_port, "--salesforce-port (0: any free port)")
    ensure_port_free(host, hubspot_port, "--hubspot-port (0: any free port)")
    typer.echo(f"# seeding {accounts:,} accounts per CRM (seed {seed}) ...", err=True)
    try:
        running = start_sandbox(
            accounts=accounts,
            seed=seed,
            faults=profile,
            host=host,
            salesforce_port=salesforce_port,
            hubspot_port=hubspot_port,
        )
    except RuntimeError as error:  # a port taken while the book was being seeded
        raise ConfigurationError(
            f"{error}; stop the other process or pass --salesforce-port and --hubspot-port "
            "(0: any free port)"
        ) from error
    # Listen for SIGTERM before printing: whoever reads the export lines may stop us at once.
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    for name, value in running.env().items():
        typer.echo(f"export {name}={value}")
    typer.echo(
        f"# Salesforce: {running.salesforce_url}  HubSpot: {running.hubspot_url}  "
        f"faults: {faults or 'none'}; press Ctrl-C to stop",
        err=True,
    )
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        typer.echo("# sandbox stopped", err=True)
