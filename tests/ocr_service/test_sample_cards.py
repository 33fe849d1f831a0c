"""The sample cards shipped with the project, which the README's first
command reads, come out with the name, company and email printed on them."""

from pathlib import Path

import pytest

from ocr_service.cards import CardOcr

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cards"

# What each card prints, as a person reads it off the card.
PRINTED = {
    "01-holt-en.png": (
        "Maren Holt",
        "Brightwater Freight Ltd",
        "maren.holt@brightwaterfreight.co.uk",
    ),
    "02-feldmeier-de.png": (
        "Dr. Jonas Feldmeier",
        "Feldmeier & Söhne GmbH",
        "j.feldmeier@feldmeier-soehne.de",
    ),
    "03-roussel-fr.png": (
        "Camille Roussel",
        "Atelier Verlaine SARL",
        "camille.roussel@atelier-verlaine.fr",
    ),
    "04-benitez-es-rotated.png": (
        "Lucía Benítez Ortega",
        "Construcciones Albarrán S.L.",
        "lucia.benitez@albarran-construcciones.es",
    ),
    "05-sjoberg-sv-photo.jpg": (
        "Erik Sjöberg",
        "Nordljus Data AB",
        "erik.sjoberg@nordljusdata.se",
    ),
    "06-raman-us.png": (
        "Priya Raman",
        "Ledgerline Analytics",
        "priya.raman@ledgerline-analytics.com",
    ),
}


@pytest.fixture(scope="module")
def ocr():
    return CardOcr(None, None)


def test_every_sample_card_is_covered():
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(PRINTED)


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_sample_card_reads_as_printed(ocr, name):
    contact = ocr.read((SAMPLES / name).read_bytes())

    assert (contact.name.full, contact.company, list(contact.emails)) == (
        PRINTED[name][0],
        PRINTED[name][1],
        [PRINTED[name][2]],
    )
    assert not contact.needs_review
