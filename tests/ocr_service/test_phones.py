"""Phone numbers are found in a line, typed by their labels and normalised."""

import pytest

from ocr_service import phones


def numbers(text, region=None):
    return [
        (f.phone.type, f.phone.number, f.phone.extension)
        for f in phones.find(text, region)
    ]


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Tel.", phones.WORK),
        ("Phone:", phones.WORK),
        ("Direct", phones.WORK),
        ("Office", phones.WORK),
        ("Büro", phones.WORK),
        ("M", phones.MOBILE),
        ("Mob.", phones.MOBILE),
        ("Cell", phones.MOBILE),
        ("Handy", phones.MOBILE),
        ("GSM", phones.MOBILE),
        ("Portable", phones.MOBILE),
        ("F", phones.FAX),
        ("Telefax", phones.FAX),
        ("Fax |", phones.FAX),
    ],
)
def test_label_gives_the_type(label, kind):
    assert numbers(f"{label} +44 20 7946 0958") == [(kind, "+442079460958", "")]


def test_two_labelled_numbers_on_one_line_are_both_found():
    found = numbers("T +33 1 42 68 53 00  F +33 1 42 68 53 01")

    assert [kind for kind, _, _ in found] == [phones.WORK, phones.FAX]


def test_a_number_inside_words_is_not_taken_without_a_label():
    assert numbers("Rotonda Trillini 8, 89036 Capo Spartivento") == []


def test_too_few_digits_make_no_number():
    assert numbers("Tel. 12 34") == []


@pytest.mark.parametrize("line", ["06 12 34 56 78", "2902.9010", "| 0461 118 044"])
def test_a_number_with_no_label_is_the_work_number(line):
    assert [kind for kind, _, _ in numbers(line, "FR")] == [phones.WORK]


def test_a_number_after_unlisted_words_is_typed_in_the_card_country():
    assert numbers("Signal: 06 12 34 56 78", "FR") == [
        (phones.MOBILE, "06 12 34 56 78", "")
    ]


def test_number_after_unlisted_words_no_library_can_type_stays_unspecified():
    assert numbers("Night line: 2902.9010") == [(phones.UNSPECIFIED, "2902.9010", "")]


@pytest.mark.parametrize(
    ("line", "region"),
    [
        # A word no label list holds is as often a register's: a
        # Belgian enterprise number, a Portuguese tax number, a Danish VAT
        # number.
        ("Ondernemingsnr. 0475.123.456", "BE"),
        ("Contribuinte 234 567 891", "PT"),
        ("Momsnr. 32 14 56 78", "DK"),
        # A firm's SIREN, without the trunk zero a French number has.
        ("Rennes 512 345 678", "FR"),
        # An order number, a ZIP+4 code and a Colombian street address.
        ("Order 2024-123456", "US"),
        ("Itasca 60143-1234", "US"),
        ("Carrera 15 93-75", "CO"),
        # A house number and a postcode.
        ("Industrieweg 12-14 3762", "NL"),
        ("Rådhusgatan 42 831 80", "SE"),
        # Opening hours, a date and a tax office's number.
        ("Horario 09.00 - 14.00", "ES"),
        ("Updated 2024-05-12", "DK"),
        ("Finanzamt 021/815/08150", "DE"),
    ],
)
def test_other_numbers_after_an_unlisted_word_are_no_phone(line, region):
    assert numbers(line, region) == []


def test_country_of_the_card_is_the_one_its_numbers_mostly_call():
    printed = ("+49 30 1234567", "+49 89 1234567", "+43 1 234567")
    found = [phones.find(text, None)[0].phone for text in printed]

    assert phones.country_of(found) == "DE"


@pytest.mark.parametrize(
    ("printed", "country"),
    [
        (("+62 270 1973402", "+7 884 3703 12 3"), "ID"),
        (("+7 884 3703 12 3", "+62 270 1973402"), "RU"),
    ],
)
def test_country_of_numbers_calling_as_many_of_two_is_the_first_printed(
    printed, country
):
    found = [phones.find(text, None)[0].phone for text in printed]

    assert phones.country_of(found) == country


@pytest.mark.parametrize(
    ("printed", "rewritten"),
    [
        ("+31 02-7912248", True),
        ("+31 (0)20 7912248", False),
        ("+31 20 7912248", False),
        ("0049 30 1234567", False),
        ("030 1234 5678", False),
    ],
)
def test_normalising_that_drops_a_printed_digit_is_told(printed, rewritten):
    phone = phones.build(printed, phones.WORK, "NL")

    assert phones.rewrites_digits(phone) is rewritten


