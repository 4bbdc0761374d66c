"""Signing in to Salesforce: which variables are needed, what a refusal says, the JWT bearer flow,
a bare access token, and renewing an expired session once, even from several threads."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.base import PullMode
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.auth import AccessToken, ClientCredentials, JwtBearer
from territory_sync.errors import (
    ConfigurationError,
    CrmAuthenticationError,
    MissingCredentialError,
)
from territory_sync.settings import Settings
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    FAST,
    FakeClock,
    MakeOrg,
    account_id,
    seed_accounts,
)

clock = shared.clock  # fixtures shared by the Salesforce connector tests
make_org = shared.make_org

SECRET = "s3cr3t-consumer-secret-value"
INSTANCE = "https://acme.my.salesforce.com"
TOKEN_URL = f"{INSTANCE}/services/oauth2/token"
USERNAME = "integration@territory-sync.sandbox"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def key_file(tmp_path: Path, signing_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "integration.key"
    path.write_text(private_pem(signing_key))
    return path


# --- which variables are needed ---------------------------------------------------------------

BASE = {"SALESFORCE_INSTANCE_URL": INSTANCE}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"SALESFORCE_CLIENT_ID": "app", "SALESFORCE_CLIENT_SECRET": SECRET}, "INSTANCE_URL"),
        (BASE, "SALESFORCE_CLIENT_ID"),
        ({**BASE, "SALESFORCE_CLIENT_SECRET": SECRET}, "SALESFORCE_CLIENT_ID"),
        ({**BASE, "SALESFORCE_CLIENT_ID": "app"}, "SALESFORCE_CLIENT_SECRET"),
        (
            {**BASE, "SALESFORCE_USERNAME": USERNAME, "SALESFORCE_PRIVATE_KEY_FILE": "k.pem"},
            "SALESFORCE_CLIENT_ID",
        ),
        (
            {**BASE, "SALESFORCE_CLIENT_ID": "app", "SALESFORCE_PRIVATE_KEY_FILE": "k.pem"},
            "SALESFORCE_USERNAME",
        ),
        (
            {**BASE, "SALESFORCE_CLIENT_ID": "app", "SALESFORCE_USERNAME": USERNAME},
            "SALESFORCE_PRIVATE_KEY_FILE",
        ),
    ],
)
def test_a_missing_credential_is_named_in_one_message(environ: dict[str, str], named: str) -> None:
    with pytest.raises(MissingCredentialError) as raised:
        SalesforceConnector.from_settings(Settings(), environ)

    assert named in str(raised.value)
    assert SECRET not in str(raised.value)


def test_with_nothing_set_the_message_lists_every_way_to_sign_in() -> None:
    with pytest.raises(MissingCredentialError) as raised:
        SalesforceConnector.from_settings(Settings(), BASE)

    message = str(raised.value)
    assert "SALESFORCE_CLIENT_SECRET" in message
    assert "SALESFORCE_PRIVATE_KEY_FILE" in message
    assert "SALESFORCE_ACCESS_TOKEN" in message


def test_the_instance_url_may_come_from_the_settings() -> None:
    settings = Settings.model_validate({"salesforce": {"instance_url": INSTANCE + "/"}})

    connector = SalesforceConnector.from_settings(settings, {"SALESFORCE_ACCESS_TOKEN": "tok"})

    assert connector.instance_url == INSTANCE
    connector.close()


def test_a_plain_http_instance_url_is_refused_outside_this_machine() -> None:
    environ = {"SALESFORCE_INSTANCE_URL": "http://acme.my.salesforce.com"}

    with pytest.raises(ConfigurationError, match="https://"):
        SalesforceConnector.from_settings(Settings(), {**environ, "SALESFORCE_ACCESS_TOKEN": "t"})


# --- refusals against the emulated org --------------------------------------------------------


def test_a_wrong_client_secret_names_the_variable_and_never_the_secret(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(1))
    connector = served.connect(ClientCredentials(served.org.config.client_id, SECRET))

    with pytest.raises(CrmAuthenticationError) as raised:
        connector.pull_reps()

    assert "SALESFORCE_CLIENT_SECRET" in str(raised.value)
    assert SECRET not in str(raised.value)
    assert served.org.requests.counts_by_kind() == {"token": 1}  # a refusal is not retried


def test_an_unknown_client_id_names_the_variable(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(1))
    connector = served.connect(ClientCredentials("someone-elses-app", SECRET))

    with pytest.raises(CrmAuthenticationError, match="SALESFORCE_CLIENT_ID"):
        connector.sign_in()


def test_jwt_bearer_with_a_generated_rsa_key_signs_in(
    make_org: MakeOrg, signing_key: rsa.RSAPrivateKey, key_file: Path
) -> None:
    served = make_org(seed_accounts(3), jwt_public_key_pem=public_pem(signing_key))
    credentials = JwtBearer(served.org.config.client_id, USERNAME, str(key_file))

    reps = served.connect(credentials).pull_reps()

    assert len(reps) == 4
    assert served.org.requests.counts_by_kind() == {"token": 1, "query": 1}


def test_jwt_bearer_with_a_key_the_app_does_not_know_names_the_key_file(
    make_org: MakeOrg, signing_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    served = make_org(seed_accounts(1), jwt_public_key_pem=public_pem(signing_key))
    other = tmp_path / "other.key"
    other.write_text(private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    credentials = JwtBearer(served.org.config.client_id, USERNAME, str(other))

    with pytest.raises(CrmAuthenticationError, match="SALESFORCE_PRIVATE_KEY_FILE"):
        served.connect(credentials).sign_in()


def test_jwt_bearer_for_a_user_the_app_does_not_accept_names_the_username(
    make_org: MakeOrg, signing_key: rsa.RSAPrivateKey, key_file: Path
) -> None:
    served = make_org(seed_accounts(1), jwt_public_key_pem=public_pem(signing_key))
    credentials = JwtBearer(served.org.config.client_id, "someone@else.example", str(key_file))

    with pytest.raises(CrmAuthenticationError, match="SALESFORCE_USERNAME"):
        served.connect(credentials).sign_in()


def test_an_unreadable_key_file_names_the_variable(make_org: MakeOrg, tmp_path: Path) -> None:
    served = make_org(seed_accounts(1))
    credentials = JwtBearer(served.org.config.client_id, USERNAME, str(tmp_path / "missing.key"))

    with pytest.raises(ConfigurationError, match="SALESFORCE_PRIVATE_KEY_FILE"):
        served.connect(credentials).sign_in()


def test_a_rejected_access_token_names_its_variable(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(1))
    token = served.org.issue_token().value
    connector = served.connect(AccessToken(token))
    assert len(connector.pull_reps()) == 4

    served.org.expire_sessions()
    with pytest.raises(CrmAuthenticationError) as raised:
        connector.pull_reps()

    assert "SALESFORCE_ACCESS_TOKEN" in str(raised.value)
    assert token not in str(raised.value)


# --- expired sessions ---------------------------------------------------------------------------


def test_an_expired_session_mid_pull_signs_in_again_and_the_pull_goes_on(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(1000))
    connector = served.connect(page_size=200)
    pull = connector.pull_accounts(PullMode.FULL, None, timedelta(0))

    first = next(pull)
    served.org.expire_sessions()
    rest = [record for page in pull for record in page.records]

    assert len(first.records) + len(rest) == 1000
    assert served.org.requests.count("token") == 2


def test_threads_that_see_the_same_expired_session_renew_it_once(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(40))
    connector = served.signed_in()
    served.org.expire_sessions()

    with ThreadPoolExecutor(max_workers=4) as pool:
        owners = list(pool.map(connector.read_owners, [[account_id(n)] for n in range(1, 9)]))

    assert all(len(found) == 1 for found in owners)
    assert served.org.requests.count("token") == 1


# --- the token requests themselves (focused, with `responses`) ---------------------------------


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_client_credentials_post_the_grant_to_the_instance_token_endpoint(
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(TOKEN_URL, json={"access_token": "00D!tok", "instance_url": INSTANCE})
    connector = SalesforceConnector(INSTANCE, ClientCredentials("app", SECRET), policy=FAST)

    connector.sign_in()

    form = dict(parse_qsl(str(mocked.calls[0].request.body)))
    assert form == {"grant_type": "client_credentials", "client_id": "app", "client_secret": SECRET}


def test_the_jwt_assertion_carries_issuer_subject_audience_and_a_short_expiry(
    mocked: responses.RequestsMock, signing_key: rsa.RSAPrivateKey, key_file: Path
) -> None:
    mocked.post(TOKEN_URL, json={"access_token": "00D!tok", "instance_url": INSTANCE})
    connector = SalesforceConnector(
        INSTANCE,
        JwtBearer("app", USERNAME, str(key_file)),
        policy=FAST,
        clock=FakeClock(1_800_000_000),
    )

    connector.sign_in()

    form = dict(parse_qsl(str(mocked.calls[0].request.body)))
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        form["assertion"],
        signing_key.public_key(),
        algorithms=["RS256"],
        audience="https://login.salesforce.com",
        options={"verify_exp": False},
    )
    assert claims == {
        "iss": "app",
        "sub": USERNAME,
        "aud": "https://login.salesforce.com",
        "exp": 1_800_000_180,
    }


def test_a_token_endpoint_that_is_briefly_unavailable_is_retried(
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(TOKEN_URL, status=503, body="Service Unavailable")
    mocked.post(TOKEN_URL, json={"access_token": "00D!tok", "instance_url": INSTANCE})
    connector = SalesforceConnector(INSTANCE, ClientCredentials("app", SECRET), policy=FAST)

    connector.sign_in()

    assert len(mocked.calls) == 2
    assert connector.usage.calls_by_kind == {"token": 2}
