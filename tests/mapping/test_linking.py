"""Cross-CRM linking: same domain links, anything uncertain is reported and never guessed."""

from __future__ import annotations

from mapping.linking import AdminOverride, Link, LinkCandidate, link_companies
from mapping.normalise import normalise_domain


def sf(external_id: str, domain: str | None) -> LinkCandidate:
    return LinkCandidate("salesforce", external_id, domain)


def hs(external_id: str, domain: str | None) -> LinkCandidate:
    return LinkCandidate("hubspot", external_id, domain)


def test_one_record_per_crm_with_the_same_domain_is_linked() -> None:
    report = link_companies([sf("001A", "acme.com"), hs("901", "acme.com")])
    assert report.links == [Link("001A", "901", "acme.com", "domain")]


def test_different_domains_are_not_linked() -> None:
    report = link_companies([sf("001A", "acme.com"), hs("901", "acme.co.uk")])
    assert report.links == []


def test_a_domain_held_by_two_records_of_one_crm_is_reported_not_linked() -> None:
    report = link_companies(
        [sf("001A", "globex.com"), sf("001B", "globex.com"), hs("901", "globex.com")]
    )
    assert report.links == []
    assert report.ambiguous_domains == {"salesforce": {"globex.com": ["001A", "001B"]}}


def test_records_without_a_domain_are_reported_per_crm() -> None:
    report = link_companies([sf("001A", None), hs("902", None), hs("901", None)])
    assert report.links == []
    assert report.without_domain == {"salesforce": ["001A"], "hubspot": ["901", "902"]}


def test_an_admin_pin_links_records_whose_domains_differ() -> None:
    report = link_companies(
        [sf("001A", "initech.com"), hs("901", "initech.io")],
        [AdminOverride("001A", "901", "pin")],
    )
    assert report.links == [Link("001A", "901", None, "pinned")]


def test_a_pin_wins_over_the_domain_match_of_a_pinned_record() -> None:
    report = link_companies(
        [sf("001A", "acme.com"), hs("901", "acme.com"), hs("902", "acme-corp.com")],
        [AdminOverride("001A", "902", "pin")],
    )
    assert report.links == [Link("001A", "902", None, "pinned")]


def test_an_admin_break_keeps_two_records_with_the_same_domain_apart() -> None:
    report = link_companies(
        [sf("001A", "acme.com"), hs("901", "acme.com")], [AdminOverride("001A", "901", "break")]
    )
    assert report.links == []
    assert report.broken == [("001A", "901")]


def test_a_pin_naming_a_record_that_is_gone_is_reported_as_stale() -> None:
    report = link_companies([sf("001A", "acme.com")], [AdminOverride("001A", "999", "pin")])
    assert report.links == []
    assert report.stale_pins == [("001A", "999")]


def test_linking_does_not_depend_on_record_order() -> None:
    records = [sf(f"001{n}", f"d{n % 7}.com") for n in range(20)] + [
        hs(f"9{n}", f"d{n % 5}.com") for n in range(10)
    ]
    forward = link_companies(records)
    backward = link_companies(list(reversed(records)))
    assert forward.links == backward.links
    assert forward.ambiguous_domains == backward.ambiguous_domains


def test_websites_that_differ_by_subdomain_link_on_their_registrable_domain() -> None:
    report = link_companies(
        [
            sf("001A", normalise_domain("https://shop.acme.co.uk/cart")),
            hs("901", normalise_domain("www.acme.co.uk")),
        ]
    )
    assert report.links == [Link("001A", "901", "acme.co.uk", "domain")]


def test_two_businesses_on_one_hosting_platform_are_not_linked() -> None:
    report = link_companies(
        [
            sf("001A", normalise_domain("https://acme.github.io")),
            hs("901", normalise_domain("globex.github.io")),
        ]
    )
    assert report.links == []


def test_two_subsidiaries_on_subdomains_of_one_crm_are_reported_not_guessed() -> None:
    report = link_companies(
        [
            sf("001A", normalise_domain("eu.globex.com")),
            sf("001B", normalise_domain("us.globex.com")),
            hs("901", normalise_domain("globex.com")),
        ]
    )
    assert report.links == []
    assert report.ambiguous_domains == {"salesforce": {"globex.com": ["001A", "001B"]}}
