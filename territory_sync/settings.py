"""Configuration: one TOML file for everything that is not secret, each key overridable by env.

Every key has a default, so an empty or missing `territory-sync.toml` works. An environment variable
`TERRITORY_SYNC_<SECTION>_<KEY>` (upper case) overrides a key, e.g. `TERRITORY_SYNC_DATABASE_URL`
or `TERRITORY_SYNC_SYNC_BLAST_RADIUS`. The CRM endpoints also answer to the vendor-style names the
sandbox prints (`SALESFORCE_INSTANCE_URL`, `HUBSPOT_BASE_URL`). Secrets (tokens, keys, client
secrets, webhook URLs) are never read from the file: only from the environment, at the point of use
(see `territory_sync.secrets`).

Validation errors name the file (or variable), the key, what was given and what is allowed.
Relative paths in the file are relative to the file's own folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from territory_sync.errors import ConfigurationError

DEFAULT_CONFIG_FILE = "territory-sync.toml"
CONFIG_ENV_VAR = "TERRITORY_SYNC_CONFIG"
ENV_PREFIX = "TERRITORY_SYNC_"

# Vendor-style names for the non-secret endpoints, read in addition to TERRITORY_SYNC_* names.
VENDOR_ENV_ALIASES: dict[tuple[str, str], str] = {
    ("salesforce", "instance_url"): "SALESFORCE_INSTANCE_URL",
    ("salesforce", "login_url"): "SALESFORCE_LOGIN_URL",
    ("hubspot", "base_url"): "HUBSPOT_BASE_URL",
}


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """A duration such as "24h", "90m", "2d" or "3600s"; ValueError (with the accepted forms)
    for anything else."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError('must be a duration such as "24h", "90m", "2d" or "3600s"')
    return timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


MIN_QUICK_ASSIGN = timedelta(minutes=1)
MAX_QUICK_ASSIGN = timedelta(hours=24)


def _checked_cron(value: str) -> str:
    if len(value.split()) != 5:
        raise ValueError("must have five fields: minute hour day month weekday")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///territory-sync.db"
    """SQLAlchemy URL: `sqlite:///path.db` (the default, a file beside the config) or
    `postgresql+psycopg://user@host:5432/dbname`."""
    migrate_on_open: bool = True
    """Bring an outdated database to the latest schema when a command or service opens it (one
    process at a time); false: refuse it until `territory-sync db upgrade` is run."""


class SalesforceSettings(_Section):
    enabled: bool = True
    instance_url: str = ""
    """Your My Domain URL, e.g. https://acme.my.salesforce.com (or the sandbox's URL)."""
    login_url: str = "https://login.salesforce.com"
    """Audience of the JWT bearer assertion: login.salesforce.com, or test.salesforce.com for
    sandboxes."""
    api_version: str = "59.0"
    account_fields: list[str] = Field(default_factory=list)
    """Extra Account fields to pull (custom fields included), e.g. ["Do_Not_Reassign__c"]."""
    page_size: int = Field(default=2000, ge=200, le=2000)
    bulk_threshold: int = Field(default=50_000, ge=1)
    """Pulls expected to return more records than this use Bulk API 2.0."""
    write_owners: bool = True
    write_batch_size: int = Field(default=200, ge=1, le=200)
    timeout_seconds: float = Field(default=60.0, gt=0)

    @field_validator("api_version")
    @classmethod
    def _version_shape(cls, value: str) -> str:
        major, _, minor = value.partition(".")
        if not (major.isdigit() and minor == "0"):
            raise ValueError("must look like 59.0")
        return value


class HubSpotSettings(_Section):
    enabled: bool = True
    base_url: str = "https://api.hubapi.com"
    extra_properties: list[str] = Field(default_factory=list)
    """Extra company properties to pull, e.g. ["do_not_reassign"]."""
    write_owners: bool = True
    write_batch_size: int = Field(default=100, ge=1, le=100)
    contact_write_batch_size: int = Field(default=100, ge=1, le=100)
    """Contacts per batch update. HubSpot's contacts guide has been quoted both as 100 and as
    "limited to batches of 10" (see docs): lower it to 10 if a portal refuses 100."""
    requests_per_ten_seconds: int = Field(default=190, ge=1)
    """The account's burst limit (Professional/Enterprise: 190); the client paces below it."""
    search_requests_per_second: int = Field(default=5, ge=1)
    timeout_seconds: float = Field(default=60.0, gt=0)


