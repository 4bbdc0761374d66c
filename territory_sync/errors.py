"""The project's own exception types: each carries a message a person can act on and an exit code.

Nothing above `connectors/` sees a vendor exception: connectors wrap them in `CrmError` subclasses.
The command line prints `str(error)` and exits with `error.exit_code`; it never shows a traceback
for these.
"""

from __future__ import annotations


class ExitCode:
    """Process exit codes, documented in the README."""

    OK = 0
    CHANGES_FAILED = 1
    USAGE = 2
    GUARD_RAIL = 3
    LOCKED = 4
    CRM_UNAVAILABLE = 5
    INTERRUPTED = 130
    """Stopped by Ctrl-C or SIGTERM: batches in flight were finished and recorded; the next run
    finishes the rest (128 + SIGINT, the shell's own convention)."""


class TerritorySyncError(Exception):
    """Base of every error the product reports to a person."""

    exit_code: int = ExitCode.USAGE


class ConfigurationError(TerritorySyncError):
    """The configuration file or an environment variable holds a value that cannot be used."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        given: object = None,
        allowed: str | None = None,
    ) -> None:
        parts = []
        if source:
            parts.append(source)
        if key:
            parts.append(f"key {key!r}")
        where = ": ".join(parts)
        text = f"{where}: {message}" if where else message
        if given is not None:
            text += f" (given: {given!r})"
        if allowed:
            text += f"; allowed: {allowed}"
        super().__init__(text)
        self.source = source
        self.key = key
        self.given = given
        self.allowed = allowed


class MissingCredentialError(ConfigurationError):
    """A secret the product needs is not in the environment."""

    def __init__(self, variables: str, purpose: str) -> None:
        super().__init__(f"{purpose}: set the environment variable {variables}")
        self.variables = variables


class TerritoryFileError(TerritorySyncError):
    """The territory file is broken; names the file, line, territory and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        territory: str | None = None,
        field: str | None = None,
    ) -> None:
        where = file + (f":{line}" if line else "")
        context = []
        if territory:
            context.append(f"territory {territory!r}")
        if field:
            context.append(f"field {field!r}")
        text = f"{where}: " + (", ".join(context) + ": " if context else "") + message
        super().__init__(text)
        self.file = file
        self.line = line
        self.territory = territory
        self.field = field


class DatabaseError(TerritorySyncError):
    """The database cannot be reached or is not in the expected state."""


class InternalError(TerritorySyncError):
    """A check of the product's own consistency failed (a bug, not the data's or the admin's
    doing); the run stops before anything is written."""

    exit_code = ExitCode.CHANGES_FAILED


class AuditIntegrityError(TerritorySyncError):
    """The audit log or its chain head does not verify; `territory-sync audit verify` says where."""

    exit_code = ExitCode.CHANGES_FAILED


class RunLockedError(TerritorySyncError):
    """Another run holds the lock."""

    exit_code = ExitCode.LOCKED


class SchedulerRunningError(TerritorySyncError):
    """Another scheduler already runs on this SQLite database."""

    exit_code = ExitCode.LOCKED


class SchedulerLoopError(TerritorySyncError):
    """The scheduler's loop ended on an error (a database that stopped answering while a fire time
    was being stored, say): the process exits so the service manager starts it again."""

    exit_code = ExitCode.CHANGES_FAILED


class WebhookSignatureError(TerritorySyncError):
    """A webhook request whose signature is missing, wrong or too old: refused, nothing done.
    The message says which check failed, never the secret or the signature."""


class GuardRailError(TerritorySyncError):
    """A guard rail stopped the run before anything was written."""

    exit_code = ExitCode.GUARD_RAIL


class RunInterruptedError(TerritorySyncError):
    """A stop was requested (Ctrl-C, SIGTERM) before the run could write anything."""

    exit_code = ExitCode.INTERRUPTED


class StalePlanError(TerritorySyncError):
    """A saved plan is superseded or stale; a fresh plan was made instead of replaying it."""

    exit_code = ExitCode.GUARD_RAIL

    def __init__(self, message: str, *, new_plan_id: int | None = None) -> None:
        super().__init__(message)
        self.new_plan_id = new_plan_id


class AlertDeliveryError(TerritorySyncError):
    """An alert channel (SMTP, a webhook) did not take an alert. `permanent`: it refused this
    alert for good (a rejected recipient, a 4xx answer), so sending it again cannot help; else
    the outage may pass and the alert is tried again. The message never holds a URL or a
    password."""

    exit_code = ExitCode.CHANGES_FAILED

    def __init__(self, message: str, *, channel: str, permanent: bool = False) -> None:
        super().__init__(f"{channel}: {message}")
        self.channel = channel
        self.permanent = permanent


class CrmError(TerritorySyncError):
    """A CRM refused or failed a request; raised by connectors in place of vendor exceptions."""

    exit_code = ExitCode.CRM_UNAVAILABLE

    def __init__(
        self,
        message: str,
        *,
        crm: str,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(f"{crm}: {message}")
        self.crm = crm
        self.status = status
        self.code = code


class CrmAuthenticationError(CrmError):
    """The CRM rejected the credentials; re-authentication did not help."""


class CrmUnavailableError(CrmError):
    """The CRM kept failing (5xx, timeouts, throttling) after every retry."""


class CrmRequestError(CrmError):
    """The CRM rejected a request as invalid; retrying would not help."""


class ApiBudgetExhaustedError(CrmError):
    """The share of the daily API allocation the product may use is spent: stop for today."""