@pytest.mark.parametrize(
    "printed",
    ["+31 02-7912248", "+31(0)07-5983867", "+46 (0)08 647 457 56", "+49(0) 0417 82995"],
)
def test_a_number_whose_e164_form_would_lose_a_printed_digit_stays_as_printed(
    printed,
):
    phone = phones.build(printed, phones.WORK, None)

    assert phone.number == printed


@pytest.mark.parametrize(
    "printed", ["+52 1 55 3456 7890", "+52 1 (55) 3456-7890", "+52.1.55.3456.7890"]
)
def test_the_one_mexican_mobiles_were_dialled_with_is_dropped(printed):
    phone = phones.build(printed, phones.MOBILE, None)

    assert phone.number == "+525534567890"
    assert phone.raw == printed


@pytest.mark.parametrize(
    ("line", "kind", "number"),
    [
        ("Natel +41 79 555 67 89", phones.MOBILE, "+41795556789"),
        ("Telemóvel +351 91 555 1234", phones.MOBILE, "+351915551234"),
        ("tel. kom. +48 601 234 567", phones.MOBILE, "+48601234567"),
        ("puh. +358 9 123 4567", phones.WORK, "+35891234567"),
        ("WhatsApp: +55 31 99999-1111", phones.MOBILE, "+5531999991111"),
        ("Växel: +46 8 123 456 00", phones.WORK, "+46812345600"),
        ("Ligne directe : +33 1 23 45 67 89", phones.WORK, "+33123456789"),
        ("Faks: +90 212 555 12 34", phones.FAX, "+902125551234"),
        ("Helpline +91 124 456 7890", phones.WORK, "+911244567890"),
        ("Direct Dial +353 1 221 4321", phones.WORK, "+35312214321"),
        ("Standard : +33 1 23 45 67 00", phones.WORK, "+33123456700"),
        ("Toll-free +1 800 555 0199", phones.WORK, "+18005550199"),
        ("Toll Free +1 800 555 0199", phones.WORK, "+18005550199"),
        ("Toll Free 1-800-555-0199", phones.WORK, "1-800-555-0199"),
        ("Mob.nr. +31 6 1234 5678", phones.MOBILE, "+31612345678"),
        ("Fax no: +44 20 7946 0959", phones.FAX, "+442079460959"),
    ],
)
def test_labels_of_more_languages_give_the_type(line, kind, number):
    assert numbers(line) == [(kind, number, "")]


@pytest.mark.parametrize(
    ("line", "kind", "number"),
    [
        ("Sans frais 1 800 463-1234", phones.WORK, "1 800 463-1234"),
        ("Matkapuh. 050 987 6543", phones.MOBILE, "050 987 6543"),
        ("Sentral 22 12 34 56", phones.WORK, "22 12 34 56"),
        ("Conmutador 55 5123 4567", phones.WORK, "55 5123 4567"),
        ("Notfall 079 555 12 12", phones.OTHER, "079 555 12 12"),
    ],
)
def test_labels_before_a_number_printed_without_its_country(line, kind, number):
    assert numbers(line) == [(kind, number, "")]


