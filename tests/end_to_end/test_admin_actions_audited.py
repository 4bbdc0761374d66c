"""Every state-changing admin action leaves an audit row naming who did it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.end_to_end.conftest import Product
from tests.end_to_end.test_command_line import cli, configured  # noqa: F401  (fixture)


def audit_rows(product: Product, status: str) -> list[tuple[str, str | None, str]]:
    with product.database.engine.connect() as connection:
        return [
            (row[0], row[1], row[2])
            for row in connection.execute(
                text("SELECT actor, external_id, reason FROM audit_log WHERE status = :s"),
                {"s": status},
            )
        ]


def test_pinning_breaking_and_clearing_a_link_each_leave_an_audit_row(
    configured: Product,  # noqa: F811
) -> None:
    configured.sync(dry_run=True)  # the records must have been pulled
    with configured.database.engine.connect() as connection:
        salesforce, hubspot = (
            connection.execute(
                text(
                    "SELECT external_id FROM accounts WHERE source = :s AND NOT deleted "
                    "ORDER BY external_id LIMIT 1"
                ),
                {"s": source},
            ).scalar_one()
            for source in ("salesforce", "hubspot")
        )

    assert cli(configured, "links", "pin", salesforce, hubspot, "--actor", "ana") == 0
    assert cli(configured, "links", "break", salesforce, hubspot, "--actor", "bo") == 0
    assert cli(configured, "links", "clear", salesforce, hubspot, "--actor", "cy") == 0

    assert [(actor, record) for actor, record, _ in audit_rows(configured, "link_pinned")] == [
        ("ana", salesforce)
    ]
    assert audit_rows(configured, "link_broken")[0][0] == "bo"
    assert audit_rows(configured, "link_cleared")[0][0] == "cy"
    assert cli(configured, "audit", "verify") == 0


def test_creating_and_revoking_a_token_each_leave_an_audit_row(
    configured: Product,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(configured, "tokens", "create", "--role", "viewer", "--name", "grafana") == 0
    secret = capsys.readouterr().out.splitlines()[1]
    assert cli(configured, "tokens", "revoke", "1") == 0

    (created,) = audit_rows(configured, "token_created")
    (revoked,) = audit_rows(configured, "token_revoked")
    assert "viewer token 1 (grafana) created" in created[2]
    assert "token 1 (grafana) revoked" in revoked[2]
    with configured.database.engine.connect() as connection:
        logged = " ".join(r for (r,) in connection.execute(text("SELECT reason FROM audit_log")))
    assert secret not in logged, "the secret never reaches the audit log"


def test_a_changed_territory_file_and_a_rollback_are_recorded_with_the_runs(
    configured: Product,  # noqa: F811
) -> None:
    first = configured.sync()
    configured.use_territories(configured.territory_file.read_text() + "\n# edited\n")
    configured.sync(dry_run=True)
    assert cli(configured, "rollback", str(first.run_id), "--yes", "--actor", "ana") in (0, 1)

    (edited,) = audit_rows(configured, "territory_edited")
    assert "differs from the file run" in edited[2]
    (rollback,) = audit_rows(configured, "rollback_started")
    assert rollback[0] == "ana" and f"rollback of run {first.run_id}" in rollback[2]
