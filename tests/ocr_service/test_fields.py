"""Field parsing turns the lines of a card into the right contact fields."""

import dataclasses

import pytest

from cardscan.v1 import contact_pb2
from ocr_service import crosscheck, fields
from ocr_service.lines import Line


def card(*rows, confidence=0.95):
    """Lines stacked down a card; a row is its text, or (text, height)."""
    lines, top = [], 40
    for row in rows:
        text, height = row if isinstance(row, tuple) else (row, 20)
        lines.append(Line(text, 60, top, 14 * len(text), height, confidence))
        top += height + 14
    return lines


def phone_types(contact):
    return {p.number: p.type for p in contact.phones}


def test_company_with_a_word_titles_use_is_taken_when_it_spells_the_domain():
    contact = fields.parse(
        card(
            ("Ledgerline Analytics", 30),
            ("Priya Raman", 48),
            "Senior Data Scientist",
            "priya.raman@ledgerline-analytics.com",
        )
    )

    assert contact.company == "Ledgerline Analytics"
    assert contact.confidence["company"] >= 0.9
    assert contact.title == "Senior Data Scientist"


def test_prefix_stays_out_of_the_given_name():
    contact = fields.parse(
        card(("Dr. Ana Lima", 48), "Head of Research", "ana.lima@lima-labs.com")
    )

    assert contact.name.full == "Dr. Ana Lima"
    assert contact.name.prefix == "Dr."
    assert contact.name.given == "Ana"
    assert contact.name.family == "Lima"


def test_family_name_keeps_its_particles():
    contact = fields.parse(card(("Prof. Jan van der Berg", 48), "Lecturer"))

    assert contact.name.prefix == "Prof."
    assert contact.name.given == "Jan"
    assert contact.name.family == "van der Berg"


@pytest.mark.parametrize(
    "email", ["jane.oneil-smith@oneil-law.com", "jane@oneil-law.com"]
)
def test_honorific_is_the_prefix_and_degrees_leave_the_name(email):
    contact = fields.parse(
        card(("Ms. Jane O'Neil-Smith, PhD", 48), "Senior Partner", email)
    )

    assert contact.name.full == "Ms. Jane O'Neil-Smith"
    assert contact.name.prefix == "Ms."
    assert contact.name.given == "Jane"
    assert contact.name.family == "O'Neil-Smith"


def test_words_joined_from_the_next_column_are_cut_off_the_name():
    contact = fields.parse(
        card(("Daria Asprucci Vos", 48), "Civil engineer", "dasprucci@segni.org")
    )

    assert contact.name.full == "Daria Asprucci"
    assert contact.name.family == "Asprucci"


def test_email_of_an_initial_and_a_two_word_family_name_keeps_the_given_names():
    contact = fields.parse(
        card(("Arthur Miguel Casa Grande", 48), "acasagrande@limacastro.org")
    )

    assert contact.name.full == "Arthur Miguel Casa Grande"
    assert (contact.name.given, contact.name.family) == ("Arthur Miguel", "Casa Grande")


def test_email_of_two_names_still_drops_the_words_before_them():
    contact = fields.parse(card(("Ubi Ana Lima", 48), "ana.lima@limalabs.com"))

    assert contact.name.full == "Ana Lima"


def test_email_with_the_given_name_only_leaves_the_name_whole():
    contact = fields.parse(
        card(("Dr. Cheryl Wood", 48), "Consultant", "cheryl@cookbarker.biz")
    )

    assert contact.name.full == "Dr. Cheryl Wood"


def test_logo_marks_before_the_name_are_dropped():
    contact = fields.parse(card(("(es _ > Janice Rowley", 48), "janice.rowley@pc.net"))

    assert contact.name.full == "Janice Rowley"


def test_particles_the_email_spells_keep_the_given_name():
    contact = fields.parse(
        card(("Max van der Veiver", 48), "Editor", "vanderveiver@oostendorp.com")
    )

    assert contact.name.full == "Max van der Veiver"


def test_website_ocr_rated_as_noise_is_kept_and_backed_by_the_email():
    lines = card(("Ana Lima", 48), "ana@limalabs.com")
    lines.append(Line("https //limalabs.com", 60, 200, 220, 20, 0.1))

    contact = fields.parse(lines)

    assert list(contact.websites) == ["https://limalabs.com"]
    assert contact.confidence["websites"] >= fields.REVIEW_THRESHOLD


def test_phone_number_ocr_rated_as_noise_is_kept_and_flags_the_card():
    lines = card(("Laura Riggs", 48), "Designer, jewellery", "Fax: +61223458889")
    lines.append(Line("0451-337-4200", 60, 200, 180, 20, 0.0))

    contact = fields.parse(lines)

    assert [p.number for p in contact.phones] == ["+61223458889", "0451-337-4200"]
    assert contact.needs_review


def test_digits_without_gaps_ocr_rated_as_noise_stay_out():
    lines = card(("Laura Riggs", 48), "Designer, jewellery", "Fax: +61223458889")
    lines.append(Line("4006381333931", 60, 200, 180, 20, 0.0))

    contact = fields.parse(lines)

    assert [p.number for p in contact.phones] == ["+61223458889"]
    assert not contact.needs_review


@pytest.mark.parametrize(
    ("read", "doubted"),
    [
        # A two-column card's phone beside the name, read as garbage.
        ("Ana Carolina Pastor TM2@1436369:7936", True),
        # A speck read as a digit or two is no number.
        ("Ana Carolina Pastor ™2", False),
    ],
)
def test_digits_of_a_number_cut_off_the_names_line_flag_the_card(read, doubted):
    contact = fields.parse(
        card(
            (read, 48),
            "Geofísico espacial",
            "Duarte",
            "a.pastor@duarte.com",
            "https://www.duarte.com",
        )
    )

    assert contact.name.full == "Ana Carolina Pastor"
    assert contact.needs_review is doubted


@pytest.mark.parametrize(
    ("company", "doubted"),
    [("Cardoso Alves S", True), ("Cardoso Alves S.A.", False)],
)
def test_a_company_whose_legal_form_ocr_cut_to_a_letter_flags_the_card(
    company, doubted
):
    contact = fields.parse(
        card(
            (company, 30),
            ("Ana Carolina Freitas", 48),
            "Avaliador fisico",
            "anacarolina@cardosoalvessa.io",
        )
    )

    assert contact.company == company
    assert contact.needs_review is doubted


def test_a_department_a_letter_off_the_firms_domain_stays_the_department():
    contact = fields.parse(
        card(
            ("Cécile Godard", 48),
            "technicien paysagiste",
            "Sales",
            "Alves",
            "cecile.godard@alves.org",
            "www.alves.org",
        )
    )

    assert (contact.company, contact.department) == ("Alves", "Sales")


def test_web_developer_is_a_title_not_a_website():
    contact = fields.parse(
        card(("Tom Baker", 48), "Web Developer", "tom@bakerworks.io", "bakerworks.io")
    )

    assert contact.title == "Web Developer"
    assert list(contact.websites) == ["bakerworks.io"]


def test_email_domain_alone_is_no_website():
    contact = fields.parse(card(("Tom Baker", 48), "Designer", "tom@bakerworks.io"))

    assert list(contact.emails) == ["tom@bakerworks.io"]
    assert list(contact.websites) == []


def test_mobile_and_office_numbers_keep_their_labels():
    contact = fields.parse(
        card(
            ("Eva Braun", 48),
            "Mobil: +49 151 23456789",
            "Büro: +49 30 12345678",
        )
    )

    assert phone_types(contact) == {
        "+4915123456789": contact_pb2.PHONE_TYPE_MOBILE,
        "+493012345678": contact_pb2.PHONE_TYPE_WORK,
    }


def test_unlabelled_number_is_the_work_number_whatever_its_range():
    contact = fields.parse(card(("Eva Braun", 48), "+49 151 23456789"))

    assert phone_types(contact) == {"+4915123456789": contact_pb2.PHONE_TYPE_WORK}
    assert contact.confidence["phones"] > 0.75


def test_two_numbers_on_a_centred_line_with_no_label_are_both_kept():
    contact = fields.parse(
        card(
            ("Asier Goikoetxea", 48),
            "Arquitecto",
            "48011 Bilbao",
            "944 23 78 10  ·  656 12 88 04",
        )
    )

    assert [p.number for p in contact.phones] == ["944 23 78 10", "656 12 88 04"]
    assert contact.address.city == "Bilbao"


def test_a_mobile_with_no_label_beside_the_labelled_office_line_is_the_mobile():
    contact = fields.parse(
        card(
            ("Asier Goikoetxea", 48),
            "48011 Bilbao",
            "Telf. 944 23 78 10 | 656 12 88 04",
            "asier@goikoetxea-arq.es",
        )
    )

    assert phone_types(contact) == {
        "944 23 78 10": contact_pb2.PHONE_TYPE_WORK,
        "656 12 88 04": contact_pb2.PHONE_TYPE_MOBILE,
    }


def test_number_after_words_no_label_list_holds_is_typed_by_libphonenumber():
    contact = fields.parse(card(("Eva Braun", 48), "Signal: +49 151 23456789"))

    assert phone_types(contact) == {"+4915123456789": contact_pb2.PHONE_TYPE_MOBILE}


@pytest.mark.parametrize("label", ["Fax", "F", "Telefax", "fax."])
def test_fax_number_is_typed_fax(label):
    contact = fields.parse(
        card(("Eva Braun", 48), "T +44 20 7946 0958", f"{label} +44 20 7946 0959")
    )

    assert phone_types(contact) == {
        "+442079460958": contact_pb2.PHONE_TYPE_WORK,
        "+442079460959": contact_pb2.PHONE_TYPE_FAX,
    }


def test_tagline_in_capitals_is_not_taken_for_the_name():
    contact = fields.parse(
        card(
            ("Better Roads Ahead", 40),
            ("Marta Oliveira", 36),
            "Civil Engineer",
            "marta.oliveira@estradas.pt",
        )
    )

    assert contact.name.full == "Marta Oliveira"
    assert contact.title == "Civil Engineer"


def test_email_and_website_on_one_line_are_both_found():
    contact = fields.parse(
        card(("Sam Reed", 48), "sam@reedco.com | www.reedco.com", "Reed & Co")
    )

    assert list(contact.emails) == ["sam@reedco.com"]
    assert list(contact.websites) == ["www.reedco.com"]
    assert contact.company == "Reed & Co"


def test_address_over_three_lines_is_joined_with_its_parts():
    contact = fields.parse(
        card(
            ("Ann Cole", 48),
            "Office Manager",
            "ann@colefreight.com",
            "Harbour House, Suite 400",
            "1200 Market Street",
            "San Francisco, CA 94103",
        )
    )

    address = contact.address
    assert address.full == (
        "Harbour House, Suite 400, 1200 Market Street, San Francisco, CA 94103"
    )
    assert address.postal_code == "94103"
    assert address.city == "San Francisco"
    assert address.region == "CA"
    assert address.country == "US"


def test_european_address_gives_street_postal_code_and_city():
    contact = fields.parse(
        card(
            ("Eva Braun", 48),
            "Hauptstraße 12",
            "10115 Berlin",
            "Tel. +49 30 1234567",
        )
    )

    assert contact.address.street == "Hauptstraße 12"
    assert contact.address.postal_code == "10115"
    assert contact.address.city == "Berlin"
    assert contact.address.country == "DE"


def test_address_of_a_country_known_by_its_phone_numbers_gets_its_postcode():
    contact = fields.parse(
        card(
            ("Priya Nair", 48),
            "Senior Engineer",
            "Tel +91 80 2852 0261",
            "4th Floor, Tower B, Electronic City",
            "Bengaluru, Karnataka 560100",
            "India",
        )
    )

    address = contact.address
    assert address.full == (
        "4th Floor, Tower B, Electronic City, Bengaluru, Karnataka 560100, India"
    )
    assert (address.postal_code, address.city, address.region, address.country) == (
        "560100",
        "Bengaluru",
        "Karnataka",
        "IN",
    )


@pytest.mark.parametrize(
    ("rows", "postal_code", "city"),
    [
        # Under the town under its street.
        (
            ["12 FC Road", "Pune", "PIN: 411005", "Tel +91 20 2553 1234"],
            "411005",
            "Pune",
        ),
        # Under a title: no address, and no city named "Manager".
        (["Manager", "〒530-0001", "Tel +81 6 6345 0000"], "", ""),
    ],
)
def test_a_code_alone_that_only_the_cards_country_tells_wants_a_street_above(
    rows, postal_code, city
):
    contact = fields.parse(card(("Aiko Suzuki", 48), *rows))

    assert (contact.address.postal_code, contact.address.city) == (postal_code, city)


@pytest.mark.parametrize(
    ("rows", "street", "postal_code", "city"),
    [
        # A street word, on the line above.
        (["Havnevej 3", "8276 Hammel"], "Havnevej 3", "8276", "Hammel"),
        # A street's name and number, on the line above or before the code;
        # the phone's eight digits, a Brazilian postcode's shape, tell no
        # country.
        (
            ["Phone | 97674632", "Borgerstræde 782", "5102 Jyllinge"],
            "Borgerstræde 782",
            "5102",
            "Jyllinge",
        ),
        (
            ["Mobile | 84708551", "Nielsenstranda 28, 6110 Sebastianhelle"],
            "Nielsenstranda 28",
            "6110",
            "Sebastianhelle",
        ),
        # No street: four digits and words are no address.
        (["Sales Director", "1500 Partners Worldwide"], "", "", ""),
        # Six digits beside a town, after the street or under it.
        (
            ["P 0261 747 885", "Soseaua Marian Pop Nr. 335, Fieni, 548888"],
            "Soseaua Marian Pop Nr. 335",
            "548888",
            "Fieni",
        ),
        (
            ["Cr. 109 # 97-34 Sur", "Oficina 48, 234993, Planeta Rica, Córdoba"],
            "Cr. 109 # 97-34 Sur",
            "234993",
            "Planeta Rica",
        ),
        # A code that needs its street gives way to one that does not.
        (
            ["Hauptstraße 5", "10115 Berlin", "Treptow 123456"],
            "Hauptstraße 5",
            "10115",
            "Berlin",
        ),
        # A number after its label is none.
        (["12 High Street", "Springfield", "Member 123456"], "12 High Street", "", ""),
    ],
)
def test_a_code_of_no_country_known_beside_or_under_its_street_is_taken(
    rows, street, postal_code, city
):
    contact = fields.parse(card(("Hans Carlsen", 48), *rows, "hans@carlsen.io"))

    address = contact.address
    assert (address.street, address.postal_code, address.city) == (
        street,
        postal_code,
        city,
    )
    assert address.country == ""


@pytest.mark.parametrize(
    ("rows", "street", "postal_code", "city"),
    [
        # Slogans and quantities under a street, on cards of no known country.
        (["Storgata 12", "2500 fornøyde kunder"], "Storgata 12", "", ""),
        (["88 Main Street", "1500 Happy Customers"], "88 Main Street", "", ""),
        (["Hauptstr. 5", "2000 qm Ausstellung"], "Hauptstr. 5", "", ""),
        # A name with a number is no street to make a code of the line under it.
        (["Etasje 3", "1250 Partnere i Norden"], "", "", ""),
        # A reference's or a post box's number, whatever town follows it.
        (["Shop 4, Station Road", "Ref 334455, Pune"], "Shop 4, Station Road", "", ""),
        (["Al Tahlia Street", "P.O. Box 123456, Jeddah"], "Al Tahlia Street", "", ""),
        # A channel's name is no Colombian street.
        (["TV 2 Danmark A/S", "Kavalergården 6", "3300 Frederiksværk"],
         "Kavalergården 6", "3300", "Frederiksværk"),
    ],
)  # fmt: skip
def test_numbers_beside_words_that_name_no_town_make_no_postcode(
    rows, street, postal_code, city
):
    contact = fields.parse(card(("Nora Bakken", 48), *rows, "nora@bakken.com"))

    address = contact.address
    assert (address.street, address.postal_code, address.city) == (
        street,
        postal_code,
        city,
    )


def test_a_code_beside_no_street_does_not_displace_the_cards_own_country_code():
    contact = fields.parse(
        card(
            ("Aroha Williams", 48),
            "Over 15000 homes built",
            "+64 9 555 1234",
            "Level 5, 1 Queen Street",
            "Auckland 1010",
        )
    )

    address = contact.address
    assert (address.postal_code, address.city, address.country) == (
        "1010",
        "Auckland",
        "NZ",
    )


def test_a_title_beside_a_region_under_a_street_stays_out_of_the_address():
    contact = fields.parse(
        card(
            "Level 3, 20 Bond Street",
            ("Sarah Mitchell", 48),
            "Regional Manager, Queensland",
            "+61 7 3000 1234",
        )
    )

    assert contact.address.full == "Level 3, 20 Bond Street"
    assert contact.title == "Regional Manager, Queensland"


def test_a_company_number_in_a_postcodes_shape_makes_no_address():
    contact = fields.parse(
        card(
            ("Eva de Vries", 48),
            "Keizersgracht 123",
            "1015 CJ Amsterdam",
            "KvK 12345678",
        )
    )

    assert contact.address.full == "Keizersgracht 123, 1015 CJ Amsterdam"
    assert list(contact.phones) == []


@pytest.mark.parametrize(
    ("rows", "code", "city"),
    [
        (
            ["12 Station Road", "Bristol BS1 6QH", "Company No. 08123456"],
            "BS1 6QH",
            "Bristol",
        ),
        (
            [
                "12 Station Road",
                "Bristol BS1 6QH",
                "Registered in England & Wales No. 08123456. VAT No. GB 142 6789 01",
            ],
            "BS1 6QH",
            "Bristol",
        ),
        (
            [
                "3 rue de l'Artisanat",
                "35510 Cesson-Sévigné",
                "SARL au capital de 50 000 € – RCS Rennes 512 345 678 – "
                "SIRET 512 345 678 00024",
            ],
            "35510",
            "Cesson-Sévigné",
        ),
        (
            ["Gewerbepark 3", "04416 Markkleeberg", "Handelsregister 30123456"],
            "04416",
            "Markkleeberg",
        ),
    ],
)
def test_a_registration_footer_is_no_postal_line_nor_the_company(rows, code, city):
    contact = fields.parse(card(("Hannah Clarke", 48), *rows))

    assert (contact.address.postal_code, contact.address.city) == (code, city)
    assert contact.address.street == rows[0]
    assert contact.company == ""


def test_a_year_in_the_shape_of_a_postcode_makes_no_address():
    contact = fields.parse(
        card(
            ("Aroha Smith", 48),
            "Manager",
            "Since 1987",
            "12 Queen Street",
            "Mob +64 21 555 678",
        )
    )

    assert contact.address.full == "12 Queen Street"
    assert contact.address.postal_code == ""


@pytest.mark.parametrize(
    ("printed", "e164"),
    [
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+31 (0)20 123 4567", "+31201234567"),
        ("0049 30 1234567", "+49301234567"),
        ("0033 1 42 68 53 00", "+33142685300"),
    ],
)
def test_trunk_and_international_prefixes_become_e164(printed, e164):
    contact = fields.parse(card(("Eva Braun", 48), f"Tel. {printed}"))

    assert [p.number for p in contact.phones] == [e164]
    assert contact.phones[0].raw == printed


