"""The practice-sheet brochure (PDF or text extraction) as two tables: sheets and contacts.

Both paths end in the same list of pages of printed lines, and every rule after that is shared,
so the PDF and the text give the same rows:

* text: a page break is a run of blank lines followed by the running header; a run of blank
  lines without the header (the text extraction's gaps between partner logos) stays on the
  page it follows, as the PDF prints it. One text line is one printed line.
* PDF: pdfplumber's lines, with the lines of one wrapped paragraph joined back (a line gap
  under ``paragraph_gap_ratio`` × the font size is a wrap, a wider one a new printed line).

Then, page by page: the running header (the first line that repeats on most pages, whatever its
ordinal spelling, ``2^{èmes}`` / ``2^{ièmes}`` / ``2èmes``), page numbers and trailing runs of
partner-logo lines are dropped (``drop_running_headers``, ``drop_page_numbers``,
``drop_logo_runs``). ``match_heading`` recognises the section headings in any spelling (accents,
case, ``(s)``, spaces, colon, a value on the heading's line), and ``split_sheets`` cuts the
lines into sheets: a sheet starts where a heading goes back in the template's order at the top
of a page, and its title is the lines above that heading. Bold type is not used: in the PDF it
follows the brochure's own heading guesses (``Commune de Remich`` has a bold ``Commune``), and
the text extraction has none.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amif_extract.build_records import Row
from amif_extract.errors import InputError
from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.contacts import (
    DEFAULT_PHONE_REGION,
    Contact,
    ContactLine,
    fold,
    read_contact_block,
)
from amif_extract.normalize.name_lists import organisation_names
from amif_extract.pagetext import PageLine, PageText
from amif_extract.textclean import collapse_spaces, join_wrapped_lines, normalise_apostrophes, strip_markup

# The template's sections in the order every sheet prints them.
SECTION_ORDER: tuple[str, ...] = (
    "commune_institution",
    "organisers",
    "objectives",
    "description",
    "results",
    "target_public",
    "place_periodicity",
    "costs",
    "contacts",
    "other_info",
)
TEXT_SECTIONS: tuple[str, ...] = tuple(name for name in SECTION_ORDER if name != "contacts")

# Heading labels, matched on lower-case text without accents; "(s)" and spaces are optional.
SECTION_LABELS: dict[str, str] = {
    "commune_institution": r"commune\s*/\s*institution|institution|commune",
    "organisers": r"organisateur\s*\(\s*s\s*\)|organisateurs?|organisme\s+gestionnaire",
    "objectives": r"(?:missions?\s+et\s+)?objectifs?",
    "description": r"breve\s+description(?:\s+et\s+approche\s+preconisee)?|presentation",
    "results": r"resultats?(?:\s*/\s*plus[\s-]*values?(?:\s+du\s+projet)?)?",
    "target_public": r"public\s+cible(?:\s+du\s+projet)?",
    "place_periodicity": r"lieu\s+du\s+projet(?:\s+et\s+periodicite)?|lieu\s+et\s+periodicite",
    "costs": r"couts?\s+eventuels?",
    "contacts": r"contacts?|personnes?\s+de\s+contact",
    "other_info": r"autres?\s+informations?(?:\s+utiles)?(?:\s*\([^)]*\))?",
}
# A text is a practice-sheet brochure when it prints this many stand-alone section headings, of
# this many kinds (one sheet prints nine or ten; no other known document prints any).
DETECTION_MIN_HEADINGS = 6
DETECTION_MIN_SECTION_KINDS = 5
_HEADING = re.compile(
    r"^(?:" + "|".join(f"(?P<{name}>{label})" for name, label in SECTION_LABELS.items()) + r")"
    r"(?P<separator>\s*[:|]\s*|\s+|$)"
)

_SUPERSCRIPT = re.compile(r"\^\{([^}]*)\}")
_STRAY_EMPHASIS_START = re.compile(r"^\*{1,2}(?=\S)")
_STRAY_EMPHASIS_END = re.compile(r"(?<=\S)\*{1,2}$")
_ORDINAL = re.compile(r"\b(\d+)\s*(?:i?[eè]mes?|i?emes?|eres?|ers?|res?|nde?s?|e)\b")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|sur)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?:;,]$")
_BULLET = re.compile(r"^[-–—•*→➔]")
_SLUG_STOPWORDS = frozenset(
    ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "sur", "un", "une",
     "dans", "par", "avec"]
)  # fmt: skip


@dataclass(frozen=True)
class PracticeSheetSettings:
    """Every threshold of the brochure reader, named once."""

    page_break_blank_lines: int = 3  # text: this many blank lines (or more) may end a page
    running_header_min_share: float = 0.5  # a first line repeated on this share of pages is the header
    paragraph_gap_ratio: float = 1.42  # PDF: line gap / font size above this starts a new printed line
    max_title_lines: int = 6  # printed lines a sheet title (with its subtitle) may take
    logo_min_lines: int = 5  # a trailing run of this many logo-like lines is a partner-logo block
    logo_line_max_words: int = 8  # a logo line is a short caption
    sheet_id_max_chars: int = 40  # sheet ids are the title's first words, up to this length
    phone_region: str = DEFAULT_PHONE_REGION
    # Sections a sheet should fill; "Autres informations utiles" is optional in the template.
    required_sections: tuple[str, ...] = SECTION_ORDER[:-1]
    detection_pages: int = 10  # PDF kind detection reads this many pages

    def __post_init__(self) -> None:
        positive = (
            "page_break_blank_lines", "max_title_lines", "logo_min_lines", "logo_line_max_words",
            "sheet_id_max_chars", "detection_pages",
        )  # fmt: skip
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.running_header_min_share <= 1:
            raise ValueError("running_header_min_share must be in (0, 1]")
        if self.paragraph_gap_ratio <= 1:
            raise ValueError("paragraph_gap_ratio must be above 1 (a line gap is at least the font size)")
        unknown = set(self.required_sections) - set(SECTION_ORDER)
        if unknown:
            raise ValueError(f"required_sections names unknown sections: {sorted(unknown)}")


@dataclass(frozen=True)
class SourceLine:
    """One printed line: its clean text, page, text-file line (text path) and box (PDF path)."""

    text: str
    page: int
    line: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def location(self, source_file: str) -> SourceLocation:
        return SourceLocation(source_file, page=self.page, line=self.line, bbox=self.bbox)


@dataclass(frozen=True)
class Heading:
    """A section heading; ``value`` is the text printed on the heading's own line."""

    section: str
    value: str
    explicit_separator: bool


