"""Measures the field parser on many cards Faker makes up, laid out as the
labelled sample cards are and read as if OCR made no mistake.

Usage: python bench/generated.py [--per-locale 100] [--seed 1]
       [--split first|any] [--locales en_IN,en_NZ] [--out bench-results/generated]

The sample cards are few; parsing thousands more of the same kinds (names,
titles, companies, phones and addresses of the twelve locales the samples
come in) finds the rules that only fit the samples. Each card's label and
the cards read wrong (their lines, and each wrong field's label and
reading) are written to the output folder, and the shared score.py scores
them by locale. --split any parts a two-line address at any comma, where
the samples part it at the first. --locales makes cards of other Faker
locales instead, to try the parser on countries the samples lack.
"""

import argparse
import json
import random
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import accuracy  # noqa: E402

from ocr_service.lines import Line  # noqa: E402

# The locales the samples come in.
LOCALES = (
    "pt_BR", "nl_NL", "fr_FR", "sv_SE", "en_AU", "en_US",
    "it_IT", "en_GB", "en_CA", "de_DE", "en_IE", "es_ES",
)  # fmt: skip
LAYOUTS = ("left", "right", "center", "header", "logo", "two_col")
# The samples' departments, an empty one as often as the others together.
DEPARTMENTS = ("", "", "Research", "Sales", "Marketing", "Finance", "Engineering")
# The labels the samples print before a number, by its kind.
PHONE_LABELS = {
    "work": ("", "", "", "Direct", "P", "Phone", "T", "Tel"),
    "mobile": ("C", "Cell", "Handy", "M", "Mob", "Mobile"),
    "fax": ("F", "Fax"),
}
LABEL_ENDS = (" ", " | ", ". ", ": ")
PHONE_KINDS = (
    ["work"], ["work", "mobile"], ["work", "fax"], ["mobile"], ["work", "mobile", "fax"]
)  # fmt: skip
DOMAIN_ENDINGS = (".com", ".biz", ".io", ".net", ".org", ".info", ".co")
# A domain is the company's plain letters, cut to this many.
DOMAIN_LETTERS = 14
# Logo marks OCR reads as text above a logo layout's lines.
LOGO_MARKS = ("(8", "Z", "©", "NL", "O% )", "J", "®", "7", "Q", "[)", "A")

NAME_HEIGHT, COMPANY_HEIGHT, LINE_HEIGHT, LEADING = 46, 28, 21, 38


def plain(text: str) -> str:
    """The text's ASCII letters and digits, lower-cased, accents dropped."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum()).lower()


def make_label(fake, rng: random.Random, index: int, locale: str) -> dict:
    """One card's label, in the shape of the samples' labels."""
    given, family = fake.first_name(), fake.last_name()
    company = fake.company()
    domain = (plain(company)[:DOMAIN_LETTERS] or "firma") + rng.choice(DOMAIN_ENDINGS)
    first, last = plain(given), plain(family)
    local = rng.choice(
        [f"{first}.{last}", f"{first[:1]}.{last}", f"{first[:1]}{last}", first]
    )
    phones = [
        {"type": kind, "number": fake.phone_number()}
        for kind in rng.choice(PHONE_KINDS)
    ]
    website = rng.choice(["www.", "https://www."]) + domain
    return {
        "name": f"{given} {family}",
        "given": given,
        "family": family,
        "title": fake.job(),
        "department": rng.choice(DEPARTMENTS),
        "company": company,
        "phones": phones,
        "emails": [f"{local}@{domain}"],
        "websites": [website] if rng.random() < 0.7 else [],
        "address": fake.address().replace("\n", ", ") if rng.random() < 0.75 else "",
        "file": f"{locale}-{index:04d}.png",
        "locale": locale,
        "layout": rng.choice(LAYOUTS),
        "kind": "scan",
    }


def phone_lines(label: dict, rng: random.Random) -> list[str]:
    lines = []
    for phone in label["phones"]:
        word = rng.choice(PHONE_LABELS[phone["type"]])
        prefix = word + rng.choice(LABEL_ENDS) if word else ""
        lines.append(prefix + phone["number"])
    return lines


def address_lines(address: str, rng: random.Random, split: str) -> list[str]:
    """The address on one line, or on two parted at a comma."""
    pieces = address.split(", ")
    if not address or len(pieces) < 2 or rng.random() < 0.5:
        return [address] if address else []
    cut = 1 if split == "first" else rng.randint(1, len(pieces) - 1)
    return [", ".join(pieces[:cut]), ", ".join(pieces[cut:])]


def card_lines(label: dict, rng: random.Random, split: str) -> list[Line]:
    """The lines OCR would read on the card, with the samples' geometry."""
    person = [("name", label["name"]), ("title", label["title"])]
    if label["department"]:
        person.append(("department", label["department"]))
    contact = [
        *phone_lines(label, rng),
        *label["emails"],
        *label["websites"],
        *address_lines(label["address"], rng, split),
    ]
    company = ("company", label["company"])
    if label["layout"] == "two_col":
        left = [*person, company]
        return [
            line_at(kind, text, 60, row) for row, (kind, text) in enumerate(left)
        ] + [line_at("", text, 520, row) for row, text in enumerate(contact)]
    lines = []
    if label["layout"] == "logo":
        for _ in range(rng.randint(0, 3)):
            mark = rng.choice(LOGO_MARKS)
            lines.append(Line(mark, rng.randint(40, 200), 40, 20 * len(mark), 120, 0.4))
        rows = [*person, company]
    else:
        rows = [company, *person]
    rows += [("", text) for text in contact]
    for row, (kind, text) in enumerate(rows):
        lines.append(aligned(line_at(kind, text, 90, row), label["layout"]))
    return lines


