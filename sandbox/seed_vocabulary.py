"""The words seeded records are made of: industries in each CRM's vocabulary, company-name parts by
language, legal forms by country, account types and lifecycle stages, and rep names.

Each CRM keeps its own vocabulary, and the seed must too, because mapping them is the product's
job: Salesforce's standard Account `Industry` picklist has 32 broad values and HubSpot's company
`industry` property about 150 LinkedIn-style internal values. A `Sector` ties one Salesforce value
to the HubSpot values that mean the same business, so a business in both CRMs gets consistent
industries, and carries the words its company names use and a typical revenue per employee.

Sources:
- Salesforce Account `Industry` and `Type` picklists: the standard value sets "Industry" and
  "AccountType" every new org ships with,
  https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/standardvalueset_names.htm
- HubSpot company `industry` and `lifecyclestage` internal values: HubSpot's default company
  properties, https://knowledge.hubspot.com/properties/hubspot-crm-default-company-properties
"""

from __future__ import annotations

from dataclasses import dataclass

# ----------------------------------------------------------------------------------------------
# Industries
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sector:
    salesforce: str
    """A value of Salesforce's standard Account Industry picklist."""
    hubspot: tuple[tuple[str, float], ...]
    """HubSpot `industry` internal values for the same businesses, weighted."""
    weight: float
    revenue_per_employee: int
    """Typical annual revenue per employee, in whole currency units."""
    kind: str
    """Coarse family, used to pick words for names in languages other than English."""
    words: tuple[str, ...]
    """English words company names in this sector end with ("Analytics", "Freight")."""


