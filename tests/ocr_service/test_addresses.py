"""Addresses are joined from their lines and split into their parts."""

import pytest

from ocr_service import addresses, countries


@pytest.mark.parametrize(
    ("lines", "postal_code", "city", "region", "country"),
    [
        (["Hauptstraße 12", "10115 Berlin"], "10115", "Berlin", "", ""),
        (["Kerkstraat 1, 1234 AB, Delft"], "1234 AB", "Delft", "", "NL"),
        (["1 Main St", "Springfield, IL 62704"], "62704", "Springfield", "IL", "US"),
        (["10 King St", "Toronto, ON M5H 2N2"], "M5H 2N2", "Toronto", "ON", "CA"),
        # OCR read a space into a code printed whole.
        (
            ["9 Reed Sq, Port Jackshire, MB E1 P6X6"],
            "E1P6X6",
            "Port Jackshire",
            "MB",
            "CA",
        ),
        # And an "8" read as a "B" after the province.
        (
            ["419 Karen Rest, New Debbie, NT LBM9S9"],
            "L8M9S9",
            "New Debbie",
            "NT",
            "CA",
        ),
        # And a "B" read as an "8" in a letter's place.
        (
            ["56411 Maria Crest, New Megan, AB S5A589"],
            "S5A5B9",
            "New Megan",
            "AB",
            "CA",
        ),
        # And an "A" read as a "4".
        (
            ["67309 Timothy Parkway Apt. 210, West Christopher, NU J9S 143"],
            "J9S 1A3",
            "West Christopher",
            "NU",
            "CA",
        ),
        # But not a Dutch code after the Netherlands' letters, which are
        # Newfoundland's too.
        (
            ["High Tech Campus 34", "NL 5656 AG Eindhoven"],
            "5656 AG",
            "Eindhoven",
            "",
            "NL",
        ),
        (
            ["Kerkstraat 12", "NL 4541 AB Sluiskil"],
            "4541 AB",
            "Sluiskil",
            "",
            "NL",
        ),
        (["9 Low Rd, Perth, WA, 6000"], "6000", "Perth", "WA", "AU"),
        (
            ["Av. Santa Fe 1234", "B1640HFB Martínez"],
            "B1640HFB",
            "Martínez",
            "",
            "AR",
        ),
        (
            ["Rua A, 10, Centro, 01310-100 São Paulo / SP"],
            "01310-100",
            "São Paulo",
            "SP",
            "BR",
        ),
        (["Via Roma, 3, 00184, Roma (RM)"], "00184", "Roma", "RM", ""),
        (["Flat 2, High St, London, SW1A 1AA"], "SW1A 1AA", "London", "", "GB"),
        (["5 Main St D02 X285 Dublin"], "D02 X285", "Dublin", "", "IE"),
        (
            ["1 Peachtree St", "Atlanta, Georgia 30301"],
            "30301",
            "Atlanta",
            "Georgia",
            "US",
        ),
        (["Springfield, ILLINOIS 62704"], "62704", "Springfield", "ILLINOIS", "US"),
        (
            ["10 King St", "Toronto, Ontario M5H 2N2"],
            "M5H 2N2",
            "Toronto",
            "Ontario",
            "CA",
        ),
        (["Sydney, New South Wales 2000"], "2000", "Sydney", "New South Wales", "AU"),
    ],
)
def test_parts_of_an_address(lines, postal_code, city, region, country):
    address = addresses.address(lines, None)

    assert (address.postal_code, address.city, address.region, address.country) == (
        postal_code,
        city,
        region,
        country,
    )


def test_country_of_a_shared_postal_code_shape_comes_from_the_hint():
    assert addresses.address(["Hauptstraße 12", "10115 Berlin"], "DE").country == "DE"


def test_printed_country_name_wins():
    address = addresses.address(["Rue X 1", "75001 Paris", "France"], "DE")

    assert address.country == "FR"


def test_lines_join_into_one():
    address = addresses.address(["34,", "boulevard Marine", "14754 Caen"], None)

    assert address.full == "34, boulevard Marine, 14754 Caen"
    assert address.street == "34, boulevard Marine"


