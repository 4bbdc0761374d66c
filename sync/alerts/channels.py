"""The channels an alert goes out on: email over SMTP, and Slack-compatible webhooks.

Email: `SMTP_HOST` (`host` or `host:port`; port 587 with `SMTP_USER`, else 25; 465 means TLS
from the start), `SMTP_USER` and `SMTP_PASSWORD` from the environment, with the standard
library's `smtplib`. STARTTLS is used when the server offers it, and required when a password
is set (a password never travels in clear) unless `[alerts] smtp_starttls = false` says so
explicitly; `smtp_starttls = true` requires it always. One connection serves a delivery pass.

Webhooks: `POST` of `{"text": ...}` (and a verbatim block) with the text escaped for Slack
(`sync.notify.slack_payload`); the URL comes from the environment variable the configuration
names, and is scrubbed from logs from then on (`territory_sync.secrets.configured_secret`).

Every socket has a timeout. A failure is an `AlertDeliveryError` (`permanent` when the channel
refused this alert for good) or, for configuration to fix (a variable unset, STARTTLS missing,
credentials refused), a `ConfigurationError` naming what to set; their messages never hold a
URL or a password.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import requests

from sync.alerts.messages import (
    EMAIL_CHANNEL,
    REP_WEBHOOK,
    WEBHOOK_PREFIX,
    Audience,
    Destination,
    webhook_channel,
)
from sync.notify import post_webhook, slack_payload
from territory_sync.errors import AlertDeliveryError, ConfigurationError, MissingCredentialError
from territory_sync.secrets import configured_secret, optional_secret
from territory_sync.settings import AlertsSettings

SMTP_HOST_VAR = "SMTP_HOST"
SMTP_USER_VAR = "SMTP_USER"
SMTP_PASSWORD_VAR = "SMTP_PASSWORD"
SMTPS_PORT = 465


class Sender(Protocol):
    """One way out: sends an alert's subject and body to a recipient."""

    key: str
    """Which outage this sender shares with others (the SMTP server, one webhook URL)."""

    def send(self, recipient: str, subject: str, body: str, *, timeout: float) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool | None
    """None: when offered, and required with a password; True: required; False: never."""

    @property
    def name(self) -> str:
        return f"SMTP {self.host}:{self.port}"


