"""Contacts as vCard and CSV, read back the way address books and
spreadsheets read them."""

import csv
import io

import pytest
import vobject

from cardscan import export
from cardscan.v1 import batch_pb2, contact_pb2

CardState = batch_pb2.CardState
PhoneType = contact_pb2.PhoneType


def read_card(contact: contact_pb2.Contact, file_name="ana.png") -> batch_pb2.Card:
    return batch_pb2.Card(
        card_id="c1",
        batch_id="b1",
        file_name=file_name,
        state=CardState.CARD_STATE_DONE,
        contact=contact,
    )


def ana() -> contact_pb2.Contact:
    return contact_pb2.Contact(
        name=contact_pb2.PersonName(
            full="Dr. Ana Lima", prefix="Dr.", given="Ana", family="Lima"
        ),
        title="Head of Sales, EMEA",
        department="Sales; Export",
        company="Lima & Söhne GmbH",
        phones=[
            contact_pb2.Phone(type=PhoneType.PHONE_TYPE_WORK, number="+4930123456"),
            contact_pb2.Phone(
                type=PhoneType.PHONE_TYPE_WORK, number="+4930123400", extension="12"
            ),
            contact_pb2.Phone(type=PhoneType.PHONE_TYPE_MOBILE, number="+4917012345"),
            contact_pb2.Phone(type=PhoneType.PHONE_TYPE_FAX, number="+4930123499"),
        ],
        emails=["ana.lima@lima.de", "info@lima.de"],
        websites=["www.lima.de"],
        address=contact_pb2.Address(
            full="Hauptstraße 1, 10115 Berlin",
            street="Hauptstraße 1",
            postal_code="10115",
            city="Berlin",
            country="DE",
        ),
        needs_review=True,
    )


def parsed_vcards(text: str) -> list:
    return list(vobject.readComponents(text))


def test_a_vcard_holds_every_field_of_the_contact():
    (entry,) = parsed_vcards(export.vcards([read_card(ana())]))

    name = entry.n.value
    tels = [(sorted(t.params["TYPE"]), t.value) for t in entry.contents["tel"]]
    address = entry.adr.value
    assert entry.version.value == "3.0"
    assert entry.fn.value == "Dr. Ana Lima"
    assert (name.prefix, name.given, name.family) == ("Dr.", "Ana", "Lima")
    assert entry.title.value == "Head of Sales, EMEA"
    assert entry.org.value == ["Lima & Söhne GmbH", "Sales; Export"]
    assert tels == [
        (["VOICE", "WORK"], "+4930123456"),
        (["VOICE", "WORK"], "+4930123400 ext. 12"),
        (["CELL", "VOICE"], "+4917012345"),
        (["FAX", "WORK"], "+4930123499"),
    ]
    assert [e.value for e in entry.contents["email"]] == [
        "ana.lima@lima.de",
        "info@lima.de",
    ]
    assert entry.url.value == "www.lima.de"
    assert (address.street, address.code, address.city, address.country) == (
        "Hauptstraße 1",
        "10115",
        "Berlin",
        "Germany",
    )
    assert entry.note.value == (
        "Read by cardscan from ana.png. Some fields were read with little "
        "confidence: check them."
    )


def test_a_vcard_without_a_name_is_shown_by_its_company():
    contact = contact_pb2.Contact(company="Brightwater Freight Ltd")

    (entry,) = parsed_vcards(export.vcards([read_card(contact)]))

    assert entry.fn.value == "Brightwater Freight Ltd"
    assert entry.note.value == "Read by cardscan from ana.png."


def test_a_vcard_with_nothing_read_but_an_email_is_shown_by_it():
    contact = contact_pb2.Contact(emails=["desk@example.org"])

    (entry,) = parsed_vcards(export.vcards([read_card(contact)]))

    assert entry.fn.value == "desk@example.org"


def test_only_cards_read_become_contacts():
    failed = batch_pb2.Card(
        card_id="c2", file_name="blur.jpg", state=CardState.CARD_STATE_FAILED
    )
    queued = batch_pb2.Card(
        card_id="c3", file_name="next.jpg", state=CardState.CARD_STATE_QUEUED
    )
    cards = [failed, read_card(ana()), queued]

    entries = parsed_vcards(export.vcards(cards))
    rows = list(csv.DictReader(io.StringIO(export.csv_text(cards).lstrip("\ufeff"))))

    assert [e.fn.value for e in entries] == ["Dr. Ana Lima"]
    assert [row["file_name"] for row in rows] == ["ana.png"]
    assert export.vcards([failed, queued]) == ""