@pytest.mark.parametrize(
    "text",
    [
        "Hauptstraße 12",
        "Kerkstraat 1",
        "Via Roma",
        "Suite 400",
        "34",
        "Kaiserring 5",
        "Postfach 10 20 30",
        "ZI des Pins - BP 45",
        "Mannerheimintie 12 B",
        "Vesterbrogade 10, 2. sal",
        "Postholderstræde 45",
        "Storgata 5",
        "Damsgårdsvegen 12",
        "Bulevardul Dima",
        "Cr. 109 # 97-34 Sur",
        "C/ de Colón, 15, 3º B",
        "Atatürk Cad. No: 112",
        "Zona Industriale, Lotto 14",
        "Handelsesplanaden 12 A",
        "Viaducto Chihuahua 211",
        "Calzada de Tlalpan 1924",
        "Sibeliuksenkuja 3 B 12",
        "Pg. de Gràcia, 21, 4t 2a",
        "Plaça de Catalunya, 9",
        "Av. Diagonal 640",
        "Avinguda Meridiana 30",
        "Kicksteeg 47",
        "Fietspad 12",
    ],
)
def test_street_lines_are_told(text):
    assert addresses.street_evidence(text)


def test_pg_without_its_dot_is_no_passeig():
    assert not addresses.street_evidence("PG Plumbing & Heating")


@pytest.mark.parametrize(
    "text",
    [
        "Bianchi Catering Ltd",
        "Great Lakes Manufacturing Co.",
        "Studio Nord",
        "Aloha Grand Resort & Spa",
        "Ter Haar Consulting",
        "St Mary's Heart Clinic",
        "St. Luke's Family Practice",
        "3 Green Energy Ltd",
        "Hill & Partners",
        "24 Hour Access",
        "iPad Repair 24",
    ],
)
def test_company_lines_are_no_street(text):
    assert not addresses.street_evidence(text)


@pytest.mark.parametrize(
    ("lines", "street"),
    [
        (["34", "boulevard Marine, 14754 Caen"], "34, boulevard Marine"),
        (["Via Roma, 31 Piano 2, 00184, Roma (RM)"], "Via Roma, 31 Piano 2"),
        (["118 Yang Mission", "Stevenville, NM 09682"], "118 Yang Mission"),
    ],
)
def test_house_number_stays_with_its_street(lines, street):
    assert addresses.address(lines, None).street == street


@pytest.mark.parametrize(
    ("line", "street"),
    [
        ("500 Harbor BIvd, Suite 210", "500 Harbor Blvd, Suite 210"),
        ("12 PIace Vendôme", "12 Place Vendôme"),
        # Capitals keep their "I"; so do words that are no street type.
        ("77 SUNSET BIVD", "77 SUNSET BIVD"),
        ("4 McIntyre Road", "4 McIntyre Road"),
    ],
)
def test_a_street_word_read_with_i_for_l_is_put_right(line, street):
    found = addresses.address([line, "San Francisco, CA 94111"], "US")

    assert found.full == f"{street}, San Francisco, CA 94111"


@pytest.mark.parametrize(
    ("line", "street"),
    [
        ("GeiselstraBe 34", "Geiselstraße 34"),
        ("Hauptstra8e 5", "Hauptstraße 5"),
        ("Strabe 5", "Strabe 5"),
    ],
)
def test_a_german_street_read_with_b_for_sharp_s_is_put_right(line, street):
    assert addresses.address([line, "45213 Erkelenz"], "DE").street == street