@pytest.mark.parametrize(
    ("line", "kind", "number"),
    [
        ("Emergency 24/7 0800 123 4567", phones.OTHER, "0800 123 4567"),
        ("Notfall 24h: 0171 1234567", phones.OTHER, "0171 1234567"),
        ("Hotline 24 hours: 0800 123 4567", phones.WORK, "0800 123 4567"),
        ("Tel 030 1234567 / 24h", phones.WORK, "030 1234567"),
        ("Tel. 030 1234567 24h", phones.WORK, "030 1234567"),
        ("Helpline 0800 123 4567 (24/7)", phones.WORK, "0800 123 4567"),
        ("Notruf: 040 123456-99 / 24h erreichbar", phones.OTHER, "040 123456-99"),
        # Hours from one to another.
        ("Tel. 030 1234567 / 8-18h", phones.WORK, "030 1234567"),
        ("Tel. 030 1234567 8:00-18:00 Uhr", phones.WORK, "030 1234567"),
        ("Hotline 0800 123 4567 (9 – 17 hrs)", phones.WORK, "0800 123 4567"),
    ],
)
def test_a_line_open_at_all_hours_keeps_them_out_of_its_number(line, kind, number):
    assert numbers(line) == [(kind, number, "")]


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Main 312.786.4400", "312.786.4400"),
        ("Reception 020 7946 0000", "020 7946 0000"),
        ("Sekretariat 0341 35 40 60", "0341 35 40 60"),
        ("Secrétariat : 05 57 65 64 32", "05 57 65 64 32"),
        ("Durchwahl 0341 35 40 6-24", "0341 35 40 6-24"),
        ("Tfno. 986 22 41 30", "986 22 41 30"),
        ("Telf. 986 22 41 30", "986 22 41 30"),
        ("Fone (51) 3346-2200", "(51) 3346-2200"),
        ("Tel.-Nr. 0341 35 40 60", "0341 35 40 60"),
        # The switchboard, in the languages cards come in.
        ("Vermittlung 0341 35 40 60", "0341 35 40 60"),
        ("Telefonzentrale 030 1234-0", "030 1234-0"),
        ("Direct Line 020 7946 0123", "020 7946 0123"),
        ("Zentrale 0341 35 40 60", "0341 35 40 60"),
        ("Centralita 912 345 678", "912 345 678"),
        ("Standard 01 42 68 53 00", "01 42 68 53 00"),
        ("Centralino 02 1234 5678", "02 1234 5678"),
        ("Växel 08-123 456 78", "08-123 456 78"),
        ("Receptie 020 123 4567", "020 123 4567"),
        ("Recepción 912 345 678", "912 345 678"),
        ("Accueil 01 42 68 53 00", "01 42 68 53 00"),
    ],
)
def test_office_line_and_direct_line_labels_give_a_work_number(line, number):
    assert numbers(line) == [(phones.WORK, number, "")]


@pytest.mark.parametrize(
    "line", ["Durchwahl: /35406-24", "Durchwahl /35406-24", "Durchwahl: / 35406-24"]
)
def test_a_direct_lines_local_part_after_the_area_codes_slash_is_found(line):
    assert numbers(line) == [(phones.WORK, "35406-24", "")]


@pytest.mark.parametrize(
    "line", ["Frankfurt am Main 60311", "Maine 04101", "Main St 1234", "Comm. 2024"]
)
def test_a_town_street_or_year_after_such_a_label_word_is_no_phone(line):
    assert numbers(line, "DE") == []


@pytest.mark.parametrize(
    ("line", "kind", "number"),
    [
        ("Celi 061-318 60 91", phones.MOBILE, "061-318 60 91"),
        ("Tei: 030 1234567", phones.WORK, "030 1234567"),
        ("Mobiie +49 170 1234567", phones.MOBILE, "+491701234567"),
        # A one-letter label whose bar OCR read as a letter.
        ("TI (057)-4911862", phones.WORK, "(057)-4911862"),
        ("FI +31276-018955", phones.FAX, "+31276018955"),
        # An "e" a blurred photo read as an "o".
        ("Coll 061-318 60 91", phones.MOBILE, "061-318 60 91"),
        ("Mobilo +49 170 1234567", phones.MOBILE, "+491701234567"),
    ],
)
def test_a_label_ocr_misread_a_letter_of_still_gives_the_type(line, kind, number):
    assert numbers(line, "SE") == [(kind, number, "")]


def test_an_area_code_in_brackets_after_the_country_code_stays_as_printed():
    assert numbers("+44 (020) 7946 0958") == [(phones.WORK, "+44 (020) 7946 0958", "")]


def test_a_number_a_misread_symbol_cut_is_no_number():
    assert numbers("F | +31276-01¢ 955") == []
    assert numbers("F | +31276-018955") == [(phones.FAX, "+31276018955", "")]


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Tel 0900 123456 €1,99/Min", "0900 123456"),
        ("T 020 7946 0958 £0.10/min", "020 7946 0958"),
        ("Tel. 030 123456 € 5", "030 123456"),
        ("Tel 0341 123456 °2 piano", "0341 123456"),
    ],
)
def test_a_price_or_a_note_after_a_number_leaves_it_whole(line, number):
    assert numbers(line) == [(phones.WORK, number, "")]