def test_extension_is_kept_apart_from_an_e164_number():
    contact = fields.parse(card(("Eva Braun", 48), "Tel. +1 415 555 0100 ext. 12"))

    assert contact.phones[0].number == "+14155550100"
    assert contact.phones[0].extension == "12"


def test_an_extension_after_an_italian_mark_is_the_extension_not_the_title():
    contact = fields.parse(card(("Ann Lee", 48), "Tel. 02 8645 1234 int. 214"))

    assert contact.phones[0].extension == "214"
    assert contact.title == ""


LEIPZIG_CARD = (
    ("Klaus Weber", 48),
    "Vertriebsleiter",
    "Weber Maschinenbau GmbH",
    "Hauptstraße 5",
    "04109 Leipzig",
    "k.weber@weber-maschinenbau.de",
)


@pytest.mark.parametrize(
    ("main", "more", "kind", "number"),
    [
        ("Tel. 0341 35 40 60", "Durchwahl: 35 40 6-24", 2, "0341 35 40 6-24"),
        ("Tel. 0341 35 40 60", "Fax 35 40 61", 3, "0341 35 40 61"),
        ("Tel. +49 341 35 40 60", "Durchwahl 35 40 6-24", 2, "+493413540624"),
    ],
)
def test_a_number_printed_without_its_area_code_gets_the_main_numbers(
    main, more, kind, number
):
    contact = fields.parse(card(*LEIPZIG_CARD, main, more))

    assert [p.number for p in contact.phones][1:] == [number]
    assert contact.phones[1].type == kind
    assert contact.phones[1].raw == more.split(" ", 1)[1].lstrip(": ")
    # Completed from another number, for a reader to check.
    assert contact.needs_review


@pytest.mark.parametrize(
    ("main", "direct", "number"),
    [
        ("Tel. 0711/35406-0", "Durchwahl: 35406-24", "0711/35406-24"),
        ("Tel. (0711) 35406-0", "Durchwahl: 35406-24", "(0711) 35406-24"),
        # Spaced, where nothing tells the country, the area code's length
        # is unknown.
        ("Tel. 0711 35406-0", "Durchwahl: 35406-24", "35406-24"),
        # Printed after the slash that sets the area code apart.
        ("Tel. 0711/35406-0", "Durchwahl: /35406-24", "0711/35406-24"),
        ("Tel. (0711) 35406-0", "Durchwahl: /35406-24", "(0711) 35406-24"),
    ],
)
def test_a_number_setting_its_area_code_apart_gives_it_whatever_the_country(
    main, direct, number
):
    contact = fields.parse(
        card(
            ("Hans Müller", 48),
            "Beispiel GmbH",
            "Königstraße 10",
            "70173 Stuttgart",
            main,
            direct,
        )
    )

    assert [(p.number, p.raw) for p in contact.phones][1:] == [(number, "35406-24")]
    assert contact.needs_review


@pytest.mark.parametrize(
    "extension", ["Durchwahl: -24", "Durchwahl: /24", "Durchwahl / 24"]
)
def test_a_direct_lines_digits_after_the_area_codes_slash_replace_the_zero(
    extension,
):
    contact = fields.parse(
        card(
            ("Hans Müller", 48),
            "Beispiel GmbH",
            "Königstraße 10",
            "70173 Stuttgart",
            "Tel. 0711/35406-0",
            extension,
        )
    )

    assert [p.number for p in contact.phones] == ["0711/35406-0", "0711/35406-24"]
    assert contact.needs_review


def test_a_local_number_of_another_exchange_is_not_completed():
    contact = fields.parse(card(*LEIPZIG_CARD, "Tel. 0341 35 40 60", "Fax 2 18 44 90"))

    assert [p.number for p in contact.phones] == ["0341 35 40 60", "2 18 44 90"]


def test_an_extension_alone_on_its_line_extends_the_main_number():
    contact = fields.parse(card(*LEIPZIG_CARD, "Tel. 0341 35 40 60", "Durchwahl: 24"))

    assert [(p.number, p.extension) for p in contact.phones] == [
        ("0341 35 40 60", "24")
    ]
    assert contact.title == "Vertriebsleiter"


def test_hours_after_a_number_are_no_field_of_their_own():
    contact = fields.parse(
        card(("Klaus Weber", 48), "Weber GmbH", "Tel 030 1234567 / 24h", "kw@weber.de")
    )

    assert [p.number for p in contact.phones] == ["030 1234567"]
    assert contact.address.full == ""


def test_a_booths_number_alone_is_no_extension():
    contact = fields.parse(card(*LEIPZIG_CARD, "Tel. 0341 35 40 60", "#12"))

    assert [(p.number, p.extension) for p in contact.phones] == [("0341 35 40 60", "")]


def test_a_direct_lines_digits_replace_the_switchboards_zero():
    contact = fields.parse(card(*LEIPZIG_CARD, "Tel. 0341 35406-0", "Durchwahl -24"))

    assert [p.number for p in contact.phones] == ["0341 35406-0", "0341 35406-24"]
    assert contact.needs_review


def test_number_without_country_stays_as_printed_with_its_extension():
    contact = fields.parse(card(("Eva Braun", 48), "Phone (415) 555-0100 x12"))

    assert contact.phones[0].number == "(415) 555-0100 x12"
    assert contact.phones[0].extension == "12"


@pytest.mark.parametrize(
    "printed",
    [
        "ana.lima @ limalabs.com",
        "ana.lima@limalabs. com",
        "ana.lima(at)limalabs.com",
        "ana.lima © limalabs.com",
        "ana.lima@limalabs.com.",
        "E-mail: ana.lima@limalabs.com;",
    ],
)
def test_ocr_damage_in_emails_is_repaired(printed):
    contact = fields.parse(card(("Ana Lima", 48), printed))

    assert list(contact.emails) == ["ana.lima@limalabs.com"]


def test_zeros_before_no_country_code_stay_as_printed():
    contact = fields.parse(card(("Eva Braun", 48), "Fax. 004-9634856"))

    assert [p.number for p in contact.phones] == ["004-9634856"]
    assert contact.phones[0].type == contact_pb2.PHONE_TYPE_FAX


@pytest.mark.parametrize(
    ("read", "email"),
    [
        ("j-hull@rodriguezllc.io", "j.hull@rodriguezllc.io"),
        ("r-hull@rodriguezllc.io", "r-hull@rodriguezllc.io"),
    ],
)
def test_dot_ocr_read_as_a_hyphen_after_a_js_tail_is_put_back(read, email):
    contact = fields.parse(
        card(
            ("Rodriguez LLC", 30),
            ("Jaclyn Hull", 48),
            "Publishing copy",
            read,
            "www.rodriguezllc.io",
        )
    )

    assert list(contact.emails) == [email]
    assert not contact.needs_review


def test_email_whose_at_was_misread_is_found_by_the_website_host():
    contact = fields.parse(
        card(("Ana Lima", 48), "Ana.lima Qlimalabs com", "www.limalabs.com")
    )

    assert list(contact.emails) == ["ana.lima@limalabs.com"]
    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD


def test_email_with_a_garbled_host_is_rebuilt_from_the_website():
    lines = card(("Ana Lima", 48), "www.limalabs.org")
    lines.append(Line("ana.lima@limaiabs:0rg,", 60, 200, 220, 20, 0.25))

    contact = fields.parse(lines)

    assert list(contact.emails) == ["ana.lima@limalabs.org"]
    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD


def test_capital_i_read_for_a_small_l_is_put_right_by_the_name():
    contact = fields.parse(card(("Lupe Bustos", 48), "Ibustos@feliu.es"))

    assert list(contact.emails) == ["lbustos@feliu.es"]


def test_company_a_letter_off_its_domain_is_doubted():
    contact = fields.parse(card(("Ana Lima", 48), "Limalabs Ltd", "ana@limalahs.com"))

    assert contact.company == "Limalabs Ltd"
    assert contact.confidence["company"] < fields.REVIEW_THRESHOLD
    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD
    assert contact.needs_review


def test_fields_spelled_out_by_each_other_are_trusted_despite_poor_ocr():
    lines = card(("Ana Lima", 48), "Limalabs Ltd")
    lines.append(Line("ana.lima@limalabs.com", 60, 200, 220, 20, 0.6))
    lines.append(Line("www.limalabs.com", 60, 230, 220, 20, 0.6))

    contact = fields.parse(lines)

    assert contact.confidence["emails"] >= fields.REVIEW_THRESHOLD
    assert contact.confidence["websites"] >= fields.REVIEW_THRESHOLD
    assert not contact.needs_review


def poorly_read_email(text: str, doubted: str) -> Line:
    """An email line OCR rated poorly, sure of every character but one."""
    characters = tuple(0.7 if c == doubted else 0.99 for c in text)
    return Line(text, 60, 200, 220, 20, 0.3, characters)


def test_separator_read_unsurely_keeps_a_spelled_out_email_doubted():
    lines = card(("Ana Lima", 48), "Limalabs Ltd", "www.limalabs.com")
    lines.append(poorly_read_email("ana-lima@limalabs.com", "-"))

    contact = fields.parse(lines)

    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD
    assert contact.needs_review


def test_letter_read_unsurely_is_vouched_for_by_the_name_that_spells_it():
    lines = card(("Ana Lima", 48), "Limalabs Ltd", "www.limalabs.com")
    lines.append(poorly_read_email("ana.lima@limalabs.com", "m"))

    contact = fields.parse(lines)

    assert contact.confidence["emails"] >= fields.REVIEW_THRESHOLD


def test_local_part_no_name_spells_is_as_sure_as_its_characters():
    lines = card(("Ana Lima", 48), "Limalabs Ltd", "www.limalabs.com")
    lines.append(poorly_read_email("sales@limalabs.com", "l"))

    contact = fields.parse(lines)

    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD


def test_email_domain_a_letter_off_is_outvoted_by_website_and_company():
    contact = fields.parse(
        card(
            ("Reyes-Burns", 30),
            ("Samantha Sutton", 48),
            "samantha@reyesbums.co",
            "www.reyesburns.co",
        )
    )

    assert list(contact.emails) == ["samantha@reyesburns.co"]
    assert list(contact.websites) == ["www.reyesburns.co"]


def test_comma_read_for_a_dot_in_an_email_is_put_right():
    contact = fields.parse(card(("Miguel Rezende", 48), "miguel,rezende@moura.io"))

    assert list(contact.emails) == ["miguel.rezende@moura.io"]


def test_company_is_found_by_legal_form_and_department_apart():
    contact = fields.parse(
        card(
            ("Nordlicht Systeme GmbH", 30),
            ("Jonas Weber", 48),
            "Vertriebsleiter",
            "Vertrieb",
            "j.weber@nordlicht.de",
        )
    )

    assert contact.company == "Nordlicht Systeme GmbH"
    assert contact.department == "Vertrieb"
    assert contact.title == "Vertriebsleiter"


def test_company_keeps_its_last_word_where_the_domain_was_cut_short():
    contact = fields.parse(
        card(
            ("Morpurgo-Conte e figli", 30),
            ("Fabio Naccari", 48),
            "f@morpurgocontee.org",
        )
    )

    assert contact.company == "Morpurgo-Conte e figli"


def test_accented_name_is_backed_by_an_email_that_drops_the_accents():
    lines = card(("Dr. Adèle Lévy", 48), "Chemist")
    lines.append(Line("adle.lvy@texier.biz", 60, 200, 220, 20, 0.95))

    contact = fields.parse(lines)

    assert contact.confidence["name"] >= fields.REVIEW_THRESHOLD


def test_company_without_legal_form_is_found_by_the_email_domain():
    contact = fields.parse(
        card(("Bluefin", 30), ("Ola Nordmann", 48), "Buyer", "ola@bluefin.no")
    )

    assert contact.company == "Bluefin"


def test_logo_noise_is_ignored():
    lines = card(("Ana Lima", 48), "ana@limalabs.com")
    lines.append(Line("~ ;%' ,.-", 300, 20, 80, 40, 0.2))
    lines.append(Line("Il1|", 300, 80, 40, 40, 0.3))

    contact = fields.parse(lines)

    assert contact.name.full == "Ana Lima"
    assert list(contact.emails) == ["ana@limalabs.com"]
    assert contact.title == ""


@pytest.mark.parametrize(
    ("characters", "title"),
    [
        # Tesseract rated the word poorly but was sure of each letter.
        ((0.87, 0.95, 0.99, 0.97, 0.96, 0.98, 0.93, 0.9), "Bailarín"),
        ((0.4, 0.5, 0.3, 0.6, 0.5, 0.4, 0.3, 0.5), ""),
    ],
)
def test_a_word_rated_poorly_but_read_letter_by_letter_with_confidence_is_kept(
    characters, title
):
    lines = card(("Josefa Blasco", 48), "josefa.blasco@comercializado.com")
    lines.insert(1, Line("Bailarín", 60, 95, 112, 20, 0.11, characters))

    contact = fields.parse(lines)

    assert contact.title == title


def test_raw_text_holds_every_line():
    lines = card(("Ana Lima", 48), "ana@limalabs.com")

    contact = fields.parse(lines)

    assert contact.raw_text == "Ana Lima\nana@limalabs.com"


def test_every_field_set_has_a_confidence():
    contact = fields.parse(
        card(
            ("Ana Lima", 48),
            "Product Manager",
            "Marketing",
            "Lima Labs Ltd",
            "T +44 20 7946 0958",
            "ana@limalabs.com",
            "www.limalabs.com",
            "1 High Street, London EC1A 1BB",
        )
    )

    expected = {
        "name", "title", "department", "company", "phones", "emails", "websites",
        "address",
    }  # fmt: skip
    assert set(contact.confidence) == expected
    assert all(0 <= v <= 1 for v in contact.confidence.values())
    assert not contact.needs_review


def test_poorly_read_field_puts_the_contact_up_for_review():
    lines = card(("Ana Lima", 48), "Product Manager")
    lines.append(Line("ana@limalabs.com", 60, 200, 220, 20, 0.55))

    contact = fields.parse(lines)

    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD
    assert contact.needs_review


@pytest.mark.parametrize(
    ("rows", "numbers"),
    [
        # The switchboard's number printed again without the country.
        (("Tel. +49 341 35 40 60", "Vermittlung 0341 35 40 60"), ["+49341354060"]),
        (("Zentrale 0341 35 40 60", "Tel. +49 341 35 40 60"), ["+49341354060"]),
        # As a fax too, it is a fax all the same.
        (
            ("Tel. +49 341 35 40 60", "Fax 0341 35 40 60"),
            ["+49341354060", "0341 35 40 60"],
        ),
        # Another number of the same line stays.
        (
            ("Tel. +49 341 35 40 60", "Tel. 0341 35 40 61"),
            ["+49341354060", "0341 35 40 61"],
        ),
    ],
)
def test_a_number_printed_with_its_country_and_without_is_one(rows, numbers):
    contact = fields.parse(
        card(("Eva Braun", 48), *rows, "Musterstr. 1, 04109 Leipzig")
    )

    assert [p.number for p in contact.phones] == numbers


def test_a_card_read_without_a_name_needs_review():
    contact = fields.parse(
        card(("Limalabs Ltd", 48), "+44 20 7946 0958", "k.breen@limalabs.com")
    )

    assert (contact.name.full, contact.company) == ("", "Limalabs Ltd")
    assert all(v >= fields.REVIEW_THRESHOLD for v in contact.confidence.values())
    assert contact.needs_review


def test_nothing_read_gives_an_empty_contact_not_needing_review():
    contact = fields.parse([])

    assert contact == contact_pb2.Contact()


# Scans whose every printed field was checked by eye against the image.
CHECKED_SCANS = {
    "0032.jpg": {
        "name": ("Dr. Francesco Mannoia", "Dr.", "Francesco", "Mannoia"),
        "title": "Risk manager",
        "department": "Research",
        "company": "Trincavelli, Cassarà e Costanzi SPA",
        "phones": [("work", "+39377822746"), ("mobile", "+3904385013082")],
        "emails": ["francesco@trincavellicas.io"],
        "websites": ["https://trincavellicas.io"],
        "address": (
            "Viale Morena, 31 Appartamento 83, 66040, Montelapiano (CH)",
            "66040",
            "Montelapiano",
            "IT",
        ),
    },
    "0016.jpg": {
        "name": ("Mark Berger", "", "Mark", "Berger"),
        "title": "Energy manager",
        "department": "Research",
        "company": "Beard-Johnson",
        "phones": [
            ("work", "543-603-7079"),
            ("mobile", "+13007529749"),
            ("fax", "(818)575-8340"),
        ],
        "emails": ["mark@beardjohnson.co"],
        "websites": ["www.beardjohnson.co"],
        "address": (
            "118 Yang Mission, North Stevenville, NM 09682",
            "09682",
            "North Stevenville",
            "US",
        ),
    },
    "0052.png": {
        "name": ("Kevin Edwards", "", "Kevin", "Edwards"),
        "title": "Oceanographer",
        "department": "Finance",
        "company": "Ray-Hodges",
        "phones": [("work", "+17676445976"), ("mobile", "+19165842379")],
        "emails": ["kedwards@rayhodges.io"],
        "websites": ["https://www.rayhodges.io"],
        "address": (
            "81037 Alfred Spurs Apt. 980, South Timothychester, VA 45121",
            "45121",
            "South Timothychester",
            "US",
        ),
    },
}


def test_checked_sample_scans_read_into_exact_fields(sample_cards):
    from cardscan.jsonview import phone_type_name
    from ocr_service.reading import CardReader

    cards = {path.name: path for path, _ in sample_cards}
    with CardReader() as reader:
        for name, expected in CHECKED_SCANS.items():
            contact = fields.parse(reader.read(cards[name].read_bytes()))

            person = contact.name
            got_name = (person.full, person.prefix, person.given, person.family)
            assert got_name == expected["name"], name
            assert contact.title == expected["title"], name
            assert contact.department == expected["department"], name
            assert contact.company == expected["company"], name
            got_phones = [(phone_type_name(p.type), p.number) for p in contact.phones]
            assert got_phones == expected["phones"], name
            assert list(contact.emails) == expected["emails"], name
            assert list(contact.websites) == expected["websites"], name
            address = contact.address
            got_address = (
                address.full,
                address.postal_code,
                address.city,
                address.country,
            )
            assert got_address == expected["address"], name
            assert not contact.needs_review, name


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("ZE3 ODF", "ZE3 0DF"),
        ("NOA 6FB", "N0A 6FB"),
        ("PO1 2AB", "PO1 2AB"),
        # An Eircode holds no "O" after its first letter.
        ("K72VYOD", "K72VY0D"),
        ("DEQA 6YG", "DE0A 6YG"),
        # A British postcode ends in letters: a bracket there is a "J".
        ("WR5B 6W)", "WR5B 6WJ"),
    ],
)
def test_letters_read_for_postcode_digits_are_put_right(printed, code):
    contact = fields.parse(
        card(("Ann Cole", 48), "3 Hannah Ford", f"East Peter, {printed}")
    )

    assert contact.address.postal_code == code
    assert contact.address.full == f"3 Hannah Ford, East Peter, {code}"


@pytest.mark.parametrize(
    ("printed", "full"),
    [
        # A Dutch postcode ends in letters too.
        ("4082W), Rumpt", "Dexboulevard 706, 4082WJ, Rumpt"),
        # A comma read as a full stop after the code.
        ("4082WJ. Rumpt", "Dexboulevard 706, 4082WJ. Rumpt"),
    ],
)
def test_a_dutch_postcode_misread_at_its_end_is_put_right(printed, full):
    contact = fields.parse(
        card(("Elias Groen", 48), "elias@chubb.net", "Dexboulevard 706", printed)
    )

    assert contact.address.full == full
    assert (contact.address.postal_code, contact.address.city) == ("4082WJ", "Rumpt")


