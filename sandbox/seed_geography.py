"""Where the seeded businesses are: countries, regions, real cities and postal codes that fit them.

The sandbox's book must look like a real B2B book, because RevOps people rehearse territory
changes against it: most accounts in the United States (states weighted by business population),
then the large European and Asia-Pacific markets. A city always belongs to its region and its
postal codes fall in that city's real range (a San Francisco ZIP starts 941, a Toronto postal code
with M, a Munich PLZ with 80 or 81), so rules keyed on postal codes behave as they would on real
data. Every country and region also carries the spellings people really type into CRMs ("USA",
"U.S.", "Deutschland", "Calif."), and which sales team covers it.

All strings here are built once at import and shared by every record that uses them, which keeps
a million-record book small.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PostalStyle(Enum):
    """How a country writes postal codes; the ranges on each city are read accordingly."""

    DIGITS = "digits"
    """A number in [low, high], zero-padded to the country's width, optionally split."""
    CANADA = "canada"
    """`A1A 1A1`: prefix is the first letter, [low, high] the range of the digit after it."""
    UK = "uk"
    """`SW1 2AB`: prefix is the postcode area, [low, high] its district numbers."""
    NETHERLANDS = "netherlands"
    """`1017 CE`: four digits in [low, high] and two letters."""
    EIRCODE = "eircode"
    """`D02 X285`: prefix and a number in [low, high] make the routing key."""
    NONE = "none"


