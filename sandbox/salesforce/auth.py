"""The OAuth 2.0 token endpoint for the two server-to-server flows the product uses.

- JWT bearer (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, `assertion=<RS256 JWT>`):
  `iss` is the consumer key, `sub` the integration user's username, `aud` the login URL
  (login.salesforce.com, test.salesforce.com, or this instance), `exp` in the future.
  https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
- Client credentials (`grant_type=client_credentials` with client_id and client_secret in the form
  or as HTTP Basic), running as the app's integration user.
  https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm

Refusals use Salesforce's vocabulary with HTTP 400: `invalid_grant` ("invalid assertion",
"audience is invalid", "expired authorization code", "user hasn't approved this consumer"),
`invalid_client_id` ("client identifier invalid"), `invalid_client` ("invalid client
credentials") and `unsupported_grant_type` ("grant type not supported").
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sandbox.salesforce.errors import OAuthError
from sandbox.salesforce.settings import (
    CLIENT_CREDENTIALS_GRANT,
    JWT_BEARER_GRANT,
    JWT_LOGIN_AUDIENCES,
)

if TYPE_CHECKING:
    from sandbox.salesforce.org import IssuedToken, SalesforceOrg


def grant_token(
    org: SalesforceOrg,
    form: Mapping[str, str],
    *,
    authorization: str | None,
    instance_url: str,
) -> dict[str, str]:
    """Check a token request and return the token response, or raise OAuthError."""
    grant_type = form.get("grant_type")
    if grant_type == JWT_BEARER_GRANT:
        _check_jwt_assertion(org, form.get("assertion", ""), instance_url)
    elif grant_type == CLIENT_CREDENTIALS_GRANT:
        _check_client_credentials(org, form, authorization)
    else:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    return token_response(org, org.issue_token(), instance_url)


def token_response(org: SalesforceOrg, token: IssuedToken, instance_url: str) -> dict[str, str]:
    """`access_token`, `signature`, `scope`, `instance_url`, `id`, `token_type`, `issued_at`.

    `signature` is the Base64 HMAC-SHA256 of `id` + `issued_at` keyed with the client secret, as
    Salesforce computes it; there is no `expires_in`: clients re-authenticate on 401.
    """
    identity_url = f"{instance_url}/id/{org.org_id}/{token.user_id}"
    issued_at = str(org.now_ms())
    digest = hmac.new(
        org.config.client_secret.encode(), (identity_url + issued_at).encode(), hashlib.sha256
    ).digest()
    return {
        "access_token": token.value,
        "signature": base64.b64encode(digest).decode(),
        "scope": "api",
        "instance_url": instance_url,
        "id": identity_url,
        "token_type": "Bearer",
        "issued_at": issued_at,
    }


def _public_key(pem: str) -> Any:
    data = pem.encode()
    if b"BEGIN CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def _accepted_audiences(instance_url: str) -> set[str]:
    host = instance_url.split("://", 1)[-1]
    return set(JWT_LOGIN_AUDIENCES) | {f"http://{host}", f"https://{host}"}


def _check_jwt_assertion(org: SalesforceOrg, assertion: str, instance_url: str) -> None:
    pem = org.config.jwt_public_key_pem
    if pem is None:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    try:
        claims = jwt.decode(
            assertion,
            _public_key(pem),
            algorithms=["RS256"],
            options={
                "verify_exp": False,  # checked below against the org's clock
                "verify_aud": False,
                "verify_iss": False,
                "verify_nbf": False,
                "require": ["iss", "sub", "aud", "exp"],
            },
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise OAuthError("invalid_grant", "invalid assertion") from exc
    if claims["iss"] != org.config.client_id:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    accepted = _accepted_audiences(instance_url)
    if not any(isinstance(a, str) and a.rstrip("/") in accepted for a in audiences):
        raise OAuthError("invalid_grant", "audience is invalid")
    if claims["sub"] != org.config.jwt_username:
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    expires = claims["exp"]
    if not isinstance(expires, int | float) or expires * 1000 <= org.now_ms():
        raise OAuthError("invalid_grant", "expired authorization code")


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, secret = decoded.partition(":")
    return (client_id, secret) if separator else None


def _check_client_credentials(
    org: SalesforceOrg, form: Mapping[str, str], authorization: str | None
) -> None:
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    basic = _basic_credentials(authorization)
    if basic is not None:
        client_id, secret = basic
    if not hmac.compare_digest(client_id.encode(), org.config.client_id.encode()):
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if not hmac.compare_digest(secret.encode(), org.config.client_secret.encode()):
        raise OAuthError("invalid_client", "invalid client credentials")