@pytest.mark.parametrize(
    "street",
    [
        "UNIT 5, 21 OLD MILL",
        "SUITE 3, 15 OLD BOND STREET",
        "UNIT 2, 12 OAK PARK",
        "Floor 2, 10 5TH",
        "Regent House, 12 2BD",
    ],
)
def test_a_british_street_in_capitals_holds_no_misread_postcode(street):
    contact = fields.parse(card(("Ann Cole", 48), "+44 114 4960233", street))

    assert contact.address.postal_code == ""


@pytest.mark.parametrize(
    "lines",
    [
        # Belgium's code after its letters, and a year before a word.
        ["Zeedijk 12", "B-8420 De Haan"],
        ["Dorpsstraat 12", "1234 AB Amsterdam", "Sinds 1921 De specialist"],
    ],
)
def test_a_dutch_card_takes_no_code_of_four_digits_and_a_word(lines):
    contact = fields.parse(card(("Pieter Bakker", 48), "+31 6 1234 5678", *lines))

    assert contact.address.postal_code not in ("8420 DE", "1921 DE")
    assert contact.address.country != "NL" or contact.address.postal_code == "1234 AB"


def test_girobanks_code_is_not_taken_for_a_misread_one():
    printed = "Santander, Bootle, GIR 0AA"
    contact = fields.parse(card(("Ann Cole", 48), "+44 118 4960233", printed))

    assert "G1R" not in contact.address.full
    assert contact.address.postal_code != "G1R 0AA"


@pytest.mark.parametrize(
    ("phone", "printed", "full"),
    [
        # The "S" a British code starts with, read as a "5".
        (
            "+44 118 4960233",
            "Hollyton, 575 4EF",
            "Studio 6, Charlotte Plains, Hollyton, S75 4EF",
        ),
        # Its last letters, read as digits.
        (
            "+44 118 4960233",
            "Hollyton, WA86 458",
            "Studio 6, Charlotte Plains, Hollyton, WA86 4SB",
        ),
        # A letter read for its district's digit, which the area it starts
        # with tells from a letter of the area, and for its inward digit.
        (
            "+44 118 4960233",
            "Terrychester, NSS 3WP",
            "Studio 6, Charlotte Plains, Terrychester, N5S 3WP",
        ),
        (
            "+44 118 4960233",
            "Leeds, LSI 4AP",
            "Studio 6, Charlotte Plains, Leeds, LS1 4AP",
        ),
        (
            "+44 118 4960233",
            "Williamsside, S7 SHN",
            "Studio 6, Charlotte Plains, Williamsside, S7 5HN",
        ),
    ],
)
def test_a_digit_read_for_a_postcodes_letter_is_put_right_where_the_phones_tell(
    phone, printed, full
):
    lines = ("Jacob Russell", phone, f"Studio 6, Charlotte Plains, {printed}")

    assert fields.parse(card(*lines)).address.full == full
    assert fields.parse(card(*lines[::2])).address.full != full


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        # A Dutch code's "O" read as a zero.
        ("89460V, Boxmeer", "8946OV"),
        # Its letters misread: a small last one, a stroke between them, an
        # "O" read twice.
        ("4528 Ij, Houtigehage", "4528 IJ"),
        ("5331I1J, Zaltbommel", "5331IJ"),
        ("2169G0O, Ee", "2169GO"),
    ],
)
def test_a_dutch_postcodes_misread_letters_are_put_right_by_its_phones_or_street(
    printed, code
):
    by_phone = (
        "Jacob Russell",
        "+31 494 389701",
        f"Studio 6, Charlotte Plains, {printed}",
    )
    under_street = ("Jacob Russell", "0494 389701", "Kicksteeg 47", printed)
    alone = ("Jacob Russell", "0494 389701", printed)

    assert fields.parse(card(*by_phone)).address.postal_code == code
    assert fields.parse(card(*under_street)).address.postal_code == code
    assert fields.parse(card(*under_street)).address.street == "Kicksteeg 47"
    assert fields.parse(card(*alone)).address.postal_code == ""


def test_a_dutch_street_named_with_steeg_or_pad_is_kept_though_its_code_is_misread():
    contact = fields.parse(
        card(
            ("Azra van de Darnau", 48),
            "Data scientist",
            "Cell: (090) 8638015",
            "Jadepad 349",
            "3422M6G, Bitgummole",
        )
    )

    assert contact.address.street == "Jadepad 349"
    assert contact.needs_review


@pytest.mark.parametrize(
    ("above", "postal_line", "department", "street"),
    [
        ("Finance", "90, rue Léger, 79257 Sainte Odette", "Finance", "90, rue Léger"),
        (
            "Marketing",
            "90, rue Léger, 79257 Sainte Odette",
            "Marketing",
            "90, rue Léger",
        ),
        # A name of no department over the number is the street's.
        ("Incrocio Renzo", "92, 13853, Crosa (BI)", "", "Incrocio Renzo, 92"),
    ],
)
def test_a_department_over_a_line_starting_with_its_house_number_is_no_street(
    above, postal_line, department, street
):
    contact = fields.parse(
        card(("Honoré Pinto", 48), "Professeur des écoles", above, postal_line)
    )

    assert contact.department == department
    assert contact.address.street == street


@pytest.mark.parametrize(
    ("read", "email", "name"),
    [
        ("Helena Ma rques", "helena.marques@mendonca.com", "Helena Marques"),
        ("Helena Ma rques Tel:", "helena.marques@mendonca.com", "Helena Marques"),
        # Two names the email runs together, each with its capital, stay two.
        ("Ana Paula Costa", "anapaula.costa@mendonca.com", "Ana Paula Costa"),
        # A particle in small letters starts a word of its own.
        ("Jet de Roos", "j.deroos@mendonca.com", "Jet de Roos"),
    ],
)
def test_a_space_ocr_read_inside_a_names_word_is_put_out_where_the_email_spells_it(
    read, email, name
):
    contact = fields.parse(card((read, 48), "Mosaísta", "Mendonça", email))

    assert contact.name.full == name
    assert contact.title == "Mosaísta"


def test_lines_without_height_still_parse():
    lines = [Line("Ana Lima", 0, 0, 0, 0, 0.9), Line("Designer", 0, 10, 0, 0, 0.9)]

    contact = fields.parse(lines)

    assert contact.name.full == "Ana Lima"
    assert contact.title == "Designer"


def test_fields_on_a_line_running_into_the_picture_edge_stay_doubted():
    lines = card(("Ana Lim", 48), "Limalabs Ltd", "ana.lima@limalabs.com")
    lines[0] = dataclasses.replace(lines[0], clipped=True)

    contact = fields.parse(lines)

    assert contact.name.full == "Ana Lim"
    assert contact.confidence["name"] < fields.REVIEW_THRESHOLD
    assert contact.confidence["emails"] >= fields.REVIEW_THRESHOLD
    assert contact.needs_review


def test_a_clipped_line_that_is_no_field_is_passed_over():
    # Logo scraps at a photo's top edge, as OCR read them on a real card.
    scraps = [
        Line("a", 125, 0, 79, 21, 0.22, clipped=True),
        Line("J b k", 314, 0, 124, 37, 0.54, clipped=True),
    ]
    lines = scraps + card(("Ana Lima", 48), "ana.lima@limalabs.com")

    contact = fields.parse(lines)

    assert contact.name.full == "Ana Lima"
    assert list(contact.emails) == ["ana.lima@limalabs.com"]


def test_number_that_lost_a_printed_digit_is_doubted():
    contact = fields.parse(card(("Ana Lima", 48), "Mobile +31 02-7912248"))

    assert contact.confidence["phones"] < fields.REVIEW_THRESHOLD


def line_of_words(*words: tuple[str, float], top: int = 200) -> Line:
    """One line of words, each with OCR's confidence in it."""
    text = " ".join(word for word, _ in words)
    confidences = []
    for word, confidence in words:
        confidences += [confidence] * (len(word) + 1)
    mean = sum(c for _, c in words) / len(words)
    return Line(text, 60, top, 300, 20, mean, (), tuple(confidences[:-1]))


def test_poorly_read_label_leaves_its_number_trusted():
    lines = card(("Ana Lima", 48), "Limalabs Ltd")
    lines.append(line_of_words(("Handy.", 0.2), ("(939)568-2202", 0.95)))

    contact = fields.parse(lines)

    assert contact.confidence["phones"] >= fields.REVIEW_THRESHOLD


def test_poorly_read_digits_leave_their_number_doubted():
    lines = card(("Ana Lima", 48), "Limalabs Ltd")
    lines.append(line_of_words(("Office", 0.97), ("+5591", 0.3), ("9260-5879", 0.95)))

    contact = fields.parse(lines)

    assert contact.confidence["phones"] < fields.REVIEW_THRESHOLD


@pytest.mark.parametrize(
    ("line", "street", "city", "region", "postal_code", "country"),
    [
        (
            "1 Market St, San Francisco, CA 94105, USA",
            "1 Market St",
            "San Francisco",
            "CA",
            "94105",
            "US",
        ),
        (
            "10 Downing Street, London SW1A 2AA, United Kingdom",
            "10 Downing Street",
            "London",
            "",
            "SW1A 2AA",
            "GB",
        ),
        (
            "1 Market St, Suite 300, San Francisco, CA 94105",
            "1 Market St, Suite 300",
            "San Francisco",
            "CA",
            "94105",
            "US",
        ),
    ],
)
def test_address_parts_around_the_city_stay_out_of_it(
    line, street, city, region, postal_code, country
):
    contact = fields.parse(card(("Ann Cole", 48), "ann@colefreight.com", line))

    address = contact.address
    assert (address.street, address.city, address.region) == (street, city, region)
    assert (address.postal_code, address.country) == (postal_code, country)
    assert address.full == line


def test_dutch_street_without_a_street_word_and_postcode_make_the_address():
    # "AB" after a postcode's digits is no Swedish company form, and a
    # street's name with its number above the postcode is its street.
    contact = fields.parse(
        card(
            ("Jan de Vries", 48),
            "Sales Manager",
            "Acme BV",
            "Damrak 1",
            "1012 AB Amsterdam, Nederland",
            "+31 20 123 4567",
        )
    )

    assert contact.title == "Sales Manager"
    assert contact.company == "Acme BV"
    address = contact.address
    assert address.full == "Damrak 1, 1012 AB Amsterdam, Nederland"
    assert (address.street, address.postal_code, address.city) == (
        "Damrak 1",
        "1012 AB",
        "Amsterdam",
    )
    assert address.country == "NL"


def test_name_with_a_number_is_no_street_where_no_postcode_follows():
    contact = fields.parse(
        card(("Jan de Vries", 48), "Damrak 1", "jan@devries.nl", "+31 20 123 4567")
    )

    assert contact.address.full == ""


@pytest.mark.parametrize(
    "email", ["bruce@jkd.com", "bruce.lee@gmail.com"], ids=["initials", "public"]
)
def test_company_without_a_legal_form_is_found_by_its_kind_or_initials(email):
    contact = fields.parse(
        card(("Bruce Lee", 48), "Head Instructor", "Jeet Kune Do Academy", email)
    )

    assert contact.name.full == "Bruce Lee"
    assert contact.title == "Head Instructor"
    assert contact.company == "Jeet Kune Do Academy"


def test_a_phone_under_an_unlisted_label_stays_out_of_the_address():
    contact = fields.parse(
        card(
            ("Reto Baumann", 48),
            "Helvetia Präzision AG",
            "Bahnhofstrasse 10",
            "8001 Zürich",
            "Schweiz",
            "Tel. +41 44 555 12 34",
            "Natel +41 79 555 67 89",
        )
    )

    assert phone_types(contact) == {
        "+41445551234": contact_pb2.PHONE_TYPE_WORK,
        "+41795556789": contact_pb2.PHONE_TYPE_MOBILE,
    }
    address = contact.address
    assert address.full == "Bahnhofstrasse 10, 8001 Zürich, Schweiz"
    assert (address.street, address.postal_code, address.city) == (
        "Bahnhofstrasse 10",
        "8001",
        "Zürich",
    )
    assert address.country == "CH"


def test_a_four_digit_postcode_is_told_by_the_country_printed_under_it():
    contact = fields.parse(
        card(
            ("Johann Gruber", 48),
            "Salzburger Straße 15",
            "5020 Salzburg",
            "Österreich",
        )
    )

    assert contact.address.postal_code == "5020"
    assert contact.address.city == "Salzburg"
    assert contact.address.country == "AT"


@pytest.mark.parametrize(
    ("rows", "name", "company"),
    [
        (
            [("STEFAN HOFFMANN", 48), "Vertriebsleiter", "Hoffmann GmbH"],
            "STEFAN HOFFMANN",
            "Hoffmann GmbH",
        ),
        (
            [("Łukasz Wróbel", 48), "Manager", "lukasz@wrobel.pl"],
            "Łukasz Wróbel",
            "",
        ),
        (
            [("Oliver Bennett BSc MRICS", 48), "Surveyor", "oliver@bennett.co.uk"],
            "Oliver Bennett",
            "",
        ),
    ],
)
def test_a_name_whose_family_the_domain_spells_stays_the_name(rows, name, company):
    contact = fields.parse(card(*rows, "stefan.hoffmann@hoffmann.de"))

    assert contact.name.full == name
    assert contact.company == company


def test_a_slogan_of_capitalised_words_is_not_taken_for_the_name():
    contact = fields.parse(
        card(
            ("Summit Realty Group", 40),
            "Your Home. Our Mission.",
            ("DAVID MILLER", 36),
            "Realtor",
            "david@summitrealty.com",
        )
    )

    assert contact.name.full == "DAVID MILLER"
    assert contact.company == "Summit Realty Group"


def test_a_word_of_the_company_before_its_domain_is_kept():
    contact = fields.parse(
        card(("Louise Martin", 48), "Institut Pasteur", "louise.martin@pasteur.fr")
    )

    assert contact.company == "Institut Pasteur"


def test_an_email_spelling_half_a_double_family_name_keeps_it_whole():
    contact = fields.parse(
        card(("Drs. Willemijn van der Meer-Bakker", 48), "w.vandermeer@firma.nl")
    )

    assert contact.name.full == "Drs. Willemijn van der Meer-Bakker"
    assert contact.name.family == "van der Meer-Bakker"


def test_a_company_ending_in_ing_above_the_street_stays_the_company():
    contact = fields.parse(
        card(
            ("Laura Bianchi", 48),
            "Catering Manager",
            "Bianchi Catering Ltd",
            "12 High Street",
            "Bath BA1 1AA",
            "laura@bianchicatering.co.uk",
        )
    )

    assert contact.company == "Bianchi Catering Ltd"
    assert contact.address.street == "12 High Street"
    assert contact.address.full == "12 High Street, Bath BA1 1AA"


@pytest.mark.parametrize(
    ("company", "email"),
    [
        ("O'Sullivan Engineering Ltd.", "declan@osullivan-eng.ie"),
        ("Thompson Structural Engineers, P.C.", "mark@thompson-se.com"),
        ("Great Lakes Manufacturing Co.", "jwalsh@glmco.com"),
        ("Grupo Consultores Asociados", "javier.martin@gca.es"),
        ("Lefebvre Frères", "jm.lefebvre@lefebvre-freres.fr"),
    ],
)
def test_company_with_a_word_titles_use_is_still_the_company(company, email):
    contact = fields.parse(card(("Ann Cole", 48), "Project Manager", company, email))

    assert contact.company == company
    assert contact.title == "Project Manager"


def test_a_generation_and_a_prefix_of_several_words_stay_with_the_name():
    jenkins = fields.parse(card(("Robert L. Jenkins Jr.", 48), "rjenkins@jwlaw.com"))
    meier = fields.parse(card(("Dr. sc. techn. Urs Meier", 48), "urs.meier@ethz.ch"))

    assert jenkins.name.full == "Robert L. Jenkins Jr."
    assert meier.name.full == "Dr. sc. techn. Urs Meier"
    assert meier.name.prefix == "Dr. sc. techn."


def test_a_name_in_capitals_keeps_its_given_name_the_email_leaves_out():
    contact = fields.parse(
        card(
            ("STEFAN HOFFMANN", 48),
            "Inhaber",
            "Hoffmann Elektrotechnik",
            "hoffmann@hoffmann-elektro.de",
        )
    )

    assert contact.name.full == "STEFAN HOFFMANN"
    assert contact.company == "Hoffmann Elektrotechnik"


@pytest.mark.parametrize(
    ("rows", "street", "postal_code", "city", "region"),
    [
        (
            ["3rd Floor, 45 King Street", "Manchester", "M2 4LQ"],
            "3rd Floor, 45 King Street",
            "M2 4LQ",
            "Manchester",
            "",
        ),
        (
            ["Rua Sergipe, 1200", "Savassi, Belo Horizonte/MG", "CEP 30130-171"],
            "Rua Sergipe, 1200, Savassi",
            "30130-171",
            "Belo Horizonte",
            "MG",
        ),
        (
            ["Av. Paulista, 1578", "Bela Vista - São Paulo/SP", "01310-200"],
            "Av. Paulista, 1578",
            "01310-200",
            "São Paulo",
            "SP",
        ),
    ],
)
def test_a_postcode_alone_under_its_city_ends_the_address(
    rows, street, postal_code, city, region
):
    contact = fields.parse(card(("Ann Cole", 48), *rows, "+44 161 496 0321"))

    address = contact.address
    assert address.full == ", ".join(rows)
    assert (address.street, address.postal_code) == (street, postal_code)
    assert (address.city, address.region) == (city, region)
    assert [p.raw for p in contact.phones] == ["+44 161 496 0321"]


def test_the_email_domain_tells_the_country_of_a_four_digit_postcode():
    contact = fields.parse(
        card(
            ("Nadine Keller", 48),
            "Berner Uhren GmbH",
            "Postfach 123",
            "3001 Bern",
            "T 031 555 66 77",
            "nadine.keller@berner-uhren.ch",
        )
    )

    address = contact.address
    assert (address.street, address.postal_code, address.city) == (
        "Postfach 123",
        "3001",
        "Bern",
    )
    assert address.country == "CH"


@pytest.mark.parametrize(
    ("printed", "email", "given", "family"),
    [
        (
            "María José García López",
            "mjgarcia@soluciones.es",
            "María José",
            "García López",
        ),
        ("Jordi Puig i Ferrer", "jpuig@textils.es", "Jordi", "Puig i Ferrer"),
        # An email that spells the given name and the first family name.
        ("Jordi Puig i Serra", "jordi.puig@textils.es", "Jordi", "Puig i Serra"),
    ],
)
def test_two_family_names_stay_whole_where_people_carry_two(
    printed, email, given, family
):
    contact = fields.parse(card((printed, 48), "Directora", email, "+34 91 555 12 34"))

    assert contact.name.full == printed
    assert (contact.name.given, contact.name.family) == (given, family)