class SyncSettings(_Section):
    concurrency: int = Field(default=4, ge=1, le=25)
    blast_radius: float = Field(default=0.10, gt=0, le=1)
    """Refuse to apply when more than this share of evaluated accounts would change owner."""
    rep_change_flag: int = Field(default=50, ge=1)
    """Flag a rep who gains or loses more accounts than this in one run."""
    conflict_policy: Literal["respect", "override"] = "respect"
    api_budget_share: float = Field(default=0.80, gt=0, le=1)
    """Stop writing before this share of a CRM's daily API allocation is used."""
    lookback_seconds: int = Field(default=300, ge=0)
    max_attempts: int = Field(default=6, ge=1, le=20)
    """Attempts per CRM call (and per record of a write) before it counts as failed."""
    retry_initial_seconds: float = Field(default=0.5, gt=0, le=60)
    """First backoff wait; each retry doubles it (with jitter), up to 30 s."""
    lost_answer_wait_seconds: float = Field(default=5.0, ge=0, le=600)
    """After a write's answer is lost, wait at least this long before reading the owners back:
    the CRM may still be applying it."""
    plan_max_age: str = "24h"
    """A saved or unfinished plan older than this is not replayed: applying or resuming it
    re-plans against the current state instead (unless `apply --force`)."""

    @field_validator("plan_max_age")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value.strip()

    @property
    def plan_max_age_delta(self) -> timedelta:
        return parse_duration(self.plan_max_age)


class ScheduleSettings(_Section):
    cron: str = "0 2 * * *"
    timezone: str = "UTC"
    misfire_grace_seconds: int = Field(default=3600, ge=1)
    """A fire time missed while no scheduler ran is caught up (once, however many were missed)
    when the scheduler starts within this many seconds of it; later, it is recorded as missed."""
    heartbeat_seconds: int = Field(default=30, ge=1, le=3600)
    """How often a running scheduler records its heartbeat; three missed beats make `/healthz`
    unhealthy."""
    reconcile_cron: str = "0 3 * * 0"
    """When the scheduler compares every CRM's record ids with the store and flags records
    deleted behind the product's back (default: Sundays at 03:00); empty to switch it off."""
    quick_assign: str = ""
    """How often the scheduler gives new and unowned accounts an owner between nightly runs
    (`sync.quick_assign`), e.g. "10m" (recommended: every 10 minutes); empty: off."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Europe/Berlin") from exc
        return value

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        return _checked_cron(value)

    @field_validator("reconcile_cron")
    @classmethod
    def _empty_or_five_fields(cls, value: str) -> str:
        return _checked_cron(value) if value.strip() else ""

    @field_validator("quick_assign")
    @classmethod
    def _empty_or_interval(cls, value: str) -> str:
        if not value.strip():
            return ""
        if not MIN_QUICK_ASSIGN <= parse_duration(value) <= MAX_QUICK_ASSIGN:
            raise ValueError('must be from "1m" to "24h", e.g. "10m" (empty: off)')
        return value.strip()

    @property
    def quick_assign_interval(self) -> timedelta | None:
        """The quick assignment's interval, or None when it is off."""
        return parse_duration(self.quick_assign) if self.quick_assign else None


class TerritorySettings(_Section):
    file: str = "territories.yaml"


class LoggingSettings(_Section):
    level: Literal["debug", "info", "warning", "error"] = "warning"
    file: str = ""
    """Write JSON log lines to this file instead of standard error."""


class AuditSettings(_Section):
    checkpoint_file: str = ""
    """Where every run appends a signed checkpoint of the audit chain's head, one JSON line each
    (`territory-sync audit verify --checkpoint FILE` checks the log against the latest). Empty:
    `<database file>.audit-checkpoints` beside an SQLite file, or
    `territory-sync.audit-checkpoints` beside this configuration file for PostgreSQL. Keep a copy
    where whoever can write to the database cannot."""


AlertEvent = Literal[
    "book_changed",
    "new_opportunity",
    "no_eligible_member",
    "run_failed",
    "guard_rail",
    "conflicts",
    "below_goal_pace",
]
_ENV_VAR_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
REP_WEBHOOK_CHANNEL = "rep"
"""The channel name of reps' own webhooks (`webhook:rep`); not a name for `[alerts.webhooks]`."""


def _env_var_names(value: dict[str, str], what: str) -> dict[str, str]:
    # The values are read from the environment at the point of use: a URL here would be a
    # secret in the file, so it is refused (and never echoed: see `_first_error`).
    for name, variable in value.items():
        if not _ENV_VAR_NAME.match(variable):
            raise ValueError(
                f"{what} {name!r} must name the environment variable that holds its webhook URL "
                "(upper case, e.g. TERRITORY_SYNC_WEBHOOK_SALES): the URL is a secret and is "
                "read from the environment"
            )
    return value