@dataclass(frozen=True, slots=True)
class PostalRange:
    prefix: str
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class City:
    name: str
    spellings: tuple[str, ...]
    """Other ways the city is written (exonyms, without accents, old names)."""
    postal: tuple[PostalRange, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    spellings: tuple[str, ...]
    """Other ways the region is written ("Calif.", "Bavaria", "Québec")."""
    weight: float
    cities: tuple[City, ...]
    team: str | None = None
    """The sales team covering this region when it differs from the country's."""
    country_spellings: tuple[str, ...] = ()
    """Names people write in the country field for this region ("England", "Scotland")."""


@dataclass(frozen=True, slots=True)
class Country:
    iso2: str
    weight: float
    """Share of the book, in percent."""
    spellings: tuple[tuple[str, float], ...]
    """Country field values seen in CRMs, weighted; the first is the English short name."""
    team: str
    locale: str
    """Which company-name vocabulary fits the country (see `seed_vocabulary`)."""
    tlds: tuple[tuple[str, float], ...]
    region_fill: float
    """Share of records that have a region at all (UK and French records rarely do)."""
    region_style: tuple[float, float, float]
    """Weights for writing the region as its code, its name, or another spelling."""
    postal_style: PostalStyle
    postal_width: int
    postal_split: int
    """Where a separator goes in a DIGITS code (0 for none), e.g. 5 for `01310-100`."""
    postal_separator: str
    regions: tuple[Region, ...]


def _ranges(*spans: tuple[int, int]) -> tuple[PostalRange, ...]:
    return tuple(PostalRange("", low, high) for low, high in spans)


def _city(
    name: str, weight: float, *spans: tuple[int, int], spellings: tuple[str, ...] = ()
) -> City:
    return City(name, spellings, _ranges(*spans), weight)


def _zip3(name: str, weight: float, *prefixes: int, spellings: tuple[str, ...] = ()) -> City:
    """A US city by the 3-digit ZIP prefixes its post offices use."""
    return City(
        name, spellings, tuple(PostalRange("", p * 100 + 1, p * 100 + 99) for p in prefixes), weight
    )


def _lettered(
    name: str, weight: float, *areas: tuple[str, int, int], spellings: tuple[str, ...] = ()
) -> City:
    """A city by its postcode areas: letters and the range of numbers after them."""
    return City(name, spellings, tuple(PostalRange(p, lo, hi) for p, lo, hi in areas), weight)


_WEST, _CENTRAL, _EAST = "na-west", "na-central", "na-east"


def _state(
    code: str,
    name: str,
    weight: float,
    team: str,
    cities: tuple[City, ...],
    spellings: tuple[str, ...] = (),
) -> Region:
    return Region(code, name, spellings, weight, cities, team)


# fmt: off
# Weights: approximate share of US employer businesses by state (US Census Bureau, Statistics of
# U.S. Businesses), rounded. ZIP prefixes: USPS 3-digit ZIP Code prefix assignments.
_US_STATES: tuple[Region, ...] = (
    _state("CA", "California", 12.0, _WEST, (
        _zip3("Los Angeles", 20, 900), _zip3("San Francisco", 16, 941), _zip3("San Diego", 10, 921),
        _zip3("San Jose", 9, 951), _zip3("Oakland", 4, 946), _zip3("Irvine", 6, 926),
        _zip3("Sacramento", 4, 958), _zip3("Palo Alto", 5, 943), _zip3("Santa Clara", 4, 950),
        _zip3("Mountain View", 3, 940), _zip3("Sunnyvale", 3, 940), _zip3("Fresno", 2, 937),
        _zip3("Long Beach", 2, 908), _zip3("Pasadena", 2, 911),
    ), ("Calif.", "Cal.", "california", "Ca")),
    _state("TX", "Texas", 8.5, _CENTRAL, (
        _zip3("Houston", 20, 770), _zip3("Dallas", 18, 752), _zip3("Austin", 16, 787),
        _zip3("San Antonio", 8, 782), _zip3("Fort Worth", 5, 761), _zip3("Plano", 5, 750),
        _zip3("Irving", 4, 750), _zip3("El Paso", 2, 799),
    ), ("Tex.", "TX ", "texas")),
    _state("NY", "New York", 7.5, _EAST, (
        _zip3("New York", 60, 100, 101, 102), _zip3("Brooklyn", 10, 112), _zip3("Buffalo", 5, 142),
        _zip3("Rochester", 5, 146), _zip3("Albany", 4, 122), _zip3("White Plains", 4, 106),
        _zip3("Syracuse", 3, 132),
    ), ("N.Y.", "NY State", "new york")),
    _state("FL", "Florida", 7.0, _EAST, (
        _zip3("Miami", 20, 331), _zip3("Orlando", 12, 328), _zip3("Tampa", 12, 336),
        _zip3("Jacksonville", 8, 322), _zip3("Fort Lauderdale", 7, 333),
        _zip3("Boca Raton", 5, 334),
        _zip3("Tallahassee", 3, 323),
    ), ("Fla.",)),
    _state("IL", "Illinois", 4.2, _CENTRAL, (
        _zip3("Chicago", 60, 606), _zip3("Naperville", 6, 605), _zip3("Schaumburg", 6, 601),
        _zip3("Evanston", 4, 602), _zip3("Springfield", 3, 627), _zip3("Peoria", 3, 616),
    ), ("Ill.",)),
    _state("PA", "Pennsylvania", 3.9, _EAST, (
        _zip3("Philadelphia", 40, 191), _zip3("Pittsburgh", 25, 152), _zip3("Harrisburg", 6, 171),
        _zip3("Allentown", 5, 181), _zip3("King of Prussia", 5, 194),
    ), ("Pa.", "Penn.", "Penna.")),
    _state("OH", "Ohio", 3.4, _CENTRAL, (
        _zip3("Columbus", 25, 432), _zip3("Cleveland", 20, 441), _zip3("Cincinnati", 20, 452),
        _zip3("Dayton", 6, 454), _zip3("Akron", 5, 443), _zip3("Toledo", 5, 436),
    )),
    _state("GA", "Georgia", 3.3, _EAST, (
        _zip3("Atlanta", 50, 303), _zip3("Alpharetta", 10, 300), _zip3("Marietta", 6, 300),
        _zip3("Savannah", 5, 314), _zip3("Augusta", 3, 309),
    ), ("Ga.",)),
    _state("NC", "North Carolina", 3.1, _EAST, (
        _zip3("Charlotte", 30, 282), _zip3("Raleigh", 20, 276), _zip3("Durham", 10, 277),
        _zip3("Cary", 6, 275), _zip3("Greensboro", 5, 274),
    ), ("N.C.", "N. Carolina")),
    _state("NJ", "New Jersey", 3.0, _EAST, (
        _zip3("Newark", 12, 71), _zip3("Jersey City", 10, 73), _zip3("Princeton", 8, 85),
        _zip3("Hoboken", 6, 70), _zip3("Morristown", 6, 79), _zip3("Edison", 5, 88),
    ), ("N.J.",)),
    _state("MI", "Michigan", 2.9, _CENTRAL, (
        _zip3("Detroit", 25, 482), _zip3("Grand Rapids", 12, 495), _zip3("Ann Arbor", 10, 481),
        _zip3("Troy", 8, 480), _zip3("Lansing", 4, 489),
    ), ("Mich.",)),
    _state("VA", "Virginia", 2.7, _EAST, (
        _zip3("Richmond", 15, 232), _zip3("Arlington", 12, 222), _zip3("Reston", 10, 201),
        _zip3("Alexandria", 8, 223), _zip3("Virginia Beach", 6, 234), _zip3("Norfolk", 4, 235),
    ), ("Va.",)),
    _state("WA", "Washington", 2.6, _WEST, (
        _zip3("Seattle", 40, 981), _zip3("Bellevue", 12, 980), _zip3("Redmond", 8, 980),
        _zip3("Tacoma", 5, 984), _zip3("Spokane", 5, 992), _zip3("Vancouver", 3, 986),
    ), ("Wash.", "WA State")),
    _state("MA", "Massachusetts", 2.6, _EAST, (
        _zip3("Boston", 45, 21, 22), _zip3("Cambridge", 15, 21), _zip3("Waltham", 8, 24),
        _zip3("Burlington", 6, 18), _zip3("Worcester", 5, 16), _zip3("Springfield", 3, 11),
    ), ("Mass.",)),
    _state("AZ", "Arizona", 2.1, _WEST, (
        _zip3("Phoenix", 35, 850), _zip3("Scottsdale", 15, 852), _zip3("Tempe", 10, 852),
        _zip3("Chandler", 8, 852), _zip3("Tucson", 8, 857),
    ), ("Ariz.",)),
    _state("TN", "Tennessee", 2.0, _CENTRAL, (
        _zip3("Nashville", 30, 372), _zip3("Memphis", 12, 381), _zip3("Knoxville", 8, 379),
        _zip3("Franklin", 8, 370), _zip3("Chattanooga", 5, 374),
    ), ("Tenn.",)),
    _state("CO", "Colorado", 1.9, _WEST, (
        _zip3("Denver", 40, 802), _zip3("Boulder", 12, 803), _zip3("Colorado Springs", 8, 809),
        _zip3("Aurora", 5, 800), _zip3("Fort Collins", 5, 805),
    ), ("Colo.",)),
    _state("IN", "Indiana", 1.8, _CENTRAL, (
        _zip3("Indianapolis", 35, 462), _zip3("Carmel", 8, 460), _zip3("Fort Wayne", 6, 468),
        _zip3("Evansville", 4, 477), _zip3("South Bend", 4, 466),
    ), ("Ind.",)),
    _state("MD", "Maryland", 1.8, _EAST, (
        _zip3("Baltimore", 30, 212), _zip3("Bethesda", 10, 208), _zip3("Rockville", 8, 208),
        _zip3("Columbia", 6, 210), _zip3("Annapolis", 4, 214),
    ), ("Md.",)),
    _state("MN", "Minnesota", 1.8, _CENTRAL, (
        _zip3("Minneapolis", 35, 554), _zip3("St. Paul", 12, 551, spellings=("Saint Paul",)),
        _zip3("Bloomington", 6, 554), _zip3("Rochester", 4, 559), _zip3("Duluth", 3, 558),
    ), ("Minn.",)),
    _state("WI", "Wisconsin", 1.7, _CENTRAL, (
        _zip3("Milwaukee", 30, 532), _zip3("Madison", 20, 537), _zip3("Green Bay", 6, 543),
        _zip3("Waukesha", 5, 531),
    ), ("Wis.", "Wisc.")),
    _state("MO", "Missouri", 1.7, _CENTRAL, (
        _zip3("St. Louis", 30, 631, spellings=("Saint Louis",)), _zip3("Kansas City", 25, 641),
        _zip3("Springfield", 5, 658), _zip3("Columbia", 4, 652),
    ), ("Mo.",)),
    _state("SC", "South Carolina", 1.4, _EAST, (
        _zip3("Charleston", 15, 294), _zip3("Columbia", 12, 292), _zip3("Greenville", 12, 296),
    ), ("S.C.",)),
    _state("OR", "Oregon", 1.3, _WEST, (
        _zip3("Portland", 40, 972), _zip3("Beaverton", 10, 970), _zip3("Eugene", 6, 974),
        _zip3("Salem", 4, 973), _zip3("Bend", 4, 977),
    ), ("Ore.", "Oreg.")),
    _state("AL", "Alabama", 1.2, _EAST, (
        _zip3("Birmingham", 20, 352), _zip3("Huntsville", 12, 358), _zip3("Montgomery", 6, 361),
        _zip3("Mobile", 5, 366),
    ), ("Ala.",)),
    _state("LA", "Louisiana", 1.2, _CENTRAL, (
        _zip3("New Orleans", 20, 701), _zip3("Baton Rouge", 12, 708), _zip3("Lafayette", 5, 705),
        _zip3("Shreveport", 4, 711),
    ), ("La.",)),
    _state("KY", "Kentucky", 1.1, _CENTRAL, (
        _zip3("Louisville", 25, 402), _zip3("Lexington", 12, 405), _zip3("Bowling Green", 3, 421),
    ), ("Ky.",)),
    _state("CT", "Connecticut", 1.1, _EAST, (
        _zip3("Stamford", 15, 69), _zip3("Hartford", 12, 61), _zip3("New Haven", 10, 65),
        _zip3("Greenwich", 6, 68),
    ), ("Conn.",)),
    _state("UT", "Utah", 1.1, _WEST, (
        _zip3("Salt Lake City", 30, 841), _zip3("Lehi", 12, 840), _zip3("Provo", 8, 846),
        _zip3("Ogden", 4, 844),
    )),
    _state("OK", "Oklahoma", 1.0, _CENTRAL, (
        _zip3("Oklahoma City", 25, 731), _zip3("Tulsa", 20, 741), _zip3("Norman", 4, 730),
    ), ("Okla.",)),
    _state("NV", "Nevada", 1.0, _WEST, (
        _zip3("Las Vegas", 30, 891), _zip3("Reno", 12, 895), _zip3("Henderson", 8, 890),
    ), ("Nev.",)),
    _state("IA", "Iowa", 0.9, _CENTRAL, (
        _zip3("Des Moines", 25, 503), _zip3("Cedar Rapids", 8, 524), _zip3("Davenport", 5, 528),
        _zip3("Iowa City", 5, 522),
    )),
    _state("KS", "Kansas", 0.8, _CENTRAL, (
        _zip3("Overland Park", 15, 662), _zip3("Wichita", 15, 672), _zip3("Topeka", 5, 666),
        _zip3("Lawrence", 4, 660),
    ), ("Kan.", "Kans.")),
    _state("AR", "Arkansas", 0.7, _CENTRAL, (
        _zip3("Little Rock", 20, 722), _zip3("Bentonville", 10, 727), _zip3("Fayetteville", 6, 727),
    ), ("Ark.",)),
    _state("MS", "Mississippi", 0.6, _EAST, (
        _zip3("Jackson", 15, 392), _zip3("Gulfport", 5, 395), _zip3("Hattiesburg", 4, 394),
    ), ("Miss.",)),
    _state("NE", "Nebraska", 0.6, _CENTRAL, (
        _zip3("Omaha", 25, 681), _zip3("Lincoln", 12, 685),
    ), ("Neb.", "Nebr.")),
    _state("ID", "Idaho", 0.6, _WEST, (
        _zip3("Boise", 25, 837), _zip3("Meridian", 8, 836), _zip3("Idaho Falls", 4, 834),
    )),
    _state("NM", "New Mexico", 0.5, _WEST, (
        _zip3("Albuquerque", 25, 871), _zip3("Santa Fe", 8, 875), _zip3("Las Cruces", 5, 880),
    ), ("N.M.", "N. Mex.")),
    _state("NH", "New Hampshire", 0.5, _EAST, (
        _zip3("Manchester", 12, 31), _zip3("Nashua", 10, 30), _zip3("Portsmouth", 6, 38),
        _zip3("Concord", 4, 33),
    ), ("N.H.",)),
    _state("DC", "District of Columbia", 0.5, _EAST, (
        _zip3("Washington", 1, 200, 202, 203, 204, 205,
            spellings=("Washington DC", "Washington, D.C.")),
    ), ("D.C.", "Washington DC", "Washington D.C.")),
    _state("WV", "West Virginia", 0.4, _EAST, (
        _zip3("Charleston", 12, 253), _zip3("Morgantown", 6, 265), _zip3("Huntington", 5, 257),
    ), ("W.Va.", "W. Va.")),
    _state("HI", "Hawaii", 0.4, _WEST, (
        _zip3("Honolulu", 30, 968), _zip3("Hilo", 4, 967),
    ), ("Hawai'i", "Hawaiʻi")),
    _state("ME", "Maine", 0.4, _EAST, (
        _zip3("Portland", 15, 41), _zip3("Bangor", 5, 44), _zip3("Augusta", 4, 43),
    )),
    _state("MT", "Montana", 0.4, _WEST, (
        _zip3("Bozeman", 10, 597), _zip3("Billings", 10, 591), _zip3("Missoula", 8, 598),
        _zip3("Helena", 4, 596),
    ), ("Mont.",)),
    _state("DE", "Delaware", 0.4, _EAST, (
        _zip3("Wilmington", 20, 198), _zip3("Newark", 6, 197), _zip3("Dover", 5, 199),
    ), ("Del.",)),
    _state("RI", "Rhode Island", 0.3, _EAST, (
        _zip3("Providence", 20, 29), _zip3("Warwick", 6, 28), _zip3("Newport", 4, 28),
    ), ("R.I.",)),
    _state("SD", "South Dakota", 0.3, _CENTRAL, (
        _zip3("Sioux Falls", 20, 571), _zip3("Rapid City", 6, 577),
    ), ("S.D.", "S. Dak.")),
    _state("ND", "North Dakota", 0.3, _CENTRAL, (
        _zip3("Fargo", 20, 581), _zip3("Bismarck", 8, 585),
    ), ("N.D.", "N. Dak.")),
    _state("AK", "Alaska", 0.2, _WEST, (
        _zip3("Anchorage", 25, 995), _zip3("Fairbanks", 5, 997), _zip3("Juneau", 4, 998),
    )),
    _state("VT", "Vermont", 0.2, _EAST, (
        _zip3("Burlington", 15, 54), _zip3("Montpelier", 4, 56),
    ), ("Vt.",)),
    _state("WY", "Wyoming", 0.2, _WEST, (
        _zip3("Cheyenne", 10, 820), _zip3("Casper", 6, 826), _zip3("Jackson", 5, 830),
    ), ("Wyo.",)),
)

_US = Country(
    "US", 45.0,
    (
        ("United States", 30), ("USA", 25), ("US", 14), ("United States of America", 8),
        ("U.S.", 4), ("U.S.A.", 4), ("us", 3), ("usa", 2), ("UNITED STATES", 2), ("America", 1),
        (" USA", 1), ("United States ", 1), ("United states", 1),
    ),
    _EAST, "en",
    ((".com", 85), (".io", 5), (".net", 4), (".co", 3), (".ai", 3)),
    0.90, (0.60, 0.32, 0.08), PostalStyle.DIGITS, 5, 0, "-", _US_STATES,
)

# Canada Post: the first letter of a postal code names the province (or part of it).
_CANADA = Country(
    "CA", 6.0,
    (("Canada", 80), ("CA", 10), ("CAN", 6), ("canada", 2), ("CANADA", 2)),
    "canada", "en",
    ((".ca", 55), (".com", 45)),
    0.90, (0.55, 0.35, 0.10), PostalStyle.CANADA, 6, 0, " ",
    (
        Region("ON", "Ontario", ("Ont.", "ontario"), 38, (
            _lettered("Toronto", 45, ("M", 1, 9)), _lettered("Ottawa", 15, ("K", 1, 2)),
            _lettered("Mississauga", 10, ("L", 4, 5)), _lettered("Waterloo", 8, ("N", 2, 2)),
            _lettered("Markham", 6, ("L", 3, 3), ("L", 6, 6)), _lettered("Hamilton", 5,
            ("L", 8, 9)),
            _lettered("London", 4, ("N", 5, 6)),
        )),
        Region("QC", "Quebec", ("Québec", "PQ", "Qc"), 22, (
            _lettered("Montréal", 55, ("H", 1, 4), spellings=("Montreal",)),
            _lettered("Québec", 15,
            ("G", 1, 2), spellings=("Quebec City", "Québec City", "Quebec")),
            _lettered("Laval", 10, ("H", 7, 7)), _lettered("Gatineau", 6, ("J", 8, 9)),
            _lettered("Sherbrooke", 4, ("J", 1, 1)),
        )),
        Region("BC", "British Columbia", ("B.C.", "Colombie-Britannique"), 14, (
            _lettered("Vancouver", 55, ("V", 5, 6)), _lettered("Burnaby", 12, ("V", 5, 5)),
            _lettered("Victoria", 12, ("V", 8, 9)), _lettered("Surrey", 10, ("V", 3, 4)),
            _lettered("Kelowna", 5, ("V", 1, 1)),
        )),
        Region("AB", "Alberta", ("Alta.",), 13, (
            _lettered("Calgary", 55, ("T", 2, 3)), _lettered("Edmonton", 45, ("T", 5, 6)),
        )),
        Region("MB", "Manitoba", ("Man.",), 3.5, (_lettered("Winnipeg", 1, ("R", 2, 3)),)),
        Region("SK", "Saskatchewan", ("Sask.",), 3, (
            _lettered("Saskatoon", 5, ("S", 7, 7)), _lettered("Regina", 4, ("S", 4, 4)),
        )),
        Region("NS", "Nova Scotia", ("N.S.",), 2.6, (_lettered("Halifax", 1, ("B", 3, 3)),)),
        Region("NB", "New Brunswick", ("N.B.", "Nouveau-Brunswick"), 2, (
            _lettered("Moncton", 5, ("E", 1, 1)), _lettered("Fredericton", 4, ("E", 3, 3)),
            _lettered("Saint John", 3, ("E", 2, 2)),
        )),
        Region("NL", "Newfoundland and Labrador", ("NF", "Newfoundland", "Nfld."), 1.3, (
            _lettered("St. John's", 1, ("A", 1, 1), spellings=("St Johns",)),
        )),
        Region("PE", "Prince Edward Island", ("PEI", "P.E.I."), 0.4, (
            _lettered("Charlottetown", 1, ("C", 1, 1)),
        )),
        Region("YT", "Yukon", ("Yukon Territory",), 0.1, (_lettered("Whitehorse", 1,
        ("Y", 1, 1)),)),
        Region("NT", "Northwest Territories", ("N.W.T.",), 0.1, (
            _lettered("Yellowknife", 1, ("X", 1, 1)),
        )),
        Region("NU", "Nunavut", (), 0.05, (_lettered("Iqaluit", 1, ("X", 0, 0)),)),
    ),
)

_UK = Country(
    "GB", 8.0,
    (
        ("United Kingdom", 35), ("UK", 28), ("GB", 5), ("Great Britain", 5), ("U.K.", 3),
        ("uk", 2), ("United Kingdom of Great Britain and Northern Ireland", 1), ("UK ", 1),
    ),
    "uk-ireland", "en",
    ((".co.uk", 60), (".com", 30), (".uk", 5), (".io", 5)),
    0.35, (0.10, 0.80, 0.10), PostalStyle.UK, 0, 0, " ",
    (
        Region("ENG", "England", ("england",), 84, (
            _lettered("London", 45, ("EC", 1, 4), ("WC", 1, 2), ("E", 1, 18), ("N", 1, 22),
                      ("NW", 1, 11), ("SE", 1, 28), ("SW", 1, 20), ("W", 1, 14)),
            _lettered("Manchester", 6, ("M", 1, 50)), _lettered("Birmingham", 5, ("B", 1, 99)),
            _lettered("Leeds", 3, ("LS", 1, 29)), _lettered("Bristol", 3, ("BS", 1, 41)),
            _lettered("Cambridge", 3, ("CB", 1, 25)), _lettered("Reading", 3, ("RG", 1, 45)),
            _lettered("Liverpool", 2, ("L", 1, 40)), _lettered("Oxford", 2, ("OX", 1, 44)),
            _lettered("Newcastle upon Tyne", 2, ("NE", 1, 13), spellings=("Newcastle",)),
            _lettered("Sheffield", 2, ("S", 1, 36)), _lettered("Nottingham", 2, ("NG", 1, 25)),
            _lettered("Milton Keynes", 2, ("MK", 1, 19)), _lettered("Southampton", 1.5,
            ("SO", 14, 19)),
            _lettered("Brighton", 1.5, ("BN", 1, 3)),
        ), country_spellings=("England",)),
        Region("SCT", "Scotland", (), 8, (
            _lettered("Edinburgh", 5, ("EH", 1, 17)), _lettered("Glasgow", 5, ("G", 1, 84)),
            _lettered("Aberdeen", 2, ("AB", 10, 25)),
        ), country_spellings=("Scotland",)),
        Region("WLS", "Wales", ("Cymru",), 4, (
            _lettered("Cardiff", 3, ("CF", 10, 24)), _lettered("Swansea", 1, ("SA", 1, 8)),
        ), country_spellings=("Wales",)),
        Region("NIR", "Northern Ireland", ("N. Ireland", "NI"), 2.5, (
            _lettered("Belfast", 1, ("BT", 1, 17)),
        ), country_spellings=("Northern Ireland",)),
    ),
)

_GERMANY = Country(
    "DE", 6.0,
    (
        ("Germany", 45), ("Deutschland", 20), ("DE", 15), ("DEU", 3), ("GER", 3), ("germany", 3),
        ("Federal Republic of Germany", 2), ("Bundesrepublik Deutschland", 1),
    ),
    "dach", "de",
    ((".de", 75), (".com", 25)),
    0.40, (0.20, 0.60, 0.20), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("BY", "Bayern", ("Bavaria",), 18, (
            _city("München", 8, (80331, 81929), spellings=("Munich", "Muenchen")),
            _city("Nürnberg", 3, (90402, 90491), spellings=("Nuremberg", "Nuernberg")),
            _city("Augsburg", 1, (86150, 86199)), _city("Regensburg", 1, (93047, 93059)),
        )),
        Region("BW", "Baden-Württemberg", ("Baden-Wuerttemberg", "Baden-Wurttemberg"), 16, (
            _city("Stuttgart", 5, (70173, 70619)), _city("Karlsruhe", 2, (76131, 76229)),
            _city("Mannheim", 2, (68159, 68309)), _city("Walldorf", 1, (69190, 69190)),
            _city("Heidelberg", 1, (69115, 69126)),
            _city("Freiburg im Breisgau", 1, (79098, 79117), spellings=("Freiburg",)),
        )),
        Region("BE", "Berlin", (), 12, (_city("Berlin", 1, (10115, 14199)),)),
        Region("HH", "Hamburg", (), 8, (_city("Hamburg", 1, (20095, 22769)),)),
        Region("HE", "Hessen", ("Hesse",), 10, (
            _city("Frankfurt am Main", 7, (60306, 60599),
                spellings=("Frankfurt", "Frankfurt a.M.")),
            _city("Wiesbaden", 1, (65183, 65207)), _city("Darmstadt", 1, (64283, 64297)),
        )),
        Region("NW", "Nordrhein-Westfalen", ("North Rhine-Westphalia", "NRW"), 20, (
            _city("Köln", 5, (50667, 51149), spellings=("Cologne", "Koeln")),
            _city("Düsseldorf", 5, (40210, 40629), spellings=("Dusseldorf", "Duesseldorf")),
            _city("Dortmund", 2, (44135, 44388)), _city("Essen", 2, (45127, 45359)),
            _city("Bonn", 2, (53111, 53229)),
            _city("Münster", 1, (48143, 48167), spellings=("Muenster",)),
        )),
        Region("NI", "Niedersachsen", ("Lower Saxony",), 7, (
            _city("Hannover", 3, (30159, 30669), spellings=("Hanover",)),
            _city("Braunschweig", 1, (38100, 38126)), _city("Wolfsburg", 1, (38440, 38448)),
        )),
        Region("SN", "Sachsen", ("Saxony",), 5, (
            _city("Leipzig", 2, (4103, 4357)), _city("Dresden", 2, (1067, 1328)),
        )),
        Region("HB", "Bremen", (), 2, (_city("Bremen", 1, (28195, 28779)),)),
        Region("RP", "Rheinland-Pfalz", ("Rhineland-Palatinate",), 2, (
            _city("Mainz", 1, (55116, 55131)),
        )),
    ),
)