@pytest.mark.parametrize(
    ("printed", "rows", "given", "family"),
    [
        # The email spells the first family name, particles follow it.
        (
            "Juan Carlos Martínez de la Fuente",
            ("Director", "jcmartinez@empresa.es"),
            "Juan Carlos",
            "Martínez de la Fuente",
        ),
        # No email: the word before the particle is a family name of its
        # own, unless it is a given name.
        (
            "Ana Sofia Pereira dos Santos",
            ("Diretora", "+351 21 123 4567"),
            "Ana Sofia",
            "Pereira dos Santos",
        ),
        (
            "Maria da Silva Santos",
            ("Diretora", "+55 11 3456-7890"),
            "Maria",
            "da Silva Santos",
        ),
        (
            "José María de la Cruz",
            ("Director", "+34 91 555 12 34"),
            "José María",
            "de la Cruz",
        ),
        # A particle before a given name is the given names'.
        (
            "María del Carmen García",
            ("Directora", "+34 91 555 12 34"),
            "María del Carmen",
            "García",
        ),
        (
            "Juan de Dios Pérez",
            ("Gerente", "Empresa S.L."),
            "Juan de Dios",
            "Pérez",
        ),
        (
            "María de los Ángeles Pérez",
            ("Gerente", "Empresa S.L."),
            "María de los Ángeles",
            "Pérez",
        ),
    ],
)
def test_family_names_with_particles_where_people_carry_two(
    printed, rows, given, family
):
    contact = fields.parse(card((printed, 48), *rows))

    assert (contact.name.given, contact.name.family) == (given, family)


def test_family_names_joined_by_i_stay_whole_where_nothing_tells_the_country():
    contact = fields.parse(
        card(("Mercè Rodoreda i Gurguí", 48), "merce.rodoreda@editorial.cat")
    )

    assert (contact.name.given, contact.name.family) == ("Mercè", "Rodoreda i Gurguí")


@pytest.mark.parametrize(
    ("printed", "rows", "given", "family"),
    [
        # Spanish words and a postcode and numbers of no country known.
        (
            "María Fernández Gil",
            (
                "Directora Comercial",
                "Calle Mayor 4",
                "28013 Madrid",
                "Tel. 912 345 678",
            ),
            "María",
            "Fernández Gil",
        ),
        (
            "Jordi Puig i Ferrer",
            ("Director", "Carrer de Mallorca, 255", "08008 Barcelona"),
            "Jordi",
            "Puig i Ferrer",
        ),
        # A Spanish number.
        ("Lucía Ortega Prieto", ("+34 91 555 12 34",), "Lucía", "Ortega Prieto"),
        # Nothing Spanish: the last word is the family name.
        (
            "Mary Ellen Smith",
            ("Director", "12 Main Street", "Springfield, IL 62704"),
            "Mary Ellen",
            "Smith",
        ),
    ],
)
def test_the_cards_language_tells_where_two_family_names_start(
    printed, rows, given, family
):
    contact = fields.parse(card((printed, 48), *rows))

    assert (contact.name.given, contact.name.family) == (given, family)


def test_a_word_after_the_family_name_is_cut_where_people_carry_one():
    contact = fields.parse(
        card(("Daria Asprucci Vos", 48), "dasprucci@segni.it", "+39 06 1234 5678")
    )

    assert contact.name.full == "Daria Asprucci"


def test_a_phone_label_after_the_name_is_no_second_family_name():
    contact = fields.parse(card(("Ana Lima Tel", 48), "ana.lima@firma.es"))

    assert contact.name.full == "Ana Lima"


def test_an_email_of_the_given_name_alone_keeps_a_prefix_of_several_words():
    contact = fields.parse(
        card(("dr inż. Anna Nowak", 48), "Kierownik Projektu", "anna@budimex.pl")
    )

    assert contact.name.full == "dr inż. Anna Nowak"
    assert contact.name.family == "Nowak"


def test_an_alberta_address_keeps_its_province_and_city():
    contact = fields.parse(
        card(("Ann Cole", 48), "500 Centre St S", "Calgary, AB T2P 3E8")
    )

    address = contact.address
    assert address.full == "500 Centre St S, Calgary, AB T2P 3E8"
    assert (address.city, address.region, address.postal_code) == (
        "Calgary",
        "AB",
        "T2P 3E8",
    )


def test_labels_of_two_languages_parted_by_a_slash_are_no_city():
    contact = fields.parse(
        card(
            ("Daniel Bouchard", 48),
            "235 Queen Street",
            "Ottawa ON  K1A 0H5",
            "Tel./Tél. 343-291-1872",
        )
    )

    assert contact.address.city == "Ottawa"
    assert phone_types(contact) == {"343-291-1872": contact_pb2.PHONE_TYPE_WORK}


def test_a_hotel_above_the_street_is_no_part_of_the_address():
    contact = fields.parse(
        card(
            ("Ann Cole", 48),
            "Aloha Grand Resort & Spa",
            "2259 Kalakaua Avenue",
            "Honolulu, HI 96815",
        )
    )

    assert contact.address.street == "2259 Kalakaua Avenue"


def test_a_country_line_in_its_own_language_ends_the_address():
    contact = fields.parse(
        card(("Anna Nowak", 48), "al. Grunwaldzka 472", "80-309 Gdańsk", "Polska")
    )

    assert contact.address.full == "al. Grunwaldzka 472, 80-309 Gdańsk, Polska"
    assert contact.address.country == "PL"
    assert contact.title == ""


def test_a_department_between_title_and_company_is_kept_apart():
    contact = fields.parse(
        card(
            ("Eva Braun", 48),
            "Engineer",
            "Structural Division",
            "Keystone Bridge & Rail Corp.",
            "eva@keystonebr.com",
        )
    )

    assert contact.title == "Engineer"
    assert contact.department == "Structural Division"
    assert contact.company == "Keystone Bridge & Rail Corp."


@pytest.mark.parametrize(
    ("rows", "full", "street", "city", "country"),
    [
        # Up to the country that ends them.
        (
            [
                ("Felipe Contreras", 48),
                "Minera Atacama SpA",
                "Av. Apoquindo 3846, of. 1201",
                "Las Condes, Santiago",
                "Chile",
            ],
            "Av. Apoquindo 3846, of. 1201, Las Condes, Santiago, Chile",
            "Av. Apoquindo 3846, of. 1201",
            "Santiago",
            "CL",
        ),
        # Up to a region of the card's country.
        (
            [
                ("Ahmed Al Mansouri", 48),
                "Gulf Trading LLC",
                "Tel +971 4 123 4567",
                "Office 1203, Bay Square Building 5",
                "Business Bay, Dubai",
            ],
            "Office 1203, Bay Square Building 5, Business Bay, Dubai",
            "Office 1203, Bay Square Building 5",
            "Dubai",
            "AE",
        ),
    ],
)
def test_places_under_a_street_with_no_postcode_join_it_up_to_where_they_end(
    rows, full, street, city, country
):
    contact = fields.parse(card(*rows))

    address = contact.address
    assert address.full == full
    assert (address.street, address.city, address.country) == (street, city, country)


def test_places_under_a_street_that_end_in_no_region_of_the_cards_country_stay_out():
    contact = fields.parse(
        card(
            ("Ahmed Al Mansouri", 48),
            "Tel +971 4 123 4567",
            "Office 1203, Bay Square Building 5",
            "Gulf Trading",
        )
    )

    assert contact.address.full == "Office 1203, Bay Square Building 5"
    assert contact.address.city == ""


def test_words_under_a_street_with_no_country_after_them_stay_out_of_it():
    contact = fields.parse(
        card(("Felipe Contreras", 48), "Av. Apoquindo 3846", "Minera Atacama")
    )

    assert contact.address.full == "Av. Apoquindo 3846"


def test_an_email_that_spells_umlauts_out_backs_the_whole_name():
    contact = fields.parse(
        card(
            ("Prof. Dr. med. Friedrich Oberländer", 48),
            "Chefarzt",
            "friedrich.oberlaender@uk-koeln.de",
        )
    )

    assert contact.name.full == "Prof. Dr. med. Friedrich Oberländer"
    assert contact.name.family == "Oberländer"


def test_a_department_ocr_misread_a_letter_of_is_spelled_right_and_doubted():
    contact = fields.parse(
        card(
            ("Stephanie Diaz", 48),
            "Communications engineer",
            "Marketüng",
            "Garcia Group",
            "sdiaz@garciagroup.com",
        )
    )

    assert contact.title == "Communications engineer"
    assert contact.department == "Marketing"
    assert contact.confidence["department"] <= crosscheck.MISREAD_TRUST


def test_a_one_word_company_a_look_alike_from_a_department_stays_the_company():
    contact = fields.parse(
        card(("Sam Green", 48), "Designer", "Financc", "sam@financc.com")
    )

    assert contact.company == "Financc"
    assert contact.department == ""


def test_a_universitys_institute_is_the_department():
    contact = fields.parse(
        card(
            ("Thomas Weber", 48),
            "Institut für Informatik",
            "Technische Universität Dresden",
            "thomas.weber@tu-dresden.de",
        )
    )

    assert contact.department == "Institut für Informatik"
    assert contact.company == "Technische Universität Dresden"


@pytest.mark.parametrize(
    ("rows", "street", "code", "city"),
    [
        (
            ["Incrocio Renzo", "92, 13853, Crosa (BI)"],
            "Incrocio Renzo, 92",
            "13853",
            "Crosa",
        ),
        (
            ["Canale Bottigliero", "516 Piano 8, 10043, Orbassano (TO)"],
            "Canale Bottigliero, 516 Piano 8",
            "10043",
            "Orbassano",
        ),
        (
            ["Level 1 731 Myers Pass", "Lake Randall, NSW, 2711"],
            "Level 1 731 Myers Pass",
            "2711",
            "Lake Randall",
        ),
        (
            ["Cuesta de Plácido Muro 4 Puerta 9", "La Coruña, 44710"],
            "Cuesta de Plácido Muro 4 Puerta 9",
            "44710",
            "La Coruña",
        ),
        (
            ["Vial Fortunato Diaz 634, Huesca", "23206"],
            "Vial Fortunato Diaz 634",
            "23206",
            "Huesca",
        ),
        (
            ["97298 Malik Lodge Apt. 622, Dannyshire", "WY 50051"],
            "97298 Malik Lodge Apt. 622",
            "50051",
            "Dannyshire",
        ),
        (
            ["Wesselboulevard 4, 5563 GQ", "Vethuizen"],
            "Wesselboulevard 4",
            "5563 GQ",
            "Vethuizen",
        ),
        (
            ["Via Maura, 52, 38080", "Caderzone (TN)"],
            "Via Maura, 52",
            "38080",
            "Caderzone",
        ),
        (
            ["Vicolo Baldassare, 4, 81055", "Santa Maria Capua Vetere (CE)"],
            "Vicolo Baldassare, 4",
            "81055",
            "Santa Maria Capua Vetere",
        ),
    ],
)
def test_an_address_split_over_two_lines_anywhere_is_whole(rows, street, code, city):
    contact = fields.parse(card(("Ana Lima", 48), "ana@limalabs.com", *rows))

    assert contact.address.full == ", ".join(rows)
    assert (
        contact.address.street,
        contact.address.postal_code,
        contact.address.city,
    ) == (
        street,
        code,
        city,
    )


def test_an_italian_province_after_the_city_is_no_at_sign():
    printed = "Piazza Bianca, 493 Piano 7, 14013, Monale (AT)"
    contact = fields.parse(card(("Ana Lima", 48), "ana@limalabs.com", printed))

    assert contact.address.full == printed
    assert contact.address.region == "AT"
    assert list(contact.emails) == ["ana@limalabs.com"]


def test_a_lone_one_over_its_street_is_the_house_number_not_a_stroke():
    contact = fields.parse(
        card(
            ("Ana Lima", 48),
            "ana@limalabs.com",
            "1",
            "rue Sylvie Jacques, 59633 Buisson",
        )
    )

    assert contact.address.street == "1, rue Sylvie Jacques"


def test_a_digit_a_logo_left_is_no_address():
    lines = [
        Line("7", 60, 20, 30, 120, 0.4),
        *card(("Ana Lima", 48), "ana@limalabs.com"),
    ]

    assert fields.parse(lines).address.full == ""


@pytest.mark.parametrize(
    ("rows", "street"),
    [
        (
            ["Trevo Bárbara Cunha", "Pongelupe, 74813023 Barbosa do Campo / AC"],
            "Trevo Bárbara Cunha",
        ),
        (
            ["Glorieta de Sabina Mendez", "17907 Asturias"],
            "Glorieta de Sabina Mendez",
        ),
    ],
)
def test_street_types_of_brazil_and_spain_start_a_street(rows, street):
    contact = fields.parse(card(("Ana Lima", 48), "ana@limalabs.com", *rows))

    assert contact.address.street == street


@pytest.mark.parametrize(
    ("printed", "email", "given", "family"),
    [
        ("Jort van 't Wel", "jort@rooijgroep.nl", "Jort", "van 't Wel"),
        ("Karlijn d' Heripon", "karlijn.dheripon@davidnv.nl", "Karlijn", "d' Heripon"),
        (
            "Milan van Hoevel en van Zwindrecht",
            "milan@debruyn.nl",
            "Milan",
            "van Hoevel en van Zwindrecht",
        ),
        (
            "Olivia van der Stael de Jonge",
            "ovanderstaeldejonge@pauw.nl",
            "Olivia",
            "van der Stael de Jonge",
        ),
    ],
)
def test_dutch_family_names_keep_all_their_particles(printed, email, given, family):
    contact = fields.parse(card("Pauw Groep", (printed, 48), "Video editor", email))

    assert contact.name.full == printed
    assert (contact.name.given, contact.name.family) == (given, family)


@pytest.mark.parametrize(
    ("rows", "street", "city", "region"),
    [
        (["USNS Wells", "FPO AP 89018"], "USNS Wells", "FPO", "AP"),
        (["PSC 4051, Box 3567", "APO AA 12345"], "PSC 4051, Box 3567", "APO", "AA"),
    ],
)
def test_a_military_post_office_keeps_its_unit_or_ship(rows, street, city, region):
    contact = fields.parse(card(("Ana Lima", 48), "ana@limalabs.com", *rows))

    address = contact.address
    assert (address.street, address.city, address.region) == (street, city, region)


def test_an_irish_eircode_after_a_street_is_no_phone_labelled_t():
    contact = fields.parse(
        card(("Ana Lima", 48), "ana@limalabs.ie", "70 Keightley Street T427232 Ville")
    )

    assert list(contact.phones) == []
    assert contact.address.postal_code == "T427232"


@pytest.mark.parametrize(
    ("company", "email"),
    [
        ("Office Depot", "ana@officedepot.com"),
        ("Department Store Group", "ana@dsg.com"),
    ],
)
def test_a_firm_named_after_an_english_kind_of_department_is_a_company(company, email):
    contact = fields.parse(card(company, ("Ana Lima", 48), "Buyer", email))

    assert contact.company == company
    assert contact.department == ""


def test_a_family_name_with_particles_stays_past_the_given_names_an_email_spells():
    contact = fields.parse(
        card(("Luiz Miguel da Conceição", 48), "Gerente", "luizmiguel@caldeira.com")
    )

    assert contact.name.full == "Luiz Miguel da Conceição"
    assert contact.name.family == "da Conceição"


@pytest.mark.parametrize("number", ["1", "11"])
def test_a_house_number_of_ones_lined_up_over_its_street_is_kept(number):
    street = "rue de Bègue, 46598 Buisson"
    lines = card(("Ana Lima", 48), "ana@limalabs.fr")
    # Right-aligned, as on a card set flush right.
    lines.append(Line(number, 400 - 14 * len(number), 150, 14 * len(number), 20, 0.9))
    lines.append(Line(street, 400 - 14 * len(street), 184, 14 * len(street), 20, 0.95))

    assert fields.parse(lines).address.street == f"{number}, rue de Bègue"


def test_a_brazilian_area_is_a_street_where_an_english_area_is_not():
    contact = fields.parse(
        card(
            ("Ana Lima", 48),
            "Area Manager",
            "ana@limalabs.com.br",
            "Área de Nunes",
            "Nova Granada, 61382-028 Casa Grande / PA",
        )
    )

    assert contact.title == "Area Manager"
    assert contact.address.street == "Área de Nunes"


@pytest.mark.parametrize(
    "printed",
    ["Vincent die Bont", "Mats Coreth von und zu Coredo und Starkenberg"],
)
def test_long_family_names_of_many_particles_are_names(printed):
    contact = fields.parse(
        card("Pauw Groep", (printed, 48), "Video editor", "info@pauw.nl")
    )

    assert contact.name.full == printed


@pytest.mark.parametrize(
    ("printed", "email"),
    [
        ("Ana Clara Freitas", "anaclara@caldeira.com"),
        ("Ole Martin Haugen", "ole.martin@fjord.no"),
    ],
)
def test_an_email_of_the_given_names_alone_leaves_the_family_name(printed, email):
    contact = fields.parse(card(("Gerente", 20), (printed, 48), email))

    assert contact.name.full == printed


@pytest.mark.parametrize(
    "rows",
    [
        ["Carlson Wagonlit", ("Ana Lima", 48), "Buyer", "Tel. 020 555 1234"],
        [
            ("Ana Lima", 48),
            "Buyer",
            "Research",
            "Carlson Wagonlit",
            "Tel. 020 555 1234",
        ],
    ],
)
def test_a_company_nothing_else_tells_is_taken_where_cards_print_it_and_doubted(rows):
    contact = fields.parse(card(*rows))

    assert contact.company == "Carlson Wagonlit"
    assert contact.confidence["company"] < fields.REVIEW_THRESHOLD
    assert contact.needs_review


@pytest.mark.parametrize(
    ("printed", "email", "name"),
    [
        (
            "Henry Gabriel Casa Grande",
            "henrygabriel@lima.com",
            "Henry Gabriel Casa Grande",
        ),
        ("Ana Júlia Sá", "anajulia@lima.com", "Ana Júlia Sá"),
        ("Ana Lima Marketing", "ana.lima@lima.com", "Ana Lima"),
    ],
)
def test_a_family_name_after_given_names_an_email_spells_is_kept_but_not_a_department(
    printed, email, name
):
    contact = fields.parse(card((printed, 48), "Gerente", email))

    assert contact.name.full == name


def test_a_given_name_ending_in_an_initial_is_a_name():
    contact = fields.parse(card(("Hans-H. Junken", 48), "Mechaniker", "info@firma.de"))

    assert contact.name.full == "Hans-H. Junken"


def test_a_brazilian_sole_trader_form_misread_is_put_right_from_the_domain():
    contact = fields.parse(
        card("Moraes - El", ("Ana Lima", 48), "Gerente", "ana@moraesei.com.br")
    )

    assert contact.company == "Moraes - EI"


@pytest.mark.parametrize(
    ("read", "domain", "company"),
    [
        ("lohnson-Baker", "johnsonbaker", "Johnson-Baker"),
        ("Fox, George and Tackson", "foxgeorgeandja", "Fox, George and Jackson"),
        (
            "Bonomo, Baro77i e Bragaglia",
            "bonomobarozzie",
            "Bonomo, Barozzi e Bragaglia",
        ),
        (
            "Great Lakes Insurance Brokers",
            "greatlakesib",
            "Great Lakes Insurance Brokers",
        ),
        ("Fogaça", "fogaa", "Fogaça"),
        ("Hughes, Wal! and Burton", "hugheswallandb", "Hughes, Wall and Burton"),
    ],
)
def test_company_letters_ocr_confuses_are_set_from_a_domain_email_and_site_agree_on(
    read, domain, company
):
    contact = fields.parse(
        card(read, ("Ana Lima", 48), f"ana@{domain}.com", f"www.{domain}.com")
    )

    assert contact.company == company
    if company != read:
        assert contact.confidence["company"] <= crosscheck.INITIAL_TRUST


