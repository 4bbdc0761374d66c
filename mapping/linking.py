"""Cross-CRM linking: which Salesforce account and HubSpot company are the same business.

Two records are linked when they share a normalised domain and each is the only live record with
that domain in its CRM. Anything less certain is reported, never guessed: records without a
domain, and domains held by several records of one CRM (subsidiaries, duplicates). An admin's pin
links two records whatever their domains; a break keeps two records apart even when their domains
match. Pure: it takes rows and returns links plus a report. This is the reference a person's
report is built from (`territory-sync links`); a run links in SQL by the same rules
(`sync.store.companies.refresh_company_links`), sharing the pin rules (`admin_pins`), and a
property test holds the two to the same links and counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SALESFORCE = "salesforce"
HUBSPOT = "hubspot"


@dataclass(frozen=True, slots=True)
class LinkCandidate:
    source: str
    external_id: str
    domain: str | None


@dataclass(frozen=True, slots=True)
class AdminOverride:
    salesforce_id: str
    hubspot_id: str
    action: str
    """`pin` or `break`."""


@dataclass(frozen=True, slots=True)
class Link:
    salesforce_id: str
    hubspot_id: str
    domain: str | None
    origin: str
    """`domain` or `pinned`."""


@dataclass
class LinkReport:
    links: list[Link] = field(default_factory=list)
    without_domain: dict[str, list[str]] = field(default_factory=dict)
    """Per CRM, the records that have no usable domain."""
    ambiguous_domains: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Per CRM, domains held by more than one record, with their record ids."""
    broken: list[tuple[str, str]] = field(default_factory=list)
    """Pairs the domains would link but an admin broke."""
    stale_pins: list[tuple[str, str]] = field(default_factory=list)
    """Pins naming a record that no longer exists (or is deleted)."""

    def counts(self) -> dict[str, int]:
        return {
            "linked": len(self.links),
            "pinned": sum(1 for link in self.links if link.origin == "pinned"),
            "without_domain": sum(len(ids) for ids in self.without_domain.values()),
            "ambiguous_domains": sum(len(d) for d in self.ambiguous_domains.values()),
            "broken": len(self.broken),
            "stale_pins": len(self.stale_pins),
        }


@dataclass
class Pins:
    """What admins' overrides decide before any domain is compared."""

    links: list[Link] = field(default_factory=list)
    """The pins that hold, one per record."""
    stale: list[tuple[str, str]] = field(default_factory=list)
    """Pins naming a record that is not live."""
    breaks: set[tuple[str, str]] = field(default_factory=set)
    salesforce: set[str] = field(default_factory=set)
    """Salesforce records a pin holds (their domain links nothing else)."""
    hubspot: set[str] = field(default_factory=set)


def admin_pins(overrides: Iterable[AdminOverride], is_live: Callable[[str, str], bool]) -> Pins:
    """The pins that hold (both records live; one pin per record, the first by id wins,
    deterministically), the stale ones, and the breaks."""
    pins = Pins()
    for override in sorted(overrides, key=lambda o: (o.action, o.salesforce_id, o.hubspot_id)):
        pair = (override.salesforce_id, override.hubspot_id)
        if override.action == "break":
            pins.breaks.add(pair)
            continue
        if not (is_live(SALESFORCE, pair[0]) and is_live(HUBSPOT, pair[1])):
            pins.stale.append(pair)
            continue
        if pair[0] in pins.salesforce or pair[1] in pins.hubspot:
            continue
        pins.salesforce.add(pair[0])
        pins.hubspot.add(pair[1])
        pins.links.append(Link(pair[0], pair[1], None, "pinned"))
    return pins


def link_companies(
    candidates: Iterable[LinkCandidate], overrides: Iterable[AdminOverride] = ()
) -> LinkReport:
    """Link live records across the two CRMs; `candidates` must exclude deleted records."""
    report = LinkReport()
    live: dict[str, set[str]] = {SALESFORCE: set(), HUBSPOT: set()}
    by_domain: dict[str, dict[str, list[str]]] = {
        SALESFORCE: defaultdict(list),
        HUBSPOT: defaultdict(list),
    }
    for candidate in candidates:
        if candidate.source not in live:
            continue
        live[candidate.source].add(candidate.external_id)
        if candidate.domain:
            by_domain[candidate.source][candidate.domain].append(candidate.external_id)
        else:
            report.without_domain.setdefault(candidate.source, []).append(candidate.external_id)

    pins = admin_pins(overrides, lambda source, external_id: external_id in live[source])
    report.links.extend(pins.links)
    report.stale_pins.extend(pins.stale)
    pinned_sf, pinned_hs, breaks = pins.salesforce, pins.hubspot, pins.breaks

    for source, domains in by_domain.items():
        for domain, ids in domains.items():
            if len(ids) > 1:
                report.ambiguous_domains.setdefault(source, {})[domain] = sorted(ids)

    for domain in sorted(by_domain[SALESFORCE].keys() & by_domain[HUBSPOT].keys()):
        sf_ids = [i for i in by_domain[SALESFORCE][domain] if i not in pinned_sf]
        hs_ids = [i for i in by_domain[HUBSPOT][domain] if i not in pinned_hs]
        if len(by_domain[SALESFORCE][domain]) != 1 or len(by_domain[HUBSPOT][domain]) != 1:
            continue  # ambiguous in at least one CRM: reported above, never guessed
        if len(sf_ids) != 1 or len(hs_ids) != 1:
            continue  # already pinned elsewhere
        pair = (sf_ids[0], hs_ids[0])
        if pair in breaks:
            report.broken.append(pair)
            continue
        report.links.append(Link(pair[0], pair[1], domain, "domain"))

    for ids in report.without_domain.values():
        ids.sort()
    return report
