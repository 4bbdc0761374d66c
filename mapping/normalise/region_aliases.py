"""Names people use for regions that ISO 3166-2 (as shipped in pycountry) does not list.

ISO names subdivisions once, usually in the local language and without abbreviations
("Bayern", "Nuevo León", "Tokyo"). CRM users write postal abbreviations ("Calif.", "Mass."),
English exonyms ("Bavaria"), informal short forms ("NRW", "CDMX", "PEI") and native scripts
("東京都"). Keys are ISO 3166-1 alpha-2 country codes; each maps an alias to the subdivision code.
ISO codes and ISO names need no entry: they are indexed from pycountry directly.
"""

from __future__ import annotations

# Traditional (pre-USPS) state abbreviations, still common in addresses typed by hand; the USPS
# two-letter codes are the ISO 3166-2 suffixes and need no entry.
_US = {
    "Ala": "US-AL",
    "Alas": "US-AK",
    "Ariz": "US-AZ",
    "Ark": "US-AR",
    "Calif": "US-CA",
    "Cal": "US-CA",
    "Cali": "US-CA",
    "Colo": "US-CO",
    "Conn": "US-CT",
    "Del": "US-DE",
    "Washington DC": "US-DC",
    "Wash DC": "US-DC",
    "Fla": "US-FL",
    "Ida": "US-ID",
    "Ill": "US-IL",
    "Ind": "US-IN",
    "Kan": "US-KS",
    "Kans": "US-KS",
    "Mass": "US-MA",
    "Mich": "US-MI",
    "Minn": "US-MN",
    "Miss": "US-MS",
    "Mont": "US-MT",
    "Neb": "US-NE",
    "Nebr": "US-NE",
    "Nev": "US-NV",
    "N Carolina": "US-NC",
    "N Dakota": "US-ND",
    "Okla": "US-OK",
    "Ore": "US-OR",
    "Oreg": "US-OR",
    "Penn": "US-PA",
    "Penna": "US-PA",
    "S Carolina": "US-SC",
    "S Dakota": "US-SD",
    "Tenn": "US-TN",
    "Tex": "US-TX",
    "Wash": "US-WA",
    "W Va": "US-WV",
    "W Virginia": "US-WV",
    "Wis": "US-WI",
    "Wisc": "US-WI",
    "Wyo": "US-WY",
}

_CA = {
    "Que": "CA-QC",
    "PQ": "CA-QC",
    "Province de Québec": "CA-QC",
    "Ont": "CA-ON",
    "Alta": "CA-AB",
    "Sask": "CA-SK",
    "Man": "CA-MB",
    "Nfld": "CA-NL",
    "NF": "CA-NL",
    "Newfoundland": "CA-NL",
    "Terre-Neuve-et-Labrador": "CA-NL",
    "PEI": "CA-PE",
    "Île-du-Prince-Édouard": "CA-PE",
    "NWT": "CA-NT",
    "Territoires du Nord-Ouest": "CA-NT",
    "Yukon Territory": "CA-YT",
    "Colombie-Britannique": "CA-BC",
    "Nouveau-Brunswick": "CA-NB",
    "Nouvelle-Écosse": "CA-NS",
}

_AU = {"Tas": "AU-TAS", "Qld": "AU-QLD", "Vic": "AU-VIC", "Canberra": "AU-ACT"}

_GB = {
    "Cymru": "GB-WLS",
    "N Ireland": "GB-NIR",
    "NI": "GB-NIR",
    "Ulster": "GB-NIR",
    "Belfast": "GB-NIR",
    "Derry": "GB-NIR",
    "Greater London": "GB-ENG",
}

_DE = {
    "Bavaria": "DE-BY",
    "NRW": "DE-NW",
    "North Rhine-Westphalia": "DE-NW",
    "Lower Saxony": "DE-NI",
    "Hesse": "DE-HE",
    "Saxony": "DE-SN",
    "Saxony-Anhalt": "DE-ST",
    "Thuringia": "DE-TH",
    "Rhineland-Palatinate": "DE-RP",
    "Mecklenburg-Western Pomerania": "DE-MV",
    "Mecklenburg-West Pomerania": "DE-MV",
    "BaWü": "DE-BW",
}

_AT = {
    "Vienna": "AT-9",
    "Wien": "AT-9",
    "Lower Austria": "AT-3",
    "Upper Austria": "AT-4",
    "Styria": "AT-6",
    "Carinthia": "AT-2",
    "Tyrol": "AT-7",
}