@pytest.mark.parametrize(
    ("line", "region"),
    [
        # A town, a street and a floor a letter from a label.
        ("Cali 760042", "CO"),
        ("Cl 100 19-54 Of 301", "CO"),
        ("Fl 12 1250 Broadway", "US"),
    ],
)
def test_places_a_letter_from_a_label_make_no_phone(line, region):
    assert numbers(line, region) == []


def test_a_state_code_a_letter_from_a_label_gives_no_type():
    assert numbers("MI 48226-1234", "US") == [(phones.UNSPECIFIED, "48226-1234", "")]


@pytest.mark.parametrize("line", ["Celia 0612345678", "Hello 0301234567"])
def test_a_word_a_letter_from_no_label_before_a_national_number_is_no_label(line):
    assert numbers(line, "SE") == []


@pytest.mark.parametrize(
    "line", ["Phone: | 446.829.2858", "Mobile :| 446.829.2858", "Tel.: 446.829.2858"]
)
def test_a_label_may_end_in_both_a_colon_and_a_bar(line):
    assert [number for _, number, _ in numbers(line)] == ["446.829.2858"]


def test_a_number_with_its_country_is_found_after_a_label_no_listing_holds():
    # Its type then comes from the number itself: a UK mobile.
    assert numbers("Signal: +44 7911 123456") == [(phones.MOBILE, "+447911123456", "")]


@pytest.mark.parametrize(
    "line",
    [
        "Postfach 10 20 30",
        "CEP 30130-171",
        "01310-200",
        "PLZ 80331",
        "PIN: 411001",
        "〒530-0001",
    ],
)
def test_a_postcode_or_a_word_before_a_national_number_makes_no_phone(line):
    assert numbers(line, "BR") == []


@pytest.mark.parametrize(
    ("line", "kind", "number", "extension"),
    [
        ("Toll Free: 1-800-555-0199", phones.WORK, "1-800-555-0199", ""),
        ("Out of hours: 07700 900 777", phones.UNSPECIFIED, "07700 900 777", ""),
        ("Cep: +90 532 555 67 89", phones.MOBILE, "+905325556789", ""),
        ("Télécopieur : 418 555-0161", phones.FAX, "418 555-0161", ""),
        ("Téléc. : 514 555-0143", phones.FAX, "514 555-0143", ""),
        (
            "Tél. : 418 555-0160, poste 2231",
            phones.WORK,
            "418 555-0160, poste 2231",
            "2231",
        ),
    ],
)
def test_a_number_after_words_and_a_colon_is_a_phone(line, kind, number, extension):
    assert numbers(line, "CA") == [(kind, number, extension)]


@pytest.mark.parametrize(
    ("line", "number", "extension"),
    [
        ("Tel. +39 02 8645 1234 int. 214", "+390286451234", "214"),
        ("Tel. +39 02 8645 1234 interno 214", "+390286451234", "214"),
        ("Tel. +55 41 3025-7700 ramal 231", "+554130257700", "231"),
        ("Tel. +49 711 22 55 40 App. 24", "+49711225540", "24"),
        ("Tel. +49 711 22 55 40 Apparat 24", "+49711225540", "24"),
    ],
)
def test_italian_portuguese_and_german_extension_marks_set_the_extension_apart(
    line, number, extension
):
    [found] = phones.find(line, None)

    assert (found.phone.number, found.phone.extension) == (number, extension)


@pytest.mark.parametrize("line", ["Postfach: 10 20 30", "PO Box: 1234 5678"])
def test_a_post_box_before_a_colon_is_no_phone(line):
    assert numbers(line) == []


def test_a_one_letter_label_stands_apart_from_its_number_or_its_separators_show_it():
    assert numbers("T427232") == []
    assert numbers("70 Keightley Street T427232 Ville") == []
    assert numbers("26 Wilkins Street T48 4250 Katie Ville") == []
    assert numbers("T+49 30 1234567") == [(phones.WORK, "+49301234567", "")]
    assert numbers("F739.717.5657") == [(phones.FAX, "739.717.5657", "")]
    assert numbers("M07700 900321") == [(phones.MOBILE, "07700 900321", "")]
    assert numbers("T020 7946 0321") == [(phones.WORK, "020 7946 0321", "")]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Tel./Tél. 343-291-1872", phones.WORK),
        ("Cel. / WhatsApp 222 123 4567", phones.MOBILE),
        ("Mobile & WhatsApp 0412 111 222", phones.MOBILE),
    ],
)
def test_labels_parted_by_a_slash_are_one_label_the_last_typing_it(line, kind):
    [found] = phones.find(line, None)

    assert (found.start, found.end, found.phone.type) == (0, len(line), kind)


