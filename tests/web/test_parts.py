"""Small parts of the console: tokens at rest, SVG escaping, the loopback check, the CLI."""

from __future__ import annotations

from sqlalchemy import select

from sync.store.database import Database
from territory_sync.cli import main
from territory_sync.cli.serve import is_loopback
from web.svg import bar_chart
from web.token_store import TOKENS, Role, authenticate, create_token


def test_a_token_is_stored_only_as_its_hash(database: Database) -> None:
    token, secret = create_token(database, "ci", Role.VIEWER)
    with database.engine.connect() as connection:
        stored = connection.execute(select(TOKENS)).mappings().one()
    assert secret not in str(dict(stored))
    found = authenticate(database, secret)
    assert found is not None and found.id == token.id and found.last_used_at is None


def test_bar_labels_are_escaped_and_bars_scale_to_the_largest(database: Database) -> None:
    svg = bar_chart("Reps", [("<script>x</script>", 10), ("b", 5)])
    assert "<script>" not in svg
    assert 'width="420.0"' in svg and 'width="210.0"' in svg


def test_only_loopback_addresses_count_as_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")


def test_tokens_create_list_and_revoke_from_the_command_line(
    database: Database, capsys: object
) -> None:
    import pytest

    assert isinstance(capsys, pytest.CaptureFixture)
    url = database.url
    assert (
        main(["--database-url", url, "tokens", "create", "--role", "admin", "--name", "ops"]) == 0
    )
    secret = capsys.readouterr().out.splitlines()[1]
    assert main(["--database-url", url, "tokens", "list", "--json"]) == 0
    listing = capsys.readouterr().out
    assert '"ops"' in listing and secret not in listing
    assert main(["--database-url", url, "tokens", "revoke", "1"]) == 0
    assert authenticate(database, secret) is None


def test_an_unknown_role_is_refused_with_the_allowed_ones(
    database: Database, capsys: object
) -> None:
    code = main(
        ["--database-url", database.url, "tokens", "create", "--role", "root", "--name", "x"]
    )
    assert code == 2