@dataclass
class SheetSection:
    name: str
    heading: SourceLine
    lines: list[SourceLine] = field(default_factory=list)


@dataclass
class SheetDraft:
    """One sheet as printed: title lines and sections, in reading order."""

    title_lines: list[SourceLine]
    sections: list[SheetSection] = field(default_factory=list)

    @property
    def open_lines(self) -> list[SourceLine]:
        return self.sections[-1].lines if self.sections else self.title_lines

    def section(self, name: str) -> SheetSection | None:
        return next((section for section in self.sections if section.name == name), None)

    def all_lines(self) -> list[SourceLine]:
        lines = list(self.title_lines)
        for section in self.sections:
            lines += [section.heading, *section.lines]
        return lines


@dataclass
class PracticeSheetsExtraction:
    """Everything read from the brochure: the two tables as rows, findings, organisation names."""

    source_file: str
    sheets: list[Row]
    contacts: list[Row]
    findings: list[Finding] = field(default_factory=list)
    organisation_mentions: list[tuple[str, SourceLocation]] = field(default_factory=list)
    page_text: PageText = field(default_factory=dict)  # PDF pages' printed lines, for the report


# --- reading lines -------------------------------------------------------------------------


def clean_line(text: str) -> str:
    """The printed text of a line: superscripts, markup and stray emphasis marks removed."""
    text = unicodedata.normalize("NFC", text)
    text = _SUPERSCRIPT.sub(r"\1", text)
    text = strip_markup(text)
    text = _STRAY_EMPHASIS_END.sub("", _STRAY_EMPHASIS_START.sub("", text.strip()))
    return collapse_spaces(normalise_apostrophes(text))