def test_a_house_number_is_lined_up_with_its_street_past_a_speck_between():
    lines = card(("Ana Lima", 48), "ana@limalabs.fr")
    lines += [
        Line("1", 60, 150, 8, 20, 0.97),
        Line("|", 700, 160, 6, 30, 0.9),
        Line("boulevard de Gillet, 05904 Benard", 60, 184, 400, 20, 0.96),
    ]

    assert fields.parse(lines).address.street == "1, boulevard de Gillet"


def test_a_speck_under_a_postal_line_is_no_city():
    lines = card(
        ("Ana Lima", 48), "ana@limalabs.com", "6569 Sparks Club, Austin, TN 06750"
    )
    lines.append(Line("Co", 60, 400, 30, 40, 0.38))

    assert fields.parse(lines).address.full == "6569 Sparks Club, Austin, TN 06750"


def test_a_particle_an_email_happens_to_spell_does_not_end_the_name():
    contact = fields.parse(
        card("Koninklijke Konings", ("Sander van der Laar", 48), "sander@konings.nl")
    )

    assert contact.name.full == "Sander van der Laar"


def test_particles_make_a_name_no_less_a_name_than_a_company_of_two_words():
    contact = fields.parse(
        card(("Wolters Kluwer", 28), ("Damian van der Kint", 48), "Careers officer")
    )

    assert (contact.name.full, contact.company) == (
        "Damian van der Kint",
        "Wolters Kluwer",
    )


def test_a_given_name_starting_with_an_initial_is_a_name():
    contact = fields.parse(card(("H.-Dieter Faust", 48), "Mechaniker", "info@firma.de"))

    assert contact.name.full == "H.-Dieter Faust"


@pytest.mark.parametrize(
    "company",
    ["Consultoría Zrog S.Com.", "Distribuciones Gras S.C.P", "Weimer mbH", "Henk GbR"],
)
def test_more_spanish_and_german_legal_forms_make_a_company(company):
    contact = fields.parse(
        card(company, ("Ana Lima", 48), "Gerente", "Tel. 91 555 1234")
    )

    assert contact.company == company
    assert contact.confidence["company"] >= fields.REVIEW_THRESHOLD


@pytest.mark.parametrize(
    "rows",
    [
        [
            ("Daniela Ríos", 48),
            "Diseñadora",
            "Tel. 55 1234 5678",
            "d.rios@gmail.com",
            "Ciudad",
        ],
        ["Dal 1952", ("Alessandro Bianchi", 48), "Barista", "Tel. 06 1234 5678"],
        ["Quality you can trust", ("Ana Lima", 48), "Buyer", "Tel. 020 555 1234"],
    ],
)
def test_no_company_is_taken_by_place_from_a_slogan_a_year_or_past_contact_lines(rows):
    assert fields.parse(card(*rows)).company == ""


def test_a_lawyers_bar_number_under_the_title_leaves_the_firm_under_it_the_company():
    contact = fields.parse(
        card(
            ("Fernanda Lima", 48),
            "Advogada",
            "OAB/SP 245.118",
            "Lima Sociedade de Advogados",
        )
    )

    assert contact.title == "Advogada"
    assert contact.company == "Lima Sociedade de Advogados"


def test_an_office_of_a_field_of_work_is_the_department_over_its_organisation():
    contact = fields.parse(
        card(
            ("Marcus Bell", 48),
            "Program Analyst",
            "Office of Grants Management",
            "U.S. Department of Transportation",
        )
    )

    assert contact.department == "Office of Grants Management"
    assert contact.company == "U.S. Department of Transportation"


@pytest.mark.parametrize(
    ("rows", "department", "company"),
    [
        (
            [
                "Assistant Director",
                "Trade Policy Section",
                "Department of Foreign Affairs and Trade",
            ],
            "Trade Policy Section",
            "Department of Foreign Affairs and Trade",
        ),
        (
            [
                "Beleidsadviseur",
                "Directie Water en Bodem",
                "Ministerie van Infrastructuur en Waterstaat",
            ],
            "Directie Water en Bodem",
            "Ministerie van Infrastructuur en Waterstaat",
        ),
        (
            [
                "Universitetslektor",
                "Institutionen för datavetenskap",
                "Lunds universitet",
            ],
            "Institutionen för datavetenskap",
            "Lunds universitet",
        ),
    ],
)
def test_a_unit_under_the_title_is_the_department_and_its_organisation_the_company(
    rows, department, company
):
    contact = fields.parse(card(("Marloes de Jong", 48), *rows))

    assert (contact.title, contact.department) == (rows[0], department)
    assert contact.company == company


def test_a_firm_named_for_its_partner_is_the_company_and_the_partner_the_name():
    contact = fields.parse(
        card(
            ("José María Fernández de la Vega", 48),
            "Abogado",
            "Bufete Fernández de la Vega",
            "jmfernandez@bufetefv.com",
        )
    )

    assert contact.name.full == "José María Fernández de la Vega"
    assert contact.company == "Bufete Fernández de la Vega"


@pytest.mark.parametrize("printed", ["Karel d'Hondt", "Chiara dell'Acqua"])
def test_a_family_name_after_an_elided_particle_is_a_name(printed):
    contact = fields.parse(card(("Sommelier", 20), (printed, 48), "info@anker.be"))

    assert contact.name.full == printed


def test_an_email_of_the_given_names_alone_tells_where_the_family_name_starts():
    contact = fields.parse(
        card(("Arthur Miguel Casa Grande", 48), "arthurmiguel@lima.br")
    )

    assert (contact.name.given, contact.name.family) == ("Arthur Miguel", "Casa Grande")


def test_a_house_number_alone_under_its_street_name_is_kept():
    contact = fields.parse(
        card(("Ana Lima", 48), "ana@lima.ch", "Dorfstrasse", "1", "3920 Zermatt")
    )

    assert contact.address.street == "Dorfstrasse, 1"


@pytest.mark.parametrize(
    ("rows", "street", "code", "city", "region"),
    [
        (
            ["4910 50 Ave", "Yellowknife, NT", "X1A 1P8"],
            "4910 50 Ave",
            "X1A 1P8",
            "Yellowknife",
            "NT",
        ),
        (
            ["Av. Siempre Viva 123", "Santa Catarina, N.L.", "C.P. 66350"],
            "Av. Siempre Viva 123",
            "66350",
            "Santa Catarina",
            "N.L.",
        ),
        (
            ["Oudegracht 210", "3511 NR", "Utrecht"],
            "Oudegracht 210",
            "3511 NR",
            "Utrecht",
            "",
        ),
        (
            ["Rua da Aurora 325", "Recife/PE - CEP 51020-000"],
            "Rua da Aurora 325",
            "51020-000",
            "Recife",
            "PE",
        ),
    ],
)
def test_a_code_on_its_own_line_finds_its_city_and_region_around_it(
    rows, street, code, city, region
):
    address = fields.parse(card(("Ana Lima", 48), "ana@lima.com", *rows)).address

    assert address.full == ", ".join(rows)
    assert (address.street, address.postal_code, address.city, address.region) == (
        street,
        code,
        city,
        region,
    )


@pytest.mark.parametrize(
    "rows",
    [
        ["Paseo de Gracia, 85", "Principal 2ª", "08008 Barcelona"],
        ["Carrer de Mallorca, 401", "Baixos", "08013 Barcelona"],
    ],
)
def test_a_floor_or_door_between_the_street_and_the_code_keeps_the_street(rows):
    address = fields.parse(card(("Ana Lima", 48), "ana@lima.es", *rows)).address

    assert address.full == ", ".join(rows)
    assert address.street == ", ".join(rows[:2])


@pytest.mark.parametrize(
    ("street", "company", "postal", "full"),
    [
        (
            "Rambla de Encarna Barba 46",
            "Comercial Solano S.L.N.E",
            "Valencia, 12150",
            "Rambla de Encarna Barba 46, Valencia, 12150",
        ),
        # The street's name over the line its number starts.
        (
            "Trecho Lopes",
            "Dias - ME",
            "3, Vila Aeroporto, 38804-323 Campos Verde / PB",
            "Trecho Lopes, 3, Vila Aeroporto, 38804-323 Campos Verde / PB",
        ),
    ],
)
def test_a_company_read_between_the_street_and_the_code_is_passed_over(
    street, company, postal, full
):
    contact = fields.parse(
        card(("Leandro Palau", 48), "leandro@palau.biz", street, company, postal)
    )

    assert contact.company == company
    assert contact.address.full == full


def test_lines_of_another_column_read_between_address_lines_stay_out_of_the_address():
    # Two columns whose lines OCR gave in the order of their height on the
    # card: the left one's department and company fall between and after
    # the right one's street and town.
    left, right = 60, 540
    contact = fields.parse(
        [
            Line("+61 7 2013 5138", right, 60, 260, 18, 0.95),
            Line("Cynthia Peterson", left, 60, 330, 40, 0.95),
            Line("Freight forwarder", left, 120, 240, 20, 0.95),
            Line("041 Montgomery Loop", right, 120, 270, 20, 0.95),
            Line("Engineering", left, 145, 160, 26, 0.95),
            Line("Davidhaven, NT, 2136", right, 148, 280, 20, 0.95),
            Line("Fuller PLC", left, 181, 140, 20, 0.95),
        ]
    )

    assert contact.address.full == "041 Montgomery Loop, Davidhaven, NT, 2136"
    assert contact.address.city == "Davidhaven"
    assert contact.department == "Engineering"
    assert contact.company == "Fuller PLC"


def test_a_company_its_domain_spells_read_between_street_and_code_is_passed_over():
    contact = fields.parse(
        card(
            ("Tara Foster", 48),
            "tfoster@patrickjones.net",
            "691 Clarke Mills",
            "Patrick-Jones",
            "Port Dianafurt, MH 74226",
        )
    )

    assert contact.company == "Patrick-Jones"
    assert contact.address.full == "691 Clarke Mills, Port Dianafurt, MH 74226"


def test_a_company_the_address_is_in_the_care_of_stays_in_it():
    contact = fields.parse(
        card(("Eva Braun", 48), "Hauptstr. 5", "c/o Regus GmbH", "80331 München")
    )

    assert contact.address.full == "Hauptstr. 5, c/o Regus GmbH, 80331 München"


def test_digits_alone_rated_poorly_are_noise_however_sure_each_digit():
    rows = card(("Karl Bruder", 48), "0000000000", "kbruder@eberth.net")
    rows[1] = dataclasses.replace(rows[1], confidence=0.07, characters=(0.98,) * 10)

    assert list(fields.parse(rows).phones) == []


def test_a_number_read_digit_by_digit_with_confidence_is_no_noise():
    rows = card(("Karl Bruder", 48), "T| 0471397162", "kbruder@eberth.net")
    # Tesseract rates the line as a word poorly, each character well.
    rows[1] = dataclasses.replace(rows[1], confidence=0.07, characters=(0.98,) * 13)

    assert [p.number for p in fields.parse(rows).phones] == ["0471397162"]


def test_a_name_in_the_largest_type_its_own_domain_spells_is_the_person():
    contact = fields.parse(
        card(
            ("Chloe Nguyen", 48),
            "Illustrator",
            "hello@chloenguyen.design",
            "chloenguyen.design",
        )
    )

    assert (contact.name.full, contact.company) == ("Chloe Nguyen", "")
    assert list(contact.websites) == ["chloenguyen.design"]


def test_a_title_ending_in_a_word_some_domains_end_in_is_no_website():
    contact = fields.parse(
        card(("Ana Lima", 48), "Civil engineer, consulting", "ana@lima.com")
    )

    assert contact.title == "Civil engineer, consulting"
    assert list(contact.websites) == []


def test_a_name_and_a_title_of_two_capitalised_words_leave_the_name_the_person():
    contact = fields.parse(
        card(
            ("Chloe Nguyen", 48),
            "Graphic Designer",
            "PO Box 3321",
            "Fortitude Valley QLD 4006",
            "hello@chloenguyen.design",
        )
    )

    assert (contact.name.full, contact.company) == ("Chloe Nguyen", "")


def test_a_list_of_services_is_no_company_by_place():
    contact = fields.parse(
        card(
            ("Camille Bernard", 48),
            "Photographe",
            "Mariages • Portraits • Événements",
        )
    )

    assert contact.company == ""


@pytest.mark.parametrize(
    ("printed", "prefix", "given"),
    [
        ("Me Hélène Lefort", "Me", "Hélène"),
        ("Sgt. Michael Brown", "Sgt.", "Michael"),
        ("Maj Holmgren", "", "Maj"),
    ],
)
def test_a_french_lawyer_and_a_rank_with_its_dot_are_prefixes(printed, prefix, given):
    contact = fields.parse(card(("Avocate", 20), (printed, 48), "info@cabinet.fr"))

    assert (contact.name.prefix, contact.name.given) == (prefix, given)


def test_a_shop_named_for_its_kind_is_the_company_not_the_name():
    contact = fields.parse(
        card(
            "Bottega del Caffè",
            ("Alessandro Bianchi", 48),
            "Titolare",
            "Tel. 06 1234 5678",
        )
    )

    assert (contact.name.full, contact.company) == (
        "Alessandro Bianchi",
        "Bottega del Caffè",
    )


def test_an_industrial_estate_and_its_plot_are_the_street():
    rows = ["Polígono Industrial Ugaldeguren, Parcela 7", "48170 Zamudio, Bizkaia"]
    contact = fields.parse(card(("Ana Lima", 48), "ana@lima.es", *rows))

    assert contact.address.street == rows[0]


@pytest.mark.parametrize(
    "read",
    [
        "3° Seção",
        "3? Seção",
        "3è Seção",
        "3% Seção",
        "3 Seção",
        "3* Seçào",
        "33 Seção",
        "3ª Seção",
    ],
)
def test_a_brazilian_district_section_read_with_a_degree_sign_is_put_right(read):
    printed = (
        f"Ladeira de Leão, 953, Vila Nova Cachoeirinha {read}, 75985-607 Pereira / MG"
    )
    contact = fields.parse(card(("Ana Lima", 48), "ana@lima.com.br", printed))

    assert "Cachoeirinha 3ª Seção" in contact.address.full


def test_a_house_number_before_a_section_keeps_its_threes():
    printed = "Rua Lima, 33, Vila Nova 3ª Seção, 75985-607 Pereira / MG"
    contact = fields.parse(card(("Ana Lima", 48), "ana@lima.com.br", printed))

    assert contact.address.full == printed


@pytest.mark.parametrize(
    ("printed", "email"),
    [
        # OCR read the dot as a space; the name prints both pieces.
        ("stephen jackson@boothmurray.io", "stephen.jackson@boothmurray.io"),
        # A space read inside the local part, the initial and family name.
        ("sjack son@boothmurray.io", "sjackson@boothmurray.io"),
        # A word the card prints nowhere else stays out of the email.
        ("contact jackson@boothmurray.io", "jackson@boothmurray.io"),
        ("Stephen jackson@boothmurray.io", "jackson@boothmurray.io"),
    ],
)
def test_a_local_part_split_by_ocr_is_joined_where_the_name_spells_it(printed, email):
    contact = fields.parse(
        card(("Stephen Jackson", 48), "Booth-Murray", "Tel: (573) 745-2137", printed)
    )

    assert list(contact.emails) == [email]


def test_a_stroke_read_before_a_house_number_stays_out_of_the_street():
    contact = fields.parse(
        card(
            ("Noel Conaty", 48),
            "nconaty@dwanewilliams.co",
            "l 34 Mullany Street, Dublin 4, D04 X2Y3",
        )
    )

    assert contact.address.street == "34 Mullany Street"


def test_a_number_read_twice_is_one_phone():
    contact = fields.parse(
        card(
            ("Maria Nunes", 48),
            "M +55 49 6638-0329",
            "M +55 49 6638-0329",
            "m.nunes@souza.com",
        )
    )

    assert [(p.type, p.number) for p in contact.phones] == [
        (contact_pb2.PHONE_TYPE_MOBILE, "+554966380329")
    ]


def test_a_dotless_i_is_read_as_an_i_on_a_card_not_in_turkish():
    contact = fields.parse(
        card(
            ("Jacinto Valverde", 48),
            "Pulidor de vidrio",
            "+34 945 33 87 50",
            "Urbanızacıón Cristian González 63",
            "43793 Lugo",
        )
    )

    assert contact.address.full == "Urbanización Cristian González 63, 43793 Lugo"


@pytest.mark.parametrize(
    ("title", "phone"),
    [
        ("Satış Müdürü", "0212 555 12 34"),
        ("Genel Müdür", "+90 212 555 12 34"),
        ("Kardiyolog", "(602) 589 3996"),
        # Letters of another language elsewhere on the card.
        ("Vertriebsleiter, Straße 1", "+49 89 636 00"),
        ("Kahve Evi Café", "0212 555 12 34"),
    ],
)
def test_a_dotless_i_stays_on_a_card_in_turkish(title, phone):
    contact = fields.parse(card(("Aydın Yılmaz", 48), title, phone))

    assert contact.name.full == "Aydın Yılmaz"


@pytest.mark.parametrize(
    ("rows", "name", "company"),
    [
        # A Turkish legal form tells its line is Turkish.
        (
            ("Ahmet Yılmaz", "Örnek Ticaret A.Ș.", "ahmet@ornek.com"),
            "Ahmet Yılmaz",
            "Örnek Ticaret A.Ş.",
        ),
        # A Turkish number, or letters only Turkish writes, the card.
        (
            ("Ayșe Demir", "Örnek Ticaret Ltd. Ști.", "+90 212 123 45 67"),
            "Ayşe Demir",
            "Örnek Ticaret Ltd. Şti.",
        ),
        (
            ("Ayșe Demir", "Doğan Ticaret Ltd. Ști.", "ayse@dogan.com"),
            "Ayşe Demir",
            "Doğan Ticaret Ltd. Şti.",
        ),
        # Romanian writes the comma.
        (
            ("Ana Ștefănescu", "Ștefănescu Construct SRL", "+40 21 123 4567"),
            "Ana Ștefănescu",
            "Ștefănescu Construct SRL",
        ),
    ],
)
def test_a_comma_below_read_for_the_turkish_cedilla_is_put_right(rows, name, company):
    contact = fields.parse(card((rows[0], 48), *rows[1:]))

    assert (contact.name.full, contact.company) == (name, company)


def test_a_dotless_i_in_a_town_is_an_i_where_the_card_writes_another_language():
    contact = fields.parse(
        card(
            ("Anna Svensson", 48),
            "Säljare",
            "Storgatan 12",
            "252 21 Heisıngborg",
        )
    )

    assert contact.address.city == "Heisingborg"


def test_a_dotless_i_in_a_town_stays_where_nothing_tells_another_language():
    contact = fields.parse(
        card(("Aydın Yılmaz", 48), "Muhasebe", "Bağdat Cad. 12", "34728 Kadıköy")
    )

    assert contact.address.city == "Kadıköy"


