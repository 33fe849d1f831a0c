"""An OCR worker's settings: which Tesseract models it loads."""

import pytest

from ocr_service import config

EXPECTED = "OCR_LANGUAGES must name Tesseract models joined with +, as eng+deu"


@pytest.mark.parametrize(
    ("raw", "languages"),
    [("eng", "eng"), ("eng+deu", "eng+deu"), ("chi_sim+Latin", "chi_sim+Latin")],
)
def test_models_joined_with_plus_are_taken(raw, languages):
    assert config.load({"OCR_LANGUAGES": raw}).languages == languages


@pytest.mark.parametrize("env", [{}, {"OCR_LANGUAGES": ""}])
def test_unset_or_empty_languages_leave_the_default_model(env):
    assert config.load(env).languages is None


@pytest.mark.parametrize(
    ("raw", "joined"),
    [("eng,deu", "eng+deu"), ("eng, deu", "eng+deu"), ("eng deu;fra", "eng+deu+fra")],
)
def test_models_joined_otherwise_are_refused_showing_them_joined_with_plus(raw, joined):
    with pytest.raises(ValueError) as raised:
        config.load({"OCR_LANGUAGES": raw})

    assert str(raised.value) == f"{EXPECTED}, not {raw!r}: write {joined}"


@pytest.mark.parametrize("raw", ["+", "eng+", "+eng", "eng++deu"])
def test_an_empty_model_name_is_refused_saying_so(raw):
    with pytest.raises(ValueError) as raised:
        config.load({"OCR_LANGUAGES": raw})

    assert str(raised.value) == f"{EXPECTED}, not {raw!r}: a model name is empty"


def test_a_file_name_for_a_model_is_refused_naming_it():
    with pytest.raises(ValueError) as raised:
        config.load({"OCR_LANGUAGES": "eng+deu.traineddata"})

    assert str(raised.value) == (
        f"{EXPECTED}, not 'eng+deu.traineddata': 'deu.traineddata' is no model "
        "name, which is letters, digits, _ and -, as chi_sim is"
    )
