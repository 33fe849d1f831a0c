"""Fields of one contact back each other up or cast doubt on each other."""

import pytest

from cardscan.v1 import contact_pb2
from ocr_service import crosscheck


def contact(**fields):
    found = contact_pb2.Contact(**fields)
    for name in ("company", "emails", "websites"):
        found.confidence[name] = 0.5
    return found


def test_email_domain_spelling_the_company_is_trusted():
    found = contact(company="Limalabs Ltd", emails=["ana@limalabs.com"])

    crosscheck.credit_corroboration(found)

    assert found.confidence["emails"] == pytest.approx(crosscheck.CORROBORATED)
    assert found.confidence["company"] == pytest.approx(crosscheck.CORROBORATED)


def test_email_agreeing_only_with_the_website_stays_doubted():
    found = contact(emails=["ana@limalabs.com"], websites=["limalabs.com"])

    crosscheck.credit_corroboration(found)

    assert found.confidence["emails"] == 0.5


def test_website_outvoted_by_email_and_company_takes_their_domain():
    found = contact(
        company="Ginty LLC",
        emails=["b@gintyllc.com"],
        websites=["https://www.gintylic.com"],
    )

    crosscheck.outvote_misread_domains(found)

    assert list(found.websites) == ["https://www.gintyllc.com"]
    assert found.confidence["websites"] == pytest.approx(crosscheck.OUTVOTED_TRUST)