_FRANCE = Country(
    "FR", 5.0,
    (("France", 72), ("FR", 15), ("FRA", 4), ("france", 4), ("République française", 1)),
    "benelux-france", "fr",
    ((".fr", 65), (".com", 35)),
    0.30, (0.15, 0.75, 0.10), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("IDF", "Île-de-France", ("Ile-de-France", "Ile de France", "IDF"), 40, (
            _city("Paris", 30, (75001, 75020)), _city("Boulogne-Billancourt", 3, (92100, 92100)),
            _city("Courbevoie", 3, (92400, 92400)), _city("Issy-les-Moulineaux", 2, (92130, 92130)),
            _city("Nanterre", 1, (92000, 92000)), _city("Saint-Denis", 1, (93200, 93210)),
        )),
        Region("ARA", "Auvergne-Rhône-Alpes", ("Auvergne-Rhone-Alpes", "Rhône-Alpes"), 14, (
            _city("Lyon", 6, (69001, 69009)), _city("Grenoble", 2, (38000, 38100)),
        )),
        Region("PAC", "Provence-Alpes-Côte d'Azur", ("PACA", "Provence-Alpes-Cote d'Azur"), 10, (
            _city("Marseille", 3, (13001, 13016)), _city("Nice", 2, (6000, 6300)),
            _city("Valbonne", 1, (6560, 6560), spellings=("Sophia Antipolis",)),
        )),
        Region("OCC", "Occitanie", (), 8, (
            _city("Toulouse", 3, (31000, 31500)), _city("Montpellier", 2, (34000, 34090)),
        )),
        Region("NAQ", "Nouvelle-Aquitaine", (), 7, (_city("Bordeaux", 1, (33000, 33800)),)),
        Region("HDF", "Hauts-de-France", (), 7, (_city("Lille", 1, (59000, 59800)),)),
        Region("GES", "Grand Est", ("Alsace",), 5, (_city("Strasbourg", 1, (67000, 67200)),)),
        Region("PDL", "Pays de la Loire", (), 5, (_city("Nantes", 1, (44000, 44300)),)),
        Region("BRE", "Bretagne", ("Brittany",), 4, (_city("Rennes", 1, (35000, 35700)),)),
    ),
)

