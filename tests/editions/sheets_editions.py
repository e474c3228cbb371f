"""Plausible next editions of the practice-sheet brochure, as text and as PDF, with their expected tables.

Metamorphic testing: today's brochure (its sheets as the published text prints them) is re-printed
the way a next edition could be, and the tables it should give are derived from today's tables by
the same transformations. A seed fixes every choice, so an edition that reads wrong is reproduced
by its seed alone.

Transformations (each edition draws a combination):

* labels re-worded: one wording per field for the whole edition (a template prints one), drawn
  from the profile's spellings, with or without a colon, in capitals or not; or, beyond the
  profile, a known wording with words added (``Objectifs de l'action :``) or a synonym the profile
  does not know (``Buts :``), which must be loud;
* page furniture: a running header (``2^{èmes}`` / ``3èmes`` / another wording), a footer line, page
  numbers (``- 10 -``, ``Page 3 / 9``, ``3/48``, a lone number) at the top or the bottom of every
  page, pages that break inside a sheet;
* sheets reordered and dropped (a PDF edition keeps 5 to 8 of them, to keep the suite quick);
* phone numbers reprinted (``+352 26 12 10 1``, ``(+352) 2612101``, ``26 12 10 1``), e-mail labels
  re-worded (``Courriel :``) or left out;
* text: blank lines between printed lines or none; PDF: page size (A4, letter, A5, landscape),
  margins, font (sans, serif, mono), size, paragraph spacing (some editions none at all), every
  printed line its own text line, furniture wider than the text column.

A paragraph is never split across a page break here: the reader joins wrapped lines within a page
only, so a paragraph continued on the next page reads as two lines (a known limit).

Expected tables: today's rows of the kept sheets, in the new order, with the printed phone forms
(``phone_raw``) replaced like the document's; the PDF's standard fonts cannot print ``→``/``➔``, so a
PDF edition prints ``->`` and the expected values say the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers

from amif_extract.extract.practice_sheets import (
    SECTION_ORDER,
    PracticeSheetSettings,
    content_pages,
    extract_practice_sheets,
    packaged_profile,
    split_sheets,
    text_pages,
)
from amif_extract.normalize.contacts import DEFAULT_PHONE_REGION

Row = dict[str, Any]
RAW_TEXT = Path(__file__).resolve().parents[2] / "raw" / "assises_integration_locale_fiches.txt"
SHEET_COLUMNS = ("sheet_id", "title", *(name for name in SECTION_ORDER if name != "contacts"))
CONTACT_COLUMNS = (
    "sheet_id", "contact_index", "name", "role", "organisation", "address", "phone_raw", "phone",
    "email_raw", "email", "website_raw", "website",
)  # fmt: skip
PDF_MIN_SHEETS, PDF_MAX_SHEETS = 5, 8
# PDF editions whose paragraphs follow each other at the line spacing: paragraph ends can only be
# guessed from line lengths, so the reader must say so (an error finding), or read them exactly.
NO_PARAGRAPH_GAP_SHARE = 0.05
PDF_REPLACEMENTS = {"→": "->", "➔": "->"}

# Wordings no profile lists: an edition using one must give an error finding, never wrong data.
UNKNOWN_WORDINGS: dict[str, tuple[str, ...]] = {
    "objectives": ("Buts", "Finalités"),
    "description": ("Approche", "Démarche"),
    "results": ("Impact", "Effets attendus"),
    "target_public": ("Bénéficiaires visés", "Destinataires"),
    "place_periodicity": ("Calendrier", "Où et quand"),
    "costs": ("Budget", "Financement"),
    "contacts": ("Pour nous joindre", "Interlocuteurs"),
}
UNKNOWN_WORDING_SHARE = 0.08  # editions that re-word one label beyond the profile
# Words a next edition may add after a known wording.
LABEL_SUFFIXES = ("de l'action", "de l'initiative", "du projet")
HEADERS = (
    "2^{èmes} Assises nationales de l'intégration au niveau local",
    "3èmes Assises nationales de l'intégration au niveau local",
    "Assises nationales de l'intégration locale - Fiches de bonnes pratiques",
)
FOOTERS = ("", "Ministère de la Famille, de l'Intégration et à la Grande Région", "www.integratioun.lu")
PAGE_NUMBERS = ("- {n} -", "Page {n} / {total}", "{n}/{total}", "{n}")


@dataclass(frozen=True)
class PrintedSection:
    name: str  # a sheet field, or a label that is no field ("service")
    label: str  # as printed today
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PrintedSheet:
    sheet_id: str
    title_lines: tuple[str, ...]
    sections: tuple[PrintedSection, ...]


@dataclass(frozen=True)
class Published:
    sheets: tuple[PrintedSheet, ...]
    rows: tuple[Row, ...]
    contacts: tuple[Row, ...]


@cache
def published() -> Published:
    """Today's brochure: its sheets as printed (from the published text) and the tables read from it."""
    settings = PracticeSheetSettings()
    lines = RAW_TEXT.read_text(encoding="utf-8").splitlines()
    drafts, _ = split_sheets(content_pages(text_pages(lines, settings), settings), settings)
    extraction = extract_practice_sheets(RAW_TEXT)
    sheets = tuple(
        PrintedSheet(
            row["sheet_id"],
            tuple(line.text for line in draft.title_lines),
            tuple(
                PrintedSection(section.name, section.heading.text, tuple(line.text for line in section.lines))
                for section in draft.sections
            ),
        )
        for draft, row in zip(drafts, extraction.sheets, strict=True)
    )
    return Published(sheets, tuple(extraction.sheets), tuple(extraction.contacts))