@pytest.mark.parametrize(
    ("line", "city", "region", "postal_code", "country"),
    [
        (
            "1 Market St, San Francisco, CA 94105, USA",
            "San Francisco",
            "CA",
            "94105",
            "US",
        ),
        (
            "10 Downing Street, London SW1A 2AA, United Kingdom",
            "London",
            "",
            "SW1A 2AA",
            "GB",
        ),
        (
            "1 Market St, San Francisco, CA 94105, U.S.A.",
            "San Francisco",
            "CA",
            "94105",
            "US",
        ),
        ("Hauptstraße 12, 10115 Berlin, Deutschland", "Berlin", "", "10115", "DE"),
        ("Calle Mayor 5, 28013 Madrid, España", "Madrid", "", "28013", "ES"),
        ("Hauptstraße 12, 10115 Berlin Germany", "Berlin", "", "10115", "DE"),
    ],
)
def test_country_after_the_postal_code_is_no_city(
    line, city, region, postal_code, country
):
    address = addresses.address([line], None)

    assert (address.city, address.region, address.postal_code, address.country) == (
        city,
        region,
        postal_code,
        country,
    )
    assert address.full == line


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Deutschland", "DE"),
        ("España", "ES"),
        ("Sverige", "SE"),
        ("the Netherlands", "NL"),
    ],
)
def test_country_names_as_cards_print_them_are_told(text, code):
    assert countries.code_of(text) == code


def test_country_alone_after_its_postal_code_stays_the_city():
    assert addresses.address(["Boulevard X 1", "98000 Monaco"], None).city == "Monaco"


@pytest.mark.parametrize(
    ("lines", "street"),
    [
        (["1 Market St, Suite 300, San Francisco, CA 94105"], "1 Market St, Suite 300"),
        (["Flat 2, High St, London, SW1A 1AA"], "Flat 2, High St"),
        (
            ["1 Market St, Suite 300", "San Francisco, CA 94105"],
            "1 Market St, Suite 300",
        ),
    ],
)
def test_suite_printed_after_the_street_stays_on_its_line(lines, street):
    assert addresses.address(lines, None).street == street


def test_a_state_name_that_is_no_region_of_the_country_is_no_region():
    address = addresses.address(["Via Roma 1", "Victoria, Lazio 00184"], None)

    assert address.region == ""


@pytest.mark.parametrize(
    ("lines", "street", "city"),
    [
        (["Austin, TX 78701"], "", "Austin"),
        (["1 Main St, Austin, TX 78701"], "1 Main St", "Austin"),
        (["1 Main St", "Austin", "TX 78701"], "1 Main St", "Austin"),
        (["1 Main St, Austin", "TX 78701"], "1 Main St", "Austin"),
        (["Sydney NSW 2000"], "", "Sydney"),
    ],
)
def test_the_city_printed_before_the_code_is_no_part_of_the_street(lines, street, city):
    address = addresses.address(lines, None)

    assert (address.street, address.city) == (street, city)


@pytest.mark.parametrize(
    ("text", "numbered"),
    [
        ("Damrak 1", True),
        ("Oude Gracht 12a", True),
        ("Rokin 75-2", True),
        # Hungary ends the number with a full stop.
        ("Szerbmártoni tér 223.", True),
        # With a floor and door after it.
        ('San Martín 550, 2° "C"', True),
        ("Calle Mayor 4, 3º B", True),
        ("Jan de Vries", False),
        ("Sales 2024 Team", False),
        ("12 Main", False),
    ],
)
def test_a_street_name_with_its_house_number_after_it_is_told(text, numbered):
    assert addresses.numbered_street(text) is numbered


@pytest.mark.parametrize(
    ("lines", "hint", "postal_code", "city", "country"),
    [
        (["Salzburger Straße 15", "5020 Salzburg"], "AT", "5020", "Salzburg", "AT"),
        (["Rue du Rhône 1", "1204 Genève"], "CH", "1204", "Genève", "CH"),
        (["Via Lugano 3", "CH-6900 Lugano"], None, "6900", "Lugano", "CH"),
        (["Vesterbrogade 10", "1620 København V"], "DK", "1620", "København V", "DK"),
        (["Meir 1", "2000 Antwerpen", "België"], None, "2000", "Antwerpen", "BE"),
        (["Av. da Boavista 1200", "4100-130 Porto"], None, "4100-130", "Porto", "PT"),
        (
            ["ul. Marszałkowska 10", "00-026 Warszawa"],
            None,
            "00-026",
            "Warszawa",
            "PL",
        ),
        (["Hauptstraße 12", "D-10115 Berlin"], None, "10115", "Berlin", "DE"),
        (["Box 1234", "SE-405 08 Göteborg"], None, "405 08", "Göteborg", "SE"),
        (["Lindenlaan 25, B-9940 Evergem"], None, "9940", "Evergem", "BE"),
        (["Mariahilfer Straße 12", "1060 Wien"], "AT", "1060", "Wien", "AT"),
    ],
)
def test_four_digit_and_hyphenated_postcodes_of_europe(
    lines, hint, postal_code, city, country
):
    address = addresses.address(lines, hint)

    assert (address.postal_code, address.city, address.country) == (
        postal_code,
        city,
        country,
    )
    assert address.street == lines[0].split(",")[0]


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("1200 Market Street", "CH"),
        ("5020 Salzburg", "DE"),
        ("Natel +41 79 555 67 89", "CH"),
        ("Telemóvel +351 91 555 1234", "PT"),
    ],
)
def test_digits_that_are_no_postcode_are_not_taken_for_one(line, hint):
    assert addresses.postal_code(line, hint) is None


