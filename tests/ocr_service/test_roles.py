"""Department lines are told from titles in the languages cards come in."""

import pytest

from ocr_service import roles


@pytest.mark.parametrize(
    "text",
    [
        "Sales",
        "Ufficio Marketing",
        "Departamento de Ingeniería",
        "Département Ventes",
        "Dział Sprzedaży",
        "Audit & Assurance",
        "Structural Division",
        "Pôle Mécatronique",
        "Direction Commerciale",
        "Office of Undergraduate Admissions",
        "Office of Grants Management",
        "Trade Policy Section",
        "Directie Water en Bodem",
        "Institutionen för datavetenskap",
        "Strategic Policy Branch",
        # A medical specialty alone.
        "Cardiologia",
        "Kardiologie",
        "Cardiology",
        "Cardiologie",
        "Pediatría",
        "Psychiatry",
    ],
)
def test_department_lines_are_told(text):
    assert roles.is_department(text)


@pytest.mark.parametrize(
    "text",
    [
        # Firms and bands, organisations of their own, and titles.
        "The Olive Branch",
        "The Rhythm Section",
        "Servicio de Administración Tributaria",
        "Lid van de Directie",
        "Studierektor vid Institutionen",
        "Senior Management Team",
        "Section Head",
        "Office Manager",
    ],
)
def test_lines_with_a_department_kinds_word_that_name_none(text):
    assert not roles.is_department(text)


@pytest.mark.parametrize(
    "text",
    [
        "Head of Sales",
        "Sales Manager",
        "Marta Oliveira",
        "Division Manager",
        "Team Lead",
        "Branch Manager",
        "Office Manager",
        "Section Head",
        "Jefa de Servicio",
        # Who practises a specialty.
        "Cardiologist",
        "Kardiologe",
        "Cardiólogo",
        "Pediatra",
    ],
)
def test_titles_and_names_are_no_department(text):
    assert not roles.is_department(text)


@pytest.mark.parametrize(
    "text",
    [
        "Technology",
        "Technologie",
        "Tecnología",
        "Teknologi",
        "Biotechnology",
        "Methodology",
        "Metodología",
        "Terminology",
        "Ideology",
    ],
)
def test_a_word_ending_as_a_specialty_that_names_no_field_is_no_department(text):
    assert not roles.is_department(text)


@pytest.mark.parametrize("text", ["Department of Technology", "Technology Division"])
def test_such_a_word_beside_a_word_for_a_part_still_names_a_department(text):
    assert roles.is_department(text)


@pytest.mark.parametrize("text", ["Office Depot", "Servicio Andaluz de Salud"])
def test_a_kind_of_part_before_a_name_without_a_preposition_makes_no_department(
    text,
):
    assert not roles.is_department(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Senior Consultant", 1),
        ("Project Engineer", 1),
        ("Bennett & Hale Property Consultants", 0),
        ("O'Sullivan Engineering", 0),
    ],
)
def test_a_title_stems_plural_or_ing_form_names_a_business(text, count):
    assert roles.title_word_count(text) == count


@pytest.mark.parametrize(
    ("read", "department"),
    [
        ("Marketüng", "Marketing"),
        ("Finanee", "Finance"),
        # "ri" read as one "n".
        ("Engineenng", "Engineering"),
        # A short word with a blurred vowel.
        ("Salos", "Sales"),
        ("Dosign", "Design"),
    ],
)
def test_a_department_ocr_misread_a_letter_of_is_spelled_right(read, department):
    assert roles.misread_department(read) == department


@pytest.mark.parametrize(
    "text",
    [
        "Marketing",
        "Productos",
        "Supporter",
        "Engineer",
        "Salas",
        "Marketing Lead",
        # Short words a letter apart but for one vowel blurred into another.
        "Salon",
        "Legol",
        "Audil",
        "Soles",
        "Ventos",
        # A letter apart, but not one OCR reads for the other: other words,
        # and departments in other languages.
        "Finances",
        "Securify",
        "Qualify",
        "Treasure",
        "Financier",
        "Personas",
        "Vendita",
        "Logística",
        "Strategi",
    ],
)
def test_words_a_department_is_not_misread_as_are_left(text):
    assert roles.misread_department(text) is None


@pytest.mark.parametrize(
    ("read", "title"),
    [
        ("Patent attomey", "Patent attorney"),
        ("Toacher, secondary school", "Teacher, secondary school"),
        ("Hotel porter", "Hotel porter"),
        ("Chef Executivo", "Chef Executivo"),
        # Words of their own a vowel from a title word.
        ("Leitor de Português", "Leitor de Português"),
        ("Follow-up Coordinator", "Follow-up Coordinator"),
        ("Systems analyst", "Systems analyst"),
        # A word too short to tell from others a blur away.
        ("Head of Salos", "Head of Salos"),
    ],
)
def test_a_title_word_a_blurred_photo_misread_is_spelled_right(read, title):
    assert roles.title_read_right(read) == title


@pytest.mark.parametrize(
    ("read", "title"),
    [
        ("Ilustrator", "Illustrator"),
        ("Financial controler", "Financial controller"),
        # No title word is spelled so with its "l" doubled.
        ("Pilot", "Pilot"),
        ("Solutions architect", "Solutions architect"),
    ],
)
def test_a_title_word_with_its_double_l_read_once_is_spelled_right(read, title):
    assert roles.title_read_right(read) == title


@pytest.mark.parametrize(
    ("title", "letters"),
    [
        ("SB English as a second language teacher", "SB"),
        ("i Optician, dispensing", "i"),
        ("Xq Sales Manager", "Xq"),
    ],
)
def test_letters_before_a_title_that_no_abbreviation_is_are_stray(title, letters):
    assert roles.stray_letters(title) == letters


@pytest.mark.parametrize(
    "title",
    ["IT consultant", "VP Sales", "HR Manager", "VD", "Optician, dispensing",
     "Ms Rita", "de la Cruz"],
)  # fmt: skip
def test_a_title_starting_with_an_abbreviation_or_a_word_has_no_stray_letters(title):
    assert roles.stray_letters(title) is None