@dataclass
class Edition:
    """One next edition: its document (text or PDF bytes) and the tables it should give."""

    seed: int
    format: str  # "text" | "pdf"
    document: bytes
    sheets: list[Row]
    contacts: list[Row]
    unknown_labels: list[str] = field(default_factory=list)  # wordings no profile lists
    # Made to be unreadable for sure (a wording no profile lists, paragraphs without a gap): the
    # reader must say so with an error finding, unless it still reads the tables exactly.
    loud_by_design: bool = False
    description: str = ""


@dataclass
class _Choices:
    labels: dict[str, str]
    unknown: list[str]
    header: str
    footer: str
    page_number: str
    number_at_top: bool
    phone_style: int
    email_label: str
    blank_lines: bool
    lines_per_page: int


def _choose_labels(rng: random.Random) -> tuple[dict[str, str], list[str]]:
    profile = packaged_profile()
    colon = rng.choice(("", " :", ":"))
    upper = rng.random() < 0.15
    labels: dict[str, str] = {}
    unknown: list[str] = []
    unknown_field = rng.choice(sorted(UNKNOWN_WORDINGS)) if rng.random() < UNKNOWN_WORDING_SHARE else None
    for name in SECTION_ORDER:
        wording = rng.choice(profile.spellings(name))
        draw = rng.random()
        if name == unknown_field:
            wording = rng.choice(UNKNOWN_WORDINGS[name])
            unknown.append(f"{name}: {wording}")
        elif draw < 0.1 and name not in ("commune_institution", "organisers"):
            wording = f"{wording} {rng.choice(LABEL_SUFFIXES)}"
            if not colon:
                wording += " :"  # a longer label needs its colon to be told from a value
        labels[name] = (wording.upper() if upper else wording) + colon
    labels["service"] = "Service :"
    return labels, unknown


def _choices(rng: random.Random) -> _Choices:
    labels, unknown = _choose_labels(rng)
    return _Choices(
        labels=labels,
        unknown=unknown,
        header=rng.choice(HEADERS),
        footer=rng.choice(FOOTERS),
        page_number=rng.choice(PAGE_NUMBERS),
        number_at_top=rng.random() < 0.3,
        phone_style=rng.randrange(4),
        email_label=rng.choice(("E-mail: ", "Courriel : ", "Email : ", "")),
        blank_lines=rng.random() < 0.5,
        lines_per_page=rng.randint(18, 45),
    )