def running_header_key(text: str) -> str:
    """A header line's spelling-free form: ``2^{ièmes} Assises`` and ``2èmes Assises`` agree."""
    key = fold(clean_line(text))
    key = _ORDINAL.sub(r"\1e", key)
    return re.sub(r"[^a-z0-9]+", " ", key).strip()


def find_running_header(first_lines: list[str], settings: PracticeSheetSettings) -> str | None:
    """The key of the first line most pages share, if enough of them share it."""
    keys = Counter(running_header_key(text) for text in first_lines if text.strip())
    if not keys:
        return None
    key, count = keys.most_common(1)[0]
    if count < 2 or count < settings.running_header_min_share * len(first_lines):
        return None
    return key


def text_chunks(lines: list[str], settings: PracticeSheetSettings) -> list[list[tuple[int, str]]]:
    """Runs of text separated by ``page_break_blank_lines`` or more blank lines, as (line number, text)."""
    chunks: list[list[tuple[int, str]]] = [[]]
    blank_run = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            blank_run += 1
            continue
        if blank_run >= settings.page_break_blank_lines and chunks[-1]:
            chunks.append([])
        blank_run = 0
        chunks[-1].append((number, text))
    return [chunk for chunk in chunks if chunk]


def text_pages(lines: list[str], settings: PracticeSheetSettings) -> list[list[SourceLine]]:
    """Pages of a text extraction: a new page where a chunk starts with the running header."""
    chunks = text_chunks(lines, settings)
    header = find_running_header([chunk[0][1] for chunk in chunks], settings)
    pages: list[list[SourceLine]] = []
    for chunk in chunks:
        starts_page = header is None or running_header_key(chunk[0][1]) == header or not pages
        if starts_page:
            pages.append([])
        page_number = len(pages)
        pages[-1] += [SourceLine(clean_line(text), page_number, line=number) for number, text in chunk]
    return [[line for line in page if line.text] for page in pages]


@contextmanager
def open_brochure_pdf(path: Path) -> Iterator[Any]:
    """Open the brochure PDF; any reason it cannot be read (then or later) becomes one `InputError`.

    `open_pdf` gives the AMIF reader's reasons (encrypted, truncated, damaged), so one broken file reads
    the same whichever extractor meets it.
    """
    from amif_extract.extract.amif_pdf import open_pdf  # pdfplumber: a text brochure never loads it

    with open_pdf(path) as pdf:
        try:
            yield pdf
        except (ValueError, KeyError, TypeError) as error:  # pdfminer's own, on a malformed object
            raise InputError(path, f"PDF is damaged ({type(error).__name__}: {error})") from error


def brochure_page_count(path: Path) -> int:
    with open_brochure_pdf(path) as pdf:
        return len(pdf.pages)


def pdf_pages(
    path: Path, settings: PracticeSheetSettings, max_pages: int | None = None
) -> list[list[SourceLine]]:
    """Pages of the PDF as printed lines, wrapped paragraph lines joined back."""
    return pdf_page_range(path, settings, 1, max_pages)


def pdf_page_range(
    path: Path, settings: PracticeSheetSettings, first: int = 1, last: int | None = None
) -> list[list[SourceLine]]:
    """Printed lines of pages ``first``..``last`` (1-based, inclusive; ``None``: to the end).

    Each page's parsed objects are released once its lines are read, so memory stays flat on long
    PDFs; a worker process reads one such range of a document on its own.
    """
    with open_brochure_pdf(path) as pdf:
        pages = pdf.pages[first - 1 : last]
        result = []
        for number, page in enumerate(pages, start=first):
            try:
                result.append(pdf_page_lines(page, number, settings))
            finally:
                page.close()
        return result