_CH = {
    "Zurich": "CH-ZH",
    "Geneva": "CH-GE",
    "Genf": "CH-GE",
    "Bern": "CH-BE",
    "Lucerne": "CH-LU",
    "Grisons": "CH-GR",
}

_NL = {
    "North Holland": "NL-NH",
    "South Holland": "NL-ZH",
    "North Brabant": "NL-NB",
    "Friesland": "NL-FR",
}

_FR = {
    "PACA": "FR-PAC",
    "Corsica": "FR-20R",
    "Brittany": "FR-BRE",
    "Normandy": "FR-NOR",
    "Occitania": "FR-OCC",
    "IDF": "FR-IDF",
    "Réunion": "FR-974",
    "French Guiana": "FR-973",
}

_ES = {
    "Catalonia": "ES-CT",
    "Andalusia": "ES-AN",
    "Basque Country": "ES-PV",
    "Euskadi": "ES-PV",
    "Valencian Community": "ES-VC",
    "Balearic Islands": "ES-IB",
    "Baleares": "ES-IB",
    "Canary Islands": "ES-CN",
    "Navarre": "ES-NC",
    "Navarra": "ES-NC",
    "Castile and León": "ES-CL",
    "Castile-La Mancha": "ES-CM",
    "Region of Murcia": "ES-MC",
}

_IT = {
    "Lombardy": "IT-25",
    "Piedmont": "IT-21",
    "Tuscany": "IT-52",
    "Sicily": "IT-82",
    "Sardinia": "IT-88",
    "Apulia": "IT-75",
    "Aosta Valley": "IT-23",
    "Trentino-South Tyrol": "IT-32",
    "Rome": "IT-RM",
    "Milan": "IT-MI",
    "Turin": "IT-TO",
    "Naples": "IT-NA",
    "Florence": "IT-FI",
    "Venice": "IT-VE",
}

_IN = {
    "Orissa": "IN-OD",
    "Pondicherry": "IN-PY",
    "Uttaranchal": "IN-UK",
    "New Delhi": "IN-DL",
    "NCT of Delhi": "IN-DL",
    "National Capital Territory of Delhi": "IN-DL",
    "J&K": "IN-JK",
    "TG": "IN-TS",
}

_MX = {
    "CDMX": "MX-CMX",
    "Mexico City": "MX-CMX",
    "Distrito Federal": "MX-CMX",
    "DF": "MX-CMX",
    "Edomex": "MX-MEX",
    "Edo Mex": "MX-MEX",
    "Estado de México": "MX-MEX",
    "State of Mexico": "MX-MEX",
    "Michoacán": "MX-MIC",
    "Veracruz": "MX-VER",
    "Coahuila": "MX-COA",
    "NL": "MX-NLE",
    "Ags": "MX-AGU",
    "BC": "MX-BCN",
    "Camp": "MX-CAM",
    "Chis": "MX-CHP",
    "Chih": "MX-CHH",
    "Coah": "MX-COA",
    "Dgo": "MX-DUR",
    "Gto": "MX-GUA",
    "Hgo": "MX-HID",
    "Mich": "MX-MIC",
    "Qro": "MX-QUE",
    "Q Roo": "MX-ROO",
    "Tamps": "MX-TAM",
    "Tlax": "MX-TLA",
}

_CN = {
    "Inner Mongolia": "CN-NM",
    "Tibet": "CN-XZ",
    "Peking": "CN-BJ",
    "Canton": "CN-GD",
    "北京": "CN-BJ",
    "上海": "CN-SH",
    "广东": "CN-GD",
    "深圳": "CN-GD",
}

# Prefectures in their native script, with and without the 都/道/府/県 suffix.
_JP_PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)


def _japanese_prefectures() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for number, name in enumerate(_JP_PREFECTURES, start=1):
        code = f"JP-{number:02d}"
        aliases[name] = code
        if name != "北海道":
            aliases[name[:-1]] = code
    return aliases


REGION_ALIASES: dict[str, dict[str, str]] = {
    "US": _US,
    "CA": _CA,
    "AU": _AU,
    "GB": _GB,
    "DE": _DE,
    "AT": _AT,
    "CH": _CH,
    "NL": _NL,
    "FR": _FR,
    "ES": _ES,
    "IT": _IT,
    "IN": _IN,
    "MX": _MX,
    "CN": _CN,
    "JP": _japanese_prefectures(),
}
