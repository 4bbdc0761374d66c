"""HubSpot's v3 request signature, checked exactly as HubSpot documents it.

https://developers.hubspot.com/docs/api/webhooks/validating-requests (and, for apps on the
developer platform, the same rules at
https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation):

- `X-HubSpot-Signature-v3` is the base64 of an HMAC-SHA256, keyed with the app's client secret,
  over the UTF-8 text of method + URI + body + timestamp: the request's method, the full URI
  HubSpot sent the request to (scheme, host, path and query), the raw body, and the
  `X-HubSpot-Request-Timestamp` header as sent (milliseconds since the epoch);
- a request whose timestamp is older than 5 minutes is rejected (a replay);
- before hashing, the URL-encoded characters HubSpot lists are decoded in the URI: `%3A` `:`,
  `%2F` `/`, `%3F` `?`, `%40` `@`, `%21` `!`, `%24` `$`, `%27` `'`, `%28` `(`, `%29` `)`, `%2A` `*`,
  `%2C` `,` and `%3B` `;` (and no others: `%20` stays as it is);
- the computed value is compared with the header in constant time.

Refusals raise `WebhookSignatureError` with which check failed; no message holds the secret or
the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from territory_sync.errors import WebhookSignatureError

SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
MAX_AGE_MS = 5 * 60 * 1000
"""HubSpot: reject the request if the timestamp is older than 5 minutes."""
DECODED_IN_URI = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
"""HubSpot's table of URL-encoded characters to decode in the URI before hashing."""
_ENCODED = re.compile("|".join(DECODED_IN_URI), re.IGNORECASE)


def decode_uri(uri: str) -> str:
    """The URI with exactly HubSpot's listed escapes decoded (either case of hex digits)."""
    return _ENCODED.sub(lambda match: DECODED_IN_URI[match.group(0).upper()], uri)


def signature_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The v3 signature HubSpot sends for this request."""
    source = method.upper().encode() + decode_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_v3(
    *,
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now_ms: int,
) -> None:
    """Return when the request is signed by HubSpot with `secret` within the last 5 minutes;
    raise `WebhookSignatureError` saying which check failed otherwise."""
    if not signature or not timestamp:
        raise WebhookSignatureError(
            f"the request has no {SIGNATURE_HEADER} or no {TIMESTAMP_HEADER} header: it is not "
            "from HubSpot, or its app does not send signature v3"
        )
    if not (timestamp.strip().isascii() and timestamp.strip().isdigit()):  # not '²'
        raise WebhookSignatureError(
            f"{TIMESTAMP_HEADER} is not milliseconds since the epoch: the request is refused"
        )
    age_ms = now_ms - int(timestamp)
    if age_ms > MAX_AGE_MS:
        raise WebhookSignatureError(
            f"the request was signed {age_ms // 1000:,} s ago, longer ago than the 5 minutes "
            "HubSpot allows: a replayed request, or this machine's clock is wrong (use NTP)"
        )
    expected = signature_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8")):
        raise WebhookSignatureError(
            f"the {SIGNATURE_HEADER} signature does not match the request to {uri}: it was "
            "signed with another client secret (HUBSPOT_CLIENT_SECRET must be the app's), or "
            "HubSpot calls another URL than the one that reached the console (behind a proxy, "
            "pass the original Host header and --proxy-headers)"
        )
