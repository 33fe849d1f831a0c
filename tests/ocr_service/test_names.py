"""Names are told from other lines and split into their parts."""

import pytest

from ocr_service import names


@pytest.mark.parametrize(
    ("full", "prefix", "given", "family"),
    [
        ("Dr. Ana Lima", "Dr.", "Ana", "Lima"),
        ("Prof. Dr. Eva Braun", "Prof. Dr.", "Eva", "Braun"),
        ("Max van der Veiver", "", "Max", "van der Veiver"),
        ("Kaique da Cunha", "", "Kaique", "da Cunha"),
        ("Maria Liz Melo", "", "Maria Liz", "Melo"),
        ("Ing. Jan de Vries", "Ing.", "Jan", "de Vries"),
        ("Professor Alan Hughes", "Professor", "Alan", "Hughes"),
        ("DI Martin Pichler", "DI", "Martin", "Pichler"),
        ("dr hab. inż. Anna Nowak", "dr hab. inż.", "Anna", "Nowak"),
        ("Lic. Ana Ruiz", "Lic.", "Ana", "Ruiz"),
        ("Pierre DUPONT", "", "Pierre", "DUPONT"),
        ("CIARÁN O'SULLIVAN", "", "CIARÁN", "O'SULLIVAN"),
        ("ANNE-MARIE D’ARCY", "", "ANNE-MARIE", "D’ARCY"),
        ("Rev. Dr. Alasdair Campbell", "Rev. Dr.", "Alasdair", "Campbell"),
        ("Arq. Valentina Rossi", "Arq.", "Valentina", "Rossi"),
        ("Hon. Mary Smith", "Hon.", "Mary", "Smith"),
        # Without its full stop a given name: a Cantonese one.
        ("Hon Wai Lee", "", "Hon Wai", "Lee"),
        ("Eng.ª Ana Carvalho", "Eng.ª", "Ana", "Carvalho"),
        # Mexico's "C.P." (contador público) before a whole name, initials
        # before a family name alone.
        ("C.P. Laura Ortega", "C.P.", "Laura", "Ortega"),
        ("C.P. Sharma", "", "C.P.", "Sharma"),
        ("Docteur Claire Fontaine", "Docteur", "Claire", "Fontaine"),
        ("Pr. Jean Dupont", "Pr.", "Jean", "Dupont"),
        ("Doutora Ana Lima", "Doutora", "Ana", "Lima"),
        # Without its full stop a family name.
        ("Anne Pr", "", "Anne", "Pr"),
    ],
)
def test_name_splits_into_prefix_given_and_family(full, prefix, given, family):
    name = names.person_name(full, [])

    assert (name.full, name.prefix, name.given, name.family) == (
        full,
        prefix,
        given,
        family,
    )


@pytest.mark.parametrize(
    ("printed", "full", "given", "family"),
    [
        ("Ms. Jane O'Neil-Smith, PhD", "Ms. Jane O'Neil-Smith", "Jane", "O'Neil-Smith"),
        ("Jane Doe, PhD, MBA", "Jane Doe", "Jane", "Doe"),
        ("Ana Lima MBA", "Ana Lima", "Ana", "Lima"),
        ("Ms. Jane O'Neil-Smith,", "Ms. Jane O'Neil-Smith", "Jane", "O'Neil-Smith"),
        ("Oliver Bennett BSc MRICS", "Oliver Bennett", "Oliver", "Bennett"),
        ("Emily Tran MBBS FRACGP", "Emily Tran", "Emily", "Tran"),
        ("James Hunt CEng MIMechE", "James Hunt", "James", "Hunt"),
        ("Sarah Cole BA (Hons)", "Sarah Cole", "Sarah", "Cole"),
        # KC is a Nepali family name as often as a King's Counsel.
        ("Sita KC", "Sita KC", "Sita", "KC"),
    ],
)
def test_degrees_after_a_name_are_left_out_of_it(printed, full, given, family):
    name = names.person_name(printed, [])

    assert (name.full, name.given, name.family) == (full, given, family)