def test_a_government_branch_is_the_department_of_the_department_over_it():
    contact = fields.parse(
        card(
            ("Jane Smith", 48),
            "Director",
            "Strategic Policy Branch",
            "Department of Finance",
            "jane.smith@finance.gov.au",
        )
    )

    assert contact.department == "Strategic Policy Branch"
    assert contact.company == "Department of Finance"


@pytest.mark.parametrize(
    ("unit", "hospital"),
    [
        ("Servicio de Pediatría", "Hospital Universitario La Paz"),
        ("Servei de Cardiologia", "Hospital Clínic de Barcelona"),
        ("Service de Pédiatrie", "Hôpital Necker"),
        ("Servizio di Cardiologia", "Ospedale San Raffaele"),
    ],
)
def test_a_hospitals_service_is_its_department(unit, hospital):
    contact = fields.parse(
        card(
            ("Dra. Ana López", 48),
            "Médico Adjunto",
            unit,
            hospital,
            "Tel. 915 12 34 56",
        )
    )

    assert contact.department == unit
    assert contact.company == hospital


@pytest.mark.parametrize(
    ("rows", "title", "department"),
    [
        (("Cardiologia",), "", "Cardiologia"),
        (("Primario", "Cardiologia"), "Primario", "Cardiologia"),
        (("Oberarzt", "Kardiologie"), "Oberarzt", "Kardiologie"),
        (("Pediatría",), "", "Pediatría"),
        # Who practises it is the title.
        (("Cardiologo",), "Cardiologo", ""),
    ],
)
def test_a_medical_specialty_alone_is_the_department(rows, title, department):
    contact = fields.parse(
        card(("Dott. Marco Rossi", 48), *rows, "Ospedale San Raffaele")
    )

    assert (contact.title, contact.department) == (title, department)
    assert contact.company == "Ospedale San Raffaele"


@pytest.mark.parametrize(
    "rows",
    [
        ("Sales Manager", "Technology", "Nordvik AB"),
        ("Sales Manager", "Nordvik AB", "Technology"),
        ("Sales Manager", "Methodology", "Nordvik AB"),
    ],
)
def test_a_generic_word_ending_as_a_specialty_is_no_department(rows):
    contact = fields.parse(card(("Anna Berg", 48), *rows, "anna.berg@nordvik.se"))

    assert (contact.title, contact.department) == ("Sales Manager", "")
    assert contact.company == "Nordvik AB"


def test_a_government_service_alone_stays_the_organisation():
    contact = fields.parse(
        card(
            ("Lic. Jorge Ruiz", 48),
            "Administrador",
            "Servicio de Administración Tributaria",
            "jruiz@sat.gob.mx",
        )
    )

    assert contact.department == ""


def test_links_that_misread_the_legal_form_the_company_prints_follow_it():
    contact = fields.parse(
        card(
            ("Young LLC", 40),
            ("James Sawyer", 48),
            "Firefighter",
            "james.sawyer@younglic.net",
            "https://www.younglic.net",
        )
    )

    assert contact.company == "Young LLC"
    assert list(contact.emails) == ["james.sawyer@youngllc.net"]
    assert list(contact.websites) == ["https://www.youngllc.net"]
    for field in ("emails", "websites"):
        assert contact.confidence[field] <= crosscheck.INITIAL_TRUST


@pytest.mark.parametrize(
    ("company", "domain"),
    [("Lawn TLC", "lawntlc"), ("Villa Ida", "villaida"), ("Young LIC", "younglic")],
)
def test_a_company_whose_last_word_is_no_legal_form_is_left_as_printed(company, domain):
    contact = fields.parse(
        card((company, 40), ("Jane Moss", 48), "Owner", f"jane@{domain}.com")
    )

    assert contact.company == company
    assert list(contact.emails) == [f"jane@{domain}.com"]


@pytest.mark.parametrize(
    ("company", "email"),
    [
        ("Mcgee-King", "mary@mcgeeking.io"),
        ("Hnos Rosado S.Coop.", "b@hnosrosadoscoo.net"),
    ],
)
def test_a_company_read_after_the_address_is_no_part_of_it(company, email):
    # Two columns, the company's line read after the address.
    contact = fields.parse(
        card(
            ("Mary Wade", 48),
            "Office manager",
            email,
            "595 Kenneth Isle Suite 085, Port Emilyville, NL V3C 8M4",
            company,
        )
    )

    assert contact.company == company
    assert contact.address.full.endswith("NL V3C 8M4")
    assert contact.address.city == "Port Emilyville"


@pytest.mark.parametrize("email", ["anna@gemeente.nl", "anna@amsterdam.nl"])
def test_a_street_with_no_street_word_over_a_code_alone_and_its_town(email):
    contact = fields.parse(
        card(
            ("Anna de Vries", 48),
            "Beleidsmedewerker",
            "Gemeente Amsterdam",
            email,
            "Amstel 1",
            "1011 PN",
            "Amsterdam",
        )
    )

    assert contact.address.street == "Amstel 1"
    assert contact.address.postal_code == "1011 PN"
    # A town a domain spells stays the town.
    assert contact.address.city == "Amsterdam"


def test_a_town_under_its_street_and_code_is_the_town_though_a_legal_form_ends_it():
    contact = fields.parse(
        card(
            ("Claudia Serao", 48),
            "Ceri Group",
            "claudia.serao@cerigroup.co",
            "Incrocio Ruggiero, 4 Appartamento 22, 98155",
            "Castanea Delle Furie (ME)",
        )
    )

    assert contact.address.city == "Castanea Delle Furie"
    assert contact.address.region == "ME"


def test_a_number_ocr_garbled_under_the_name_is_no_title():
    contact = fields.parse(
        card(
            ("Jet Phillipsen", 48),
            "F | +31276-01¢ 955",
            "Steenbakkers Groep",
            "jet@steenbakkersgr.info",
        )
    )

    assert contact.title == ""
    assert list(contact.phones) == []


def test_an_email_a_blur_misread_follows_the_name_and_is_doubted():
    contact = fields.parse(
        card(("Irmtraud Wesack", 48), "Medizininformatiker", "i.wosack@rorric.biz")
    )

    assert list(contact.emails) == ["i.wesack@rorric.biz"]
    assert contact.confidence["emails"] <= crosscheck.MISREAD_TRUST
    assert contact.needs_review


@pytest.mark.parametrize(
    ("read", "name"),
    [
        ("UIf Sjöström", "Ulf Sjöström"),
        ("EIke Brandt", "Elke Brandt"),
        # A capital I a word may hold there is kept.
        ("Sean McIlroy", "Sean McIlroy"),
        ("Iris IJsselstein", "Iris IJsselstein"),
        ("IIse Berg", "Ilse Berg"),
        ("DIin Maria Huber", "DIin Maria Huber"),
    ],
)
def test_a_small_l_read_as_a_capital_i_after_a_capital_is_put_back(read, name):
    contact = fields.parse(card((read, 48), "Volunteer coordinator"))

    assert contact.name.full == name


def test_a_capital_i_in_a_company_or_a_domain_is_kept():
    contact = fields.parse(
        card(("Ulf Berg", 48), "AIcrowd GmbH", "ulf@AIbank.de", "Head of AIs")
    )

    assert (contact.company, contact.title) == ("AIcrowd GmbH", "Head of AIs")
    assert list(contact.emails) == ["ulf@aibank.de"]


def test_a_street_line_ending_in_a_region_like_a_legal_form_is_no_company():
    contact = fields.parse(
        card(("Ann Lee", 48), "53/12 Bobby Plaza, St. Renee, SA,", "2997")
    )

    assert contact.address.full == "53/12 Bobby Plaza, St. Renee, SA, 2997"


@pytest.mark.parametrize(
    ("rows", "types"),
    [
        # A label alone on the line above.
        (("Mobile", "+49 171 2345678"), {"+491712345678": "MOBILE"}),
        (
            ("Tel.", "+49 30 1234567", "Mobil", "+49 171 2345678"),
            {"+49301234567": "WORK", "+491712345678": "MOBILE"},
        ),
        # Beside a number labelled work, a mobile's range tells.
        (
            ("Tel. +49 30 1234567", "+49 171 2345678"),
            {"+49301234567": "WORK", "+491712345678": "MOBILE"},
        ),
        # Labels stacked over as many numbers, in a column beside them.
        (
            ("Tel", "Fax", "+49 89 1234567", "+49 89 1234568"),
            {"+49891234567": "WORK", "+49891234568": "FAX"},
        ),
        # One label over a list types it all; a generic one, not a mobile.
        (
            ("Mobile", "+49 171 2345678", "+49 172 3456789"),
            {"+491712345678": "MOBILE", "+491723456789": "MOBILE"},
        ),
        (
            ("Telefon", "+49 89 1234567", "+49 171 2345678"),
            {"+49891234567": "WORK", "+491712345678": "MOBILE"},
        ),
        # Else a number with no label is the card's work number.
        (
            ("+49 171 2345678", "Fax 030 1234568"),
            {"+491712345678": "WORK", "030 1234568": "FAX"},
        ),
    ],
)
def test_a_number_with_no_label_is_typed_by_what_the_card_says_around_it(rows, types):
    contact = fields.parse(card(("Eva Braun", 48), *rows))

    assert {
        number: contact_pb2.PhoneType.Name(kind).removeprefix("PHONE_TYPE_")
        for number, kind in phone_types(contact).items()
    } == types
    assert contact.title == ""


@pytest.mark.parametrize(
    ("rows", "name", "company"),
    [
        # An Italian surname's "I" read as a small "l", in the largest type.
        ((("Elena lacobucci", 48), "Dietitian"), "Elena Iacobucci", ""),
        (
            (("Virgilio, Vasari e lacovelli Group", 48), ("Rosaria Moneta", 44)),
            "Rosaria Moneta",
            "Virgilio, Vasari e Iacovelli Group",
        ),
        # The company's line in any type.
        (
            (("Rosaria Moneta", 48), "Virgilio, Vasari e lacovelli Group"),
            "Rosaria Moneta",
            "Virgilio, Vasari e Iacovelli Group",
        ),
        # Other lines in smaller type, or a small word, stay.
        ((("Ana Lima", 48), "Técnico de laboratorio"), "Ana Lima", ""),
        ((("Maria la Rosa", 48), "Dietitian"), "Maria la Rosa", ""),
    ],
)
def test_a_capital_i_read_as_a_small_l_in_a_name_or_company_is_put_back(
    rows, name, company
):
    contact = fields.parse(card(*rows))

    assert (contact.name.full, contact.company) == (name, company)


@pytest.mark.parametrize(
    ("rows", "name"),
    [
        # "Il" read as "ll", the name in smaller type than the company's.
        (
            (
                ("Mantegazza s.r.l.", 48),
                ("llaria Gori", 30),
                "ilaria.gori@mantegazza.it",
            ),
            "Ilaria Gori",
        ),
        (
            (("Studio Verdi", 48), ("Elena lacobucci", 30), "e.iacobucci@studio.it"),
            "Elena Iacobucci",
        ),
        # The local part is the initial and the family name.
        ((("Stone-Atkins", 48), ("lain Davies", 30), "i.davies@sa.io"), "Iain Davies"),
        ((("Keltenie", 48), ("lan de Jong", 30), "idejong@keltenie.nl"), "Ian de Jong"),
        # An email that does not spell the word so leaves it as read.
        ((("Studio Verdi", 48), ("Elena lacobucci", 30), "elena@studio.it"), ""),
        ((("Keltenie", 48), ("lan de Jong", 30), "jan@keltenie.nl"), ""),
        (
            (("Studio Verdi", 48), ("Elena lacobucci", 30), "e.lacobucci@studio.it"),
            "",
        ),
    ],
)
def test_a_capital_i_read_as_a_small_l_is_put_back_where_the_email_spells_it(
    rows, name
):
    contact = fields.parse(card(*rows))

    assert contact.name.full == name


@pytest.mark.parametrize(
    ("rows", "name"),
    [
        (
            (("Hollywood-Egan", 48), ("Ka ne B ree n", 30), "k.breen@egan.org"),
            "Kane Breen",
        ),
        # The email on the name's line is no part of the name.
        (
            (("Callanan PLC", 48), "E m i lie Deeg ada n emilie.deegadan@plc.io"),
            "Emilie Deegadan",
        ),
        ((("Gi rol a mo Ta fu ri", 30), "g.tafuri@studio.it"), "Girolamo Tafuri"),
        # In capitals, the email's words part the name.
        (
            (("Acme GmbH", 48), ("M A R K U S W E B E R", 30), "markus.weber@acme.de"),
            "MARKUS WEBER",
        ),
        # An email that does not spell the letters leaves them as read.
        ((("Gi rol a mo Ta fu ri", 30), "info@studio.it"), ""),
    ],
)
def test_a_name_read_in_pieces_is_joined_where_the_email_spells_it(rows, name):
    contact = fields.parse(card(*rows))

    assert contact.name.full == name


@pytest.mark.parametrize(
    ("rows", "name", "address"),
    [
        # Sweden told by the card's own "å" and "ö".
        (
            ("Maj-Britt Hākansson", "Jönsson & Hagman HB", "Gengatan 1, 41851 Umeå"),
            "Maj-Britt Håkansson",
            "Gengatan 1, 41851 Umeå",
        ),
        # Sweden told by the number; the ring read twice, once as a macron.
        (
            ("Helena Wiklund", "+46 8 455 397 17", "ÅĀkergränd 3, 48992 Umeå"),
            "Helena Wiklund",
            "Åkergränd 3, 48992 Umeå",
        ),
        # Brazil: a tilde read as a ring and a macron, a circumflex as a dot.
        (
            (
                "Dom Borges",
                "+55 14 9559-7297",
                "Vila Såāo Lucas, 28367916 Caldeira / AM",
            ),
            "Dom Borges",
            "Vila São Lucas, 28367916 Caldeira / AM",
        ),
        (
            ("Maitė Cruz", "+55 54 3789-9143", "Beija Flor, 24589215 Machado / MT"),
            "Maitê Cruz",
            "Beija Flor, 24589215 Machado / MT",
        ),
        # Latvia writes the macron.
        (("Jānis Bērziņš", "+371 2612 3456"), "Jānis Bērziņš", ""),
        # So does a Latvian name on a Swedish card, told by its other letters.
        (("Ināra Kalniņa", "+46 8 455 397 17"), "Ināra Kalniņa", ""),
        (("Jānis Bērziņš", "+46 8 455 397 17"), "Jānis Bērziņš", ""),
        # Portuguese writes its tilde before "o" or "e" or ending a word;
        # elsewhere a mark on an "a" is a speck.
        (("João Gonçālves", "+351 21 123 4567"), "João Gonçalves", ""),
        (("Björn Åberg", "+55 54 3789-9143"), "Björn Åberg", ""),
        # A given name of a language that writes the mark keeps it, as
        # does a word an email spells with the mark spelled out.
        (("Åsa Berg", "+55 54 3789-9143"), "Åsa Berg", ""),
        (("Jānis Ozols", "+46 8 455 397 17"), "Jānis Ozols", ""),
        (
            ("Lars Åkerlund", "+55 54 3789-9143", "lars.aakerlund@empresa.com.br"),
            "Lars Åkerlund",
            "",
        ),
        # An email that spells the name without its mark tells nothing.
        (
            ("Maj-Britt Hākansson", "+46 8 455 397 17", "mb.hakansson@foretag.se"),
            "Maj-Britt Håkansson",
            "",
        ),
    ],
)
def test_a_mark_the_cards_language_never_writes_is_put_right(rows, name, address):
    contact = fields.parse(card((rows[0], 48), *rows[1:]))

    assert (contact.name.full, contact.address.full) == (name, address)


@pytest.mark.parametrize(
    ("rows", "name"),
    [
        # A stroke read twice, the second time with a macron, which no
        # language of an Irish card writes: the email leaves the letter out.
        (
            ("Blake McIīneely", "Ginty LLC", "+353 1 234 5678", "bmcineely@ginty.ie"),
            "Blake McIneely",
        ),
        # A speck read as a macron over a letter the email spells plain.
        (
            ("Ōwen Carroll", "Ginty LLC", "+353 1 234 5678", "owen.carroll@ginty.ie"),
            "Owen Carroll",
        ),
    ],
)
def test_a_mark_no_language_of_the_card_writes_leaves_a_name_the_email_spells(
    rows, name
):
    contact = fields.parse(card((rows[0], 48), *rows[1:]))

    assert contact.name.full == name
    assert contact.name.family == name.split()[-1]
    assert contact.needs_review


@pytest.mark.parametrize(
    ("rows", "name"),
    [
        (("Zoë Hart", "Ginty LLC", "zoe.hart@ginty.ie"), "Zoë Hart"),
        (
            ("José Hart", "Ginty LLC", "+1 212 555 0147", "jhart@ginty.com"),
            "José Hart",
        ),
        (
            ("Åsa Berg", "+55 54 3789-9143", "asa.berg@empresa.com.br"),
            "Åsa Berg",
        ),
        (
            ("Jānis Ozols", "+46 8 455 397 17", "janis.ozols@foretag.se"),
            "Jānis Ozols",
        ),
        # A name of a language that writes the macron, told by its given
        # name, its other letters or its country.
        (("Ināra Kalniņa", "inara.kalnina@firma.com"), "Ināra Kalniņa"),
        (("Anna Bērziņa", "anna.berzina@firma.com"), "Anna Bērziņa"),
        (
            ("Anna Bērziņa", "+371 2612 3456", "anna.berzina@firma.lv"),
            "Anna Bērziņa",
        ),
        (("Tāne Parata", "+64 9 123 4567", "tane.parata@firma.co.nz"), "Tāne Parata"),
        # No email spells the word: nothing tells the mark is a speck.
        (("Blake McIīneely", "Ginty LLC", "info@ginty.ie"), "Blake McIīneely"),
    ],
)
def test_a_name_with_marks_of_a_language_the_card_may_use_stays(rows, name):
    contact = fields.parse(card((rows[0], 48), *rows[1:]))

    assert contact.name.full == name
    assert contact.confidence["name"] >= fields.REVIEW_THRESHOLD


def name_read_unsurely(text, unsure_letter):
    """A name's line OCR rated low, with one letter it was unsure of."""
    sure = [0.99] * len(text)
    sure[unsure_letter] = 0.87
    return Line(text, 60, 40, 14 * len(text), 40, 0.5, tuple(sure), tuple(sure))


def test_a_name_read_unsurely_takes_a_misread_letter_from_the_email():
    lines = [
        name_read_unsurely("Laoise MclIvor", unsure_letter=9),
        *card("Higher education lecturer", "laoise.mcivor@monkinc.info")[:2],
    ]
    lines[1:] = [dataclasses.replace(x, top=x.top + 60) for x in lines[1:]]

    contact = fields.parse(lines)

    assert contact.name.full == "Laoise McIvor"
    assert contact.name.family == "McIvor"
    assert contact.confidence["name"] < fields.REVIEW_THRESHOLD


@pytest.mark.parametrize(
    "name_line",
    [
        # Read surely as a whole.
        Line("Charles Carlson", 60, 40, 210, 40, 0.95),
        # Read unsurely, but surely at the letter the email spells otherwise.
        name_read_unsurely("Charles Carlson", unsure_letter=0),
        # No word of OCR's on each letter.
        Line("Charles Carlson", 60, 40, 210, 40, 0.5),
    ],
)
def test_a_name_is_not_spelled_after_the_email_where_ocr_was_sure_of_it(name_line):
    lines = [name_line, *card("Architect", "c.carison@carlson.studio")]
    lines[1:] = [dataclasses.replace(x, top=x.top + 60) for x in lines[1:]]

    assert fields.parse(lines).name.full == "Charles Carlson"