# fmt: off
SECTORS: tuple[Sector, ...] = (
    Sector("Technology", (("COMPUTER_SOFTWARE", 45), ("INFORMATION_TECHNOLOGY_AND_SERVICES", 35),
           ("INTERNET", 10), ("COMPUTER_NETWORK_SECURITY", 6), ("COMPUTER_HARDWARE", 4)),
           18, 260_000, "tech",
           ("Software", "Systems", "Technologies", "Labs", "Analytics", "Data", "Digital", "Cloud",
            "Networks", "Security", "AI", "Tech", "Logic", "Platforms", "IT Solutions")),
    Sector("Finance", (("FINANCIAL_SERVICES", 55), ("INVESTMENT_MANAGEMENT", 20),
           ("VENTURE_CAPITAL_PRIVATE_EQUITY", 10), ("CAPITAL_MARKETS", 7), ("ACCOUNTING", 8)),
           6, 420_000, "finance",
           ("Capital", "Partners", "Financial", "Advisors", "Asset Management", "Investments",
            "Wealth", "Holdings", "Finance")),
    Sector("Banking", (("BANKING", 85), ("INVESTMENT_BANKING", 15)),
           2, 380_000, "finance",
           ("Bank", "Bancorp", "Savings Bank", "Credit Union", "Trust", "Bancshares")),
    Sector("Insurance", (("INSURANCE", 1),),
           3, 450_000, "finance",
           ("Insurance", "Assurance", "Mutual", "Underwriters", "Insurance Group")),
    Sector("Healthcare", (("HOSPITAL_HEALTH_CARE", 55), ("MEDICAL_PRACTICE", 15),
           ("MEDICAL_DEVICES", 15), ("HEALTH_WELLNESS_AND_FITNESS", 8), ("MENTAL_HEALTH_CARE", 7)),
           7, 150_000, "health",
           ("Health", "Medical", "Care", "Clinic", "Diagnostics", "Health Partners", "Dental",
            "Medical Group")),
    Sector("Biotechnology", (("BIOTECHNOLOGY", 55), ("PHARMACEUTICALS", 35), ("RESEARCH", 10)),
           2, 420_000, "health",
           ("Bio", "Therapeutics", "Biosciences", "Pharma", "Genomics", "Life Sciences")),
    Sector("Manufacturing", (("MACHINERY", 25), ("MECHANICAL_OR_INDUSTRIAL_ENGINEERING", 25),
           ("INDUSTRIAL_AUTOMATION", 15), ("ELECTRICAL_ELECTRONIC_MANUFACTURING", 15),
           ("PLASTICS", 8), ("PACKAGING_AND_CONTAINERS", 7), ("AUTOMOTIVE", 5)),
           10, 300_000, "industry",
           ("Manufacturing", "Industries", "Fabrication", "Components", "Precision", "Tooling",
            "Works", "Products", "Industrial")),
    Sector("Machinery", (("MACHINERY", 70), ("INDUSTRIAL_AUTOMATION", 30)),
           2, 280_000, "industry",
           ("Machinery", "Equipment", "Machine Works", "Hydraulics", "Automation")),
    Sector("Electronics", (("ELECTRICAL_ELECTRONIC_MANUFACTURING", 50), ("SEMICONDUCTORS", 30),
           ("CONSUMER_ELECTRONICS", 20)),
           2, 350_000, "industry",
           ("Electronics", "Semiconductor", "Circuits", "Devices", "Instruments", "Photonics")),
    Sector("Retail", (("RETAIL", 70), ("SUPERMARKETS", 10), ("SPORTING_GOODS", 10),
           ("LUXURY_GOODS_JEWELRY", 10)),
           6, 210_000, "trade",
           ("Stores", "Outfitters", "Supply", "Market", "Goods", "Retail", "Trading Co.")),
    Sector("Consulting", (("MANAGEMENT_CONSULTING", 55), ("PROFESSIONAL_TRAINING_COACHING", 10),
           ("HUMAN_RESOURCES", 10), ("STAFFING_AND_RECRUITING", 15), ("MARKET_RESEARCH", 10)),
           7, 180_000, "services",
           ("Consulting", "Advisory", "Partners", "Associates", "Group", "Strategies",
            "Solutions")),
    Sector("Education", (("EDUCATION_MANAGEMENT", 40), ("HIGHER_EDUCATION", 25), ("E_LEARNING", 25),
           ("PRIMARY_SECONDARY_EDUCATION", 10)),
           3, 100_000, "public",
           ("Learning", "Academy", "Education", "Institute", "Training", "School")),
    Sector("Telecommunications", (("TELECOMMUNICATIONS", 80), ("WIRELESS", 20)),
           2, 450_000, "tech",
           ("Telecom", "Communications", "Wireless", "Networks", "Fiber", "Connect")),
    Sector("Communications", (("PUBLIC_RELATIONS_AND_COMMUNICATIONS", 60),
           ("TELECOMMUNICATIONS", 40)),
           1, 200_000, "media",
           ("Communications", "Comms", "PR", "Media Group")),
    Sector("Media", (("MARKETING_AND_ADVERTISING", 40), ("MEDIA_PRODUCTION", 20),
           ("ONLINE_MEDIA", 15), ("PUBLISHING", 15), ("BROADCAST_MEDIA", 10)),
           3, 250_000, "media",
           ("Media", "Studios", "Publishing", "Creative", "Productions", "Marketing")),
    Sector("Entertainment", (("ENTERTAINMENT", 45), ("COMPUTER_GAMES", 30), ("MUSIC", 10),
           ("MOTION_PICTURES_AND_FILM", 15)),
           1.5, 300_000, "media",
           ("Entertainment", "Games", "Studios", "Pictures", "Interactive")),
    Sector("Transportation", (("TRANSPORTATION_TRUCKING_RAILROAD", 35),
           ("LOGISTICS_AND_SUPPLY_CHAIN", 45), ("AIRLINES_AVIATION", 8),
           ("PACKAGE_FREIGHT_DELIVERY", 12)),
           4, 200_000, "logistics",
           ("Logistics", "Freight", "Transport", "Trucking", "Express", "Lines", "Carriers")),
    Sector("Shipping", (("MARITIME", 35), ("PACKAGE_FREIGHT_DELIVERY", 25), ("WAREHOUSING", 20),
           ("LOGISTICS_AND_SUPPLY_CHAIN", 20)),
           1.5, 250_000, "logistics",
           ("Shipping", "Maritime", "Marine", "Cargo", "Forwarding")),
    Sector("Construction", (("CONSTRUCTION", 65), ("BUILDING_MATERIALS", 15),
           ("CIVIL_ENGINEERING", 10), ("ARCHITECTURE_PLANNING", 10)),
           5, 250_000, "construction",
           ("Construction", "Builders", "Contracting", "Building", "Development", "Homes")),
    Sector("Engineering", (("CIVIL_ENGINEERING", 35), ("MECHANICAL_OR_INDUSTRIAL_ENGINEERING", 35),
           ("AVIATION_AEROSPACE", 20), ("DEFENSE_SPACE", 10)),
           3, 220_000, "construction",
           ("Engineering", "Engineers", "Technical Services", "Design", "Aerospace")),
    Sector("Energy", (("OIL_ENERGY", 65), ("RENEWABLES_ENVIRONMENT", 35)),
           2, 900_000, "energy",
           ("Energy", "Power", "Solar", "Petroleum", "Resources", "Renewables")),
    Sector("Utilities", (("UTILITIES", 1),),
           1, 700_000, "energy",
           ("Utilities", "Water", "Power & Light", "Electric", "Gas")),
    Sector("Chemicals", (("CHEMICALS", 80), ("PLASTICS", 20)),
           1, 600_000, "industry",
           ("Chemicals", "Chemical", "Polymers", "Coatings", "Materials")),
    Sector("Food & Beverage", (("FOOD_BEVERAGES", 45), ("FOOD_PRODUCTION", 30),
           ("WINE_AND_SPIRITS", 10), ("RESTAURANTS", 10), ("DAIRY", 5)),
           3, 250_000, "food",
           ("Foods", "Brewing", "Beverages", "Kitchen", "Provisions", "Bakery")),
    Sector("Agriculture", (("FARMING", 70), ("RANCHING", 10), ("DAIRY", 10), ("FISHERY", 10)),
           1, 300_000, "food",
           ("Farms", "Agri", "Growers", "Harvest", "Seeds", "Ag")),
    Sector("Hospitality", (("HOSPITALITY", 60), ("LEISURE_TRAVEL_TOURISM", 25),
           ("RESTAURANTS", 15)),
           2, 80_000, "services",
           ("Hotels", "Hospitality", "Resorts", "Travel", "Inns")),
    Sector("Recreation", (("RECREATIONAL_FACILITIES_AND_SERVICES", 50), ("SPORTS", 30),
           ("LEISURE_TRAVEL_TOURISM", 20)),
           0.7, 90_000, "services",
           ("Recreation", "Sports", "Outdoors", "Fitness", "Adventures")),
    Sector("Apparel", (("APPAREL_FASHION", 75), ("TEXTILES", 25)),
           1, 250_000, "trade",
           ("Apparel", "Clothing", "Textiles", "Fashion", "Wear")),
    Sector("Government", (("GOVERNMENT_ADMINISTRATION", 70), ("PUBLIC_SAFETY", 20),
           ("MILITARY", 10)),
           0.8, 150_000, "public",
           ("Authority", "Agency", "Council", "Commission")),
    Sector("Not For Profit", (("NON_PROFIT_ORGANIZATION_MANAGEMENT", 60), ("PHILANTHROPY", 15),
           ("CIVIC_SOCIAL_ORGANIZATION", 15), ("RELIGIOUS_INSTITUTIONS", 10)),
           1, 80_000, "public",
           ("Foundation", "Society", "Alliance", "Fund", "Association")),
    Sector("Environmental", (("ENVIRONMENTAL_SERVICES", 70), ("RENEWABLES_ENVIRONMENT", 30)),
           0.8, 200_000, "energy",
           ("Environmental", "Recycling", "Waste Solutions", "Water Technologies")),
    Sector("Other", (("REAL_ESTATE", 25), ("LEGAL_SERVICES", 15), ("LAW_PRACTICE", 15),
           ("WHOLESALE", 20), ("IMPORT_AND_EXPORT", 10), ("COMMERCIAL_REAL_ESTATE", 15)),
           4, 250_000, "trade",
           ("Holdings", "Group", "Enterprises", "Realty", "Trading", "Properties")),
)
# fmt: on
"""Every Salesforce standard Industry value, with its HubSpot equivalents and name words."""