def test_generation_after_a_name_stays_in_the_full_name():
    name = names.person_name("John Smith Jr.", [])

    assert (name.full, name.given, name.family) == ("John Smith Jr.", "John", "Smith")


def test_name_with_several_degrees_after_it_scores_high():
    assert names.likeness("Jane Doe, PhD, MBA") >= 0.8


def test_email_local_part_tells_a_family_name_of_two_words():
    name = names.person_name("Arthur Miguel Casa Grande", ["acasagrande"])

    assert (name.given, name.family) == ("Arthur Miguel", "Casa Grande")


@pytest.mark.parametrize(
    "text",
    [
        "Innovation for a better tomorrow",
        "Sales",
        "+49 30 1234",
        "info@example.org",
        "Your Home. Our Mission.",
    ],
)
def test_lines_that_are_no_name_score_low(text):
    assert names.likeness(text) < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Blake McIneely",
        "Jean-Luc O'Brien",
        "Dr. Ana Lima",
        "Łukasz Wróbel",
        "Ștefan Popescu",
        "Pierre DUPONT",
    ],
)
def test_names_score_high(text):
    assert names.likeness(text) >= 0.8


def test_a_name_all_in_capitals_scores_below_one_in_small_letters():
    assert 0.5 <= names.likeness("STEFAN HOFFMANN") < names.likeness("Stefan Hoffmann")


def test_name_a_letter_off_its_email_is_a_near_miss():
    assert names.is_near_miss("Radmila Gumerich", "r.gumprich")
    assert not names.is_near_miss("Radmila Gumprich", "r.gumprich")


def test_name_with_a_letter_added_in_the_email_is_a_near_miss():
    assert names.is_near_miss("Victor Dijkman", "v.dijikman")
    assert not names.is_near_miss("Victor Dijkman", "v.dijkman")


@pytest.mark.parametrize(
    ("full", "prefix", "given", "family"),
    [
        ("Mrs Helen Whitworth BVSc MRCVS", "Mrs", "Helen", "Whitworth"),
        ("Ciarán Ó Súilleabháin", "", "Ciarán", "Ó Súilleabháin"),
        ("Seán O Briain", "", "Seán", "O Briain"),
        ("ir. J.P. Smit", "ir.", "J.P.", "Smit"),
        ("Maître Claire Moreau", "Maître", "Claire", "Moreau"),
        ("Mgr. Lucie Nováková", "Mgr.", "Lucie", "Nováková"),
        ('James "Jim" Whitaker', "", "James", "Whitaker"),
        ("ir. J.P. (Hans) Smit", "ir.", "J.P.", "Smit"),
    ],
)
def test_names_of_more_countries_score_high_and_split(full, prefix, given, family):
    name = names.person_name(full, [])

    assert names.likeness(full) >= 0.8
    assert (name.prefix, name.given, name.family) == (prefix, given, family)


@pytest.mark.parametrize(
    ("name", "local_part"),
    [
        ("Jonas Müller", "jonas.mueller"),
        ("Ingrid Bjørnstad", "ingrid.bjornstad"),
        # Turkish and Icelandic letters that fold to no plain one.
        ("Ahmet Yılmaz", "ahmet.yilmaz"),
        ("Guðrún Jónsdóttir", "gudrun.jonsdottir"),
    ],
)
def test_an_email_spelling_letters_out_or_plain_backs_the_name(name, local_part):
    assert names.email_overlap(name, local_part) == 1.0


def test_an_email_holding_two_spellings_of_a_name_counts_the_longer_every_run():
    # The spellings of "Sá" are "sa" and "s"; which a set gives first must
    # not change the score from one process to the next.
    assert names.email_overlap("Melissa Sá", "m.sa") == 1.0


def test_the_ordinal_of_eng_read_as_a_question_mark_is_put_back():
    name = names.person_name("Eng.? Ana Rita Carvalho", [])

    assert (name.full, name.prefix) == ("Eng.ª Ana Rita Carvalho", "Eng.ª")