_NETHERLANDS = Country(
    "NL", 3.0,
    (("Netherlands", 40), ("The Netherlands", 20), ("NL", 15), ("Nederland", 10), ("Holland", 8),
     ("netherlands", 2)),
    "benelux-france", "nl",
    ((".nl", 70), (".com", 30)),
    0.30, (0.20, 0.70, 0.10), PostalStyle.NETHERLANDS, 4, 0, " ",
    (
        Region("NH", "Noord-Holland", ("North Holland",), 38, (
            _city("Amsterdam", 12, (1011, 1109)), _city("Haarlem", 2, (2011, 2037)),
            _city("Amstelveen", 2, (1181, 1189)),
        )),
        Region("ZH", "Zuid-Holland", ("South Holland",), 28, (
            _city("Rotterdam", 6, (3011, 3089)),
            _city("Den Haag", 4, (2491, 2599), spellings=("The Hague", "'s-Gravenhage")),
            _city("Delft", 1, (2611, 2629)), _city("Leiden", 1, (2311, 2334)),
        )),
        Region("UT", "Utrecht", (), 12, (_city("Utrecht", 1, (3511, 3585)),)),
        Region("NB", "Noord-Brabant",
        ("North Brabant",), 10, (_city("Eindhoven", 1, (5611, 5658)),)),
        Region("GE", "Gelderland", (), 7, (
            _city("Arnhem", 1, (6811, 6846)), _city("Nijmegen", 1, (6511, 6546)),
        )),
        Region("GR", "Groningen", (), 3, (_city("Groningen", 1, (9711, 9747)),)),
        Region("OV", "Overijssel", (), 2, (
            _city("Enschede", 1, (7511, 7548)), _city("Zwolle", 1, (8011, 8043)),
        )),
    ),
)