# ----------------------------------------------------------------------------------------------
# Account type (Salesforce `Type`) and lifecycle stage (HubSpot `lifecyclestage`)
# ----------------------------------------------------------------------------------------------

SALESFORCE_PROSPECT = "Prospect"
SALESFORCE_CUSTOMER_TYPES: tuple[tuple[str, float], ...] = (
    ("Customer - Direct", 75),
    ("Customer - Channel", 25),
)
SALESFORCE_PARTNER_TYPES: tuple[tuple[str, float], ...] = (
    ("Channel Partner / Reseller", 60),
    ("Technology Partner", 25),
    ("Installation Partner", 15),
)
SALESFORCE_OTHER = "Other"

HUBSPOT_PROSPECT_STAGES: tuple[tuple[str, float], ...] = (
    ("lead", 38),
    ("marketingqualifiedlead", 16),
    ("salesqualifiedlead", 12),
    ("opportunity", 12),
    ("subscriber", 10),
    ("other", 2),
)
HUBSPOT_CUSTOMER_STAGES: tuple[tuple[str, float], ...] = (("customer", 88), ("evangelist", 12))
HUBSPOT_OTHER = "other"

# ----------------------------------------------------------------------------------------------
# Legal forms
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegalForm:
    spellings: tuple[str, ...]
    """How people write it; the first is the usual one and is written most often."""
    comma: bool = False
    """Whether "Name, Inc." is common (a comma before the form)."""
    before: bool = False
    """Written before the name (株式会社サクラ)."""


_INC = LegalForm(("Inc.", "Inc", "INC", "Incorporated"), comma=True)
_LLC = LegalForm(("LLC", "L.L.C.", "llc"), comma=True)
_CORP = LegalForm(("Corp.", "Corporation", "Corp"), comma=True)
_CO = LegalForm(("Co.", "Company"), comma=True)
_LTD = LegalForm(("Ltd", "Ltd.", "Limited", "LTD"), comma=True)
_PLC = LegalForm(("plc", "PLC", "Plc"))
_LLP = LegalForm(("LLP",), comma=True)
_PTY = LegalForm(("Pty Ltd", "Pty. Ltd.", "PTY LTD", "Pty Limited"))
_PTE = LegalForm(("Pte. Ltd.", "Pte Ltd", "PTE LTD", "Private Limited"))
_PVT = LegalForm(("Pvt. Ltd.", "Pvt Ltd", "Private Limited", "PVT LTD"))
_GMBH = LegalForm(("GmbH", "Gmbh", "GMBH"))
_AG = LegalForm(("AG",))
_GMBH_KG = LegalForm(("GmbH & Co. KG", "GmbH & Co KG"))
_SE = LegalForm(("SE",))
_SA = LegalForm(("SA", "S.A."))
_SAS = LegalForm(("SAS", "S.A.S.", "SAS."))
_SARL = LegalForm(("SARL", "S.A.R.L.", "Sàrl"))
_BV = LegalForm(("B.V.", "BV", "b.v."))
_NV = LegalForm(("N.V.", "NV"))
_SL = LegalForm(("S.L.", "SL", "S.L.U."))
_SPA = LegalForm(("S.p.A.", "SpA", "S.P.A."))
_SRL = LegalForm(("S.r.l.", "Srl", "S.R.L."))
_LDA = LegalForm(("Lda.", "Lda"))
_LTDA = LegalForm(("Ltda.", "Ltda", "LTDA"))
_SA_CV = LegalForm(("S.A. de C.V.", "SA de CV", "S.A. de C.V"))
_AB = LegalForm(("AB", "AB (publ)"))
_AS = LegalForm(("AS",))
_ASA = LegalForm(("ASA",))
_A_S = LegalForm(("A/S",))
_APS = LegalForm(("ApS",))
_OY = LegalForm(("Oy", "OY"))
_OYJ = LegalForm(("Oyj",))
_KK = LegalForm(("K.K.", "KK"))
_CO_LTD = LegalForm(("Co., Ltd.", "Co. Ltd.", "Co.,Ltd."))
_KABUSHIKI_BEFORE = LegalForm(("株式会社",), before=True)
_KABUSHIKI_AFTER = LegalForm(("株式会社",))