@pytest.mark.parametrize(
    ("line", "kinds"),
    [
        ("Tel/Fax 030 12345678", [phones.WORK, phones.FAX]),
        ("Tel.Fax 030 12345678", [phones.WORK, phones.FAX]),
        ("Fax/Tel. 030 12345678", [phones.WORK, phones.FAX]),
        ("T/F 030 12345678", [phones.WORK, phones.FAX]),
        ("Phone & Fax: 030 12345678", [phones.WORK, phones.FAX]),
        ("Tel. und Fax: 030 12345678", [phones.WORK, phones.FAX]),
        ("Tél. et fax 030 12345678", [phones.WORK, phones.FAX]),
        ("Mob./Fax 030 12345678", [phones.MOBILE, phones.FAX]),
        ("Fax & Telefax 030 12345678", [phones.FAX]),
    ],
)
def test_a_fax_label_joined_to_a_voice_label_makes_the_number_both(line, kinds):
    found = phones.find(line, None)

    assert [(f.phone.type, f.phone.raw) for f in found] == [
        (kind, "030 12345678") for kind in kinds
    ]


def test_numbers_listed_after_a_tel_and_fax_label_are_both_too():
    found = phones.find("Tel/Fax 030 1234567, 030 7654321", None)

    assert sorted((f.phone.type, f.phone.raw) for f in found) == [
        (phones.WORK, "030 1234567"),
        (phones.WORK, "030 7654321"),
        (phones.FAX, "030 1234567"),
        (phones.FAX, "030 7654321"),
    ]


def test_a_number_starting_00_too_short_to_be_dialled_abroad_stays_as_printed():
    assert numbers("Fax 0098 5772", "AU") == [(phones.FAX, "0098 5772", "")]
    assert numbers("Tel 0049 30 1234567", "AU") == [(phones.WORK, "+49301234567", "")]


@pytest.mark.parametrize(
    ("line", "kind", "number"),
    [
        ("(+44) 20 7946 0958", phones.WORK, "+442079460958"),
        ("Tel (+44) 20 7946 0958", phones.WORK, "+442079460958"),
        ("F | (+358) 9 1234 5678", phones.FAX, "+358912345678"),
        ("Mob ( +358 ) 40 123 4567", phones.MOBILE, "+358401234567"),
        # The area code inside the country code's brackets.
        ("Tel (+91-80) 2525 1234", phones.WORK, "+918025251234"),
    ],
)
def test_a_country_code_in_brackets_is_the_numbers_country(line, kind, number):
    assert numbers(line) == [(kind, number, "")]


@pytest.mark.parametrize(
    "line",
    [
        "+49(0) 387500474",
        "+490) 387500474",
        "+49 0) 387500474",
        "+49 (0387500474",
        # A speck after it read as a comma.
        "+49 (0), 387500474",
    ],
)
def test_a_trunk_zero_in_brackets_is_dropped_even_with_a_bracket_lost(line):
    assert numbers(line) == [(phones.WORK, "+49387500474", "")]


@pytest.mark.parametrize(
    "line",
    [
        "VAT 123456789",
        "ABN 12 345 678 901",
        "KvK 12345678",
        "CNPJ 12.345.678/0001-90",
        "INN 7701234567",
        "NIT 900.123.456-7",
        "KvK-nummer: 87654321",
        "VAT No. 123456789",
        "CVR 12345678",
        "Org.nr: 556677-8899",
        "Business Reg. No.: 123-45-67890",
        "Sort code: 20-00-00",
        "Acc: 12345678",
        "IČ: 27082440",
        "KRS 0000123456",
        "MVA 987 654 321",
        "RUC 20123456789",
        "CUIT 20-12345678-9",
        "Matrícula 12345",
        "HRB 123456",
        "Steuernummer 021/815/08150",
        "Kto.-Nr. 0532 0130 00",
        "BLZ 370 400 44",
        "OAB/SP 245.118",
        "CRM-RJ 52.123",
        # Nor is a date.
        "Valid until: 31/12/2025",
    ],
)
def test_a_tax_company_or_bank_number_is_no_phone(line):
    assert numbers(line, "DE") == []