_AUSTRALIA = Country(
    "AU", 4.0,
    (("Australia", 72), ("AU", 14), ("AUS", 10), ("Aus", 2), ("australia", 2)),
    "apac", "en",
    ((".com.au", 75), (".com", 25)),
    0.90, (0.70, 0.25, 0.05), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("NSW", "New South Wales", ("N.S.W.",), 34, (
            _city("Sydney", 20, (2000, 2234)), _city("North Sydney", 3, (2060, 2060)),
            _city("Parramatta", 2, (2150, 2150)), _city("Newcastle", 2, (2300, 2308)),
        )),
        Region("VIC", "Victoria", ("Vic", "Vic."), 28, (
            _city("Melbourne", 18, (3000, 3207)), _city("Geelong", 1, (3220, 3220)),
        )),
        Region("QLD", "Queensland", ("Qld", "Qld."), 18, (
            _city("Brisbane", 8, (4000, 4179)), _city("Gold Coast", 2, (4217, 4230)),
        )),
        Region("WA", "Western Australia", ("W.A.",), 10, (_city("Perth", 1, (6000, 6199)),)),
        Region("SA", "South Australia", ("S.A.",), 6, (_city("Adelaide", 1, (5000, 5199)),)),
        Region("ACT", "Australian Capital Territory", ("A.C.T.",), 2, (
            _city("Canberra", 1, (2600, 2620)),
        )),
        Region("TAS", "Tasmania", ("Tas",), 1.5, (_city("Hobart", 1, (7000, 7054)),)),
        Region("NT", "Northern Territory", ("N.T.",), 0.5, (_city("Darwin", 1, (800, 832)),)),
    ),
)

# Japan Post: 7-digit codes written NNN-NNNN; the first three digits locate the city.
_JAPAN = Country(
    "JP", 3.0,
    (("Japan", 70), ("JP", 14), ("日本", 8), ("JPN", 5), ("japan", 3)),
    "apac", "ja",
    ((".co.jp", 65), (".jp", 15), (".com", 20)),
    0.60, (0.05, 0.45, 0.50), PostalStyle.DIGITS, 7, 3, "-",
    (
        Region("JP-13", "東京都", ("Tokyo", "Tokyo-to", "Tōkyō"), 45, (
            _city("Tokyo", 10, (1000001, 1089999), spellings=("東京", "Chiyoda-ku", "Minato-ku")),
        )),
        Region("JP-27", "大阪府", ("Osaka", "Osaka-fu"), 15, (
            _city("Osaka", 1, (5300001, 5599999), spellings=("大阪市", "Ōsaka")),
        )),
        Region("JP-14", "神奈川県", ("Kanagawa",), 12, (
            _city("Yokohama", 3, (2200001, 2479999), spellings=("横浜市",)),
            _city("Kawasaki", 1, (2100001, 2169999), spellings=("川崎市",)),
        )),
        Region("JP-23", "愛知県", ("Aichi",), 10, (
            _city("Nagoya", 1, (4500001, 4689999), spellings=("名古屋市",)),
        )),
        Region("JP-40", "福岡県", ("Fukuoka",), 6, (
            _city("Fukuoka", 1, (8100001, 8199999), spellings=("福岡市",)),
        )),
        Region("JP-01", "北海道", ("Hokkaido", "Hokkaidō"), 4, (
            _city("Sapporo", 1, (600001, 659999), spellings=("札幌市",)),
        )),
        Region("JP-26", "京都府", ("Kyoto",), 4, (
            _city("Kyoto", 1, (6000001, 6169999), spellings=("京都市",)),
        )),
        Region("JP-28", "兵庫県", ("Hyogo", "Hyōgo"), 4, (
            _city("Kobe", 1, (6500001, 6589999), spellings=("神戸市", "Kōbe")),
        )),
    ),
)