# fmt: off
LEGAL_FORMS: dict[str, tuple[tuple[LegalForm | None, float], ...]] = {
    "US": ((_INC, 38), (_LLC, 20), (_CORP, 8), (_CO, 3), (None, 31)),
    "CA": ((_INC, 40), (_LTD, 15), (_CORP, 10), (None, 35)),
    "GB": ((_LTD, 55), (_PLC, 5), (_LLP, 5), (None, 35)),
    "IE": ((_LTD, 55), (LegalForm(("DAC",)), 5), (None, 40)),
    "AU": ((_PTY, 55), (_LTD, 10), (None, 35)),
    "NZ": ((_LTD, 60), (None, 40)),
    "SG": ((_PTE, 65), (None, 35)),
    "IN": ((_PVT, 55), (_LTD, 15), (_LLP, 5), (None, 25)),
    "DE": ((_GMBH, 55), (_AG, 10), (_GMBH_KG, 12), (_SE, 2), (None, 21)),
    "AT": ((_GMBH, 60), (_AG, 10), (None, 30)),
    "CH": ((_AG, 45), (_GMBH, 25), (_SA, 10), (_SARL, 5), (None, 15)),
    "FR": ((_SAS, 40), (_SA, 20), (_SARL, 15), (None, 25)),
    "BE": ((_SA, 25), (_NV, 20), (_BV, 20), (LegalForm(("SRL",)), 10), (None, 25)),
    "NL": ((_BV, 70), (_NV, 5), (None, 25)),
    "ES": ((_SL, 55), (_SA, 20), (None, 25)),
    "IT": ((_SRL, 50), (_SPA, 25), (None, 25)),
    "PT": ((_LDA, 50), (_SA, 20), (None, 30)),
    "BR": ((_LTDA, 55), (LegalForm(("S.A.", "S/A", "SA")), 20), (None, 25)),
    "MX": ((_SA_CV, 60), (LegalForm(("S. de R.L. de C.V.",)), 10), (None, 30)),
    "AR": ((_SA, 45), (_SRL, 25), (None, 30)),
    "CL": ((LegalForm(("SpA", "S.p.A.")), 40), (_SA, 20), (_LTDA, 15), (None, 25)),
    "SE": ((_AB, 80), (None, 20)),
    "NO": ((_AS, 70), (_ASA, 10), (None, 20)),
    "DK": ((_A_S, 55), (_APS, 25), (None, 20)),
    "FI": ((_OY, 70), (_OYJ, 10), (None, 20)),
    "JP": ((_KK, 20), (_CO_LTD, 25), (_INC, 15), (None, 40)),
    "KR": ((_CO_LTD, 50), (_CORP, 15), (_INC, 10), (None, 25)),
}
# fmt: on
"""Legal forms by country (ISO 3166-1 alpha-2), weighted; None is a name without one."""

JAPANESE_LEGAL_FORMS: tuple[tuple[LegalForm, float], ...] = (
    (_KABUSHIKI_BEFORE, 60),
    (_KABUSHIKI_AFTER, 40),
)
"""Japanese-language names carry 株式会社 before or after the name."""

# ----------------------------------------------------------------------------------------------
# Company-name parts
# ----------------------------------------------------------------------------------------------

# fmt: off
COINED_STARTS: tuple[str, ...] = (
    "Ac", "Al", "Am", "Ar", "Av", "Bel", "Bri", "Bry", "Cal", "Cel", "Cor", "Cy", "Da", "Del",
    "Dyn", "El", "Ev", "Ex", "Fen", "Flo", "Gal", "Gen", "Hal", "Hy", "In", "Ion", "Jun", "Kai",
    "Ken", "Lex", "Lum", "Mar", "Mo", "Nav", "Neo", "Nex", "No", "Ob", "Om", "Or", "Pal", "Per",
    "Pri", "Quan", "Ral", "Rev", "Sen", "Sky", "Sol", "Syn", "Tal", "Tor", "Tri", "Ul", "Uni",
    "Val", "Vel", "Ver", "Vi", "Wex", "Xa", "Zen", "Zy", "Ori", "Ab", "Aer", "Ae", "Bo", "Cir",
    "Cla", "Cre", "Dex", "Dri", "Ea", "Ef", "Fa", "Fi", "Gra", "Ha", "Ig", "Iso", "Ja", "Jo",
    "Ka", "Kor", "La", "Lu", "Mi", "Na", "Nu", "Opt", "Pa", "Pro", "Qua", "Ri", "Sa", "Sta", "Te",
    "Tru", "Ve", "Vo", "Wa", "Ya", "Zo", "Axi", "Bri", "Cog",
)
COINED_MIDDLES: tuple[str, ...] = (
    "", "", "", "a", "e", "i", "o", "ra", "ri", "ro", "ta", "te", "ti", "va", "ve", "vi", "na",
    "ne", "ni", "la", "le", "li", "ca", "co",
)
COINED_ENDS: tuple[str, ...] = (
    "x", "tix", "trix", "ra", "ria", "via", "nix", "lytics", "io", "ity", "on", "ex", "ly",
    "sys", "ware", "tek", "co", "ia", "is", "us", "ent", "era", "ova", "ium", "ara", "ion",
    "ify", "ops", "ai", "lab", "gen", "metrics", "path", "sense", "wise", "point", "stack",
    "hub", "loop", "nova", "ora", "yx",
)

BRAND_WORDS: tuple[str, ...] = (
    "Blue", "Red", "Green", "Silver", "Golden", "Iron", "Granite", "Summit", "Pacific", "Atlantic",
    "Northern", "Southern", "Eastern", "Western", "North", "Harbor", "River", "Lake", "Bay", "Pine",
    "Oak", "Cedar", "Maple", "Aspen", "Willow", "Stone", "Bright", "Clear", "True", "First",
    "Prime", "Apex", "Pinnacle", "Keystone", "Cornerstone", "Liberty", "Eagle", "Falcon", "Hawk",
    "Fox", "Wolf", "Bear", "Lion", "Beacon", "Lighthouse", "Anchor", "Compass", "Horizon",
    "Meridian", "Vertex", "Quantum", "Fusion", "Nova", "Orbit", "Polar", "Crystal", "Sterling",
    "Cobalt", "Onyx", "Ember", "Sun", "Star", "Sky", "Cloud", "Frost", "Ridge", "Valley",
    "Canyon", "Mesa", "Prairie", "Meadow", "Highland", "Coastal", "Evergreen", "Redwood",
    "Sequoia", "Crescent", "Union", "Patriot", "Heritage", "Pioneer", "Frontier", "Vanguard",
    "Sentinel", "Guardian", "Legacy", "Crown", "Royal", "Empire", "Capitol", "Metro", "Urban",
    "Global", "United", "Allied", "Premier", "Elite", "Vista", "Zenith", "Echo", "Signal", "Arrow",
    "Bridge", "Gateway", "Tide", "Wave", "Current", "Blueprint", "Catalyst", "Momentum", "Spark",
    "Ignite", "Elevate", "Ascend", "Brightline", "Clearwater", "Stonebridge", "Riverbend",
    "Fairview", "Westfield", "Oakridge", "Lakeshore", "Hillcrest", "Brookside", "Kingsley",
    "Harborview", "Silverline", "Northstar", "Bluebird", "Copper", "Birch", "Juniper", "Sage",
    "Atlas", "Titan", "Orion", "Phoenix", "Falcon Ridge", "Trident", "Helix", "Vector", "Pulse",
)

