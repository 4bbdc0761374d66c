"""Configuration: defaults, the file, environment overrides, and errors that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_sync.errors import ConfigurationError, MissingCredentialError
from territory_sync.secrets import require_secret
from territory_sync.settings import load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "territory-sync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_every_setting_has_its_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, environ={})
    assert settings.sync.blast_radius == 0.10
    assert settings.schedule.cron == "0 2 * * *"
    assert settings.database.url == "sqlite:///territory-sync.db"


def test_a_relative_sqlite_path_is_relative_to_the_configuration_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///data/ts.db"\n')
    settings = load_settings(path, environ={})
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'ts.db'}"


def test_an_environment_variable_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[sync]\nblast_radius = 0.2\n")
    settings = load_settings(path, environ={"TERRITORY_SYNC_SYNC_BLAST_RADIUS": "0.05"})
    assert settings.sync.blast_radius == 0.05


def test_vendor_style_endpoint_variables_are_read() -> None:
    settings = load_settings(
        None,
        environ={
            "SALESFORCE_INSTANCE_URL": "http://127.0.0.1:8101",
            "HUBSPOT_BASE_URL": "http://127.0.0.1:8102",
        },
    )
    assert settings.salesforce.instance_url == "http://127.0.0.1:8101"
    assert settings.hubspot.base_url == "http://127.0.0.1:8102"


def test_a_list_setting_can_be_given_comma_separated_in_the_environment() -> None:
    settings = load_settings(
        None, environ={"TERRITORY_SYNC_SALESFORCE_ACCOUNT_FIELDS": "Type, Do_Not_Reassign__c"}
    )
    assert settings.salesforce.account_fields == ["Type", "Do_Not_Reassign__c"]


def test_an_out_of_range_value_names_the_file_key_value_and_range(tmp_path: Path) -> None:
    path = write(tmp_path, "[sync]\nblast_radius = 1.5\n")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    message = str(caught.value)
    assert str(path) in message
    assert "sync.blast_radius" in message
    assert "1.5" in message
    assert "<= 1" in message


def test_a_misspelt_key_lists_the_keys_of_its_section(tmp_path: Path) -> None:
    path = write(tmp_path, "[sync]\nconcurency = 3\n")
    with pytest.raises(
        ConfigurationError, match=r"sync\.concurency.*not a known setting.*concurrency"
    ):
        load_settings(path, environ={})


def test_an_unknown_section_lists_the_known_sections(tmp_path: Path) -> None:
    path = write(tmp_path, "[salesfroce]\nenabled = true\n")
    with pytest.raises(ConfigurationError, match=r"salesfroce.*not a known section.*salesforce"):
        load_settings(path, environ={})


def test_a_choice_setting_lists_the_allowed_choices(tmp_path: Path) -> None:
    path = write(tmp_path, '[sync]\nconflict_policy = "ignore"\n')
    with pytest.raises(ConfigurationError, match=r"allowed: respect \| override"):
        load_settings(path, environ={})


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[schedule]\ntimezone = "Mars/Olympus_Mons"\n')
    with pytest.raises(ConfigurationError, match="IANA time zone"):
        load_settings(path, environ={})


def test_a_cron_expression_needs_five_fields(tmp_path: Path) -> None:
    path = write(tmp_path, '[schedule]\ncron = "0 2 * *"\n')
    with pytest.raises(ConfigurationError, match="five fields"):
        load_settings(path, environ={})


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="TERRITORY_SYNC_SYNC_CONCURRENCY"):
        load_settings(None, environ={"TERRITORY_SYNC_SYNC_CONCURRENCY": "many"})


def test_broken_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[sync\nblast_radius = 0.1\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_settings(path, environ={})


def test_an_explicit_configuration_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="territory-sync init"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_a_missing_secret_names_the_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    with pytest.raises(
        MissingCredentialError, match="set the environment variable HUBSPOT_ACCESS_TOKEN"
    ):
        require_secret("HUBSPOT_ACCESS_TOKEN", "HubSpot needs a private app token")


def test_the_fingerprint_changes_with_the_configuration() -> None:
    a = load_settings(None, environ={})
    b = load_settings(None, environ={"TERRITORY_SYNC_SYNC_BLAST_RADIUS": "0.3"})
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == load_settings(None, environ={}).fingerprint()