# Correios CEP: 8 digits written NNNNN-NNN.
_BRAZIL = Country(
    "BR", 3.0,
    (("Brazil", 55), ("Brasil", 25), ("BR", 15), ("brasil", 3), ("BRA", 2)),
    "latam", "pt",
    ((".com.br", 80), (".com", 20)),
    0.85, (0.65, 0.30, 0.05), PostalStyle.DIGITS, 8, 5, "-",
    (
        Region("SP", "São Paulo", ("Sao Paulo",), 40, (
            _city("São Paulo", 25, (1000000, 5999999), spellings=("Sao Paulo", "SAO PAULO")),
            _city("Campinas", 3, (13000000, 13139999)), _city("Barueri", 2, (6400000, 6499999)),
            _city("São José dos Campos", 1, (12200000, 12248999),
                spellings=("Sao Jose dos Campos",)),
        )),
        Region("RJ", "Rio de Janeiro", (), 14, (
            _city("Rio de Janeiro", 8, (20000000, 23799999)),
            _city("Niterói", 1, (24000000, 24399999), spellings=("Niteroi",)),
        )),
        Region("MG", "Minas Gerais", (), 10, (_city("Belo Horizonte", 1, (30000000, 31999999)),)),
        Region("PR", "Paraná", ("Parana",), 7, (_city("Curitiba", 1, (80000000, 82999999)),)),
        Region("RS", "Rio Grande do Sul", (), 7, (_city("Porto Alegre", 1, (90000000, 91999999)),)),
        Region("SC", "Santa Catarina", (), 6, (
            _city("Florianópolis", 1, (88000000, 88099999), spellings=("Florianopolis",)),
        )),
        Region("DF", "Distrito Federal", (), 6, (
            _city("Brasília", 1, (70000000, 72799999), spellings=("Brasilia",)),
        )),
        Region("BA", "Bahia", (), 4, (_city("Salvador", 1, (40000000, 42499999)),)),
        Region("PE", "Pernambuco", (), 4, (_city("Recife", 1, (50000000, 52999999)),)),
        Region("CE", "Ceará", ("Ceara",), 2, (_city("Fortaleza", 1, (60000000, 61599999)),)),
    ),
)

_INDIA = Country(
    "IN", 3.0,
    (("India", 80), ("IN", 14), ("IND", 4), ("india", 2)),
    "india", "in",
    ((".in", 30), (".co.in", 25), (".com", 45)),
    0.85, (0.35, 0.60, 0.05), PostalStyle.DIGITS, 6, 0, "",
    (
        Region("MH", "Maharashtra", (), 22, (
            _city("Mumbai", 8, (400001, 400104), spellings=("Bombay",)),
            _city("Pune", 4, (411001, 411062)),
        )),
        Region("KA", "Karnataka", (), 20, (
            _city("Bengaluru", 1, (560001, 560103), spellings=("Bangalore",)),
        )),
        Region("DL", "Delhi", ("New Delhi", "NCT of Delhi"), 12, (
            _city("New Delhi", 1, (110001, 110096), spellings=("Delhi",)),
        )),
        Region("TG", "Telangana", ("TS",), 12, (_city("Hyderabad", 1, (500001, 500098)),)),
        Region("TN", "Tamil Nadu", (), 10, (
            _city("Chennai", 1, (600001, 600119), spellings=("Madras",)),
        )),
        Region("HR", "Haryana", (), 8, (
            _city("Gurugram", 1, (122001, 122018), spellings=("Gurgaon",)),
        )),
        Region("UP", "Uttar Pradesh", (), 6, (_city("Noida", 1, (201301, 201310)),)),
        Region("WB", "West Bengal", (), 4, (
            _city("Kolkata", 1, (700001, 700107), spellings=("Calcutta",)),
        )),
        Region("GJ", "Gujarat", (), 4, (_city("Ahmedabad", 1, (380001, 380061)),)),
        Region("KL", "Kerala", (), 2, (_city("Kochi", 1, (682001, 682041),
            spellings=("Cochin",)),)),
    ),
)

_SPAIN = Country(
    "ES", 2.0,
    (("Spain", 60), ("España", 20), ("ES", 15), ("Espana", 3), ("spain", 2)),
    "southern-europe", "es",
    ((".es", 65), (".com", 35)),
    0.50, (0.15, 0.70, 0.15), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("MD", "Comunidad de Madrid", ("Madrid",), 40, (_city("Madrid", 1, (28001, 28055)),)),
        Region("CT", "Cataluña", ("Catalunya", "Catalonia"), 32, (
            _city("Barcelona", 1, (8001, 8042)),
        )),
        Region("VC", "Comunitat Valenciana", ("Comunidad Valenciana",), 10, (
            _city("Valencia", 1, (46001, 46026), spellings=("València",)),
        )),
        Region("AN", "Andalucía", ("Andalucia",), 12, (
            _city("Sevilla", 1, (41001, 41020), spellings=("Seville",)),
            _city("Málaga", 1, (29001, 29018), spellings=("Malaga",)),
        )),
        Region("PV", "País Vasco", ("Euskadi", "Basque Country"), 6, (
            _city("Bilbao", 1, (48001, 48015)),
        )),
    ),
)

# Italian CRMs usually hold the two-letter province ("MI", "RM"), not the region.
_ITALY = Country(
    "IT", 1.8,
    (("Italy", 60), ("Italia", 25), ("IT", 13), ("italy", 2)),
    "southern-europe", "it",
    ((".it", 70), (".com", 30)),
    0.50, (0.60, 0.35, 0.05), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("MI", "Milano", ("Milan",), 45, (
            _city("Milano", 1, (20121, 20162), spellings=("Milan",)),
        )),
        Region("RM", "Roma", ("Rome",), 25, (_city("Roma", 1, (118, 199), spellings=("Rome",)),)),
        Region("TO", "Torino",
        ("Turin",), 10, (_city("Torino", 1, (10121, 10156), spellings=("Turin",)),)),
        Region("BO", "Bologna", (), 8, (_city("Bologna", 1, (40121, 40141)),)),
        Region("FI", "Firenze", ("Florence",), 5, (
            _city("Firenze", 1, (50121, 50145), spellings=("Florence",)),
        )),
        Region("PD", "Padova",
        ("Padua",), 4, (_city("Padova", 1, (35121, 35143), spellings=("Padua",)),)),
        Region("NA", "Napoli", ("Naples",), 3, (
            _city("Napoli", 1, (80121, 80147), spellings=("Naples",)),
        )),
    ),
)

