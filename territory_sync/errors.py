"""The project's own exception types: each carries a message a person can act on and an exit code.

Nothing above `connectors/` sees a vendor exception: connectors wrap them in `CrmError` subclasses.
The command line prints `str(error)` and exits with `error.exit_code`; it never shows a traceback
for these. Given `--json`, it also prints `error.error_code`, a stable name scripts can test.
"""

from __future__ import annotations

from collections.abc import Sequence


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
    error_code: str = "error"
    """Stable name of the kind of error, for scripts: `--json` prints it as `error.code`."""


class ConfigurationError(TerritorySyncError):
    """The configuration file or an environment variable holds a value that cannot be used."""

    error_code = "configuration"

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

    error_code = "missing_credential"

    def __init__(self, variables: str, purpose: str) -> None:
        super().__init__(f"{purpose}: set the environment variable {variables}")
        self.variables = variables


class UnknownScopeError(ConfigurationError):
    """A run was limited to an account or a territory the product does not know (`--account`,
    `--territory`); the message names the value and the closest known one."""

    def __init__(self, message: str, *, what: str, given: str) -> None:
        super().__init__(message)
        self.error_code = f"unknown_{what}"
        """`unknown_account` or `unknown_territory`."""
        self.what = what
        self.given = given


class ConfirmationRequiredError(TerritorySyncError):
    """A command that writes owners was given neither `--yes` nor a terminal to ask at."""

    error_code = "confirmation_required"


class TerritoryFileError(TerritorySyncError):
    """The territory file is broken; names the file, line, territory and field. A file with
    several errors is reported with all of them at once (`all_at_once`, `errors`)."""

    error_code = "territory_file"

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
        self.message = message
        """What is wrong and what to do, without the file, line, territory and field."""
        self.file = file
        self.line = line
        self.territory = territory
        self.field = field
        self.errors: tuple[TerritoryFileError, ...] = (self,)
        """Every error this one reports, in line order: itself, or those `all_at_once` lists."""

    @classmethod
    def all_at_once(cls, errors: Sequence[TerritoryFileError]) -> TerritoryFileError:
        """One error reporting every one of `errors` (at least one, all in one file), in line
        order: the error itself when there is one, else their count followed by each of them on
        a line of its own, as written alone."""
        ordered = sorted(errors, key=lambda error: error.line or 0)
        if len(ordered) == 1:
            return ordered[0]
        listed = "\n".join(str(error) for error in ordered)
        combined = cls(f"{len(ordered)} errors, in line order:\n{listed}", file=ordered[0].file)
        combined.errors = tuple(ordered)
        return combined

    def as_json(self) -> dict[str, object]:
        """One error as `--json` lists it."""
        return {
            "file": self.file,
            "line": self.line,
            "territory": self.territory,
            "field": self.field,
            "message": self.message,
        }


class DatabaseError(TerritorySyncError):
    """The database cannot be reached or is not in the expected state."""

    error_code = "database"


class InternalError(TerritorySyncError):
    """A check of the product's own consistency failed (a bug, not the data's or the admin's
    doing); the run stops before anything is written."""

    exit_code = ExitCode.CHANGES_FAILED
    error_code = "internal"


class AuditIntegrityError(TerritorySyncError):
    """The audit log or its chain head does not verify; `territory-sync audit verify` says where."""

    exit_code = ExitCode.CHANGES_FAILED
    error_code = "audit_integrity"


class RunLockedError(TerritorySyncError):
    """Another run holds the lock."""

    exit_code = ExitCode.LOCKED
    error_code = "run_locked"


class SchedulerRunningError(TerritorySyncError):
    """Another scheduler already runs on this SQLite database."""

    exit_code = ExitCode.LOCKED
    error_code = "scheduler_running"


class SchedulerLoopError(TerritorySyncError):
    """The scheduler's loop ended on an error (a database that stopped answering while a fire time
    was being stored, say): the process exits so the service manager starts it again."""

    exit_code = ExitCode.CHANGES_FAILED
    error_code = "scheduler_loop"


class WebhookSignatureError(TerritorySyncError):
    """A webhook request whose signature is missing, wrong or too old: refused, nothing done.
    The message says which check failed, never the secret or the signature."""

    error_code = "webhook_signature"


class GuardRailError(TerritorySyncError):
    """A guard rail stopped the run before anything was written."""

    exit_code = ExitCode.GUARD_RAIL
    error_code = "guard_rail"


class RunInterruptedError(TerritorySyncError):
    """A stop was requested (Ctrl-C, SIGTERM) before the run could write anything."""

    exit_code = ExitCode.INTERRUPTED
    error_code = "interrupted"


class StalePlanError(TerritorySyncError):
    """A saved plan is superseded or stale; a fresh plan was made instead of replaying it."""

    exit_code = ExitCode.GUARD_RAIL
    error_code = "stale_plan"

    def __init__(self, message: str, *, new_plan_id: int | None = None) -> None:
        super().__init__(message)
        self.new_plan_id = new_plan_id


class AlertDeliveryError(TerritorySyncError):
    """An alert channel (SMTP, a webhook) did not take an alert. `permanent`: it refused this
    alert for good (a rejected recipient, a 4xx answer), so sending it again cannot help; else
    the outage may pass and the alert is tried again. The message never holds a URL or a
    password."""

    exit_code = ExitCode.CHANGES_FAILED
    error_code = "alert_delivery"

    def __init__(self, message: str, *, channel: str, permanent: bool = False) -> None:
        super().__init__(f"{channel}: {message}")
        self.channel = channel
        self.permanent = permanent


class CrmError(TerritorySyncError):
    """A CRM refused or failed a request; raised by connectors in place of vendor exceptions."""

    exit_code = ExitCode.CRM_UNAVAILABLE
    error_code = "crm"

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

    error_code = "crm_authentication"


class CrmUnavailableError(CrmError):
    """The CRM kept failing (5xx, timeouts, throttling) after every retry."""

    error_code = "crm_unavailable"


class CrmRequestError(CrmError):
    """The CRM rejected a request as invalid; retrying would not help."""

    error_code = "crm_request"


class ApiBudgetExhaustedError(CrmError):
    """The share of the daily API allocation the product may use is spent: stop for today."""

    error_code = "api_budget_exhausted"