SURNAMES_EN: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell",
    "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox",
    "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders",
    "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry", "Russell", "Sullivan",
    "Fisher", "Hayes", "Ford", "Graham", "Wallace", "Hamilton", "Marshall", "Owens", "Harrison",
    "Gibson", "Ellis", "Stevens", "Tucker", "Porter", "Hunter", "Hicks", "Crawford", "Henry",
    "Boyd", "Mason", "Kennedy", "Warren", "Dixon", "Burns", "Gordon", "Shaw", "Holmes", "Rice",
    "Hunt", "Black", "Palmer", "Mills", "Grant", "Knight", "Ferguson", "Stone", "Hawkins",
    "Dunn", "Hudson", "Spencer", "Gardner", "Payne", "Pierce", "Berry", "Matthews", "Arnold",
    "Wagner", "Willis", "Ray", "Watkins", "Olson", "Carroll", "Duncan", "Snyder", "Hart",
    "Cunningham", "Bradley", "Lane", "Andrews", "Harper", "Fox", "Riley", "Armstrong", "Carpenter",
    "Weaver", "Greene", "Lawrence", "Elliott", "Chavez", "Sims", "Austin", "Fuller", "Whitfield",
    "Lowe", "Barnes", "Hale", "Sutton", "Keller", "Burke", "Walsh", "Doyle", "McCarthy",
    "O'Brien", "O'Connor", "MacLeod", "Fraser",
)

SURNAMES_IN: tuple[str, ...] = (
    "Sharma", "Patel", "Reddy", "Iyer", "Nair", "Gupta", "Agarwal", "Mehta", "Shah", "Kumar",
    "Singh", "Rao", "Menon", "Joshi", "Desai", "Kapoor", "Malhotra", "Chopra", "Bhatia", "Banerjee",
    "Chatterjee", "Mukherjee", "Pillai", "Naidu", "Kulkarni", "Verma", "Saxena", "Bose", "Jain",
    "Krishnan", "Srinivasan", "Venkatesh", "Goyal", "Bansal", "Mittal", "Chauhan", "Thakur",
)
INDIAN_WORDS: tuple[str, ...] = (
    "Infotech", "Technologies", "Industries", "Enterprises", "Exports", "Pharma", "Infra",
    "Solutions", "Consultancy Services", "Systems", "Softech", "Infosystems", "Engineering",
    "Textiles", "Logistics", "Finserv", "Healthcare", "Chemicals",
)
# fmt: on

UNICODE_FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ø": "o",
     "Ø": "O", "æ": "ae", "Æ": "Ae", "å": "a", "Å": "A", "ł": "l", "đ": "d"}
)  # fmt: skip
"""German-style folding used for domains (Müller -> mueller, Sørensen -> sorensen)."""


@dataclass(frozen=True, slots=True)
class LocalVocabulary:
    """Name parts for businesses named in a language other than English."""

    surnames: tuple[str, ...]
    nouns: dict[str, tuple[str, ...]]
    """Business nouns by `Sector.kind` ("Maschinenbau", "Logistique")."""
    places: tuple[str, ...]
    """Place-like words that open names ("Rhein", "Nordic", "Ibérica")."""
    patterns: tuple[tuple[str, float], ...]
    """Name templates with {surname}, {surname2}, {noun}, {place}, {city}; weighted."""
    share: float
    """Share of the country's businesses named in this language (the rest have English names)."""