def pdf_page_lines(page: Any, number: int, settings: PracticeSheetSettings) -> list[SourceLine]:
    """One PDF page's printed lines; a gap under ``paragraph_gap_ratio`` × font size is a wrap."""
    groups: list[list[dict[str, Any]]] = []
    previous: dict[str, Any] | None = None
    for line in page.extract_text_lines(return_chars=True, strip=True):
        if previous is not None and line["top"] - previous[
            "top"
        ] <= settings.paragraph_gap_ratio * _font_size(previous):
            groups[-1].append(line)
        else:
            groups.append([line])
        previous = line
    lines = []
    for group in groups:
        text = clean_line(join_wrapped_lines(part["text"] for part in group))
        bbox = (
            min(part["x0"] for part in group),
            min(part["top"] for part in group),
            max(part["x1"] for part in group),
            max(part["bottom"] for part in group),
        )
        if text:
            lines.append(SourceLine(text, number, bbox=bbox))
    return lines


def _font_size(line: dict[str, Any]) -> float:
    sizes = [char["size"] for char in line["chars"] if char["text"].strip()]
    return max(sizes) if sizes else line["bottom"] - line["top"]


def drop_running_headers(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings
) -> list[list[SourceLine]]:
    """Each page without its first line when that line is the running header."""
    header = find_running_header([page[0].text for page in pages if page], settings)
    if header is None:
        return pages
    return [page[1:] if page and running_header_key(page[0].text) == header else page for page in pages]


def drop_page_numbers(pages: list[list[SourceLine]]) -> list[list[SourceLine]]:
    """Each page without a first or last line that is only a page number."""
    result = []
    for page in pages:
        lines = list(page)
        if lines and _PAGE_NUMBER.match(lines[-1].text):
            lines.pop()
        if lines and _PAGE_NUMBER.match(lines[0].text):
            lines.pop(0)
        result.append(lines)
    return result


def looks_like_logo_caption(text: str, settings: PracticeSheetSettings) -> bool:
    """A partner logo rendered as text: a few words, no digits, links or sentence punctuation."""
    if len(text.split()) > settings.logo_line_max_words:
        return False
    if (
        any(char.isdigit() for char in text)
        or "@" in text
        or re.search(r"www\.|https?:", text, re.IGNORECASE)
    ):
        return False
    if _SENTENCE_END.search(text) or _BULLET.match(text):
        return False
    return match_heading(text) is None


def drop_logo_runs(pages: list[list[SourceLine]], settings: PracticeSheetSettings) -> list[list[SourceLine]]:
    """Each page without the run of logo captions it ends with, when the run is long enough."""
    result = []
    for page in pages:
        run = 0
        while run < len(page) and looks_like_logo_caption(page[len(page) - 1 - run].text, settings):
            run += 1
        result.append(page[: len(page) - run] if run >= settings.logo_min_lines else page)
    return result


def content_pages(pages: list[list[SourceLine]], settings: PracticeSheetSettings) -> list[list[SourceLine]]:
    return drop_logo_runs(drop_page_numbers(drop_running_headers(pages, settings)), settings)


# --- headings and sheets ---------------------------------------------------------------------