# Sweden, Norway, Denmark, Finland: regions are rarely filled in.
_SWEDEN = Country(
    "SE", 1.2,
    (("Sweden", 65), ("Sverige", 15), ("SE", 18), ("sweden", 2)),
    "nordics", "nordic",
    ((".se", 70), (".com", 30)),
    0.20, (0.20, 0.70, 0.10), PostalStyle.DIGITS, 5, 3, " ",
    (
        Region("AB", "Stockholms län", ("Stockholm County", "Stockholm"), 55, (
            _city("Stockholm", 1, (11120, 11864)),
        )),
        Region("O", "Västra Götalands län", ("Vastra Gotaland",), 20, (
            _city("Göteborg", 1, (41101, 41879), spellings=("Gothenburg", "Goteborg")),
        )),
        Region("M", "Skåne län", ("Skane", "Skåne"), 17, (
            _city("Malmö", 2, (21110, 21787), spellings=("Malmo",)),
            _city("Lund", 1, (22100, 22764)),
        )),
        Region("C", "Uppsala län", ("Uppsala",), 8, (_city("Uppsala", 1, (75220, 75758)),)),
    ),
)

_NORWAY = Country(
    "NO", 0.5,
    (("Norway", 65), ("Norge", 15), ("NO", 20)),
    "nordics", "nordic",
    ((".no", 75), (".com", 25)),
    0.20, (0.10, 0.85, 0.05), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("03", "Oslo", (), 55, (_city("Oslo", 1, (150, 1295)),)),
        Region("46", "Vestland", (), 18, (_city("Bergen", 1, (5003, 5099)),)),
        Region("11", "Rogaland", (), 15, (_city("Stavanger", 1, (4005, 4099)),)),
        Region("50", "Trøndelag", ("Trondelag",), 12, (_city("Trondheim", 1, (7010, 7099)),)),
    ),
)

_DENMARK = Country(
    "DK", 0.6,
    (("Denmark", 65), ("Danmark", 15), ("DK", 20)),
    "nordics", "nordic",
    ((".dk", 75), (".com", 25)),
    0.15, (0.10, 0.85, 0.05), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("DK-84", "Hovedstaden", ("Capital Region of Denmark", "Region Hovedstaden"), 60, (
            _city("København", 1, (1050, 2450), spellings=("Copenhagen", "Kobenhavn")),
        )),
        Region("DK-82", "Midtjylland", ("Central Denmark Region",), 25, (
            _city("Aarhus", 1, (8000, 8210), spellings=("Århus",)),
        )),
        Region("DK-83", "Syddanmark", ("Region of Southern Denmark",), 15, (
            _city("Odense", 1, (5000, 5270)),
        )),
    ),
)

_FINLAND = Country(
    "FI", 0.5,
    (("Finland", 70), ("Suomi", 10), ("FI", 20)),
    "nordics", "nordic",
    ((".fi", 75), (".com", 25)),
    0.20, (0.10, 0.80, 0.10), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("18", "Uusimaa", ("Nyland",), 65, (
            _city("Helsinki", 3, (100, 990), spellings=("Helsingfors",)),
            _city("Espoo", 1.5, (2100, 2980), spellings=("Esbo",)),
        )),
        Region("11", "Pirkanmaa", (), 15, (_city("Tampere", 1, (33100, 33900),
            spellings=("Tammerfors",)),)),
        Region("02", "Varsinais-Suomi", ("Southwest Finland",), 12, (
            _city("Turku", 1, (20100, 20960), spellings=("Åbo",)),
        )),
        Region("17", "Pohjois-Pohjanmaa",
        ("North Ostrobothnia",), 8, (_city("Oulu", 1, (90100, 90900)),)),
    ),
)

_IRELAND = Country(
    "IE", 1.1,
    (("Ireland", 70), ("IE", 15), ("Republic of Ireland", 8), ("Éire", 2), ("ireland", 3),
    ("IRL", 2)),
    "uk-ireland", "en",
    ((".ie", 65), (".com", 35)),
    0.40, (0.10, 0.60, 0.30), PostalStyle.EIRCODE, 0, 0, " ",
    (
        Region("D", "Dublin", ("Co. Dublin", "County Dublin"), 70, (
            _lettered("Dublin", 1, ("D", 1, 24)),
        )),
        Region("CO", "Cork", ("Co. Cork", "County Cork"), 15, (
            _lettered("Cork", 1, ("T", 12, 12), ("T", 23, 23)),
        )),
        Region("G", "Galway", ("Co. Galway",), 8, (_lettered("Galway", 1, ("H", 91, 91)),)),
        Region("L", "Limerick", ("Co. Limerick",), 7, (_lettered("Limerick", 1, ("V", 94, 94)),)),
    ),
)

_SWITZERLAND = Country(
    "CH", 1.2,
    (("Switzerland", 55), ("Schweiz", 12), ("Suisse", 8), ("CH", 22), ("Swiss Confederation", 1),
     ("switzerland", 2)),
    "dach", "de",
    ((".ch", 70), (".com", 30)),
    0.50, (0.55, 0.40, 0.05), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("ZH", "Zürich", ("Zurich", "Zuerich"), 35, (
            _city("Zürich", 1, (8001, 8099), spellings=("Zurich", "Zuerich")),
        )),
        Region("GE", "Genève", ("Geneva", "Genf", "Geneve"), 20, (
            _city("Genève", 1, (1201, 1299), spellings=("Geneva", "Geneve", "Genf")),
        )),
        Region("BS", "Basel-Stadt",
        ("Basel",), 12, (_city("Basel", 1, (4001, 4059), spellings=("Bâle",)),)),
        Region("VD", "Vaud", ("Waadt",), 12, (_city("Lausanne", 1, (1000, 1018)),)),
        Region("ZG", "Zug", (), 10, (_city("Zug", 1, (6300, 6304)),)),
        Region("BE", "Bern",
        ("Berne",), 8, (_city("Bern", 1, (3001, 3030), spellings=("Berne",)),)),
        Region("TI", "Ticino", ("Tessin",), 3, (_city("Lugano", 1, (6900, 6908)),)),
    ),
)

_AUSTRIA = Country(
    "AT", 0.6,
    (("Austria", 60), ("Österreich", 18), ("AT", 20), ("Oesterreich", 2)),
    "dach", "de",
    ((".at", 70), (".com", 30)),
    0.40, (0.20, 0.70, 0.10), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("9", "Wien",
        ("Vienna",), 55, (_city("Wien", 1, (1010, 1230), spellings=("Vienna",)),)),
        Region("6", "Steiermark", ("Styria",), 13, (_city("Graz", 1, (8010, 8055)),)),
        Region("4", "Oberösterreich", ("Upper Austria", "Oberoesterreich"), 14, (
            _city("Linz", 1, (4020, 4040)),
        )),
        Region("5", "Salzburg", (), 9, (_city("Salzburg", 1, (5020, 5071)),)),
        Region("7", "Tirol", ("Tyrol",), 9, (_city("Innsbruck", 1, (6020, 6080)),)),
    ),
)

_BELGIUM = Country(
    "BE", 0.8,
    (("Belgium", 60), ("Belgique", 12), ("België", 10), ("BE", 18)),
    "benelux-france", "fr",
    ((".be", 70), (".com", 30)),
    0.25, (0.20, 0.70, 0.10), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("BRU", "Brussels-Capital Region", ("Bruxelles-Capitale", "Brussels"), 40, (
            _city("Brussels", 1, (1000, 1210), spellings=("Bruxelles", "Brussel")),
        )),
        Region("VLG", "Vlaanderen", ("Flanders", "Flandre"), 45, (
            _city("Antwerpen", 3, (2000, 2660), spellings=("Antwerp", "Anvers")),
            _city("Gent", 2, (9000, 9052), spellings=("Ghent", "Gand")),
            _city("Leuven", 1, (3000, 3012), spellings=("Louvain",)),
        )),
        Region("WAL", "Wallonie", ("Wallonia",), 15, (
            _city("Liège", 1, (4000, 4032), spellings=("Liege", "Luik")),
            _city("Namur", 1, (5000, 5101)),
        )),
    ),
)