@pytest.mark.parametrize(
    ("full", "emails", "given", "family"),
    [
        # Nothing but the name's shape tells: a given name compound ones
        # end in, or a first family name.
        ("María Fernández Gil", [], "María", "Fernández Gil"),
        ("María José García", [], "María José", "García"),
        ("José Luis Rodríguez Zapatero", [], "José Luis", "Rodríguez Zapatero"),
        ("Ana Clara Freitas", [], "Ana Clara", "Freitas"),
        ("María del Carmen Ruiz", [], "María del Carmen", "Ruiz"),
        # An email that spells the given names whole, or an initial and
        # the family name, tells.
        (
            "María Cristina Gómez",
            ["mariacristina.gomez"],
            "María Cristina",
            "Gómez",
        ),
        ("María Cristina Gómez", ["mgomez"], "María Cristina", "Gómez"),
        ("Ana Clara Freitas", ["anaclara"], "Ana Clara", "Freitas"),
        ("María Fernández Gil", ["maria.fernandez"], "María", "Fernández Gil"),
        ("María Fernández Gil", ["maria"], "María", "Fernández Gil"),
    ],
)
def test_where_people_carry_two_family_names_the_given_names_are_told(
    full, emails, given, family
):
    name = names.person_name(full, emails, two_family_names=True)

    assert (name.given, name.family) == (given, family)


@pytest.mark.parametrize("two_family_names", [True, False])
@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("Juan de Dios Pérez", "Juan de Dios", "Pérez"),
        ("María de los Ángeles Pérez", "María de los Ángeles", "Pérez"),
        ("José de Jesús Hernández", "José de Jesús", "Hernández"),
        ("María del Carmen Ruiz López", "María del Carmen", "Ruiz López"),
        # A particle before a family name ending the name starts it.
        ("Maria de Jesus", "Maria", "de Jesus"),
        ("Carlos de la Cruz", "Carlos", "de la Cruz"),
        # A given name after a particle is a family name: "de Pablo".
        ("Luis de Pablo Gómez", "Luis", "de Pablo Gómez"),
        ("Ana de Juan Pérez", "Ana", "de Juan Pérez"),
    ],
)
def test_a_compound_given_name_with_a_particle_stays_the_given_name(
    full, given, family, two_family_names
):
    name = names.person_name(full, [], two_family_names)

    assert (name.given, name.family) == (given, family)


def test_a_name_with_the_particles_de_los_is_shaped_as_a_name():
    assert names.likeness("María de los Ángeles Pérez") >= 0.8


@pytest.mark.parametrize("two_family_names", [True, False])
def test_family_names_joined_by_i_or_y_are_one_family_name(two_family_names):
    name = names.person_name("Jordi Puig i Ferrer", [], two_family_names)

    assert (name.given, name.family) == ("Jordi", "Puig i Ferrer")


@pytest.mark.parametrize(
    ("full", "local_part", "misread"),
    [
        ("Marima Apad", "mxima.abad", True),
        ("Marima Apad", "m.abad", True),
        ("Klaus Hofrnann", "k.hofmann", True),
        ("Máxima Abad", "mxima.abad", False),
        ("John Doe", "jdoe", False),
        # A nickname, the rest of whose email no word of the name spells.
        ("Kate Smith", "katherine.smith", False),
        # Letters another word spells stand for no misread word.
        ("Yvonne Jones", "y.jones", False),
        ("Anna Berg", "info", False),
    ],
)
def test_name_misread_against_the_email_that_spells_it(full, local_part, misread):
    assert names.misread_against_email(full, local_part) is misread


@pytest.mark.parametrize(
    ("local_part", "letters", "spells"),
    [
        ("kanebreen", "kanebreen", True),
        # The first letter and the family name after it.
        ("kbreen", "kanebreen", True),
        ("breen", "kanebreen", False),
        # Too short to tell a name by.
        ("kbr", "kbr", False),
    ],
)
def test_a_local_part_spells_a_names_letters_whole_or_by_its_initial(
    local_part, letters, spells
):
    assert names.local_part_spells(local_part, letters) is spells