def reprint_phone(value: str, style: int) -> str:
    """One printed phone number in another form: ``+352 26 12 10 1``, ``(+352) 2612101``, ``26 12 10 1``."""
    if style == 0:
        return value
    parsed = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    national = str(parsed.national_number)
    grouped = " ".join(national[index : index + 2] for index in range(0, len(national), 2))
    return {1: f"+{parsed.country_code} {grouped}", 2: f"(+{parsed.country_code}) {national}", 3: grouped}[
        style
    ]


def _single_phone(value: str) -> bool:
    try:
        parsed = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and not any(sep in value for sep in ("/", ";", " ou "))


def _contact_line(text: str, choices: _Choices, phones: dict[str, str]) -> str:
    """A contact line reprinted: phone numbers in the edition's form, e-mail label re-worded."""
    label, separator, value = text.partition(":")
    folded = label.strip().lower()
    if separator and folded.startswith(("tél", "tel")) and _single_phone(value.strip()):
        new = reprint_phone(value.strip(), choices.phone_style)
        phones[value.strip()] = new
        return f"{label}{separator} {new}"
    if (
        separator
        and folded in ("e-mail", "email", "mail", "courriel")
        and "@" in value
        and " " not in value.strip()
    ):
        return f"{choices.email_label}{value.strip()}"
    return text


def _sheet_lines(sheet: PrintedSheet, choices: _Choices, phones: dict[str, str]) -> list[str]:
    lines = list(sheet.title_lines)
    for section in sheet.sections:
        lines.append(choices.labels[section.name])
        if section.name == "contacts":
            lines += [_contact_line(text, choices, phones) for text in section.lines]
        else:
            lines += section.lines
    return lines


def _paginate(sheets: list[list[str]], per_page: int) -> list[list[str]]:
    """Pages of printed lines: each sheet starts a page, a page holds at most ``per_page`` lines."""
    pages: list[list[str]] = []
    for lines in sheets:
        for start in range(0, len(lines), per_page):
            pages.append(lines[start : start + per_page])
    return pages


def _furnished(page: list[str], number: int, total: int, choices: _Choices) -> list[str]:
    numbered = choices.page_number.format(n=number, total=total)
    top = [numbered] if choices.number_at_top else []
    bottom = ([choices.footer] if choices.footer else []) + ([] if choices.number_at_top else [numbered])
    return [*top, choices.header, *page, *bottom]


def render_text(pages: list[list[str]], choices: _Choices) -> bytes:
    out: list[str] = []
    for number, page in enumerate(pages, start=1):
        out += ["", "", "", ""]
        for line in _furnished(page, number, len(pages), choices):
            out.append(line)
            if choices.blank_lines:
                out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


def render_pdf(
    sheets: list[list[str]],
    choices: _Choices,
    rng: random.Random,
    font: str | None = None,
    spacing: float | None = None,
) -> bytes:
    """The sheets typeset by reportlab: every sheet on a new page, a paragraph that does not fit on a new one.

    Every printed line is its own text line; furniture (header, footer, page number) on every page.
    """
    import io

    from reportlab.lib.pagesizes import A4, A5, landscape, letter
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    width, height = rng.choice((A4, letter, A5, landscape(A4)))
    font = font or rng.choice(("Helvetica", "Times-Roman", "Courier"))
    bold = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}[font]
    font_size = rng.choice((8.5, 9.0, 10.0, 11.0))
    margin = rng.uniform(36, 72)
    leading = font_size * 1.2
    paragraph_space = (rng.uniform(0.35, 1.0) if spacing is None else spacing) * leading
    furniture_lines = 4  # room kept for the header, footer and page number
    labels = set(choices.labels.values())
    pages: list[list[tuple[str, list[str]]]] = []
    for lines in sheets:
        pages.append([])
        room = height - 2 * margin - furniture_lines * (leading + paragraph_space)
        for line in lines:
            face = bold if line in labels else font
            wrapped = simpleSplit(_pdf_text(line), face, font_size, width - 2 * margin) or [""]
            needed = leading * len(wrapped) + paragraph_space
            if needed > room and pages[-1]:
                # A paragraph that does not fit moves whole to the next page: the reader does not
                # join a paragraph across a page break (see the module's docstring).
                pages.append([])
                room = height - 2 * margin - furniture_lines * (leading + paragraph_space)
            pages[-1].append((face, wrapped))
            room -= needed
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    for number, page in enumerate(pages, start=1):
        y = height - margin
        numbered = choices.page_number.format(n=number, total=len(pages))
        top = [numbered] if choices.number_at_top else []
        bottom = ([choices.footer] if choices.footer else []) + ([] if choices.number_at_top else [numbered])
        furnished = [(font, [_pdf_text(text)]) for text in [*top, choices.header]]
        furnished += page + [(font, [text]) for text in bottom]
        for face, wrapped in furnished:
            for part in wrapped:
                pdf.setFont(face, font_size)
                pdf.drawString(margin, y, part)
                y -= leading
            y -= paragraph_space
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _pdf_text(text: str) -> str:
    for old, new in PDF_REPLACEMENTS.items():
        text = text.replace(old, new)
    return text