def _fold_with_index(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, the index of the character it came from."""
    folded: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        base = fold(char)
        folded.append(base)
        index += [position] * len(base)
    return "".join(folded), index


def match_heading(text: str) -> Heading | None:
    """The section heading a line starts with, in any spelling, with the value sharing its line."""
    folded, index = _fold_with_index(text)
    match = _HEADING.match(folded)
    if match is None:
        return None
    section = next(name for name in SECTION_LABELS if match.group(name) is not None)
    value_start = index[match.end()] if match.end() < len(index) else len(text)
    value = text[value_start:].strip()
    return Heading(section, value, explicit_separator=bool(re.search(r"[:|]", match["separator"])))


def split_sheets(
    pages: list[list[SourceLine]], settings: PracticeSheetSettings
) -> tuple[list[SheetDraft], list[SourceLine]]:
    """The sheets, in order, and the lines before the first sheet.

    A sheet starts at a heading that goes back in the template's order (or at the first
    heading), printed at the top of its page under at most ``max_title_lines`` lines: those
    lines are its title. A heading with a value on its line is only taken as a heading when
    the section before it has a value (``Commune/Institution`` / ``Commune de Remich``: the
    second line is the value) and, without a colon, when its section is not yet filled
    (``Objectif général du plan…`` inside a description is text).
    """
    sheets: list[SheetDraft] = []
    preamble: list[SourceLine] = []
    for page in pages:
        headings_on_page = 0
        for position, line in enumerate(page):
            heading = match_heading(line.text)
            current = sheets[-1] if sheets else None
            at_page_top = headings_on_page == 0 and position <= settings.max_title_lines
            action = _heading_action(heading, current, at_page_top) if heading is not None else "text"
            if action == "text" or heading is None:
                (current.open_lines if current is not None else preamble).append(line)
                continue
            headings_on_page += 1
            if action == "new_sheet":
                source = current.open_lines if current is not None else preamble
                title = _take_title_lines(source, line.page)
                current = SheetDraft(title)
                sheets.append(current)
            assert current is not None
            _open_section(current, heading, line)
    return sheets, preamble


def _heading_action(heading: Heading, current: SheetDraft | None, at_page_top: bool) -> str:
    """``new_sheet``, ``section`` or ``text`` (a line that only starts like a heading)."""
    if current is None:
        return "new_sheet"
    last = current.sections[-1].name if current.sections else None
    goes_back = last is not None and SECTION_ORDER.index(heading.section) < SECTION_ORDER.index(last)
    if goes_back and at_page_top:
        return "new_sheet"
    if not heading.value:
        return "section"
    if not current.open_lines:
        return "text"
    filled = current.section(heading.section) is not None
    if (filled or goes_back) and not heading.explicit_separator:
        return "text"
    return "section"


def _take_title_lines(source: list[SourceLine], page: int) -> list[SourceLine]:
    """Move the lines printed above the heading on its page from ``source`` to the new title."""
    start = len(source)
    while start > 0 and source[start - 1].page == page:
        start -= 1
    title = source[start:]
    del source[start:]
    return title


def _open_section(sheet: SheetDraft, heading: Heading, line: SourceLine) -> None:
    section = sheet.section(heading.section)
    if section is None:
        section = SheetSection(heading.section, line)
        sheet.sections.append(section)
    elif sheet.sections[-1] is not section:
        # A repeated heading ("Objectifs :" twice) continues its section where it was.
        sheet.sections.remove(section)
        sheet.sections.append(section)
    if heading.value:
        section.lines.append(SourceLine(heading.value, line.page, line.line, line.bbox))


# --- rows ------------------------------------------------------------------------------------


def slugify(text: str, max_chars: int) -> str:
    """Lower-case ASCII words joined by ``-``, French small words left out, cut at a word end."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = [word for word in re.split(r"[^a-z0-9]+", ascii_text) if word and word not in _SLUG_STOPWORDS]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars and slug:
            break
        slug = candidate[:max_chars]
    return slug or "untitled"


def sheet_ids(titles: list[str], settings: PracticeSheetSettings) -> list[str]:
    """``sheet-<slug of the title>``; a repeated slug gets ``-2``, ``-3`` in reading order.

    The id depends on the sheet's own title only, so adding or removing another sheet leaves it
    unchanged; the slug is cut short so that a title's last words (which a damaged rendering may
    lose) do not change it.
    """
    ids: list[str] = []
    for title in titles:
        base = "sheet-" + slugify(title, settings.sheet_id_max_chars)
        candidate, counter = base, 1
        while candidate in ids:
            counter += 1
            candidate = f"{base}-{counter}"
        ids.append(candidate)
    return ids