@pytest.mark.parametrize(
    ("line", "region"),
    [
        ("Stand: 2024-05-12", "DK"),
        ("Orario: 09.00 - 13.00", "IT"),
        ("08.30 - 17.00", "NL"),
    ],
)
def test_a_date_printed_year_first_or_opening_hours_are_no_phone(line, region):
    assert numbers(line, region) == []


@pytest.mark.parametrize(
    "line", ["Reception 09.00 - 17.00", "Main 2024-05-12", "Comm 12.05.2024"]
)
def test_opening_hours_or_a_date_after_a_phones_label_are_no_phone(line):
    assert numbers(line, "GB") == []


@pytest.mark.parametrize(
    ("line", "number"),
    [
        # Words that such labels start.
        ("Pan India Helpline: 1800 102 5555", "1800 102 5555"),
        ("Inn Reservations: 01632 960123", "01632 960123"),
        ("Accounts: 020 7946 0958", "020 7946 0958"),
        # A number printed with its country is no tax number.
        ("Reg. Office +44 20 7946 0958", "+442079460958"),
        # A label after a word's dot.
        ("Tel.Mob 030 12345678", "030 12345678"),
        ("Tel.Mob.: 0171 555 1234", "0171 555 1234"),
    ],
)
def test_a_phone_whose_line_starts_like_such_a_label_is_kept(line, number):
    assert [found for _, found, _ in numbers(line, "GB")] == [number]


def test_the_last_letter_of_an_abbreviation_labels_no_number():
    assert numbers("Bogotá D.C. 110231", "CO") == []


@pytest.mark.parametrize(
    "line", ["Tel: 011-2345 6789, 011-2345 6790", "Tel 011-2345 6789 or 011-2345 6790"]
)
def test_a_number_listed_after_a_labelled_one_is_of_its_kind(line):
    assert numbers(line, "IN") == [
        (phones.WORK, "011-2345 6789", ""),
        (phones.WORK, "011-2345 6790", ""),
    ]


def test_a_label_of_any_number_leaves_its_kind_to_the_number():
    assert numbers("Call 0412 111 222 or 02 9876 5432", "AU") == [
        (phones.MOBILE, "0412 111 222", ""),
        (phones.WORK, "02 9876 5432", ""),
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("+49 171 2345678 (mobile)", phones.MOBILE),
        ("+49 171 2345678 (M)", phones.MOBILE),
        ("+49 30 1234567 - Fax", phones.FAX),
        ("+49 30 1234567 [office]", phones.WORK),
    ],
)
def test_a_label_printed_after_its_number_types_it(line, kind):
    assert [k for k, _, _ in numbers(line)] == [kind]


@pytest.mark.parametrize(
    "line",
    [
        "944 23 78 10 | 656 12 88 04",
        "944 23 78 10  ·  656 12 88 04",
        "944 23 78 10, 656 12 88 04",
        "944 23 78 10  656 12 88 04",
    ],
)
def test_numbers_side_by_side_with_no_label_are_each_a_work_number(line):
    assert numbers(line, "ES") == [
        (phones.WORK, "944 23 78 10", ""),
        (phones.WORK, "656 12 88 04", ""),
    ]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (
            "944 23 78 10 | Fax 944 23 78 11",
            [(phones.WORK, "944 23 78 10", True), (phones.FAX, "944 23 78 11", False)],
        ),
        (
            "Telf. 986 22 41 30 | 656 12 88 04",
            [(phones.WORK, "986 22 41 30", False), (phones.WORK, "656 12 88 04", True)],
        ),
    ],
)
def test_a_number_with_no_label_beside_a_labelled_one_is_kept_as_unlabelled(
    line, found
):
    assert [(f.phone.type, f.phone.raw, f.bare) for f in phones.find(line, "ES")] == (
        found
    )


@pytest.mark.parametrize(
    "line",
    [
        "Tel. 0341 354060 | 04416 Markkleeberg",
        "Tel. 0341 354060 | 12.05.2024",
        "KvK 12345678 | Tel. 0341 354060",
    ],
)
def test_a_postcode_date_or_register_number_beside_a_labelled_number_is_no_phone(
    line,
):
    assert [number for _, number, _ in numbers(line, "DE")] == ["0341 354060"]