def parse_smtp_host(value: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6 address]` or `[v6 address]:port`."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else ""
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    else:
        host, port_text = value, ""
    if not host or (port_text and not port_text.isdigit()):
        raise ConfigurationError(
            "must be a host name or host:port, e.g. smtp.acme.example:587",
            source=f"environment variable {SMTP_HOST_VAR}",
        )
    return host, int(port_text) if port_text else None


def smtp_server(settings: AlertsSettings) -> SmtpServer:
    """The SMTP server the environment names; an error naming the variable to set if not."""
    host_value = optional_secret(SMTP_HOST_VAR)
    if host_value is None:
        raise MissingCredentialError(SMTP_HOST_VAR, "email alerts need an SMTP server (host:port)")
    host, port = parse_smtp_host(host_value)
    user, password = optional_secret(SMTP_USER_VAR), optional_secret(SMTP_PASSWORD_VAR)
    if password and not user:
        raise MissingCredentialError(SMTP_USER_VAR, f"{SMTP_PASSWORD_VAR} is set without a user")
    if user and not password:
        raise MissingCredentialError(
            SMTP_PASSWORD_VAR, f"{SMTP_USER_VAR} is set without a password"
        )
    return SmtpServer(host, port or (587 if user else 25), user, password, settings.smtp_starttls)


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"


class EmailSender:
    """Plain-text email through one SMTP server; the connection is opened on first use and
    kept for the pass (`close`)."""

    def __init__(self, server: SmtpServer, from_address: str) -> None:
        self.server, self.from_address = server, from_address
        self.key = EMAIL_CHANNEL
        self._smtp: smtplib.SMTP | None = None

    def _connect(self, timeout: float) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if server.port == SMTPS_PORT:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
            encrypted = True
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
            encrypted = False
        try:
            smtp.ehlo()
            if not encrypted and server.starttls is not False:
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                    encrypted = True
                elif server.starttls or server.password:
                    raise ConfigurationError(
                        f"{server.name} does not offer STARTTLS, and "
                        + (
                            "[alerts] smtp_starttls = true requires it"
                            if server.starttls
                            else f"{SMTP_PASSWORD_VAR} would be sent in clear"
                        )
                        + ": use a server with TLS, or set [alerts] smtp_starttls = false"
                    )
            if server.user and server.password:
                try:
                    smtp.login(server.user, server.password)
                except smtplib.SMTPAuthenticationError as error:
                    raise ConfigurationError(
                        f"{server.name} refused {SMTP_USER_VAR}/{SMTP_PASSWORD_VAR} "
                        f"({_smtp_reply(error.smtp_code, error.smtp_error)})"
                    ) from None
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, recipient: str, subject: str, body: str, *, timeout: float) -> None:
        try:
            message = EmailMessage()
            message["From"] = self.from_address
            message["To"] = recipient
            message["Subject"] = subject
            message["Date"] = formatdate(localtime=False, usegmt=True)
            message["Message-ID"] = make_msgid(domain=self.from_address.rpartition("@")[2])
            message["Auto-Submitted"] = "auto-generated"
            message.set_content(body)
        except (ValueError, TypeError) as error:
            raise AlertDeliveryError(
                f"cannot address an email to {recipient!r}: {error}",
                channel=EMAIL_CHANNEL,
                permanent=True,
            ) from None
        try:
            if self._smtp is None:
                self._smtp = self._connect(timeout)
            elif self._smtp.sock is not None:
                self._smtp.sock.settimeout(timeout)
            self._smtp.send_message(message, self.from_address, [recipient])
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            replies = [_smtp_reply(code, text) for code, text in error.recipients.values()]
            permanent = all(code >= 500 for code, _ in error.recipients.values())
            raise AlertDeliveryError(
                f"{self.server.name} refused {recipient}: {'; '.join(replies)}",
                channel=EMAIL_CHANNEL,
                permanent=permanent,
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            self._drop()
            raise AlertDeliveryError(
                f"{self.server.name} refused the message: "
                f"{_smtp_reply(error.smtp_code, error.smtp_error)}",
                channel=EMAIL_CHANNEL,
                permanent=error.smtp_code >= 500,
            ) from None
        except ConfigurationError:
            self._drop()
            raise
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise AlertDeliveryError(
                f"{self.server.name}: {type(error).__name__}: {error}", channel=EMAIL_CHANNEL
            ) from None

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class WebhookSender:
    """A Slack-compatible webhook whose URL is in an environment variable."""

    def __init__(self, channel: str, variable: str) -> None:
        self.channel, self.variable = channel, variable
        self.key = f"{channel}={variable}"

    def _url(self) -> str:
        url = configured_secret(self.variable)
        if url is None:
            raise MissingCredentialError(self.variable, f"the webhook URL of {self.channel}")
        if not url.startswith(("https://", "http://")):
            raise ConfigurationError(
                f"environment variable {self.variable} must hold the http(s) webhook URL of "
                f"{self.channel}"
            )
        return url

    def send(self, recipient: str, subject: str, body: str, *, timeout: float) -> None:
        url = self._url()
        try:
            post_webhook(url, slack_payload(f"{subject}\n\n{body}"), timeout=timeout)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            raise AlertDeliveryError(
                f"the webhook answered HTTP {status}",
                channel=self.channel,
                permanent=400 <= status < 500 and status not in (408, 429),
            ) from None
        except requests.RequestException as error:
            # The exception's text holds the URL (a secret): only its kind is kept.
            raise AlertDeliveryError(
                f"could not reach the webhook ({type(error).__name__})", channel=self.channel
            ) from None

    def close(self) -> None:
        pass


def audience_of(settings: AlertsSettings) -> Audience:
    """Who `[alerts]` says gets what: the admins' addresses and channels, the reps' ways."""
    admins = [Destination(EMAIL_CHANNEL, address) for address in settings.email_admins]
    admins += [Destination(webhook_channel(name), name) for name in settings.webhooks]
    return Audience(
        admins=tuple(admins),
        email_reps=settings.email_to_reps,
        rep_webhooks=frozenset(settings.rep_webhooks),
    )


class Channels:
    """The senders `[alerts]` describes, built on first use and closed together. Every webhook
    variable the settings name is a secret from the start: scrubbed from logs and errors, and from
    alerts before they are recorded (`outbox.record`)."""

    def __init__(self, settings: AlertsSettings) -> None:
        self.settings = settings
        self._senders: dict[str, Sender] = {}
        for variable in (*settings.webhooks.values(), *settings.rep_webhooks.values()):
            configured_secret(variable)

    def sender(self, channel: str, recipient: str) -> Sender:
        """The sender of `channel` (for `recipient`, on reps' own webhooks)."""
        if channel == EMAIL_CHANNEL:
            key = EMAIL_CHANNEL
        elif channel == REP_WEBHOOK:
            key = f"{channel}:{recipient.lower()}"
        else:
            key = channel
        if key not in self._senders:
            self._senders[key] = self._build(channel, recipient)
        return self._senders[key]

    def _build(self, channel: str, recipient: str) -> Sender:
        if channel == EMAIL_CHANNEL:
            return EmailSender(smtp_server(self.settings), self.settings.from_address)
        if channel == REP_WEBHOOK:
            variable = self.settings.rep_webhooks.get(recipient.lower())
            if variable is None:
                raise AlertDeliveryError(
                    f"{recipient} has no webhook under [alerts.rep_webhooks] any more",
                    channel=channel,
                    permanent=True,
                )
            return WebhookSender(channel, variable)
        name = channel.removeprefix(WEBHOOK_PREFIX)
        variable = self.settings.webhooks.get(name) if channel.startswith(WEBHOOK_PREFIX) else None
        if variable is None:
            raise AlertDeliveryError(
                f"no channel {name!r} under [alerts.webhooks] any more",
                channel=channel,
                permanent=True,
            )
        return WebhookSender(channel, variable)

    def close(self) -> None:
        for sender in self._senders.values():
            sender.close()
        self._senders.clear()