def page_span(lines: Iterable[SourceLine]) -> str:
    pages = sorted({line.page for line in lines})
    if not pages:
        return ""
    return str(pages[0]) if pages[0] == pages[-1] else f"{pages[0]}-{pages[-1]}"


def section_text(section: SheetSection | None) -> str:
    """A section's value: its printed lines, one per line."""
    if section is None:
        return ""
    return "\n".join(line.text for line in section.lines)


def sheet_records(
    sheets: list[SheetDraft], source_file: str, settings: PracticeSheetSettings
) -> PracticeSheetsExtraction:
    """Rows of both tables, findings and organisation mentions, from the sheets as printed."""
    titles = [" ".join(line.text for line in sheet.title_lines) for sheet in sheets]
    ids = sheet_ids(titles, settings)
    result = PracticeSheetsExtraction(source_file, [], [])
    for sheet, sheet_id, title in zip(sheets, ids, titles, strict=True):
        row, contacts, findings, mentions = _sheet_rows(sheet, sheet_id, title, source_file, settings)
        result.sheets.append(row)
        result.contacts += contacts
        result.findings += findings
        result.organisation_mentions += mentions
    return result


def _sheet_rows(
    sheet: SheetDraft, sheet_id: str, title: str, source_file: str, settings: PracticeSheetSettings
) -> tuple[Row, list[Row], list[Finding], list[tuple[str, SourceLocation]]]:
    lines = sheet.all_lines()
    first = lines[0].location(source_file)
    values = {name: section_text(sheet.section(name)) for name in TEXT_SECTIONS}
    contact_section = sheet.section("contacts")
    block = read_contact_block(
        [
            ContactLine(line.text, line.location(source_file))
            for line in (contact_section.lines if contact_section else [])
        ],
        settings.phone_region,
    )
    if block.notes:
        notes = "\n".join(note.text for note in block.notes)
        values["other_info"] = f"{values['other_info']}\n{notes}" if values["other_info"] else notes
    row: Row = {
        "sheet_id": sheet_id,
        "title": title,
        **values,
        "source_file": source_file,
        "source_pages": page_span(lines),
    }
    findings = [finding.with_row("practice_contacts", sheet_id) for finding in block.findings]
    findings += _missing_section_findings(sheet, row, bool(block.contacts), first, settings)
    findings += _page_stitch_findings(sheet, sheet_id, source_file)
    contacts = [
        _contact_row(sheet_id, index, contact, source_file)
        for index, contact in enumerate(block.contacts, start=1)
    ]
    mentions = [
        (name, section.heading.location(source_file))
        for section_name in ("commune_institution", "organisers")
        if (section := sheet.section(section_name)) is not None
        for name in organisation_names(section_text(section))
    ]
    return row, contacts, findings, mentions


def _contact_row(sheet_id: str, index: int, contact: Contact, source_file: str) -> Row:
    return {
        "sheet_id": sheet_id,
        "contact_index": index,
        "name": contact.name,
        "role": contact.role,
        "organisation": contact.organisation,
        "address": contact.address,
        "phone_raw": contact.phone_raw,
        "phone": contact.phone,
        "email_raw": contact.email_raw,
        "email": contact.email,
        "website_raw": contact.website_raw,
        "website": contact.website,
        "source_file": source_file,
        "source_page": contact.location.page,
    }


def _missing_section_findings(
    sheet: SheetDraft, row: Row, has_contacts: bool, where: SourceLocation, settings: PracticeSheetSettings
) -> list[Finding]:
    findings = []
    if not row["title"]:
        findings.append(Finding("missing_value", "the sheet prints no title above its first heading", where))
    for name in settings.required_sections:
        empty = not has_contacts if name == "contacts" else not row[name]
        if not empty:
            continue
        printed = sheet.section(name) is not None
        reason = "heading printed without a value" if printed else "section not printed"
        findings.append(Finding("missing_value", f"section {name}: {reason}", where, column=name))
    return [finding.with_row("practice_sheets", row["sheet_id"]) for finding in findings]


