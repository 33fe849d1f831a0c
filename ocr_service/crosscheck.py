"""Fields checked against each other: what two fields of a card agree on
is trusted, what they nearly agree on was misread in one of them."""

from cardscan.v1 import contact_pb2
from ocr_service import companies, links, misreads, names
from ocr_service.wording import fold

# How sure a field is that other fields of the card spell out.
CORROBORATED = 0.9

# How sure a field put right from a misread letter is: the repair is
# likely but a person should look.
MISREAD_TRUST = 0.5

# How sure a field is that nearly agrees with another: one was misread.
NEAR_MISS_TRUST = 0.6

# How sure a domain is that was put right because the company and another
# link spell it so.
OUTVOTED_TRUST = 0.8

# How sure a field is whose first letter, or a letter of its legal form, was
# put right from another field.
INITIAL_TRUST = 0.75


def set_confidence(contact: contact_pb2.Contact, name: str, value: float) -> None:
    """Sets a field's confidence, kept between 0 and 1."""
    contact.confidence[name] = round(max(0.0, min(1.0, value)), 3)


def lower(contact: contact_pb2.Contact, name: str, value: float) -> None:
    """Lowers a field's confidence to the value if it is above it."""
    set_confidence(contact, name, min(contact.confidence[name], value))


def domains(contact: contact_pb2.Contact) -> list[str]:
    """The domains of the contact's emails and websites, each once."""
    values = list(contact.emails) + list(contact.websites)
    return list(dict.fromkeys(links.domain(v) for v in values))


def _domains_of_both(contact: contact_pb2.Contact) -> list[str]:
    """The domains both an email and a website of the contact have: two
    readings that agree."""
    of_emails = {links.domain(e) for e in contact.emails}
    of_websites = {links.domain(w) for w in contact.websites}
    return [d for d in domains(contact) if d in of_emails & of_websites]


def spelled_out(contact: contact_pb2.Contact, email: str) -> bool:
    """True when the name spells the email's local part and the company its
    domain."""
    local = email.split("@")[0]
    return names.email_overlap(contact.name.full, local) >= 0.9 and _company_spells(
        contact.company, links.domain(email)
    )


def back_links_by_each_other(contact: contact_pb2.Contact) -> None:
    """A link OCR read poorly takes the confidence of a link with the same
    domain that it read well: the domain was read right at least once."""
    emails = {links.domain(e) for e in contact.emails}
    sites = {links.domain(w) for w in contact.websites}
    if not emails & sites:
        return
    for name, other in (("emails", "websites"), ("websites", "emails")):
        lifted = min(contact.confidence[other], CORROBORATED)
        set_confidence(contact, name, max(contact.confidence[name], lifted))


def outvote_misread_domains(contact: contact_pb2.Contact) -> None:
    """An email or website whose domain is a letter off the other's, reads
    a double letter once ("williamslc" beside williamsllc) or lost a letter
    ("inanzasoerysl" beside finanzasoerysl, "howelljonson" beside
    howelljohnson), when the company spells the other's, takes the other's
    domain: two reads agree against one."""
    pairs = (
        ("emails", contact.emails, contact.websites),
        ("websites", contact.websites, contact.emails),
    )
    for name, values, others in pairs:
        for index, value in enumerate(values):
            mine = links.domain(value)
            for theirs in {links.domain(o) for o in others} - {mine}:
                misread = companies.is_near_miss(mine, theirs)
                misread = misread or misreads.double_read_once(mine, theirs)
                misread = misread or misreads.letter_lost(mine, theirs)
                if misread and _company_spells(contact.company, theirs):
                    values[index] = misreads.with_domain(value, mine, theirs)
                    set_confidence(contact, name, OUTVOTED_TRUST)


def _company_spells(company: str, domain: str) -> bool:
    return companies.domain_likeness(company, domain) >= 0.95


def credit_corroboration(contact: contact_pb2.Contact) -> None:
    """Fields that other fields spell out are trusted however poorly OCR
    rated their lines: an email whose domain is the company's name was read
    right, and so was a name its local part spells."""
    email_domains = [links.domain(e) for e in contact.emails]
    site_domains = [links.domain(w) for w in contact.websites]
    company_domains = [
        d
        for d in email_domains + site_domains
        if companies.domain_likeness(contact.company, d) >= 0.95
    ]
    locals_ = [e.split("@")[0] for e in contact.emails]
    # An email and a website agreeing is no proof: they share a typeface,
    # so OCR misreads them alike.
    backed = {
        "emails": set(email_domains) & set(company_domains),
        "websites": set(site_domains) & set(company_domains),
        "company": company_domains,
        "name": any(names.email_overlap(contact.name.full, x) >= 0.9 for x in locals_),
    }
    for name, evidence in backed.items():
        if evidence and name in contact.confidence:
            set_confidence(contact, name, max(contact.confidence[name], CORROBORATED))


def doubt_near_misses(contact: contact_pb2.Contact) -> None:
    """A company and a domain, or a name and an email, a letter apart mean
    OCR misread one of them; which one, the card does not tell."""
    for name, values in (("emails", contact.emails), ("websites", contact.websites)):
        if any(
            companies.is_near_miss(contact.company, links.domain(v)) for v in values
        ):
            lower(contact, name, MISREAD_TRUST)
            lower(contact, "company", NEAR_MISS_TRUST)
    local_parts = [e.split("@")[0] for e in contact.emails]
    name = contact.name.full
    if any(
        names.is_near_miss(name, lp) or names.misread_against_email(name, lp)
        for lp in local_parts
    ):
        lower(contact, "name", NEAR_MISS_TRUST)
        lower(contact, "emails", NEAR_MISS_TRUST)