@pytest.mark.parametrize(
    ("lines", "hint", "city", "region"),
    [
        (
            ["Rue Sainte-Catherine 1", "Montréal (Québec) H3B 4W8"],
            None,
            "Montréal",
            "Québec",
        ),
        (["Av. Paulista 1000", "São Paulo/SP, 01304-001"], None, "São Paulo", "SP"),
        (
            ["Rua X, 10", "Centro, Rio de Janeiro - RJ, 20011-000"],
            None,
            "Rio de Janeiro",
            "RJ",
        ),
        (["Calle Mayor 1", "26200 Haro (La Rioja)"], "ES", "Haro", "La Rioja"),
        (
            ["Av. Constitución 2000", "Monterrey, N.L., C.P. 64000"],
            "MX",
            "Monterrey",
            "",
        ),
    ],
)
def test_a_region_printed_after_the_city_is_no_part_of_it(lines, hint, city, region):
    address = addresses.address(lines, hint)

    assert (address.city, address.region) == (city, region)
    assert address.street == lines[0]


def test_a_country_name_ending_the_city_stays_in_it():
    address = addresses.address(["Av. Reforma 1", "06500 Ciudad de México"], "MX")

    assert (address.city, address.country) == ("Ciudad de México", "MX")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Polska", "PL"),
        ("Česká republika", "CZ"),
        ("Türkiye", "TR"),
        ("Norge", "NO"),
    ],
)
def test_a_country_is_known_by_its_own_name(name, code):
    assert countries.code_of(name) == code


def test_a_dot_between_street_and_postcode_parts_them_as_a_comma_does():
    address = addresses.address(["Königsallee 92a · 40212 Düsseldorf"], "DE")

    assert (address.street, address.postal_code, address.city) == (
        "Königsallee 92a",
        "40212",
        "Düsseldorf",
    )


@pytest.mark.parametrize(
    ("lines", "street", "city", "region"),
    [
        (
            ["Unit 4, Parc Menai", "Bangor, Gwynedd LL57 4FB"],
            "Unit 4, Parc Menai",
            "Bangor",
            "Gwynedd",
        ),
        (
            ["Old Mill", "Thame, Oxfordshire OX9 3AA"],
            "Old Mill",
            "Thame",
            "Oxfordshire",
        ),
        (["Salford, Manchester M5 4WT"], "Salford", "Manchester", ""),
        (["Flat 2, High St, London, SW1A 1AA"], "Flat 2, High St", "London", ""),
    ],
)
def test_a_british_county_between_town_and_postcode_is_the_region(
    lines, street, city, region
):
    address = addresses.address(lines, None)

    assert (address.street, address.city, address.region) == (street, city, region)


