"""Company websites as typed into a CRM, reduced to the registrable domain of the business.

The domain is what ties a Salesforce account and a HubSpot company to the same business, so
"https://www.Acme.com:443/en?x=1", "shop.acme.com", "Acme.COM/about", "info@acme.com" and
"acme.com." must all come out as "acme.com", and "www.acme.co.uk" as "acme.co.uk". The scheme,
userinfo, port, path, query, fragment and trailing dot are dropped, the rest is lower-cased, and
the host is reduced to its registrable domain: one label under its public suffix, as the Public
Suffix List defines it (https://publicsuffix.org/list/), so multi-part suffixes ("co.uk",
"com.br", "kawasaki.jp") are kept whole. A suffix the list does not know counts as one label, the
list's own default rule ("*").

The list is tldextract's snapshot bundled with the package, read once and never fetched or cached
on disk at run time, so the same website gives the same domain on every machine and offline.
Its private section is used too: on a shared host such as "github.io", "myshopify.com" or
"blogspot.com", each customer's site is its own registrable domain ("acme.github.io"), because
reducing those to the platform's domain would tie unrelated businesses together. A host that is
itself such a platform ("github.io") reduces under the public registries' part of the list alone;
a host that is nothing but a public suffix ("co.uk") is no business's domain and gives None.

Internationalised domains are returned in their Unicode form, lower-cased and NFC-normalised:
"xn--bcher-kva.de" and "BÜCHER.de" both give "bücher.de". The Unicode form is what people type and
read in the CRM, and converting punycode labels to it is lossless. (No IDNA 2003 mapping is
applied, so "straße.de" stays distinct from "strasse.de", as it is under IDNA 2008.)

Values that are not a public host name give None: placeholders ("N/A", "none", "-"), single labels
("acme", "localhost"), IP addresses, bare public suffixes, and anything with spaces or characters
host names cannot hold.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from tldextract import TLDExtract

# A URL scheme ("https://", "https:/" with a slash missing, "mailto:"), or "http//" without colon.
_SCHEME = re.compile(
    r"^(?:(?:https?|ftp|mailto):[/\\]*|[a-z][a-z0-9+.\-]*:[/\\]+|https?//)", re.IGNORECASE
)
_HOST_END = re.compile(r"[/?#\\]")
# An ASCII host name that needs no further checks.
_SIMPLE_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.ASCII)
_ASCII_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Full stops other than "." that IDNA treats as label separators.
_IDEOGRAPHIC_STOPS = str.maketrans({"。": ".", "．": ".", "｡": "."})
_WHITESPACE = re.compile(r"\s")
_MAX_DOMAIN_LENGTH = 253
_MAX_LABEL_LENGTH = 63


def bundled_suffix_list() -> TLDExtract:
    """The Public Suffix List as bundled with tldextract, private section included: no download
    (`suffix_list_urls=()` also overrides tldextract's environment variable), no cache file."""
    return TLDExtract(
        cache_dir=None,
        suffix_list_urls=(),
        fallback_to_snapshot=True,
        include_psl_private_domains=True,
    )


_SUFFIXES = bundled_suffix_list()


def _unicode_label(label: str) -> str | None:
    """A label in lower-case Unicode form; punycode ("xn--") labels decoded; None if invalid."""
    if label.startswith("xn--"):
        try:
            label = label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return None
    if label.isascii():
        return label if _ASCII_LABEL.match(label) else None
    label = unicodedata.normalize("NFC", label.lower())
    if label.startswith("-") or label.endswith("-"):
        return None
    if not all(ch.isalnum() or ch == "-" or unicodedata.combining(ch) for ch in label):
        return None
    return label


def _host_of(value: str) -> str | None:
    text = value.strip()
    scheme = _SCHEME.match(text)
    if scheme:
        text = text[scheme.end() :]
    text = text.lstrip("/\\")
    end = _HOST_END.search(text)
    host = text[: end.start()] if end else text
    host = host.rpartition("@")[2].strip()
    if host.startswith("["):
        return None  # a bracketed IPv6 address
    if ":" in host:
        host, _, port = host.partition(":")
        if ":" in port:
            return None  # an unbracketed IPv6 address
    return host


class _PlainTails:
    """Hosts whose registrable domain is their last two labels, told apart without the list walk.

    The list's longest matching rule decides a host's suffix. Every rule of two labels or more
    ends in two labels of its own ("co.uk", "blogspot.com", "*.ck", "!www.ck"), so a host whose
    last two labels end no such rule, and whose last label is a rule of its own with no wildcard
    right under it, has that last label for its suffix: its registrable domain is its last two
    labels. A host under a top-level label no rule ends in gets the same by the default rule.
    Most companies' hosts are such ("acme.com", "www.acme.de"); telling them so costs a set
    lookup or two, where tldextract's walk (URL parsing and a trie) costs about 5 microseconds a
    host, the largest part of mapping a pulled record. Every other host goes through tldextract,
    and `tests/mapping/test_normalise_domains.py` checks the two agree on hosts built from every
    rule of the list.
    """

    def __init__(self, rules: list[str]) -> None:
        deeper: set[str] = set()
        special: set[str] = set()
        last_labels: set[str] = set()
        for rule in rules:
            labels = rule.lstrip("!").split(".")
            last_labels.add(labels[-1])
            if len(labels) >= 2:
                deeper.add(".".join(labels[-2:]))
            if len(labels) >= 2 and labels[-2] == "*":  # "*.ck": every label under it is one
                special.add(labels[-1])
        single = {rule for rule in rules if "." not in rule and rule.isalnum()}
        self.deeper = frozenset(deeper)
        """The last two labels of every rule of two labels or more."""
        self.single = frozenset(single - special)
        """Rules of one label with no wildcard rule right under them."""
        self.known = frozenset(last_labels)
        """The last label of every rule."""

    def tail(self, host: str) -> str | None:
        """The host's last two labels when they are its registrable domain (see the class);
        None when the list must be walked."""
        last_dot = host.rfind(".")
        if last_dot <= 0:
            return None
        tail = host[host.rfind(".", 0, last_dot) + 1 :]
        if tail in self.deeper:
            return None
        top = host[last_dot + 1 :]
        return tail if top in self.single or top not in self.known else None


_PLAIN_TAILS = _PlainTails(_SUFFIXES.tlds)


def _registrable(host: str) -> str | None:
    """The registrable domain of a valid host of two labels or more, or None for a bare suffix."""
    return _PLAIN_TAILS.tail(host) or _listed_registrable(host)


def _listed_registrable(host: str) -> str | None:
    """`_registrable` by tldextract's walk of the list."""
    parts = _SUFFIXES.extract_str(host)
    if not parts.suffix:  # not on the list: its last label is the suffix (the default rule)
        return ".".join(host.rsplit(".", 2)[-2:])
    if parts.is_private and not parts.domain:  # a hosting platform's own site ("github.io")
        parts = _SUFFIXES.extract_str(host, include_psl_private_domains=False)
    return parts.top_domain_under_public_suffix or None


# Websites are nearly all distinct (a cache mostly serves the same record read again), and a full
# cache of 65,536 held about 16 MiB of a large book's run.
@functools.lru_cache(maxsize=4096)
def _normalise_domain(website: str) -> str | None:
    host = _host_of(website)
    if not host:
        return None
    host = host.rstrip(".").lower()
    if host.isascii() and "xn--" not in host and _SIMPLE_HOST.fullmatch(host):
        return _registrable(host) if len(host) <= _MAX_DOMAIN_LENGTH else None
    return _checked_domain(host)


def _checked_domain(host: str) -> str | None:
    """The domain for any other host (Unicode, punycode or invalid), label by label, or None."""
    if _WHITESPACE.search(host):
        return None
    host = host.translate(_IDEOGRAPHIC_STOPS).rstrip(".")
    labels: list[str] = []
    for raw_label in host.split("."):
        if not raw_label or len(raw_label) > _MAX_LABEL_LENGTH:
            return None
        label = _unicode_label(raw_label)
        if label is None:
            return None
        labels.append(label)
    if len(labels) < 2 or not labels[-1].isalpha() or len(labels[-1]) < 2:
        return None  # a single label, or an IP address (its last label is numeric)
    domain = ".".join(labels)
    return _registrable(domain) if len(domain) <= _MAX_DOMAIN_LENGTH else None


def normalise_domain(website: str | None) -> str | None:
    """The registrable, lower-case domain of a website or e-mail address as typed, or None.

    "https://www.Acme.com:443/en?x=1", "shop.acme.com", "Acme.COM/about", "  WWW.Acme.com ",
    "//acme.com", "https:/acme.com", "info@acme.com" and "acme.com." all give "acme.com";
    "www.acme.co.uk" gives "acme.co.uk" and "acme.github.io" stays itself. Internationalised
    domains come back in Unicode form ("xn--bcher-kva.de" -> "bücher.de"). Placeholders, single
    labels ("acme", "localhost"), bare public suffixes ("co.uk") and IP addresses give None.
    """
    if website is None:
        return None
    return _normalise_domain(website)
