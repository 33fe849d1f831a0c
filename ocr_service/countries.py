"""Country names as cards print them, told by their ISO 3166 code."""

import gettext
import re
from functools import cache

import pycountry

from ocr_service.wording import fold

# The languages cards come in; each country's name is known in all of them.
LANGUAGES = (
    "cs", "da", "de", "el", "es", "fi", "fr", "hu", "it", "nb", "nl", "pl", "pt",
    "ro", "sk", "sv", "tr",
)  # fmt: skip

# Short forms cards print that ISO 3166 does not list as names.
ALIASES = {
    "usa": "US", "us": "US", "america": "US", "uk": "GB", "great britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "holland": "NL", "the netherlands": "NL", "uae": "AE", "korea": "KR",
    "republic of korea": "KR", "prc": "CN", "pr china": "CN",
}  # fmt: skip


def code_of(text: str) -> str | None:
    """The ISO code of the country a text names whole, if any: "U.S.A.",
    "United Kingdom" and "España" all name one."""
    return _names().get(_key(text))


def split_trailing(text: str) -> tuple[str, str | None]:
    """The text without the country named at its end, and that country's
    code: "London SW1A 2AA, United Kingdom" ends with GB."""
    words = text.split()
    # The longest country names on cards run to four words.
    for size in range(min(4, len(words)), 0, -1):
        code = code_of(" ".join(words[-size:]))
        if code:
            return " ".join(words[:-size]).rstrip(" ,"), code
    return text, None


@cache
def region_names(country: str) -> tuple[str, ...]:
    """The names of a country's states, provinces and territories in
    English, longest first: "New South Wales" and "Georgia"."""
    names = {
        division.name
        for division in pycountry.subdivisions.get(country_code=country) or ()
        if division.parent_code is None and "," not in division.name
    }
    return tuple(sorted(names, key=len, reverse=True))


@cache
def province_codes(country: str) -> frozenset[str]:
    """The letter codes of a country's subdivisions, as ISO 3166-2 gives
    them after the country's: "MI" of Italy's "IT-MI", Milano."""
    subdivisions = pycountry.subdivisions.get(country_code=country) or ()
    codes = (division.code.split("-", 1)[1] for division in subdivisions)
    return frozenset(code for code in codes if code.isalpha())


def is_region_name(country: str, name: str) -> bool:
    """Whether a name, in any case and with or without accents, with or
    without the word for its kind, is that of one of the country's states,
    provinces or territories: "Guangdong" and "Guangdong Province" both name
    ISO 3166-2's "Guangdong Sheng"."""
    return _bare_region(name) in _folded_region_names(country)


# Words for a region's kind that ISO 3166-2 or cards add after its name;
# not China's "Shi": Beijing and Shanghai are the cities cards mean.
REGION_KIND_WORDS = ("sheng", "zizhiqu", "province", "prefecture")


def _bare_region(name: str) -> str:
    """A region's name folded, without the word for its kind after it."""
    words = fold(name).split()
    while len(words) > 1 and words[-1] in REGION_KIND_WORDS:
        words.pop()
    return " ".join(words)


@cache
def _folded_region_names(country: str) -> frozenset[str]:
    return frozenset(map(_bare_region, region_names(country)))


def _key(text: str) -> str:
    # "U.S.A." and "U.K." are spelled with dots as often as without.
    return " ".join(re.sub(r"\.", "", fold(text)).strip(" ,;").split())


@cache
def _names() -> dict[str, str]:
    """Every name a country goes by, keyed as _key spells it; a name two
    countries share in different languages tells neither, so it is left
    out."""
    found: dict[str, set[str]] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in LANGUAGES
    ]
    for country in pycountry.countries:
        english = {
            getattr(country, attr, None)
            for attr in ("name", "official_name", "common_name")
        } - {None}
        spellings = english | {t.gettext(n) for t in translations for n in english}
        for spelling in spellings:
            found.setdefault(_key(spelling), set()).add(country.alpha_2)
    names = {key: codes.pop() for key, codes in found.items() if len(codes) == 1}
    return names | {_key(alias): code for alias, code in ALIASES.items()}


# Counties British addresses print that ISO 3166-2 lists as no county, or
# not at all.
MORE_BRITISH_COUNTIES = (
    "West Yorkshire", "South Yorkshire", "West Midlands", "Greater Manchester",
    "Merseyside", "Tyne and Wear", "Greater London", "Middlesex", "Cornwall",
    "County Durham", "Co. Durham", "Northumberland", "Isle of Wight",
    "County Antrim", "Co. Antrim", "County Down", "Co. Down", "Anglesey",
    "Gwynedd", "Powys", "Ceredigion", "Isle of Anglesey", "Vale of Glamorgan",
    "Blaenau Gwent", "Rhondda Cynon Taff", "Neath Port Talbot",
)  # fmt: skip