@pytest.mark.parametrize(
    ("lines", "hint", "street", "postal_code", "city", "region"),
    [
        (
            ["44 Hosur Road", "Bengaluru 560100"],
            "IN",
            "44 Hosur Road",
            "560100",
            "Bengaluru",
            "",
        ),
        (
            ["44 Hosur Road", "Bengaluru, Karnataka 560100"],
            "IN",
            "44 Hosur Road",
            "560100",
            "Bengaluru",
            "Karnataka",
        ),
        (
            ["Nariman Point, Mumbai 400021", "Maharashtra"],
            "IN",
            "Nariman Point",
            "400021",
            "Mumbai",
            "Maharashtra",
        ),
        (
            ["Nariman Point", "Mumbai - 400 021"],
            "IN",
            "Nariman Point",
            "400 021",
            "Mumbai",
            "",
        ),
        (
            ["12 Connaught Place", "New Delhi - 110001"],
            "IN",
            "12 Connaught Place",
            "110001",
            "New Delhi",
            "",
        ),
        (
            ["1 Raffles Place, #20-61", "Singapore 048616"],
            "SG",
            "1 Raffles Place, #20-61",
            "048616",
            "Singapore",
            "",
        ),
        # Auckland is a region too, and here the city.
        (
            ["12 Queen Street, Auckland 1010"],
            "NZ",
            "12 Queen Street",
            "1010",
            "Auckland",
            "",
        ),
        (["PO Box 1234", "Sandton 2146"], "ZA", "PO Box 1234", "2146", "Sandton", ""),
        (
            ["ul. Tverskaya 7", "125009 Moscow"],
            "RU",
            "ul. Tverskaya 7",
            "125009",
            "Moscow",
            "",
        ),
        (
            ["1-7-1 Konan, Minato-ku", "Tokyo 108-0075"],
            "JP",
            "1-7-1 Konan, Minato-ku",
            "108-0075",
            "Tokyo",
            "",
        ),
    ],
)
def test_postcode_in_the_shape_of_the_cards_country(
    lines, hint, street, postal_code, city, region
):
    address = addresses.address(lines, hint)

    assert (
        address.street,
        address.postal_code,
        address.city,
        address.region,
        address.country,
    ) == (street, postal_code, city, region, hint)


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        # A number a label announces is no postcode.
        ("Reg. No. 123456", "IN"),
        ("GSTIN: 123456", "IN"),
        # A street's number before its name.
        ("1234 Great North Road", "NZ"),
        # Digits that run on into another group are a phone number's.
        ("Mumbai 400021 2345", "IN"),
        ("Call +91 400021", "IN"),
        # A short code alone tells nothing; a long one may (a city above it).
        ("2196", "ZA"),
        # The shape of a country other than the card's.
        ("Bengaluru 560100", "NZ"),
        # A country without postcodes.
        ("Dubai 123456", "AE"),
        # Years, standards and registrations beside their words.
        ("Since 1987", "NZ"),
        ("Est. 1995", "NZ"),
        ("Proudly serving Auckland since 1987", "NZ"),
        ("ISO 9001 Certified", "ZA"),
        ("Licence 654321", "IN"),
        ("Regd. 123456", "IN"),
    ],
)
def test_no_postcode_of_the_cards_country(line, hint):
    assert addresses.postal_code(line, hint) is None


def test_short_national_code_asks_for_a_street():
    assert addresses.postal_code("Auckland 1010", "NZ").needs_street
    assert not addresses.postal_code("Bengaluru 560100", "IN").needs_street


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("5020 Salzburg", "5020"),
        ("Fieni, 548888", "548888"),
        ("Anantapur-288588", "288588"),
        ("158384, Firavitoba, Boyacá", "158384"),
    ],
)
def test_a_code_beside_a_town_of_no_country_known_asks_for_a_street(line, code):
    postal = addresses.postal_code(line, None)

    assert (postal.code, postal.country, postal.needs_street) == (code, None, True)


def test_a_code_the_cards_country_tells_asks_for_no_street():
    assert not addresses.postal_code("1060 Wien", "AT").needs_street


@pytest.mark.parametrize(
    "line",
    ["Kundennummer 123456", "Member 123456", "Order No. 123456", "Licence 654321"],
)
def test_six_digits_after_a_label_are_no_code_of_no_country_known(line):
    assert addresses.postal_code(line, None) is None


def test_five_digits_of_the_shape_the_cards_country_gives_tell_the_country():
    address = addresses.address(["129 Samseong-ro", "Seoul 06181"], "KR")

    assert (address.postal_code, address.city, address.country) == (
        "06181",
        "Seoul",
        "KR",
    )