def _page_stitch_findings(sheet: SheetDraft, sheet_id: str, source_file: str) -> list[Finding]:
    findings = []
    for section in sheet.sections:
        pages = sorted({section.heading.page, *(line.page for line in section.lines)})
        if len(pages) > 1:
            message = f"section {section.name} continues from page {pages[0]} to page {pages[-1]}"
            location = section.heading.location(source_file)
            finding = Finding("page_stitch", message, location, column=section.name)
            findings.append(finding.with_row("practice_sheets", sheet_id))
    return findings


# --- entry points ----------------------------------------------------------------------------


def looks_like_practice_sheets(text: str) -> bool:
    """Whether a text reads as practice sheets: many bare section headings of most kinds."""
    bare = [
        heading
        for line in text.splitlines()
        if (heading := match_heading(clean_line(line))) and not heading.value
    ]
    kinds = {heading.section for heading in bare}
    return len(bare) >= DETECTION_MIN_HEADINGS and len(kinds) >= DETECTION_MIN_SECTION_KINDS


def looks_like_practice_sheets_pdf(path: Path, settings: PracticeSheetSettings | None = None) -> bool:
    settings = settings or PracticeSheetSettings()
    pages = pdf_pages(path, settings, max_pages=settings.detection_pages)
    return looks_like_practice_sheets("\n".join(line.text for page in pages for line in page))


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(1024).lstrip().startswith(b"%PDF-")
    except FileNotFoundError as error:
        raise InputError(path, "file not found") from error


def read_brochure_pages(
    path: Path, source_name: str, settings: PracticeSheetSettings
) -> tuple[list[list[SourceLine]], list[Finding]]:
    """The brochure's pages of printed lines, from a PDF or a text extraction (told by content)."""
    if _is_pdf(path):
        pages = pdf_pages(path, settings)
        check_text_layer(path, pages)
        return pages, []
    document = read_text_document(path, source_name)
    if not looks_like_practice_sheets(document.text):
        raise InputError(path, "not a practice-sheet brochure (no section headings found)")
    return text_pages(document.lines, settings), list(document.findings)


def check_text_layer(path: Path, pages: list[list[SourceLine]]) -> None:
    if not any(pages):
        raise InputError(path, "PDF has no text layer")


def practice_sheets_from_pages(
    path: Path,
    source_name: str,
    pages: list[list[SourceLine]],
    findings: list[Finding],
    settings: PracticeSheetSettings,
) -> PracticeSheetsExtraction:
    """Both tables from the brochure's pages (read whole, or in page ranges by worker processes)."""
    sheets, _ = split_sheets(content_pages(pages, settings), settings)
    if not sheets:
        raise InputError(path, "no practice sheet found (no section headings)")
    result = sheet_records(sheets, source_name, settings)
    result.findings = findings + result.findings
    result.page_text = page_text(pages)
    return result


def page_text(pages: list[list[SourceLine]]) -> PageText:
    """The PDF pages' printed lines for the report's context (text extractions have no boxes)."""
    return {
        lines[0].page: tuple(PageLine(line.text, line.bbox[1], line.bbox[3]) for line in lines if line.bbox)
        for lines in pages
        if lines and any(line.bbox for line in lines)
    }


def extract_practice_sheets(
    path: Path, source_name: str | None = None, settings: PracticeSheetSettings | None = None
) -> PracticeSheetsExtraction:
    """Both tables of the brochure, from its PDF or its text extraction, with findings."""
    settings = settings or PracticeSheetSettings()
    name = source_name or path.name
    pages, findings = read_brochure_pages(path, name, settings)
    return practice_sheets_from_pages(path, name, pages, findings, settings)