# The counties of Northern Ireland, which pycountry lists by district.
NORTHERN_IRISH_COUNTIES = (
    "Antrim", "Armagh", "Down", "Fermanagh", "Londonderry", "Derry", "Tyrone",
)  # fmt: skip


# The counties' names in Irish, as printed after "Co." or "Contae": in the
# genitive ("Co. na Gaillimhe", "Contae Chorcaí"), which pycountry, naming
# them in the nominative, does not give.
IRISH_COUNTIES_IN_IRISH = {
    "Cheatharlach": "Carlow", "an Chabháin": "Cavan", "an Chláir": "Clare",
    "Chorcaí": "Cork", "Dhún na nGall": "Donegal",
    "Bhaile Átha Cliath": "Dublin", "na Gaillimhe": "Galway",
    "Chiarraí": "Kerry", "Chill Dara": "Kildare", "Chill Chainnigh": "Kilkenny",
    "Laoise": "Laois", "Liatroma": "Leitrim", "Luimnigh": "Limerick",
    "an Longfoirt": "Longford", "Lú": "Louth", "Mhaigh Eo": "Mayo",
    "na Mí": "Meath", "Mhuineacháin": "Monaghan", "Uíbh Fhailí": "Offaly",
    "Ros Comáin": "Roscommon", "Shligigh": "Sligo",
    "Thiobraid Árann": "Tipperary", "Phort Láirge": "Waterford",
    "na hIarmhí": "Westmeath", "Loch Garman": "Wexford",
    "Chill Mhantáin": "Wicklow", "Aontroma": "Antrim", "Ard Mhacha": "Armagh",
    "an Dúin": "Down", "Fhear Manach": "Fermanagh", "Dhoire": "Derry",
    "Thír Eoghain": "Tyrone",
}  # fmt: skip


def irish_county_in_english(name: str) -> str:
    """A county's name as printed after "Co.", in English whether printed
    in English or in Irish: "Galway" for "na Gaillimhe"; empty for no
    county's."""
    folded = fold(" ".join(name.split()))
    if folded in _irish_counties():
        return name.strip()
    return _irish_names().get(folded, "")


@cache
def _irish_names() -> dict[str, str]:
    return {fold(irish): english for irish, english in IRISH_COUNTIES_IN_IRISH.items()}


def is_northern_irish_county(name: str) -> bool:
    """Whether a name is that of one of the six counties of Northern
    Ireland, part of the United Kingdom ("Down" of "Co. Down", "an Dúin"
    of "Co. an Dúin")."""
    return fold(irish_county_in_english(name) or name) in _northern_irish_counties()


@cache
def _northern_irish_counties() -> frozenset[str]:
    return frozenset(fold(name) for name in NORTHERN_IRISH_COUNTIES)


def is_irish_county(name: str) -> bool:
    """Whether a name is that of a county of Ireland, north or south, as
    printed after "Co." in English or Irish ("Co. Cork", "Co. Chorcaí")."""
    return bool(irish_county_in_english(name))


def starts_with_irish_county(text: str) -> bool:
    """Whether a text starts with an Irish county's name, as after "Co."
    on a line that goes on: "Cork P31 KX24", "na Gaillimhe, H91 X2Y3"."""
    words = text.split()
    return any(is_irish_county(" ".join(words[:n]).rstrip(",")) for n in range(1, 4))


@cache
def _irish_counties() -> frozenset[str]:
    names = set(NORTHERN_IRISH_COUNTIES)
    for division in pycountry.subdivisions.get(country_code="IE"):
        if division.type == "County":
            names.add(division.name)
    return frozenset(fold(name) for name in names)


def is_british_county(name: str, with_council_areas: bool = True) -> bool:
    """Whether a name is that of a county of England, Wales or Scotland;
    without Scotland's council areas, most of which bear their town's name
    ("Stirling"), when nothing but the name tells it from the town."""
    return fold(name) in _british_counties(with_council_areas)


@cache
def _british_counties(with_council_areas: bool) -> frozenset[str]:
    """Folded names of the counties of England, Wales and Scotland; no city
    that is a district of its own, as "Manchester" in "Salford, Manchester"."""
    kinds = (
        ("Two-tier county", "Council area")
        if with_council_areas
        else ("Two-tier county",)
    )
    names = set(MORE_BRITISH_COUNTIES)
    for division in pycountry.subdivisions.get(country_code="GB"):
        if division.type in kinds:
            names.add(division.name)
    return frozenset(fold(name) for name in names)