def test_region_beside_the_city_of_a_known_country_stays_the_city():
    # Brazil's states share names with their capitals; its rules place them.
    address = addresses.address(["Av. Paulista, 1000", "01310-100", "São Paulo"], "BR")

    assert (address.city, address.region) == ("São Paulo", "")


def test_a_founding_year_is_no_numbered_street():
    assert not addresses.numbered_street("Est. 2005")
    assert addresses.numbered_street("Damrak 1")


@pytest.mark.parametrize(
    ("lines", "hint", "street", "city", "region"),
    [
        # The region after the code, the city before it.
        (
            ["Andheri West", "Mumbai 400053, Maharashtra"],
            "IN",
            "Andheri West",
            "Mumbai",
            "Maharashtra",
        ),
        # The region before the code, the city ending the line above.
        (["MG Road, Kochi", "Kerala 682016"], "IN", "MG Road", "Kochi", "Kerala"),
        # Japan's addresses name the prefecture, not a city apart.
        (
            ["1-7-1 Konan", "Minato-ku, Tokyo 108-0075"],
            "JP",
            "1-7-1 Konan",
            "Tokyo",
            "",
        ),
        # A region that is also the city's name, and a street above it.
        (
            ["Level 3, 45 Queen Street", "Auckland 1010"],
            "NZ",
            "Level 3, 45 Queen Street",
            "Auckland",
            "",
        ),
        # The town before the code is the city; the line under it no city.
        (
            [
                "Unit 1203, Tektite Tower",
                "Pasig City 1605",
                "Metro Manila",
            ],
            "PH",
            "Unit 1203, Tektite Tower",
            "Pasig City",
            "",
        ),
        (
            ["No. 5, 2nd Cross, Indiranagar", "Bangalore - 560038, Karnataka"],
            "IN",
            "No. 5, 2nd Cross, Indiranagar",
            "Bangalore",
            "Karnataka",
        ),
    ],
)
def test_city_and_region_around_a_code_of_the_cards_country(
    lines, hint, street, city, region
):
    address = addresses.address(lines, hint)

    assert (address.street, address.city, address.region) == (street, city, region)


def test_a_city_that_is_a_country_tells_the_country_over_the_phones():
    address = addresses.address(["8 Marina View, #30-01", "Singapore 018960"], "IN")

    assert (address.postal_code, address.city, address.country) == (
        "018960",
        "Singapore",
        "SG",
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [("P.R. China", "CN"), ("PRC", "CN"), ("Republic of Korea", "KR"), ("Korea", "KR")],
)
def test_short_names_cards_give_their_country(text, code):
    assert countries.code_of(text) == code


def test_a_code_after_its_countrys_postal_word_or_mark():
    address = addresses.address(
        ["12 FC Road, Shivajinagar", "Pune", "PIN: 411005"], "IN"
    )

    assert (address.postal_code, address.city) == ("411005", "Pune")
    assert addresses.postal_code("〒530-0001", "JP").code == "530-0001"


@pytest.mark.parametrize("name", ["Guangdong", "Guangdong Province", "GUANGDONG"])
def test_a_region_is_named_with_or_without_the_word_for_its_kind(name):
    # ISO 3166-2 names it "Guangdong Sheng".
    assert countries.is_region_name("CN", name)


def test_a_chinese_province_beside_its_city_is_the_region():
    address = addresses.address(["88 Tianhe Road", "Guangzhou, Guangdong 510620"], "CN")

    assert (address.city, address.region, address.country) == (
        "Guangzhou",
        "Guangdong",
        "CN",
    )