@pytest.mark.parametrize(
    "rows",
    [
        ("4 Grand Canal Square", "Dublin 2", "D02 X525"),
        ("4 Grand Canal Square", "Dublin 2"),
        ("4 Grand Canal Square", "Dublin 2", "Ireland"),
        ("4 Grand Canal Square, Dublin 2",),
        ("4 Grand Canal Square, Dublin 2", "D02 X285"),
    ],
)
def test_a_dublin_postal_district_under_its_street_ends_the_address(rows):
    contact = fields.parse(
        card(("Siobhán Kelly", 48), "Partner", *rows, "skelly@acme.ie")
    )

    assert contact.address.full == ", ".join(rows)
    assert (contact.address.street, contact.address.city) == (
        "4 Grand Canal Square",
        "Dublin 2",
    )
    assert contact.address.country == "IE"


@pytest.mark.parametrize(
    ("rows", "city", "full"),
    [
        (("5 Main St", "lpswich IP1 1AA"), "Ipswich", "5 Main St, Ipswich IP1 1AA"),
        (("Via Roma 3", "10015 lvrea (TO)"), "Ivrea", "Via Roma 3, 10015 Ivrea (TO)"),
        # Before a vowel or a "j" the "l" may be an "L" printed small.
        (("karl-heine-straße 45", "04229 leipzig"), "leipzig", None),
        (("Storgatan 5", "341 30 ljungby"), "ljungby", None),
        (("Rue Haute 3", "1000 les Bons Villers"), "les Bons Villers", None),
    ],
)
def test_a_capital_i_read_as_a_small_l_starting_the_city_is_put_back(rows, city, full):
    contact = fields.parse(card(("Christopher Sloan", 48), "Teacher", *rows))

    assert contact.address.city == city
    assert contact.address.full == (full or ", ".join(rows))


@pytest.mark.parametrize(
    "rows",
    [
        (("Jordan Ellis (he/him)", 48), "Director", "Ellis Studio LLC"),
        (("Jordan Ellis", 48), "she/her", "Director", "Ellis Studio LLC"),
        (("Jordan Ellis", 48), "Pronouns: they/them", "Director", "Ellis Studio LLC"),
        (("Jordan Ellis | he/they", 48), "Director", "Ellis Studio LLC"),
    ],
)
def test_pronouns_are_left_out_of_the_name_and_are_no_title(rows):
    contact = fields.parse(card(*rows))

    assert (contact.name.full, contact.title, contact.company) == (
        "Jordan Ellis",
        "Director",
        "Ellis Studio LLC",
    )


@pytest.mark.parametrize(
    ("firm", "street", "postal_line"),
    [
        ("Harcourt Lane Capital LLP", "30 Finsbury Square", "London EC2A 1AG"),
        ("Van Dijk Installatietechniek B.V.", "Industrieweg 12-14", "3762 EK Soest"),
    ],
)
def test_a_firm_named_after_a_street_over_the_address_is_the_company(
    firm, street, postal_line
):
    contact = fields.parse(
        card(("James Whitmore", 48), "Associate Director", firm, street, postal_line)
    )

    assert contact.company == firm
    assert contact.address.street == street


@pytest.mark.parametrize(
    ("rows", "full"),
    [
        (
            ("Besöksadress: Rådhusgatan 42", "831 80 Östersund"),
            "Rådhusgatan 42, 831 80 Östersund",
        ),
        (
            ("Adresse : 12 rue de la Paix", "75002 Paris"),
            "12 rue de la Paix, 75002 Paris",
        ),
        (
            ("Visiting address", "Keizersgracht 100", "1015 CJ Amsterdam"),
            "Keizersgracht 100, 1015 CJ Amsterdam",
        ),
    ],
)
def test_an_addresss_label_is_left_out_of_it_and_is_no_company(rows, full):
    contact = fields.parse(card(("Maja Lindberg", 48), "Konsult", *rows))

    assert contact.address.full == full
    assert (contact.title, contact.company) == ("Konsult", "")


def test_a_firm_whose_name_starts_with_address_stays_the_company():
    contact = fields.parse(
        card(("Maja Lindberg", 48), "Konsult", "Address Hotels", "Sheikh Zayed Road 1")
    )

    assert contact.company == "Address Hotels"


def test_an_irish_address_with_neither_eircode_nor_house_number_is_found():
    contact = fields.parse(
        card(
            ("Mary Considine", 48),
            "Practice Manager",
            "Considine Veterinary Clinic",
            "Main Street",
            "Ennis, Co. Clare",
            "Tel: 065 682 4410",
        )
    )

    assert contact.address.full == "Main Street, Ennis, Co. Clare"
    assert (contact.address.city, contact.address.country) == ("Ennis", "IE")
    assert contact.company == "Considine Veterinary Clinic"


@pytest.mark.parametrize(
    "county", ["Co. Galway", "Co. na Gaillimhe", "Contae na Gaillimhe"]
)
def test_an_irish_county_under_the_street_is_the_region_not_the_town(county):
    contact = fields.parse(
        card(
            ("Seán Ó Briain", 48),
            "Bainisteoir",
            "Sráid na Siopaí",
            county,
            "+353 91 123 456",
        )
    )

    assert contact.address.street == "Sráid na Siopaí"
    assert (contact.address.city, contact.address.region) == ("", county)
    assert contact.address.country == "IE"
    assert contact.company == ""


@pytest.mark.parametrize("county", ["Co. Galway", "Co. na Gaillimhe"])
def test_an_irish_county_between_the_street_and_the_eircode_is_no_town(county):
    contact = fields.parse(
        card(("Seán Ó Briain", 48), "Bainisteoir", "Main Street", county, "H91 X2Y3")
    )

    address = contact.address
    assert (address.street, address.city, address.region) == ("Main Street", "", county)
    assert address.postal_code == "H91 X2Y3"


DONEGAL_TOWN = "Leitir Ceanainn, Co. Dhún na nGall, F92 Y622"


@pytest.mark.parametrize(
    ("firm", "street"),
    [
        # A building's name reads as an address whatever else the card says.
        ((), "Áras an Chontae, Cnoc na Radharc"),
        (("Comhairle Contae Dhún na nGall",), "Áras an Chontae, Cnoc na Radharc"),
        # With the firm named by a line of its own, the line over the town
        # is the street, with or without its house number.
        (("Comhairle Contae Dhún na nGall",), "Cnoc na Radharc"),
        (("Donegal County Council",), "Cnoc na Radharc"),
        (("Walsh & Co. Ltd",), "Riverside House"),
        (("Comhairle Contae Dhún na nGall",), "12 Cnoc na Radharc"),
    ],
)
def test_a_street_without_a_house_number_over_the_town_is_in_the_address(firm, street):
    contact = fields.parse(
        card(
            ("Seán Ó Briain", 48),
            "Oifigeach Pleanála",
            *firm,
            street,
            DONEGAL_TOWN,
            "sean.obriain@donegalcoco.ie",
        )
    )

    assert contact.address.street == street
    assert contact.address.full == f"{street}, {DONEGAL_TOWN}"
    assert contact.company == "".join(firm)
    assert contact.title == "Oifigeach Pleanála"


@pytest.mark.parametrize(
    ("rows", "department"),
    [
        (
            (("Seán Ó Briain", 48), "Donegal County Council", "Planning Department"),
            "Planning Department",
        ),
        # The person under the firm in larger type.
        ((("Donegal County Council", 48), "Senior Planner", "Seán Ó Briain"), ""),
    ],
)
def test_a_department_or_the_person_over_the_town_stays_out_of_the_address(
    rows, department
):
    contact = fields.parse(card(*rows, DONEGAL_TOWN))

    assert contact.address.full == DONEGAL_TOWN
    assert (contact.name.full, contact.department) == ("Seán Ó Briain", department)


def test_an_irish_county_in_irish_after_its_town_is_the_region():
    contact = fields.parse(
        card(
            ("Mary Considine", 48),
            "Practice Manager",
            "Considine Veterinary Clinic",
            "Main Street",
            "Inis, Co. an Chláir",
            "Tel: 065 682 4410",
        )
    )

    assert contact.address.city == "Inis"
    assert contact.address.region == "Co. an Chláir"
    assert contact.company == "Considine Veterinary Clinic"


@pytest.mark.parametrize(
    ("postal", "code", "city", "region", "country"),
    [
        ("los angeles, ca 90014", "90014", "los angeles", "CA", "US"),
        ("ipswich ip1 1aa", "IP1 1AA", "ipswich", "", "GB"),
        ("ottawa on k1a 0b1", "K1A 0B1", "ottawa", "ON", "CA"),
    ],
)
def test_a_postal_line_in_small_letters_is_read_as_in_capitals(
    postal, code, city, region, country
):
    contact = fields.parse(
        card(("sam king", 48), "designer", "12 main street", postal, "sam@king.com")
    )

    address = contact.address
    assert (address.postal_code, address.city) == (code, city)
    assert (address.region, address.country) == (region, country)


@pytest.mark.parametrize(
    ("rows", "name", "company"),
    [
        (
            (("sam king", 48), "designer", "king studio", "sam@kingstudio.co.uk"),
            "sam king",
            "king studio",
        ),
        (
            (("noor de graaf", 48), "ontwerper", "noor@studiograaf.nl"),
            "noor de graaf",
            "",
        ),
        (
            (("lucas moraes", 48), "fotógrafo", "lucas@lucasmoraes.com.br"),
            "lucas moraes",
            "",
        ),
    ],
)
def test_a_name_in_small_letters_the_email_spells_is_the_name(rows, name, company):
    contact = fields.parse(card(*rows))

    assert (contact.name.full, contact.company) == (name, company)


@pytest.mark.parametrize(
    "rows",
    [
        (("good coffee daily", 48), "barista", "ana@kingstudio.co.uk"),
        # A logo its domain spells, but no mailbox's name.
        (("little fox", 48), ("mia jones", 30), "hello@littlefox.co"),
        (("studio nord", 48), ("Anna Berg", 34), "anna@studionord.se"),
    ],
)
def test_small_letters_in_the_largest_type_no_mailbox_spells_are_no_name(rows):
    contact = fields.parse(card(*rows))

    assert contact.name.full != rows[0][0]


@pytest.mark.parametrize(
    ("rows", "title", "company"),
    [
        (
            ("Editor", "SHE/HER Magazine", "priya@sheher-magazine.com"),
            "Editor",
            "SHE/HER Magazine",
        ),
        (
            ("Product Designer (she/her) Platform Team",),
            "Product Designer Platform Team",
            "",
        ),
    ],
)
def test_pronouns_in_a_firms_name_stay_and_leave_no_gap_where_dropped(
    rows, title, company
):
    contact = fields.parse(card(("Priya Patel", 48), *rows))

    assert (contact.title, contact.company) == (title, company)


@pytest.mark.parametrize(
    ("rows", "street", "company"),
    [
        # A street's shape over the postal line is the street, though a
        # legal form or the domain spell it.
        (("Corporation Street", "Manchester M4 4DG"), "Corporation Street", ""),
        (
            ("Harbour Lane", "Salcombe TQ8 8DS", "tom@harbourlane.co.uk"),
            "Harbour Lane",
            "",
        ),
        (
            (
                "Park Avenue Partners",
                "Park Avenue",
                "Suite 2100",
                "New York, NY 10166",
                "gkim@parkavenue.com",
            ),
            "Park Avenue, Suite 2100",
            "Park Avenue Partners",
        ),
        # Over a street's line, a firm the domain spells is the company.
        (
            (
                "Hotel Plaça",
                "Carrer de Mallorca, 255",
                "08008 Barcelona",
                "nuria@hotelplaca.cat",
            ),
            "Carrer de Mallorca, 255",
            "Hotel Plaça",
        ),
    ],
)
def test_a_street_named_line_is_the_street_or_the_firm_by_where_it_stands(
    rows, street, company
):
    contact = fields.parse(card(("Hannah Lee", 48), *rows))

    assert (contact.address.street, contact.company) == (street, company)


def test_a_brand_named_as_an_address_label_stays_the_company():
    contact = fields.parse(
        card(("Morada", 48), ("Felipe Souza", 34), "felipe@moradarestaurante.com.br")
    )

    assert (contact.company, contact.name.full) == ("Morada", "Felipe Souza")


@pytest.mark.parametrize(
    ("rows", "city", "country"),
    [
        (("52 Belfast Road", "Newry, Co. Down"), "Newry", "GB"),
        (("Main Street", "Ennis, Co. Clare"), "Ennis", "IE"),
    ],
)
def test_a_county_of_northern_ireland_tells_the_united_kingdom(rows, city, country):
    contact = fields.parse(card(("Aoife Byrne", 48), "Manager", *rows))

    assert (contact.address.city, contact.address.country) == (city, country)


def test_a_tagline_naming_a_county_under_the_firm_is_no_address():
    contact = fields.parse(
        card(
            ("Aoife Byrne", 48),
            "Owner",
            "Byrne's Bakery",
            "Serving Midleton, Co. Cork",
            "aoife@byrnesbakery.ie",
        )
    )

    assert contact.address.full == ""
    assert contact.company == "Byrne's Bakery"


def test_a_suburb_before_a_council_area_named_as_its_post_town_is_no_city():
    contact = fields.parse(
        card(("Ewan Reid", 48), "Manager", "Causewayhead, Stirling", "FK9 5EG")
    )

    assert contact.address.region == ""


def test_a_firm_named_as_a_department_that_its_domain_spells_is_the_company():
    contact = fields.parse(
        card(
            ("Dana Lee", 48),
            "Bandleader",
            "Brass Section",
            "Cell 615-555-0177",
            "dana@brasssectionband.com",
        )
    )

    assert (contact.company, contact.department) == ("Brass Section", "")


def test_a_firms_name_before_its_registration_in_a_footer_is_the_company():
    contact = fields.parse(
        card(
            ("Marco Romano", 48),
            "Titolare",
            "Via Roma 12",
            "20121 Milano MI",
            "marco@romanoarredamenti.it",
            "Romano Arredamenti S.r.l. – P.IVA 02345678901",
        )
    )

    assert contact.company == "Romano Arredamenti S.r.l."
    assert contact.address.full == "Via Roma 12, 20121 Milano MI"


@pytest.mark.parametrize(
    "town_line",
    [
        "Ballincollig, Co. Cork P31 KX24",
        "Ballincollig, Co. Cork, P31 KX24",
        "Leitir Ceanainn, Co. Dhún na nGall, F92 Y622",
    ],
)
def test_an_irish_countys_co_is_no_legal_form_that_parts_the_line(town_line):
    contact = fields.parse(
        card(("Aoife Byrne", 48), "Tel +353 21 487 1234", "Main Street", town_line)
    )

    assert contact.address.full == f"Main Street, {town_line}"
    assert contact.address.city == town_line.split(",")[0]
    assert contact.company == ""


@pytest.mark.parametrize(
    ("rows", "name", "title", "company"),
    [
        (
            (
                "Biuro Rachunkowe Lewandowska",
                ("Katarzyna Lewandowska", 48),
                "Główna Księgowa",
                "biuro@br-lewandowska.pl",
            ),
            "Katarzyna Lewandowska",
            "Główna Księgowa",
            "Biuro Rachunkowe Lewandowska",
        ),
        (
            (
                "Kancelaria Adwokacka Nowak",
                ("Jan Nowak", 48),
                "Adwokat",
                "kancelaria@nowak.pl",
            ),
            "Jan Nowak",
            "Adwokat",
            "Kancelaria Adwokacka Nowak",
        ),
        (
            (
                ("Diego Maradiaga", 48),
                "Contador Público",
                "Maradiaga & Asoc.",
                "dmaradiaga@estudiomaradiaga.com.ar",
            ),
            "Diego Maradiaga",
            "Contador Público",
            "Maradiaga & Asoc.",
        ),
    ],
)
def test_a_firm_named_after_its_owner_stays_the_company(rows, name, title, company):
    contact = fields.parse(card(*rows))

    assert (contact.name.full, contact.title, contact.company) == (name, title, company)


@pytest.mark.parametrize(
    "address_lines",
    [
        # A house's name before its number and street.
        ["The Manse, 4 Kirk Wynd", "St Andrews KY16 9HQ"],
        # A house with no number, its street's name on the line above.
        ["R. Baptista", "S/N, 4006-453 Setúbal"],
        # A post office box at a branch.
        ["C.P. 1234, succursale B", "Montréal (Québec) H3B 3L5"],
    ],
)
def test_the_line_over_the_postal_line_is_kept_in_the_address(address_lines):
    contact = fields.parse(card(("Fiona MacLeod", 48), "Manager", *address_lines))

    assert contact.address.full == ", ".join(address_lines)


@pytest.mark.parametrize(
    ("department", "company"),
    [
        ("Personální oddělení", "Brněnská logistika a.s."),
        ("Tuotekehitys osasto", "Nokia Oyj"),
    ],
)
def test_a_department_named_by_its_kind_in_more_languages_is_no_company(
    department, company
):
    contact = fields.parse(
        card(("Lucie Nováková", 48), "Vedoucí náboru", department, company)
    )

    assert (contact.department, contact.company) == (department, company)


def test_a_tax_number_shaped_as_a_postcode_does_not_tell_the_cards_country():
    contact = fields.parse(
        card(
            ("Diego Maradiaga", 48),
            "Contador Público",
            'San Martín 550, 2° "C"',
            "M5500 Mendoza",
            "dmaradiaga@estudiomaradiaga.com.ar",
            "CUIT 30-71234567-8",
        )
    )

    assert contact.address.full == 'San Martín 550, 2° "C", M5500 Mendoza'
    assert contact.address.country == "AR"
    assert contact.address.city == "Mendoza"


@pytest.mark.parametrize(
    "rows",
    [
        [("Mia Lund", 48), "VR Photographer", "360 Degree View", "mia@360view.co"],
        [("Tom Hale", 48), "Winemaker", ("7 Hills Estate", 30)],
        [("Ann Roe", 48), "Box Office", "1 Day Pass"],
    ],
)
def test_a_tagline_or_firm_named_like_an_english_street_is_no_address(rows):
    assert fields.parse(card(*rows)).address.full == ""


def test_a_title_and_firm_above_the_street_stay_out_of_the_address():
    contact = fields.parse(
        card(
            ("Tom Hale", 48),
            "Winemaker, 7 Hills Estate",
            "1080 Main North Road",
            "Clare SA 5453",
        )
    )

    assert contact.address.full == "1080 Main North Road, Clare SA 5453"


@pytest.mark.parametrize(
    ("rows", "full"),
    [
        # A footer row OCR read in two pieces, the street and the town.
        (
            [
                Line("Lena Vogel", 60, 40, 300, 48, 0.95),
                Line("Steuerberaterin", 60, 110, 190, 20, 0.95),
                Line("Hauptstraße 5", 60, 300, 160, 20, 0.95),
                Line("80331 München", 420, 300, 170, 20, 0.95),
            ],
            "Hauptstraße 5, 80331 München",
        ),
        (
            [
                Line("Sara Conti", 60, 40, 280, 48, 0.95),
                Line("Avvocato", 60, 110, 100, 20, 0.95),
                Line("Via Roma 1", 60, 300, 120, 20, 0.95),
                Line("Milano", 260, 300, 80, 20, 0.95),
                Line("Italia", 60, 334, 70, 20, 0.95),
            ],
            "Via Roma 1, Milano, Italia",
        ),
    ],
)
def test_pieces_of_one_row_beside_each_other_stay_in_the_address(rows, full):
    assert fields.parse(rows).address.full == full