def _default_alert_events() -> list[AlertEvent]:
    return [event for event in get_args(AlertEvent) if event != "below_goal_pace"]


class AlertsSettings(_Section):
    """Who hears about what: rep digests, new opportunities, territories nobody can own, and
    runs that failed, were stopped or met many conflicts (see `sync.alerts`). SMTP comes from
    `SMTP_HOST` (host or host:port), `SMTP_USER` and `SMTP_PASSWORD`; webhook URLs from the
    variables `webhooks` and `rep_webhooks` name."""

    events: list[AlertEvent] = Field(default_factory=_default_alert_events)
    """The events alerted on; `below_goal_pace` is for the scorecards."""
    conflicts_threshold: int = Field(default=10, ge=0)
    """Alert the admins when a run meets more conflicts (a person's later change) than this."""
    goal_pace_percent: int = Field(default=80, ge=1, le=100)
    """`below_goal_pace`: a territory whose attainment is below this share of its goal pace."""
    email_to_reps: bool = False
    """Send each rep whose book changed their digest at their email address."""
    email_admins: list[str] = Field(default_factory=list)
    """Addresses that get the admins' alerts (run problems, summaries)."""
    from_address: str = "territory-sync@localhost"
    webhooks: dict[str, str] = Field(default_factory=dict)
    """Admins' Slack-compatible channels: name -> the environment variable holding its URL."""
    rep_webhooks: dict[str, str] = Field(default_factory=dict)
    """A rep's own webhook: rep email -> the environment variable holding its URL."""
    smtp_starttls: bool | None = None
    """Unset: STARTTLS when the server offers it, and required when `SMTP_PASSWORD` is set;
    true: always required; false: never (a password would then travel in clear)."""
    accounts_listed: int = Field(default=25, ge=1, le=500)
    """Accounts (and opportunities) named per digest and direction; the rest are counted."""
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    """Socket timeout of each SMTP connection and webhook request."""
    send_budget_seconds: float = Field(default=60.0, gt=0, le=3600)
    """The most a run (or `alerts send`) spends delivering: the rest waits for the next one."""
    max_attempts: int = Field(default=3, ge=1, le=10)
    """Attempts per alert and delivery pass (a run, `alerts send`)."""
    retry_initial_seconds: float = Field(default=1.0, gt=0, le=60)
    """First wait between attempts; each retry doubles it, up to 30 s."""
    give_up_after_attempts: int = Field(default=20, ge=1)
    """An alert still not delivered after this many attempts in all is marked failed."""

    @field_validator("email_admins")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in address or any(c.isspace() for c in address):
                raise ValueError(f"{address!r} is not an email address")
        return [address.strip() for address in value]

    @field_validator("from_address")
    @classmethod
    def _from_address(cls, value: str) -> str:
        if "@" not in value or any(c.isspace() for c in value):
            raise ValueError("must be an email address, e.g. territory-sync@acme.example")
        return value

    @field_validator("webhooks")
    @classmethod
    def _channel_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _CHANNEL_NAME.match(name) or name == REP_WEBHOOK_CHANNEL:
                raise ValueError(
                    f"channel name {name!r} must be lower case letters, digits, - and _ (at "
                    f"most 48), and not {REP_WEBHOOK_CHANNEL!r} (reps' own webhooks)"
                )
        return _env_var_names(value, "channel")

    @field_validator("rep_webhooks")
    @classmethod
    def _rep_emails(cls, value: dict[str, str]) -> dict[str, str]:
        for email in value:
            if "@" not in email:
                raise ValueError(f"{email!r} is not a rep's email address")
        return _env_var_names({e.strip().lower(): v for e, v in value.items()}, "rep")


class Settings(_Section):
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    salesforce: SalesforceSettings = Field(default_factory=SalesforceSettings)
    hubspot: HubSpotSettings = Field(default_factory=HubSpotSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    territories: TerritorySettings = Field(default_factory=TerritorySettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    alerts: AlertsSettings = Field(default_factory=AlertsSettings)

    # Where the settings came from; relative paths are resolved against `base_dir`.
    source: str = Field(default="(defaults)", exclude=True)
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    def resolve_path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite path made absolute."""
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.resolve_path(url[len(prefix) :]))
        return url

    @property
    def territory_file(self) -> Path:
        return self.resolve_path(self.territories.file)

    def fingerprint(self) -> str:
        """A short hash of the effective configuration, recorded with every run."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


_SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation
    for name, field in Settings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
}


def _allowed_for(section: str, key: str) -> str | None:
    model = _SECTIONS.get(section)
    if model is None:
        return ", ".join(sorted(_SECTIONS))
    field = model.model_fields.get(key)
    if field is None:
        return ", ".join(sorted(model.model_fields))
    parts = []
    for meta in field.metadata:
        for attr, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(meta, attr, None)
            if bound is not None:
                parts.append(f"{word} {bound}")
    annotation = field.annotation
    args = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) is Literal and args:
        return " | ".join(str(a) for a in args)
    kind = getattr(annotation, "__name__", str(annotation))
    return " and ".join([kind, *parts]) if parts else kind