def put_back_ls(contact: contact_pb2.Contact) -> None:
    """Puts back the "l"s OCR read as "i"s in the company and the domains,
    from another of them that spells the same word with the "l" (see
    ``misreads.ls_put_back``); doubted a little, as a repair."""
    company = misreads.spelled_letters(contact.company)
    for name, values in (("emails", contact.emails), ("websites", contact.websites)):
        for index, value in enumerate(values):
            mine = links.domain(value)
            for other in [company, *domains(contact)]:
                spelled = misreads.ls_put_back(mine, other)
                if spelled != mine:
                    values[index] = misreads.with_domain(value, mine, spelled)
                    lower(contact, name, INITIAL_TRUST)
                    break
    for domain in domains(contact):
        spelled = misreads.ls_put_back(contact.company, domain)
        if spelled != contact.company:
            contact.company = spelled
            lower(contact, "company", INITIAL_TRUST)
            break


def unblur_domains(contact: contact_pb2.Contact) -> None:
    """Puts right the letters a blurred photo read for others in the
    domains, from the company printed larger that spells them (see
    ``misreads.domain_unblurred``); doubted a little, as a repair."""
    for name, values in (("emails", contact.emails), ("websites", contact.websites)):
        for index, value in enumerate(values):
            mine = links.domain(value)
            spelled = misreads.domain_unblurred(mine, contact.company)
            if spelled is not None:
                values[index] = misreads.with_domain(value, mine, spelled)
                lower(contact, name, INITIAL_TRUST)


def repair_legal_form(contact: contact_pb2.Contact) -> None:
    """Puts right a letter misread in the company's legal form, from a
    domain that spells it or the capitals it is printed in."""
    company = misreads.company_legal_form(contact.company, domains(contact))
    if company != contact.company:
        contact.company = company
        lower(contact, "company", INITIAL_TRUST)


def doubt_cut_legal_form(contact: contact_pb2.Contact) -> None:
    """A company whose legal form OCR cut to its first letter, as a domain
    spelling it whole tells (see ``misreads.legal_form_cut``), is doubted:
    how the card prints the form the domain does not tell."""
    if misreads.legal_form_cut(contact.company, domains(contact)):
        lower(contact, "company", MISREAD_TRUST)


def repair_by_legal_form(contact: contact_pb2.Contact) -> None:
    """Puts right the look-alikes OCR read in the domains for the letters
    of the legal form the company ends with."""
    for name, values in (("emails", contact.emails), ("websites", contact.websites)):
        for index, value in enumerate(values):
            mine = links.domain(value)
            spelled = misreads.domain_by_legal_form(mine, contact.company)
            if spelled != mine:
                values[index] = misreads.with_domain(value, mine, spelled)
                lower(contact, name, INITIAL_TRUST)


def repair_initials(contact: contact_pb2.Contact) -> None:
    """Puts right an "I" read for an "l" at the start of an email or the
    company, from the name and the domains."""
    fixed = [
        misreads.email_initial(e, contact.name.given, contact.name.family)
        for e in contact.emails
    ]
    put_right_emails(contact, fixed, INITIAL_TRUST)
    company = misreads.company_initial(contact.company, domains(contact))
    if company != contact.company:
        contact.company = company
        lower(contact, "company", INITIAL_TRUST)


def put_right_emails(
    contact: contact_pb2.Contact, fixed: list[str], trust: float
) -> None:
    """Gives the contact the emails put right where they differ from its
    own, doubted as far as the trust of the repair says."""
    if fixed != list(contact.emails):
        del contact.emails[:]
        contact.emails.extend(fixed)
        lower(contact, "emails", trust)


def repair_initial_dots(contact: contact_pb2.Contact) -> None:
    """Puts back the dot OCR read as a hyphen after an email's initial, from
    the name (see ``misreads.email_initial_dot``); doubted a little, as a
    repair."""
    fixed = [
        misreads.email_initial_dot(e, contact.name.given, contact.name.family)
        for e in contact.emails
    ]
    put_right_emails(contact, fixed, INITIAL_TRUST)


def repair_local_parts(contact: contact_pb2.Contact) -> None:
    """Puts right the letters a blurred photo misread in the name an
    email's local part spells, from the name in its larger type: "e" read
    as "o" ("i.wosack" beside "Irmtraud Wesack"), "ri" as "n" ("jules.nviere"
    beside "Jules Rivière"), doubted: the email may be another's.
    """
    parts = [fold(part) for part in names.split_parts(contact.name.full)]
    fixed = [misreads.local_part_by_name(email, parts) for email in contact.emails]
    # Put right, an email may be one the card printed twice.
    put_right_emails(contact, list(dict.fromkeys(fixed)), MISREAD_TRUST)


def repair_company_letters(contact: contact_pb2.Contact) -> None:
    """Puts right letters OCR confuses in the company, from a domain its
    email and website both spell."""
    company = misreads.company_letters(contact.company, _domains_of_both(contact))
    if company != contact.company:
        contact.company = company
        lower(contact, "company", INITIAL_TRUST)