# fmt: off
LOCAL_VOCABULARIES: dict[str, LocalVocabulary] = {
    "de": LocalVocabulary(
        surnames=(
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
            "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
            "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
            "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Lang",
            "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
            "Günther", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Albrecht",
            "Schuster", "Böhm", "Winter", "Kraus", "Schumacher", "Krämer", "Vogt", "Stein",
            "Jäger", "Sommer", "Groß", "Seidel", "Brandt", "Haas", "Graf", "Dietrich", "Ziegler",
            "Kühn", "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Pfeiffer", "Wüst", "Gärtner",
        ),
        nouns={
            "tech": ("Software", "Datentechnik", "Informatik", "Systemhaus", "IT-Service"),
            "finance": ("Finanz", "Vermögensverwaltung", "Kapital", "Treuhand"),
            "health": ("Medizintechnik", "Pharma", "Gesundheit", "Labortechnik"),
            "industry": ("Maschinenbau", "Anlagenbau", "Werkzeugbau", "Elektrotechnik",
                         "Kunststofftechnik", "Feinmechanik", "Stahlbau", "Antriebstechnik"),
            "trade": ("Handel", "Vertrieb", "Großhandel", "Handelsgesellschaft"),
            "services": ("Beratung", "Consulting", "Dienstleistungen", "Personalservice"),
            "logistics": ("Logistik", "Spedition", "Transporte", "Umzüge"),
            "construction": ("Bau", "Bauunternehmung", "Ingenieurbau", "Haustechnik"),
            "energy": ("Energie", "Solartechnik", "Stadtwerke", "Umwelttechnik"),
            "food": ("Brauerei", "Lebensmittel", "Feinkost", "Backwaren", "Molkerei"),
            "media": ("Medien", "Verlag", "Druckerei", "Werbeagentur"),
            "public": ("Akademie", "Stiftung", "Bildungswerk", "Verband"),
        },
        places=("Rhein", "Nord", "Süd", "Alpen", "Elbe", "Main", "Isar", "Spree", "Hansa",
                "Bavaria", "Schwaben", "Ruhr", "Weser", "Donau", "Taunus", "Harz"),
        patterns=(("{surname} {noun}", 40), ("{surname} & {surname2}", 12),
                  ("{surname} & Söhne", 4), ("{surname}", 10), ("{place} {noun}", 24),
                  ("{place}-{noun}", 10)),
        share=0.55,
    ),
    "fr": LocalVocabulary(
        surnames=(
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
            "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
            "Dupont", "Lambert", "Bonnet", "François", "Légaré", "Bérard", "Gauthier", "Chevalier",
            "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin",
            "Mathieu", "Clément", "Dumont", "Fontaine", "Châtelain", "Brunet", "Lemaire",
            "Rivière", "Noël", "Hébert", "Desjardins", "Bélanger", "Côté", "Lévesque",
        ),
        nouns={
            "tech": ("Informatique", "Logiciels", "Systèmes", "Numérique"),
            "finance": ("Financière", "Gestion", "Patrimoine", "Crédit"),
            "health": ("Médical", "Pharmacie", "Santé", "Laboratoires"),
            "industry": ("Industrie", "Mécanique", "Électricité", "Métallurgie", "Équipements"),
            "trade": ("Distribution", "Négoce", "Commerce", "Import-Export"),
            "services": ("Conseil", "Services", "Ingénierie Conseil", "Expertise"),
            "logistics": ("Logistique", "Transports", "Messagerie", "Fret"),
            "construction": ("Bâtiment", "Travaux Publics", "Construction", "Ingénierie"),
            "energy": ("Énergie", "Environnement", "Énergies Renouvelables"),
            "food": ("Alimentaire", "Boulangerie", "Vins", "Fromagerie"),
            "media": ("Éditions", "Communication", "Médias", "Publicité"),
            "public": ("Formation", "Association", "Fondation", "Institut"),
        },
        places=("Parisienne", "Lyonnaise", "Méridionale", "Atlantique", "Nationale",
                "Européenne", "Française", "Normande", "Bretonne", "Alpine", "Générale",
                "Centrale"),
        patterns=(("Société {place} de {noun}", 14), ("Groupe {surname}", 16),
                  ("{surname} {noun}", 30), ("Établissements {surname}", 8),
                  ("{surname} & Fils", 6), ("{noun} {place}", 16), ("{surname} {surname2}", 10)),
        share=0.55,
    ),
    "nl": LocalVocabulary(
        surnames=(
            "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
            "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
            "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
            "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen",
        ),
        nouns={
            "tech": ("Software", "ICT", "Automatisering", "Data"),
            "finance": ("Financiële Diensten", "Beheer", "Vermogensbeheer"),
            "health": ("Zorg", "Medisch", "Farma"),
            "industry": ("Techniek", "Installatietechniek", "Machinebouw", "Metaal"),
            "trade": ("Handelsmaatschappij", "Groothandel", "Import"),
            "services": ("Advies", "Diensten", "Groep"),
            "logistics": ("Logistiek", "Transport", "Expeditie"),
            "construction": ("Bouw", "Aannemersbedrijf", "Bouwgroep"),
            "energy": ("Energie", "Duurzaam", "Milieu"),
            "food": ("Voeding", "Zuivel", "Bakkerij"),
            "media": ("Media", "Uitgeverij", "Communicatie"),
            "public": ("Opleidingen", "Stichting", "Academie"),
        },
        places=("Holland", "Noord", "Delta", "Polder", "Oranje", "Maas", "Rijn", "Zuid",
                "Brabant", "Friesland"),
        patterns=(("{surname} {noun}", 45), ("{place} {noun}", 35), ("{surname} Groep", 20)),
        share=0.5,
    ),
    "es": LocalVocabulary(
        surnames=(
            "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
            "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz",
            "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez",
            "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Castro",
            "Ortega", "Rubio", "Morales", "Ortiz", "Delgado", "Núñez", "Medina", "Iglesias",
            "Castillo",
        ),
        nouns={
            "tech": ("Tecnologías", "Soluciones Informáticas", "Sistemas", "Software"),
            "finance": ("Servicios Financieros", "Inversiones", "Capital", "Asesores"),
            "health": ("Salud", "Laboratorios", "Clínica", "Farmacéutica"),
            "industry": ("Industrias", "Metalúrgica", "Maquinaria", "Manufacturas"),
            "trade": ("Distribuciones", "Comercial", "Importaciones", "Distribuidora"),
            "services": ("Consultoría", "Servicios", "Asesoría"),
            "logistics": ("Transportes", "Logística", "Mudanzas"),
            "construction": ("Construcciones", "Ingeniería", "Obras", "Edificaciones"),
            "energy": ("Energía", "Renovables", "Solar"),
            "food": ("Alimentos", "Bodegas", "Conservas", "Panificadora"),
            "media": ("Medios", "Comunicación", "Editorial", "Publicidad"),
            "public": ("Fundación", "Instituto", "Formación"),
        },
        places=("Ibérica", "del Norte", "del Sur", "Mediterránea", "Andaluza", "del Pacífico",
                "Atlántica", "Levantina", "Castellana", "del Bajío", "Catalana", "Nacional",
                "Regiomontana", "Azteca"),
        patterns=(("Grupo {surname}", 20), ("{noun} {place}", 30), ("{noun} {surname}", 30),
                  ("{surname} y Asociados", 8), ("{surname} Hermanos", 5), ("{city} {noun}", 7)),
        share=0.55,
    ),
    "pt": LocalVocabulary(
        surnames=(
            "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
            "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
            "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade",
            "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Gonçalves",
            "Araújo", "Conceição", "Magalhães", "Guimarães",
        ),
        nouns={
            "tech": ("Tecnologia", "Informática", "Sistemas", "Software"),
            "finance": ("Investimentos", "Participações", "Capital", "Serviços Financeiros"),
            "health": ("Saúde", "Laboratórios", "Farmacêutica", "Diagnósticos"),
            "industry": ("Indústria", "Metalúrgica", "Máquinas", "Autopeças"),
            "trade": ("Comércio", "Distribuidora", "Importadora", "Atacadista"),
            "services": ("Consultoria", "Serviços", "Assessoria"),
            "logistics": ("Transportes", "Logística", "Transportadora"),
            "construction": ("Construções", "Engenharia", "Incorporadora", "Construtora"),
            "energy": ("Energia", "Papel e Celulose", "Saneamento"),
            "food": ("Alimentos", "Laticínios", "Bebidas", "Agropecuária"),
            "media": ("Comunicação", "Editora", "Mídia", "Propaganda"),
            "public": ("Fundação", "Instituto", "Educação"),
        },
        places=("Paulista", "Carioca", "Mineira", "Gaúcha", "Brasileira", "Nacional",
                "Nordestina", "Catarinense", "Lusitana", "Atlântica", "Paranaense"),
        patterns=(("Companhia {place} de {noun}", 15), ("{noun} {surname}", 30),
                  ("{city} {noun}", 18), ("Grupo {surname}", 17), ("{surname} & {surname2}", 8),
                  ("{noun} {place}", 12)),
        share=0.55,
    ),
    "it": LocalVocabulary(
        surnames=(
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
            "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro",
            "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
            "Gentile", "Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "D'Angelo",
            "Marchetti", "Parisi", "Villa", "Conte", "Ferri", "Fabbri", "Bellini", "Cattaneo",
        ),
        nouns={
            "tech": ("Informatica", "Sistemi", "Tecnologie", "Software"),
            "finance": ("Finanziaria", "Investimenti", "Capitali"),
            "health": ("Farmaceutica", "Medicale", "Diagnostica"),
            "industry": ("Meccanica", "Impianti", "Elettronica", "Officine", "Acciai"),
            "trade": ("Commerciale", "Distribuzione", "Import Export"),
            "services": ("Consulenze", "Servizi", "Studio Associato"),
            "logistics": ("Trasporti", "Logistica", "Spedizioni"),
            "construction": ("Costruzioni", "Edilizia", "Ingegneria"),
            "energy": ("Energia", "Ambiente", "Rinnovabili"),
            "food": ("Alimentari", "Pastificio", "Caseificio", "Cantine"),
            "media": ("Comunicazione", "Editoriale", "Pubblicità"),
            "public": ("Fondazione", "Istituto", "Formazione"),
        },
        places=("Lombarda", "Riunite", "Veneta", "Piemontese", "Toscana", "Emiliana",
                "Italiana", "Meridionale", "Adriatica", "Tirrenica", "Padana"),
        patterns=(("{surname} {noun}", 35), ("{noun} {place}", 25), ("Gruppo {surname}", 15),
                  ("{surname} & Figli", 8), ("{surname} {surname2}", 7),
                  ("Fratelli {surname}", 10)),
        share=0.55,
    ),
    "nordic": LocalVocabulary(
        surnames=(
            "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
            "Persson", "Svensson", "Gustafsson", "Lindström", "Nordström", "Bergström", "Sjöberg",
            "Lundqvist", "Åkesson", "Öberg", "Håkansson", "Hansen", "Johansen", "Olsen", "Larsen",
            "Andersen", "Pedersen", "Nielsen", "Kristiansen", "Jensen", "Sørensen", "Rasmussen",
            "Jørgensen", "Mikkelsen", "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä",
            "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen",
        ),
        nouns={
            "tech": ("Data", "Systems", "Software", "IT"),
            "finance": ("Kapital", "Invest", "Finans"),
            "health": ("Medical", "Pharma", "Helse", "Vård"),
            "industry": ("Teknik", "Maskin", "Industri", "Elektro", "Stål"),
            "trade": ("Handel", "Trading", "Grossist"),
            "services": ("Konsult", "Gruppen", "Partners"),
            "logistics": ("Logistik", "Transport", "Shipping"),
            "construction": ("Bygg", "Entreprenad", "Byggteknik"),
            "energy": ("Energi", "Kraft", "Miljø"),
            "food": ("Livsmedel", "Mejeri", "Foods", "Bryggeri"),
            "media": ("Media", "Förlag", "Kommunikation"),
            "public": ("Akademi", "Stiftelse", "Utbildning"),
        },
        places=("Nordic", "Nord", "Fjord", "Nordisk", "Svensk", "Norsk", "Dansk", "Baltic",
                "Arctic", "Polar", "Skandia", "Viking", "Öresund", "Saimaa"),
        patterns=(("{surname} {noun}", 40), ("{place} {noun}", 45), ("{surname} & {surname2}", 15)),
        share=0.5,
    ),
}
# fmt: on