def _env_table(variable: str, raw: str) -> dict[str, str]:
    """A table setting from the environment: `key=value` pairs separated by commas."""
    table: dict[str, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        key, equals, value = item.partition("=")
        if not item:
            continue
        if not equals or not key.strip() or not value.strip():
            raise ConfigurationError(
                "must be key=value pairs separated by commas, e.g. "
                "sales-managers=TERRITORY_SYNC_WEBHOOK_SALES_MANAGERS",
                source=f"environment variable {variable}",
            )
        table[key.strip()] = value.strip()
    return table


def _env_overrides(environ: Mapping[str, str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Values from the environment, and which variable each (section.key) came from."""
    values: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    for section, model in _SECTIONS.items():
        for key, field in model.model_fields.items():
            names = [f"{ENV_PREFIX}{section}_{key}".upper()]
            alias = VENDOR_ENV_ALIASES.get((section, key))
            if alias:
                names.append(alias)
            for name in names:
                raw = environ.get(name)
                if raw is None or raw == "":
                    continue
                value: Any = raw
                if getattr(field.annotation, "__origin__", None) is list:
                    value = [item.strip() for item in raw.split(",") if item.strip()]
                elif getattr(field.annotation, "__origin__", None) is dict:
                    value = _env_table(name, raw)
                values.setdefault(section, {})[key] = value
                origins[f"{section}.{key}"] = f"environment variable {name}"
                break
    return values, origins


_NOT_ECHOED = frozenset({("alerts", "webhooks"), ("alerts", "rep_webhooks")})
"""Settings whose given value an error never repeats: a webhook URL put there by mistake is a
secret."""


def _first_error(exc: ValidationError, data: Mapping[str, Any]) -> tuple[str, str, Any, str]:
    error = exc.errors()[0]
    location = [str(p) for p in error["loc"]]
    section = location[0] if location else ""
    key = location[1] if len(location) > 1 else ""
    given = data.get(section, {}).get(key) if isinstance(data.get(section), dict) else None
    if (section, key) in _NOT_ECHOED:
        given = None
    if error["type"] == "extra_forbidden":
        given = None
        message = "is not a known setting"
        if not key:
            key, section = section, ""
            message = "is not a known section"
            allowed = ", ".join(sorted(_SECTIONS))
        else:
            allowed = _allowed_for(section, "") or ""
    else:
        message = error["msg"].removeprefix("Value error, ")
        allowed = _allowed_for(section, key) or ""
    dotted = ".".join(p for p in (section, key) if p)
    return dotted, message, given, allowed


def load_settings(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Read the configuration file (if any), apply environment and explicit overrides, validate.

    `path` None means `$TERRITORY_SYNC_CONFIG` or `./territory-sync.toml` when present; an explicit
    path that does not exist is an error.
    """
    env = os.environ if environ is None else environ
    explicit = path is not None or bool(env.get(CONFIG_ENV_VAR))
    config_path = Path(path or env.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_FILE).expanduser()
    data: dict[str, Any] = {}
    source = "(defaults)"
    if config_path.is_file():
        source = str(config_path)
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"is not valid TOML: {exc}", source=source) from exc
        except OSError as exc:
            raise ConfigurationError(f"cannot be read: {exc.strerror}", source=source) from exc
    elif explicit:
        raise ConfigurationError(
            "configuration file not found; run `territory-sync init` to write one",
            source=str(config_path),
        )

    for section, values in data.items():
        if not isinstance(values, dict):
            raise ConfigurationError(
                "must be a [section] table", source=source, key=section, given=values
            )
    env_values, origins = _env_overrides(env)
    merged: dict[str, Any] = {s: dict(v) for s, v in data.items()}
    for layer in (env_values, overrides or {}):
        for section, values in layer.items():
            merged.setdefault(section, {}).update(values)
    base_dir = config_path.resolve().parent if config_path.is_file() else Path.cwd()
    try:
        settings = Settings.model_validate({**merged, "source": source, "base_dir": base_dir})
    except ValidationError as exc:
        dotted, message, given, allowed = _first_error(exc, merged)
        where = origins.get(dotted, source)
        raise ConfigurationError(
            message, source=where, key=dotted or None, given=given, allowed=allowed or None
        ) from exc
    return settings