def _expected(kept: list[PrintedSheet], phones: dict[str, str], pdf: bool) -> tuple[list[Row], list[Row]]:
    today = published()
    rows = {row["sheet_id"]: row for row in today.rows}
    sheets = [{column: rows[sheet.sheet_id][column] for column in SHEET_COLUMNS} for sheet in kept]
    contacts = []
    for sheet in kept:
        for contact in today.contacts:
            if contact["sheet_id"] != sheet.sheet_id:
                continue
            row = {column: contact[column] for column in CONTACT_COLUMNS}
            for old, new in phones.items():
                row["phone_raw"] = row["phone_raw"].replace(old, new)
            contacts.append(row)
    if pdf:
        for row in [*sheets, *contacts]:
            for column, value in row.items():
                if isinstance(value, str):
                    row[column] = _pdf_text(value)
    return sheets, contacts


def make_edition(seed: int, format: str, **overrides: Any) -> Edition:
    """The edition of `seed` in `format` ("text" or "pdf"), with the tables it should give.

    `overrides` pin some choices (``labels={"contacts": "Personne(s) de contact :"}``, ``header=…``,
    ``page_number=…``, ``font=…``, ``keep_all=True``): the issue's reproductions as editions.
    """
    rng = random.Random(f"{format}-{seed}")
    choices = _choices(rng)
    labels = overrides.pop("labels", {})
    choices.labels.update(labels)
    choices.unknown += [
        f"{name}: {wording}"
        for name, wording in labels.items()
        if name in UNKNOWN_WORDINGS and wording.rstrip(" :") in UNKNOWN_WORDINGS[name]
    ]
    keep_all = overrides.pop("keep_all", False)
    font = overrides.pop("font", None)
    spacing = overrides.pop("spacing", None)
    for name, value in overrides.items():
        setattr(choices, name, value)
    sheets = list(published().sheets)
    rng.shuffle(sheets)
    # A PDF edition prints a few sheets: pdfplumber's parsing is what costs time, and a few sheets
    # already carry every label, layout and contact form; a text edition prints nearly all.
    smallest = PDF_MIN_SHEETS if format == "pdf" else len(sheets) - 6
    largest = PDF_MAX_SHEETS if format == "pdf" else len(sheets)
    kept = sheets if keep_all else sheets[: rng.randint(smallest, largest)]
    phones: dict[str, str] = {}
    printed = [_sheet_lines(sheet, choices, phones) for sheet in kept]
    if format == "pdf":
        if spacing is None and rng.random() < NO_PARAGRAPH_GAP_SHARE:
            spacing = 0.0
        document = render_pdf(printed, choices, rng, font, spacing)
        page_count = "?"
    else:
        pages = _paginate(printed, choices.lines_per_page)
        document = render_text(pages, choices)
        page_count = str(len(pages))
    expected_sheets, expected_contacts = _expected(kept, phones, format == "pdf")
    description = (
        f"{format} seed {seed}: {len(kept)} sheets, {page_count} pages, labels {choices.labels}, "
        f"header {choices.header!r}, page numbers {choices.page_number!r}, phone style {choices.phone_style}"
    )
    loud_by_design = bool(choices.unknown) or spacing == 0.0
    return Edition(
        seed,
        format,
        document,
        expected_sheets,
        expected_contacts,
        choices.unknown,
        loud_by_design,
        description,
    )