@pytest.mark.parametrize(
    "line",
    [
        "Box 118, 221 00 Lund",
        "KvK 12345678 | BTW NL123456789B01",
        "01.01.2024 | 31.12.2024",
        "CEP 01310-200, 01310-300",
    ],
)
def test_a_line_parted_like_side_by_side_numbers_holding_something_else_has_none(
    line,
):
    assert numbers(line, "SE") == []


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("O0 +61 3 9600 1234", "+61396001234"),
        ("0 0433 222 111", "0433 222 111"),
        # France prints a free number after a lone zero.
        ("0 800 123 456", "0 800 123 456"),
    ],
)
def test_a_telephone_icon_read_as_round_letters_is_no_part_of_the_number(line, number):
    assert [n for _, n, _ in numbers(line)] == [number]


def test_a_unit_and_postcode_before_a_town_after_a_label_word_are_no_phone():
    assert numbers("Kontor 2 20457 Hamburg") == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("Call 13 22 65 anytime", ["13 22 65"]),
        ("Tel 31 45 67 Fax 31 45 68", ["31 45 67", "31 45 68"]),
    ],
)
def test_a_short_number_before_words_is_a_phone_all_the_same(line, found):
    assert [number for _, number, _ in numbers(line)] == found


@pytest.mark.parametrize(
    "line",
    [
        # A register's or licence's number beside a labelled phone.
        "T 212 555 0100 | NPI 1234567890",
        "T 02 4998 7777 | Lic. # 123456",
    ],
)
def test_a_number_after_a_short_word_beside_a_labelled_phone_is_no_phone(line):
    assert len(numbers(line)) == 1


@pytest.mark.parametrize(
    "line",
    [
        "-32.78511, 151.28843",
        "0900-1700 | 1800-2100",
        "€ 1.250.000 · € 985.000",
    ],
)
def test_coordinates_hours_and_prices_side_by_side_are_no_phones(line):
    assert numbers(line) == []


def test_split_shift_hours_after_a_reception_label_are_no_phone():
    assert numbers("Secrétariat 9.00 - 12.00 / 14.00 - 18.00") == []


def test_int_before_an_international_number_is_no_extension():
    found = numbers("Tel 020-1234567, int. 0031-20-1234567")

    assert all(extension == "" for _, _, extension in found)


def test_main_of_frankfurt_am_main_labels_nothing():
    assert numbers("60322 Frankfurt am Main") == []


@pytest.mark.parametrize(
    ("line", "registration"),
    [
        ("OAB/SP 245.118", True),
        ("Kto.-Nr. 123456", True),
        ("Steuer-Nr. 021/815/08150", True),
        ("RCS Rennes B 512 345 678", True),
        # Firms named so.
        ("CRM 365 Solutions Ltd", False),
        ("Konto 24 GmbH", False),
        ("RCS Logistics 2000", False),
        ("Steuer 1 Beratung", False),
    ],
)
def test_registration_labels_are_told_from_firms_named_alike(line, registration):
    assert phones.is_registration(line) is registration


@pytest.mark.parametrize(
    ("line", "firm"),
    [
        (
            "Romano Arredamenti S.r.l. – P.IVA 02345678901",
            "Romano Arredamenti S.r.l.",
        ),
        ("RCS Rennes 512 345 678 – SIRET 512 345 678 00024", ""),
        ("Acme Ltd", "Acme Ltd"),
    ],
)
def test_the_firm_before_its_registration_in_a_footer(line, firm):
    assert phones.before_registration(line) == firm


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Mobile/WeChat: +86 138 0013 8000", "+8613800138000"),
        ("Viber/Signal: +7 916 123-45-67", "+79161234567"),
        ("Telegram: +44 7700 900123", "+447700900123"),
    ],
)
def test_a_messengers_name_labels_a_mobile_number(line, number):
    assert numbers(line) == [(phones.MOBILE, number, "")]


@pytest.mark.parametrize(
    ("line", "number"),
    [
        # A telephone icon read as a tilde.
        ("(~ 3378203930", "3378203930"),
        # A dash read as a colon between groups of digits.
        ("Mob 98 8880:6135", "98 8880-6135"),
    ],
)
def test_a_number_misread_around_its_digits_is_found_whole(line, number):
    assert [found[1] for found in numbers(line, "BR")] == [number]