JAPANESE_STEMS: tuple[tuple[str, str], ...] = (
    ("サクラ", "sakura"), ("ヤマト", "yamato"), ("フジ", "fuji"), ("日本", "nihon"),
    ("東洋", "toyo"), ("中央", "chuo"), ("太平洋", "taiheiyo"), ("北斗", "hokuto"),
    ("光", "hikari"), ("青空", "aozora"), ("富士見", "fujimi"), ("若葉", "wakaba"),
    ("朝日", "asahi"), ("新星", "shinsei"), ("明星", "myojo"), ("東邦", "toho"), ("協和", "kyowa"),
    ("昭和", "showa"), ("平和", "heiwa"), ("共栄", "kyoei"), ("大成", "taisei"), ("関東", "kanto"),
    ("関西", "kansai"), ("九州", "kyushu"), ("北海", "hokkai"), ("中部", "chubu"),
    ("山田", "yamada"), ("田中", "tanaka"), ("鈴木", "suzuki"), ("高橋", "takahashi"),
    ("佐藤", "sato"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"),
    ("吉田", "yoshida"), ("松本", "matsumoto"), ("井上", "inoue"), ("木村", "kimura"),
    ("森", "mori"), ("アオバ", "aoba"), ("ミライ", "mirai"), ("ツバサ", "tsubasa"),
    ("ハヤテ", "hayate"), ("ミドリ", "midori"), ("大和", "daiwa"), ("三和", "sanwa"),
)  # fmt: skip
"""Japanese name stems with the romanisation used in their domains."""

JAPANESE_WORDS: tuple[tuple[str, str], ...] = (
    ("技研", "giken"), ("システム", "system"), ("製作所", "seisakusho"), ("商事", "shoji"),
    ("電機", "denki"), ("物産", "bussan"), ("工業", "kogyo"), ("電子", "denshi"), ("精機", "seiki"),
    ("化学", "kagaku"), ("建設", "kensetsu"), ("運輸", "unyu"), ("ソフトウェア", "software"),
    ("ソリューションズ", "solutions"), ("情報システム", "joho"), ("通信", "tsushin"),
    ("食品", "shokuhin"), ("製薬", "seiyaku"), ("不動産", "fudosan"), ("印刷", "insatsu"),
    ("テクノロジー", "technology"), ("エンジニアリング", "engineering"),
    ("ロジスティクス", "logistics"),
)  # fmt: skip
"""Japanese business words with their romanisation."""

JAPANESE_PLACES: tuple[tuple[str, str], ...] = (
    ("東京", "tokyo"), ("大阪", "osaka"), ("名古屋", "nagoya"), ("横浜", "yokohama"),
    ("京都", "kyoto"), ("神戸", "kobe"), ("福岡", "fukuoka"), ("札幌", "sapporo"),
    ("仙台", "sendai"), ("広島", "hiroshima"), ("新潟", "niigata"), ("静岡", "shizuoka"),
)  # fmt: skip

JAPANESE_NAME_SHARE = 0.45
"""Share of Japanese businesses named in Japanese (the rest have English names)."""
INDIAN_NAME_SHARE = 0.4
"""Share of Indian businesses named after a family ("Sharma Infotech")."""

SUBSIDIARY_MARKERS: dict[str, tuple[str, ...]] = {
    "US": ("USA", "Americas", "North America", "US"),
    "CA": ("Canada",),
    "GB": ("UK", "Europe", "EMEA"),
    "IE": ("Ireland", "Europe", "EMEA"),
    "DE": ("Deutschland", "Germany", "DACH"),
    "AT": ("Austria", "Österreich"),
    "CH": ("Schweiz", "Switzerland"),
    "FR": ("France",),
    "BE": ("Belgium", "Benelux"),
    "NL": ("Nederland", "Netherlands", "Benelux"),
    "AU": ("Australia", "ANZ", "APAC"),
    "NZ": ("New Zealand", "ANZ"),
    "JP": ("Japan", "ジャパン"),
    "KR": ("Korea",),
    "SG": ("Singapore", "Asia Pacific", "APAC"),
    "IN": ("India",),
    "BR": ("Brasil", "do Brasil"),
    "MX": ("México", "Mexico"),
    "AR": ("Argentina",),
    "CL": ("Chile",),
    "ES": ("España", "Iberia"),
    "PT": ("Portugal", "Iberia"),
    "IT": ("Italia",),
    "SE": ("Sverige", "Nordic"),
    "NO": ("Norge", "Nordic"),
    "DK": ("Danmark", "Nordic"),
    "FI": ("Finland", "Nordic"),
}
"""Words a subsidiary adds to its parent's name, by the subsidiary's country."""

DOMAIN_PREFIXES: tuple[str, ...] = ("get", "try", "go", "use", "hello", "join", "my", "the")
DOMAIN_SUFFIXES: tuple[str, ...] = (
    "hq",
    "group",
    "global",
    "inc",
    "online",
    "corp",
    "co",
    "app",
    "labs",
    "intl",
    "world",
)
WEBSITE_PATHS: tuple[str, ...] = (
    "en/",
    "en-us/",
    "home",
    "about-us",
    "de/",
    "contact",
    "index.html",
    "en/home",
    "fr/",
    "company/",
    "us/en/",
)

# ----------------------------------------------------------------------------------------------
# Rep names (for reps beyond the fixed roster)
# ----------------------------------------------------------------------------------------------

# fmt: off
REP_FIRST_NAMES: tuple[str, ...] = (
    "James", "Olivia", "Noah", "Emma", "Liam", "Ava", "Ethan", "Sophia", "Mason", "Isabella",
    "Lucas", "Mia", "Logan", "Amelia", "Aiden", "Harper", "Jackson", "Evelyn", "Elijah", "Abigail",
    "Benjamin", "Ella", "Henry", "Grace", "Samuel", "Chloe", "Nathan", "Zoe", "Ryan", "Nora",
    "Hannah", "Leo", "Aria", "Owen", "Layla", "Caleb", "Lily", "Isaac", "Hazel", "Julian",
    "Anika", "Rohan", "Mei", "Hiroshi", "Yuki", "Mateo", "Camila", "Luca", "Sofia", "Finn",
    "Freya", "Matteo", "Elena", "Tomás", "Inès", "Jonas", "Clara", "Nils", "Astrid", "Diego",
    "Lucía", "Rafael", "Beatriz", "Omar", "Leila", "Kwame", "Amara", "Sanjay", "Deepa",
)
REP_LAST_NAMES: tuple[str, ...] = (
    "Anderson", "Bailey", "Brooks", "Carter", "Collins", "Diaz", "Evans", "Foster", "Garcia",
    "Gonzalez", "Hayes", "Hughes", "Jenkins", "Kim", "Lee", "Lopez", "Martinez", "Morgan",
    "Murphy", "Nguyen", "Parker", "Patel", "Perez", "Reed", "Reyes", "Rivera", "Roberts",
    "Russell", "Sanders", "Shah", "Silva", "Singh", "Sullivan", "Tan", "Torres", "Turner",
    "Walsh", "Ward", "Wong", "Yamamoto", "Becker", "Dubois", "Rossi", "Jansen", "Lindberg",
    "Novak", "Kowalski", "Fernandes", "Okafor", "Mensah", "Haddad", "Cohen", "Schneider",
    "Moreau", "Bianchi", "Nakamura", "Chen", "Iyer", "Costa", "Herrera", "O'Neill", "Byrne",
)
# fmt: on
