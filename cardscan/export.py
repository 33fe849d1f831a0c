"""Contacts as address books and spreadsheets take them: vCard and CSV.

Only the cards read (DONE) become contacts; a card still open or FAILED has
none to give, and whoever exports says how many were left out so. Phone
numbers are given in E.164 form where the card allowed it, with their
extension; a country told by its ISO code is written out by name.
"""

import csv
import io
import re
from collections.abc import Iterable

import pycountry
import vobject

from cardscan import jsonview
from cardscan.v1 import batch_pb2, contact_pb2

PhoneType = contact_pb2.PhoneType

# What vCard 3.0 (RFC 2426) calls each kind of number.
VCARD_PHONE_TYPES = {
    PhoneType.PHONE_TYPE_MOBILE: ["CELL", "VOICE"],
    PhoneType.PHONE_TYPE_WORK: ["WORK", "VOICE"],
    PhoneType.PHONE_TYPE_FAX: ["WORK", "FAX"],
    PhoneType.PHONE_TYPE_OTHER: ["VOICE"],
    PhoneType.PHONE_TYPE_UNSPECIFIED: ["VOICE"],
}

# The CSV's columns, one row a contact; a column of several values joins
# them with SEPARATOR.
CSV_COLUMNS = [
    "file_name",
    "name",
    "prefix",
    "given_name",
    "family_name",
    "title",
    "department",
    "company",
    "work_phone",
    "mobile_phone",
    "fax",
    "other_phone",
    "email",
    "website",
    "address",
    "street",
    "postal_code",
    "city",
    "region",
    "country",
    "needs_review",
]
CSV_PHONE_COLUMNS = {
    PhoneType.PHONE_TYPE_MOBILE: "mobile_phone",
    PhoneType.PHONE_TYPE_WORK: "work_phone",
    PhoneType.PHONE_TYPE_FAX: "fax",
    PhoneType.PHONE_TYPE_OTHER: "other_phone",
    PhoneType.PHONE_TYPE_UNSPECIFIED: "other_phone",
}
SEPARATOR = "; "
# A cell starting so is taken for a formula by spreadsheets, and a card's
# text is anyone's to print: such a cell starts with an apostrophe, which
# spreadsheets do not show.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The longest physical line of a vCard, in UTF-8 octets (RFC 6350 3.2).
VCARD_LINE_OCTETS = 75
# A line break and the space that continues a folded line.
FOLD = "\r\n "

# The file types of the formats, for HTTP replies.
VCARD_TYPE = "text/vcard"
CSV_TYPE = "text/csv"


def read_cards(cards: Iterable[batch_pb2.Card]) -> list[batch_pb2.Card]:
    """The cards that were read and so have a contact."""
    return [c for c in cards if c.state == batch_pb2.CardState.CARD_STATE_DONE]


def country_name(country: str) -> str:
    """The country's English name where it is an ISO 3166-1 alpha-2 code,
    else as it was read."""
    found = pycountry.countries.get(alpha_2=country) if len(country) == 2 else None
    return getattr(found, "common_name", None) or getattr(found, "name", country)


def phone_text(phone: contact_pb2.Phone) -> str:
    """The number with its extension, as a person would dial it: a number in
    E.164 form carries its extension apart, one kept as printed has it in
    it already."""
    if phone.extension and jsonview.E164.fullmatch(phone.number):
        return f"{phone.number} ext. {phone.extension}"
    return phone.number


def street_lines(address: contact_pb2.Address) -> str:
    """What the address prints before its town, postcode, region and
    country: the street with any building, flat or district the parts have
    no field for ("Flat 75, Brown Grove"), so that no part of it is lost."""
    told = {
        part.casefold()
        for part in (address.city, address.region, address.country)
        if part
    }
    if address.country:
        told.add(country_name(address.country).casefold())
    town = re.compile(rf"\b{re.escape(address.city)}\b", re.I) if address.city else None

    def of_the_town(segment: str) -> bool:
        if segment.casefold() in told:
            return True
        if address.postal_code and address.postal_code in segment:
            return True
        # "Port Daniel TN", but not a street named as its town is.
        in_street = address.street and address.street in segment
        return bool(town and town.search(segment) and not in_street)

    segments = (segment.strip() for segment in address.full.split(","))
    kept = [segment for segment in segments if segment and not of_the_town(segment)]
    return ", ".join(kept) or address.street