_SINGAPORE = Country(
    "SG", 1.0,
    (("Singapore", 85), ("SG", 13), ("Republic of Singapore", 2)),
    "apac", "en",
    ((".com.sg", 55), (".sg", 15), (".com", 30)),
    0.0, (0.0, 1.0, 0.0), PostalStyle.DIGITS, 6, 0, "",
    (Region("SG", "Singapore", (), 1, (_city("Singapore", 1, (18000, 829999)),)),),
)

_MEXICO = Country(
    "MX", 1.0,
    (("Mexico", 60), ("México", 25), ("MX", 13), ("MEX", 2)),
    "latam", "es",
    ((".com.mx", 65), (".mx", 10), (".com", 25)),
    0.85, (0.30, 0.55, 0.15), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("CMX", "Ciudad de México", ("CDMX", "Mexico City", "D.F.", "Distrito Federal"), 50, (
            _city("Ciudad de México", 1, (1000, 16999), spellings=("Mexico City", "CDMX")),
        )),
        Region("JAL", "Jalisco", ("Jal.",), 18, (
            _city("Guadalajara", 3, (44100, 44990)), _city("Zapopan", 1, (45010, 45239)),
        )),
        Region("NLE", "Nuevo León", ("Nuevo Leon", "N.L."), 18, (
            _city("Monterrey", 3, (64000, 64990)),
            _city("San Pedro Garza García", 1, (66200, 66290),
                spellings=("San Pedro Garza Garcia",)),
        )),
        Region("QUE", "Querétaro", ("Queretaro", "Qro."), 7, (
            _city("Querétaro", 1, (76000, 76250), spellings=("Queretaro", "Santiago de Querétaro")),
        )),
        Region("MEX", "Estado de México", ("Edo. Méx.", "State of Mexico"), 7, (
            _city("Naucalpan", 1, (53000, 53970)),
        )),
    ),
)

_NEW_ZEALAND = Country(
    "NZ", 0.4,
    (("New Zealand", 75), ("NZ", 23), ("Aotearoa", 2)),
    "apac", "en",
    ((".co.nz", 75), (".nz", 5), (".com", 20)),
    0.40, (0.20, 0.75, 0.05), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("AUK", "Auckland", (), 60, (_city("Auckland", 1, (1010, 1072)),)),
        Region("WGN", "Wellington", (), 25, (_city("Wellington", 1, (6011, 6037)),)),
        Region("CAN", "Canterbury", (), 15, (_city("Christchurch", 1, (8011, 8083)),)),
    ),
)

_SOUTH_KOREA = Country(
    "KR", 0.4,
    (("South Korea", 45), ("Korea, Republic of", 20), ("Republic of Korea", 10), ("KR", 15),
     ("Korea", 10)),
    "apac", "en",
    ((".co.kr", 60), (".kr", 10), (".com", 30)),
    0.50, (0.10, 0.60, 0.30), PostalStyle.DIGITS, 5, 0, "",
    (
        Region("KR-11", "Seoul", ("서울특별시", "Seoul-si"), 70, (
            _city("Seoul", 1, (1000, 8899), spellings=("서울",)),
        )),
        Region("KR-41", "Gyeonggi-do", ("경기도", "Gyeonggi"), 20, (
            _city("Seongnam", 1, (13100, 13650), spellings=("Pangyo",)),
        )),
        Region("KR-26", "Busan", ("부산광역시",), 10, (_city("Busan", 1, (46000, 49527)),)),
    ),
)

_PORTUGAL = Country(
    "PT", 0.4,
    (("Portugal", 85), ("PT", 15)),
    "southern-europe", "pt",
    ((".pt", 70), (".com", 30)),
    0.30, (0.10, 0.85, 0.05), PostalStyle.DIGITS, 7, 4, "-",
    (
        Region("11", "Lisboa", ("Lisbon",), 65, (
            _city("Lisboa", 1, (1000001, 1998999), spellings=("Lisbon",)),
        )),
        Region("13", "Porto", ("Oporto",), 35, (
            _city("Porto", 1, (4000001, 4369999), spellings=("Oporto",)),
        )),
    ),
)

_ARGENTINA = Country(
    "AR", 0.3,
    (("Argentina", 85), ("AR", 15)),
    "latam", "es",
    ((".com.ar", 80), (".com", 20)),
    0.70, (0.15, 0.70, 0.15), PostalStyle.DIGITS, 4, 0, "",
    (
        Region("C", "Ciudad Autónoma de Buenos Aires", ("CABA", "Capital Federal"), 70, (
            _city("Buenos Aires", 1, (1000, 1499)),
        )),
        Region("X", "Córdoba", ("Cordoba",), 15, (
            _city("Córdoba", 1, (5000, 5017), spellings=("Cordoba",)),
        )),
        Region("S", "Santa Fe", (), 15, (_city("Rosario", 1, (2000, 2013)),)),
    ),
)

_CHILE = Country(
    "CL", 0.2,
    (("Chile", 85), ("CL", 15)),
    "latam", "es",
    ((".cl", 80), (".com", 20)),
    0.60, (0.20, 0.60, 0.20), PostalStyle.DIGITS, 7, 0, "",
    (
        Region("RM", "Región Metropolitana de Santiago", ("Metropolitana", "Santiago"), 80, (
            _city("Santiago", 1, (7500000, 8700000)),
        )),
        Region("VS", "Valparaíso", ("Valparaiso",), 20, (
            _city("Valparaíso", 1, (2340000, 2390000), spellings=("Valparaiso",)),
        )),
    ),
)

# fmt: on

COUNTRIES: tuple[Country, ...] = (
    _US,
    _CANADA,
    _UK,
    _GERMANY,
    _FRANCE,
    _NETHERLANDS,
    _AUSTRALIA,
    _JAPAN,
    _BRAZIL,
    _INDIA,
    _SPAIN,
    _ITALY,
    _SWEDEN,
    _IRELAND,
    _SWITZERLAND,
    _SINGAPORE,
    _MEXICO,
    _BELGIUM,
    _DENMARK,
    _NORWAY,
    _FINLAND,
    _AUSTRIA,
    _NEW_ZEALAND,
    _SOUTH_KOREA,
    _PORTUGAL,
    _ARGENTINA,
    _CHILE,
)
"""Every country in the book, weights in percent of accounts (they add up to 100)."""

COUNTRY_BY_ISO2: dict[str, Country] = {c.iso2: c for c in COUNTRIES}


def team_of(country: Country, region: Region) -> str:
    """The sales team that covers a place."""
    return region.team or country.team


def team_shares() -> dict[str, float]:
    """Expected share of the book per team (0..1), from the country and region weights."""
    shares: dict[str, float] = {}
    total = sum(c.weight for c in COUNTRIES)
    for country in COUNTRIES:
        region_total = sum(r.weight for r in country.regions)
        for region in country.regions:
            share = country.weight / total * region.weight / region_total
            team = team_of(country, region)
            shares[team] = shares.get(team, 0.0) + share
    return shares