@pytest.mark.parametrize(
    "above",
    ["Directrice de succursale", "Solbacken AB", "Ampliación y Mantenimiento"],
)
def test_lines_with_street_like_words_above_an_address_stay_out_of_it(above):
    contact = fields.parse(
        card(("Anne Roy", 48), above, "500, rue Saint-Jacques", "75002 Paris")
    )

    assert contact.address.full == "500, rue Saint-Jacques, 75002 Paris"


def test_the_town_over_a_county_and_its_code_is_the_city():
    contact = fields.parse(
        card(("Ann Roe", 48), "Leeds Castle", "Maidstone", "Kent ME17 1PL")
    )

    assert contact.address.full == "Maidstone, Kent ME17 1PL"
    assert (contact.address.city, contact.address.region) == ("Maidstone", "Kent")


def test_a_place_over_a_town_named_as_its_council_area_stays_out():
    contact = fields.parse(
        card(("Isla Reid", 48), "Curator", "Callendar House", "Falkirk FK1 1YR")
    )

    assert contact.address.full == "Falkirk FK1 1YR"
    assert contact.address.city == "Falkirk"


def words_rated(*words):
    """A line of words, each with OCR's confidence on each of its letters."""
    text = " ".join(w for w, _ in words)
    rated = []
    for index, (word, confidence) in enumerate(words):
        rated += [confidence] * (len(word) + (index < len(words) - 1))
    return text, tuple(rated)


@pytest.mark.parametrize(
    ("words", "name"),
    [
        # Specks of a rough table read as small words after the name.
        (
            (("Cynthia", 0.96), ("Peterson", 0.95), ("ineei", 0.2), ("ua", 0.35)),
            "Cynthia Peterson",
        ),
        # A particle OCR was sure of stays.
        ((("Jan", 0.96), ("van", 0.95), ("Dijk", 0.95)), "Jan van Dijk"),
    ],
)
def test_specks_read_as_small_words_after_the_name_are_cut(words, name):
    text, rated = words_rated(*words)
    lines = [
        Line(text, 60, 40, 14 * len(text), 48, 0.6, rated, rated),
        *card("Freight forwarder", "Fuller PLC")[:2],
    ]
    lines[1:] = [dataclasses.replace(x, top=x.top + 60) for x in lines[1:]]

    assert fields.parse(lines).name.full == name


@pytest.mark.parametrize(
    "above",
    ["Khan Pharmacy", "Practice Manager", "Rebecca Hart", "Walsh Bakery"],
)
def test_a_firm_title_or_name_over_a_county_and_its_code_is_no_town(above):
    contact = fields.parse(card(("Amir Khan", 32), "Director", above, "Kent ME14 1XX"))

    assert contact.address.full == "Kent ME14 1XX"


def test_a_street_in_a_row_read_in_two_pieces_over_a_footer_stays():
    contact = fields.parse(
        [
            Line("Lena Hoffmann", 60, 40, 214, 30, 0.95),
            Line("Steuerberaterin", 60, 80, 165, 20, 0.95),
            Line("Hoffmann Steuerberatung GmbH", 60, 110, 308, 20, 0.95),
            Line("Hauptstraße 5", 60, 150, 140, 18, 0.95),
            Line("80331 München", 230, 150, 150, 18, 0.95),
            Line("Tel. 089 1234567 · www.hoffmann-stb.de", 60, 176, 480, 18, 0.95),
        ]
    )

    assert contact.address.full == "Hauptstraße 5, 80331 München"


def test_a_unit_on_the_military_post_line_takes_no_department_above_it():
    contact = fields.parse(
        card(("Tracy Johnson", 48), "Engineering", "PSC 7562, Box 9613, APO AP 39200")
    )

    assert contact.address.full == "PSC 7562, Box 9613, APO AP 39200"
    assert contact.department == "Engineering"


def test_a_title_right_under_the_name_that_ocr_read_last_is_the_title():
    contact = fields.parse(
        [
            Line("Marcelle Walter", 64, 62, 369, 32, 0.96),
            Line("T +41 22 804 46 38", 520, 60, 209, 15, 0.96),
            Line("marcelle.walter@jaggiag.co", 522, 118, 290, 20, 0.91),
            Line("Engineering", 62, 147, 122, 20, 0.96),
            Line("Jäggi AG", 58, 177, 133, 28, 0.96),
            Line("Wolfstrasse 542, 4394 Worb", 521, 177, 293, 18, 0.95),
            Line("Artist", 60, 118, 56, 16, 0.97),
        ]
    )

    assert contact.title == "Artist"
    assert contact.department == "Engineering"


@pytest.mark.parametrize(
    ("lines", "field", "value"),
    [
        (["Thomas-jJohnson"], "company", "Thomas-Johnson"),
        # A name written together, ending in "j" before one starting "J",
        # and a link that spells the two so.
        (["ManojJoshi Design Studio"], "company", "ManojJoshi Design Studio"),
        (["youtu.be/jJ3kdU8zX2c"], "websites", "youtu.be/jJ3kdU8zX2c"),
        (["Lake jJenniferburgh, SA, 2929"], "address", "Lake Jenniferburgh, SA, 2929"),
    ],
)
def test_a_small_j_read_before_a_capital_j_is_left_out(lines, field, value):
    contact = fields.parse(card(("Ann Cole", 48), "ann@thomasjohnson.com", *lines))

    found = {
        "company": contact.company,
        "address": contact.address.full,
        "websites": " ".join(contact.websites),
    }[field]
    assert value in found


def with_word_confidence(line, confidence):
    """The line with OCR's confidence in each of its words set to one."""
    return dataclasses.replace(line, word_confidences=(confidence,) * len(line.text))


def test_a_number_ocr_read_in_part_is_left_out_for_review():
    contact = fields.parse(
        card(("Tara Moss", 48), "Programmer", "Handy (677 (677", "Toronto, ON M5V 2T6")
    )

    assert list(contact.phones) == []
    assert contact.needs_review


def test_groups_ocr_read_twice_give_the_number_for_review():
    contact = fields.parse(
        card(("Tara Moss", 48), "Programmer", "Handy (677 (677), 303- 303-4798")
    )

    assert phone_types(contact) == {"(677) 303-4798": contact_pb2.PHONE_TYPE_MOBILE}
    assert contact.confidence["phones"] < fields.REVIEW_THRESHOLD


def test_a_number_too_long_for_its_country_is_doubted():
    contact = fields.parse(
        card(
            ("Kaique da Cunha", 48),
            "Office: +55 91 3260-5879",
            "Mob: 21 4901 4900-7833",
        )
    )

    assert contact.confidence["phones"] < fields.REVIEW_THRESHOLD


@pytest.mark.parametrize(
    ("rows", "number", "word_confidence", "doubted"),
    [
        (("0461 118 04", "Fax +61-2-2939-7781"), "0461 118 04", 0.87, True),
        (("0461 118 04", "Fax +61-2-2939-7781"), "0461 118 04", 0.95, False),
        (("0461 118 044", "Fax +61-2-2939-7781"), "0461 118 044", 0.87, False),
        (("+1-404-474-5689", "F 750.932.1270"), "F 750.932.1270", 0.82, True),
        (("+1-404-474-5689", "F 212.932.1270"), "F 212.932.1270", 0.82, False),
    ],
)
def test_a_number_dialled_nowhere_is_as_sure_as_ocr_was_of_its_words(
    rows, number, word_confidence, doubted
):
    lines = card(("Debbie Malone", 48), "Intelligence analyst", *rows)
    at = [line.text for line in lines].index(number)
    lines[at] = with_word_confidence(lines[at], word_confidence)

    contact = fields.parse(lines)

    assert (contact.confidence["phones"] < fields.REVIEW_THRESHOLD) is doubted


def test_an_email_whose_host_ocr_parted_is_joined_for_review():
    contact = fields.parse(
        card(
            ("Ferrell-Thomas", 30),
            ("Anthony Campbell", 48),
            "Company secretary",
            "anthony.campbell@ferrell thomas.io",
        )
    )

    assert list(contact.emails) == ["anthony.campbell@ferrellthomas.io"]
    assert list(contact.websites) == []
    assert contact.company == "Ferrell-Thomas"
    assert contact.confidence["emails"] < fields.REVIEW_THRESHOLD


def test_a_bare_host_ending_another_links_host_is_left_out_for_review():
    contact = fields.parse(
        card(
            ("Vinícius da Cruz", 48),
            "Freitas Freitas S/A",
            "vdacruz@freitasfreitas.biz",
            "tas.biz",
        )
    )

    assert list(contact.websites) == []
    assert contact.needs_review


@pytest.mark.parametrize(
    ("company", "website"),
    [
        # The company and the email outvote the letter OCR lost.
        ("Finanzas OERY S.L.", "https://www.finanzasoerysl.biz"),
        ("Rivas Asesores S.L.", "https://www.inanzasoerysl.biz"),
    ],
)
def test_a_website_printed_whole_ending_another_host_stays_doubted(company, website):
    contact = fields.parse(
        card(
            ("Régulo Rivas", 48),
            company,
            "regulo.rivas@finanzasoerysl.biz",
            "https://www.inanzasoerysl.biz",
        )
    )

    assert list(contact.websites) == [website]
    assert contact.confidence["websites"] < fields.REVIEW_THRESHOLD


def test_a_host_under_another_is_a_website_of_its_own():
    contact = fields.parse(
        card(("Ana Lima", 48), "Lima Labs", "www.limalabs.com", "shop.limalabs.com")
    )

    assert list(contact.websites) == ["www.limalabs.com", "shop.limalabs.com"]
    assert contact.confidence["websites"] >= fields.REVIEW_THRESHOLD


def test_a_title_with_a_legal_forms_word_is_no_company():
    contact = fields.parse(
        card(
            ("Ferrell-Thomas", 30),
            ("Anthony Campbell", 48),
            "Company secretary",
            "P | 424.988.6135",
        )
    )

    assert contact.title == "Company secretary"
    assert contact.company == "Ferrell-Thomas"


def test_a_name_its_email_spells_but_for_a_few_letters_is_flagged():
    contact = fields.parse(
        card(
            ("Construcción HZL S.Coop.", 30),
            ("Marima Apad", 48),
            "Laminador de vidrio",
            "mxima.abad@construccinhz.io",
        )
    )

    assert contact.name.full == "Marima Apad"
    assert contact.confidence["name"] < fields.REVIEW_THRESHOLD


@pytest.mark.parametrize(("unsure", "doubted"), [(0.935, True), (0.99, False)])
def test_a_mark_ocr_was_unsure_of_leaves_the_company_doubted(unsure, doubted):
    lines = card(
        ("Bibi Evers", 48),
        "Fast food restaurant manager",
        "Weijters & deë Bruijn",
        "bevers@weijtersdebrui.org",
    )
    text = lines[2].text
    sureness = tuple(
        unsure if i == text.index("eë") else 0.99 for i in range(len(text))
    )
    lines[2] = dataclasses.replace(lines[2], characters=sureness)

    contact = fields.parse(lines)

    assert contact.company == "Weijters & deë Bruijn"
    assert (contact.confidence["company"] < fields.REVIEW_THRESHOLD) is doubted


def test_a_host_printed_with_www_finishes_no_email_cut_in_its_host():
    contact = fields.parse(
        card(("Anna Berg", 48), "Ferrell Thomas", "anna.berg@ferrell www.ferrell.io")
    )

    # The email the website's host tells, as one with a misread host.
    assert list(contact.emails) == ["anna.berg@ferrell.io"]


def test_a_turkish_name_its_email_spells_in_plain_letters_needs_no_review():
    contact = fields.parse(
        card(
            "Ahmet Yılmaz",
            "Satış Müdürü",
            "Örnek Ticaret A.Ş.",
            "ahmet.yilmaz@ornekticaret.com.tr",
            "+90 212 555 12 34",
        )
    )

    assert contact.name.full == "Ahmet Yılmaz"
    assert contact.confidence["name"] == 1.0
    assert contact.confidence["emails"] == 1.0
    assert not contact.needs_review


@pytest.mark.parametrize(
    ("rows", "company"),
    [
        (
            [("Nordvik", 30), ("Technology", 30), ("Ingrid Hansen", 48), "Sales"],
            "Nordvik Technology",
        ),
        (
            [("Ingrid Hansen", 48), "Gerente", ("Feliu", 30), ("Soluciones S.L.", 30)],
            "Feliu Soluciones S.L.",
        ),
        (
            [("Ingrid Hansen", 48), "Sales Manager", ("Nordvik", 30), ("Group", 30)],
            "Nordvik Group",
        ),
    ],
)
@pytest.mark.parametrize("email", ["ingrid@nordvik.no", "ingrid.hansen@gmail.com"])
def test_a_company_set_over_two_lines_is_joined(rows, company, email):
    contact = fields.parse(card(*rows, email))

    assert contact.company == company
    assert contact.name.full == "Ingrid Hansen"


@pytest.mark.parametrize(
    "links",
    [
        ["mrees@wnghtgoughand.net", "https://www.wnghtgoughand.net"],
        ["mrees@wrightgoughand.net", "https://www.wnghtgoughand.net"],
    ],
)
def test_a_domain_a_blur_misread_is_spelled_as_the_company_is(links):
    contact = fields.parse(
        card(
            ("Mohammed Rees", 48),
            "Accountant, chartered certified",
            ("Wright, Gough and Booth", 30),
            *links,
        )
    )

    assert list(contact.emails) == ["mrees@wrightgoughand.net"]
    assert list(contact.websites) == ["https://www.wrightgoughand.net"]


@pytest.mark.parametrize(
    "email", ["ingrid@nordviktechnology.no", "ingrid.hansen@nordvik-group.no"]
)
def test_a_firm_under_the_name_its_domain_finishes_is_no_title(email):
    contact = fields.parse(
        card(("Ingrid Hansen", 48), "Nordvik", "Storgata 12", "0155 Oslo", email)
    )

    assert contact.company == "Nordvik"
    assert contact.title == ""


@pytest.mark.parametrize(
    ("title", "email"),
    [
        ("Designer", "ingrid@designergroup.no"),
        ("Nordvik", "ingrid@nordvikbakeri.no"),
        ("Nordvik", "ingrid.hansen@gmail.com"),
    ],
)
def test_a_line_under_the_name_no_domain_finishes_stays_the_title(title, email):
    contact = fields.parse(
        card(("Ingrid Hansen", 48), title, "Storgata 12", "0155 Oslo", email)
    )

    assert contact.title == title
    assert contact.company == ""


def test_two_lines_whose_domain_spells_them_together_are_the_company():
    contact = fields.parse(
        card(
            ("Ingrid Hansen", 48),
            ("Nordvik", 30),
            ("Technology", 30),
            "ingrid.hansen@nordvik-technology.no",
        )
    )

    assert contact.company == "Nordvik Technology"
    assert contact.confidence["company"] >= fields.REVIEW_THRESHOLD
    assert contact.title == ""


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ("Konsult", "title"),
        ("Sales", "department"),
        ("Technology that works for you", ""),
        ("Storgata 12", ""),
    ],
)
def test_a_title_department_slogan_or_address_under_the_company_stays_apart(
    second, field
):
    contact = fields.parse(
        card(("Nordvik", 30), (second, 30), ("Ingrid Hansen", 48), "ingrid@nordvik.no")
    )

    assert contact.company == "Nordvik"
    if field:
        assert getattr(contact, field) == second


@pytest.mark.parametrize(
    "rows",
    [
        [("Nordvik AS", 30), ("Consulting", 30), ("Ingrid Hansen", 48)],
        [("Nordvik", 30), ("Ingrid Hansen", 48), ("Technology", 30)],
    ],
)
def test_a_company_with_its_legal_form_or_apart_from_the_word_is_not_joined(rows):
    contact = fields.parse(card(*rows, "ingrid@nordvik.no"))

    assert contact.company == rows[0][0]


def test_a_persons_name_over_a_word_for_a_firm_stays_the_name():
    contact = fields.parse(
        card(("Ingrid Hansen", 48), ("Group", 20), "ingrid.hansen@gmail.com")
    )

    assert contact.name.full == "Ingrid Hansen"
    assert contact.company != "Ingrid Hansen Group"


@pytest.mark.parametrize(
    ("upper", "lower", "email"),
    [
        ("Müller &", "Söhne GmbH", "k.weber@mueller-soehne.de"),
        ("Hansen &", "Partner AS", "k.weber@hansenpartner.no"),
        ("Hansen &", "Partner AS", "k.weber@gmail.com"),
        ("Berg og", "Sønner AS", "k.weber@gmail.com"),
    ],
)
@pytest.mark.parametrize("company_first", [True, False])
def test_a_company_line_ending_in_a_conjunction_goes_on_to_the_next(
    upper, lower, email, company_first
):
    company = [(upper, 30), (lower, 30)]
    person = [("Klaus Weber", 48), "Sales Manager"]
    rows = company + person if company_first else person + company

    contact = fields.parse(card(*rows, email))

    assert contact.company == f"{upper} {lower}"
    assert contact.title == "Sales Manager"
    assert not contact.needs_review


@pytest.mark.parametrize(
    ("upper", "lower", "company"),
    [
        ("Müller", "Söhne GmbH", "Söhne GmbH"),
        ("Hansen &", "Sales Manager", ""),
        ("Sales &", "Marketing", "Nordvik AS"),
    ],
)
def test_a_line_under_one_ending_in_no_conjunction_or_no_firm_stays_apart(
    upper, lower, company
):
    rows = [(upper, 30), (lower, 30), ("Klaus Weber", 48)]
    if company:
        rows.append(company)

    contact = fields.parse(card(*rows, "k.weber@gmail.com"))

    assert contact.company == company


@pytest.mark.parametrize(
    ("company", "name"),
    [
        ("Karlsson & Mohamed HB", "Gabriel Karlsson"),
        ("Lindqvist & Mohamed HB", "Gabriel Karisson"),
    ],
)
def test_an_l_read_as_i_in_a_name_is_put_back_where_the_company_spells_it_too(
    company, name
):
    contact = fields.parse(
        card(
            (company, 30),
            ("Gabriel Karisson", 48),
            "Industrial buyer",
            "g.karlsson@karlssonmohame.com",
        )
    )

    assert contact.name.full == name
    assert contact.needs_review


def test_a_lone_small_letter_before_the_title_is_left_out():
    contact = fields.parse(
        card(("Klaus Weber", 48), "i Optician, dispensing", "k.weber@nordvik.no")
    )

    assert contact.title == "Optician, dispensing"
    assert contact.confidence["title"] == 1.0


@pytest.mark.parametrize(
    ("read", "flagged"),
    [
        ("SB English as a second language teacher", True),
        ("English as a second language teacher", False),
        ("IT consultant", False),
    ],
)
def test_letters_before_the_title_no_abbreviation_is_flag_the_card(read, flagged):
    contact = fields.parse(
        card(("Klaus Weber", 48), read, ("Nordvik AS", 30), "k.weber@nordvik.no")
    )

    assert contact.title == read
    assert contact.needs_review == flagged