@pytest.mark.parametrize(
    ("lines", "hint", "street", "city", "region", "country"),
    [
        (
            ["15 Tahrir Street, Dokki", "Giza, Egypt"],
            "EG",
            "15 Tahrir Street, Dokki",
            "Giza",
            "",
            "EG",
        ),
        # A post office box's number is no postcode.
        (
            ["P.O. Box 12345, Dubai", "United Arab Emirates"],
            "AE",
            "P.O. Box 12345",
            "Dubai",
            "",
            "AE",
        ),
        # A region of the card's country ends the address, though no country
        # does; the town is the place before it, or the region itself where
        # the country's addresses name no town apart.
        (
            ["Cll. 10 # 4-47", "Cali, Valle del Cauca"],
            "CO",
            "Cll. 10 # 4-47",
            "Cali",
            "Valle del Cauca",
            "CO",
        ),
        (
            ["Harbour City, Tsim Sha Tsui", "Kowloon, Hong Kong"],
            "HK",
            "Harbour City",
            "Tsim Sha Tsui",
            "Kowloon",
            "HK",
        ),
        (
            ["Office 1203, Bay Square", "Business Bay, Dubai"],
            "AE",
            "Office 1203, Bay Square",
            "Dubai",
            "",
            "AE",
        ),
        # In a country without postcodes, the place that ends the address.
        (
            ["Building 12, Street 230", "P.O. Box 23456, Doha"],
            "QA",
            "Building 12, Street 230",
            "Doha",
            "",
            "QA",
        ),
        # A building is no town, nor are words that are no town's name.
        (
            ["Calle 5, Edificio Azul", "Panamá"],
            None,
            "Calle 5, Edificio Azul",
            "",
            "",
            "PA",
        ),
        (
            ["100 Wall Street", "Admitted in New York, New Jersey"],
            "US",
            "100 Wall Street",
            "",
            "",
            "",
        ),
        (
            ["Via Roma 12", "Handmade in Florence, Italy"],
            None,
            "Via Roma 12",
            "",
            "",
            "IT",
        ),
    ],
)
def test_the_town_of_an_address_with_no_postcode_ends_it(
    lines, hint, street, city, region, country
):
    address = addresses.address(lines, hint)

    assert (address.postal_code, address.street, address.city) == ("", street, city)
    assert (address.region, address.country) == (region, country)


@pytest.mark.parametrize(
    ("lines", "hint", "city", "region"),
    [
        (["Via Roma 1", "20121 Milano MI"], "IT", "Milano", "MI"),
        (["Via del Corso 10", "00186 Roma RM", "Italia"], None, "Roma", "RM"),
        # Two capitals that name no province stay with the city.
        (["Via Roma 1", "20121 Milano ZZ"], "IT", "Milano ZZ", ""),
        (["12 rue de la Paix", "75002 Paris Cedex 02"], "FR", "Paris", ""),
        (["Tour First", "92400 Courbevoie CEDEX"], "FR", "Courbevoie", ""),
    ],
)
def test_a_province_code_or_cedex_after_the_city_is_no_part_of_it(
    lines, hint, city, region
):
    address = addresses.address(lines, hint)

    assert (address.city, address.region) == (city, region)


def test_a_city_after_its_code_stays_the_city_where_its_province_bears_its_name():
    address = addresses.address(["Av. San Martín 550, piso 2", "M5500 Mendoza"], "AR")

    assert (address.postal_code, address.city, address.region) == (
        "M5500",
        "Mendoza",
        "",
    )
    assert address.street == "Av. San Martín 550, piso 2"


def test_a_county_alone_before_the_code_is_told():
    assert addresses.county_before_code("Kent ME17 1PL", None)
    assert not addresses.county_before_code("Maidstone ME17 1PL", None)
    # A council area named as its town is that town.
    assert not addresses.county_before_code("Stirling FK9 4LA", None)


@pytest.mark.parametrize(
    ("lines", "hint", "street", "city", "region"),
    [
        (
            ["Main Street", "Ballincollig, Co. Cork P31 KX24"],
            "IE",
            "Main Street",
            "Ballincollig",
            "Co. Cork",
        ),
        (
            ["Main Street", "Ballincollig", "Co. Cork", "P31 KX24"],
            "IE",
            "Main Street",
            "Ballincollig",
            "Co. Cork",
        ),
        (
            ["Distillery Road", "Aberlour", "Banffshire AB38 9PD"],
            "GB",
            "Distillery Road",
            "Aberlour",
            "Banffshire",
        ),
        # After its town on the line above the code.
        (
            ["Free Zone East", "Shannon, Co. Clare", "V14 E370"],
            None,
            "Free Zone East",
            "Shannon",
            "Co. Clare",
        ),
        (
            ["Mill Lane", "Maidstone, Kent", "ME17 1PL"],
            None,
            "Mill Lane",
            "Maidstone",
            "Kent",
        ),
        # With no Eircode at all.
        (
            ["Main Street", "Ennis, Co. Clare"],
            None,
            "Main Street",
            "Ennis",
            "Co. Clare",
        ),
    ],
)
def test_a_county_before_the_code_is_the_region_and_the_town_before_it_the_city(
    lines, hint, street, city, region
):
    address = addresses.address(lines, hint)

    assert (address.street, address.city, address.region) == (street, city, region)