@pytest.mark.parametrize(
    "line",
    [
        # Hours, a standard's year, a port, a reference, a figure in brackets.
        "Open 9:00-17:00",
        "ISO 9001:2015",
        "SIP 10.20.30.100:5060",
        "Dnr 2023:1234",
        "(~ 102 000)",
        "(~1830-1848)",
    ],
)
def test_a_colon_or_a_tilde_beside_digits_makes_no_number_of_what_is_none(line):
    assert numbers(line, "BR") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Tel: 030 1234567 / 030 1234568",
            [(phones.WORK, "030 1234567"), (phones.WORK, "030 1234568")],
        ),
        (
            "Tel: +49 30 1234567 / +49 30 1234568",
            [(phones.WORK, "+49301234567"), (phones.WORK, "+49301234568")],
        ),
        ("Tel. 030 / 1234567", [(phones.WORK, "030 / 1234567")]),
        (
            "Fon/Fax: 030 1234567",
            [(phones.WORK, "030 1234567"), (phones.FAX, "030 1234567")],
        ),
    ],
)
def test_numbers_a_label_lists_with_slashes_are_each_kept(line, expected):
    assert [(f.phone.type, f.phone.number) for f in phones.find(line, None)] == expected


def test_groups_ocr_read_twice_are_read_once():
    found = phones.find("Handy (677 (677), 303- 303-4798", "CA")

    assert [(f.phone.type, f.phone.number) for f in found] == [
        (phones.MOBILE, "(677) 303-4798")
    ]
    assert found[0].repaired
    assert found[0].end == len("Handy (677 (677), 303- 303-4798")


def test_a_number_printed_whole_is_no_repair():
    found = phones.find("Tel 0800 800 800", "GB")

    assert [f.phone.number for f in found] == ["0800 800 800"]
    assert not found[0].repaired


@pytest.mark.parametrize(
    ("printed", "region", "fault"),
    [
        ("21 4901 4900-7833", "BR", phones.TOO_LONG),
        ("677677", "CA", phones.TOO_SHORT),
        ("21 4900-7833", "BR", None),
        # Nothing tells the country of a national number.
        ("21 4901 4900-7833", None, None),
        # Printed with its country, it tells it.
        ("+55 21 4901 4900-783", None, phones.TOO_LONG),
        # After "00" a national number is no number dialled abroad.
        ("0058-107586", "NL", None),
    ],
)
def test_length_fault_by_the_numbers_country(printed, region, fault):
    phone = phones.build(printed, None, region)

    assert phones.length_fault(phone, region) == fault


@pytest.mark.parametrize(
    ("printed", "region", "invalid"),
    [
        ("0461 118 04", "AU", True),
        ("0461 118 044", "AU", False),
        ("750.932.1270", "US", True),
        ("212.932.1270", "US", False),
        ("750.932.1270", None, False),
        # libphonenumber would dial it abroad: no number of the card's.
        ("0025-438484", "NL", False),
    ],
)
def test_invalid_only_where_the_country_is_known(printed, region, invalid):
    phone = phones.build(printed, None, region)

    assert phones.invalid(phone, region) is invalid


@pytest.mark.parametrize(
    ("line", "number", "extension"),
    [
        ("Tel (308)603-6063x91 832", "(308)603-6063x91 832", "91832"),
        ("F 708.799.4066x91 63", "708.799.4066x91 63", "9163"),
        ("Tel +1 308 603 6063 ext. 9 1832", "+13086036063", "91832"),
    ],
)
def test_an_extension_whose_digits_ocr_parted_with_a_space_is_read_whole(
    line, number, extension
):
    [(_, found, found_extension)] = numbers(line)

    assert (found, found_extension) == (number, extension)


def test_digits_past_an_extensions_six_stay_out_of_it():
    assert numbers("Tel 030 1234567 x12 3456 7") == [(phones.WORK, "030 1234567", "")]


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("+34 873,64 38.28", "+34873643828"),
        ("Tel +1 415,555,0172", "+14155550172"),
    ],
)
def test_a_comma_ocr_read_inside_a_number_with_its_country_is_a_gap(line, number):
    assert [found for _, found, _ in numbers(line, "ES")] == [number]


@pytest.mark.parametrize(
    "line",
    ["Tel +34 873 64 38 28,912 345 678", "Tel +34 873 64 38 28, 912 345 678"],
)
def test_a_comma_between_two_numbers_still_parts_them(line):
    assert [found for _, found, _ in numbers(line, "ES")] == [
        "+34873643828",
        "912 345 678",
    ]
