"""The OAuth token endpoint (JWT bearer, client credentials) and the bearer check on data calls."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce.exceptions import SalesforceExpiredSession

from sandbox.faults import FaultProfile
from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import FakeClock, MakeSandbox, Sandbox, account, error_body

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
USERNAME = "integration@territory-sync.sandbox"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def assertion(key: rsa.RSAPrivateKey, clock: FakeClock, **claims: Any) -> str:
    body = {
        "iss": "territory-sync-sandbox",
        "sub": USERNAME,
        "aud": "https://login.salesforce.com",
        "exp": int(clock()) + 180,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256")


@pytest.fixture
def jwt_sandbox(
    make_sandbox: MakeSandbox, team: list[SeedRep], signing_key: rsa.RSAPrivateKey
) -> Sandbox:
    return make_sandbox([account(1, team[0])], jwt_public_key_pem=public_pem(signing_key))


def token_request(sandbox: Sandbox, **form: str) -> requests.Response:
    return sandbox.post("/services/oauth2/token", data=form)


def test_jwt_bearer_assertion_signed_with_the_configured_key_is_accepted(
    jwt_sandbox: Sandbox, signing_key: rsa.RSAPrivateKey, clock: FakeClock
) -> None:
    response = token_request(
        jwt_sandbox, grant_type=JWT_GRANT, assertion=assertion(signing_key, clock)
    )

    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == jwt_sandbox.url
    assert (
        jwt_sandbox.client(body["access_token"]).query("SELECT Id FROM Account")["totalSize"] == 1
    )


def test_jwt_audience_may_be_the_instance_itself(
    jwt_sandbox: Sandbox, signing_key: rsa.RSAPrivateKey, clock: FakeClock
) -> None:
    https_self = jwt_sandbox.url.replace("http://", "https://")

    response = token_request(
        jwt_sandbox, grant_type=JWT_GRANT, assertion=assertion(signing_key, clock, aud=https_self)
    )

    assert response.status_code == 200


def test_jwt_signed_with_another_key_is_refused(jwt_sandbox: Sandbox, clock: FakeClock) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = token_request(
        jwt_sandbox, grant_type=JWT_GRANT, assertion=assertion(stranger, clock)
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


@pytest.mark.parametrize(
    ("claims", "error", "description"),
    [
        ({"aud": "https://example.com"}, "invalid_grant", "audience is invalid"),
        ({"iss": "someone-else"}, "invalid_client_id", "client identifier invalid"),
        ({"sub": "intruder@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
        ({"exp": 1_000_000_000}, "invalid_grant", "expired authorization code"),
    ],
)
def test_jwt_with_wrong_claims_is_refused(
    jwt_sandbox: Sandbox,
    signing_key: rsa.RSAPrivateKey,
    clock: FakeClock,
    claims: dict[str, Any],
    error: str,
    description: str,
) -> None:
    response = token_request(
        jwt_sandbox, grant_type=JWT_GRANT, assertion=assertion(signing_key, clock, **claims)
    )

    assert response.status_code == 400
    assert response.json() == {"error": error, "error_description": description}


def test_jwt_bearer_is_unsupported_without_a_configured_key(
    sandbox: Sandbox, signing_key: rsa.RSAPrivateKey, clock: FakeClock
) -> None:
    response = token_request(sandbox, grant_type=JWT_GRANT, assertion=assertion(signing_key, clock))

    assert response.json()["error"] == "unsupported_grant_type"


def test_client_credentials_may_come_as_http_basic(sandbox: Sandbox) -> None:
    config = sandbox.org.config
    basic = base64.b64encode(f"{config.client_id}:{config.client_secret}".encode()).decode()

    response = sandbox.post(
        "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )

    assert response.status_code == 200


def test_client_credentials_with_a_wrong_secret_are_refused(sandbox: Sandbox) -> None:
    response = token_request(
        sandbox,
        grant_type="client_credentials",
        client_id=sandbox.org.config.client_id,
        client_secret="guess",
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


def test_unknown_grant_type_is_refused(sandbox: Sandbox) -> None:
    response = token_request(sandbox, grant_type="password", username="u", password="p")

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_token_response_has_the_documented_fields(sandbox: Sandbox, clock: FakeClock) -> None:
    body = token_request(
        sandbox,
        grant_type="client_credentials",
        client_id=sandbox.org.config.client_id,
        client_secret=sandbox.org.config.client_secret,
    ).json()

    assert set(body) == {
        "access_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert body["issued_at"] == str(int(clock() * 1000))
    assert body["id"].startswith(f"{sandbox.url}/id/00D")


def test_token_requests_do_not_count_against_the_api_allocation(sandbox: Sandbox) -> None:
    sandbox.token()
    sandbox.token()

    assert sandbox.org.api_calls_used() == 0


def test_data_call_without_a_valid_token_is_session_invalid_as_a_json_list(
    sandbox: Sandbox,
) -> None:
    response = sandbox.api("GET", "/limits", "not-a-token")

    assert response.status_code == 401
    assert response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert sandbox.org.api_calls_used() == 0


def test_session_expires_after_k_calls_and_a_fresh_token_works(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], faults=FaultProfile(session_expiry_after=3))
    sf = sandbox.client()
    for _ in range(3):
        sf.query("SELECT Id FROM Account")

    with pytest.raises(SalesforceExpiredSession) as error:
        sf.query("SELECT Id FROM Account")

    assert error_body(error.value)[0]["errorCode"] == "INVALID_SESSION_ID"
    assert sandbox.client().query("SELECT Id FROM Account")["totalSize"] == 1


def test_expiring_sessions_in_process_invalidates_every_issued_token(sandbox: Sandbox) -> None:
    sf = sandbox.client()
    sandbox.org.expire_sessions()

    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account")
    assert sandbox.client().query("SELECT Id FROM Account")["totalSize"] == 10