def vcards(cards: Iterable[batch_pb2.Card]) -> str:
    """The contacts of the cards read, as vCard 3.0 entries in one text."""
    return "".join(vcard(card) for card in read_cards(cards))


def vcard(card: batch_pb2.Card) -> str:
    """One card's contact as a vCard 3.0 entry."""
    contact = card.contact
    name, address = contact.name, contact.address
    entry = vobject.vCard()
    # FN is required: a card without a name is shown by what else it has.
    shown = name.full or contact.company or next(iter(contact.emails), "")
    entry.add("fn").value = shown or card.file_name
    entry.add("n").value = vobject.vcard.Name(
        family=name.family, given=name.given, prefix=name.prefix
    )
    if contact.company or contact.department:
        entry.add("org").value = [contact.company, contact.department]
    if contact.title:
        entry.add("title").value = contact.title
    for phone in contact.phones:
        line = entry.add("tel")
        line.value = phone_text(phone)
        line.type_param = VCARD_PHONE_TYPES[phone.type]
    for email in contact.emails:
        line = entry.add("email")
        line.value = email
        line.type_param = ["INTERNET", "WORK"]
    for website in contact.websites:
        entry.add("url").value = website
    if address.full:
        line = entry.add("adr")
        line.value = vobject.vcard.Address(
            street=street_lines(address),
            city=address.city,
            region=address.region,
            code=address.postal_code,
            country=country_name(address.country),
        )
        line.type_param = "WORK"
    entry.add("note").value = note(card)
    return refolded(entry.serialize())


def refolded(text: str) -> str:
    """The vCard text with every line folded at 75 octets of UTF-8, no
    character split; vobject folds a line only when it has 75 characters,
    so a shorter one of accented letters stayed longer than 75 octets."""
    unfolded = text.replace(FOLD, "").split("\r\n")
    return "\r\n".join(folded(line) for line in unfolded)


def folded(line: str) -> str:
    """One logical line as physical lines of at most 75 octets each."""
    pieces, piece, octets = [], "", 0
    for char in line:
        size = len(char.encode())
        if octets + size > VCARD_LINE_OCTETS:
            pieces.append(piece)
            # The continuing space counts against the next line.
            piece, octets = "", 1
        piece += char
        octets += size
    return FOLD.join([*pieces, piece])


def note(card: batch_pb2.Card) -> str:
    """Where the contact came from, and whether it needs a look."""
    said = f"Read by cardscan from {card.file_name}."
    if card.contact.needs_review:
        said += " Some fields were read with little confidence: check them."
    return said


def csv_text(cards: Iterable[batch_pb2.Card]) -> str:
    """The contacts of the cards read as CSV, a header row first.

    The text starts with a byte order mark, by which spreadsheets such as
    Excel tell UTF-8 and show accented names as they are; a cell that would
    start as a formula, as a number in E.164 form does with its "+", starts
    with an apostrophe.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for card in read_cards(cards):
        writer.writerow({k: inert(v) for k, v in csv_row(card).items()})
    return "\ufeff" + out.getvalue()


def inert(cell: str) -> str:
    """The cell as a spreadsheet shows it without running it as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_row(card: batch_pb2.Card) -> dict[str, str]:
    """One card's contact as a CSV row."""
    contact = card.contact
    name, address = contact.name, contact.address
    phones: dict[str, list[str]] = {}
    for phone in contact.phones:
        phones.setdefault(CSV_PHONE_COLUMNS[phone.type], []).append(phone_text(phone))
    row = {
        "file_name": card.file_name,
        "name": name.full,
        "prefix": name.prefix,
        "given_name": name.given,
        "family_name": name.family,
        "title": contact.title,
        "department": contact.department,
        "company": contact.company,
        "email": SEPARATOR.join(contact.emails),
        "website": SEPARATOR.join(contact.websites),
        "address": address.full,
        "street": street_lines(address),
        "postal_code": address.postal_code,
        "city": address.city,
        "region": address.region,
        "country": country_name(address.country) if address.country else "",
        "needs_review": "yes" if contact.needs_review else "no",
    }
    row.update((column, SEPARATOR.join(numbers)) for column, numbers in phones.items())
    return row
