"""Specification of `normalise_domain`: websites as typed -> the bare domain."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mapping.normalise import normalise_domain
from mapping.normalise.domains import (
    _checked_domain,
    _listed_registrable,
    _PlainTails,
    _registrable,
    bundled_suffix_list,
)


@pytest.mark.parametrize(
    "typed",
    [
        "acme.com",
        "Acme.COM/about",
        "https://www.acme.com:443/en?x=1",
        "http://acme.com/",
        "acme.com.",
        "  WWW.Acme.com ",
        "info@acme.com",
        "mailto:sales@acme.com",
        "//acme.com",
        "https:/acme.com",
        "http//acme.com",
        "HTTPS://WWW.ACME.COM/",
        "https://www2.acme.com",
        "http://user:secret@acme.com:8080/path",
        "acme.com:8080",
        "acme.com#contact",
        "acme.com?utm_source=crm",
        "https://www.acme.com\\en",
        "\tacme.com\n",
    ],
)
def test_scheme_www_port_path_userinfo_and_case_are_stripped(typed: str) -> None:
    assert normalise_domain(typed) == "acme.com"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("shop.acme.com", "acme.com"),
        ("https://eu.shop.acme.com/cart", "acme.com"),
        ("ww1.acme.com", "acme.com"),
        ("eu.acme-corp.io", "acme-corp.io"),
        ("www.com", "www.com"),
        ("3m.com", "3m.com"),
    ],
)
def test_subdomains_reduce_to_the_registrable_domain(typed: str, expected: str) -> None:
    assert normalise_domain(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("http://acme.co.uk/", "acme.co.uk"),
        ("www.acme.co.uk", "acme.co.uk"),
        ("https://shop.acme.co.uk/cart", "acme.co.uk"),
        ("www.acme.com.br", "acme.com.br"),
        ("mail.eu.acme.com.br", "acme.com.br"),
        ("shop.acme.com.au", "acme.com.au"),
        ("www.acme.co.jp", "acme.co.jp"),
        ("shop.acme.tokyo.jp", "acme.tokyo.jp"),
    ],
)
def test_multi_part_public_suffixes_are_kept_whole(typed: str, expected: str) -> None:
    assert normalise_domain(typed) == expected


def test_a_wildcard_suffix_rule_and_its_exception_follow_the_public_suffix_list() -> None:
    # "*.kawasaki.jp" makes every label under kawasaki.jp a suffix; "!city.kawasaki.jp" excepts one.
    assert normalise_domain("shop.acme.kawasaki.jp") == "shop.acme.kawasaki.jp"
    assert normalise_domain("www.city.kawasaki.jp") == "city.kawasaki.jp"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("acme.github.io", "acme.github.io"),
        ("https://www.acme.github.io/about", "acme.github.io"),
        ("globex.github.io", "globex.github.io"),
        ("acme.myshopify.com", "acme.myshopify.com"),
        ("news.acme.blogspot.com", "acme.blogspot.com"),
    ],
)
def test_sites_on_a_shared_hosting_platform_are_each_their_own_domain(
    typed: str, expected: str
) -> None:
    assert normalise_domain(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("github.io", "github.io"), ("https://blogspot.com/", "blogspot.com")],
)
def test_a_hosting_platforms_own_site_reduces_under_the_public_registries(
    typed: str, expected: str
) -> None:
    assert normalise_domain(typed) == expected


@pytest.mark.parametrize("typed", ["co.uk", "https://com.br.", "公司.cn", "foo.kawasaki.jp"])
def test_a_bare_public_suffix_is_no_domain(typed: str) -> None:
    assert normalise_domain(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("shop.acme.zzzz", "acme.zzzz"), ("www.acme.internal", "acme.internal")],
)
def test_a_suffix_the_list_does_not_know_counts_as_one_label(typed: str, expected: str) -> None:
    assert normalise_domain(typed) == expected


def test_an_internationalised_subdomain_reduces_to_the_unicode_registrable_domain() -> None:
    assert normalise_domain("https://shop.xn--bcher-kva.de/") == "bücher.de"
    assert normalise_domain("Laden.Bücher.co.uk") == "bücher.co.uk"


def test_the_suffix_list_is_the_bundled_snapshot_neither_fetched_nor_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the Public Suffix List was fetched")

    monkeypatch.setattr("requests.Session.request", no_network)
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "https://publicsuffix.org/list/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    parts = bundled_suffix_list().extract_str("shop.acme.co.uk")
    assert parts.top_domain_under_public_suffix == "acme.co.uk"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "typed",
    [None, "", "   ", "N/A", "n/a", "none", "None", "-", "null", "acme", "localhost", "http://"],
)
def test_blanks_placeholders_and_single_labels_give_none(typed: str | None) -> None:
    assert normalise_domain(typed) is None


@pytest.mark.parametrize(
    "typed",
    ["127.0.0.1", "http://192.168.0.10:8080/admin", "10.0.0.1.", "http://[::1]/", "fe80::1"],
)
def test_ip_addresses_give_none(typed: str) -> None:
    assert normalise_domain(typed) is None


@pytest.mark.parametrize(
    "typed",
    ["acme .com", "Acme Corporation", "-acme.com", "acme..com", "acme_corp.com", "acme.123"],
)
def test_values_that_cannot_be_host_names_give_none(typed: str) -> None:
    assert normalise_domain(typed) is None


@pytest.mark.parametrize(
    "typed",
    [
        "bücher.de",
        "BÜCHER.DE",
        "xn--bcher-kva.de",
        "https://www.xn--bcher-kva.de/",
        "www.Bücher.de",
    ],
)
def test_internationalised_domains_give_one_unicode_form(typed: str) -> None:
    assert normalise_domain(typed) == "bücher.de"


def test_internationalised_domain_in_decomposed_unicode_gives_the_composed_form() -> None:
    assert normalise_domain("bu\u0308cher.de") == "bücher.de"


def test_ideographic_full_stops_separate_labels() -> None:
    assert normalise_domain("例え。jp") == "例え.jp"


def test_eszett_is_kept_distinct_from_ss() -> None:
    assert normalise_domain("straße.de") == "straße.de"


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True).filter(
    lambda label: not label.startswith("www")
)
_HOSTS = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(_LABEL, min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)


@given(
    host=_HOSTS,
    scheme=st.sampled_from(["", "http://", "https://", "HTTPS://", "//"]),
    www=st.sampled_from(["", "www.", "WWW.", "www2."]),
    suffix=st.sampled_from(["", "/", "/en/about", ":443", ":8080/x?y=1", "#top", "."]),
)
def test_decorations_around_a_host_never_change_the_domain(
    host: str, scheme: str, www: str, suffix: str
) -> None:
    assert normalise_domain(f"{scheme}{www}{host.upper()}{suffix}") == normalise_domain(host)


@given(host=_HOSTS)
def test_a_normalised_domain_normalises_to_itself(host: str) -> None:
    domain = normalise_domain(host)
    assume(domain is not None)  # not when the host is a bare public suffix
    assert normalise_domain(domain) == domain


@given(host=_HOSTS)
def test_the_domain_is_the_host_or_its_last_labels(host: str) -> None:
    domain = normalise_domain(host)
    assume(domain is not None)
    assert host == domain or host.endswith(f".{domain}")


@given(host=st.text(alphabet="abcw0-.", min_size=1, max_size=24))
def test_plain_ascii_shortcut_agrees_with_the_label_by_label_check(host: str) -> None:
    assert normalise_domain(host) == _checked_domain(host.rstrip("."))


def _hosts_under_every_rule() -> list[str]:
    """Each rule of the list (its wildcards filled, its exception mark dropped) as a host, and
    with one and two labels in front."""
    hosts = []
    for rule in bundled_suffix_list().tlds:
        bare = rule.lstrip("!").replace("*", "any")
        hosts += [bare, f"acme.{bare}", f"www.acme.{bare}"]
    return hosts


def test_the_two_label_shortcut_agrees_with_the_list_walk_under_every_rule() -> None:
    hosts = [*_hosts_under_every_rule(), "acme.com", "www.acme.de", "acme.unlisted", "a.b.c.org"]
    assert [_registrable(h) for h in hosts] == [_listed_registrable(h) for h in hosts]


@given(
    st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=3),
    st.sampled_from(bundled_suffix_list().tlds),
)
def test_the_two_label_shortcut_agrees_with_the_list_walk_on_any_host(
    labels: list[str], rule: str
) -> None:
    host = ".".join([*labels, rule.lstrip("!").replace("*", labels[-1])])
    assert _registrable(host) == _listed_registrable(host)


def test_a_top_level_label_with_a_wildcard_under_it_is_walked_not_shortcut() -> None:
    assert _PlainTails(["ck", "*.ck", "com"]).tail("acme.ck") is None
    assert _PlainTails(["ck", "*.ck", "com"]).tail("www.acme.com") == "acme.com"