def test_a_csv_row_holds_every_field_with_numbers_kept_as_text():
    text = export.csv_text([read_card(ana())])

    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))

    assert text.startswith("\ufeff")
    assert rows == [
        {
            "file_name": "ana.png",
            "name": "Dr. Ana Lima",
            "prefix": "Dr.",
            "given_name": "Ana",
            "family_name": "Lima",
            "title": "Head of Sales, EMEA",
            "department": "Sales; Export",
            "company": "Lima & Söhne GmbH",
            "work_phone": "'+4930123456; +4930123400 ext. 12",
            "mobile_phone": "'+4917012345",
            "fax": "'+4930123499",
            "other_phone": "",
            "email": "ana.lima@lima.de; info@lima.de",
            "website": "www.lima.de",
            "address": "Hauptstraße 1, 10115 Berlin",
            "street": "Hauptstraße 1",
            "postal_code": "10115",
            "city": "Berlin",
            "region": "",
            "country": "Germany",
            "needs_review": "yes",
        }
    ]


def test_a_card_printing_a_formula_does_not_run_in_a_spreadsheet():
    contact = contact_pb2.Contact(
        name=contact_pb2.PersonName(full='=HYPERLINK("http://x","y")'),
        title="@SUM(A1)",
        company="-Acme",
    )

    (row,) = csv.DictReader(
        io.StringIO(export.csv_text([read_card(contact)]).lstrip("\ufeff"))
    )

    assert row["name"] == '\'=HYPERLINK("http://x","y")'
    assert row["title"] == "'@SUM(A1)"
    assert row["company"] == "'-Acme"


def test_a_country_not_told_by_its_code_is_kept_as_read():
    assert export.country_name("DE") == "Germany"
    assert export.country_name("KR") == "South Korea"
    assert export.country_name("Atlantis") == "Atlantis"
    assert export.country_name("ZZ") == "ZZ"


def test_an_extension_is_kept_whatever_digits_the_number_ends_in():
    phones = [
        contact_pb2.Phone(number="+14155550171", extension="171"),
        contact_pb2.Phone(number="+12125550147", extension="7"),
        contact_pb2.Phone(number="030 1234-567 x12", extension="12"),
    ]

    assert [export.phone_text(phone) for phone in phones] == [
        "+14155550171 ext. 171",
        "+12125550147 ext. 7",
        "030 1234-567 x12",
    ]


@pytest.mark.parametrize(
    ("address", "street"),
    [
        # A second street line the parts have no field for.
        (
            contact_pb2.Address(
                full="Flat 75, Brown Grove, Prestonstad, N2T 8UA",
                street="Flat 75",
                city="Prestonstad",
                postal_code="N2T 8UA",
                country="GB",
            ),
            "Flat 75, Brown Grove",
        ),
        # A district, printed between the street and the postcode.
        (
            contact_pb2.Address(
                full="Rua Augusta, 123, Novo Tupi, 01310-100 São Paulo - SP",
                street="Rua Augusta, 123",
                city="São Paulo",
                region="SP",
                postal_code="01310-100",
                country="BR",
            ),
            "Rua Augusta, 123, Novo Tupi",
        ),
        # The town with its region and no postcode; the country by name.
        (
            contact_pb2.Address(
                full="61495 Russell Shoals, Port Daniel TN, United States",
                street="61495 Russell Shoals",
                city="Port Daniel",
                region="TN",
                country="US",
            ),
            "61495 Russell Shoals",
        ),
        # A street named after its town stays.
        (
            contact_pb2.Address(
                full="Paris Road 5, Paris", street="Paris Road 5", city="Paris"
            ),
            "Paris Road 5",
        ),
        # No commas to part it by: the street the parser found.
        (
            contact_pb2.Address(
                full="Hauptstraße 1 10115 Berlin",
                street="Hauptstraße 1",
                city="Berlin",
                postal_code="10115",
            ),
            "Hauptstraße 1",
        ),
    ],
)
def test_the_street_of_an_export_keeps_what_the_parts_leave_out(address, street):
    card = read_card(
        contact_pb2.Contact(name=contact_pb2.PersonName(full="A B"), address=address)
    )

    (entry,) = parsed_vcards(export.vcards([card]))
    (row,) = csv.DictReader(io.StringIO(export.csv_text([card]).lstrip("\ufeff")))

    assert entry.adr.value.street == street
    assert (row["street"], row["address"]) == (street, address.full)


def test_a_vcard_line_of_accented_letters_is_folded_at_75_octets():
    # 60 characters, 120 octets: vobject alone leaves the line whole.
    company = "Ø" * 60
    contact = contact_pb2.Contact(company=company, title="x" * 200)

    text = export.vcards([read_card(contact)])

    lines = text.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    (entry,) = parsed_vcards(text)
    assert entry.org.value == [company]
    assert entry.title.value == "x" * 200