def line_at(kind: str, text: str, left: int, row: int) -> Line:
    height = {"name": NAME_HEIGHT, "company": COMPANY_HEIGHT}.get(kind, LINE_HEIGHT)
    width = text_width(kind, text)
    return Line(text, left, 60 + LEADING * row, width, height, 0.95)


def text_width(kind: str, text: str) -> int:
    return (13 if kind in ("name", "company") else 11) * len(text)


def aligned(line: Line, layout: str) -> Line:
    """The line set flush left, flush right or centred as the layout is."""
    if layout == "right":
        left = 1000 - line.width
    elif layout == "center":
        left = 500 - line.width // 2
    elif layout == "logo":
        left = 300
    else:
        return line
    return Line(line.text, max(left, 5), line.top, line.width, line.height, 0.95)


def wrong_report(label: dict, lines: list[Line], prediction: dict, wrong: set) -> str:
    out = [f"== {label['file']} {sorted(wrong)}"]
    out += [f"     | {line.text}" for line in lines]
    for field in sorted(wrong):
        out.append(
            f"  {field}: want {json.dumps(label.get(field), ensure_ascii=False)}"
        )
        got = json.dumps(prediction.get(field), ensure_ascii=False)
        out.append(f"  {' ' * len(field)}  got  {got}")
    return "\n".join(out)


def add_locales_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--locales",
        type=lambda text: tuple(text.split(",")),
        default=LOCALES,
        help="Faker locales, comma-parted (default: the samples' twelve)",
    )


def seeded_fakers(locales: tuple[str, ...], seed: int, script: str) -> list[tuple]:
    """Each locale with its Faker and random source, seeded so that a seed
    makes the same cards on every run; an exit naming what to install
    where Faker is missing."""
    try:
        from faker import Faker
    except ImportError:
        sys.exit(f"{script} needs Faker: pip install -e '.[dev]'")
    fakers = []
    for locale in locales:
        fake = Faker(locale)
        fake.seed_instance(seed)
        fakers.append((locale, fake, random.Random(f"{seed}-{locale}")))
    return fakers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-locale", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--split", choices=("first", "any"), default="first")
    add_locales_argument(parser)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench-results" / "generated"
    )
    args = parser.parse_args()
    fakers = seeded_fakers(args.locales, args.seed, "bench/generated.py")

    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.json"):
        old.unlink()
    labels, read = [], {}
    for locale, fake, rng in fakers:
        for index in range(args.per_locale):
            label = make_label(fake, rng, index, locale)
            labels.append(label)
            read[label["file"]] = card_lines(label, rng, args.split)
            path = args.out / label["file"].replace(".png", ".json")
            path.write_text(json.dumps(label, ensure_ascii=False))

    predictions = accuracy.predictions(read)
    found = args.out / "predictions.jsonl"
    found.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in predictions))
    scorer = accuracy.load_scorer()
    by_file = {p["file"]: p for p in predictions}
    reports = []
    for label in labels:
        prediction = by_file[label["file"]]
        wrong = accuracy.wrong_fields(scorer, label, prediction)
        if wrong:
            reports.append(wrong_report(label, read[label["file"]], prediction, wrong))
    (args.out / "wrong.txt").write_text("\n".join(reports) + "\n")
    right = len(labels) - len(reports)
    print(
        f"{right}/{len(labels)} cards fully right; the others in {args.out}/wrong.txt"
    )
    print(accuracy.run_scorer(args.out, found, "--by", "locale"))


if __name__ == "__main__":
    main()