@pytest.mark.parametrize(
    ("lines", "hint", "postal_code"),
    [
        (["4 Grand Canal Square", "Dublin 2", "D02 X525"], None, "D02 X525"),
        (["10 Earlsfort Terrace, Dublin 6W, D6W Y2K3"], "IE", "D6W Y2K3"),
        (["4 Grand Canal Square", "Dublin 2"], None, ""),
        (["4 Grand Canal Square", "Dublin 2", "Ireland"], "GB", ""),
    ],
)
def test_a_dublin_postal_district_is_the_city_and_tells_ireland(
    lines, hint, postal_code
):
    address = addresses.address(lines, hint)

    assert (address.street, address.postal_code, address.country) == (
        lines[0].split(",")[0],
        postal_code,
        "IE",
    )
    assert address.city in ("Dublin 2", "Dublin 6W")


def test_a_number_after_dublin_past_its_districts_is_no_district():
    assert addresses.dublin_district("Dublin 24")
    assert addresses.dublin_district("DUBLIN 6W, Ireland")
    assert not addresses.dublin_district("Dublin 25")
    assert not addresses.dublin_district("Dublin 2020")


@pytest.mark.parametrize(
    ("hint", "street"),
    [("NL", "Yasminebaan 10"), ("TR", "Yasmınebaan 10"), (None, "Yasmınebaan 10")],
)
def test_a_dotless_i_is_an_i_on_a_card_of_a_country_that_writes_none(hint, street):
    address = addresses.address(["Yasmınebaan 10", "6092 XA Hoogkarspel"], hint)

    assert address.street == street


def test_an_address_in_turkish_letters_keeps_its_dotless_i_whatever_the_phones():
    address = addresses.address(
        ["Caferağa Mah. Sakız Sk. No:5", "34710 Kadıköy, İstanbul"], "DE"
    )

    assert address.street == "Caferağa Mah. Sakız Sk. No:5"


@pytest.mark.parametrize(
    ("text", "street", "with_town"),
    [
        ("011 Antony Glens, Terrychester", True, True),
        ("5 Arawaka Approach, Smithgate 9620", True, True),
        ("4 Kings Parade", True, False),
        ("12b Harbour View", True, False),
        ("14 Eagle Ridge", True, False),
        ("The Manse, 4 Kirk Wynd", True, False),
        # Taglines and firms named so are streets only over a postal line.
        ("360 Degree View", True, False),
        ("7 Hills Estate", True, False),
        ("3 Green Energy Ltd", False, False),
    ],
)
def test_english_streets_are_told_by_their_type_after_a_house_number(
    text, street, with_town
):
    assert addresses.english_street(text) is street
    assert addresses.english_street_and_town(text) is with_town


@pytest.mark.parametrize(
    ("county", "english"),
    [
        ("na Gaillimhe", "Galway"),
        ("Chorcaí", "Cork"),
        ("Bhaile Átha Cliath", "Dublin"),
        ("Cork", "Cork"),
        ("Gaillimh", ""),
    ],
)
def test_an_irish_county_is_known_in_irish_as_after_co(county, english):
    assert countries.irish_county_in_english(county) == english


def test_a_northern_irish_county_in_irish_is_in_the_united_kingdom():
    address = addresses.address(["Main Street", "Newry, Co. an Dúin"], None)

    assert (address.region, address.country) == ("Co. an Dúin", "GB")


def test_words_in_small_letters_in_a_codes_shape_but_with_no_digit_are_no_code():
    assert addresses.postal_code("bob ono") is None
