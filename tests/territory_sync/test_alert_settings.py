"""`[alerts]`: off until a destination is named, webhooks by the name of the variable holding
their URL (a URL in the file is refused and never repeated), tables from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_sync.errors import ConfigurationError
from territory_sync.settings import load_settings

SECRET_URL = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "territory-sync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_by_default_alerts_go_nowhere_and_every_run_event_is_on() -> None:
    alerts = load_settings(None, environ={}).alerts
    assert (alerts.email_to_reps, alerts.email_admins, alerts.webhooks) == (False, [], {})
    assert alerts.events == [
        "book_changed",
        "new_opportunity",
        "no_eligible_member",
        "run_failed",
        "guard_rail",
        "conflicts",
    ]


def test_the_file_names_channels_by_the_variable_holding_their_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[alerts]
events = ["book_changed", "run_failed"]
conflicts_threshold = 5
email_to_reps = true
email_admins = ["revops@acme.example"]
from_address = "territory-sync@acme.example"
[alerts.webhooks]
sales-managers = "TERRITORY_SYNC_WEBHOOK_SALES_MANAGERS"
[alerts.rep_webhooks]
"Maya.Chen@acme-revenue.example" = "TERRITORY_SYNC_WEBHOOK_MAYA"
""",
    )
    alerts = load_settings(path, environ={}).alerts
    assert alerts.webhooks == {"sales-managers": "TERRITORY_SYNC_WEBHOOK_SALES_MANAGERS"}
    assert alerts.rep_webhooks == {"maya.chen@acme-revenue.example": "TERRITORY_SYNC_WEBHOOK_MAYA"}
    assert (alerts.conflicts_threshold, alerts.email_to_reps) == (5, True)


def test_a_webhook_url_in_the_file_is_refused_without_repeating_it(tmp_path: Path) -> None:
    path = write(tmp_path, f'[alerts.webhooks]\nsales = "{SECRET_URL}"\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    message = str(caught.value)
    assert "alerts.webhooks" in message
    assert "must name the environment variable" in message
    assert "XXXXSECRETXXXX" not in message


def test_the_reps_channel_name_is_reserved(tmp_path: Path) -> None:
    path = write(tmp_path, '[alerts.webhooks]\nrep = "SOME_VARIABLE"\n')
    with pytest.raises(ConfigurationError, match="not 'rep'"):
        load_settings(path, environ={})


def test_an_unknown_event_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, '[alerts]\nevents = ["book_changed", "birthdays"]\n')
    with pytest.raises(ConfigurationError, match=r"alerts\.events.*new_opportunity"):
        load_settings(path, environ={})


def test_an_admin_address_must_be_an_email_address(tmp_path: Path) -> None:
    path = write(tmp_path, '[alerts]\nemail_admins = ["revops"]\n')
    with pytest.raises(ConfigurationError, match="'revops' is not an email address"):
        load_settings(path, environ={})


def test_channel_tables_can_come_from_the_environment() -> None:
    settings = load_settings(
        None,
        environ={
            "TERRITORY_SYNC_ALERTS_WEBHOOKS": "sales=HOOK_SALES, ops=HOOK_OPS",
            "TERRITORY_SYNC_ALERTS_EMAIL_ADMINS": "a@acme.example,b@acme.example",
            "TERRITORY_SYNC_ALERTS_SMTP_STARTTLS": "false",
        },
    )
    assert settings.alerts.webhooks == {"sales": "HOOK_SALES", "ops": "HOOK_OPS"}
    assert settings.alerts.email_admins == ["a@acme.example", "b@acme.example"]
    assert settings.alerts.smtp_starttls is False


def test_a_malformed_table_in_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"TERRITORY_SYNC_ALERTS_WEBHOOKS.*key=value"):
        load_settings(None, environ={"TERRITORY_SYNC_ALERTS_WEBHOOKS": SECRET_URL})
